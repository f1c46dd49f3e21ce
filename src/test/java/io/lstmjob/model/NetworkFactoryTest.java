package io.lstmjob.model;

import io.lstmjob.config.GradientClipping;
import io.lstmjob.config.ModelConfig;
import io.lstmjob.config.Task;
import io.lstmjob.config.TrainConfig;
import io.lstmjob.config.UpdaterKind;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkFactoryTest {

    @Test
    void aStepScheduleLowersTheLearningRateEveryStepEpochs() {
        TrainConfig train = new TrainConfig(5, 1, UpdaterKind.ADAM, 0.01, 0, GradientClipping.NONE, 1, 4, 4, 0,
                "step", 0.5, 2, 0);
        MultiLayerNetwork network = NetworkFactory.create(new ModelConfig("t", List.of(3), 0, 1, "xavier", 1, "graves", false, 0, "last"),
                train, Task.FORECAST, 1, 1);
        var updater = network.getLayer(0).conf().getLayer().getUpdaterByParam("W");
        assertEquals(0.01, updater.getLearningRate(0, 0), 1e-12);
        assertEquals(0.01, updater.getLearningRate(0, 1), 1e-12);
        assertEquals(0.005, updater.getLearningRate(0, 2), 1e-12);
        assertEquals(0.0025, updater.getLearningRate(0, 4), 1e-12);
        assertTrue(network.getLayer(0) instanceof org.deeplearning4j.nn.layers.recurrent.GravesLSTM);
    }
}
