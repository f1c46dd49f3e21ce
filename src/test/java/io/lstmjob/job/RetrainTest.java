package io.lstmjob.job;

import io.lstmjob.store.ModelLockedException;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        TrainingJob.Result v2 = TrainingJob.run(spark, TestConfigs.sines(better, out, "train.epochs=5"), RunOptions.retrain());
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
        TrainingJob.Result v3 = TrainingJob.run(spark,
                TestConfigs.sines(corrupted, out, "train.epochs=4", "train.learningRate=0.05"), RunOptions.retrain());
        assertFalse(v3.decision().promoted(), v3.decision().toString());
        assertEquals(v2.version(), store.liveVersion().orElseThrow(), "the live version stays");
        assertEquals(liveFiles, hashes(dir.resolve("models/sines/versions/" + v2.version())), "live files untouched");
        String metrics = Files.readString(dir.resolve("models/sines/versions/" + v3.version() + "/metrics.json"));
        assertTrue(metrics.contains("\"promoted\" : false"), metrics);
        assertNotEquals(v3.version(), v2.version());

        // A scheduler's retry of a run that already published is a no-op with the same outcome.
        TrainingJob.Result retried = TrainingJob.run(spark, TestConfigs.sines(corrupted, out, "train.epochs=4"),
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

    @Test
    void inputThatDoesNotFitTheLiveModelIsRefusedBeforeTraining() throws IOException {
        String out = dir.resolve("compat").toString();
        Path input = SampleData.noisySines(dir.resolve("a"), 2, 80, 1);
        TrainingJob.Result live = TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=1"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.lstmjob.data.InputDataException.class,
                () -> TrainingJob.run(spark, TestConfigs.sines(input, out, "input.featureColumns=[value]"), RunOptions.retrain()));
        assertTrue(e.getMessage().contains("do not fit the model") && e.getMessage().contains("[value, cosine]"), e.getMessage());
        assertEquals(live.version(), new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration()).liveVersion().orElseThrow());
    }

    @Test
    void aRetrainWithoutALiveVersionFailsClearly() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 2, 60, 1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.lstmjob.store.ModelStoreException.class,
                () -> TrainingJob.run(spark, TestConfigs.sines(input, dir.resolve("empty").toString()), RunOptions.retrain()));
        assertTrue(e.getMessage().contains("no live version"), e.getMessage());
    }

    @Test
    void ofTwoConcurrentRunsOnOneModelExactlyOneProceeds() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("c"), 4, 200, 1);
        String out = dir.resolve("concurrent").toString();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<TrainingJob.Result>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(pool.submit(() -> TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=3"))));
        }
        int published = 0;
        int refused = 0;
        for (Future<TrainingJob.Result> run : runs) {
            try {
                run.get();
                published++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof ModelLockedException, String.valueOf(e.getCause()));
                refused++;
            }
        }
        pool.shutdown();
        assertEquals(1, published);
        assertEquals(1, refused);
    }

    private static Map<String, String> hashes(Path folder) throws Exception {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                hashes.put(file.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return hashes;
    }
}
