package io.lstmjob.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What this package's layer configurations, subclasses of DL4J's that compute the same layer
 * their own way ({@link FusedLstm}, {@link FusedRnnOutput}), share with each other.
 */
final class DerivedLayerConfig {
    private DerivedLayerConfig() {}

    /**
     * Copies every field of {@code source}'s class hierarchy into {@code target}, a subclass: nothing
     * set on DL4J's builder is lost, and the subclass serialises, initialises its parameters and is
     * updated as the original would be.
     */
    static <T extends Layer> T copy(Layer source, T target) {
        if (!source.getClass().isInstance(target)) {
            throw new IllegalArgumentException(target.getClass().getSimpleName() + " is not a "
                    + source.getClass().getSimpleName());
        }
        for (Class<?> type = source.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    field.set(target, field.get(source));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(
                            "cannot copy " + type.getSimpleName() + " configuration field " + field.getName(), e);
                }
            }
        }
        return target;
    }

    /** Connects a layer made by {@code instantiate} to its configuration and parameters, as DL4J's own configurations do. */
    static <L extends org.deeplearning4j.nn.api.Layer> L wire(
            L layer,
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int layerIndex,
            INDArray paramsView,
            boolean initializeParams,
            ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
