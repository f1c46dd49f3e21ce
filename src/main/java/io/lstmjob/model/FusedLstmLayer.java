package io.lstmjob.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The computation of {@link FusedLstm}: DL4J's LSTM equations and parameter layout (gate blocks
 * g, f, o, i in the columns of W [nIn, 4n], RW [n, 4n] and b [1, 4n]), computed with fewer and
 * larger operations than DL4J's own implementation:
 * <ul>
 *   <li>forward: x W + b for all steps in one matrix product; per step only h RW, the gate
 *       activations (one tanh, one sigmoid over the three sigmoid gates) and the cell update;</li>
 *   <li>the forward pass keeps the gate activations, cell states and outputs, and the backward
 *       pass that follows uses them instead of running the forward pass again (DL4J does);</li>
 *   <li>backward: per step only the gate deltas and delta RW^T; then the weight gradients
 *       X^T dZ, H^T dZ and the input gradient dZ W^T as one product each.</li>
 * </ul>
 * The working arrays live outside DL4J's workspaces and are reused while the shapes allow.
 * A mask zeroes the cell state and the output at masked steps (as DL4J does). Truncated BPTT:
 * the state comes from and goes to the layer's state maps as in DL4J's LSTM, and the backward
 * pass covers the last tbptt.backward steps of the window.
 */
public class FusedLstmLayer extends org.deeplearning4j.nn.layers.recurrent.LSTM {
    private static final String W = LSTMParamInitializer.INPUT_WEIGHT_KEY;
    private static final String RW = LSTMParamInitializer.RECURRENT_WEIGHT_KEY;
    private static final String B = LSTMParamInitializer.BIAS_KEY;

