package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the equation and gradient checks of the fused recurrent layers share: central
 * differences, the [B, C, T] arrays as [B][T][C] doubles, and the tolerances of float32 against
 * double.
 */
final class RecurrentChecks {
    private RecurrentChecks() {}

    @FunctionalInterface
    interface Objective {
        double value();
    }

    /** A cell's equations in double, from its exported weights; a state is per sequence {h (or r) [, c]}. */
    interface Equations {
        double[][][] zeroState(int batch);

        /** Outputs [B][T][width] of steps from..to-1 (zero before from) of x [B][T][nIn]; mask [B][T] zeroes the state. */
        double[][][] run(double[][][] x, double[][][] state, double[][] mask, int from, int to);

        /** Per sequence, the state after the last step of the last run. */
        double[][][] lastState();
    }

    /**
     * Equations given by one step: runs them over sequences and steps, zeroes the state at masked
     * steps, and outputs the state's first part (h, or the projected r).
     */
    abstract static class StepEquations implements Equations {
        /** Per sequence, the state after the last step run. */
        private double[][][] last;

        /** The sizes of the state's parts, the output first. */
        abstract int[] stateSizes();

        /** One step: the next state from x and the state (parts in stateSizes order). */
        abstract double[][] step(double[] x, double[][] state);

        @Override
        public double[][][] zeroState(int batch) {
            double[][][] state = new double[batch][][];
            for (int s = 0; s < batch; s++) {
                state[s] = zeros();
            }
            return state;
        }

        private double[][] zeros() {
            int[] sizes = stateSizes();
            double[][] zeros = new double[sizes.length][];
            for (int k = 0; k < sizes.length; k++) {
                zeros[k] = new double[sizes[k]];
            }
            return zeros;
        }

        @Override
        public double[][][] run(double[][][] x, double[][][] state, double[][] mask, int from, int to) {
            int batch = x.length;
            double[][][] out = new double[batch][x[0].length][stateSizes()[0]];
            last = new double[batch][][];
            for (int s = 0; s < batch; s++) {
                double[][] current = state[s];
                for (int t = from; t < to; t++) {
                    current = mask != null && mask[s][t] == 0 ? zeros() : step(x[s][t], current);
                    out[s][t] = current[0];
                }
                last[s] = current;
            }
            return out;
        }

        @Override
        public double[][][] lastState() {
            return last;
        }
    }

    /**
     * The standard LSTM step from the exported tensors (blocks i, f, g, o; z = x W_x + h W_h + b):
     * {o * tanh(c'), c'} from x, the recurrent input h (or r) and c.
     */
    static double[][] lstmStep(double[][] wx, double[][] wh, double[] b, double[] x, double[] h, double[] c) {
        int n = b.length / 4;
        double[] m = new double[n];
        double[] next = new double[n];
        for (int u = 0; u < n; u++) {
            double i = sigmoid(affine(wx, wh, b, x, h, u));
            double f = sigmoid(affine(wx, wh, b, x, h, n + u));
            double g = Math.tanh(affine(wx, wh, b, x, h, 2 * n + u));
            double o = sigmoid(affine(wx, wh, b, x, h, 3 * n + u));
            next[u] = f * c[u] + i * g;
            m[u] = o * Math.tanh(next[u]);
        }
        return new double[][] {m, next};
    }

    /** Column {@code column} of x W_x + h W_h + b. */
    static double affine(double[][] wx, double[][] wh, double[] b, double[] x, double[] h, int column) {
        double a = b[column];
        for (int i = 0; i < x.length; i++) {
            a += x[i] * wx[i][column];
        }
        for (int k = 0; k < h.length; k++) {
            a += h[k] * wh[k][column];
        }
        return a;
    }

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** The layer's answer for a truncated window and the objective finite differences check it against. */
    record WindowCheck(Gradient gradient, INDArray inputGradient, double[][][] input, int end, Objective f) {
        /**
         * The input gradient equals differences in each sequence's input, nothing flows back beyond
         * the backward length, and (masked) the sequence masked throughout the window gets none.
         */
        void assertInputGradient(boolean masked) {
            double[][][] dx = values(inputGradient);
            for (int b = 0; b < dx.length; b++) {
                assertClose(numeric(input[b], f), dx[b], "gradient of sequence " + b + "'s input");
            }
            for (int t = 0; t < end; t++) {
                for (int i = 0; i < dx[0][t].length; i++) {
                    assertEquals(0.0, dx[0][t][i], 0.0, "nothing flows back beyond the backward length");
                }
            }
            if (masked) {
                assertEquals(0.0, norm(inputGradient.get(NDArrayIndex.point(1))), 0.0, "a masked window");
            }
            assertTrue(norm(inputGradient) > 0);
        }

        private static double norm(INDArray array) {
            return array.norm2Number().doubleValue();
        }
    }

