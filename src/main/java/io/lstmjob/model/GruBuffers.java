package io.lstmjob.model;

import static io.lstmjob.model.FusedLstmBuffers.contiguous;
import static io.lstmjob.model.FusedLstmBuffers.matrix;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The working arrays of {@link FusedGruLayer} (float, native memory, outside DL4J's workspaces),
 * made once for a minibatch shape and a largest window, and the views a pass of T steps takes of
 * them. For T steps, n units, B sequences, feature-major so that every step is a [rows, B] column
 * block of a matrix over the whole window (the layouts of {@link GruKernel}):
 * <pre>
 *   x      [nIn][T][B]     the window's input
 *   a, da  [3n][T][B]      the input part of the pre-activations, replaced by the gates z, r, g; their gradients
 *   h      [n][T+1][B]     column t holds h(t-1), column 0 the carried state
 *   q      [n][T][B]       r * h(t-1), what the candidate's recurrent product reads
 *   rec    [2n][B]         this step's recurrent part of z and r
 *   ug     [n][B]          this step's recurrent part of g
 *   mask   [T][B]
 *   dhIn   [n][T][B]       the gradient arriving from the layer above
 *   dhRec, dq  [n][B]      the gradient of h(t-1) from step t, and that of q(t)
 * </pre>
 * What does not wait for the previous step is one product over the window: W^T x forwards, the
 * weight gradients (da x^T, da_zr h^T, da_g q^T, the bias as da times ones) and the input gradient
 * W da backwards, straight into DL4J's arrays.
 */
final class GruBuffers {
    final int batch;
    final int nIn;
    final int n;
    final int capacity;
    final INDArray x;
    final INDArray a;
    final INDArray h;
    final INDArray q;
    final INDArray rec;
    final INDArray ug;
    final INDArray bias;
    final INDArray mask;
    final INDArray da;
    final INDArray dhIn;
    final INDArray dhRec;
    final INDArray dq;
    final INDArray dx;
    /** capacity B ones: the bias gradient is da times them. */
    final INDArray ones;
    /** RW copied row-major [n, 3n] for the backward pass's per-step products (as FusedLstmBuffers.rwRows). */
    final INDArray rwRows;

    final GruKernel kernel;
    private final Map<Integer, Window> windows = new HashMap<>();

    GruBuffers(int batch, int nIn, int n, int capacity) {
        this.batch = batch;
        this.nIn = nIn;
        this.n = n;
        this.capacity = capacity;
        long perStep = (long) n * batch;
        x = flat((long) nIn * capacity * batch);
        a = flat(3 * perStep * capacity);
        h = flat(perStep * (capacity + 1));
        q = flat(perStep * capacity);
        rec = Nd4j.create(DataType.FLOAT, 2L * n, batch);
        ug = Nd4j.create(DataType.FLOAT, n, batch);
        bias = flat(3L * n);
        mask = flat((long) capacity * batch);
        da = flat(3 * perStep * capacity);
        dhIn = flat(perStep * capacity);
        dhRec = Nd4j.create(DataType.FLOAT, n, batch);
        dq = Nd4j.create(DataType.FLOAT, n, batch);
        dx = flat((long) nIn * capacity * batch);
        ones = Nd4j.ones(DataType.FLOAT, (long) capacity * batch);
        rwRows = Nd4j.create(DataType.FLOAT, n, 3L * n);
        kernel = GruKernel.create(this);
    }

    boolean fits(int batch, int nIn, int n, int steps) {
        return fitsShape(batch, nIn, n) && steps <= capacity;
    }

    boolean fitsShape(int batch, int nIn, int n) {
        return this.batch == batch && this.nIn == nIn && this.n == n;
    }

    /** The views of a pass of {@code steps} steps (made once per window length). */
    Window window(int steps) {
        return windows.computeIfAbsent(steps, Window::new);
    }

    private static INDArray flat(long length) {
        return Nd4j.create(DataType.FLOAT, length);
    }

    /** The views of a window of T steps. */
    final class Window {
        final int steps;
        /** [nIn, T, B]. */
        final INDArray x3;
        /** [n, T + 1, B]. */
        final INDArray h3;
        /** [T, B]. */
        final INDArray mask2;
        /** [n, T, B]. */
        final INDArray dhIn3;
        /** Per step: h(t-1) [n, B], q(t) [n, B], da_g(t) [n, B] and da_z, da_r of step t [2n, B]. */
        final INDArray[] hPrev;

        final INDArray[] qStep;
        final INDArray[] daG;
        final INDArray[] daZr;

        Window(int steps) {
            this.steps = steps;
            long columns = (long) steps * batch;
            x3 = contiguous(x, nIn, steps, batch);
            h3 = contiguous(h, n, steps + 1, batch);
            mask2 = contiguous(mask, steps, batch);
            dhIn3 = contiguous(dhIn, n, steps, batch);
            hPrev = new INDArray[steps];
            qStep = new INDArray[steps];
            daG = new INDArray[steps];
            daZr = new INDArray[steps];
            for (int t = 0; t < steps; t++) {
                hPrev[t] = matrix(h, (long) t * batch, n, batch, columns + batch);
                qStep[t] = matrix(q, (long) t * batch, n, batch, columns);
                daG[t] = matrix(da, 2L * n * columns + (long) t * batch, n, batch, columns);
                daZr[t] = matrix(da, (long) t * batch, 2L * n, batch, columns);
            }
        }

        /** x of every step: [nIn, T B]. */
        INDArray inputs() {
            return contiguous(x, nIn, (long) steps * batch);
        }

        /** [3n, T B]. */
        INDArray preActivations() {
            return contiguous(a, 3L * n, (long) steps * batch);
        }

        /** Rows from..from+rows-1 of da over steps start..T-1: [rows, (T - start) B]. */
        INDArray da(int from, int rows, int start) {
            long columns = (long) steps * batch;
            return matrix(da, from * columns + (long) start * batch, rows, (long) (steps - start) * batch, columns);
        }

        /** x of steps start..T-1: [nIn, (T - start) B]. */
        INDArray inputsFrom(int start) {
            return matrix(x, (long) start * batch, nIn, (long) (steps - start) * batch, (long) steps * batch);
        }

        /** h(t-1) of steps start..T-1: [n, (T - start) B]. */
        INDArray hPrevFrom(int start) {
            return matrix(h, (long) start * batch, n, (long) (steps - start) * batch, (long) (steps + 1) * batch);
        }

        /** q of steps start..T-1: [n, (T - start) B]. */
        INDArray qFrom(int start) {
            return matrix(q, (long) start * batch, n, (long) (steps - start) * batch, (long) steps * batch);
        }

        /** (T - start) B ones, as a column. */
        INDArray onesFrom(int start) {
            return contiguous(ones, (long) (steps - start) * batch, 1);
        }

        /** The input gradient of steps start..T-1: [nIn, (T - start) B]. */
        INDArray dxFrom(int start) {
            return contiguous(dx, nIn, (long) (steps - start) * batch);
        }
    }
}