    private transient Buffers buffers;
    /** The last forward pass, consumed by the backward pass that follows it. */
    private transient Pass last;

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What a forward pass was run on, and the state it ended in. */
    private record Pass(INDArray input, INDArray h0, INDArray c0, int steps, int batch, INDArray maskByStep,
                        INDArray output, INDArray lastH, INDArray lastC) {
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(training, null, null, workspaceMgr).output();
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(false, stateMap.get(STATE_KEY_PREV_ACTIVATION), stateMap.get(STATE_KEY_PREV_MEMCELL), workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
        stateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        return pass.output();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(training, tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), tBpttStateMap.get(STATE_KEY_PREV_MEMCELL),
                workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
            tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        }
        return pass.output();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, false, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackwardLength, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, true, tbpttBackwardLength, workspaceMgr);
    }

    private Pass forward(boolean training, INDArray h0, INDArray c0, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (getDataFormat() != RNNFormat.NCW) {
            throw new IllegalStateException("FusedLstm takes [minibatch, channels, time] (NCW) input only");
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.rank() == 2 ? input.reshape(input.size(0), input.size(1), 1) : input;
        int batch = (int) x.size(0);
        int steps = (int) x.size(2);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(W, training, workspaceMgr);
        INDArray rw = getParamWithNoise(RW, training, workspaceMgr);
        INDArray bias = getParamWithNoise(B, training, workspaceMgr);
        Buffers buf = buffers(batch, (int) x.size(1), n, steps, w.dataType());

        // Time-major copy of the input (a 2-d copy per step: much faster than one strided 3-d
        // permute), then every step's input projection in one product.
        for (int t = 0; t < steps; t++) {
            buf.step(t).x.assign(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)));
        }
        INDArray xs = buf.rows(buf.x, 0, steps);
        INDArray z = buf.rows(buf.a, 0, steps);
        Nd4j.gemm(xs, w, z, false, false, 1.0, 0.0);
        z.addiRowVector(bias);
        assignOrZero(buf.rows(buf.h, 0, 1), h0);
        assignOrZero(buf.rows(buf.c, 0, 1), c0);
        INDArray maskByStep = null;
        if (maskArray != null) {
            // Kept for the backward pass, so outside the forward pass's workspace.
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskByStep = maskArray.castTo(w.dataType()).transpose().dup('c').reshape(steps, batch, 1);
            }
        }

        for (int t = 0; t < steps; t++) {
            Buffers.Step s = buf.step(t);
            if (t > 0 || h0 != null) {
                Nd4j.gemm(s.hPrev, rw, s.a, false, false, 1.0, 1.0);
            }
            Nd4j.exec(new Tanh(s.g, s.g));
            Nd4j.exec(new Sigmoid(s.sigmoidGates, s.sigmoidGates));
            s.f.mul(s.cPrev, s.c);
            s.i.mul(s.g, s.tmp);
            s.c.addi(s.tmp);
            INDArray m = maskByStep == null ? null : maskByStep.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
            if (m != null) {
                s.c.muliColumnVector(m);
            }
            Nd4j.exec(new Tanh(s.c, s.tanhC));
            s.o.mul(s.tanhC, s.h);
            if (m != null) {
                s.h.muliColumnVector(m);
            }
        }

        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[]{batch, n, steps}, 'f');
        for (int t = 0; t < steps; t++) {
            out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)).assign(buf.step(t).h);
        }
        if (input.rank() == 2) {
            out = out.reshape(batch, n);
        }
        INDArray lastH;
        INDArray lastC;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            lastH = buf.rows(buf.h, steps, 1).dup('c');
            lastC = buf.rows(buf.c, steps, 1).dup('c');
        }
        last = new Pass(input, h0, c0, steps, batch, maskByStep, out, lastH, lastC);
        return last;
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, boolean truncated, int backwardLength, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray h0 = truncated ? stateMap.get(STATE_KEY_PREV_ACTIVATION) : null;
        INDArray c0 = truncated ? stateMap.get(STATE_KEY_PREV_MEMCELL) : null;
        Pass pass = last;
        if (pass == null || pass.input() != input || !sameState(pass.h0(), h0) || !sameState(pass.c0(), c0)) {
            pass = forward(true, h0, c0, workspaceMgr);
        }
        last = null;
        if (truncated) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
            tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        }
        int steps = pass.steps();
        int batch = pass.batch();
        int n = (int) layerConf().getNOut();
        Buffers buf = buffers;
        INDArray w = getParamWithNoise(W, true, workspaceMgr);
        INDArray rw = getParamWithNoise(RW, true, workspaceMgr);

        INDArray eps = epsilon.rank() == 2 ? epsilon.reshape(epsilon.size(0), epsilon.size(1), 1) : epsilon;
        for (int t = 0; t < steps; t++) {
            buf.step(t).dhIn.assign(eps.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)));
        }
        INDArray dz = buf.rows(buf.dz, 0, steps);
        dz.assign(0);
        buf.dhNext.assign(0);
        buf.dc.assign(0);
        int end = truncated ? Math.max(0, steps - backwardLength) : 0;
        for (int t = steps - 1; t >= end; t--) {
            Buffers.Step s = buf.step(t);
            s.dhIn.add(buf.dhNext, buf.dh);
            if (pass.maskByStep() != null) {
                INDArray m = pass.maskByStep().get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
                buf.dh.muliColumnVector(m);
                buf.dc.muliColumnVector(m);
            }
            // dc += dh * o * (1 - tanh(c)^2)
            Nd4j.exec(new Square(s.tanhC, s.tmp));
            Nd4j.exec(new OneMinus(s.tmp, s.tmp));
            s.tmp.muli(s.o).muli(buf.dh);
            buf.dc.addi(s.tmp);
            // gate deltas before the activation derivatives: o <- dh tanh(c), i <- dc g, f <- dc c(t-1)
            buf.dh.mul(s.tanhC, s.dzO);
            buf.dc.mul(s.g, s.dzI);
            buf.dc.mul(s.cPrev, s.dzF);
            Nd4j.exec(new TimesOneMinus(s.sigmoidGates, buf.sigmoidDerivative));
            s.dzSigmoidGates.muli(buf.sigmoidDerivative);
            // g <- dc i (1 - g^2)
            Nd4j.exec(new Square(s.g, s.tmp));
            Nd4j.exec(new OneMinus(s.tmp, s.tmp));
            buf.dc.mul(s.i, s.dzG);
            s.dzG.muli(s.tmp);
            buf.dc.muli(s.f);
            Nd4j.gemm(s.dz, rw, buf.dhNext, false, true, 1.0, 0.0);
        }

        INDArray gradW = gradientViews.get(W);
        INDArray gradRW = gradientViews.get(RW);
        INDArray gradB = gradientViews.get(B);
        Nd4j.gemm(buf.rows(buf.x, 0, steps), dz, gradW, true, false, 1.0, 0.0);
        Nd4j.gemm(buf.rows(buf.h, 0, steps), dz, gradRW, true, false, 1.0, 0.0);
        gradB.assign(dz.sum(true, 0));
        INDArray dx = buf.rows(buf.dx, 0, steps);
        Nd4j.gemm(dz, w, dx, false, true, 1.0, 0.0);
        long nIn = w.size(0);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(),
                new long[]{batch, nIn, steps}, 'f');
        for (int t = 0; t < steps; t++) {
            epsilonOut.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)).assign(buf.step(t).dx);
        }
        if (epsilon.rank() == 2) {
            epsilonOut = epsilonOut.reshape(batch, nIn);
        }

        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(W, gradW);
        gradient.gradientForVariable().put(RW, gradRW);
        gradient.gradientForVariable().put(B, gradB);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsilonOut));
    }

    private static boolean sameState(INDArray a, INDArray b) {
        return a == b || (a != null && b != null && a.equals(b));
    }

    private static void assignOrZero(INDArray target, INDArray value) {
        if (value == null) {
            target.assign(0);
        } else {
            target.assign(value);
        }
    }

    private Buffers buffers(int batch, int nIn, int n, int steps, DataType type) {
        if (buffers == null || !buffers.fits(batch, nIn, n, steps, type)) {
            int capacity = buffers != null && buffers.fitsShape(batch, nIn, n, type) ? Math.max(steps, buffers.capacity) : steps;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffers = new Buffers(batch, nIn, n, capacity, type);
            }
        }
        return buffers;
    }

    /**
     * Working arrays, time-major with one block of {@code batch} rows per step (so every per-step
     * view is a contiguous block), and the per-step views into them, made once.
     */
    private static final class Buffers {
        final int batch;
        final int nIn;
        final int n;
        final int capacity;
        final DataType type;
        final INDArray x;
        final INDArray a;
        /** h(-1) .. h(T-1): block t + 1 is step t's output; block 0 the initial state. */
        final INDArray h;
        final INDArray c;
        final INDArray tanhC;
        final INDArray dz;
        final INDArray dhIn;
        final INDArray dx;
        final INDArray dh;
        final INDArray dc;
        final INDArray dhNext;
        final INDArray tmp;
        final INDArray sigmoidDerivative;
        private final Step[] steps;

        Buffers(int batch, int nIn, int n, int capacity, DataType type) {
            this.batch = batch;
            this.nIn = nIn;
            this.n = n;
            this.capacity = capacity;
            this.type = type;
            x = Nd4j.create(type, (long) capacity * batch, nIn);
            a = Nd4j.create(type, (long) capacity * batch, 4L * n);
            h = Nd4j.create(type, (long) (capacity + 1) * batch, n);
            c = Nd4j.create(type, (long) (capacity + 1) * batch, n);
            tanhC = Nd4j.create(type, (long) capacity * batch, n);
            dz = Nd4j.create(type, (long) capacity * batch, 4L * n);
            dhIn = Nd4j.create(type, (long) capacity * batch, n);
            dx = Nd4j.create(type, (long) capacity * batch, nIn);
            dh = Nd4j.create(type, batch, n);
            dc = Nd4j.create(type, batch, n);
            dhNext = Nd4j.create(type, batch, n);
            tmp = Nd4j.create(type, batch, n);
            sigmoidDerivative = Nd4j.create(type, batch, 3L * n);
            steps = new Step[capacity];
        }

        boolean fitsShape(int batch, int nIn, int n, DataType type) {
            return this.batch == batch && this.nIn == nIn && this.n == n && this.type == type;
        }

        boolean fits(int batch, int nIn, int n, int steps, DataType type) {
            return fitsShape(batch, nIn, n, type) && steps <= capacity;
        }

        /** Blocks [from, from + count) of rows, one block per step. */
        INDArray rows(INDArray array, int fromBlock, int blocks) {
            return array.get(NDArrayIndex.interval((long) fromBlock * batch, (long) (fromBlock + blocks) * batch), NDArrayIndex.all());
        }

        Step step(int t) {
            if (steps[t] == null) {
                steps[t] = new Step(this, t);
            }
            return steps[t];
        }

        /** Views of one step: its gate columns (DL4J order g, f, o, i) and its blocks of the other arrays. */
        static final class Step {
            final INDArray a;
            final INDArray g;
            final INDArray f;
            final INDArray o;
            final INDArray i;
            final INDArray sigmoidGates;
            final INDArray hPrev;
            final INDArray h;
            final INDArray cPrev;
            final INDArray c;
            final INDArray tanhC;
            final INDArray tmp;
            final INDArray dz;
            final INDArray dzG;
            final INDArray dzF;
            final INDArray dzO;
            final INDArray dzI;
            final INDArray dzSigmoidGates;
            final INDArray dhIn;
            final INDArray x;
            final INDArray dx;

            Step(Buffers b, int t) {
                int n = b.n;
                a = b.rows(b.a, t, 1);
                g = columns(a, 0, n);
                f = columns(a, n, 2 * n);
                o = columns(a, 2 * n, 3 * n);
                i = columns(a, 3 * n, 4 * n);
                sigmoidGates = columns(a, n, 4 * n);
                hPrev = b.rows(b.h, t, 1);
                h = b.rows(b.h, t + 1, 1);
                cPrev = b.rows(b.c, t, 1);
                c = b.rows(b.c, t + 1, 1);
                tanhC = b.rows(b.tanhC, t, 1);
                tmp = b.tmp;
                dz = b.rows(b.dz, t, 1);
                dzG = columns(dz, 0, n);
                dzF = columns(dz, n, 2 * n);
                dzO = columns(dz, 2 * n, 3 * n);
                dzI = columns(dz, 3 * n, 4 * n);
                dzSigmoidGates = columns(dz, n, 4 * n);
                dhIn = b.rows(b.dhIn, t, 1);
                x = b.rows(b.x, t, 1);
                dx = b.rows(b.dx, t, 1);
            }

            private static INDArray columns(INDArray rows, int from, int to) {
                return rows.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
            }
        }
    }
}
