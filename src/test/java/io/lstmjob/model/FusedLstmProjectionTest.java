package io.lstmjob.model;

import static io.lstmjob.model.RecurrentChecks.assertClose;
import static io.lstmjob.model.RecurrentChecks.assertMatches;
import static io.lstmjob.model.RecurrentChecks.ifgo;
import static io.lstmjob.model.RecurrentChecks.numeric;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * model.projection: the LSTM with a projection layer (LSTMP) is the equations of Sak et al. 2014
 * as WeightExport names them: its outputs, carried from window to window, equal a forward pass
 * computed here in plain Java (double) from the exported weights, and the gradient of a
 * truncated-BPTT window equals finite differences of that pass over the window's last
 * tbptt.backward steps, started from the state (r and c) the earlier steps reached.
 */
class FusedLstmProjectionTest {
    private static final int IN = 3;
    private static final int UNITS = 5;
    private static final int PROJECTION = 2;
    /** More sequences than the widest float vector has lanes (16), and not a multiple of it: vector and scalar lanes both run. */
    private static final int BATCH = 19;

    private static final int STEPS = 6;
    private static final LayerWorkspaceMgr NONE = LayerWorkspaceMgr.noWorkspaces();

    /** A one-layer projected LSTM forecaster from random parameters (biases too, so that no term vanishes by chance). */
    private static MultiLayerNetwork network(int tbpttBackward) {
        JobConfig config = TestConfigs.config(
                "model.layers=[" + UNITS + "]",
                "model.projection=" + PROJECTION,
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

    /** One-hot inputs (a character model's), which the layer reads as class indices. */
    private static INDArray oneHot(int steps, long seed) {
        java.util.Random random = new java.util.Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, BATCH, IN, steps);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < steps; t++) {
                x.putScalar(b, random.nextInt(IN), t, 1);
            }
        }
        return x;
    }

    @Test
    void outputsAndTheStateCarriedAcrossWindowsAreTheEquations() {
        MultiLayerNetwork network = network(STEPS);
        Equations lstmp = new Equations(WeightExport.tensors(network, a -> a), 0);
        var layer = (FusedLstmLayer) network.getLayer(0);
        INDArray x = input(9, 1);

        double[][][] expected = lstmp.run(values(x), lstmp.zeroState(BATCH), null, 0, 9);
        INDArray whole = layer.activate(x, false, NONE);
        assertArrayEquals(new long[] {BATCH, PROJECTION, 9}, whole.shape(), "the output is r, of projection units");
        assertMatches(expected, 0, whole, "one window from a zero state");

        INDArray first = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)), NONE)
                .dup();
        INDArray second = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 9)), NONE)
                .dup();
        assertMatches(expected, 0, first, "first window");
        assertMatches(expected, 4, second, "second window, from the state (r and c) the first ended in");
    }

    @Test
    void aTruncatedWindowsGradientIsThatOfItsLastBackwardSteps() {
        assertGradientMatchesFiniteDifferences(4, false, false);
    }

    @Test
    void aWindowOfBackwardLengthStepsIsDifferentiatedWhole() {
        assertGradientMatchesFiniteDifferences(STEPS, false, false);
    }

    @Test
    void maskedStepsHoldNoStateAndPassNoGradient() {
        assertGradientMatchesFiniteDifferences(4, true, false);
    }

    @Test
    void aOneHotInputsGradientIsTheSame() {
        assertGradientMatchesFiniteDifferences(4, false, true);
    }

    /**
     * Two windows as truncated BPTT runs them (the second from the state the first ended in, a
     * plain backpropGradient after it, as DL4J 1.0.0-M2's network asks), against central
     * differences of f = sum over the last {@code backward} steps of epsilon * r.
     */
    private static void assertGradientMatchesFiniteDifferences(int backward, boolean masked, boolean oneHot) {
        MultiLayerNetwork network = network(backward);
        network.initGradientsView();
        var layer = (FusedLstmLayer) network.getLayer(0);
        // The network's first layer skips its input gradient; the check wants it.
        ((FusedLstm) layer.conf().getLayer()).setInputGradient(true);
        Equations lstmp = new Equations(WeightExport.tensors(network, a -> a), 0);
        INDArray x1 = oneHot ? oneHot(STEPS, 2) : input(STEPS, 2);
        INDArray x2 = oneHot ? oneHot(STEPS, 3) : input(STEPS, 3);
        RecurrentChecks.WindowCheck check =
                RecurrentChecks.twoWindows(layer, lstmp, x1, x2, PROJECTION, backward, masked);
        Gradient gradient = check.gradient();
        RecurrentChecks.Objective f = check.f();
        // DL4J's gate blocks g, f, o, i; the equations' (the export's) i, f, g, o.
        assertClose(numeric(lstmp.wx, f), ifgo(gradient.getGradientFor("W")), "gradient of W");
        assertClose(numeric(lstmp.wh, f), ifgo(gradient.getGradientFor("RW")), "gradient of RW");
        assertClose(numeric(new double[][] {lstmp.b}, f), ifgo(gradient.getGradientFor("b")), "gradient of b");
        assertClose(numeric(lstmp.wp, f), gradient.getGradientFor("P").toDoubleMatrix(), "gradient of P");
        check.assertInputGradient(masked);
    }

    /**
     * A projected LSTM forecaster of two layers learns a sine; saved and restored it is the same
     * network with the same outputs, the second layer reads the first's projection, and the export
     * names W_p.
     */
    @Test
    void itTrainsStackedAndASavedModelRestoresWithItsProjection(@TempDir Path dir) throws Exception {
        MultiLayerNetwork network = RecurrentChecks.sineForecaster("model.layers=[8, 6]", "model.projection=3");
        RecurrentChecks.savedAndRestored(network, dir);
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(
                network.getLayerWiseConfigurations().toJson());
        assertEquals(3, ((FusedLstm) saved.getConf(1).getLayer()).getProjection(), "the saved configuration");
        assertEquals(
                List.of(
                        "lstm0.W_x",
                        "lstm0.W_h",
                        "lstm0.b",
                        "lstm0.W_p",
                        "lstm1.W_x",
                        "lstm1.W_h",
                        "lstm1.b",
                        "lstm1.W_p",
                        "output.W",
                        "output.b"),
                List.copyOf(WeightExport.names(network).values()));
        Map<String, INDArray> exported = WeightExport.tensors(network, a -> a);
        assertArrayEquals(new long[] {3, 32}, exported.get("lstm0.W_h").shape());
        assertArrayEquals(new long[] {8, 3}, exported.get("lstm0.W_p").shape());
        assertArrayEquals(new long[] {3, 24}, exported.get("lstm1.W_x").shape(), "layer 1 reads r of layer 0");
        assertArrayEquals(new long[] {3, 1}, exported.get("output.W").shape());
        assertEquals(3, WeightExport.projection(network));
    }

    /** A configuration saved before model.projection and model.mogrifierRounds existed reads as the plain LSTM. */
    @Test
    void aConfigurationSavedBeforeTheSettingsReadsAsThePlainLstm() {
        JobConfig config = TestConfigs.config("model.layers=[" + UNITS + "]", "train.epochs=1");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, IN, 1);
        String json = network.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("\"projection\"") && json.contains("\"mogrifierRounds\""), "saved today");
        String before = json.replaceAll("\"projection\"\\s*:\\s*0\\s*,?", "")
                .replaceAll("\"mogrifierRounds\"\\s*:\\s*0\\s*,?", "");
        assertTrue(!before.contains("projection") && !before.contains("mogrifierRounds"), "the fields were removed");
        MultiLayerNetwork restored = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(before));
        restored.init(network.params().dup(), false);
        FusedLstm layer =
                (FusedLstm) restored.getLayerWiseConfigurations().getConf(0).getLayer();
        assertEquals(0, layer.getProjection());
        assertEquals(0, layer.getMogrifierRounds());
        assertEquals(
                List.of("W", "RW", "b"),
                List.copyOf(restored.getLayer(0).paramTable().keySet()));
        INDArray x = input(7, 9);
        assertEquals(network.output(x), restored.output(x));
    }

    @Test
    void theForgetGatesBiasStartsAtForgetGateBiasAndTheOthersAtZero() {
        JobConfig config = TestConfigs.config(
                "model.layers=[" + UNITS + "]",
                "model.projection=" + PROJECTION,
                "model.forgetGateBias=1.5",
                "train.epochs=1");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, IN, 1);
        float[] b = WeightExport.tensors(network, a -> a).get("lstm0.b").toFloatVector();
        for (int u = 0; u < UNITS; u++) {
            assertEquals(0f, b[u], "i");
            assertEquals(1.5f, b[UNITS + u], "f");
            assertEquals(0f, b[2 * UNITS + u], "g");
            assertEquals(0f, b[3 * UNITS + u], "o");
        }
    }

    /** Inside DL4J's Bidirectional wrapper (a classifier's), both directions learn and export their projections. */
    @Test
    void aBidirectionalProjectedClassifierLearnsAndExportsBothDirections() {
        Map<String, INDArray> exported = RecurrentChecks.bidirectionalClassifierTensors("model.projection=2");
        assertArrayEquals(new long[] {6, 2}, exported.get("lstm0.forward.W_p").shape());
        assertArrayEquals(new long[] {6, 2}, exported.get("lstm0.backward.W_p").shape());
        assertArrayEquals(new long[] {2, 24}, exported.get("lstm0.backward.W_h").shape());
        assertArrayEquals(new long[] {4, 2}, exported.get("output.W").shape(), "both directions' r side by side");
    }

    /** The LSTMP equations in double, from the exported tensors (blocks i, f, g, o; z = x W_x + r W_h + b; r = m W_p). */
    static final class Equations extends RecurrentChecks.StepEquations {
        final double[][] wx;
        final double[][] wh;
        final double[] b;
        final double[][] wp;
        final int n;
        final int p;

        Equations(Map<String, INDArray> exported, int layer) {
            wx = exported.get("lstm" + layer + ".W_x").toDoubleMatrix();
            wh = exported.get("lstm" + layer + ".W_h").toDoubleMatrix();
            b = exported.get("lstm" + layer + ".b").toDoubleVector();
            wp = exported.get("lstm" + layer + ".W_p").toDoubleMatrix();
            n = b.length / 4;
            p = wp[0].length;
        }

        /** State {r, c}. */
        @Override
        int[] stateSizes() {
            return new int[] {p, n};
        }

        @Override
        double[][] step(double[] x, double[][] state) {
            double[][] mc = RecurrentChecks.lstmStep(wx, wh, b, x, state[0], state[1]);
            double[] r = new double[p];
            for (int j = 0; j < p; j++) {
                for (int u = 0; u < n; u++) {
                    r[j] += mc[0][u] * wp[u][j];
                }
            }
            return new double[][] {r, mc[1]};
        }
    }
}
