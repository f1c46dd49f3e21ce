package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class NetworkFactoryTest {

    @Test
    void aStepScheduleLowersTheLearningRateEveryStepEpochs() {
        JobConfig config = TestConfigs.config(
                "model.layers=[3]",
                "model.cell=graves",
                "model.seed=1",
                "train.epochs=5",
                "train.batchSize=1",
                "train.learningRate=0.01",
                "train.gradientClipping=none",
                "tbptt.forward=4",
                "tbptt.backward=4",
                "train.learningRateSchedule=step",
                "train.learningRateDecay=0.5",
                "train.learningRateStepEpochs=2");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 1, 1);
        var updater = network.getLayer(0).conf().getLayer().getUpdaterByParam("W");
        assertEquals(0.01, updater.getLearningRate(0, 0), 1e-12);
        assertEquals(0.01, updater.getLearningRate(0, 1), 1e-12);
        assertEquals(0.005, updater.getLearningRate(0, 2), 1e-12);
        assertEquals(0.0025, updater.getLearningRate(0, 4), 1e-12);
        assertTrue(network.getLayer(0) instanceof org.deeplearning4j.nn.layers.recurrent.GravesLSTM);
    }

    @Test
    void onlyTheFirstLayerSkipsItsInputGradientAndItsConfigurationSaysSo() {
        JobConfig config = TestConfigs.config(
                "model.layers=[4, 3]",
                "model.seed=1",
                "train.epochs=1",
                "train.batchSize=1",
                "train.gradientClipping=none",
                "tbptt.forward=4",
                "tbptt.backward=4");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 2, 2);
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(
                network.getLayerWiseConfigurations().toJson());
        assertFalse(((FusedLstm) saved.getConf(0).getLayer()).isInputGradient());
        assertTrue(((FusedLstm) saved.getConf(1).getLayer()).isInputGradient());

        JobConfig classifier = TestConfigs.classifier(
                "model.layers=[4]",
                "model.seed=1",
                "model.bidirectional=true",
                "model.pooling=mean",
                "train.epochs=1",
                "train.batchSize=1",
                "train.gradientClipping=none");
        MultiLayerNetwork bidirectional =
                NetworkFactory.create(classifier.model(), classifier.train(), Task.CLASSIFY, 2, 2);
        var wrapped = (org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional)
                bidirectional.getLayerWiseConfigurations().getConf(0).getLayer();
        assertTrue(
                ((FusedLstm) wrapped.getFwd()).isInputGradient(),
                "a bidirectional layer adds both directions' input gradients up");

        String older = network.getLayerWiseConfigurations()
                .toJson()
                .replaceAll("\"inputGradient\"\\s*:\\s*(true|false)\\s*,?", "");
        assertTrue(!older.contains("inputGradient"), "the JSON this test edits has changed");
        assertTrue(
                ((FusedLstm) MultiLayerConfiguration.fromJson(older).getConf(0).getLayer()).isInputGradient(),
                "configurations saved before the setting existed compute it");
    }
}
