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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The computation of {@link FusedLstm}: DL4J's LSTM equations and parameters (gate blocks g, f, o,
 * i in the columns of W [nIn, 4n], RW [n, 4n] and b [1, 4n]) with fewer and cheaper operations
 * than DL4J's own implementation:
 * <ul>
 *   <li>one matrix product per step for the whole pre-activation, [W; RW; b]^T [x; h; 1];</li>
 *   <li>everything per step is a contiguous block laid out units x minibatch, so each gate is a
 *       contiguous block and the element-wise operations take libnd4j's fast path (column
 *       slices of a [minibatch, 4n] matrix, DL4J's layout, are several times slower);</li>
 *   <li>one sigmoid for all four gates: tanh(x) = 2 sigmoid(2x) - 1 (libnd4j's tanh costs
 *       about three sigmoids);</li>
 *   <li>the forward pass keeps gates, cell states and outputs, and the backward pass that follows
 *       uses them instead of running the forward pass again (DL4J does); per step it needs one
 *       product for the gradient of [x; h] and one to accumulate that of [W; RW; b].</li>
 * </ul>
 * The working arrays live outside DL4J's workspaces and are reused while the shapes allow. A mask
 * zeroes the cell state and the output at masked steps (as DL4J does).
 *
 * <p>Truncated BPTT: the forward pass of a window starts from the state the previous window ended
 * in (DL4J's stored-state maps), and the backward pass differentiates that same forward pass over
 * its last {@link FusedLstm#getTbpttBackwardLength()} steps. DL4J 1.0.0-M2's MultiLayerNetwork asks
 * recurrent layers for a plain, untruncated {@code backpropGradient} even under truncated BPTT,
 * and its own LSTM then runs the window's forward pass again from a zero state: the gradient is
 * not that of the loss it reports, the carried state is ignored and tbptt.backward has no effect.
 * This layer keeps its training forward pass and answers that call with the gradient of the pass
 * that was actually run (which also saves a second forward pass per window).
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
    private record Pass(INDArray input, INDArray h0, INDArray c0, boolean training, boolean storedState, int steps,
                        int batch, INDArray maskByStep, INDArray output, INDArray lastH, INDArray lastC) {
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(training, false, null, null, workspaceMgr).output();
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(false, false, stateMap.get(STATE_KEY_PREV_ACTIVATION), stateMap.get(STATE_KEY_PREV_MEMCELL), workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
        stateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        return pass.output();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(training, true, tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), tBpttStateMap.get(STATE_KEY_PREV_MEMCELL),
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

    private Pass forward(boolean training, boolean storedState, INDArray h0, INDArray c0, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (getDataFormat() != RNNFormat.NCW) {
            throw new IllegalStateException("FusedLstm takes [minibatch, channels, time] (NCW) input only");
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.rank() == 2 ? input.reshape(input.size(0), input.size(1), 1) : input;
        int batch = (int) x.size(0);
        int nIn = (int) x.size(1);
        int steps = (int) x.size(2);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(W, training, workspaceMgr);
        INDArray rw = getParamWithNoise(RW, training, workspaceMgr);
        INDArray bias = getParamWithNoise(B, training, workspaceMgr);
        Buffers buf = buffers(batch, nIn, n, steps, w.dataType());

        // [W; RW; b]^T, with the g block scaled by 2 so that one sigmoid also gives tanh(g) = 2 sigmoid(2 z_g) - 1.
        INDArray weights = buf.weightsT;
        weights.get(NDArrayIndex.all(), NDArrayIndex.interval(0, nIn)).assign(w.transpose());
        weights.get(NDArrayIndex.all(), NDArrayIndex.interval(nIn, nIn + n)).assign(rw.transpose());
        weights.get(NDArrayIndex.all(), NDArrayIndex.point(nIn + n)).assign(bias.reshape(4L * n));
        weights.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).muli(2);

        Buffers.Step first = buf.step(0);
        assignOrZero(first.hPrev, h0 == null ? null : h0.transpose());
        assignOrZero(first.cPrev, c0 == null ? null : c0.transpose());
        INDArray maskByStep = null;
        if (maskArray != null) {
            // Kept for the backward pass, so outside the forward pass's workspace.
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                maskByStep = maskArray.castTo(w.dataType()).transpose().dup('c').reshape(steps, 1, batch);
            }
        }
        // All steps' inputs in one copy: [minibatch, nIn, time] into the x rows of every step's block.
        buf.xh.get(NDArrayIndex.interval(0, steps), NDArrayIndex.interval(0, nIn), NDArrayIndex.all()).assign(x.permute(2, 1, 0));

        for (int t = 0; t < steps; t++) {
            Buffers.Step s = buf.step(t);
            Nd4j.gemm(weights, s.xh, s.z, false, false, 1.0, 0.0);
            Nd4j.exec(new Sigmoid(s.z, s.z));
            s.g.muli(2).subi(1);
            s.f.mul(s.cPrev, s.c);
            s.i.mul(s.g, s.tmp);
            s.c.addi(s.tmp);
            INDArray m = maskByStep == null ? null : maskByStep.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
            if (m != null) {
                s.c.muliRowVector(m);
            }
            tanh(s.c, s.tanhC);
            s.o.mul(s.tanhC, s.h);
            if (m != null) {
                s.h.muliRowVector(m);
            }
        }
        // All steps' outputs in one copy, from the h rows of blocks 1..T.
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[]{batch, n, steps}, 'f');
        out.permute(2, 1, 0).assign(buf.xh.get(NDArrayIndex.interval(1, steps + 1), NDArrayIndex.interval(nIn, nIn + n), NDArrayIndex.all()));
        if (input.rank() == 2) {
            out = out.reshape(batch, n);
        }
        INDArray lastH;
        INDArray lastC;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            lastH = buf.step(steps - 1).h.transpose().dup('c');
            lastC = buf.step(steps - 1).c.transpose().dup('c');
        }
        last = new Pass(input, h0, c0, training, storedState, steps, batch, maskByStep, out, lastH, lastC);
        return last;
    }

    /** tanh(c) = 2 sigmoid(2c) - 1, into {@code out}. */
    private static void tanh(INDArray c, INDArray out) {
        c.mul(2, out);
        Nd4j.exec(new Sigmoid(out, out));
        out.muli(2).subi(1);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, boolean truncated, int backwardLength, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray h0 = truncated ? stateMap.get(STATE_KEY_PREV_ACTIVATION) : null;
        INDArray c0 = truncated ? stateMap.get(STATE_KEY_PREV_MEMCELL) : null;
        Pass pass = last;
        last = null;
        boolean sameInput = pass != null && pass.training() && pass.input() == input;
        // Steps the gradient flows back through, from the window's end (0 = all of them).
        int stepsBack = truncated ? backwardLength : 0;
        if (sameInput && !truncated && pass.storedState()) {
            // A truncated-BPTT window's forward pass, differentiated as run (see the class comment).
            stepsBack = ((FusedLstm) layerConf()).getTbpttBackwardLength();
        } else if (!sameInput || !sameState(pass.h0(), h0) || !sameState(pass.c0(), c0)) {
            pass = forward(true, truncated, h0, c0, workspaceMgr);
            last = null;
        }
        if (truncated) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
            tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        }
        int steps = pass.steps();
        int batch = pass.batch();
        int n = (int) layerConf().getNOut();
        Buffers buf = buffers;
        int nIn = buf.nIn;
        // The forward product used [W; RW; b]^T with the g rows doubled: undo it for the gradients.
        INDArray weights = buf.weightsT;
        weights.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).muli(0.5);

        INDArray eps = epsilon.rank() == 2 ? epsilon.reshape(epsilon.size(0), epsilon.size(1), 1) : epsilon;
        buf.dhIn.get(NDArrayIndex.interval(0, steps), NDArrayIndex.all(), NDArrayIndex.all()).assign(eps.permute(2, 1, 0));
        buf.gradT.assign(0);
        buf.dc.assign(0);
        int end = stepsBack > 0 ? Math.max(0, steps - stepsBack) : 0;
        // Steps before the truncated window get no gradient.
        buf.dxh.get(NDArrayIndex.interval(0, end), NDArrayIndex.all(), NDArrayIndex.all()).assign(0);
        for (int t = steps - 1; t >= end; t--) {
            Buffers.Step s = buf.step(t);
            if (t == steps - 1) {
                buf.dh.assign(s.dhIn);
            } else {
                s.dhIn.add(buf.step(t + 1).dhPrev, buf.dh);
            }
            if (pass.maskByStep() != null) {
                INDArray m = pass.maskByStep().get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
                buf.dh.muliRowVector(m);
                buf.dc.muliRowVector(m);
            }
            // dc += dh * o * (1 - tanh(c)^2)
            Nd4j.exec(new Square(s.tanhC, s.tmp));
            Nd4j.exec(new OneMinus(s.tmp, s.tmp));
            s.tmp.muli(s.o).muli(buf.dh);
            buf.dc.addi(s.tmp);
            // gate deltas before the activation derivatives: o <- dh tanh(c), i <- dc g, f <- dc c(t-1), g <- dc i
            buf.dh.mul(s.tanhC, buf.dzO);
            buf.dc.mul(s.g, buf.dzI);
            buf.dc.mul(s.cPrev, buf.dzF);
            buf.dc.mul(s.i, buf.dzG);
            Nd4j.exec(new TimesOneMinus(s.sigmoidGates, buf.sigmoidDerivative));
            buf.dzSigmoidGates.muli(buf.sigmoidDerivative);
            Nd4j.exec(new Square(s.g, s.tmp));
            Nd4j.exec(new OneMinus(s.tmp, s.tmp));
            buf.dzG.muli(s.tmp);
            buf.dc.muli(s.f);
            // [dx; dh(t-1); -] = [W; RW; b] dz, and the gradient of [W; RW; b]^T accumulates dz [x; h(t-1); 1]^T.
            Nd4j.gemm(weights, buf.dz, s.dxh, true, false, 1.0, 0.0);
            Nd4j.gemm(buf.dz, s.xh, buf.gradT, false, true, 1.0, 1.0);
        }
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, weights.dataType(),
                new long[]{batch, nIn, steps}, 'f');
        epsilonOut.permute(2, 1, 0).assign(buf.dxh.get(NDArrayIndex.interval(0, steps), NDArrayIndex.interval(0, nIn), NDArrayIndex.all()));

        INDArray gradW = gradientViews.get(W);
        INDArray gradRW = gradientViews.get(RW);
        INDArray gradB = gradientViews.get(B);
        gradW.assign(buf.gradT.get(NDArrayIndex.all(), NDArrayIndex.interval(0, nIn)).transpose());
        gradRW.assign(buf.gradT.get(NDArrayIndex.all(), NDArrayIndex.interval(nIn, nIn + n)).transpose());
        gradB.assign(buf.gradT.get(NDArrayIndex.all(), NDArrayIndex.point(nIn + n)).reshape(1, 4L * n));
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
     * Working arrays laid out units x minibatch ('c' order), one contiguous block per step, and
     * the per-step views into them, made once. Step t's block of {@code xh} holds [x(t); h(t-1); 1].
     */
    private static final class Buffers {
        final int batch;
        final int nIn;
        final int n;
        final int capacity;
        final DataType type;
        /** [W; RW; b]^T: [4n, nIn + n + 1]. */
        final INDArray weightsT;
        final INDArray gradT;
        /** Per step [nIn + n + 1, minibatch]; one block more, whose h part is the last step's output. */
        final INDArray xh;
        final INDArray z;
        /** Per step [n, minibatch]; block 0 is the initial cell state, block t + 1 step t's. */
        final INDArray c;
        final INDArray tanhC;
        final INDArray dz;
        final INDArray dzG;
        final INDArray dzF;
        final INDArray dzO;
        final INDArray dzI;
        final INDArray dzSigmoidGates;
        /** Per step [nIn + n + 1, minibatch]: the gradient of [x(t); h(t-1); 1]. */
        final INDArray dxh;
        /** Per step [n, minibatch]: the gradient arriving from the layer above. */
        final INDArray dhIn;
        final INDArray dh;
        final INDArray dc;
        final INDArray tmp;
        final INDArray sigmoidDerivative;
        private final Step[] steps;

        Buffers(int batch, int nIn, int n, int capacity, DataType type) {
            this.batch = batch;
            this.nIn = nIn;
            this.n = n;
            this.capacity = capacity;
            this.type = type;
            int k = nIn + n + 1;
            weightsT = Nd4j.create(type, 4L * n, k);
            gradT = Nd4j.create(type, 4L * n, k);
            xh = Nd4j.create(type, capacity + 1L, k, batch);
            // The constant 1 that multiplies the bias column.
            xh.get(NDArrayIndex.all(), NDArrayIndex.point(k - 1), NDArrayIndex.all()).assign(1);
            z = Nd4j.create(type, capacity, 4L * n, batch);
            c = Nd4j.create(type, capacity + 1L, n, batch);
            tanhC = Nd4j.create(type, capacity, n, batch);
            dz = Nd4j.create(type, 4L * n, batch);
            dzG = rows(dz, 0, n);
            dzF = rows(dz, n, 2 * n);
            dzO = rows(dz, 2 * n, 3 * n);
            dzI = rows(dz, 3 * n, 4 * n);
            dzSigmoidGates = rows(dz, n, 4 * n);
            dxh = Nd4j.create(type, capacity, k, batch);
            dhIn = Nd4j.create(type, capacity, n, batch);
            dh = Nd4j.create(type, n, batch);
            dc = Nd4j.create(type, n, batch);
            tmp = Nd4j.create(type, n, batch);
            sigmoidDerivative = Nd4j.create(type, 3L * n, batch);
            steps = new Step[capacity];
        }

        boolean fitsShape(int batch, int nIn, int n, DataType type) {
            return this.batch == batch && this.nIn == nIn && this.n == n && this.type == type;
        }

        boolean fits(int batch, int nIn, int n, int steps, DataType type) {
            return fitsShape(batch, nIn, n, type) && steps <= capacity;
        }

        Step step(int t) {
            if (steps[t] == null) {
                steps[t] = new Step(this, t);
            }
            return steps[t];
        }

        static INDArray block(INDArray perStep, int t) {
            return perStep.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
        }

        static INDArray rows(INDArray matrix, int from, int to) {
            return matrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }

        /** Views of one step: its gates (DL4J order g, f, o, i), states and input. */
        static final class Step {
            final INDArray xh;
            final INDArray hPrev;
            final INDArray h;
            final INDArray z;
            final INDArray g;
            final INDArray f;
            final INDArray o;
            final INDArray i;
            final INDArray sigmoidGates;
            final INDArray cPrev;
            final INDArray c;
            final INDArray tanhC;
            final INDArray tmp;
            final INDArray dxh;
            /** The gradient of h(t-1), from this step's block of dxh. */
            final INDArray dhPrev;
            final INDArray dhIn;

            Step(Buffers b, int t) {
                int n = b.n;
                xh = block(b.xh, t);
                hPrev = rows(xh, b.nIn, b.nIn + n);
                h = rows(block(b.xh, t + 1), b.nIn, b.nIn + n);
                z = block(b.z, t);
                g = rows(z, 0, n);
                f = rows(z, n, 2 * n);
                o = rows(z, 2 * n, 3 * n);
                i = rows(z, 3 * n, 4 * n);
                sigmoidGates = rows(z, n, 4 * n);
                cPrev = block(b.c, t);
                c = block(b.c, t + 1);
                tanhC = block(b.tanhC, t);
                tmp = b.tmp;
                dxh = block(b.dxh, t);
                dhPrev = rows(dxh, b.nIn, b.nIn + n);
                dhIn = block(b.dhIn, t);
            }
        }
    }
}
