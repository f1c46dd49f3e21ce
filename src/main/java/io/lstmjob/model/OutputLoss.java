package io.lstmjob.model;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * The two losses of the per-step output layer (NetworkFactory's forecaster and character model),
 * as DL4J's LossMSE with the identity and LossMCXENT with the softmax compute them, in one pass
 * over the pre-output that turns it into the gradient dLoss/dz in place and returns the loss: the
 * ~10 libnd4j operations and their arrays DL4J makes for a gradient and then again for its score.
 */
enum OutputLoss {
    /** (z - y)^2 summed over outputs and divided by their number; gradient 2 (z - y) / outputs. */
    MEAN_SQUARED_ERROR {
        @Override
        double rowToGradient(FloatBuffer z, int at, int outputs, Labels labels, int labelsAt) {
            double loss = 0;
            for (int o = 0; o < outputs; o++) {
                float d = z.get(at + o) - labels.get(labelsAt, o);
                loss += d * d;
                z.put(at + o, d * 2f / outputs);
            }
            return loss / outputs;
        }
    },
    /** -sum y log(p) with p = softmax(z), p clipped below at LossMCXENT's 1e-10 for the loss; gradient p - y. */
    SOFTMAX_CROSS_ENTROPY {
        @Override
        double rowToGradient(FloatBuffer z, int at, int outputs, Labels labels, int labelsAt) {
            float max = Float.NEGATIVE_INFINITY;
            for (int o = 0; o < outputs; o++) {
                max = Math.max(max, z.get(at + o));
            }
            double sum = 0;
            for (int o = 0; o < outputs; o++) {
                float e = (float) Math.exp(z.get(at + o) - max);
                z.put(at + o, e);
                sum += e;
            }
            double loss = 0;
            for (int o = 0; o < outputs; o++) {
                float p = (float) (z.get(at + o) / sum);
                float y = labels.get(labelsAt, o);
                if (y != 0) {
                    loss -= y * Math.log(Math.max(p, SOFTMAX_CLIP));
                }
                z.put(at + o, p - y);
            }
            return loss;
        }
    };

    /** LossMCXENT's default softmaxClipEps, the only one computed here. */
    private static final double SOFTMAX_CLIP = 1e-10;

    /** The fused loss for DL4J's loss function and activation, or null when it is neither of the two (unweighted). */
    static OutputLoss of(ILossFunction loss, IActivation activation) {
        if (loss.getClass() == LossMSE.class
                && ((LossMSE) loss).getWeights() == null
                && activation instanceof ActivationIdentity) {
            return MEAN_SQUARED_ERROR;
        }
        if (loss.getClass() == LossMCXENT.class
                && ((LossMCXENT) loss).getWeights() == null
                && ((LossMCXENT) loss).getSoftmaxClipEps() == SOFTMAX_CLIP
                && activation instanceof ActivationSoftmax) {
            return SOFTMAX_CROSS_ENTROPY;
        }
        return null;
    }

    /** A row of the pre-output, z[at, at + outputs), becomes its gradient; returns the row's loss. */
    abstract double rowToGradient(FloatBuffer z, int at, int outputs, Labels labels, int labelsAt);

    /**
     * The pre-output z, row-major [rows, outputs] in {@code preOutput}, becomes dLoss/dz, each row times its mask
     * (null: all 1); the bias gradient (column sums) goes to {@code biasGradient}. Returns the masked loss sum.
     */
    double toGradient(
            FloatBuffer preOutput, int rows, int outputs, Labels labels, float[] mask, double[] biasGradient) {
        Arrays.fill(biasGradient, 0);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int at = r * outputs;
            float m = mask == null ? 1f : mask[r];
            if (m == 0f) {
                for (int o = 0; o < outputs; o++) {
                    preOutput.put(at + o, 0f);
                }
                continue;
            }
            double rowLoss = rowToGradient(preOutput, at, outputs, labels, labels.row(r));
            loss += rowLoss * m;
            for (int o = 0; o < outputs; o++) {
                float g = preOutput.get(at + o) * m;
                preOutput.put(at + o, g);
                biasGradient[o] += g;
            }
        }
        return loss;
    }

    /**
     * The labels of a window as the output layer's rows see them: DL4J's [minibatch, outputs, time] array (any
     * strides, e.g. a truncated-BPTT window's view of the whole minibatch), row r = b + minibatch t.
     */
    static final class Labels {
        private final FloatBuffer data;
        private final int batch;
        private final long offset;
        private final long exampleStride;
        private final long outputStride;
        private final long stepStride;

        Labels(INDArray labels) {
            this.data = labels.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.batch = (int) labels.size(0);
            this.offset = labels.offset();
            this.exampleStride = labels.stride(0);
            this.outputStride = labels.stride(1);
            this.stepStride = labels.stride(2);
        }

        /** Where row r's labels start. */
        int row(int r) {
            return (int) (offset + (r % batch) * exampleStride + (r / batch) * stepStride);
        }

        float get(int rowAt, int output) {
            return data.get((int) (rowAt + output * outputStride));
        }
    }
}
