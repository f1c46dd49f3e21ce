package io.lstmjob.model;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input of a window when every step of every sequence is one-hot (or all zero, as padding
 * is): a character or token model's input. Then the input part of the pre-activations, W^T x, is
 * column idx of W^T, a gather, and the input part of the weight gradient, dz x^T, adds each
 * step's dz to the column of its index, a scatter: no multiplication by the zeros of x. For W1's
 * first layer (77 classes, 1024 gate rows) that is a twentieth of the training work.
 *
 * <p>Exact: it computes the same sums as the matrix products, only without their zero terms
 * (summation order aside). {@link #read} tells whether a window's input qualifies; a real-valued
 * input is rejected at its first value that is neither 0 nor 1.
 */
final class OneHotInput {
    private final int rows;
    /** The class index of each column (step t, sequence b at t B + b), -1 for an all-zero column. */
    private final int[] index;
    /** W^T row-major, [4n, nIn] (made on first use: most layers never see a one-hot input). */
    private float[] weights;
    /** One row of z or dz. */
    private final float[] row;

    private final float[] sums;
    private int columns;

    OneHotInput(int rows, int maxColumns) {
        this.rows = rows;
        index = new int[maxColumns];
        row = new float[maxColumns];
        sums = new float[rows];
    }

    /**
     * Reads the {@code columns} columns of x (rows {@code ld} floats apart in {@code x}) and
     * returns whether each is one-hot or zero; if so, their indices are kept for the products.
     */
    boolean read(FloatBuffer x, int columns, int ld) {
        this.columns = columns;
        Arrays.fill(index, 0, columns, -1);
        for (int i = 0; i < rows; i++) {
            int start = i * ld;
            for (int col = 0; col < columns; col++) {
                float v = x.get(start + col);
                if (v == 0f) {
                    continue;
                }
                if (v != 1f || index[col] >= 0) {
                    return false;
                }
                index[col] = i;
            }
        }
        return true;
    }

    /** z = W^T x for the columns read: z is row-major [4n, columns], w DL4J's [nIn, 4n] input weights. */
    void preActivations(INDArray w, FloatBuffer z) {
        int gateRows = (int) w.size(1);
        INDArray columnMajor =
                w.ordering() == 'f' && w.elementWiseStride() == 1 && w.dataType() == DataType.FLOAT ? w : w.dup('f');
        if (weights == null || weights.length != gateRows * rows) {
            weights = new float[gateRows * rows];
        }
        // Column q of the column-major W is row q of W^T.
        ArrayMemory.bytes(columnMajor).asFloatBuffer().get(0, weights, 0, gateRows * rows);
        for (int q = 0; q < gateRows; q++) {
            int base = q * rows;
            for (int col = 0; col < columns; col++) {
                int i = index[col];
                row[col] = i < 0 ? 0f : weights[base + i];
            }
            z.put(q * columns, row, 0, columns);
        }
    }

    /**
     * The gradient of W^T, dz x^T over columns {@code from..} of those read: row q of dz (row-major,
     * rows {@code dzLd} floats apart) summed by class into row q of {@code gradWT} (row-major, rows
     * {@code gradLd} floats apart; DL4J's column-major W gradient is that with gradLd = nIn).
     */
    void weightGradient(FloatBuffer dz, int dzLd, int from, int gateRows, FloatBuffer gradWT, int gradLd) {
        int count = columns - from;
        for (int q = 0; q < gateRows; q++) {
            dz.get(q * dzLd + from, row, 0, count);
            Arrays.fill(sums, 0f);
            for (int col = 0; col < count; col++) {
                int i = index[from + col];
                if (i >= 0) {
                    sums[i] += row[col];
                }
            }
            gradWT.put(q * gradLd, sums, 0, rows);
        }
    }
}
