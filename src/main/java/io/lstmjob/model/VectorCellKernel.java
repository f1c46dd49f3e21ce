package io.lstmjob.model;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CellKernel} with the JDK's Vector API: the machine's widest float vectors, and exp and
 * tanh from the JDK's vector maths library instead of one scalar call per element. Lanes left
 * over at the end of a row go through the scalar code. Needs {@code --add-modules
 * jdk.incubator.vector} (conf/java17.args); {@link CellKernel#create} picks it only then.
 *
 * <p>No vector passes through a method of this class: every load, store and activation is
 * written out where it is used. A byte-buffer access expands to many compiler nodes, and once a
 * method passes C2's node budget (NodeCountInliningCutoff) C2 stops inlining small helpers (the
 * JDK's own methods are exempt). A helper left as a call boxes its vectors on the heap and runs
 * the Vector API's scalar fallback (StrictMath's tanh per lane); which helpers missed the budget
 * changed from one JVM to the next, and such a JVM trained markedly slower (docs/PERFORMANCE.md).
 */
final class VectorCellKernel extends CellKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    VectorCellKernel(FusedLstmBuffers buffers) {
        super(buffers);
    }

    @Override
    void forward(int t) {
        int gate = n * steps * batch;
        int bound = SPECIES.loopBound(batch);
        // Offsets in bytes here: a unit's four gates lie gateStep apart in z, rGateStep in zr.
        int gateStep = gate * Float.BYTES;
        int rGateStep = n * batch * Float.BYTES;
        for (int u = 0; u < n; u++) {
            int g = (u * steps + t) * batch;
            int r = u * batch;
            int s = (t * n + u) * batch;
            int h = ((hRow + u) * (steps + 1) + t + 1) * batch;
            int m = masked ? t * batch : -1;
            FloatVector bg = FloatVector.broadcast(SPECIES, bias.getFloat(u * Float.BYTES));
            FloatVector bf = FloatVector.broadcast(SPECIES, bias.getFloat((n + u) * Float.BYTES));
            FloatVector bo = FloatVector.broadcast(SPECIES, bias.getFloat((2 * n + u) * Float.BYTES));
            FloatVector bi = FloatVector.broadcast(SPECIES, bias.getFloat((3 * n + u) * Float.BYTES));
            for (int b = 0; b < bound; b += SPECIES.length()) {
                int zg = (g + b) * Float.BYTES;
                int rg = (r + b) * Float.BYTES;
                int cPrev = (s + b) * Float.BYTES;
                FloatVector gv = FloatVector.fromByteBuffer(SPECIES, z, zg, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, zr, rg, ORDER))
                        .add(bg)
                        .lanewise(VectorOperators.TANH);
                // sigmoid(x) = 1 / (1 + exp(-x))
                FloatVector fv = ONE.div(FloatVector.fromByteBuffer(SPECIES, z, zg + gateStep, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, zr, rg + rGateStep, ORDER))
                        .add(bf)
                        .neg()
                        .lanewise(VectorOperators.EXP)
                        .add(ONE));
                FloatVector ov = ONE.div(FloatVector.fromByteBuffer(SPECIES, z, zg + 2 * gateStep, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, zr, rg + 2 * rGateStep, ORDER))
                        .add(bo)
                        .neg()
                        .lanewise(VectorOperators.EXP)
                        .add(ONE));
                FloatVector iv = ONE.div(FloatVector.fromByteBuffer(SPECIES, z, zg + 3 * gateStep, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, zr, rg + 3 * rGateStep, ORDER))
                        .add(bi)
                        .neg()
                        .lanewise(VectorOperators.EXP)
                        .add(ONE));
                gv.intoByteBuffer(z, zg, ORDER);
                fv.intoByteBuffer(z, zg + gateStep, ORDER);
                ov.intoByteBuffer(z, zg + 2 * gateStep, ORDER);
                iv.intoByteBuffer(z, zg + 3 * gateStep, ORDER);
                FloatVector cv = fv.fma(FloatVector.fromByteBuffer(SPECIES, c, cPrev, ORDER), iv.mul(gv));
                if (m >= 0) {
                    FloatVector mv = FloatVector.fromByteBuffer(SPECIES, mask, (m + b) * Float.BYTES, ORDER);
                    cv = cv.mul(mv);
                    ov = ov.mul(mv);
                }
                FloatVector tcv = cv.lanewise(VectorOperators.TANH);
                cv.intoByteBuffer(c, cPrev + rGateStep, ORDER);
                tcv.intoByteBuffer(tanhC, cPrev, ORDER);
                ov.mul(tcv).intoByteBuffer(hOut, (h + b) * Float.BYTES, ORDER);
            }
            if (bound < batch) {
                forwardLanes(u, g, gate, r, s, h, m, bound, batch);
            }
        }
    }

    @Override
    void backward(int t) {
        int gate = n * steps * batch;
        int bound = SPECIES.loopBound(batch);
        int gateStep = gate * Float.BYTES;
        for (int u = 0; u < n; u++) {
            int g = (u * steps + t) * batch;
            int s = (t * n + u) * batch;
            int d = u * batch;
            int m = masked ? t * batch : -1;
            for (int b = 0; b < bound; b += SPECIES.length()) {
                int zg = (g + b) * Float.BYTES;
                int cs = (s + b) * Float.BYTES;
                int rec = (d + b) * Float.BYTES;
                FloatVector dh = FloatVector.fromByteBuffer(SPECIES, dhIn, zg, ORDER)
                        .add(FloatVector.fromByteBuffer(SPECIES, dhRec, rec, ORDER));
                FloatVector dcIn = FloatVector.fromByteBuffer(SPECIES, dc, rec, ORDER);
                if (m >= 0) {
                    FloatVector mv = FloatVector.fromByteBuffer(SPECIES, mask, (m + b) * Float.BYTES, ORDER);
                    dh = dh.mul(mv);
                    dcIn = dcIn.mul(mv);
                }
                FloatVector gv = FloatVector.fromByteBuffer(SPECIES, z, zg, ORDER);
                FloatVector fv = FloatVector.fromByteBuffer(SPECIES, z, zg + gateStep, ORDER);
                FloatVector ov = FloatVector.fromByteBuffer(SPECIES, z, zg + 2 * gateStep, ORDER);
                FloatVector iv = FloatVector.fromByteBuffer(SPECIES, z, zg + 3 * gateStep, ORDER);
                FloatVector tcv = FloatVector.fromByteBuffer(SPECIES, tanhC, cs, ORDER);
                // tanh' = 1 - tanh^2, sigmoid' = sigmoid (1 - sigmoid)
                FloatVector dcv = dh.mul(ov).fma(tcv.neg().fma(tcv, ONE), dcIn);
                dcv.mul(iv).mul(gv.neg().fma(gv, ONE)).intoByteBuffer(dz, zg, ORDER);
                dcv.mul(FloatVector.fromByteBuffer(SPECIES, c, cs, ORDER))
                        .mul(ONE.sub(fv).mul(fv))
                        .intoByteBuffer(dz, zg + gateStep, ORDER);
                dh.mul(tcv).mul(ONE.sub(ov).mul(ov)).intoByteBuffer(dz, zg + 2 * gateStep, ORDER);
                dcv.mul(gv).mul(ONE.sub(iv).mul(iv)).intoByteBuffer(dz, zg + 3 * gateStep, ORDER);
                dcv.mul(fv).intoByteBuffer(dc, rec, ORDER);
            }
            if (bound < batch) {
                backwardLanes(g, gate, s, d, m, bound, batch);
            }
        }
    }
}
