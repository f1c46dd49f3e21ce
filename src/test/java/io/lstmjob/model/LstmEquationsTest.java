package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's LSTM layer is the standard LSTM: its output on random sequences equals a forward pass
 * computed here in plain Java, straight from the equations, on the exported weights of a trained
 * network.
 *
 * <pre>
 *   i = sigmoid(x Wi + h Ri + bi)      f = sigmoid(x Wf + h Rf + bf)
 *   o = sigmoid(x Wo + h Ro + bo)      g = tanh(x Wg + h Rg + bg)
 *   c = f * c + i * g                  h = o * tanh(c)
 * </pre>
 *
 * DL4J's layout (LSTMParamInitializer, LSTMHelpers): parameters "W" [nIn, 4n], "RW" [n, 4n],
 * "b" [1, 4n]; the four column blocks are, in order, g (the candidate, with the layer's tanh),
 * f (forget gate; model.forgetGateBias initialises its bias), o (output gate), i (input gate).
 */
class LstmEquationsTest {

    @Test
    void dl4jForwardPassEqualsTheStandardEquations() {
        int nIn = 3;
        int units = 5;
        JobConfig config = TestConfigs.config(
                "model.layers=[" + units + "]",
                "model.seed=7",
                "train.epochs=1",
                "train.learningRate=0.05",
                "train.gradientClipping=none",
                "tbptt.forward=8",
                "tbptt.backward=8");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, nIn, 2);
        // Train a little, so that the weights are no longer the symmetric initial ones.
        Nd4j.getRandom().setSeed(1);
        INDArray features = Nd4j.rand(DataType.FLOAT, 4, nIn, 16).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 4, 2, 16);
        for (int i = 0; i < 20; i++) {
            network.fit(new DataSet(features, labels));
        }
        Map<String, INDArray> params = network.getLayer(0).paramTable();
        float[][] w = params.get("W").toFloatMatrix();
        float[][] rw = params.get("RW").toFloatMatrix();
        float[] b = params.get("b").toFloatVector();
        assertEquals(4 * units, b.length);

        Random random = new Random(3);
        int steps = 12;
        INDArray input = Nd4j.zeros(DataType.FLOAT, 2, nIn, steps);
        for (int e = 0; e < 2; e++) {
            for (int c = 0; c < nIn; c++) {
                for (int t = 0; t < steps; t++) {
                    input.putScalar(new long[] {e, c, t}, random.nextGaussian());
                }
            }
        }
        // Activations of layer 0 = the LSTM's h for every step: [examples, units, steps]
        INDArray dl4j = network.feedForward(input, false).get(1);

        for (int e = 0; e < 2; e++) {
            double[] h = new double[units];
            double[] c = new double[units];
            for (int t = 0; t < steps; t++) {
                double[] x = new double[nIn];
                for (int k = 0; k < nIn; k++) {
                    x[k] = input.getDouble(e, k, t);
                }
                double[] hNext = new double[units];
                for (int u = 0; u < units; u++) {
                    double g = Math.tanh(gate(x, h, w, rw, b, 0 * units + u));
                    double f = sigmoid(gate(x, h, w, rw, b, 1 * units + u));
                    double o = sigmoid(gate(x, h, w, rw, b, 2 * units + u));
                    double i = sigmoid(gate(x, h, w, rw, b, 3 * units + u));
                    c[u] = f * c[u] + i * g;
                    hNext[u] = o * Math.tanh(c[u]);
                }
                h = hNext;
                for (int u = 0; u < units; u++) {
                    assertEquals(h[u], dl4j.getDouble(e, u, t), 1e-5, "example " + e + ", unit " + u + ", step " + t);
                }
            }
        }
    }

    private static double gate(double[] x, double[] h, float[][] w, float[][] rw, float[] b, int column) {
        double sum = b[column];
        for (int k = 0; k < x.length; k++) {
            sum += x[k] * w[k][column];
        }
        for (int k = 0; k < h.length; k++) {
            sum += h[k] * rw[k][column];
        }
        return sum;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void theForgetGateBiasStartsAtTheConfiguredValue() {
        JobConfig config = TestConfigs.config(
                "model.layers=[4]",
                "model.forgetGateBias=1.5",
                "model.seed=7",
                "train.epochs=1",
                "train.learningRate=0.05",
                "train.gradientClipping=none",
                "tbptt.forward=8",
                "tbptt.backward=8");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 3, 2);
        float[] b = network.getLayer(0).paramTable().get("b").toFloatVector();
        for (int u = 0; u < 4; u++) {
            assertEquals(1.5f, b[4 + u], "forget-gate bias of unit " + u);
            assertEquals(0f, b[u], "candidate bias of unit " + u);
        }
    }
}
