package io.lstmjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as the local scripts run it (its own JVM, conf/log4j2.properties): stdout carries
 * only the product, and an expected failure reads as its one line, without Spark's stack traces
 * unless --verbose asks for them.
 */
@Tag("process")
class CommandLineOutputTest {
    @TempDir
    Path dir;

    private record Output(int exitCode, String stdout, String stderr) {}

    private Output run(String... args) throws IOException, InterruptedException {
        return runWith(List.of(), args);
    }

    private Output runWith(List<String> javaOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "@" + Path.of("conf/java17.args").toAbsolutePath(),
                "-Dlog4j2.configurationFile=conf/log4j2.properties"));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lstmjob.cli.LstmJob"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process process = builder.start();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "the command ended");
        return new Output(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> overrides(Path input) {
        return TestConfigs.sinesOverrides(input, dir.resolve("models").toString(), "spark.master=local[2]");
    }

    private String[] trainOneEpoch(Path input) {
        List<String> train = new ArrayList<>(List.of("train"));
        train.addAll(overrides(input));
        train.add("train.epochs=1");
        return train.toArray(String[]::new);
    }

    @Test
    void validatePrintsOnlyItsJsonOnStdout() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 4, 120, 2);
        List<String> args = new ArrayList<>(List.of("validate"));
        args.addAll(overrides(input));
        Output output = run(args.toArray(String[]::new));
        assertEquals(0, output.exitCode(), output.stderr());
        JsonNode summary = new ObjectMapper().readTree(output.stdout());
        assertEquals(
                4,
                summary.path("dataset")
                        .path("sequences")
                        .asInt(summary.path("sequences").asInt()),
                output.stdout());
        assertTrue(output.stderr().contains("INFO  PreparationPhases"), "the log went to stderr: " + output.stderr());
    }

    /** Under the scripts' own log config: train prints its line, evaluate and bench their JSON, nothing else. */
    @Test
    void trainEvaluateAndBenchPrintOnlyTheirProduct() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 4, 120, 2);
        Output trained = run(trainOneEpoch(input));
        assertEquals(0, trained.exitCode(), trained.stderr());
        assertTrue(
                trained.stdout().startsWith("Published ")
                        && trained.stdout().strip().lines().count() == 1,
                trained.stdout());
        assertTrue(trained.stderr().contains("INFO  EpochLoop"), "the epoch lines went to stderr: " + trained.stderr());

        List<String> evaluate = new ArrayList<>(List.of(
                "evaluate",
                "--model",
                "sines",
                "--input",
                input.toString(),
                "output.path=" + dir.resolve("models"),
                "spark.master=local[2]"));
        Output evaluated = run(evaluate.toArray(String[]::new));
        assertEquals(0, evaluated.exitCode(), evaluated.stderr());
        JsonNode metrics = new ObjectMapper().readTree(evaluated.stdout());
        assertEquals(
                4 * 119,
                metrics.path("steps").asLong(),
                "the model's own columns and windows read the input: " + metrics);

        Output bench = run("bench", "--workload", "W1", "--workers", "1", "--seconds", "1", "--warmup-seconds", "0");
        assertEquals(0, bench.exitCode(), bench.stderr());
        assertTrue(new ObjectMapper().readTree(bench.stdout()).isContainerNode(), bench.stdout());
    }

    /**
     * A signed URL's secret in a path (here a local folder named like one: Hadoop keeps the '?' in the
     * name) reaches no output of a real run: not stdout, not the log, not metadata.json, metrics.json
     * or report.html, though the run reads that folder and records it.
     */
    @Test
    void aSecretInAPathIsMaskedEverywhereARunWritesIt() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("signed?sig=SECRET42&sv=2024"), 2, 80, 4);
        Output trained = run(trainOneEpoch(input));
        assertEquals(0, trained.exitCode(), trained.stderr());
        assertFalse(
                trained.stdout().contains("SECRET42") || trained.stderr().contains("SECRET42"),
                trained.stdout() + trained.stderr());
        Path versions = dir.resolve("models/sines/versions");
        Path version;
        try (var listed = Files.list(versions)) {
            version = listed.findFirst().orElseThrow();
        }
        String metadata = Files.readString(version.resolve("metadata.json"));
        assertTrue(metadata.contains("sig=***"), "the path is recorded, masked: " + metadata);
        for (String file : List.of("metadata.json", "metrics.json", "report.html")) {
            assertFalse(Files.readString(version.resolve(file)).contains("SECRET42"), file + " holds the secret");
        }
    }

    /**
     * A process over its memory bound (the container's size on a cluster) fails the run with the
     * figures and the property to raise, before anything is published, rather than being killed.
     */
    @Test
    void aWorkerOverItsProcessMemoryBoundFailsTheRunWithTheFigures() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 4, 120, 2);
        Output over = runWith(List.of("-Dio.lstmjob.maxProcessBytes=64m"), trainOneEpoch(input));
        assertEquals(1, over.exitCode(), over.stderr());
        assertEquals("", over.stdout());
        String[] lines = over.stderr().strip().split("\\R");
        String last = lines[lines.length - 1];
        assertTrue(
                last.startsWith("lstm-job: failed: ")
                        && last.contains("over its limit of 64 MB")
                        && last.contains("-Dio.lstmjob.maxProcessBytes"),
                over.stderr());
        assertFalse(Files.exists(dir.resolve("models/sines/LATEST")), "nothing was published");
    }

    @Test
    void aBadInputIsOneLineWithoutStackTracesUnlessVerbose() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("bad.csv"), "id,t,value,cosine\ns0,0,0.5,0.1\ns0,1,oops,0.2\n");
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(overrides(bad));
        Output quiet = run(args.toArray(String[]::new));
        assertEquals(LstmJob.BAD_INPUT, quiet.exitCode(), quiet.stderr());
        assertEquals("", quiet.stdout());
        String[] lines = quiet.stderr().strip().split("\\R");
        assertTrue(
                lines[lines.length - 1].startsWith("lstm-job: ") && lines[lines.length - 1].contains("bad.csv:3"),
                quiet.stderr());
        assertFalse(quiet.stderr().contains("\tat "), "no stack trace at the default level:\n" + quiet.stderr());
        for (int i = 0; i < lines.length - 1; i++) {
            // Before the failure's line: the JVM's note on the Vector API module and the job's own progress lines.
            assertTrue(
                    lines[i].startsWith("WARNING: Using incubator modules") || lines[i].matches("\\S+ INFO  \\w+: .*"),
                    "only the job's own INFO lines before the failure, got: " + lines[i] + "\n" + quiet.stderr());
        }

        args.add("--verbose");
        Output verbose = run(args.toArray(String[]::new));
        assertEquals(LstmJob.BAD_INPUT, verbose.exitCode());
        assertTrue(verbose.stderr().contains("\tat "), "--verbose keeps Spark's reports of the failed task");
    }
}
