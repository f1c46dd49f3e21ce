package io.lstmjob.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * libnd4j's adam_updater in one vector pass over the float arrays, in place, with its arithmetic:
 * m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2, and the update
 * m alpha / (sqrt(v) + epsilon) with alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t), t = iteration + 1,
 * in float (epsilon where alpha is not a positive finite number). Anything else (no Vector API
 * module, other types, non-contiguous views) goes to DL4J's own.
 */
class VectorAdamUpdater extends AdamUpdater {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    VectorAdamUpdater(Adam config) {
        super(config);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray m = getM();
        INDArray v = getV();
        if (!CellKernel.vectorised()
                || m == null
                || !contiguousFloats(gradient, m.length())
                || !contiguousFloats(m, m.length())
                || !contiguousFloats(v, m.length())) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        Adam config = getConfig();
        float beta1 = (float) config.getBeta1();
        float beta2 = (float) config.getBeta2();
        float epsilon = (float) config.getEpsilon();
        float t = iteration + 1;
        float alpha = (float) config.getLearningRate(iteration, epoch)
                * (float) Math.sqrt(1 - (float) Math.pow(beta2, t))
                / (1 - (float) Math.pow(beta1, t));
        if (!Float.isFinite(alpha) || alpha == 0) {
            alpha = epsilon;
        }
        Pass.run(
                ArrayMemory.bytes(gradient),
                ArrayMemory.bytes(m),
                ArrayMemory.bytes(v),
                (int) m.length(),
                beta1,
                beta2,
                epsilon,
                alpha);
    }

    private static boolean contiguousFloats(INDArray array, long length) {
        return array.dataType() == DataType.FLOAT
                && array.length() == length
                && array.elementWiseStride() == 1
                && array.length() <= Integer.MAX_VALUE / Float.BYTES;
    }

    /** Kept apart so that the Vector API classes load only where the module is present. */
    private static final class Pass {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

        static void run(
                ByteBuffer g,
                ByteBuffer m,
                ByteBuffer v,
                int length,
                float beta1,
                float beta2,
                float epsilon,
                float alpha) {
            int bound = SPECIES.loopBound(length);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                int at = i * Float.BYTES;
                FloatVector gv = FloatVector.fromByteBuffer(SPECIES, g, at, ORDER);
                FloatVector mv = FloatVector.fromByteBuffer(SPECIES, m, at, ORDER)
                        .mul(beta1)
                        .add(gv.mul(1 - beta1));
                FloatVector vv = FloatVector.fromByteBuffer(SPECIES, v, at, ORDER)
                        .mul(beta2)
                        .add(gv.mul(gv).mul(1 - beta2));
                mv.intoByteBuffer(m, at, ORDER);
                vv.intoByteBuffer(v, at, ORDER);
                mv.mul(alpha)
                        .div(vv.lanewise(VectorOperators.SQRT).add(epsilon))
                        .intoByteBuffer(g, at, ORDER);
            }
            for (int i = bound; i < length; i++) {
                int at = i * Float.BYTES;
                float gi = g.getFloat(at);
                float mi = beta1 * m.getFloat(at) + gi * (1 - beta1);
                float vi = beta2 * v.getFloat(at) + gi * gi * (1 - beta2);
                m.putFloat(at, mi);
                v.putFloat(at, vi);
                g.putFloat(at, mi * alpha / ((float) Math.sqrt(vi) + epsilon));
            }
        }
    }
}
