package io.lstmjob.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run resumed from what an epoch's checkpoint keeps (the saved network and the progress, block
 * momentum's look-ahead included) ends where the run would have ended had it never stopped.
 */
class EpochLoopResumeTest extends SparkTest {

    @TempDir
    Path dir;

    @Test
    void aRunResumedAfterItsFirstEpochEndsWhereTheUninterruptedRunEnds() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 8, 200, 5);
        JobConfig config = TestConfigs.sines(input, dir.resolve("out").toString(), "train.epochs=3");
        assertEquals("auto", config.train().averagingBlockMomentum().toString(), "the default this test is about");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreparedData data = DatasetPreparer.prepare(spark, config.input(), config.sharding());
        try {
            byte[][] savedAfterFirst = new byte[1][];
            EpochLoop.Progress[] progressAfterFirst = new EpochLoop.Progress[1];
            MultiLayerNetwork uninterrupted = EpochLoop.run(
                            sc,
                            freshNetwork(config, data),
                            data,
                            config.train(),
                            EpochLoop.Progress.NONE,
                            (network, progress) -> {
                                if (progress.epochs().size() == 1) {
                                    savedAfterFirst[0] = saved(network);
                                    progressAfterFirst[0] = progress;
                                }
                            })
                    .network();
            EpochLoop.Progress afterFirst = progressAfterFirst[0];
            assertNotNull(afterFirst.averagingLookahead(), "two workers with block momentum leave a look-ahead");

            MultiLayerNetwork resumed = EpochLoop.run(
                            sc,
                            restored(savedAfterFirst[0]),
                            data,
                            config.train(),
                            afterFirst,
                            (network, progress) -> {})
                    .network();
            MultiLayerNetwork resumedWithoutLookahead = EpochLoop.run(
                            sc,
                            restored(savedAfterFirst[0]),
                            data,
                            config.train(),
                            new EpochLoop.Progress(afterFirst.epochs(), afterFirst.validation(), null, null),
                            (network, progress) -> {})
                    .network();

            float[] expected = uninterrupted.params().toFloatVector();
            assertArrayEquals(expected, resumed.params().toFloatVector(), 1e-6f);
            assertEquals(uninterrupted.getIterationCount(), resumed.getIterationCount());
            assertFalse(
                    maxDifference(expected, resumedWithoutLookahead.params().toFloatVector()) < 1e-4,
                    "the look-ahead must matter for this test to mean anything");
        } finally {
            data.release();
        }
    }

    /**
     * With early stopping a run publishes its best epoch's parameters. Resumed after that epoch, it
     * still knows them (the checkpoint keeps them): it ends with the same best epoch and parameters.
     */
    @Test
    void aRunResumedAfterItsBestEpochStillPublishesThatEpoch() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("early"), 8, 200, 7);
        JobConfig config = TestConfigs.sines(
                input,
                dir.resolve("out").toString(),
                "train.epochs=6",
                "train.earlyStoppingPatience=3",
                // Too large a step on purpose: validation loss rises after the first epochs, so the best comes early.
                "train.learningRate=3",
                "train.gradientClipping=none");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreparedData data = DatasetPreparer.prepare(spark, config.input(), config.sharding());
        try {
            java.util.Map<Integer, byte[]> saved = new java.util.HashMap<>();
            java.util.Map<Integer, EpochLoop.Progress> progress = new java.util.HashMap<>();
            EpochLoop.Outcome uninterrupted = EpochLoop.run(
                    sc, freshNetwork(config, data), data, config.train(), EpochLoop.Progress.NONE, (network, p) -> {
                        saved.put(p.epochs().size(), saved(network));
                        progress.put(p.epochs().size(), p);
                    });
            int best = uninterrupted.bestEpoch();
            int last = uninterrupted.epochs().size();
            assertTrue(best < last, "the test needs a best epoch before the last (best " + best + " of " + last + ")");

            EpochLoop.Outcome resumed = EpochLoop.run(
                    sc,
                    restored(saved.get(best + 1)),
                    data,
                    config.train(),
                    progress.get(best + 1),
                    (network, p) -> {});
            assertEquals(best, resumed.bestEpoch());
            assertArrayEquals(
                    uninterrupted.network().params().toFloatVector(),
                    resumed.network().params().toFloatVector(),
                    1e-6f);
            assertEquals(uninterrupted.validation().loss(), resumed.validation().loss(), 1e-9);
        } finally {
            data.release();
        }
    }

    private static MultiLayerNetwork freshNetwork(JobConfig config, PreparedData data) {
        return NetworkFactory.create(
                config.model(),
                config.train(),
                config.task(),
                data.contract().networkInputs(),
                data.contract().networkOutputs());
    }

    /** The network as a checkpoint's model.zip holds it: parameters, updater state, counters. */
    private static byte[] saved(MultiLayerNetwork network) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, out, true);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MultiLayerNetwork restored(byte[] saved) throws IOException {
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved), true);
    }

    private static double maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
