package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.store.ModelLockedException;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nightly retraining: warm start, the evaluation gate, lineage, and one run per model name. */
class RetrainTest extends SparkTest {

    @TempDir
    Path dir;

    @Test
    void betterDataIsPromotedAndCorruptedDataKeepsTheLiveVersionByteForByte() throws Exception {
        String out = dir.resolve("models").toString();
        Path first = SampleData.noisySines(dir.resolve("night1"), 6, 200, 1);
        TrainingJob.Result v1 = TrainingJob.run(spark, TestConfigs.sines(first, out, "train.epochs=3"));

        Path better = SampleData.noisySines(dir.resolve("night2"), 6, 200, 2);
        TrainingJob.Result v2 =
                TrainingJob.run(spark, TestConfigs.sines(better, out, "train.epochs=5"), RunOptions.retrain());
        assertTrue(v2.decision().promoted(), v2.decision().toString());
        assertTrue(v2.decision().candidateValidationLoss() < v2.decision().liveValidationLoss());
        assertEquals(v1.version(), v2.decision().liveVersion());
        ModelStore store = new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration());
        assertEquals(v2.version(), store.liveVersion().orElseThrow());
        String metadata = Files.readString(dir.resolve("models/sines/versions/" + v2.version() + "/metadata.json"));
        assertTrue(metadata.contains("\"parentVersion\" : \"" + v1.version() + "\""), metadata);
        assertTrue(metadata.contains("\"bytes\""), "input sizes are recorded");

        Map<String, String> liveFiles = hashes(dir.resolve("models/sines/versions/" + v2.version()));
        Path corrupted = SampleData.corruptedSines(dir.resolve("night3"), 6, 200, 0.85, 3);
        TrainingJob.Result v3 = TrainingJob.run(
                spark,
                TestConfigs.sines(corrupted, out, "train.epochs=4", "train.learningRate=0.05"),
                RunOptions.retrain());
        assertFalse(v3.decision().promoted(), v3.decision().toString());
        assertEquals(v2.version(), store.liveVersion().orElseThrow(), "the live version stays");
        assertEquals(liveFiles, hashes(dir.resolve("models/sines/versions/" + v2.version())), "live files untouched");
        String metrics = Files.readString(dir.resolve("models/sines/versions/" + v3.version() + "/metrics.json"));
        assertTrue(metrics.contains("\"promoted\" : false"), metrics);
        assertNotEquals(v3.version(), v2.version());

