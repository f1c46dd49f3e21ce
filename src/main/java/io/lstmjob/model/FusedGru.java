package io.lstmjob.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GRU layer (DL4J 1.0.0-M2 has none for a MultiLayerNetwork), computed by {@link FusedGruLayer}.
 * Cho et al.'s original cell, which is also ONNX's {@code GRU} with {@code linear_before_reset = 0}
 * (PyTorch's applies the reset gate after the recurrent product instead):
 * <pre>
 *   z = sigmoid(x Wz + h Rz + bz)      r = sigmoid(x Wr + h Rr + br)
 *   g = tanh(x Wg + (r * h) Rg + bg)   h' = (1 - z) * g + z * h
 * </pre>
 * Parameters ({@link GruParamInitializer}): "W" [nIn, 3n], "RW" [n, 3n], "b" [1, 3n], column
 * blocks z, r, g (ONNX's order). The update gate's bias starts at {@code updateGateBias}
 * (model.forgetGateBias: z is the share of the old state a step keeps, the forget gate's role).
 * Truncated BPTT as {@link FusedLstm}: carried state, gradient cut after {@code tbpttBackwardLength} steps.
 */
public class FusedGru extends BaseRecurrentLayer {
    private double updateGateBias;
    /** As {@link FusedLstm#getTbpttBackwardLength()}. */
    private int tbpttBackwardLength;
    /** As {@link FusedLstm#isInputGradient()}. */
    private boolean inputGradient = true;

    /** For JSON; build one with {@link Builder}. */
    public FusedGru() {}

    private FusedGru(Builder builder) {
        super(builder);
        this.updateGateBias = builder.updateGateBias;
        this.tbpttBackwardLength = builder.tbpttBackwardLength;
        initializeConstraints(builder);
    }

    public double getUpdateGateBias() {
        return updateGateBias;
    }

    public void setUpdateGateBias(double updateGateBias) {
        this.updateGateBias = updateGateBias;
    }

    public int getTbpttBackwardLength() {
        return tbpttBackwardLength;
    }

    public void setTbpttBackwardLength(int tbpttBackwardLength) {
        if (tbpttBackwardLength < 0) {
            throw new IllegalArgumentException("tbpttBackwardLength must be >= 0, was " + tbpttBackwardLength);
        }
        this.tbpttBackwardLength = tbpttBackwardLength;
    }

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    /** This layer without the gradient of its input: for the first layer of a network, where nothing uses it. */
    public FusedGru withoutInputGradient() {
        setInputGradient(false);
        return this;
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FusedGru", getLayerName(), layerIndex, getNIn(), getNOut());
        return DerivedLayerConfig.wire(
                new FusedGruLayer(conf, networkDataType),
                conf,
                listeners,
                layerIndex,
                layerParamsView,
                initializeParams,
                initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return GruParamInitializer.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, FusedGru.class, inputType, getOutputType(-1, inputType))
                .standardMemory(params, params)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /** Sigmoid gates and a tanh candidate are fixed: this builder sets sizes, the update gate's bias and the backward length. */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private double updateGateBias;
        private int tbpttBackwardLength;

        public Builder updateGateBias(double bias) {
            this.updateGateBias = bias;
            return this;
        }

        public Builder tbpttBackwardLength(int steps) {
            this.tbpttBackwardLength = steps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FusedGru build() {
            return new FusedGru(this);
        }
    }
}
