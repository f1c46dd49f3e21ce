package io.lstmjob.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** What counts as divergence after an epoch: the loss, the parameters, and the updater's state. */
class DivergenceGuardTest {

    private static MultiLayerNetwork network() {
        JobConfig config = TestConfigs.sines(Path.of("unused"), "unused");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), config.task(), 2, 1);
        network.initGradientsView();
        return network;
    }

    @Test
    void aFiniteNetworkPasses() {
        EpochLoop.guardAgainstDivergence(network(), 0.5, 1, null);
    }

    @Test
    void aNonFiniteLossOrParameterStops() {
        assertThrows(
                TrainingDivergedException.class,
                () -> EpochLoop.guardAgainstDivergence(network(), Double.NaN, 1, null));
        MultiLayerNetwork network = network();
        network.params().putScalar(3, Float.POSITIVE_INFINITY);
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class, () -> EpochLoop.guardAgainstDivergence(network, 0.5, 2, null));
        assertTrue(e.getMessage().contains("non-finite parameters"), e.getMessage());
    }

    @Test
    void theMessageNamesTheFirstWorkerThatDiverged() {
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class,
                () -> EpochLoop.guardAgainstDivergence(
                        network(), Double.NaN, 4, new io.lstmjob.train.averaging.EpochTrainingStats.Divergence(2, 7)));
        assertTrue(e.getMessage().contains("first on the worker of partition 7 in averaging round 2"), e.getMessage());
    }

    /** Parameters still finite, Adam's second moment already overflowed: the next epoch would be NaN everywhere. */
    @Test
    void aNonFiniteUpdaterStateStopsToo() {
        MultiLayerNetwork network = network();
        network.getUpdater().getStateViewArray().putScalar(0, Float.NaN);
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class, () -> EpochLoop.guardAgainstDivergence(network, 0.5, 3, null));
        assertTrue(
                e.getMessage().contains("training diverged in epoch 3 (loss 0.5, non-finite updater state)"),
                e.getMessage());
    }
}
