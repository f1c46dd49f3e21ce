package io.lstmjob.model;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The working arrays of {@link FusedLstmLayer} (float, native memory, outside DL4J's workspaces),
 * made once for a minibatch shape and a largest window, and the matrix views a pass of T steps
 * takes of them. Layouts are those of {@link CellKernel}; they are chosen so that the products
 * that do not wait for the previous step cover the whole window at once:
 * <ul>
 *   <li>the input part of the pre-activations, W^T x for every step, is one product with T B
 *       columns into z ([4n][T][B] is a [4n, T B] matrix);</li>
 *   <li>the weight gradient, dz [x; h(t-1); 1]^T summed over the steps, is one product over the
 *       T B columns of dz and xh ([nIn+n+1][T+1][B]: the first T column blocks are a matrix with a
 *       leading dimension of (T+1) B), and so is the input gradient W dz. With the last row of xh
 *       all ones, the bias gradient (dz summed over steps and sequences) is the last column of
 *       that product;</li>
 * </ul>
 * Only the recurrent products, RW^T h(t-1) forwards and RW dz(t) backwards, remain per step. The
 * products read the parameters where DL4J keeps them (W^T and RW^T of its column-major views are
 * row-major matrices), so no weight is copied.
 *
 * <p>With a projection of p units the recurrent rows of xh hold r(t-1) = P^T m(t-1) (p rows) instead
 * of h, the cell writes m = o * tanh(c) into {@code cellOut} ([n][T+1][B], laid out as xh's h rows so
 * the kernel writes it the same way), and the gradient arriving for r, and flowing back to it, collects
 * in {@code dr} ([p][T][B]); everything else is as without. With Mogrifier rounds, xh's columns hold
 * the rounds' last x and h ({@link MogrifierRounds}), the cell writes h into {@code cellOut}, and
 * the input part of the pre-activations is one product per step (x^i depends on h(t-1)).
 */
final class FusedLstmBuffers {
    /** What the arrays are made for, but the number of steps. */
    record Shape(int batch, int nIn, int n, int projection, int mogrifierRounds) {}

    final Shape shape;
    final int batch;
    final int nIn;
    final int n;
    /** Units of the output and the recurrent state: the projection's, or n. */
    final int p;

    final boolean projected;
    final int capacity;
    final INDArray xh;
    final INDArray z;
    final INDArray zr;
    /** The gradient of [W; RW; b]^T: [4n, nIn + p + 1]. */
    final INDArray gradT;
    /** gradT's columns after W's, the gradient of [RW; b]^T [4n, p + 1]: the product's part when a one-hot input's is a scatter. */
    final INDArray gradRecurrentT;
    /** [4n]. */
    final INDArray bias;
    /**
     * RW copied row-major, [p, 4n], for the backward pass's per-step products RW dz(t): OpenBLAS
     * packs a row-major left operand faster than the transpose of DL4J's column-major view (one
     * copy per window against one packing per step).
     */
    final INDArray rwRows;

    final MatrixProduct.Operand zrOperand;
    final MatrixProduct.Operand rwRowsOperand;
    final MatrixProduct.Operand dhRecOperand;
    /** The parameters' operands, remade when DL4J hands the layer other arrays (see {@link MatrixProduct.Operand#reuse}). */
    MatrixProduct.Operand wOperand;

    MatrixProduct.Operand rwOperand;
    MatrixProduct.Operand pOperand;

    final INDArray c;
    final INDArray tanhC;
    final INDArray mask;
    final INDArray dz;
    final INDArray dhIn;
    final INDArray dhRec;
    final INDArray dc;
    final INDArray dx;
    /** Where the cell writes o * tanh(c): xh's h rows, or cellOut (hRow 0) when projected or mogrified. */
    final INDArray hOut;

    final int hRow;
    /** Projected or mogrified only (else null): the cell's o * tanh(c) [n][T+1][B], column t + 1 step t's. */
    final INDArray cellOut;
    /** Projected only (else null): the gradient of r [p][T][B]. */
    final INDArray dr;
    /** Mogrified only (else null). */
    final MogrifierRounds mogrifier;

    final CellKernel kernel;
    /** The window's input as class indices, when it is one-hot. */
    final OneHotInput oneHot;
    /** xh, z and dz as float buffers, for the one-hot input's gather and scatter. */
    final FloatBuffer xhFloats;

    final FloatBuffer zFloats;
    final FloatBuffer dzFloats;
    private final Map<Integer, Window> windows = new HashMap<>();

    FusedLstmBuffers(Shape shape, int capacity) {
        this.shape = shape;
        this.batch = shape.batch();
        this.nIn = shape.nIn();
        this.n = shape.n();
        this.projected = shape.projection() > 0;
        this.p = projected ? shape.projection() : n;
        this.capacity = capacity;
        int k = nIn + p + 1;
        long perStep = (long) n * batch;
        xh = flat((long) k * (capacity + 1) * batch);
        z = flat(4 * perStep * capacity);
        zr = Nd4j.create(DataType.FLOAT, 4L * n, batch);
        gradT = Nd4j.create(DataType.FLOAT, 4L * n, k);
        gradRecurrentT = matrix(gradT, nIn, 4L * n, p + 1, k);
        bias = flat(4L * n);
        rwRows = Nd4j.create(DataType.FLOAT, p, 4L * n);
        c = flat(perStep * (capacity + 1));
        tanhC = flat(perStep * capacity);
        mask = flat((long) capacity * batch);
        dz = flat(4 * perStep * capacity);
        dhIn = flat(perStep * capacity);
        dhRec = Nd4j.create(DataType.FLOAT, n, batch);
        dc = Nd4j.create(DataType.FLOAT, n, batch);
        dx = flat((long) nIn * capacity * batch);
        boolean mogrified = shape.mogrifierRounds() > 0;
        cellOut = projected || mogrified ? flat(perStep * (capacity + 1)) : null;
        dr = projected ? flat((long) p * capacity * batch) : null;
        hOut = cellOut != null ? cellOut : xh;
        hRow = cellOut != null ? 0 : nIn;
        mogrifier = mogrified ? new MogrifierRounds(shape.mogrifierRounds(), nIn, n, batch, capacity, this) : null;
        kernel = CellKernel.create(this);
        oneHot = new OneHotInput(nIn, capacity * batch);
        zrOperand = MatrixProduct.Operand.of(zr);
        rwRowsOperand = MatrixProduct.Operand.of(rwRows);
        dhRecOperand = MatrixProduct.Operand.of(dhRec);
        xhFloats = floats(xh);
        zFloats = floats(z);
        dzFloats = floats(dz);
    }

    boolean fits(Shape shape, int steps) {
        return this.shape.equals(shape) && steps <= capacity;
    }

    /** The views of a pass of {@code steps} steps (made once per window length). */
    Window window(int steps) {
        return windows.computeIfAbsent(steps, Window::new);
    }

    private static MatrixProduct.Operand operand(INDArray matrix) {
        return MatrixProduct.Operand.of(matrix);
    }

    private static INDArray flat(long length) {
        return Nd4j.create(DataType.FLOAT, length);
    }

    /** A row-major [rows, cols] view of {@code base}'s memory from {@code offset}, rows {@code ld} apart. */
    static INDArray matrix(INDArray base, long offset, long rows, long cols, long ld) {
        return Nd4j.create(base.data(), new long[] {rows, cols}, new long[] {ld, 1}, offset, 'c');
    }

    /** A contiguous row-major view of {@code base}'s memory from its start. */
    static INDArray contiguous(INDArray base, long... shape) {
        long[] stride = new long[shape.length];
        long size = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = size;
            size *= shape[d];
        }
        return Nd4j.create(base.data(), shape, stride, 0, 'c');
    }

    /**
     * Copies the weight gradient, gradT = [dW; dRW; db]^T, into DL4J's gradient views: W and RW
     * are column-major [nIn, 4n] and [p, 4n], so row q of gradT holds their columns q and the
     * bias gradient's element q. Row by row with bulk copies: libnd4j's assign takes its slow
     * element-by-element path between such strided views (docs/PERFORMANCE.md). Without gradW,
     * W's columns are skipped (a one-hot input's scatter wrote its gradient in place).
     */
    void copyGradient(INDArray gradW, INDArray gradRW, INDArray gradB) {
        FloatBuffer source = floats(gradT);
        FloatBuffer w = gradW == null ? null : floats(columnMajor(gradW));
        FloatBuffer rw = floats(columnMajor(gradRW));
        FloatBuffer b = floats(gradB);
        int k = nIn + p + 1;
        for (int q = 0; q < 4 * n; q++) {
            if (w != null) {
                w.put(q * nIn, source, q * k, nIn);
            }
            rw.put(q * p, source, q * k + nIn, p);
            b.put(q, source.get(q * k + nIn + p));
        }
    }

    /** DL4J's column-major weight gradient [rows, 4n] as float buffer: column q is row q of its transpose. */
    static FloatBuffer columnMajorFloats(INDArray gradient) {
        return floats(columnMajor(gradient));
    }

    /** The memory of a contiguous float array (or view), its first element at index 0. */
    private static FloatBuffer floats(INDArray array) {
        if (array.elementWiseStride() != 1 || array.dataType() != DataType.FLOAT) {
            throw new IllegalStateException("expected a contiguous float array, got " + array.shapeInfoToString());
        }
        return ArrayMemory.bytes(array).asFloatBuffer();
    }

    private static INDArray columnMajor(INDArray matrix) {
        if (matrix.ordering() != 'f') {
            throw new IllegalStateException(
                    "expected DL4J's column-major weight gradient, got " + matrix.shapeInfoToString());
        }
        return matrix;
    }

    /** The views of a window of T steps. */
    final class Window {
        final int steps;
        /** [nIn + p, T + 1, B]. */
        final INDArray xh3;
        /** The row of ones after x and h, [(T + 1) B]: set before each weight gradient, as windows of other lengths overlap it. */
        final INDArray ones;
        /** x of every step: [nIn, T B]. */
        final INDArray inputs;
        /** [4n, T B]. */
        final INDArray zAll;
        /** [T + 1, n, B]. */
        final INDArray c3;
        /** [T, B]. */
        final INDArray mask2;
        /** [n, T, B]. */
        final INDArray dhIn3;
        /** Per step: h(t-1) (r(t-1) when projected) [p, B], index T too (the last step's output), and dz(t) [4n, B]. */
        final MatrixProduct.Operand[] hPrev;

        final INDArray[] dzStep;
        final MatrixProduct.Operand[] dzStepOperand;
        /** Projected only: per step m(t) [n, B], the gradient of r(t) [p, B] and that arriving for m(t), in dhIn [n, B]. */
        final MatrixProduct.Operand[] mStep;

        final MatrixProduct.Operand[] drStep;
        final MatrixProduct.Operand[] dmStep;
        /** [p, T + 1, B]: the layer's output (h or r) of step t - 1 in column t, the carried state in column 0. */
        final INDArray state3;
        /** state3's column 0 (the carried state in) and T (the state out), [p, B]; its columns 1..T, [p, T, B]. */
        final INDArray stateFirst;

        final INDArray stateLast;
        final INDArray outputs3;
        /** c3's first and last step, [n, B]. */
        final INDArray cFirst;

        final INDArray cLast;
        /** The input rows of xh3's first T columns, [nIn, T, B]. */
        final INDArray inputs3;
        /** Mogrified only: per step x^last(t) in xh [nIn, B] and the step's pre-activations in z [4n, B]; the rounds' views. */
        final MatrixProduct.Operand[] inputStep;

        final MatrixProduct.Operand[] zStep;
        final MatrixProduct.Operand inputsOperand;
        final MatrixProduct.Operand zAllOperand;
        final MogrifierRounds.Window rounds;

        Window(int steps) {
            this.steps = steps;
            long columns = (long) (steps + 1) * batch;
            xh3 = contiguous(xh, nIn + p, steps + 1, batch);
            ones = matrix(xh, (nIn + p) * columns, 1, columns, columns);
            inputs = matrix(xh, 0, nIn, (long) steps * batch, columns);
            zAll = contiguous(z, 4L * n, (long) steps * batch);
            c3 = contiguous(c, steps + 1, n, batch);
            mask2 = contiguous(mask, steps, batch);
            dhIn3 = contiguous(dhIn, n, steps, batch);
            hPrev = new MatrixProduct.Operand[steps + 1];
            dzStep = new INDArray[steps];
            dzStepOperand = new MatrixProduct.Operand[steps];
            mStep = projected ? new MatrixProduct.Operand[steps] : null;
            drStep = projected ? new MatrixProduct.Operand[steps] : null;
            dmStep = projected ? new MatrixProduct.Operand[steps] : null;
            long window = (long) steps * batch;
            for (int t = 0; t <= steps; t++) {
                hPrev[t] = operand(matrix(xh, nIn * columns + (long) t * batch, p, batch, columns));
            }
            state3 = mogrifier != null
                    ? contiguous(cellOut, n, steps + 1, batch)
                    : Nd4j.create(
                            xh.data(),
                            new long[] {p, steps + 1, batch},
                            new long[] {columns, batch, 1},
                            nIn * columns,
                            'c');
            stateFirst = state3.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
            stateLast = state3.get(NDArrayIndex.all(), NDArrayIndex.point(steps), NDArrayIndex.all());
            outputs3 = state3.get(NDArrayIndex.all(), NDArrayIndex.interval(1, steps + 1), NDArrayIndex.all());
            cFirst = c3.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
            cLast = c3.get(NDArrayIndex.point(steps), NDArrayIndex.all(), NDArrayIndex.all());
            inputs3 = xh3.get(NDArrayIndex.interval(0, nIn), NDArrayIndex.interval(0, steps), NDArrayIndex.all());
            inputsOperand = operand(inputs);
            zAllOperand = operand(zAll);
            inputStep = mogrifier != null ? new MatrixProduct.Operand[steps] : null;
            zStep = mogrifier != null ? new MatrixProduct.Operand[steps] : null;
            rounds = mogrifier != null ? mogrifier.window(steps) : null;
            for (int t = 0; t < steps; t++) {
                dzStep[t] = matrix(dz, (long) t * batch, 4L * n, batch, window);
                dzStepOperand[t] = operand(dzStep[t]);
                if (mogrifier != null) {
                    inputStep[t] = operand(matrix(xh, (long) t * batch, nIn, batch, columns));
                    zStep[t] = operand(matrix(z, (long) t * batch, 4L * n, batch, window));
                }
                if (projected) {
                    mStep[t] = operand(matrix(cellOut, (long) (t + 1) * batch, n, batch, columns));
                    drStep[t] = operand(matrix(dr, (long) t * batch, p, batch, window));
                    dmStep[t] = operand(matrix(dhIn, (long) t * batch, n, batch, window));
                }
            }
        }

        /** Projected only: the gradient arriving for r, [p, T, B]. */
        INDArray drIn3() {
            return contiguous(dr, p, steps, batch);
        }

        /** Projected only: m(t) of steps from..T-1, [n, (T - from) B]. */
        INDArray mFrom(int from) {
            long columns = (long) (steps + 1) * batch;
            return matrix(cellOut, (long) (from + 1) * batch, n, (long) (steps - from) * batch, columns);
        }

        /** Projected only: the gradient of r(t) of steps from..T-1, [p, (T - from) B]. */
        INDArray drFrom(int from) {
            return matrix(dr, (long) from * batch, p, (long) (steps - from) * batch, (long) steps * batch);
        }

        /** dz of steps from..T-1: [4n, (T - from) B]. */
        INDArray dzFrom(int from) {
            return matrix(dz, (long) from * batch, 4L * n, (long) (steps - from) * batch, (long) steps * batch);
        }

        /** [x; h(t-1); 1] of steps from..T-1: [nIn + p + 1, (T - from) B]. */
        INDArray xhFrom(int from) {
            return matrix(
                    xh, (long) from * batch, nIn + p + 1, (long) (steps - from) * batch, (long) (steps + 1) * batch);
        }

        /** [h(t-1); 1] of steps from..T-1: [p + 1, (T - from) B] (xhFrom without the input rows). */
        INDArray hOnesFrom(int from) {
            long columns = (long) (steps + 1) * batch;
            return matrix(xh, nIn * columns + (long) from * batch, p + 1, (long) (steps - from) * batch, columns);
        }

        /** The input gradient of steps from..T-1: [nIn, (T - from) B]. */
        INDArray dxFrom(int from) {
            return contiguous(dx, nIn, (long) (steps - from) * batch);
        }
    }
}
