package io.lstmjob.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's RnnOutputLayer (same configuration, parameters and results), computed by
 * {@link FusedRnnOutputLayer}: the training score reuses the pre-output the gradient was
 * computed from instead of computing it a second time.
 */
public class FusedRnnOutput extends RnnOutputLayer {
    /** For JSON; build one with {@link #of(RnnOutputLayer)}. */
    public FusedRnnOutput() {}

    public static FusedRnnOutput of(RnnOutputLayer configured) {
        return DerivedLayerConfig.copy(configured, new FusedRnnOutput());
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FusedRnnOutput", getLayerName(), layerIndex, getNIn(), getNOut());
        return DerivedLayerConfig.wire(
                new FusedRnnOutputLayer(conf, networkDataType),
                conf,
                listeners,
                layerIndex,
                layerParamsView,
                initializeParams,
                initializer());
    }
}
