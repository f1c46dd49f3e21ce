package io.lstmjob.model;

import java.nio.ByteBuffer;
import org.slf4j.LoggerFactory;

/**
 * The element-wise part of one LSTM step, forward and backward, in one pass over the step's
 * elements: what would otherwise be a dozen libnd4j operations per step, each a separate call and
 * a separate sweep through memory (libnd4j's sigmoid also calls a scalar {@code expf} per element).
 * This class computes lane by lane in plain Java; {@link VectorCellKernel} does the same with the
 * JDK's Vector API where its module is present.
 *
 * <p>It works on the float arrays of {@link FusedLstmBuffers} in place (native memory, read through
 * direct byte buffers). Layouts, for T steps in this pass, n units, B sequences (gate q in DL4J's
 * order g, f, o, i):
 * <pre>
 *   z, dz   [4n][T][B]   pre-activations of the input part, replaced by the activated gates; their gradients
 *   zr      [4n][B]      this step's recurrent part of the pre-activations
 *   bias    [4n]         the bias, added here (its gradient comes from the weight-gradient product)
 *   c       [T+1][n][B]  cell states, block 0 the initial one
 *   tanhC   [T][n][B]
 *   xh      [nIn+n+1][T+1][B]  rows x, h, 1; column t holds [x(t); h(t-1); 1]
 *           (projected: h goes to m [n][T+1][B] in the same layout, and xh's recurrent rows hold r)
 *   mask    [T][B]
 *   dhIn    [n][T][B]    the gradient arriving from the layer above
 *   dhRec, dc  [n][B]    the gradient of h(t) through step t+1, and that of c(t)
 * </pre>
 */
class CellKernel {
    private static final boolean VECTOR_API = vectorApiPresent();

    protected final int n;
    protected final int batch;
    protected final ByteBuffer z;
    protected final ByteBuffer zr;
    protected final ByteBuffer bias;
    protected final ByteBuffer c;
    protected final ByteBuffer tanhC;
    /** Where h = o * tanh(c) goes: xh's h rows, or the projected layer's m (rows from hRow, same layout). */
    protected final ByteBuffer hOut;

    protected final int hRow;
    protected final ByteBuffer mask;
    protected final ByteBuffer dz;
    protected final ByteBuffer dhIn;
    protected final ByteBuffer dhRec;
    protected final ByteBuffer dc;
    /** Steps in this pass: the layouts above depend on it. */
    protected int steps;

    protected boolean masked;

    CellKernel(FusedLstmBuffers b) {
        n = b.n;
        batch = b.batch;
        z = ArrayMemory.bytes(b.z);
        zr = ArrayMemory.bytes(b.zr);
        bias = ArrayMemory.bytes(b.bias);
        c = ArrayMemory.bytes(b.c);
        tanhC = ArrayMemory.bytes(b.tanhC);
        hOut = ArrayMemory.bytes(b.hOut);
        hRow = b.hRow;
        mask = ArrayMemory.bytes(b.mask);
        dz = ArrayMemory.bytes(b.dz);
        dhIn = ArrayMemory.bytes(b.dhIn);
        dhRec = ArrayMemory.bytes(b.dhRec);
        dc = ArrayMemory.bytes(b.dc);
    }

    /** The Vector API kernel where the JVM was started with {@code --add-modules jdk.incubator.vector}, else this one. */
    static CellKernel create(FusedLstmBuffers buffers) {
        return VECTOR_API ? new VectorCellKernel(buffers) : new CellKernel(buffers);
    }

    /** Whether {@link #create} gives the Vector API kernel. */
    static boolean vectorised() {
        return VECTOR_API;
    }

