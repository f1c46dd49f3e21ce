package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two kernels compute the same step: the Vector API one (which FusedLstmTest checks against
 * DL4J's LSTM, the tests' JVM has the module) and the plain Java one that runs where the module is
 * not present.
 */
class CellKernelTest {
    private static final int BATCH = 19;
    private static final int IN = 3;
    private static final int UNITS = 5;
    private static final int STEPS = 4;

    @Test
    void theVectorAndTheScalarKernelAgreeForwardsAndBackwardsWithAndWithoutMask() {
        assertTrue(CellKernel.vectorised(), "the tests run with --add-modules jdk.incubator.vector (conf/java17.args)");
        for (boolean masked : new boolean[] {false, true}) {
            FusedLstmBuffers scalar = filled();
            FusedLstmBuffers vector = filled();
            run(new CellKernel(scalar), masked);
            run(new VectorCellKernel(vector), masked);
            List<Function<FusedLstmBuffers, INDArray>> arrays =
                    List.of(b -> b.z, b -> b.c, b -> b.tanhC, b -> b.xh, b -> b.dz, b -> b.dc);
            for (int k = 0; k < arrays.size(); k++) {
                INDArray expected = arrays.get(k).apply(scalar);
                INDArray actual = arrays.get(k).apply(vector);
                // Float32 exp and tanh from two libraries: within a few ulps of values of order 1.
                double difference = expected.sub(actual).amaxNumber().doubleValue();
                assertEquals(0, difference, 1e-5, "array " + k + (masked ? " (masked)" : ""));
            }
        }
    }

    @Test
    void theScalarTanhIsWithinOneFloatUlpOfStrictMathsFromTinyToSaturatedArgumentsOfEitherSign() {
        for (double e = -12; e <= 1.5; e += 0.01) {
            for (float x : new float[] {(float) Math.pow(10, e), (float) -Math.pow(10, e)}) {
                float expected = (float) StrictMath.tanh(x);
                assertEquals(expected, CellKernel.tanh(x), Math.ulp(expected), "tanh(" + x + ")");
            }
        }
        assertEquals(0f, CellKernel.tanh(0f));
        assertEquals(1f, CellKernel.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, CellKernel.tanh(-1000f));
        assertTrue(Float.isNaN(CellKernel.tanh(Float.NaN)));
    }

    /** Random pre-activations, states and gradients (the same in every call), a mask with zeros in vector and scalar lanes. */
    private static FusedLstmBuffers filled() {
        FusedLstmBuffers b = new FusedLstmBuffers(new FusedLstmBuffers.Shape(BATCH, IN, UNITS, 0, 0), STEPS);
        Nd4j.getRandom().setSeed(11);
        for (INDArray array : List.of(b.z, b.zr, b.bias, b.c, b.xh, b.dhIn, b.dhRec, b.dc)) {
            array.assign(Nd4j.rand(DataType.FLOAT, array.shape()).subi(0.5).muli(6));
        }
        INDArray mask = Nd4j.rand(DataType.FLOAT, b.mask.shape()).gt(0.3).castTo(DataType.FLOAT);
        b.mask.assign(mask);
        return b;
    }

    private static void run(CellKernel kernel, boolean masked) {
        kernel.begin(STEPS, masked);
        for (int t = 0; t < STEPS; t++) {
            kernel.forward(t);
        }
        for (int t = STEPS - 1; t >= 0; t--) {
            kernel.backward(t);
        }
    }
}
