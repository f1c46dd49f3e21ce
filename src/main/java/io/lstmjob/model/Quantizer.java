package io.lstmjob.model;

import java.util.Arrays;

/**
 * Weight compression of one matrix: 8-bit linear (w ~ min + q * scale, q in 0..255) or a k-means
 * codebook of 2^bits centroids (w ~ codebook[index]); both store one byte per weight.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Codes (one byte per weight, unsigned) and what turns them back into weights. */
    public record Quantized(byte[] codes, float min, float scale, float[] codebook) {
        public float value(int i) {
            int code = codes[i] & 0xFF;
            return codebook != null ? codebook[code] : min + code * scale;
        }

        public float[] dequantize() {
            float[] values = new float[codes.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = value(i);
            }
            return values;
        }
    }

    public static Quantized linear8(float[] weights) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float w : weights) {
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        float scale = max > min ? (max - min) / 255f : 1f;
        byte[] codes = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            codes[i] = (byte) Math.round((weights[i] - min) / scale);
        }
        return new Quantized(codes, min, scale, null);
    }

    /**
     * One-dimensional k-means (Lloyd's algorithm) with 2^bits centroids, started at evenly spaced
     * quantiles so that the result is deterministic.
     */
    public static Quantized kmeans(float[] weights, int bits) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be within 1..8, got " + bits);
        }
        float[] sorted = weights.clone();
        Arrays.sort(sorted);
        int k = Math.min(1 << bits, sorted.length);
        float[] centroids = new float[k];
        for (int c = 0; c < k; c++) {
            centroids[c] = sorted[(int) ((c + 0.5) * sorted.length / k)];
        }
        byte[] codes = new byte[weights.length];
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] sum = new double[k];
            int[] count = new int[k];
            boolean changed = false;
            for (int i = 0; i < weights.length; i++) {
                int nearest = nearest(centroids, weights[i]);
                changed |= (codes[i] & 0xFF) != nearest;
                codes[i] = (byte) nearest;
                sum[nearest] += weights[i];
                count[nearest]++;
            }
            for (int c = 0; c < k; c++) {
                if (count[c] > 0) {
                    centroids[c] = (float) (sum[c] / count[c]);
                }
            }
            if (!changed && iteration > 0) {
                break;
            }
        }
        for (int i = 0; i < weights.length; i++) {
            codes[i] = (byte) nearest(centroids, weights[i]);
        }
        return new Quantized(codes, 0, 0, centroids);
    }

    private static int nearest(float[] centroids, float w) {
        int best = 0;
        for (int c = 1; c < centroids.length; c++) {
            if (Math.abs(w - centroids[c]) < Math.abs(w - centroids[best])) {
                best = c;
            }
        }
        return best;
    }
}
