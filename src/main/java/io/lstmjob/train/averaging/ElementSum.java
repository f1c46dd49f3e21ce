package io.lstmjob.train.averaging;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * An element-wise sum of float arrays (the workers' parameters or updater states in a round). It
 * holds the first array as it is and sums in double from the second one on, so the mean depends on
 * the order of summation no more than rounding does. A task's share of a round is usually one
 * worker's array: it then travels as that array's floats, copied in bulk, where Java serialization
 * would write twice the bytes (doubles) one element at a time, the slowest part of a W1 round's
 * result path (docs/PERFORMANCE.md).
 */
final class ElementSum implements Serializable {
    private static final int CHUNK_BYTES = 1 << 16;

    private transient float[] single;
    private transient double[] sum;

    private ElementSum(float[] single, double[] sum) {
        this.single = single;
        this.sum = sum;
    }

    /** A sum of one array, that array itself (not copied); null for null. */
    static ElementSum of(float[] values) {
        return values == null ? null : new ElementSum(values, null);
    }

    /** This plus {@code values}, in place. */
    ElementSum add(float[] values) {
        double[] total = sum();
        for (int i = 0; i < total.length; i++) {
            total[i] += values[i];
        }
        return this;
    }

    /** This plus {@code other}, in place. */
    ElementSum add(ElementSum other) {
        if (other.single != null) {
            return add(other.single);
        }
        double[] total = sum();
        for (int i = 0; i < total.length; i++) {
            total[i] += other.sum[i];
        }
        return this;
    }

    float[] mean(int count) {
        float[] mean = new float[single != null ? single.length : sum.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) ((single != null ? single[i] : sum[i]) / count);
        }
        return mean;
    }

    private double[] sum() {
        if (sum == null) {
            sum = new double[single.length];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = single[i];
            }
            single = null;
        }
        return sum;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        boolean floats = single != null;
        int length = floats ? single.length : sum.length;
        int width = floats ? Float.BYTES : Double.BYTES;
        out.writeBoolean(floats);
        out.writeInt(length);
        byte[] chunk = new byte[CHUNK_BYTES];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        for (int i = 0; i < length; ) {
            int n = Math.min(length - i, CHUNK_BYTES / width);
            if (floats) {
                buffer.asFloatBuffer().put(single, i, n);
            } else {
                buffer.asDoubleBuffer().put(sum, i, n);
            }
            out.write(chunk, 0, n * width);
            i += n;
        }
    }

    private void readObject(ObjectInputStream in) throws IOException {
        boolean floats = in.readBoolean();
        int length = in.readInt();
        int width = floats ? Float.BYTES : Double.BYTES;
        if (floats) {
            single = new float[length];
        } else {
            sum = new double[length];
        }
        byte[] chunk = new byte[CHUNK_BYTES];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        for (int i = 0; i < length; ) {
            int n = Math.min(length - i, CHUNK_BYTES / width);
            in.readFully(chunk, 0, n * width);
            if (floats) {
                buffer.asFloatBuffer().get(single, i, n);
            } else {
                buffer.asDoubleBuffer().get(sum, i, n);
            }
            i += n;
        }
    }
}
