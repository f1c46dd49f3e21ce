package io.lstmjob.model;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * C = op(A) op(B) + beta C for float matrices, by OpenBLAS's {@code cblas_sgemm} called directly:
 * the same library and function ND4J's CPU backend uses, without {@code Nd4j.gemm}'s way through
 * libnd4j's operation machinery (an op context, its buffers and checks), a fixed cost per call that
 * is large beside the fused LSTM's small per-step products (figures in docs/PERFORMANCE.md).
 *
 * <p>Takes any matrix whose rows or columns are contiguous (row-major, or column-major as DL4J keeps
 * its weights, or views of either with a leading dimension).
 */
final class MatrixProduct {
    private MatrixProduct() {}

    /** A matrix as cblas reads it: row-major with leading dimension ld, or the transpose of one. */
    private record Operand(FloatPointer data, boolean transposed, int ld) {
        static Operand of(INDArray m, String name) {
            if (m.rank() != 2 || m.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException(name + " must be a float matrix, was " + m.shapeInfoToString());
            }
            long rows = m.size(0);
            long cols = m.size(1);
            long rowStride = m.stride(0);
            long colStride = m.stride(1);
            // A view's buffer address already points at the buffer's own offset; the array's offset counts from the
            // base.
            FloatPointer data = new FloatPointer(m.data().addressPointer())
                    .position(m.offset() - m.data().offset());
            // A dimension of one element has no meaningful stride: the other decides.
            if ((colStride == 1 || cols == 1) && (rows == 1 || rowStride >= cols)) {
                return new Operand(data, false, (int) (rows == 1 ? Math.max(cols, 1) : rowStride));
            }
            if ((rowStride == 1 || rows == 1) && (cols == 1 || colStride >= rows)) {
                return new Operand(data, true, (int) (cols == 1 ? Math.max(rows, 1) : colStride));
            }
            throw new IllegalArgumentException(
                    name + " has neither contiguous rows nor contiguous columns: " + m.shapeInfoToString());
        }
    }

    static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c, double beta) {
        long m = transposeA ? a.size(1) : a.size(0);
        long k = transposeA ? a.size(0) : a.size(1);
        long kB = transposeB ? b.size(1) : b.size(0);
        long n = transposeB ? b.size(0) : b.size(1);
        if (k != kB || c.size(0) != m || c.size(1) != n) {
            throw new IllegalArgumentException(
                    "cannot multiply [" + m + ", " + k + "] by [" + kB + ", " + n + "] into " + c.shapeInfoToString());
        }
        Operand left = Operand.of(a, "A");
        Operand right = Operand.of(b, "B");
        Operand out = Operand.of(c, "C");
        boolean tA = transposeA ^ left.transposed();
        boolean tB = transposeB ^ right.transposed();
        if (!out.transposed()) {
            sgemm(tA, tB, m, n, k, left, right, beta, out);
        } else {
            // A column-major C is the row-major C^T = op(B)^T op(A)^T.
            sgemm(!tB, !tA, n, m, k, right, left, beta, out);
        }
    }

    private static void sgemm(
            boolean transA, boolean transB, long m, long n, long k, Operand a, Operand b, double beta, Operand c) {
        openblas_nolapack.cblas_sgemm(
                openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                (int) m,
                (int) n,
                (int) k,
                1f,
                a.data(),
                a.ld(),
                b.data(),
                b.ld(),
                (float) beta,
                c.data(),
                c.ld());
    }
}
