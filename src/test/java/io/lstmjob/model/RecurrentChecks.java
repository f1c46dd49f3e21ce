package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /** A copy of a per-sequence state {h or r, c}. */
    static double[][][] copy(double[][][] state) {
        double[][][] out = new double[state.length][][];
        for (int s = 0; s < state.length; s++) {
            out[s] = new double[][] {state[s][0].clone(), state[s][1].clone()};
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
