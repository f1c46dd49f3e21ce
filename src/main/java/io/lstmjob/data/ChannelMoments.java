package io.lstmjob.data;

import java.io.Serializable;

/** Count, sum and sum of squares per channel; merged across partitions to a mean and std. */
final class ChannelMoments implements Serializable {
    long count;
    final double[] sum;
    final double[] sumSquares;

    ChannelMoments(int channels) {
        sum = new double[channels];
        sumSquares = new double[channels];
    }

    ChannelMoments add(float[] values) {
        count++;
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
            sumSquares[i] += (double) values[i] * values[i];
        }
        return this;
    }

    /** The given channels of a segment's step. */
    ChannelMoments add(Segment segment, int step, int[] channels) {
        count++;
        for (int i = 0; i < channels.length; i++) {
            double v = segment.value(step, channels[i]);
            sum[i] += v;
            sumSquares[i] += v * v;
        }
        return this;
    }

    ChannelMoments merge(ChannelMoments other) {
        count += other.count;
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.sum[i];
            sumSquares[i] += other.sumSquares[i];
        }
        return this;
    }

    double[] mean() {
        double[] mean = new double[sum.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = sum[i] / count;
        }
        return mean;
    }

    /** Population std; a constant channel gets 1 so that scaling leaves it at zero instead of dividing by zero. */
    double[] std() {
        double[] std = new double[sum.length];
        for (int i = 0; i < std.length; i++) {
            double mean = sum[i] / count;
            double variance = Math.max(0, sumSquares[i] / count - mean * mean);
            double s = Math.sqrt(variance);
            std[i] = s > 1e-8 * Math.max(1, Math.abs(mean)) ? s : 1.0;
        }
        return std;
    }
}
