package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The direct sgemm gives ND4J's products for every layout the fused LSTM hands it. */
class MatrixProductTest {

    private static float[] elements(INDArray matrix) {
        return matrix.dup('c').data().asFloat();
    }

    /** Float sums of a handful of terms below 1: agreement to a few ulps; 1e-5 leaves room for summation order. */
    private static void assertProduct(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
        INDArray expected = (ta ? a.transpose() : a).mmul(tb ? b.transpose() : b);
        MatrixProduct.multiply(a, ta, b, tb, c, 0.0);
        assertArrayEquals(elements(expected), elements(c), 1e-5f);
    }

    @Test
    void rowAndColumnMajorOperandsAndTranspositions() {
        Nd4j.getRandom().setSeed(1);
        INDArray rowMajor = Nd4j.rand(DataType.FLOAT, 'c', 5, 7);
        INDArray columnMajor = Nd4j.rand(DataType.FLOAT, 'f', 7, 4);
        assertProduct(rowMajor, false, columnMajor, false, Nd4j.create(DataType.FLOAT, 5, 4));
        assertProduct(rowMajor, true, Nd4j.rand(DataType.FLOAT, 'f', 5, 3), false, Nd4j.create(DataType.FLOAT, 7, 3));
        assertProduct(columnMajor, true, rowMajor, true, Nd4j.create(DataType.FLOAT, 4, 5));
        // A column-major result (C^T is computed).
        assertProduct(rowMajor, false, columnMajor, false, Nd4j.create(DataType.FLOAT, new long[] {5, 4}, 'f'));
    }

    @Test
    void viewsWithALeadingDimensionAndASingleRowOrColumn() {
        Nd4j.getRandom().setSeed(2);
        INDArray wide = Nd4j.rand(DataType.FLOAT, 'c', 6, 10);
        INDArray left = wide.get(interval(1, 4), interval(2, 8));
        INDArray out = Nd4j.zeros(DataType.FLOAT, 5, 9);
        INDArray outView = out.get(interval(1, 4), interval(3, 7));
        assertProduct(left, false, Nd4j.rand(DataType.FLOAT, 'f', 6, 4), false, outView);
        assertArrayEquals(
                new float[9], elements(out.get(interval(0, 1), all())), 0f, "rows outside the view untouched");

        INDArray row = Nd4j.rand(DataType.FLOAT, 'f', 1, 6);
        assertProduct(row, false, Nd4j.rand(DataType.FLOAT, 'c', 6, 1), false, Nd4j.create(DataType.FLOAT, 1, 1));
        assertProduct(Nd4j.rand(DataType.FLOAT, 'c', 3, 6), false, row, true, Nd4j.create(DataType.FLOAT, 3, 1));
    }

    @Test
    void mismatchedShapesAndNonFloatArraysAreRefused() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4);
        assertThrows(
                IllegalArgumentException.class,
                () -> MatrixProduct.multiply(
                        a, false, Nd4j.rand(DataType.FLOAT, 5, 2), false, Nd4j.create(DataType.FLOAT, 3, 2), 0.0));
        assertThrows(
                IllegalArgumentException.class,
                () -> MatrixProduct.multiply(
                        a, false, Nd4j.rand(DataType.DOUBLE, 4, 2), false, Nd4j.create(DataType.FLOAT, 3, 2), 0.0));
    }
}
