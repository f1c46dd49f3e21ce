package io.lstmjob.model;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GruKernel}'s forward parts with the JDK's Vector API, as {@link VectorCellKernel} does for
 * the LSTM (and written out the same way, no vector passing through a helper of this class: see
 * there why): per element two sigmoids and a tanh from the JDK's vector maths library instead of a
 * scalar call each. The backward parts have no exp or tanh and stay {@link GruKernel}'s. Lanes
 * left over at the end of a row go through the scalar code.
 */
final class VectorGruKernel extends GruKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    VectorGruKernel(GruBuffers buffers) {
        super(buffers);
    }

    @Override
    void gates(int t) {
        int bound = SPECIES.loopBound(batch);
        // Offsets in bytes: r's pre-activation lies gateStep after z's in a, rGateStep in rec.
        int gateStep = n * steps * batch * Float.BYTES;
        int rGateStep = n * batch * Float.BYTES;
        for (int u = 0; u < n; u++) {
            int s = (u * steps + t) * batch;
            int hp = (u * (steps + 1) + t) * batch;
            int r = u * batch;
            FloatVector bz = FloatVector.broadcast(SPECIES, bias.getFloat(u * Float.BYTES));
            FloatVector br = FloatVector.broadcast(SPECIES, bias.getFloat((n + u) * Float.BYTES));
            for (int b = 0; b < bound; b += SPECIES.length()) {
                int as = (s + b) * Float.BYTES;
                int rs = (r + b) * Float.BYTES;
                // sigmoid(x) = 1 / (1 + exp(-x))
                FloatVector zv = ONE.div(FloatVector.fromByteBuffer(SPECIES, a, as, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, rec, rs, ORDER))
                        .add(bz)
                        .neg()
                        .lanewise(VectorOperators.EXP)
                        .add(ONE));
                FloatVector rv = ONE.div(FloatVector.fromByteBuffer(SPECIES, a, as + gateStep, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, rec, rs + rGateStep, ORDER))
                        .add(br)
                        .neg()
                        .lanewise(VectorOperators.EXP)
                        .add(ONE));
                zv.intoByteBuffer(a, as, ORDER);
                rv.intoByteBuffer(a, as + gateStep, ORDER);
                rv.mul(FloatVector.fromByteBuffer(SPECIES, h, (hp + b) * Float.BYTES, ORDER))
                        .intoByteBuffer(q, as, ORDER);
            }
            if (bound < batch) {
                gateLanes(u, t, bound, batch);
            }
        }
    }

    @Override
    void state(int t) {
        int bound = SPECIES.loopBound(batch);
        int gateStep = n * steps * batch * Float.BYTES;
        for (int u = 0; u < n; u++) {
            int s = (u * steps + t) * batch;
            int hp = (u * (steps + 1) + t) * batch;
            int r = u * batch;
            int m = masked ? t * batch : -1;
            FloatVector bg = FloatVector.broadcast(SPECIES, bias.getFloat((2 * n + u) * Float.BYTES));
            for (int b = 0; b < bound; b += SPECIES.length()) {
                int as = (s + b) * Float.BYTES;
                int hPrev = (hp + b) * Float.BYTES;
                FloatVector gv = FloatVector.fromByteBuffer(SPECIES, a, as + 2 * gateStep, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, ug, (r + b) * Float.BYTES, ORDER))
                        .add(bg)
                        .lanewise(VectorOperators.TANH);
                gv.intoByteBuffer(a, as + 2 * gateStep, ORDER);
                FloatVector zv = FloatVector.fromByteBuffer(SPECIES, a, as, ORDER);
                FloatVector hv = FloatVector.fromByteBuffer(SPECIES, h, hPrev, ORDER);
                // (1 - z) g + z h = g + z (h - g)
                FloatVector next = zv.fma(hv.sub(gv), gv);
                if (m >= 0) {
                    next = next.mul(FloatVector.fromByteBuffer(SPECIES, mask, (m + b) * Float.BYTES, ORDER));
                }
                next.intoByteBuffer(h, hPrev + batch * Float.BYTES, ORDER);
            }
            if (bound < batch) {
                stateLanes(u, t, bound, batch);
            }
        }
    }
}
