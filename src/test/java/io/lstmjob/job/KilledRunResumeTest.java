package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver JVM killed mid-run (SIGKILL, a child process of the test) is resumed by the same
 * command plus --resume: it ends with the configured epoch count and leaves nothing half-written.
 */
@Tag("process")
class KilledRunResumeTest extends SparkTest {

    @TempDir
    Path dir;

    @Test
    void aKilledRunResumesFromItsLastCheckpointAndPublishesOnce() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("in"), 8, 400, 4);
        String out = dir.resolve("models").toString();
        String[] settings = {"train.epochs=6", "store.lockTimeoutSeconds=600"};

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "@conf/java17.args",
                "-cp",
                System.getProperty("java.class.path"),
                "io.lstmjob.cli.LstmJob",
                "train",
                "--run-id",
                "night-1",
                "spark.master=local[2]"));
        command.addAll(TestConfigs.sinesOverrides(input, out, settings));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("driver.log").toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process driver = builder.start();

        Path secondCheckpoint = dir.resolve("models/sines/runs/night-1/checkpoints/epoch-00002");
        long deadline = System.currentTimeMillis() + 180_000;
        while (!Files.exists(secondCheckpoint) && driver.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(
                driver.isAlive(),
                "the driver ended before it could be killed:\n" + Files.readString(dir.resolve("driver.log")));
        assertTrue(
                Files.exists(secondCheckpoint),
                "no checkpoint in time:\n" + Files.readString(dir.resolve("driver.log")));
        driver.destroyForcibly().waitFor();
        assertTrue(
                Files.exists(secondCheckpoint.resolve(RunCheckpoint.AVERAGING_LOOKAHEAD)),
                "two workers with block momentum checkpoint its look-ahead");

        ModelStore store = new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration());
        assertTrue(store.liveVersion().isEmpty(), "the killed run published nothing");
        Path lastCheckpoint;
        try (Stream<Path> checkpoints = Files.list(secondCheckpoint.getParent())) {
            lastCheckpoint = checkpoints
                    .filter(p -> Files.exists(p.resolve(RunCheckpoint.STATE)))
                    .max(Path::compareTo)
                    .orElseThrow();
        }
        com.fasterxml.jackson.databind.JsonNode killedEpochs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(lastCheckpoint.resolve(RunCheckpoint.STATE).toFile())
                .path("epochs");
        int done = killedEpochs.size();
        assertTrue(done >= 2 && done < 6, "killed after epoch " + done);

        TrainingJob.Result result = TrainingJob.run(
                spark, TestConfigs.sines(input, out, settings), new RunOptions(false, null, true, false));

        assertEquals(6, result.metrics().epochs().size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, result.metrics().epochs().get(i).epoch());
        }
        // The epochs before the kill are the killed run's own (their timings too): not trained again.
        for (int i = 0; i < done; i++) {
            assertEquals(
                    killedEpochs.get(i).path("seconds").asDouble(),
                    result.metrics().epochs().get(i).seconds(),
                    0.0,
                    "epoch " + (i + 1) + " comes from the checkpoint");
            assertEquals(
                    killedEpochs.get(i).path("validationLoss").asDouble(),
                    result.metrics().epochs().get(i).validationLoss(),
                    0.0);
        }
        // The epochs after it continue from the checkpoint's parameters, updater state and RNG: as if never killed.
        TrainingJob.Result uninterrupted = TrainingJob.run(
                spark, TestConfigs.sines(input, dir.resolve("uninterrupted").toString(), settings));
        for (int i = done; i < 6; i++) {
            double expected = uninterrupted.metrics().epochs().get(i).validationLoss();
            assertEquals(
                    expected, result.metrics().epochs().get(i).validationLoss(), 1e-5 * expected, "epoch " + (i + 1));
        }
        assertEquals(
                0,
                uninterrupted
                        .network()
                        .params()
                        .sub(result.network().params())
                        .amaxNumber()
                        .doubleValue(),
                1e-4,
                "the resumed run ends where the uninterrupted one does");
        assertEquals(List.of(result.version()), store.versions(), "one published version");
        assertEquals(result.version(), store.liveVersion().orElseThrow());
        PublishedModel loaded = PublishedModel.load(store, null);
        assertEquals(result.network().params(), loaded.network().params());
        assertTrue(Files.readString(Path.of(result.versionDir().toUri().getPath(), "metadata.json"))
                .contains("\"runId\" : \"night-1\""));
        assertFalse(
                Files.exists(dir.resolve("models/sines/runs/night-1")), "checkpoints are cleaned up after publishing");
        Path staging = dir.resolve("models/sines/_staging");
        if (Files.exists(staging)) {
            try (Stream<Path> leftovers = Files.list(staging)) {
                assertEquals(List.of(), leftovers.toList(), "nothing half-written is left");
            }
        }
        store.lock("the-next-night", 600, false).close(); // the lock was released: another run takes it at once
    }
}
