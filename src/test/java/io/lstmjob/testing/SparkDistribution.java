package io.lstmjob.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real launcher, as a user without a Spark install gets it: a Spark home laid out by
 * jobs/spark-home.sh, the cluster jar built by {@code mvn -Pcluster package} (in a folder of its own,
 * since target/ is in use by this build), and jobs/submit.sh run as a child process.
 */
public final class SparkDistribution {
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static Path home;
    private static Path jar;

    private SparkDistribution() {}

    /** What one jobs/submit.sh printed and how it exited. */
    public record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr (last 4000 chars)\n"
                    + stderr.substring(Math.max(0, stderr.length() - 4000));
        }
    }

    public static synchronized Path home() throws IOException, InterruptedException {
        if (home == null) {
            Path dir = PROJECT.resolve("target/spark-home");
            run(
                    List.of(PROJECT.resolve("jobs/spark-home.sh").toString(), dir.toString()),
                    PROJECT.resolve("target/spark-home.log"));
            home = dir;
        }
        return home;
    }

    public static synchronized Path clusterJar() throws IOException, InterruptedException {
        if (jar == null) {
            Path build = PROJECT.resolve("target/cluster-build");
            run(
                    List.of(
                            "mvn",
                            "-q",
                            "-B",
                            "-Pcluster",
                            "-DskipTests",
                            "-Dlstmjob.buildDirectory=" + build,
                            "package"),
                    PROJECT.resolve("target/cluster-build.log"));
            try (var files = Files.list(build)) {
                jar = files.filter(f -> f.getFileName().toString().endsWith("-cluster.jar"))
                        .findFirst()
                        .orElseThrow(() -> new IOException("no cluster jar in " + build));
            }
        }
        return jar;
    }

    /**
     * jobs/submit.sh CONFIG ARGS with small executors (1 GB heap, 1 GB off-heap, two of one core)
     * unless {@code env} says otherwise.
     */
    public static Run submit(Map<String, String> env, Path logDir, Path config, String... args)
            throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>(Map.of(
                "SPARK_HOME",
                home().toString(),
                "JAR",
                clusterJar().toString(),
                "EXECUTOR_MEMORY",
                "1g",
                "EXECUTOR_OFFHEAP",
                "1g",
                "DRIVER_MEMORY",
                "1g",
                "NUM_EXECUTORS",
                "2",
                "EXECUTOR_CORES",
                "1",
                "SPARK_LOCAL_IP",
                "127.0.0.1"));
        all.putAll(env);
        List<String> command =
                new ArrayList<>(List.of(PROJECT.resolve("jobs/submit.sh").toString(), config.toString()));
        command.addAll(List.of(args));
        Files.createDirectories(logDir);
        Path out = Files.createTempFile(logDir, "submit-", ".out");
        Path err = Path.of(out.toString().replace(".out", ".err"));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(all);
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("jobs/submit.sh did not end within 10 minutes; see " + err);
        }
        return new Run(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** A JVM started as a distribution starts its daemons: SPARK_HOME/bin/spark-class MAIN ARGS. */
    public static Process sparkClass(Path log, Map<String, String> env, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(home().resolve("bin/spark-class").toString(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("SPARK_HOME", home().toString());
        return builder.start();
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed; its output:\n" + Files.readString(log));
        }
    }
}
