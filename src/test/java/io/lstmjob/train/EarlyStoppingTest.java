package io.lstmjob.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.TestConfigs;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class EarlyStoppingTest {
    private static ValidationMetrics loss(double value) {
        return new ValidationMetrics(10, value, value, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void stopsAfterPatienceEpochsWithoutImprovementAndKeepsTheBestParameters() {
        JobConfig config = TestConfigs.config(
                "model.layers=[3]",
                "model.seed=1",
                "train.epochs=5",
                "train.batchSize=1",
                "train.gradientClipping=none",
                "tbptt.forward=4",
                "tbptt.backward=4");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 1, 1);
        EarlyStopping early = new EarlyStopping(2, null);
        assertFalse(early.shouldStop(1, network, loss(1.0)));
        network.params().addi(1);
        INDArray atEpoch2 = network.params().dup();
        assertFalse(early.shouldStop(2, network, loss(0.8)));
        network.params().addi(1);
        assertFalse(early.shouldStop(3, network, loss(0.9)));
        network.params().addi(1);
        assertTrue(early.shouldStop(4, network, loss(0.95)));
        assertEquals(2, early.bestEpoch());
        assertEquals(atEpoch2, early.bestParameters());
        assertEquals(0.8, early.bestValidation().loss());
    }

    @Test
    void isOffWithoutPatience() {
        EarlyStopping early = new EarlyStopping(0, null);
        assertFalse(early.enabled());
        assertFalse(early.shouldStop(9, null, loss(5)));
    }
}
