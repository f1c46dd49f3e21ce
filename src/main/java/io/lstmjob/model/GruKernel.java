package io.lstmjob.model;

import static io.lstmjob.model.CellKernel.get;
import static io.lstmjob.model.CellKernel.put;
import static io.lstmjob.model.CellKernel.sigmoid;
import static io.lstmjob.model.CellKernel.tanh;

import java.nio.ByteBuffer;

/**
 * The element-wise parts of one GRU step, forward and backward, each one pass over the step's
 * elements (as {@link CellKernel} for the LSTM). A GRU step has two: the reset gate must be known
 * before the candidate's recurrent product, so each direction is split around that product.
 * Plain Java lanes; {@link VectorGruKernel} computes the forward parts (where the exp and tanh are)
 * with the JDK's Vector API where its module is present.
 * Works in place on {@link GruBuffers}' arrays, whose layouts it documents; gates in the order z, r, g.
 */
class GruKernel {
    final int n;
    final int batch;
    final ByteBuffer a;
    final ByteBuffer h;
    final ByteBuffer q;
    final ByteBuffer rec;
    final ByteBuffer ug;
    final ByteBuffer bias;
    final ByteBuffer mask;
    final ByteBuffer da;
    final ByteBuffer dhIn;
    final ByteBuffer dhRec;
    final ByteBuffer dq;
    int steps;
    boolean masked;

    GruKernel(GruBuffers b) {
        n = b.n;
        batch = b.batch;
        a = ArrayMemory.bytes(b.a);
        h = ArrayMemory.bytes(b.h);
        q = ArrayMemory.bytes(b.q);
        rec = ArrayMemory.bytes(b.rec);
        ug = ArrayMemory.bytes(b.ug);
        bias = ArrayMemory.bytes(b.bias);
        mask = ArrayMemory.bytes(b.mask);
        da = ArrayMemory.bytes(b.da);
        dhIn = ArrayMemory.bytes(b.dhIn);
        dhRec = ArrayMemory.bytes(b.dhRec);
        dq = ArrayMemory.bytes(b.dq);
    }

    /** The Vector API kernel where the JVM has its module (as {@link CellKernel#create}), else this one. */
    static GruKernel create(GruBuffers buffers) {
        return CellKernel.vectorised() ? new VectorGruKernel(buffers) : new GruKernel(buffers);
    }

    /** Sets the number of steps of the pass that follows and whether its steps are masked. */
    void begin(int steps, boolean masked) {
        this.steps = steps;
        this.masked = masked;
    }

    /** Step t, first part: z and r from a(t) + rec + b, and q(t) = r * h(t-1). */
    void gates(int t) {
        for (int u = 0; u < n; u++) {
            gateLanes(u, t, 0, batch);
        }
    }

    /** {@link #gates} of unit u for sequences from..to-1. */
    final void gateLanes(int u, int t, int from, int to) {
        int gate = n * steps * batch;
        int s = (u * steps + t) * batch;
        int hp = (u * (steps + 1) + t) * batch;
        int r = u * batch;
        float bz = get(bias, u);
        float br = get(bias, n + u);
        for (int b = from; b < to; b++) {
            float zv = sigmoid(get(a, s + b) + get(rec, r + b) + bz);
            float rv = sigmoid(get(a, gate + s + b) + get(rec, n * batch + r + b) + br);
            put(a, s + b, zv);
            put(a, gate + s + b, rv);
            put(q, s + b, rv * get(h, hp + b));
        }
    }

    /** Step t, second part: g from a(t) + ug + b, and h(t) = (1 - z) g + z h(t-1) (zero where masked). */
    void state(int t) {
        for (int u = 0; u < n; u++) {
            stateLanes(u, t, 0, batch);
        }
    }

    /** {@link #state} of unit u for sequences from..to-1. */
    final void stateLanes(int u, int t, int from, int to) {
        int gate = n * steps * batch;
        int s = (u * steps + t) * batch;
        int hp = (u * (steps + 1) + t) * batch;
        int r = u * batch;
        float bg = get(bias, 2 * n + u);
        for (int b = from; b < to; b++) {
            float gv = tanh(get(a, 2 * gate + s + b) + get(ug, r + b) + bg);
            put(a, 2 * gate + s + b, gv);
            float zv = get(a, s + b);
            float mv = masked ? get(mask, t * batch + b) : 1f;
            put(h, hp + batch + b, ((1 - zv) * gv + zv * get(h, hp + b)) * mv);
        }
    }

    /**
     * Step t backwards, first part: from dh(t) = dhIn(t) + dhRec, the gradients of g's and z's
     * pre-activations; dhRec becomes the direct part of the gradient of h(t-1), dh z.
     */
    void backwardState(int t) {
        int gate = n * steps * batch;
        for (int u = 0; u < n; u++) {
            int s = (u * steps + t) * batch;
            int hp = (u * (steps + 1) + t) * batch;
            int r = u * batch;
            for (int b = 0; b < batch; b++) {
                float mv = masked ? get(mask, t * batch + b) : 1f;
                float dh = (get(dhIn, s + b) + get(dhRec, r + b)) * mv;
                float zv = get(a, s + b);
                float gv = get(a, 2 * gate + s + b);
                put(da, 2 * gate + s + b, dh * (1 - zv) * (1 - gv * gv));
                put(da, s + b, dh * (get(h, hp + b) - gv) * zv * (1 - zv));
                put(dhRec, r + b, dh * zv);
            }
        }
    }

    /** Step t backwards, second part: from dq = Rg da_g, the gradient of r's pre-activation, and dhRec += dq r. */
    void backwardReset(int t) {
        int gate = n * steps * batch;
        for (int u = 0; u < n; u++) {
            int s = (u * steps + t) * batch;
            int hp = (u * (steps + 1) + t) * batch;
            int r = u * batch;
            for (int b = 0; b < batch; b++) {
                float rv = get(a, gate + s + b);
                float dqv = get(dq, r + b);
                put(da, gate + s + b, dqv * get(h, hp + b) * rv * (1 - rv));
                put(dhRec, r + b, get(dhRec, r + b) + dqv * rv);
            }
        }
    }
}
