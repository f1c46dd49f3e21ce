package io.lstmjob.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's standard LSTM layer (same configuration, parameters, gate order and equations), computed
 * by {@link FusedLstmLayer}: one matrix product per step for all gates, gate activations kept from
 * the forward pass for the backward pass, and truncated BPTT that differentiates the forward pass
 * it ran (from the carried state, over the last {@code tbpttBackwardLength} steps).
 * It is a subclass of DL4J's {@code LSTM} configuration so that parameter initialisation, JSON,
 * wrappers (Bidirectional, LastTimeStep) and the updater treat it as that layer.
 */
public class FusedLstm extends LSTM {
    /**
     * Steps of a truncated-BPTT window the gradient flows back through (the network's
     * tBPTTBackwardLength, which DL4J 1.0.0-M2 does not pass to its layers); 0 = the whole window.
     */
    private int tbpttBackwardLength;
    /**
     * Whether backpropagation computes the gradient of the layer's input. The first layer of a
     * network does not need it (DL4J drops it while fitting): one product over the window and one
     * strided copy less. True in configurations saved before this setting existed.
     */
    private boolean inputGradient = true;
    /**
     * Units of the projection r = W_p (o * tanh(c)) (Sak et al. 2014's LSTMP): r is the layer's
     * output and its recurrent state, so RW is [projection, 4n] and the parameters add "P" [n,
     * projection]. 0 = none, DL4J's LSTM exactly (and in configurations saved before it existed).
     */
    private int projection;
    /**
     * Rounds of the Mogrifier LSTM (Melis et al. 2019): x and h gate each other this many times
     * before the step ({@link MogrifierRounds}), with parameters "Q1", "R2", "Q3", ... 0 = none.
     */
    private int mogrifierRounds;

    /** For JSON; build one with {@link #of(LSTM)}. */
    public FusedLstm() {}

    public int getTbpttBackwardLength() {
        return tbpttBackwardLength;
    }

    public void setTbpttBackwardLength(int tbpttBackwardLength) {
        if (tbpttBackwardLength < 0) {
            throw new IllegalArgumentException("tbpttBackwardLength must be >= 0, was " + tbpttBackwardLength);
        }
        this.tbpttBackwardLength = tbpttBackwardLength;
    }

    /** This layer with the gradient of a truncated-BPTT window cut after {@code steps} steps back. */
    public FusedLstm withTbpttBackwardLength(int steps) {
        setTbpttBackwardLength(steps);
        return this;
    }

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    /** This layer without the gradient of its input: for the first layer of a network, where nothing uses it. */
    public FusedLstm withoutInputGradient() {
        setInputGradient(false);
        return this;
    }

    public int getProjection() {
        return projection;
    }

    public void setProjection(int projection) {
        if (projection < 0) {
            throw new IllegalArgumentException("projection must be >= 0, was " + projection);
        }
        this.projection = projection;
    }

    /** This layer with its output and recurrence projected to {@code units} (0 = none). */
    public FusedLstm withProjection(int units) {
        setProjection(units);
        return this;
    }

    public int getMogrifierRounds() {
        return mogrifierRounds;
    }

    public void setMogrifierRounds(int mogrifierRounds) {
        if (mogrifierRounds < 0) {
            throw new IllegalArgumentException("mogrifierRounds must be >= 0, was " + mogrifierRounds);
        }
        this.mogrifierRounds = mogrifierRounds;
    }

    /** This layer as a Mogrifier LSTM of {@code rounds} rounds (0 = the plain LSTM). */
    public FusedLstm withMogrifierRounds(int rounds) {
        setMogrifierRounds(rounds);
        return this;
    }

    /** Units of the output, and of the state carried from step to step beside the cell state. */
    public long outputUnits() {
        return projection > 0 ? projection : getNOut();
    }

    @Override
    public ParamInitializer initializer() {
        return projection > 0 || mogrifierRounds > 0 ? FusedLstmParamInitializer.INSTANCE : super.initializer();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent unprojected =
                (InputType.InputTypeRecurrent) super.getOutputType(layerIndex, inputType);
        return projection > 0
                ? InputType.recurrent(projection, unprojected.getTimeSeriesLength(), unprojected.getFormat())
                : unprojected;
    }

    /** The same layer as {@code configured} (sigmoid gates, tanh cell), computed the fused way. */
    public static FusedLstm of(LSTM configured) {
        if (!(configured.getGateActivationFn() instanceof ActivationSigmoid)
                || !(configured.getActivationFn() instanceof ActivationTanH)) {
            throw new IllegalArgumentException("FusedLstm computes sigmoid gates and a tanh cell only");
        }
        return DerivedLayerConfig.copy(configured, new FusedLstm());
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FusedLstm", getLayerName(), layerIndex, getNIn(), getNOut());
        if (projection > 0 && mogrifierRounds > 0) {
            throw new IllegalStateException("FusedLstm computes a projection or Mogrifier rounds, not both");
        }
        return DerivedLayerConfig.wire(
                new FusedLstmLayer(conf, networkDataType),
                conf,
                listeners,
                layerIndex,
                layerParamsView,
                initializeParams,
                initializer());
    }
}
