package io.lstmjob.model;

import org.deeplearning4j.nn.conf.layers.Layer;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Copies a DL4J layer configuration into one of its subclasses (this package's fused layers):
 * every field of the configuration's class hierarchy, so nothing set on DL4J's builder is lost,
 * and the subclass serialises, initialises its parameters and is updated as the original would be.
 */
final class LayerConfigCopy {
    private LayerConfigCopy() {
    }

    static <T extends Layer> T into(Layer source, T target) {
        if (!source.getClass().isInstance(target)) {
            throw new IllegalArgumentException(target.getClass().getSimpleName() + " is not a " + source.getClass().getSimpleName());
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
                    throw new IllegalStateException("cannot copy " + type.getSimpleName() + " configuration field " + field.getName(), e);
                }
            }
        }
        return target;
    }
}
