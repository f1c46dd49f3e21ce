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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The computation of {@link FusedLstm}: DL4J's LSTM equations and parameters (gate blocks g, f, o,
 * i in the columns of W [nIn, 4n], RW [n, 4n] and b [1, 4n]) with fewer and cheaper operations
 * than DL4J's own implementation:
 * <ul>
 *   <li>what does not wait for the previous step is one matrix product over the whole window:
 *       the input part of the pre-activations forwards, the weight gradient and the input
 *       gradient backwards ({@link FusedLstmBuffers} lays the arrays out for it); per step only
 *       the recurrent products remain;</li>
 *   <li>the element-wise part of a step, forward and backward, is one pass over its elements
 *       ({@link CellKernel}, with the Vector API where present) instead of a dozen libnd4j
 *       operations;</li>
 *   <li>a one-hot input (a character or token model's) is read as class indices: its products
 *       become a gather and a scatter ({@link OneHotInput});</li>
 *   <li>the forward pass keeps gates, cell states and outputs, and the backward pass that follows
 *       uses them instead of running the forward pass again (DL4J does).</li>
 * </ul>
 * The working arrays live outside DL4J's workspaces and are reused while the shapes allow. A mask
 * zeroes the cell state and the output at masked steps (as DL4J does). Float networks only.
 *
 * <p>Truncated BPTT: the forward pass of a window starts from the state the previous window ended
 * in (DL4J's stored-state maps), and the backward pass differentiates that same forward pass over
 * its last {@link FusedLstm#getTbpttBackwardLength()} steps. DL4J 1.0.0-M2's MultiLayerNetwork asks
 * recurrent layers for a plain, untruncated {@code backpropGradient} even under truncated BPTT,
 * and its own LSTM then runs the window's forward pass again from a zero state: the gradient is
 * not that of the loss it reports, the carried state is ignored and tbptt.backward has no effect.
 * This layer keeps its training forward pass and answers that call with the gradient of the pass
 * that was actually run (which also saves a second forward pass per window).
 *
 * <p>With a projection ({@link FusedLstm#getProjection()}, Sak et al. 2014's LSTMP), the output and
 * the state carried to the next step and window are r = P^T (o * tanh(c)) of p units: one more
 * product per step each way (r(t) = P^T m(t) forwards, the gradient of m(t), P dr(t), backwards),
 * and the gradient of P, m dr^T over the window, in one product. With Mogrifier rounds
 * ({@link FusedLstm#getMogrifierRounds()}, Melis et al. 2019), {@link MogrifierRounds} turns x(t)
 * and h(t-1) into the x and h the step reads, so the input product runs per step, and takes the
 * step's gradient back through the rounds.
 */
public class FusedLstmLayer extends org.deeplearning4j.nn.layers.recurrent.LSTM {
    private static final String W = LSTMParamInitializer.INPUT_WEIGHT_KEY;
    private static final String RW = LSTMParamInitializer.RECURRENT_WEIGHT_KEY;
    private static final String B = LSTMParamInitializer.BIAS_KEY;
    private static final String P = FusedLstmParamInitializer.P;

    private transient FusedLstmBuffers buffers;
    /** The last forward pass, consumed by the backward pass that follows it. */
    private transient Pass last;

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What a forward pass was run on, and the state it ended in. */
    private record Pass(
            INDArray input,
            INDArray h0,
            INDArray c0,
            boolean training,
            boolean storedState,
            int steps,
            int batch,
            boolean masked,
            boolean oneHot,
            INDArray output,
            INDArray lastH,
            INDArray lastC) {}

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
        Pass pass = forward(
                false,
                false,
                stateMap.get(STATE_KEY_PREV_ACTIVATION),
                stateMap.get(STATE_KEY_PREV_MEMCELL),
                workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
        stateMap.put(STATE_KEY_PREV_MEMCELL, pass.lastC());
        return pass.output();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(
            INDArray input, boolean training, boolean storeLastForTBPTT, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(
                training,
                true,
                tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION),
                tBpttStateMap.get(STATE_KEY_PREV_MEMCELL),
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
    public Pair<Gradient, INDArray> tbpttBackpropGradient(
            INDArray epsilon, int tbpttBackwardLength, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, true, tbpttBackwardLength, workspaceMgr);
    }

    private Pass forward(
            boolean training, boolean storedState, INDArray h0, INDArray c0, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (getDataFormat() != RNNFormat.NCW) {
            throw new IllegalStateException("FusedLstm takes [minibatch, channels, time] (NCW) input only");
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.rank() == 2 ? input.reshape(input.size(0), input.size(1), 1) : input;
        int batch = (int) x.size(0);
        int nIn = (int) x.size(1);
        int steps = (int) x.size(2);
        FusedLstm conf = (FusedLstm) layerConf();
        int n = (int) conf.getNOut();
        int p = (int) conf.outputUnits();
        INDArray w = getParamWithNoise(W, training, workspaceMgr);
        INDArray rw = getParamWithNoise(RW, training, workspaceMgr);
        INDArray bias = getParamWithNoise(B, training, workspaceMgr);
        if (w.dataType() != DataType.FLOAT) {
            throw new IllegalStateException(
                    "FusedLstm computes in FLOAT; this network's parameters are " + w.dataType());
        }
        FusedLstmBuffers buf = buffers(
                new FusedLstmBuffers.Shape(batch, nIn, n, conf.getProjection(), conf.getMogrifierRounds()), steps);
        FusedLstmBuffers.Window win = buf.window(steps);
        MogrifierRounds mogrifier = buf.mogrifier;

        buf.bias.assign(bias.reshape(4L * n));
        // Column block t of xh is [x(t); h(t-1)]: all inputs in one copy, h(-1) the carried state. Mogrified:
        // x goes to the rounds, which write their last x and h into column t step by step.
        (mogrifier != null ? win.rounds.input3 : win.inputs3).assign(x.permute(1, 2, 0));
        assignOrZero(win.stateFirst, h0 == null ? null : h0.transpose());
        assignOrZero(win.cFirst, c0 == null ? null : c0.transpose());
        boolean masked = maskArray != null;
        if (masked) {
            win.mask2.assign(maskArray.castTo(DataType.FLOAT).transpose());
        }

        CellKernel kernel = buf.kernel;
        kernel.begin(steps, masked);
        // W and RW are column-major [nIn, 4n] and [n, 4n]: their operands read them as the transposes of row-major
        // matrices.
        MatrixProduct.Operand wOp = buf.wOperand = MatrixProduct.Operand.reuse(buf.wOperand, w);
        MatrixProduct.Operand rwOp = buf.rwOperand = MatrixProduct.Operand.reuse(buf.rwOperand, rw);
        boolean oneHot = mogrifier == null && buf.oneHot.read(buf.xhFloats, steps * batch, (steps + 1) * batch);
        if (oneHot) {
            buf.oneHot.preActivations(w, buf.zFloats);
        } else if (mogrifier == null) {
            MatrixProduct.multiply(wOp, true, win.inputsOperand, false, win.zAllOperand, 0.0);
        }
        INDArray[] roundsT = mogrifier == null ? null : roundWeights(mogrifier, training, workspaceMgr, true);
        // P is column-major [n, p].
        MatrixProduct.Operand pOp = buf.projected
                ? buf.pOperand = MatrixProduct.Operand.reuse(buf.pOperand, getParamWithNoise(P, training, workspaceMgr))
                : null;
        for (int t = 0; t < steps; t++) {
            if (mogrifier != null) {
                mogrifier.forward(win.rounds, t, roundsT);
                MatrixProduct.multiply(wOp, true, win.inputStep[t], false, win.zStep[t], 0.0);
            }
            MatrixProduct.multiply(rwOp, true, win.hPrev[t], false, buf.zrOperand, 0.0);
            kernel.forward(t);
            if (pOp != null) {
                // r(t) = P^T m(t), where the next step and the output read h.
                MatrixProduct.multiply(pOp, true, win.mStep[t], false, win.hPrev[t + 1], 0.0);
            }
        }
        // All steps' outputs in one copy, from the h rows of column blocks 1..T.
        INDArray out = timeSeries(workspaceMgr, ArrayType.ACTIVATIONS, batch, p, steps, false);
        out.permute(1, 2, 0).assign(win.outputs3);
        if (input.rank() == 2) {
            out = out.reshape(batch, p);
        }
        INDArray lastH;
        INDArray lastC;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            lastH = win.stateLast.transpose().dup('c');
            lastC = win.cLast.transpose().dup('c');
        }
        last = new Pass(input, h0, c0, training, storedState, steps, batch, masked, oneHot, out, lastH, lastC);
        return last;
    }

    private Pair<Gradient, INDArray> backward(
            INDArray epsilon, boolean truncated, int backwardLength, LayerWorkspaceMgr workspaceMgr) {
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
        FusedLstmBuffers buf = buffers;
        boolean projected = buf.projected;
        int nIn = buf.nIn;
        FusedLstmBuffers.Window win = buf.window(steps);
        CellKernel kernel = buf.kernel;
        kernel.begin(steps, pass.masked());

        INDArray eps = epsilon.rank() == 2 ? epsilon.reshape(epsilon.size(0), epsilon.size(1), 1) : epsilon;
        // Projected: the gradient of r collects in dr, that of m goes to dhIn step by step, and dhRec stays 0.
        (projected ? win.drIn3() : win.dhIn3).assign(eps.permute(1, 2, 0));
        buf.dhRec.assign(0);
        buf.dc.assign(0);
        INDArray w = getParamWithNoise(W, true, workspaceMgr);
        INDArray rw = buf.rwRows.assign(getParamWithNoise(RW, true, workspaceMgr));
        MatrixProduct.Operand projection = projected
                ? buf.pOperand = MatrixProduct.Operand.reuse(buf.pOperand, getParamWithNoise(P, true, workspaceMgr))
                : null;
        MogrifierRounds mogrifier = buf.mogrifier;
        INDArray[] rounds = mogrifier == null ? null : roundWeights(mogrifier, true, workspaceMgr, false);
        // Steps before the truncated window get no gradient.
        int end = stepsBack > 0 ? Math.max(0, steps - stepsBack) : 0;
        for (int t = steps - 1; t >= end; t--) {
            if (projected) {
                // The gradient of m(t) = P dr(t), dr(t) complete: from above and through step t + 1.
                MatrixProduct.multiply(projection, false, win.drStep[t], false, win.dmStep[t], 0.0);
            }
            kernel.backward(t);
            if (mogrifier != null) {
                // Back through the rounds to x(t) and h(t-1), into dx and dhRec (at the cut, for Q and R only).
                mogrifier.backward(win.rounds, t, end, w, rw, rounds, win.dzStep[t]);
            } else if (t > end) {
                // The gradient of h(t-1) (projected: r(t-1)) through step t: RW dz(t).
                MatrixProduct.multiply(
                        buf.rwRowsOperand,
                        false,
                        win.dzStepOperand[t],
                        false,
                        projected ? win.drStep[t - 1] : buf.dhRecOperand,
                        projected ? 1.0 : 0.0);
            }
        }
        INDArray gradW = gradientViews.get(W);
        INDArray gradRW = gradientViews.get(RW);
        INDArray gradB = gradientViews.get(B);
        // Over the whole (truncated) window at once: the gradient of [W; RW; b]^T, dz [x; h(t-1); 1]^T (one
        // product: dz is read once), and that of x, W dz.
        INDArray dzWindow = win.dzFrom(end);
        win.ones.assign(1);
        if (pass.oneHot()) {
            // The input part by class into DL4J's W gradient (column q of it is row q of dW^T), the rest by a product.
            buf.oneHot.weightGradient(
                    buf.dzFloats, steps * batch, end * batch, 4 * n, FusedLstmBuffers.columnMajorFloats(gradW), nIn);
            MatrixProduct.multiply(dzWindow, false, win.hOnesFrom(end), true, buf.gradRecurrentT, 0.0);
            buf.copyGradient(null, gradRW, gradB);
        } else {
            MatrixProduct.multiply(dzWindow, false, win.xhFrom(end), true, buf.gradT, 0.0);
            buf.copyGradient(gradW, gradRW, gradB);
        }
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(W, gradW);
        gradient.gradientForVariable().put(RW, gradRW);
        gradient.gradientForVariable().put(B, gradB);
        if (projected) {
            // r(t) = P^T m(t): the gradient of P is the sum over steps of m(t) dr(t)^T.
            INDArray gradP = gradientViews.get(P);
            MatrixProduct.multiply(win.mFrom(end), false, win.drFrom(end), true, gradP, 0.0);
            gradient.gradientForVariable().put(P, gradP);
        }
        if (mogrifier != null) {
            INDArray[] gradRounds = new INDArray[mogrifier.rounds];
            for (int i = 1; i <= mogrifier.rounds; i++) {
                gradRounds[i - 1] = gradientViews.get(MogrifierRounds.key(i));
                gradient.gradientForVariable().put(MogrifierRounds.key(i), gradRounds[i - 1]);
            }
            mogrifier.weightGradients(win.rounds, end, gradRounds);
        }
        weightNoiseParams.clear();
        if (!((FusedLstm) layerConf()).isInputGradient()) {
            return new Pair<>(gradient, null);
        }
        INDArray dx = win.dxFrom(end);
        if (mogrifier == null) {
            MatrixProduct.multiply(w, false, dzWindow, false, dx, 0.0);
        }

        // Zeroed only where steps before the backward window get no gradient.
        INDArray epsilonOut = timeSeries(workspaceMgr, ArrayType.ACTIVATION_GRAD, batch, nIn, steps, end > 0);
        epsilonOut
                .permute(1, 2, 0)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(end, steps), NDArrayIndex.all())
                .assign(dx.reshape('c', nIn, steps - end, batch));

        if (epsilon.rank() == 2) {
            epsilonOut = epsilonOut.reshape(batch, nIn);
        }
        return new Pair<>(gradient, backpropDropOutIfPresent(epsilonOut));
    }

    /**
     * A [minibatch, size, time] array laid out size x time x minibatch: the layout DL4J's
     * RnnOutputLayer reshapes to [minibatch time, size] without a copy, and the one its
     * gradient arrives in (it is also that of this layer's own working arrays).
     */
    private static INDArray timeSeries(
            LayerWorkspaceMgr workspaceMgr, ArrayType type, int batch, int size, int steps, boolean zeroed) {
        long[] shape = {batch, steps, size};
        INDArray array = zeroed
                ? workspaceMgr.create(type, DataType.FLOAT, shape, 'f')
                : workspaceMgr.createUninitialized(type, DataType.FLOAT, shape, 'f');
        return array.permute(0, 2, 1);
    }

    /** The Mogrifier rounds' parameters Q1, R2, Q3, ... as DL4J keeps them (column-major), or their transposes. */
    private INDArray[] roundWeights(
            MogrifierRounds mogrifier, boolean training, LayerWorkspaceMgr workspaceMgr, boolean transposed) {
        INDArray[] weights = new INDArray[mogrifier.rounds];
        for (int i = 1; i <= mogrifier.rounds; i++) {
            INDArray weight = getParamWithNoise(MogrifierRounds.key(i), training, workspaceMgr);
            weights[i - 1] = transposed ? weight.transpose() : weight;
        }
        return weights;
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

    private FusedLstmBuffers buffers(FusedLstmBuffers.Shape shape, int steps) {
        if (buffers == null || !buffers.fits(shape, steps)) {
            int capacity = buffers != null && buffers.shape.equals(shape) ? Math.max(steps, buffers.capacity) : steps;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffers = new FusedLstmBuffers(shape, capacity);
            }
        }
        return buffers;
    }
}
