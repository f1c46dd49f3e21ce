package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.store.CheckpointStore;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.TestConfigs;
import io.lstmjob.train.EpochMetrics;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an epoch's checkpoint keeps comes back whole, the averaging's look-ahead included. */
class RunCheckpointTest {
    private static final DataContract CONTRACT = DataContract.forecast(
            List.of("x"),
            List.of("x"),
            new FeatureScaler(new double[] {0}, new double[] {1}, new double[] {0}, new double[] {1}));

    @TempDir
    Path dir;

    @Test
    void aCheckpointGivesBackTheNetworkAndTheAveragingLookahead() {
        CheckpointStore checkpoints =
                new ModelStore(dir.toUri().toString(), "m", new Configuration()).checkpoints("run-1");
        JobConfig config = TestConfigs.config(
                "model.layers=[3]",
                "model.seed=7",
                "train.epochs=2",
                "train.batchSize=1",
                "train.gradientClipping=none",
                "tbptt.forward=4",
                "tbptt.backward=4");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 1, 1);
        float[] lookahead = new float[(int) network.numParams()];
        for (int i = 0; i < lookahead.length; i++) {
            lookahead[i] = (i % 7 - 3) * 1e-3f;
        }
        new RunCheckpoint("run-1", null, List.of(epoch(1)), null, null, null, null, null)
                .save(checkpoints, network, CONTRACT, lookahead, null);
        RunCheckpoint.Restored first =
                RunCheckpoint.load(checkpoints, checkpoints.latest().orElseThrow());
        assertEquals(1, first.state().epochs().size());
        assertArrayEquals(lookahead, first.averagingLookahead());
        assertEquals(network.params(), first.network().params());

        new RunCheckpoint("run-1", null, List.of(epoch(1), epoch(2)), null, null, null, null, null)
                .save(checkpoints, network, CONTRACT, null, null);
        assertNull(
                RunCheckpoint.load(checkpoints, checkpoints.latest().orElseThrow())
                        .averagingLookahead(),
                "no look-ahead (one worker, no block momentum) is restored as none");
    }

    private static EpochMetrics epoch(int n) {
        return new EpochMetrics(n, 0.5, 0.6, 1.0, 100.0, 0.01, 100, 1);
    }
}
