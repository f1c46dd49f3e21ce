package io.lstmjob.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on loopback: one Master and N Workers, each its own JVM, each
 * Worker launching executors (and, in cluster deploy mode, drivers) as JVMs of their own. Either
 * from the test classpath (no Spark download; Spark's launcher wants a SPARK_HOME with a jars/
 * folder, an empty one does, since executors get the job's classes from
 * spark.executor.extraClassPath), or as a distribution starts them: SPARK_HOME/bin/spark-class.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final boolean fromDistribution;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final int port;

    public StandaloneCluster(Path dir, int workerCount, int coresPerWorker) throws IOException, InterruptedException {
        this(dir, workerCount, coresPerWorker, "2g", false);
    }

    /** Master and Workers started by the Spark home of {@link SparkDistribution}. */
    public static StandaloneCluster fromDistribution(
            Path dir, int workerCount, int coresPerWorker, String memoryPerWorker)
            throws IOException, InterruptedException {
        return new StandaloneCluster(dir, workerCount, coresPerWorker, memoryPerWorker, true);
    }

    private StandaloneCluster(
            Path dir, int workerCount, int coresPerWorker, String memoryPerWorker, boolean fromDistribution)
            throws IOException, InterruptedException {
        this.fromDistribution = fromDistribution;
        home = fromDistribution ? SparkDistribution.home() : dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        // Port 0 everywhere: each JVM binds a port of its own choosing (asking the OS for a free port and
        // handing its number on leaves a window in which another process can take it); the master's is
        // read from its log.
        Path masterLog = dir.resolve("master.log");
        master = start(
                masterLog,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0");
        port = masterPort(master, masterLog, 60_000);
        for (int i = 0; i < workerCount; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            workers.add(start(
                    dir.resolve("worker-" + i + ".log"),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    Integer.toString(coresPerWorker),
                    "--memory",
                    memoryPerWorker,
                    "--webui-port",
                    "0",
                    "--work-dir",
                    work.toString(),
                    masterUrl()));
        }
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** Classpath and JVM options the driver must pass on to the executors. */
    public static Map<String, String> executorSettings() {
        String opens = "@" + Path.of("conf/java17.args").toAbsolutePath();
        return Map.of(
                "spark.executor.extraClassPath",
                System.getProperty("java.class.path"),
                "spark.executor.extraJavaOptions",
                opens,
                "spark.executor.memory",
                "1g",
                "spark.executorEnv.OMP_NUM_THREADS",
                "1");
    }

    /** The executor JVMs currently running, as children of the Worker processes. */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process worker : workers) {
            worker.toHandle().children().filter(ProcessHandle::isAlive).forEach(executors::add);
        }
        return executors;
    }

    private Process start(Path log, String mainClass, String... args) throws IOException, InterruptedException {
        Map<String, String> env = Map.of(
                "SPARK_SCALA_VERSION",
                "2.12",
                "SPARK_LOCAL_IP",
                "127.0.0.1",
                "OMP_NUM_THREADS",
                "1",
                "SPARK_DAEMON_MEMORY",
                "512m");
        if (fromDistribution) {
            return SparkDistribution.sparkClass(log, env, mainClass, args);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "@" + Path.of("conf/java17.args").toAbsolutePath(),
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The port the master bound, from the line Spark logs once it listens ("Starting Spark master at spark://HOST:PORT"). */
    private static int masterPort(Process master, Path log, long timeoutMillis)
            throws InterruptedException, IOException {
        java.util.regex.Pattern started =
                java.util.regex.Pattern.compile("Starting Spark master at spark://[^:]+:(\\d+)");
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && master.isAlive()) {
            if (Files.exists(log)) {
                java.util.regex.Matcher m = started.matcher(Files.readString(log));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(200);
        }
        throw new IOException("the Spark master did not start (see " + log + "):\n"
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    @Override
    public void close() {
        for (Process worker : workers) {
            worker.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            worker.destroyForcibly();
        }
        master.destroyForcibly();
    }
}
