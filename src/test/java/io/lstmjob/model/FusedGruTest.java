package io.lstmjob.model;

import static io.lstmjob.model.RecurrentChecks.affine;
import static io.lstmjob.model.RecurrentChecks.assertClose;
import static io.lstmjob.model.RecurrentChecks.assertMatches;
import static io.lstmjob.model.RecurrentChecks.numeric;
import static io.lstmjob.model.RecurrentChecks.sigmoid;
import static io.lstmjob.model.RecurrentChecks.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
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
        return RecurrentChecks.randomized(network);
    }

    private static INDArray input(int steps, long seed) {
        return RecurrentChecks.input(BATCH, IN, steps, seed);
    }

    @Test
    void outputsAndTheStateCarriedAcrossWindowsAreTheEquations() {
        MultiLayerNetwork network = network(STEPS);
        Equations gru = new Equations(WeightExport.tensors(network, a -> a), 0);
        var layer = (FusedGruLayer) network.getLayer(0);
        INDArray x = input(9, 1);

        double[][][] expected = gru.run(values(x), gru.zeroState(BATCH), null, 0, 9);
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
        RecurrentChecks.WindowCheck check =
                RecurrentChecks.twoWindows(layer, gru, input(STEPS, 2), input(STEPS, 3), UNITS, backward, masked);
        Gradient gradient = check.gradient();
        RecurrentChecks.Objective f = check.f();
        assertClose(numeric(gru.wx, f), gradient.getGradientFor("W").toDoubleMatrix(), "gradient of W");
        assertClose(numeric(gru.wh, f), gradient.getGradientFor("RW").toDoubleMatrix(), "gradient of RW");
        assertClose(
                numeric(new double[][] {gru.b}, f),
                gradient.getGradientFor("b").reshape(1, 3 * UNITS).toDoubleMatrix(),
                "gradient of b");
        check.assertInputGradient(masked);
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
        MultiLayerNetwork network = RecurrentChecks.sineForecaster("model.layers=[8]", "model.cell=gru");
        MultiLayerNetwork restored = RecurrentChecks.savedAndRestored(network, dir);
        assertTrue(restored.getLayer(0) instanceof FusedGruLayer, "the saved configuration names the cell");
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
        Map<String, INDArray> exported = RecurrentChecks.bidirectionalClassifierTensors("model.cell=gru");
        assertArrayEquals(new long[] {6, 18}, exported.get("gru0.forward.W_h").shape());
        assertArrayEquals(new long[] {6, 18}, exported.get("gru0.backward.W_h").shape());
    }

    /** The GRU equations in double, from the exported tensors (blocks z, r, g; z = x W_x + h W_h + b per block). */
    static final class Equations extends RecurrentChecks.StepEquations {
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

        /** State {h}. */
        @Override
        int[] stateSizes() {
            return new int[] {n};
        }

        @Override
        double[][] step(double[] x, double[][] state) {
            double[] h = state[0];
            // The reset gate scales the state before the candidate's product (Cho et al.; ONNX linear_before_reset=0).
            double[] rh = new double[n];
            for (int k = 0; k < n; k++) {
                rh[k] = sigmoid(affine(wx, wh, b, x, h, n + k)) * h[k];
            }
            double[] next = new double[n];
            for (int u = 0; u < n; u++) {
                double z = sigmoid(affine(wx, wh, b, x, h, u));
                double g = b[2 * n + u];
                for (int i = 0; i < x.length; i++) {
                    g += x[i] * wx[i][2 * n + u];
                }
                for (int k = 0; k < n; k++) {
                    g += rh[k] * wh[k][2 * n + u];
                }
                next[u] = (1 - z) * Math.tanh(g) + z * h[u];
            }
            return new double[][] {next};
        }
    }
}
