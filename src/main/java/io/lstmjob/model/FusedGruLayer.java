package io.lstmjob.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The computation of {@link FusedGru}, the way {@link FusedLstmLayer} computes the LSTM: the
 * products that do not wait for the previous step over the whole window at once, per step two
 * recurrent products (z and r's, then the candidate's, which reads r * h) and the element-wise
 * parts in one pass each ({@link GruKernel}); the forward pass keeps what the backward pass needs.
 * Truncated BPTT as the LSTM's: a window starts from the state the previous one ended in, and its
 * backward pass differentiates that forward pass over its last tbpttBackwardLength steps (DL4J
 * 1.0.0-M2 asks for a plain backpropGradient even then: see FusedLstmLayer). A mask zeroes h at
 * masked steps. Float networks, [minibatch, channels, time] input.
 */
public class FusedGruLayer extends BaseRecurrentLayer<FusedGru> {
    /** The stateMap key of the carried h (the only state a GRU has). */
    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";

    private static final String W = GruParamInitializer.W;
    private static final String RW = GruParamInitializer.RW;
    private static final String B = GruParamInitializer.B;

    private transient GruBuffers buffers;
    /** The last forward pass, consumed by the backward pass that follows it. */
    private transient Pass last;

    public FusedGruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What a forward pass was run on, and the state it ended in. */
    private record Pass(
            INDArray input,
            INDArray h0,
            boolean training,
            boolean storedState,
            int steps,
            int batch,
            boolean masked,
            INDArray output,
            INDArray lastH) {}

