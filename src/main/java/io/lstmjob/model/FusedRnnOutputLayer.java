package io.lstmjob.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The computation of {@link FusedRnnOutput}. While training, DL4J's MultiLayerNetwork asks the
 * output layer for its gradient and then, with the same input, labels and parameters, for its
 * score; each call computes the pre-output (the input reshaped to 2d, a matrix product and the
 * bias) again. This layer keeps the pre-output of the gradient pass and hands it to the score
 * that follows, once: any other call, or other input or labels, computes it afresh. With dropout
 * on the output layer, the score is thus that of the very pass the gradient came from (DL4J's
 * would draw a second dropout mask for it).
 */
public class FusedRnnOutputLayer extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {
    /** Set while backpropGradient runs: its pre-output is kept. */
    private transient INDArray backpropInput;
    /** The kept pre-output (outside DL4J's workspaces), and the input and labels it was computed from. */
    private transient INDArray kept;

    private transient INDArray keptInput;
    private transient INDArray keptLabels;

    public FusedRnnOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        kept = null;
        // DL4J's RnnOutputLayer replaces input by its 2d reshape for the duration of the call: remember the caller's.
        backpropInput = input;
        try {
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            backpropInput = null;
        }
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
