package io.lstmjob.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link CellKernel} with the JDK's Vector API: the machine's widest float vectors, and exp and
 * tanh from the JDK's vector maths library instead of one scalar call per element. Lanes left
 * over at the end of a row go through the scalar code. Needs {@code --add-modules
 * jdk.incubator.vector} (conf/java17.args); {@link CellKernel#create} picks it only then.
 */
final class VectorCellKernel extends CellKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    VectorCellKernel(FusedLstmBuffers buffers) {
        super(buffers);
    }

    @Override
    protected void forwardRow(int u, int g, int gate, int r, int s, int h, int m) {
        int rGate = n * batch;
        int bound = SPECIES.loopBound(batch);
        FloatVector bg = FloatVector.broadcast(SPECIES, bias.getFloat(u << 2));
        FloatVector bf = FloatVector.broadcast(SPECIES, bias.getFloat((n + u) << 2));
        FloatVector bo = FloatVector.broadcast(SPECIES, bias.getFloat((2 * n + u) << 2));
        FloatVector bi = FloatVector.broadcast(SPECIES, bias.getFloat((3 * n + u) << 2));
        for (int b = 0; b < bound; b += SPECIES.length()) {
            FloatVector gv = tanh(load(z, g + b).add(load(zr, r + b)).add(bg));
            FloatVector fv = sigmoid(load(z, g + gate + b).add(load(zr, r + rGate + b)).add(bf));
            FloatVector ov = sigmoid(load(z, g + 2 * gate + b).add(load(zr, r + 2 * rGate + b)).add(bo));
            FloatVector iv = sigmoid(load(z, g + 3 * gate + b).add(load(zr, r + 3 * rGate + b)).add(bi));
            store(gv, z, g + b);
            store(fv, z, g + gate + b);
            store(ov, z, g + 2 * gate + b);
            store(iv, z, g + 3 * gate + b);
            FloatVector cv = fv.fma(load(c, s + b), iv.mul(gv));
            if (m >= 0) {
                FloatVector mv = load(mask, m + b);
                cv = cv.mul(mv);
                ov = ov.mul(mv);
            }
            FloatVector tcv = tanh(cv);
            store(cv, c, s + rGate + b);
            store(tcv, tanhC, s + b);
            store(ov.mul(tcv), xh, h + b);
        }
        forwardLanes(u, g, gate, r, s, h, m, bound, batch);
    }

    @Override
    protected void backwardRow(int u, int g, int gate, int s, int d, int m) {
        int bound = SPECIES.loopBound(batch);
        FloatVector sumG = FloatVector.zero(SPECIES);
        FloatVector sumF = sumG;
        FloatVector sumO = sumG;
        FloatVector sumI = sumG;
        for (int b = 0; b < bound; b += SPECIES.length()) {
            FloatVector dh = load(dhIn, g + b).add(load(dhRec, d + b));
            FloatVector dcIn = load(dc, d + b);
            if (m >= 0) {
                FloatVector mv = load(mask, m + b);
                dh = dh.mul(mv);
                dcIn = dcIn.mul(mv);
            }
            FloatVector gv = load(z, g + b);
            FloatVector fv = load(z, g + gate + b);
            FloatVector ov = load(z, g + 2 * gate + b);
            FloatVector iv = load(z, g + 3 * gate + b);
            FloatVector tcv = load(tanhC, s + b);
            FloatVector dhO = dh.mul(ov);
            FloatVector dcv = dhO.fma(oneMinusSquare(tcv), dcIn);
            FloatVector dzG = dcv.mul(iv).mul(oneMinusSquare(gv));
            FloatVector dzF = dcv.mul(load(c, s + b)).mul(timesOneMinus(fv));
            FloatVector dzO = dh.mul(tcv).mul(timesOneMinus(ov));
            FloatVector dzI = dcv.mul(gv).mul(timesOneMinus(iv));
            store(dzG, dz, g + b);
            store(dzF, dz, g + gate + b);
            store(dzO, dz, g + 2 * gate + b);
            store(dzI, dz, g + 3 * gate + b);
            store(dcv.mul(fv), dc, d + b);
            sumG = sumG.add(dzG);
            sumF = sumF.add(dzF);
            sumO = sumO.add(dzO);
            sumI = sumI.add(dzI);
        }
        addBiasGrad(u, sumG.reduceLanes(VectorOperators.ADD), sumF.reduceLanes(VectorOperators.ADD),
                sumO.reduceLanes(VectorOperators.ADD), sumI.reduceLanes(VectorOperators.ADD));
        backwardLanes(u, g, gate, s, d, m, bound, batch);
    }

    private static FloatVector sigmoid(FloatVector x) {
        return ONE.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    private static FloatVector tanh(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

    /** 1 - x^2 */
    private static FloatVector oneMinusSquare(FloatVector x) {
        return x.neg().fma(x, ONE);
    }

    /** x (1 - x) */
    private static FloatVector timesOneMinus(FloatVector x) {
        return x.neg().add(1f).mul(x);
    }

    private static FloatVector load(ByteBuffer buffer, int index) {
        return FloatVector.fromByteBuffer(SPECIES, buffer, index << 2, ORDER);
    }

    private static void store(FloatVector vector, ByteBuffer buffer, int index) {
        vector.intoByteBuffer(buffer, index << 2, ORDER);
    }
}
