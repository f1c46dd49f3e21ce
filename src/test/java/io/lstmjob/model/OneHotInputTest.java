package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The gather and scatter give the matrix products' results, and only one-hot input takes them. */
class OneHotInputTest {
    private static final int CLASSES = 5;
    private static final int GATE_ROWS = 8;
    private static final int COLUMNS = 12;

    /** [CLASSES, COLUMNS] with one 1 per column, except column 4, all zero. */
    private static INDArray oneHotColumns() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, CLASSES, COLUMNS);
        for (int col = 0; col < COLUMNS; col++) {
            if (col != 4) {
                x.putScalar(col * 3 % CLASSES, col, 1f);
            }
        }
        return x;
    }

    private static FloatBuffer floats(INDArray array) {
        return ArrayMemory.bytes(array).asFloatBuffer();
    }

    /** Row-major. */
    private static float[] elements(INDArray matrix) {
        return matrix.dup('c').data().asFloat();
    }

    @Test
    void realValuedInputOrTwoClassesInOneStepAreNotOneHot() {
        OneHotInput input = new OneHotInput(CLASSES, COLUMNS);
        assertTrue(input.read(floats(oneHotColumns()), COLUMNS, COLUMNS));

        INDArray half = oneHotColumns();
        half.putScalar(2, 7, 0.5f);
        assertFalse(input.read(floats(half), COLUMNS, COLUMNS), "a value other than 0 and 1");

        INDArray two = oneHotColumns();
        two.putScalar((7 * 3 + 1) % CLASSES, 7, 1f);
        assertFalse(input.read(floats(two), COLUMNS, COLUMNS), "two ones in one column");
    }

    @Test
    void gatherAndScatterGiveTheProductsOfTheInput() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = oneHotColumns();
        INDArray w = Nd4j.rand(DataType.FLOAT, 'f', CLASSES, GATE_ROWS).subi(0.5);
        INDArray dz = Nd4j.rand(DataType.FLOAT, GATE_ROWS, COLUMNS).subi(0.5);
        OneHotInput input = new OneHotInput(CLASSES, COLUMNS);
        assertTrue(input.read(floats(x), COLUMNS, COLUMNS));

        INDArray z = Nd4j.create(DataType.FLOAT, GATE_ROWS, COLUMNS);
        input.preActivations(w, floats(z));
        // Each element is one weight or zero: exactly the product's.
        assertArrayEquals(elements(w.transpose().mmul(x)), elements(z), 0f);

        // Rows of CLASSES + 2: the scatter fills the first CLASSES columns of each, and leaves the rest.
        int from = 3;
        INDArray gradT = Nd4j.valueArrayOf(new long[] {GATE_ROWS, CLASSES + 2}, 7f, DataType.FLOAT);
        input.weightGradient(floats(dz), COLUMNS, from, GATE_ROWS, floats(gradT), CLASSES + 2);
        INDArray product = dz.get(all(), interval(from, COLUMNS))
                .mmul(x.get(all(), interval(from, COLUMNS)).transpose());
        // Sums of two or three terms in another order: float rounding only.
        assertArrayEquals(elements(product), elements(gradT.get(all(), interval(0, CLASSES))), 1e-6f);
        assertArrayEquals(
                elements(Nd4j.valueArrayOf(new long[] {GATE_ROWS, 2}, 7f, DataType.FLOAT)),
                elements(gradT.get(all(), interval(CLASSES, CLASSES + 2))),
                0f,
                "columns after the input weights' untouched");
    }
}
