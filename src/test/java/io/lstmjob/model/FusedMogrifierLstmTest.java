package io.lstmjob.model;

import static io.lstmjob.model.RecurrentChecks.assertClose;
import static io.lstmjob.model.RecurrentChecks.assertMatches;
import static io.lstmjob.model.RecurrentChecks.ifgo;
import static io.lstmjob.model.RecurrentChecks.numeric;
import static io.lstmjob.model.RecurrentChecks.sigmoid;
import static io.lstmjob.model.RecurrentChecks.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * model.cell=mogrifier is the Mogrifier LSTM of Melis et al. 2019 as WeightExport names it: its
 * outputs, carried from window to window, equal a forward pass computed here in plain Java
 * (double) from the exported weights, and the gradient of a truncated-BPTT window equals finite
 * differences of that pass over the window's last tbptt.backward steps, started from the state
 * the earlier steps reached.
 */
class FusedMogrifierLstmTest {
    private static final int IN = 3;
    private static final int UNITS = 4;
    /** More sequences than the widest float vector has lanes (16), and not a multiple of it. */
    private static final int BATCH = 19;

    private static final int STEPS = 6;
    private static final LayerWorkspaceMgr NONE = LayerWorkspaceMgr.noWorkspaces();

    /** A one-layer Mogrifier forecaster from random parameters (biases too, so that no term vanishes by chance). */
    private static MultiLayerNetwork network(int rounds, int tbpttBackward) {
        JobConfig config = TestConfigs.config(
                "model.layers=[" + UNITS + "]",
                "model.cell=mogrifier",
                "model.mogrifierRounds=" + rounds,
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

    /** One round (x rescaled only), an even count (h last) and the default five. */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 5})
    void outputsAndTheStateCarriedAcrossWindowsAreTheEquations(int rounds) {
        MultiLayerNetwork network = network(rounds, STEPS);
        Equations mogrifier = new Equations(WeightExport.tensors(network, a -> a), 0, rounds);
        var layer = (FusedLstmLayer) network.getLayer(0);
        INDArray x = input(9, 1);

        double[][][] expected = mogrifier.run(values(x), mogrifier.zeroState(BATCH), null, 0, 9);
        assertMatches(expected, 0, layer.activate(x, false, NONE), "one window from a zero state");
        INDArray first = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)), NONE)
                .dup();
        INDArray second = layer.rnnTimeStep(
                        x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 9)), NONE)
                .dup();
        assertMatches(expected, 0, first, "first window");
        assertMatches(expected, 4, second, "second window, from the state (h and c) the first ended in");
    }

    @Test
    void aTruncatedWindowsGradientIsThatOfItsLastBackwardSteps() {
        assertGradientMatchesFiniteDifferences(5, 4, false);
    }

    @Test
    void aWindowOfBackwardLengthStepsIsDifferentiatedWhole() {
        assertGradientMatchesFiniteDifferences(4, STEPS, false);
    }

    @Test
    void maskedStepsHoldNoStateAndPassNoGradient() {
        assertGradientMatchesFiniteDifferences(5, 4, true);
    }

    /**
     * Two windows as truncated BPTT runs them (the second from the state the first ended in, a
     * plain backpropGradient after it, as DL4J 1.0.0-M2's network asks), against central
     * differences of f = sum over the last {@code backward} steps of epsilon * h.
     */
    private static void assertGradientMatchesFiniteDifferences(int rounds, int backward, boolean masked) {
        MultiLayerNetwork network = network(rounds, backward);
        network.initGradientsView();
        var layer = (FusedLstmLayer) network.getLayer(0);
        // The network's first layer skips its input gradient; the check wants it.
        ((FusedLstm) layer.conf().getLayer()).setInputGradient(true);
        Equations mogrifier = new Equations(WeightExport.tensors(network, a -> a), 0, rounds);
        RecurrentChecks.WindowCheck check =
                RecurrentChecks.twoWindows(layer, mogrifier, input(STEPS, 2), input(STEPS, 3), UNITS, backward, masked);
        Gradient gradient = check.gradient();
        RecurrentChecks.Objective f = check.f();
        // DL4J's gate blocks g, f, o, i; the equations' (the export's) i, f, g, o.
        assertClose(numeric(mogrifier.wx, f), ifgo(gradient.getGradientFor("W")), "gradient of W");
        assertClose(numeric(mogrifier.wh, f), ifgo(gradient.getGradientFor("RW")), "gradient of RW");
        assertClose(numeric(new double[][] {mogrifier.b}, f), ifgo(gradient.getGradientFor("b")), "gradient of b");
        for (int i = 1; i <= rounds; i++) {
            String key = MogrifierRounds.key(i);
            assertClose(
                    numeric(mogrifier.round.get(i - 1), f),
                    gradient.getGradientFor(key).toDoubleMatrix(),
                    "gradient of " + key);
        }
        check.assertInputGradient(masked);
    }

    /** A stacked Mogrifier forecaster learns a sine; saved and restored it is the same network; export names the rounds. */
    @Test
    void itTrainsStackedAndASavedModelRestoresAsTheSameMogrifier(@TempDir Path dir) throws Exception {
        MultiLayerNetwork network = RecurrentChecks.sineForecaster(
                "model.layers=[8, 6]", "model.cell=mogrifier", "model.mogrifierRounds=3");
        RecurrentChecks.savedAndRestored(network, dir);
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(
                network.getLayerWiseConfigurations().toJson());
        assertEquals(3, ((FusedLstm) saved.getConf(1).getLayer()).getMogrifierRounds(), "the saved configuration");
        assertEquals(
                List.of(
                        "lstm0.W_x",
                        "lstm0.W_h",
                        "lstm0.b",
                        "lstm0.Q1",
                        "lstm0.R2",
                        "lstm0.Q3",
                        "lstm1.W_x",
                        "lstm1.W_h",
                        "lstm1.b",
                        "lstm1.Q1",
                        "lstm1.R2",
                        "lstm1.Q3",
                        "output.W",
                        "output.b"),
                List.copyOf(WeightExport.names(network).values()));
        Map<String, INDArray> exported = WeightExport.tensors(network, a -> a);
        assertArrayEquals(new long[] {8, 1}, exported.get("lstm0.Q1").shape());
        assertArrayEquals(new long[] {1, 8}, exported.get("lstm0.R2").shape());
        assertArrayEquals(new long[] {6, 8}, exported.get("lstm1.Q3").shape());
        assertEquals(3, WeightExport.mogrifierRounds(network));
    }

    /** Inside DL4J's Bidirectional wrapper (a classifier's), both directions learn and export their rounds. */
    @Test
    void aBidirectionalMogrifierClassifierLearnsAndExportsBothDirections() {
        Map<String, INDArray> exported =
                RecurrentChecks.bidirectionalClassifierTensors("model.cell=mogrifier", "model.mogrifierRounds=2");
        assertArrayEquals(new long[] {6, 1}, exported.get("lstm0.forward.Q1").shape());
        assertArrayEquals(new long[] {1, 6}, exported.get("lstm0.backward.R2").shape());
        assertArrayEquals(new long[] {6, 24}, exported.get("lstm0.backward.W_h").shape());
    }

    /** The Mogrifier LSTM in double, from the exported tensors (blocks i, f, g, o; rounds Q1, R2, ...). */
    static final class Equations extends RecurrentChecks.StepEquations {
        final double[][] wx;
        final double[][] wh;
        final double[] b;
        final List<double[][]> round = new ArrayList<>();
        final int n;

        Equations(Map<String, INDArray> exported, int layer, int rounds) {
            wx = exported.get("lstm" + layer + ".W_x").toDoubleMatrix();
            wh = exported.get("lstm" + layer + ".W_h").toDoubleMatrix();
            b = exported.get("lstm" + layer + ".b").toDoubleVector();
            for (int i = 1; i <= rounds; i++) {
                round.add(exported.get("lstm" + layer + "." + MogrifierRounds.key(i))
                        .toDoubleMatrix());
            }
            n = b.length / 4;
        }

        /** State {h, c}. */
        @Override
        int[] stateSizes() {
            return new int[] {n, n};
        }

        @Override
        double[][] step(double[] x, double[][] state) {
            double[] xs = x.clone();
            double[] hs = state[0].clone();
            for (int i = 1; i <= round.size(); i++) {
                double[][] m = round.get(i - 1);
                if (i % 2 == 1) {
                    // x = 2 sigmoid(h Q_i) * x
                    double[] next = new double[xs.length];
                    for (int j = 0; j < xs.length; j++) {
                        double a = 0;
                        for (int k = 0; k < n; k++) {
                            a += hs[k] * m[k][j];
                        }
                        next[j] = 2 * sigmoid(a) * xs[j];
                    }
                    xs = next;
                } else {
                    // h = 2 sigmoid(x R_i) * h
                    double[] next = new double[n];
                    for (int k = 0; k < n; k++) {
                        double a = 0;
                        for (int j = 0; j < xs.length; j++) {
                            a += xs[j] * m[j][k];
                        }
                        next[k] = 2 * sigmoid(a) * hs[k];
                    }
                    hs = next;
                }
            }
            return RecurrentChecks.lstmStep(wx, wh, b, xs, hs, state[1]);
        }
    }
}
