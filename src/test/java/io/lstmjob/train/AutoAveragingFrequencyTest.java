package io.lstmjob.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * averaging.frequency=auto cuts a worker's epoch into rounds of averaging.localSteps updater steps:
 * here a minibatch of 50-step segments makes two 25-step TBPTT windows, so 2 local steps are one
 * minibatch per round and 4 are two (with averaging.minRoundGflop=0: this model's steps are far
 * less arithmetic than its default); a round never spans epochs and one worker is not averaged
 * mid-epoch.
 */
class AutoAveragingFrequencyTest extends SparkTest {

    @TempDir
    Path dir;

    @Test
    void autoAveragesAfterTheLocalStepsItIsGivenCountedInTruncatedBpttWindows() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 8, 200, 5);
        EpochOutcome oneMinibatch = epoch(input, "averaging.frequency=1");
        EpochOutcome twoMinibatches = epoch(input, "averaging.frequency=2");
        assertTrue(
                oneMinibatch.rounds > twoMinibatches.rounds && twoMinibatches.rounds > 1,
                "the data must give each worker several minibatches: " + oneMinibatch.rounds + ", "
                        + twoMinibatches.rounds);

        EpochOutcome twoSteps =
                epoch(input, "averaging.frequency=auto", "averaging.localSteps=2", "averaging.minRoundGflop=0");
        assertEquals(oneMinibatch.rounds, twoSteps.rounds, "2 updater steps = 1 minibatch of 2 windows");
        assertArrayEquals(oneMinibatch.parameters, twoSteps.parameters, 1e-6f);
        EpochOutcome fourSteps =
                epoch(input, "averaging.frequency=auto", "averaging.localSteps=4", "averaging.minRoundGflop=0");
        assertEquals(twoMinibatches.rounds, fourSteps.rounds, "4 updater steps = 2 minibatches");
        assertArrayEquals(twoMinibatches.parameters, fourSteps.parameters, 1e-6f);

        assertEquals(1, epoch(input).rounds, "the default 128 steps are more than this epoch: once per epoch");
        assertEquals(
                1,
                epoch(input, "averaging.localSteps=2").rounds,
                "this small model's whole epoch is less arithmetic than minRoundGflop: once per epoch");
        assertEquals(
                1,
                epoch(input, "averaging.localSteps=2", "spark.numPartitions=1").rounds,
                "one worker is averaged at the end of its epoch only");
    }

    private record EpochOutcome(int rounds, float[] parameters) {}

    private EpochOutcome epoch(Path input, String... overrides) {
        List<String> all = new ArrayList<>(List.of("train.epochs=1"));
        all.addAll(List.of(overrides));
        JobConfig config = TestConfigs.sines(input, dir.resolve("out").toString(), all.toArray(String[]::new));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreparedData data = DatasetPreparer.prepare(spark, config.input(), config.sharding());
        try {
            EpochLoop.Outcome outcome = EpochLoop.run(
                    sc,
                    NetworkFactory.create(
                            config.model(),
                            config.train(),
                            config.task(),
                            data.contract().networkInputs(),
                            data.contract().networkOutputs()),
                    data,
                    config.train());
            return new EpochOutcome(
                    outcome.epochs().get(0).averagingRounds(),
                    outcome.network().params().toFloatVector());
        } finally {
            data.release();
        }
    }
}