    /**
     * Two windows as truncated BPTT runs them (the second from the state the first ended in, a
     * plain backpropGradient after it, as DL4J 1.0.0-M2's network asks); checks the second
     * window's outputs against the equations and returns, for the gradient checks, f = sum over
     * the last {@code backward} steps of epsilon * output, run from the state at the cut (held
     * fixed: that is what truncation means). Masked: one sequence ends in the first window (the
     * second all masked), one mid-way through the second.
     */
    static WindowCheck twoWindows(
            RecurrentLayer layer, Equations cell, INDArray x1, INDArray x2, int width, int backward, boolean masked) {
        int batch = (int) x1.size(0);
        int steps = (int) x1.size(2);
        Nd4j.getRandom().setSeed(4);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, batch, width, steps).subi(0.5);
        INDArray mask1 = Nd4j.ones(DataType.FLOAT, batch, steps);
        INDArray mask2 = Nd4j.ones(DataType.FLOAT, batch, steps);
        if (masked) {
            mask1.get(NDArrayIndex.point(1), NDArrayIndex.interval(3, steps)).assign(0);
            mask2.getRow(1).assign(0);
            mask2.get(NDArrayIndex.point(2), NDArrayIndex.interval(4, steps)).assign(0);
        }
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        layer.setMaskArray(mask1);
        layer.rnnActivateUsingStoredState(x1, true, true, none);
        layer.setMaskArray(mask2);
        INDArray out = layer.rnnActivateUsingStoredState(x2, true, true, none).dup();
        Pair<Gradient, INDArray> actual = layer.backpropGradient(epsilon, none);

