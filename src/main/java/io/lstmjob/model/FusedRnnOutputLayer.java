package io.lstmjob.model;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The computation of {@link FusedRnnOutput}. While training, DL4J's MultiLayerNetwork asks the
 * output layer for its gradient and then, with the same input, labels and parameters, for its
 * score. For the two configurations NetworkFactory builds (mean squared error on the identity,
 * cross-entropy on the softmax) without dropout, the gradient pass is three matrix products into
 * buffers the layer keeps and one pass of {@link OutputLoss} between them, which also yields the
 * score the next call asks for; the input gradient comes out in the layout the fused LSTM below
 * works in (DL4J's reshape would copy it). Otherwise DL4J computes, and the pre-output of its
 * gradient pass is kept for the score that follows, once, so that the score is that of the very
 * pass the gradient came from (DL4J's would draw a second dropout mask for it). Any other call, or
 * other input or labels, computes afresh.
 */
public class FusedRnnOutputLayer extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {
    /** Set while DL4J's backpropGradient runs: its pre-output is kept. */
    private transient INDArray backpropInput;
    /** The kept pre-output (outside DL4J's workspaces). */
    private transient INDArray kept;
    /** The fused pass's loss summed over the window, and whether it is kept for the score. */
    private transient double keptLoss;

    private transient boolean lossKept;
    /** The input and labels the kept pre-output or loss was computed from. */
    private transient INDArray keptInput;

    private transient INDArray keptLabels;
    /** The fused pass's pre-output and then gradient, row-major [rows, outputs], kept between windows. */
    private transient INDArray delta;

    private transient double[] biasGradient;

    public FusedRnnOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        kept = null;
        lossKept = false;
        OutputLoss loss = fusedLoss();
        if (loss != null) {
            return fusedBackprop(loss, workspaceMgr);
        }
        // DL4J's RnnOutputLayer replaces input by its 2d reshape for the duration of the call: remember the caller's.
        backpropInput = input;
        try {
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            backpropInput = null;
        }
    }

    /** The fused loss when this layer's configuration and arrays are what the fused pass computes, else null. */
    private OutputLoss fusedLoss() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer conf = layerConf();
        boolean plain = conf.getIDropout() == null
                && conf.getWeightNoise() == null
                && conf.hasBias()
                && conf.getRnnDataFormat() == RNNFormat.NCW
                && input != null
                && input.rank() == 3
                && input.dataType() == DataType.FLOAT
                && labels != null
                && labels.rank() == 3
                && labels.dataType() == DataType.FLOAT
                && (maskArray == null || maskArray.isColumnVectorOrScalar());
        return plain ? OutputLoss.of(conf.getLossFn(), conf.getActivationFn()) : null;
    }

    private Pair<Gradient, INDArray> fusedBackprop(OutputLoss loss, LayerWorkspaceMgr workspaceMgr) {
        int batch = (int) input.size(0);
        int steps = (int) input.size(2);
        int rows = batch * steps;
        int outputs = (int) layerConf().getNOut();
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray b = getParam(DefaultParamInitializer.BIAS_KEY);
        // Rows b + batch t, as DL4J's: a view of the fused LSTM's output.
        INDArray input2d = TimeSeriesUtils.reshape3dTo2d(input, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray z = deltaBuffer(rows, outputs);
        FloatBuffer zFloats = ArrayMemory.bytes(z).asFloatBuffer();
        float[] bias = b.toFloatVector();
        for (int r = 0; r < rows; r++) {
            zFloats.put(r * outputs, bias);
        }
        MatrixProduct.multiply(input2d, false, w, false, z, 1.0);
        float[] mask = maskArray == null ? null : maskArray.toFloatVector();
        keptLoss = loss.toGradient(zFloats, rows, outputs, new OutputLoss.Labels(labels), mask, biasGradient);
        lossKept = true;
        keptInput = input;
        keptLabels = labels;

        INDArray weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray biasGradientView = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        MatrixProduct.multiply(input2d, true, z, false, weightGradient, 0.0);
        for (int o = 0; o < outputs; o++) {
            biasGradientView.putScalar(o, (float) biasGradient[o]);
        }
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGradientView);

        // The input gradient [rows, nIn] column-major is [batch, nIn, steps] laid out nIn x steps x batch.
        int nIn = (int) input.size(1);
        INDArray epsilon2d = workspaceMgr.createUninitialized(
                ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {rows, nIn}, 'f');
        MatrixProduct.multiply(z, false, w, true, epsilon2d, 0.0);
        INDArray epsilon3d = Nd4j.create(
                epsilon2d.data(), new long[] {batch, nIn, steps}, new long[] {1, rows, batch}, epsilon2d.offset(), 'f');
        return new Pair<>(gradient, epsilon3d);
    }

    /** The [rows, outputs] row-major buffer of the fused pass, made again only when a window's size changes. */
    private INDArray deltaBuffer(int rows, int outputs) {
        if (delta == null || delta.size(0) != rows || delta.size(1) != outputs) {
            delta = Nd4j.createUninitializedDetached(DataType.FLOAT, rows, outputs);
            biasGradient = new double[outputs];
        }
        return delta;
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        boolean reuse = lossKept && training && input == keptInput && labels == keptLabels;
        lossKept = false;
        if (!reuse) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        // As BaseOutputLayer: the loss per example of the minibatch, then the regularization term.
        double score = conf().isMiniBatch() ? keptLoss / getInputMiniBatchSize() : keptLoss;
        this.score = score + fullNetRegTerm;
        return this.score;
    }

    @Override
    protected INDArray preOutput2d(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray reuse = kept;
        kept = null;
        if (backpropInput != null) {
            INDArray preOut = super.preOutput2d(training, workspaceMgr);
            kept = preOut.detach();
            keptInput = backpropInput;
            keptLabels = labels;
            return preOut;
        }
        if (reuse != null && training && input == keptInput && labels == keptLabels) {
            return reuse;
        }
        return super.preOutput2d(training, workspaceMgr);
    }
}