        // A scheduler's retry of a run that already published is a no-op with the same outcome.
        TrainingJob.Result retried = TrainingJob.run(
                spark,
                TestConfigs.sines(corrupted, out, "train.epochs=4"),
                new RunOptions(true, v3Run(v3), false, false));
        assertEquals(v3.version(), retried.version());
        assertFalse(retried.decision().promoted());
        assertEquals(3, store.versions().size());
    }

    private String v3Run(TrainingJob.Result result) throws IOException {
        String metadata = Files.readString(Path.of(result.versionDir().toUri().getPath(), "metadata.json"));
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(metadata);
        return node.get("runId").asText();
    }

    /**
     * The candidate starts from the live version: its parameters (its first epoch is already as
     * good as the live run's last, where a fresh network's first is far worse), Adam's moments and
     * step count, and the live architecture, whatever the config's model.layers says.
     */
    @Test
    void theCandidateStartsFromTheLiveParametersUpdaterStateAndArchitecture() throws Exception {
        String out = dir.resolve("warm").toString();
        Path input = SampleData.noisySines(dir.resolve("warm-in"), 4, 120, 7);
        TrainingJob.Result live = TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=4"));
        float[] liveUpdater = live.network().getUpdater().getStateViewArray().toFloatVector();
        double liveFirstEpoch = live.metrics().epochs().get(0).trainLoss();
        double liveLastEpoch = live.metrics().epochs().get(3).trainLoss();

        TrainingJob.Result candidate = TrainingJob.run(
                spark,
                TestConfigs.sines(input, out, "train.epochs=1", "model.layers=[5]", "retrain.promote=always"),
                RunOptions.retrain());
        assertEquals(
                live.network().numParams(),
                candidate.network().numParams(),
                "the live architecture (16 units), not the config's [5]");
        double firstEpoch = candidate.metrics().epochs().get(0).trainLoss();
        assertTrue(
                firstEpoch < 0.5 * liveFirstEpoch && firstEpoch < 1.5 * liveLastEpoch,
                "the candidate's first epoch (" + firstEpoch + ") continues from the live run's last (" + liveLastEpoch
                        + "), not from its first (" + liveFirstEpoch + ")");
        assertTrue(
                candidate.network().getIterationCount() > live.network().getIterationCount(),
                "Adam's step count continues (its bias correction)");
        // Adam's second moment decays by 0.999 a step: after the few steps of one epoch it is within a few
        // percent of the live one (a fresh state would be ~0.5% of it); the first moment (0.9 a step) has moved on.
        float[] updater = candidate.network().getUpdater().getStateViewArray().toFloatVector();
        int close = 0;
        for (int i = 0; i < updater.length; i++) {
            close += Math.abs(updater[i] - liveUpdater[i]) < 0.05 * Math.abs(liveUpdater[i]) ? 1 : 0;
        }
        assertTrue(
                close > 0.3 * updater.length,
                "about half the updater state (the second moments) is the live one's: " + close + " of "
                        + updater.length);
    }

    /** retrain.promote=always puts a worse candidate live; with if-better and minImprovement it would be kept. */
    @Test
    void promoteAlwaysReplacesTheLiveModelEvenWithAWorseCandidate() throws Exception {
        String out = dir.resolve("always").toString();
        TrainingJob.Result live = TrainingJob.run(
                spark, TestConfigs.sines(SampleData.noisySines(dir.resolve("good"), 6, 200, 1), out, "train.epochs=3"));
        Path corrupted = SampleData.corruptedSines(dir.resolve("bad"), 6, 200, 0.85, 3);
        TrainingJob.Result kept = TrainingJob.run(
                spark,
                TestConfigs.sines(
                        corrupted, out, "train.epochs=2", "train.learningRate=0.05", "retrain.minImprovement=0.5"),
                RunOptions.retrain());
        assertFalse(kept.decision().promoted(), kept.decision().toString());
        TrainingJob.Result forced = TrainingJob.run(
                spark,
                TestConfigs.sines(
                        corrupted, out, "train.epochs=2", "train.learningRate=0.05", "retrain.promote=always"),
                RunOptions.retrain());
        assertTrue(forced.decision().promoted(), forced.decision().toString());
        assertEquals(
                forced.version(),
                new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration())
                        .liveVersion()
                        .orElseThrow());
        assertNotEquals(live.version(), forced.version());
    }

    /** A character model's retrain on text with characters it never saw is refused before training, naming them. */
    @Test
    void textWithCharactersOutsideTheVocabularyIsRefused() throws Exception {
        String out = dir.resolve("chars").toString();
        Path text = SampleData.shortText(dir.resolve("text"));
        List<String> settings = List.of(
                "input.format=text",
                "output.path=" + out,
                "model.name=chars",
                "model.layers=[8]",
                "train.epochs=1",
                "segment.length=40",
                "tbptt.forward=20",
                "tbptt.backward=20",
                "spark.numPartitions=2");
        List<String> first = new ArrayList<>(settings);
        first.add("input.path=" + text);
        TrainingJob.Result live =
                TrainingJob.run(spark, new io.lstmjob.config.JobConfigLoader().load(null, null, first));
        Path other = Files.createDirectories(dir.resolve("other-text"));
        Files.writeString(other.resolve("t.txt"), "the cat sat on the mat. ZEBRA QUIZ!\n".repeat(20));
        List<String> again = new ArrayList<>(settings);
        again.add("input.path=" + other);
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                io.lstmjob.data.InputDataException.class,
                () -> TrainingJob.run(
                        spark, new io.lstmjob.config.JobConfigLoader().load(null, null, again), RunOptions.retrain()));
        assertTrue(
                e.getMessage().contains("outside the model's vocabulary")
                        && e.getMessage().contains("Z"),
                e.getMessage());
        assertEquals(
                List.of(live.version()),
                new ModelStore(out, "chars", spark.sparkContext().hadoopConfiguration()).versions());
    }

    @Test
    void inputThatDoesNotFitTheLiveModelIsRefusedBeforeTraining() throws IOException {
        String out = dir.resolve("compat").toString();
        Path input = SampleData.noisySines(dir.resolve("a"), 2, 80, 1);
        TrainingJob.Result live = TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=1"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                io.lstmjob.data.InputDataException.class,
                () -> TrainingJob.run(
                        spark, TestConfigs.sines(input, out, "input.featureColumns=[value]"), RunOptions.retrain()));
        assertTrue(
                e.getMessage().contains("do not fit the model")
                        && e.getMessage().contains("[value, cosine]"),
                e.getMessage());
        assertEquals(
                live.version(),
                new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration())
                        .liveVersion()
                        .orElseThrow());
    }

    @Test
    void aRetrainWithoutALiveVersionFailsClearly() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 2, 60, 1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                io.lstmjob.store.ModelStoreException.class,
                () -> TrainingJob.run(
                        spark, TestConfigs.sines(input, dir.resolve("empty").toString()), RunOptions.retrain()));
        assertTrue(e.getMessage().contains("no live version"), e.getMessage());
    }

    /**
     * The second run starts once the first holds the lock (its lock file is there: a hand-off, not
     * two threads that may or may not overlap), is refused naming the first, and only the first publishes.
     */
    @Test
    void ofTwoConcurrentRunsOnOneModelExactlyOneProceeds() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("c"), 4, 200, 1);
        String out = dir.resolve("concurrent").toString();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<TrainingJob.Result> first = pool.submit(() -> TrainingJob.run(
                spark,
                TestConfigs.sines(input, out, "train.epochs=3"),
                new RunOptions(false, "first-run", false, false)));
        Path lockDir = dir.resolve("concurrent/sines/_lock");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!holdsGeneration(lockDir) && !first.isDone() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(holdsGeneration(lockDir), "the first run took no lock");
        ModelLockedException refused = org.junit.jupiter.api.Assertions.assertThrows(
                ModelLockedException.class,
                () -> TrainingJob.run(
                        spark,
                        TestConfigs.sines(input, out, "train.epochs=3"),
                        new RunOptions(false, "second-run", false, false)));
        assertTrue(refused.getMessage().contains("locked by run first-run"), refused.getMessage());
        String version = first.get(120, java.util.concurrent.TimeUnit.SECONDS).version();
        pool.shutdown();
        assertEquals(
                List.of(version),
                new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration()).versions());
    }

    /** Whether a run holds the lock: a generation file (12 digits) with its first heartbeat, and no release of it. */
    private static boolean holdsGeneration(Path lockDir) throws IOException {
        if (!Files.isDirectory(lockDir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(lockDir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            return names.stream().anyMatch(n -> n.matches("\\d{12}\\.heartbeat"))
                    && names.stream().noneMatch(n -> n.endsWith(".released"));
        }
    }

    private static Map<String, String> hashes(Path folder) throws Exception {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                hashes.put(
                        file.getFileName().toString(),
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return hashes;
    }
}
