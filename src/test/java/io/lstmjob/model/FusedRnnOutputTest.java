package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Training with the fused output layer reports the same scores and makes the same updates as with DL4J's. */
class FusedRnnOutputTest {
    private static final int IN = 4;
    private static final int CLASSES = 3;
    private static final int BATCH = 5;
    private static final int STEPS = 10;

    private static MultiLayerNetwork network(boolean fused, LossFunctions.LossFunction loss, Activation activation) {
        RnnOutputLayer output = new RnnOutputLayer.Builder(loss)
                .activation(activation)
                .nIn(6)
                .nOut(CLASSES)
                .build();
        LSTM lstm = new LSTM.Builder()
                .nIn(IN)
                .nOut(6)
                .activation(Activation.TANH)
                .gateActivationFunction(Activation.SIGMOID)
                .build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(4)
                .dataType(DataType.FLOAT)
                // Plain SGD: Adam's steps would hide a gradient off by a constant factor.
                .updater(new Sgd(0.2))
                .list()
                .layer(FusedLstm.of(lstm).withTbpttBackwardLength(4))
                .layer(fused ? FusedRnnOutput.of(output) : output)
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(4)
                .tBPTTBackwardLength(4)
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.toJson()));
        network.init();
        return network;
    }

    /** With mask null, every step counts; else steps where it is 0 add nothing (as a short segment's padding). */
    private static void assertTrainsAsDl4jsOutputLayer(
            LossFunctions.LossFunction loss, Activation activation, INDArray labels, INDArray mask) {
        MultiLayerNetwork reference = network(false, loss, activation);
        MultiLayerNetwork fused = network(true, loss, activation);
        assertTrue(fused.getOutputLayer() instanceof FusedRnnOutputLayer, "the configuration survives JSON");
        fused.setParams(reference.params().dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, STEPS).subi(0.5);
        DataSet data = new DataSet(x, labels, mask, mask);
        for (int i = 0; i < 4; i++) {
            reference.fit(data);
            fused.fit(data);
            // The score of the last truncated-BPTT window: float sums of a few dozen terms, ~1e-7 apart.
            assertEquals(reference.score(), fused.score(), 1e-5 * Math.abs(reference.score()), "score of fit " + i);
        }
        INDArray difference = reference.params().sub(fused.params());
        assertTrue(
                difference.norm2Number().doubleValue()
                        < 1e-5 * reference.params().norm2Number().doubleValue(),
                "same parameters after training, apart by " + difference.norm2Number());
        assertEquals(
                reference.score(data),
                fused.score(data),
                1e-5 * reference.score(data),
                "score of the data after training");
    }

    /** One-hot labels; with a mask, example b is STEPS - 2b steps long and its labels after that are zero. */
    private static INDArray oneHotLabels(INDArray mask) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES, STEPS);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < STEPS; t++) {
                if (mask == null || mask.getFloat(b, t) == 1f) {
                    labels.putScalar(new long[] {b, (b + t * t) % CLASSES, t}, 1f);
                }
            }
        }
        return labels;
    }

    /** Example b has STEPS - 2b steps: the last windows of the shorter ones are partly or wholly padding. */
    private static INDArray raggedMask() {
        INDArray mask = Nd4j.zeros(DataType.FLOAT, BATCH, STEPS);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < STEPS - 2 * b; t++) {
                mask.putScalar(b, t, 1f);
            }
        }
        return mask;
    }

    @Test
    void softmaxCrossEntropyTrainsAndScoresAsDl4jsOutputLayer() {
        assertTrainsAsDl4jsOutputLayer(LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX, oneHotLabels(null), null);
    }

    @Test
    void softmaxCrossEntropyOfMaskedStepsTrainsAndScoresAsDl4jsOutputLayer() {
        INDArray mask = raggedMask();
        assertTrainsAsDl4jsOutputLayer(LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX, oneHotLabels(mask), mask);
    }

    private static void assertMeanSquaredErrorTrainsAsDl4jsOutputLayer(INDArray mask) {
        Nd4j.getRandom().setSeed(3);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, CLASSES, STEPS);
        assertTrainsAsDl4jsOutputLayer(LossFunctions.LossFunction.MSE, Activation.IDENTITY, labels, mask);
    }

    @Test
    void meanSquaredErrorTrainsAndScoresAsDl4jsOutputLayer() {
        assertMeanSquaredErrorTrainsAsDl4jsOutputLayer(null);
    }

    @Test
    void meanSquaredErrorOfMaskedStepsTrainsAndScoresAsDl4jsOutputLayer() {
        assertMeanSquaredErrorTrainsAsDl4jsOutputLayer(raggedMask());
    }
}
