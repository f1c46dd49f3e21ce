package io.lstmjob.model;

import io.lstmjob.config.GradientClipping;
import io.lstmjob.config.ModelConfig;
import io.lstmjob.config.Task;
import io.lstmjob.config.TrainConfig;
import io.lstmjob.config.UpdaterKind;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void onlyTheFirstLayerSkipsItsInputGradientAndItsConfigurationSaysSo() {
        TrainConfig train = new TrainConfig(1, 1, UpdaterKind.ADAM, 0.01, 0, GradientClipping.NONE, 1, 4, 4, 0);
        MultiLayerNetwork network = NetworkFactory.create(new ModelConfig("t", List.of(4, 3), 0, 1, "xavier", 1),
                train, Task.FORECAST, 2, 2);
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson());
        assertFalse(((FusedLstm) saved.getConf(0).getLayer()).isInputGradient());
        assertTrue(((FusedLstm) saved.getConf(1).getLayer()).isInputGradient());

        MultiLayerNetwork bidirectional = NetworkFactory.create(new ModelConfig("t", List.of(4), 0, 1, "xavier", 1, "standard",
                true, 0, "mean"), train, Task.CLASSIFY, 2, 2);
        var wrapped = (org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional) bidirectional.getLayerWiseConfigurations()
                .getConf(0).getLayer();
        assertTrue(((FusedLstm) wrapped.getFwd()).isInputGradient(), "a bidirectional layer adds both directions' input gradients up");

        String older = network.getLayerWiseConfigurations().toJson().replaceAll("\"inputGradient\"\\s*:\\s*(true|false)\\s*,?", "");
        assertTrue(!older.contains("inputGradient"), "the JSON this test edits has changed");
        assertTrue(((FusedLstm) MultiLayerConfiguration.fromJson(older).getConf(0).getLayer()).isInputGradient(),
                "configurations saved before the setting existed compute it");
    }
}
