package io.lstmjob.model;

import java.nio.ByteBuffer;

/**
 * The element-wise part of a Mogrifier round ({@link MogrifierRounds}) over one row of B lanes:
 * gate = sigmoid(pre) in place, out = 2 gate * source. The exp per element is most of a round's
 * cost beside its small product; {@link VectorMogrifierGates} computes it with the Vector API
 * where the JVM has the module (as {@link CellKernel#create} chooses). Offsets count floats.
 */
class MogrifierGates {
    static MogrifierGates create() {
        return CellKernel.vectorised() ? new VectorMogrifierGates() : new MogrifierGates();
    }

    void scale(ByteBuffer gate, ByteBuffer out, ByteBuffer source, int row, int sourceRow, int lanes) {
        scaleLanes(gate, out, source, row, sourceRow, 0, lanes);
    }

    protected final void scaleLanes(
            ByteBuffer gate, ByteBuffer out, ByteBuffer source, int row, int sourceRow, int from, int to) {
        for (int b = from; b < to; b++) {
            float s = CellKernel.sigmoid(CellKernel.get(gate, row + b));
            CellKernel.put(gate, row + b, s);
            CellKernel.put(out, row + b, 2 * s * CellKernel.get(source, sourceRow + b));
        }
    }
}