    @Override
    public Layer.Type type() {
        return Layer.Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(training, false, null, workspaceMgr).output();
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(false, false, stateMap.get(STATE_KEY_PREV_ACTIVATION), workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
        return pass.output();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(
            INDArray input, boolean training, boolean storeLastForTBPTT, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(training, true, tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
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

    private Pass forward(boolean training, boolean storedState, INDArray h0, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (getDataFormat() != RNNFormat.NCW) {
            throw new IllegalStateException("FusedGru takes [minibatch, channels, time] (NCW) input only");
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray in = input.rank() == 2 ? input.reshape(input.size(0), input.size(1), 1) : input;
        int batch = (int) in.size(0);
        int nIn = (int) in.size(1);
        int steps = (int) in.size(2);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(W, training, workspaceMgr);
        INDArray rw = getParamWithNoise(RW, training, workspaceMgr);
        INDArray bias = getParamWithNoise(B, training, workspaceMgr);
        if (w.dataType() != DataType.FLOAT) {
            throw new IllegalStateException(
                    "FusedGru computes in FLOAT; this network's parameters are " + w.dataType());
        }
        GruBuffers buf = buffers(batch, nIn, n, steps);
        GruBuffers.Window win = buf.window(steps);
        buf.bias.assign(bias.reshape(3L * n));
        win.x3.assign(in.permute(1, 2, 0));
        INDArray hStart = win.h3.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
        if (h0 == null) {
            hStart.assign(0);
        } else {
            hStart.assign(h0.transpose());
        }
        boolean masked = maskArray != null;
        if (masked) {
            win.mask2.assign(maskArray.castTo(DataType.FLOAT).transpose());
        }
        GruKernel kernel = buf.kernel;
        kernel.begin(steps, masked);
        // W and RW are column-major [nIn, 3n] and [n, 3n]: their transposes (and column blocks') are row-major.
        INDArray rwT = rw.transpose();
        INDArray zrT = rwT.get(NDArrayIndex.interval(0, 2 * n), NDArrayIndex.all());
        INDArray gT = rwT.get(NDArrayIndex.interval(2 * n, 3 * n), NDArrayIndex.all());
        MatrixProduct.multiply(w.transpose(), false, win.inputs(), false, win.preActivations(), 0.0);
        for (int t = 0; t < steps; t++) {
            MatrixProduct.multiply(zrT, false, win.hPrev[t], false, buf.rec, 0.0);
            kernel.gates(t);
            MatrixProduct.multiply(gT, false, win.qStep[t], false, buf.ug, 0.0);
            kernel.state(t);
        }
        INDArray out = workspaceMgr
                .createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {batch, steps, n}, 'f')
                .permute(0, 2, 1);
        out.permute(1, 2, 0)
                .assign(win.h3.get(NDArrayIndex.all(), NDArrayIndex.interval(1, steps + 1), NDArrayIndex.all()));
        if (input.rank() == 2) {
            out = out.reshape(batch, n);
        }
        INDArray lastH;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            lastH = win.h3
                    .get(NDArrayIndex.all(), NDArrayIndex.point(steps), NDArrayIndex.all())
                    .transpose()
                    .dup('c');
        }
        last = new Pass(input, h0, training, storedState, steps, batch, masked, out, lastH);
        return last;
    }

    private Pair<Gradient, INDArray> backward(
            INDArray epsilon, boolean truncated, int backwardLength, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray h0 = truncated ? stateMap.get(STATE_KEY_PREV_ACTIVATION) : null;
        Pass pass = last;
        last = null;
        boolean sameInput = pass != null && pass.training() && pass.input() == input;
        int stepsBack = truncated ? backwardLength : 0;
        if (sameInput && !truncated && pass.storedState()) {
            // A truncated-BPTT window's forward pass, differentiated as run (see FusedLstmLayer).
            stepsBack = layerConf().getTbpttBackwardLength();
        } else if (!sameInput || !sameState(pass.h0(), h0)) {
            pass = forward(true, truncated, h0, workspaceMgr);
            last = null;
        }
        if (truncated) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, pass.lastH());
        }
        int steps = pass.steps();
        int batch = pass.batch();
        int n = (int) layerConf().getNOut();
        GruBuffers buf = buffers;
        int nIn = buf.nIn;
        GruBuffers.Window win = buf.window(steps);
        GruKernel kernel = buf.kernel;
        kernel.begin(steps, pass.masked());

        INDArray eps = epsilon.rank() == 2 ? epsilon.reshape(epsilon.size(0), epsilon.size(1), 1) : epsilon;
        win.dhIn3.assign(eps.permute(1, 2, 0));
        buf.dhRec.assign(0);
        INDArray w = getParamWithNoise(W, true, workspaceMgr);
        INDArray rw = buf.rwRows.assign(getParamWithNoise(RW, true, workspaceMgr));
        INDArray zr = rw.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2 * n));
        INDArray g = rw.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, 3 * n));
        // Steps before the truncated window get no gradient.
        int end = stepsBack > 0 ? Math.max(0, steps - stepsBack) : 0;
        for (int t = steps - 1; t >= end; t--) {
            kernel.backwardState(t);
            MatrixProduct.multiply(g, false, win.daG[t], false, buf.dq, 0.0);
            kernel.backwardReset(t);
            if (t > end) {
                // The gradient of h(t-1) through z's and r's pre-activations: Rzr da_zr(t).
                MatrixProduct.multiply(zr, false, win.daZr[t], false, buf.dhRec, 1.0);
            }
        }
        INDArray gradW = gradientViews.get(W);
        INDArray gradRW = gradientViews.get(RW);
        INDArray gradB = gradientViews.get(B);
        // DL4J's column-major gradients, transposed, are row-major [3n, ...]: the products write into them.
        INDArray gradRWT = gradRW.transpose();
        MatrixProduct.multiply(win.da(0, 3 * n, end), false, win.inputsFrom(end), true, gradW.transpose(), 0.0);
        MatrixProduct.multiply(
                win.da(0, 2 * n, end),
                false,
                win.hPrevFrom(end),
                true,
                gradRWT.get(NDArrayIndex.interval(0, 2 * n), NDArrayIndex.all()),
                0.0);
        MatrixProduct.multiply(
                win.da(2 * n, n, end),
                false,
                win.qFrom(end),
                true,
                gradRWT.get(NDArrayIndex.interval(2 * n, 3 * n), NDArrayIndex.all()),
                0.0);
        MatrixProduct.multiply(win.da(0, 3 * n, end), false, win.onesFrom(end), false, gradB.reshape(3L * n, 1), 0.0);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(W, gradW);
        gradient.gradientForVariable().put(RW, gradRW);
        gradient.gradientForVariable().put(B, gradB);
        weightNoiseParams.clear();
        if (!layerConf().isInputGradient()) {
            return new Pair<>(gradient, null);
        }
        INDArray dx = win.dxFrom(end);
        MatrixProduct.multiply(w, false, win.da(0, 3 * n, end), false, dx, 0.0);
        long[] shape = {batch, steps, nIn};
        INDArray epsilonOut = (end > 0
                        ? workspaceMgr.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, shape, 'f')
                        : workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, shape, 'f'))
                .permute(0, 2, 1);
        epsilonOut
                .permute(1, 2, 0)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(end, steps), NDArrayIndex.all())
                .assign(dx.reshape('c', nIn, steps - end, batch));
        if (epsilon.rank() == 2) {
            epsilonOut = epsilonOut.reshape(batch, nIn);
        }
        return new Pair<>(gradient, backpropDropOutIfPresent(epsilonOut));
    }

    private static boolean sameState(INDArray a, INDArray b) {
        return a == b || (a != null && b != null && a.equals(b));
    }

    private GruBuffers buffers(int batch, int nIn, int n, int steps) {
        if (buffers == null || !buffers.fits(batch, nIn, n, steps)) {
            int capacity =
                    buffers != null && buffers.fitsShape(batch, nIn, n) ? Math.max(steps, buffers.capacity) : steps;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffers = new GruBuffers(batch, nIn, n, capacity);
            }
        }
        return buffers;
    }
}
