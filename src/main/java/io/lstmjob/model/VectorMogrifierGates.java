package io.lstmjob.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link MogrifierGates} with the JDK's Vector API (exp from its vector maths library); leftover lanes scalar. */
final class VectorMogrifierGates extends MogrifierGates {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    @Override
    void scale(ByteBuffer gate, ByteBuffer out, ByteBuffer source, int row, int sourceRow, int lanes) {
        int bound = SPECIES.loopBound(lanes);
        for (int b = 0; b < bound; b += SPECIES.length()) {
            int at = (row + b) * Float.BYTES;
            // sigmoid(x) = 1 / (1 + exp(-x))
            FloatVector s = ONE.div(FloatVector.fromByteBuffer(SPECIES, gate, at, ORDER)
                    .neg()
                    .lanewise(VectorOperators.EXP)
                    .add(ONE));
            s.intoByteBuffer(gate, at, ORDER);
            s.add(s)
                    .mul(FloatVector.fromByteBuffer(SPECIES, source, (sourceRow + b) * Float.BYTES, ORDER))
                    .intoByteBuffer(out, at, ORDER);
        }
        if (bound < lanes) {
            scaleLanes(gate, out, source, row, sourceRow, bound, lanes);
        }
    }
}
