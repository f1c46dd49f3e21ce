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

    /**
     * A matrix as cblas reads it: row-major with leading dimension ld, or the transpose of one. Made
     * once for a working array that is multiplied every step: finding an array's address takes a
     * native call and three pointer objects, a cost beside a small model's per-step product.
     */
    static final class Operand {
        /** Held so that the memory the pointer addresses stays allocated. */
        private final INDArray array;

        private final FloatPointer data;
        private final boolean transposed;
        private final int ld;
        private final long rows;
        private final long cols;

        private Operand(INDArray array, FloatPointer data, boolean transposed, int ld) {
            this.array = array;
            this.data = data;
            this.transposed = transposed;
            this.ld = ld;
            this.rows = array.size(0);
            this.cols = array.size(1);
        }

        static Operand of(INDArray m) {
            return of(m, "matrix");
        }

        private static Operand of(INDArray m, String name) {
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
                return new Operand(m, data, false, (int) (rows == 1 ? Math.max(cols, 1) : rowStride));
            }
            if ((rowStride == 1 || rows == 1) && (cols == 1 || colStride >= rows)) {
                return new Operand(m, data, true, (int) (cols == 1 ? Math.max(rows, 1) : colStride));
            }
            throw new IllegalArgumentException(
                    name + " has neither contiguous rows nor contiguous columns: " + m.shapeInfoToString());
        }

        /** {@code cached} if it reads {@code m} itself (the same array object), else m's operand. */
        static Operand reuse(Operand cached, INDArray m) {
            return cached != null && cached.array == m ? cached : of(m);
        }
    }

    static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c, double beta) {
        multiply(Operand.of(a, "A"), transposeA, Operand.of(b, "B"), transposeB, Operand.of(c, "C"), beta);
    }

    static void multiply(Operand a, boolean transposeA, Operand b, boolean transposeB, Operand c, double beta) {
        long m = transposeA ? a.cols : a.rows;
        long k = transposeA ? a.rows : a.cols;
        long kB = transposeB ? b.cols : b.rows;
        long n = transposeB ? b.rows : b.cols;
        if (k != kB || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException("cannot multiply [" + m + ", " + k + "] by [" + kB + ", " + n
                    + "] into [" + c.rows + ", " + c.cols + "]");
        }
        boolean tA = transposeA ^ a.transposed;
        boolean tB = transposeB ^ b.transposed;
        if (!c.transposed) {
            sgemm(tA, tB, m, n, k, a, b, beta, c);
        } else {
            // A column-major C is the row-major C^T = op(B)^T op(A)^T.
            sgemm(!tB, !tA, n, m, k, b, a, beta, c);
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
                a.data,
                a.ld,
                b.data,
                b.ld,
                (float) beta,
                c.data,
                c.ld);
    }
}
