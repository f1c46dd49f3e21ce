package io.lstmjob.model;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Mogrifier LSTM's rounds (Melis et al. 2019) of one {@link FusedLstmLayer} step: before the
 * standard step, the input x and the previous output h gate each other, round i = 1..r being
 * <pre>
 *   odd i:  x^i = 2 sigmoid(Q_i^T h^(i-1)) * x^(i-2)      (x^-1 = x)
 *   even i: h^i = 2 sigmoid(R_i^T x^(i-1)) * h^(i-2)      (h^0 = h(t-1))
 * </pre>
 * and the step reads the last x^i and h^i instead of x and h. Q_i is DL4J-column-major [n, nIn],
 * R_i [nIn, n], so that in row-vector form x^i = 2 sigmoid(h^(i-1) Q_i) * x^(i-2) (the export's).
 *
 * <p>Its arrays hold, for T steps of B sequences, every round's output and sigmoid ([dim][T][B],
 * dim nIn for odd rounds, n for even ones) and the raw input; h(t-1) is read where the layer's cell
 * writes its output ({@link FusedLstmBuffers#cellOut}, [n][T+1][B]). Backwards, a step's gradients
 * of the last x^i and h^i (W dz and RW dz) go back through the rounds to those of x(t) and h(t-1),
 * and each round's pre-activation gradient is kept so that the gradients of Q_i and R_i are one
 * product over the window each. The element-wise parts are Java loops over the native memory, the
 * forward one's exp with the Vector API where present ({@link MogrifierGates}).
 */
final class MogrifierRounds {
    final int rounds;
    private final int nIn;
    private final int n;
    private final int batch;
    /** The raw input x(t) [nIn][T][B]. */
    final INDArray input;
    /** Round i's output (x^i or h^i) and sigmoid, [dim][T][B]; index i - 1. */
    private final INDArray[] out;

    private final INDArray[] gate;
    /** Round i's pre-activation gradient [dim][T][B], for the weight gradients. */
    private final INDArray[] dPre;
    /** This step's gradient of x^i as the rounds go back, [nIn, B]; ends as that of x(t). */
    private final INDArray dx;

    private final MogrifierGates gates = MogrifierGates.create();
    private final ByteBuffer inputBytes;
    private final ByteBuffer cellOutBytes;
    private final ByteBuffer[] outBytes;
    private final ByteBuffer[] gateBytes;
    private final FloatBuffer[] outFloats;
    private final FloatBuffer[] gateFloats;
    private final FloatBuffer[] dPreFloats;
    private final FloatBuffer dxFloats;
    private final FloatBuffer cellOutFloats;
    private final FloatBuffer xhFloats;
    private final FloatBuffer dhRecFloats;
    private final FloatBuffer inputGradientFloats;
    private final INDArray cellOut;
    private final INDArray dhRec;
    private final Map<Integer, Window> windows = new HashMap<>();

    MogrifierRounds(int rounds, int nIn, int n, int batch, int capacity, FusedLstmBuffers buffers) {
        this.rounds = rounds;
        this.nIn = nIn;
        this.n = n;
        this.batch = batch;
        input = Nd4j.create(DataType.FLOAT, (long) nIn * capacity * batch);
        out = new INDArray[rounds];
        gate = new INDArray[rounds];
        dPre = new INDArray[rounds];
        outFloats = new FloatBuffer[rounds];
        gateFloats = new FloatBuffer[rounds];
        dPreFloats = new FloatBuffer[rounds];
        outBytes = new ByteBuffer[rounds];
        gateBytes = new ByteBuffer[rounds];
        for (int i = 1; i <= rounds; i++) {
            long length = (long) dim(i) * capacity * batch;
            out[i - 1] = Nd4j.create(DataType.FLOAT, length);
            gate[i - 1] = Nd4j.create(DataType.FLOAT, length);
            dPre[i - 1] = Nd4j.create(DataType.FLOAT, length);
            outBytes[i - 1] = ArrayMemory.bytes(out[i - 1]);
            gateBytes[i - 1] = ArrayMemory.bytes(gate[i - 1]);
            outFloats[i - 1] = floats(out[i - 1]);
            gateFloats[i - 1] = floats(gate[i - 1]);
            dPreFloats[i - 1] = floats(dPre[i - 1]);
        }
        dx = Nd4j.create(DataType.FLOAT, nIn, batch);
        inputBytes = ArrayMemory.bytes(input);
        cellOutBytes = ArrayMemory.bytes(buffers.cellOut);
        dxFloats = floats(dx);
        cellOut = buffers.cellOut;
        dhRec = buffers.dhRec;
        cellOutFloats = floats(buffers.cellOut);
        xhFloats = floats(buffers.xh);
        dhRecFloats = floats(buffers.dhRec);
        inputGradientFloats = floats(buffers.dx);
    }

    /** Round i's width: x's for odd rounds, h's for even ones. */
    private int dim(int i) {
        return i % 2 == 1 ? nIn : n;
    }

    /** The parameter key of round i: "Q1", "R2", "Q3", ... */
    static String key(int i) {
        return (i % 2 == 1 ? "Q" : "R") + i;
    }

    Window window(int steps) {
        return windows.computeIfAbsent(steps, Window::new);
    }

    /**
     * Step t forwards: the rounds from x(t) and h(t-1), and the last x^i and h^i into column t of
     * xh (rows x, then h), where the step's products read them. {@code weightsT[i - 1]} is the
     * transpose of round i's parameter (Q_i or R_i) as DL4J keeps it.
     */
    void forward(Window win, int t, INDArray[] weightsT) {
        int steps = win.steps;
        for (int i = 1; i <= rounds; i++) {
            // The pre-activation into the gate's slot, then gate = sigmoid(pre), out = 2 gate * out^(i-2).
            MatrixProduct.multiply(weightsT[i - 1], false, win.reads[i - 1][t], false, win.gate[i - 1][t], 0.0);
            ByteBuffer g = gateBytes[i - 1];
            ByteBuffer o = outBytes[i - 1];
            ByteBuffer source = scaledBuffer(i);
            int dim = dim(i);
            int at = t * batch;
            for (int j = 0; j < dim; j++) {
                gates.scale(g, o, source, j * steps * batch + at, scaledOffset(i, j, t, steps), batch);
            }
        }
        // Column t of xh: [x^last; h^last].
        long columns = (long) (steps + 1) * batch;
        // Round 1 rescales x, so an odd round is always last for x; h's may be h(t-1) itself (one round).
        FloatBuffer x = outFloats[lastRound(1) - 1];
        for (int j = 0; j < nIn; j++) {
            xhFloats.put((int) (j * columns) + t * batch, x, j * steps * batch + t * batch, batch);
        }
        int lastH = lastRound(0);
        for (int j = 0; j < n; j++) {
            int target = (int) ((nIn + j) * columns) + t * batch;
            if (lastH == 0) {
                xhFloats.put(target, cellOutFloats, (int) (j * columns) + t * batch, batch);
            } else {
                xhFloats.put(target, outFloats[lastH - 1], j * steps * batch + t * batch, batch);
            }
        }
    }

    /**
     * Step t backwards, after the cell's: from dz(t), the gradients of the last x^i (W dz) and h^i
     * (RW dz, into dhRec) back through the rounds; dhRec ends as the gradient of h(t-1) (what step
     * t-1 reads), and the gradient of x(t) goes to column t - from of the layer's dx ([nIn][T -
     * from][B], from the first step the gradient reaches).
     */
    void backward(Window win, int t, int from, INDArray w, INDArray rw, INDArray[] weights, INDArray dzStep) {
        int steps = win.steps;
        MatrixProduct.multiply(w, false, dzStep, false, dx, 0.0);
        MatrixProduct.multiply(rw, false, dzStep, false, dhRec, 0.0);
        for (int i = rounds; i >= 1; i--) {
            boolean odd = i % 2 == 1;
            // The gradient of out^i, about to become that of out^(i-2).
            FloatBuffer g = odd ? dxFloats : dhRecFloats;
            FloatBuffer s = gateFloats[i - 1];
            FloatBuffer o = outFloats[i - 1];
            FloatBuffer d = dPreFloats[i - 1];
            int dim = dim(i);
            for (int j = 0; j < dim; j++) {
                int row = j * steps * batch + t * batch;
                for (int b = 0; b < batch; b++) {
                    float gv = g.get(j * batch + b);
                    float sv = s.get(row + b);
                    // out = 2 s * prev: d pre = g * out * (1 - s), d prev = g * 2 s.
                    d.put(row + b, gv * o.get(row + b) * (1 - sv));
                    g.put(j * batch + b, gv * 2 * sv);
                }
            }
            // The gradient of the other variable, read by this round's gate: Q_i dPre into h's, R_i dPre into x's.
            MatrixProduct.multiply(weights[i - 1], false, win.dPre[i - 1][t], false, odd ? dhRec : dx, 1.0);
        }
        int columns = steps - from;
        for (int j = 0; j < nIn; j++) {
            inputGradientFloats.put((j * columns + t - from) * batch, dxFloats, j * batch, batch);
        }
    }

    /** The gradients of Q_i and R_i over steps from..T-1: the read variable times dPre^T, one product each. */
    void weightGradients(Window win, int from, INDArray[] gradients) {
        for (int i = 1; i <= rounds; i++) {
            MatrixProduct.multiply(win.readsFrom(i, from), false, win.dPreFrom(i, from), true, gradients[i - 1], 0.0);
        }
    }

    /** The last round of the given parity (1 odd, 0 even) within rounds; 0 when there is none (h^0, x^-1). */
    private int lastRound(int parity) {
        for (int i = rounds; i >= 1; i--) {
            if (i % 2 == parity) {
                return i;
            }
        }
        return 0;
    }

    /** Where round i's scaled variable out^(i-2) lives: the raw input, h(t-1) in cellOut, or an earlier round. */
    private ByteBuffer scaledBuffer(int i) {
        if (i == 1) {
            return inputBytes;
        }
        return i == 2 ? cellOutBytes : outBytes[i - 3];
    }

    private int scaledOffset(int i, int j, int t, int steps) {
        return i == 2 ? (j * (steps + 1) + t) * batch : (j * steps + t) * batch;
    }

    private static FloatBuffer floats(INDArray array) {
        return ArrayMemory.bytes(array).asFloatBuffer();
    }

    /** The matrix views of a window of T steps. */
    final class Window {
        final int steps;
        /** [nIn, T, B]: where the raw input is copied. */
        final INDArray input3;
        /** Per round and step: the variable the gate reads [dim', B], the gate's slot [dim, B], dPre [dim, B]. */
        final INDArray[][] reads;

        final INDArray[][] gate;
        final INDArray[][] dPre;

        Window(int steps) {
            this.steps = steps;
            input3 = FusedLstmBuffers.contiguous(input, nIn, steps, batch);
            reads = new INDArray[rounds][steps];
            gate = new INDArray[rounds][steps];
            dPre = new INDArray[rounds][steps];
            long window = (long) steps * batch;
            for (int i = 1; i <= rounds; i++) {
                for (int t = 0; t < steps; t++) {
                    reads[i - 1][t] = readsFrom(i, t, 1);
                    gate[i - 1][t] = FusedLstmBuffers.matrix(
                            MogrifierRounds.this.gate[i - 1], (long) t * batch, dim(i), batch, window);
                    dPre[i - 1][t] = FusedLstmBuffers.matrix(
                            MogrifierRounds.this.dPre[i - 1], (long) t * batch, dim(i), batch, window);
                }
            }
        }

        /** Round i's read variable (h^(i-1) or x^(i-1)) over steps from..T-1: [dim', (T - from) B]. */
        INDArray readsFrom(int i, int from) {
            return readsFrom(i, from, steps - from);
        }

        private INDArray readsFrom(int i, int from, int count) {
            long window = (long) steps * batch;
            if (i == 1) {
                // h^0 = h(t-1): column t of cellOut [n][T+1][B].
                return FusedLstmBuffers.matrix(cellOut, (long) from * batch, n, (long) count * batch, window + batch);
            }
            return FusedLstmBuffers.matrix(out[i - 2], (long) from * batch, dim(i - 1), (long) count * batch, window);
        }

        INDArray dPreFrom(int i, int from) {
            return FusedLstmBuffers.matrix(
                    MogrifierRounds.this.dPre[i - 1],
                    (long) from * batch,
                    dim(i),
                    (long) (steps - from) * batch,
                    (long) steps * batch);
        }
    }
}