        double[][] m2 = mask2.toDoubleMatrix();
        double[][][] v2 = values(x2);
        cell.run(values(x1), cell.zeroState(batch), mask1.toDoubleMatrix(), 0, steps);
        double[][][] carried = cell.lastState();
        assertMatches(cell.run(v2, copy(carried), m2, 0, steps), 0, out, "second window");
        int end = steps - backward;
        if (end > 0) {
            cell.run(v2, copy(carried), m2, 0, end);
        }
        double[][][] atCut = end > 0 ? cell.lastState() : carried;
        double[][][] eps = values(epsilon);
        Objective f = () -> weighted(eps, cell.run(v2, copy(atCut), m2, end, steps), end);
        return new WindowCheck(actual.getFirst(), actual.getSecond(), v2, end, f);
    }

    /** The network with every parameter drawn uniformly from [-1, 1] (biases too, so that no term vanishes by chance). */
    static MultiLayerNetwork randomized(MultiLayerNetwork network) {
        Nd4j.getRandom().setSeed(23);
        network.setParams(
                Nd4j.rand(DataType.FLOAT, 1, network.numParams()).subi(0.5).muli(2));
        return network;
    }

    /** [batch, inputs, steps] drawn uniformly from [-1.5, 1.5]. */
    static INDArray input(int batch, int inputs, int steps, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, batch, inputs, steps).subi(0.5).muli(3);
    }

    /** Four phase-shifted sines [4, 1, 24] and their next steps: a forecaster must learn them. */
    static DataSet sines() {
        INDArray x = Nd4j.create(DataType.FLOAT, 4, 1, 24);
        INDArray y = Nd4j.create(DataType.FLOAT, 4, 1, 24);
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < 24; t++) {
                x.putScalar(b, 0, t, Math.sin(0.4 * t + b));
                y.putScalar(b, 0, t, Math.sin(0.4 * (t + 1) + b));
            }
        }
        return new DataSet(x, y);
    }

    /** Eight sequences [8, 1, 10]; class 1 rises, class 0 falls (only readable from the order of the steps). */
    static DataSet risingOrFalling() {
        INDArray x = Nd4j.create(DataType.FLOAT, 8, 1, 10);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 2);
        for (int b = 0; b < 8; b++) {
            int cls = b % 2;
            for (int t = 0; t < 10; t++) {
                x.putScalar(b, 0, t, (cls == 1 ? t : 10 - t) / 10.0 + 0.05 * b);
            }
            y.putScalar(b, cls, 1);
        }
        return new DataSet(x, y);
    }

    /**
     * A forecaster of one input and one output with {@code cell}'s settings (model.layers, model.cell,
     * ...), trained 60 times on {@link #sines()} as one minibatch of 8-step windows: its loss must
     * fall to a quarter.
     */
    static MultiLayerNetwork sineForecaster(String... cell) {
        List<String> settings = new ArrayList<>(List.of(cell));
        settings.addAll(List.of(
                "model.seed=3",
                "train.epochs=1",
                "train.batchSize=4",
                "train.learningRate=0.02",
                "tbptt.forward=8",
                "tbptt.backward=8"));
        JobConfig config = TestConfigs.config(settings.toArray(String[]::new));
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 1, 1);
        assertLearns(network, sines(), 60, 4);
        return network;
    }

    /**
     * A bidirectional classifier (6 units each way, mean pooling) of one input and two classes with
     * {@code cell}'s settings, trained 40 times on {@link #risingOrFalling()}: its loss must halve.
     * Returns its exported tensors.
     */
    static Map<String, INDArray> bidirectionalClassifierTensors(String... cell) {
        List<String> settings = new ArrayList<>(List.of(cell));
        settings.addAll(List.of(
                "model.layers=[6]",
                "model.seed=7",
                "model.bidirectional=true",
                "model.pooling=mean",
                "train.epochs=1",
                "train.batchSize=8",
                "train.learningRate=0.05",
                "train.gradientClipping=none"));
        JobConfig config = TestConfigs.classifier(settings.toArray(String[]::new));
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.CLASSIFY, 1, 2);
        assertLearns(network, risingOrFalling(), 40, 2);
        return WeightExport.tensors(network, a -> a);
    }

    /** The network written with ModelSerializer and read back: it must give the same outputs on the sines. */
    static MultiLayerNetwork savedAndRestored(MultiLayerNetwork network, Path dir) throws IOException {
        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        INDArray x = sines().getFeatures();
        assertEquals(network.output(x), restored.output(x));
        return restored;
    }

    /** Fits {@code data} {@code times} times; the loss must fall to below before / {@code factor}. */
    static void assertLearns(MultiLayerNetwork network, DataSet data, int times, double factor) {
        double before = network.score(data);
        for (int i = 0; i < times; i++) {
            network.fit(data);
        }
        double after = network.score(data);
        assertTrue(after < before / factor, "loss " + before + " -> " + after);
    }

    /** Central differences of f in every entry of {@code at} (perturbed in place and restored). */
    static double[][] numeric(double[][] at, Objective f) {
        double delta = 1e-6;
        double[][] gradient = new double[at.length][at[0].length];
        for (int i = 0; i < at.length; i++) {
            for (int j = 0; j < at[i].length; j++) {
                double keep = at[i][j];
                at[i][j] = keep + delta;
                double up = f.value();
                at[i][j] = keep - delta;
                double down = f.value();
                at[i][j] = keep;
                gradient[i][j] = (up - down) / (2 * delta);
            }
        }
        return gradient;
    }

    /** [B, C, T] as [B][T][C]. */
    static double[][][] values(INDArray array) {
        double[][][] v = new double[(int) array.size(0)][(int) array.size(2)][(int) array.size(1)];
        for (int b = 0; b < v.length; b++) {
            for (int t = 0; t < v[b].length; t++) {
                for (int c = 0; c < v[b][t].length; c++) {
                    v[b][t][c] = array.getDouble(b, c, t);
                }
            }
        }
        return v;
    }

    /** Every sequence's state of step t. */
    static double[][] at(double[][][] h, int t) {
        double[][] out = new double[h.length][];
        for (int b = 0; b < h.length; b++) {
            out[b] = h[b][t].clone();
        }
        return out;
    }

    /** A copy of a per-sequence state. */
    static double[][][] copy(double[][][] state) {
        double[][][] out = new double[state.length][][];
        for (int s = 0; s < state.length; s++) {
            out[s] = new double[state[s].length][];
            for (int k = 0; k < state[s].length; k++) {
                out[s][k] = state[s][k].clone();
            }
        }
        return out;
    }

    /** A DL4J LSTM gradient (gate blocks g, f, o, i) in the equations' and the export's block order i, f, g, o. */
    static double[][] ifgo(INDArray dl4j) {
        return WeightExport.toIfgo(dl4j.castTo(DataType.DOUBLE).dup('c')).toDoubleMatrix();
    }

    /** sum over sequences, steps from..T-1 and units of epsilon * h: the objective whose gradient backpropagation computes. */
    static double weighted(double[][][] eps, double[][][] h, int from) {
        double sum = 0;
        for (int b = 0; b < h.length; b++) {
            for (int t = from; t < h[b].length; t++) {
                for (int u = 0; u < h[b][t].length; u++) {
                    sum += eps[b][t][u] * h[b][t][u];
                }
            }
        }
        return sum;
    }

    /** actual [B, units, T] equals expected [B][from + t][units] to 1e-5. */
    static void assertMatches(double[][][] expected, int from, INDArray actual, String what) {
        double[][][] got = values(actual);
        for (int b = 0; b < got.length; b++) {
            for (int t = 0; t < got[b].length; t++) {
                for (int u = 0; u < got[b][t].length; u++) {
                    // Float32 arithmetic over a few dozen terms per step, against double.
                    assertEquals(
                            expected[b][from + t][u], got[b][t][u], 1e-5, what + " [" + b + ", " + u + ", " + t + "]");
                }
            }
        }
    }

    /** Float32 gradients against double differences: agreement to ~1e-6 of the gradient's norm; 1e-4 leaves room. */
    static void assertClose(double[][] expected, double[][] actual, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                diff += Math.pow(expected[i][j] - actual[i][j], 2);
                norm += expected[i][j] * expected[i][j];
            }
        }
        double relative = Math.sqrt(diff) / Math.max(1e-3, Math.sqrt(norm));
        assertTrue(relative < 1e-4, what + ": relative difference " + relative);
    }
}
