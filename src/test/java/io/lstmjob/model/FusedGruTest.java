package io.lstmjob.model;

import static io.lstmjob.model.RecurrentChecks.assertClose;
import static io.lstmjob.model.RecurrentChecks.assertMatches;
import static io.lstmjob.model.RecurrentChecks.at;
import static io.lstmjob.model.RecurrentChecks.numeric;
import static io.lstmjob.model.RecurrentChecks.values;
import static io.lstmjob.model.RecurrentChecks.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * model.cell=gru is the GRU of FusedGru's equations: its outputs, carried from window to window,
 * equal a forward pass computed here in plain Java (double) from the exported weights, and the
 * gradient of a truncated-BPTT window equals finite differences of that pass over the window's
 * last tbptt.backward steps, started from the state the earlier steps reached (held fixed: that
 * is what truncation means).
 */
class FusedGruTest {
    private static final int IN = 3;
    private static final int UNITS = 4;
    /** More sequences than the widest float vector has lanes (16), and not a multiple of it: vector and scalar lanes both run. */
    private static final int BATCH = 19;

    private static final int STEPS = 6;
    private static final LayerWorkspaceMgr NONE = LayerWorkspaceMgr.noWorkspaces();

    /** A one-layer GRU forecaster from random parameters (biases too, so that no term vanishes by chance). */
    private static MultiLayerNetwork network(int tbpttBackward) {
        JobConfig config = TestConfigs.config(
                "model.layers=[" + UNITS + "]",
                "model.cell=gru",
                "model.seed=5",
                "train.epochs=1",
                "train.batchSize=" + BATCH,
                "train.gradientClipping=none",
                "tbptt.forward=" + STEPS,
                "tbptt.backward=" + tbpttBackward);
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, IN, 2);
        Nd4j.getRandom().setSeed(23);
        network.setParams(
                Nd4j.rand(DataType.FLOAT, 1, network.numParams()).subi(0.5).muli(2));
        return network;
    }

    private static INDArray input(int steps, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, BATCH, IN, steps).subi(0.5).muli(3);
    }

    @Test
    void outputsAndTheStateCarriedAcrossWindowsAreTheEquations() {
        MultiLayerNetwork network = network(STEPS);
        Equations gru = new Equations(WeightExport.tensors(network, a -> a), 0);
        var layer = (FusedGruLayer) network.getLayer(0);
        INDArray x = input(9, 1);

        double[][][] expected = gru.run(values(x), new double[BATCH][UNITS], null, 0, 9);
        assertMatches(expected, 0, layer.activate(x, false, NONE), "one window from a zero state");

        INDArray first = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)), NONE)
                .dup();
        INDArray second = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 9)), NONE)
                .dup();
        assertMatches(expected, 0, first, "first window");
        assertMatches(expected, 4, second, "second window, from the state the first ended in");
    }

    @Test
    void aTruncatedWindowsGradientIsThatOfItsLastBackwardSteps() {
        assertGradientMatchesFiniteDifferences(4, false);
    }

    @Test
    void aWindowOfBackwardLengthStepsIsDifferentiatedWhole() {
        assertGradientMatchesFiniteDifferences(STEPS, false);
    }

    @Test
    void maskedStepsHoldNoStateAndPassNoGradient() {
        assertGradientMatchesFiniteDifferences(4, true);
    }

    /**
     * Two windows as truncated BPTT runs them (the second from the state the first ended in, a
     * plain backpropGradient after it, as DL4J 1.0.0-M2's network asks), against central
     * differences of f = sum over the last {@code backward} steps of epsilon * h.
     */
    private static void assertGradientMatchesFiniteDifferences(int backward, boolean masked) {
        MultiLayerNetwork network = network(backward);
        network.initGradientsView();
        var layer = (FusedGruLayer) network.getLayer(0);
        // The network's first layer skips its input gradient; the check wants it.
        ((FusedGru) layer.conf().getLayer()).setInputGradient(true);
        Equations gru = new Equations(WeightExport.tensors(network, a -> a), 0);
        INDArray x1 = input(STEPS, 2);
        INDArray x2 = input(STEPS, 3);
        Nd4j.getRandom().setSeed(4);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, BATCH, UNITS, STEPS).subi(0.5);
        INDArray mask1 = Nd4j.ones(DataType.FLOAT, BATCH, STEPS);
        INDArray mask2 = Nd4j.ones(DataType.FLOAT, BATCH, STEPS);
        if (masked) {
            // A sequence ending in the first window (its second window all masked), one ending mid-window.
            mask1.get(NDArrayIndex.point(1), NDArrayIndex.interval(3, STEPS)).assign(0);
            mask2.getRow(1).assign(0);
            mask2.get(NDArrayIndex.point(2), NDArrayIndex.interval(4, STEPS)).assign(0);
        }

        layer.setMaskArray(mask1);
        layer.rnnActivateUsingStoredState(x1, true, true, NONE);
        layer.setMaskArray(mask2);
        INDArray out = layer.rnnActivateUsingStoredState(x2, true, true, NONE).dup();
        Pair<Gradient, INDArray> actual = layer.backpropGradient(epsilon, NONE);

        double[][] m1 = mask1.toDoubleMatrix();
        double[][] m2 = mask2.toDoubleMatrix();
        double[][][] v1 = values(x1);
        double[][][] v2 = values(x2);
        double[][] carried = at(gru.run(v1, new double[BATCH][UNITS], m1, 0, STEPS), STEPS - 1);
        assertMatches(gru.run(v2, carried, m2, 0, STEPS), 0, out, "second window");
        int end = STEPS - backward;
        // The state at the cut, from the unperturbed parameters: truncation holds it fixed.
        double[][] atCut = end == 0 ? carried : at(gru.run(v2, carried, m2, 0, end), end - 1);
        double[][][] eps = values(epsilon);
        RecurrentChecks.Objective f = () -> weighted(eps, gru.run(v2, atCut, m2, end, STEPS), end);
        Gradient gradient = actual.getFirst();
        assertClose(numeric(gru.wx, f), gradient.getGradientFor("W").toDoubleMatrix(), "gradient of W");
        assertClose(numeric(gru.wh, f), gradient.getGradientFor("RW").toDoubleMatrix(), "gradient of RW");
        assertClose(
                numeric(new double[][] {gru.b}, f),
                gradient.getGradientFor("b").reshape(1, 3 * UNITS).toDoubleMatrix(),
                "gradient of b");

        // dx [B][T][nIn] against differences in each sequence's input (none before the cut: f starts there).
        double[][][] dx = values(actual.getSecond());
        for (int b = 0; b < BATCH; b++) {
            assertClose(numeric(v2[b], f), dx[b], "gradient of sequence " + b + "'s input");
        }
        for (int t = 0; t < end; t++) {
            for (int i = 0; i < IN; i++) {
                assertEquals(0.0, dx[0][t][i], 0.0, "nothing flows back beyond the backward length");
            }
        }
        if (masked) {
            assertEquals(
                    0.0,
                    actual.getSecond()
                            .get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all())
                            .norm2Number()
                            .doubleValue(),
                    0.0,
                    "a masked window");
        }
        assertTrue(actual.getSecond().norm2Number().doubleValue() > 0);
    }

    @Test
    void theUpdateGatesBiasStartsAtForgetGateBiasAndTheOthersAtZero() {
        JobConfig config = TestConfigs.config(
                "model.layers=[" + UNITS + "]", "model.cell=gru", "model.forgetGateBias=1.5", "train.epochs=1");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, IN, 1);
        float[] b = network.getLayer(0).getParam("b").toFloatVector();
        for (int u = 0; u < UNITS; u++) {
            assertEquals(1.5f, b[u], "z");
            assertEquals(0f, b[UNITS + u], "r");
            assertEquals(0f, b[2 * UNITS + u], "g");
        }
    }

    /** A GRU forecaster learns a sine, and saved and restored it is the same GRU with the same outputs. */
    @Test
    void itTrainsAndASavedModelRestoresAsTheSameGru(@TempDir Path dir) throws Exception {
        JobConfig config = TestConfigs.config(
                "model.layers=[8]",
                "model.cell=gru",
                "model.seed=3",
                "train.epochs=1",
                "train.batchSize=4",
                "train.learningRate=0.02",
                "tbptt.forward=8",
                "tbptt.backward=8");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 1, 1);
        INDArray x = Nd4j.create(DataType.FLOAT, 4, 1, 24);
        INDArray y = Nd4j.create(DataType.FLOAT, 4, 1, 24);
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < 24; t++) {
                x.putScalar(b, 0, t, Math.sin(0.4 * t + b));
                y.putScalar(b, 0, t, Math.sin(0.4 * (t + 1) + b));
            }
        }
        DataSet data = new DataSet(x, y);
        double before = network.score(data);
        for (int i = 0; i < 60; i++) {
            network.fit(data);
        }
        double after = network.score(data);
        assertTrue(after < before / 4, "loss " + before + " -> " + after);

        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertTrue(restored.getLayer(0) instanceof FusedGruLayer, "the saved configuration names the cell");
        assertEquals(network.output(x), restored.output(x));
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(
                network.getLayerWiseConfigurations().toJson());
        assertEquals(8, ((FusedGru) saved.getConf(0).getLayer()).getTbpttBackwardLength());
        assertEquals(
                List.of("gru0.W_x", "gru0.W_h", "gru0.b", "output.W", "output.b"),
                List.copyOf(WeightExport.names(network).values()));
    }

    /** Inside DL4J's Bidirectional wrapper (a classifier's), both directions learn and export under their names. */
    @Test
    void aBidirectionalGruClassifierLearnsAndExportsBothDirections() {
        JobConfig config = TestConfigs.classifier(
                "model.layers=[6]",
                "model.cell=gru",
                "model.seed=7",
                "model.bidirectional=true",
                "model.pooling=mean",
                "train.epochs=1",
                "train.batchSize=8",
                "train.learningRate=0.05",
                "train.gradientClipping=none");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.CLASSIFY, 1, 2);
        // Class 1: the sequence rises; class 0: it falls (only readable from the order of the steps).
        INDArray x = Nd4j.create(DataType.FLOAT, 8, 1, 10);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 2);
        for (int b = 0; b < 8; b++) {
            int cls = b % 2;
            for (int t = 0; t < 10; t++) {
                x.putScalar(b, 0, t, (cls == 1 ? t : 10 - t) / 10.0 + 0.05 * b);
            }
            y.putScalar(b, cls, 1);
        }
        DataSet data = new DataSet(x, y);
        double before = network.score(data);
        for (int i = 0; i < 40; i++) {
            network.fit(data);
        }
        assertTrue(network.score(data) < before / 2, "loss " + before + " -> " + network.score(data));
        Map<String, INDArray> exported = WeightExport.tensors(network, a -> a);
        assertArrayEquals(new long[] {6, 18}, exported.get("gru0.forward.W_h").shape());
        assertArrayEquals(new long[] {6, 18}, exported.get("gru0.backward.W_h").shape());
    }

    /** The GRU equations in double, from the exported tensors (blocks z, r, g; z = x W_x + h W_h + b per block). */
    static final class Equations {
        final double[][] wx;
        final double[][] wh;
        final double[] b;
        final int n;

        Equations(Map<String, INDArray> exported, int layer) {
            wx = exported.get("gru" + layer + ".W_x").toDoubleMatrix();
            wh = exported.get("gru" + layer + ".W_h").toDoubleMatrix();
            b = exported.get("gru" + layer + ".b").toDoubleVector();
            n = b.length / 3;
        }

        /** h [B][T][n] of steps from..to-1 (zero before from) of x [B][T][nIn], from h0; mask [B][T] zeroes h. */
        double[][][] run(double[][][] x, double[][] h0, double[][] mask, int from, int to) {
            int batch = x.length;
            double[][][] out = new double[batch][x[0].length][n];
            for (int s = 0; s < batch; s++) {
                double[] h = h0[s].clone();
                for (int t = from; t < to; t++) {
                    h = step(x[s][t], h);
                    if (mask != null && mask[s][t] == 0) {
                        h = new double[n];
                    }
                    out[s][t] = h;
                }
            }
            return out;
        }

        private double[] step(double[] x, double[] h) {
            // The reset gate scales the state before the candidate's product (Cho et al.; ONNX linear_before_reset=0).
            double[] rh = new double[n];
            for (int k = 0; k < n; k++) {
                rh[k] = sigmoid(affine(x, h, n + k)) * h[k];
            }
            double[] next = new double[n];
            for (int u = 0; u < n; u++) {
                double z = sigmoid(affine(x, h, u));
                double g = b[2 * n + u];
                for (int i = 0; i < x.length; i++) {
                    g += x[i] * wx[i][2 * n + u];
                }
                for (int k = 0; k < n; k++) {
                    g += rh[k] * wh[k][2 * n + u];
                }
                next[u] = (1 - z) * Math.tanh(g) + z * h[u];
            }
            return next;
        }

        private double affine(double[] x, double[] h, int column) {
            double a = b[column];
            for (int i = 0; i < x.length; i++) {
                a += x[i] * wx[i][column];
            }
            for (int k = 0; k < h.length; k++) {
                a += h[k] * wh[k][column];
            }
            return a;
        }

        private static double sigmoid(double v) {
            return 1 / (1 + Math.exp(-v));
        }
    }
}