    private static boolean vectorApiPresent() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (!present) {
            LoggerFactory.getLogger(CellKernel.class)
                    .warn(
                            "This JVM was started without --add-modules jdk.incubator.vector "
                                    + "(conf/java17.args): the LSTM's element-wise steps run without vector instructions, about half as fast");
        }
        return present;
    }

    /** Sets the number of steps of the pass that follows and whether its steps are masked. */
    final void begin(int steps, boolean masked) {
        this.steps = steps;
        this.masked = masked;
    }

    /** Step t: gates from z(t) + zr, then c(t), tanh(c(t)) and h(t) (zero where masked). */
    void forward(int t) {
        int gate = n * steps * batch;
        for (int u = 0; u < n; u++) {
            forwardLanes(
                    u,
                    (u * steps + t) * batch,
                    gate,
                    u * batch,
                    (t * n + u) * batch,
                    ((hRow + u) * (steps + 1) + t + 1) * batch,
                    masked ? t * batch : -1,
                    0,
                    batch);
        }
    }

    /**
     * Step t backwards: from dh(t) = dhIn(t) + dhRec and dc(t), the gradients of the four
     * pre-activations into dz(t), and dc becomes the gradient of c(t-1).
     */
    void backward(int t) {
        int gate = n * steps * batch;
        for (int u = 0; u < n; u++) {
            backwardLanes(
                    (u * steps + t) * batch, gate, (t * n + u) * batch, u * batch, masked ? t * batch : -1, 0, batch);
        }
    }

    /**
     * Unit u's lanes from..to-1 of a step forwards. Offsets in floats: g is the unit's g gate in z
     * (the f, o and i gates follow at multiples of gate), r the same in zr (gates n B apart), s the
     * unit's row of step t in c (c(t-1); c(t) is n B further) and in tanhC, h in hOut, m in mask (-1
     * when unmasked).
     */
    protected final void forwardLanes(int u, int g, int gate, int r, int s, int h, int m, int from, int to) {
        int rGate = n * batch;
        float bg = get(bias, u);
        float bf = get(bias, n + u);
        float bo = get(bias, 2 * n + u);
        float bi = get(bias, 3 * n + u);
        for (int b = from; b < to; b++) {
            float gv = tanh(get(z, g + b) + get(zr, r + b) + bg);
            float fv = sigmoid(get(z, g + gate + b) + get(zr, r + rGate + b) + bf);
            float ov = sigmoid(get(z, g + 2 * gate + b) + get(zr, r + 2 * rGate + b) + bo);
            float iv = sigmoid(get(z, g + 3 * gate + b) + get(zr, r + 3 * rGate + b) + bi);
            put(z, g + b, gv);
            put(z, g + gate + b, fv);
            put(z, g + 2 * gate + b, ov);
            put(z, g + 3 * gate + b, iv);
            float mv = m < 0 ? 1f : get(mask, m + b);
            float cv = (fv * get(c, s + b) + iv * gv) * mv;
            float tcv = tanh(cv);
            put(c, s + rGate + b, cv);
            put(tanhC, s + b, tcv);
            put(hOut, h + b, ov * tcv * mv);
        }
    }

    /** The same backwards: g also in dz and dhIn, d in dhRec and dc. */
    protected final void backwardLanes(int g, int gate, int s, int d, int m, int from, int to) {
        for (int b = from; b < to; b++) {
            float mv = m < 0 ? 1f : get(mask, m + b);
            float dh = (get(dhIn, g + b) + get(dhRec, d + b)) * mv;
            float gv = get(z, g + b);
            float fv = get(z, g + gate + b);
            float ov = get(z, g + 2 * gate + b);
            float iv = get(z, g + 3 * gate + b);
            float tcv = get(tanhC, s + b);
            float dcv = get(dc, d + b) * mv + dh * ov * (1 - tcv * tcv);
            put(dz, g + b, dcv * iv * (1 - gv * gv));
            put(dz, g + gate + b, dcv * get(c, s + b) * fv * (1 - fv));
            put(dz, g + 2 * gate + b, dh * tcv * ov * (1 - ov));
            put(dz, g + 3 * gate + b, dcv * gv * iv * (1 - iv));
            put(dc, d + b, dcv * fv);
        }
    }

    /** The scalar activations and buffer accesses, shared with GruKernel. */
    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    /**
     * tanh from exp: Math.tanh is StrictMath's, a native call per element on JDK 17, while Math.exp
     * is a compiler intrinsic. Minibatches narrower than the machine's vectors (the default of 4
     * against AVX-512's 16 lanes) run every lane here. Below 1e-4, tanh(a) rounds to a in float.
     */
    static float tanh(float x) {
        double a = Math.abs((double) x);
        double t = a < 1e-4 ? a : 1 - 2 / (Math.exp(2 * a) + 1);
        return (float) Math.copySign(t, x);
    }

    static float get(ByteBuffer buffer, int index) {
        return buffer.getFloat(index << 2);
    }

    static void put(ByteBuffer buffer, int index, float value) {
        buffer.putFloat(index << 2, value);
    }
}
