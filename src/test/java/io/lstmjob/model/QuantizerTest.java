package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizerTest {
    private static float[] weights() {
        Random random = new Random(5);
        float[] w = new float[2000];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.2);
        }
        return w;
    }

    @Test
    void linear8IsWithinHalfAStepOfEveryWeight() {
        float[] w = weights();
        Quantizer.Quantized q = Quantizer.linear8(w);
        float[] back = q.dequantize();
        for (int i = 0; i < w.length; i++) {
            assertTrue(Math.abs(w[i] - back[i]) <= q.scale() / 2 + 1e-7, "weight " + i);
        }
        float min = w[0];
        float max = w[0];
        for (float v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(min, back[indexOf(w, min)], 1e-7);
        assertEquals(max, back[indexOf(w, max)], q.scale() / 2);
    }

    @Test
    void kmeansMapsEveryWeightToItsNearestOfAtMost2PowBitsCentroids() {
        float[] w = weights();
        Quantizer.Quantized q = Quantizer.kmeans(w, 4);
        assertEquals(16, q.codebook().length);
        float[] back = q.dequantize();
        assertTrue(Arrays.stream(toDoubles(back)).distinct().count() <= 16);
        double error = 0;
        for (int i = 0; i < w.length; i++) {
            for (float centroid : q.codebook()) {
                assertTrue(
                        Math.abs(w[i] - back[i]) <= Math.abs(w[i] - centroid) + 1e-7,
                        "weight " + i + " is not at its nearest centroid");
            }
            error += (w[i] - back[i]) * (w[i] - back[i]);
        }
        // 16 levels over a Gaussian: far below the variance (0.04) of the weights themselves.
        assertTrue(error / w.length < 0.04 / 50, "mean squared error " + error / w.length);
    }

    /**
     * Lloyd's iterations, not just the quantile start: two groups and an outlier, where the start
     * (0 and 1) is not where k-means ends (the outlier gets a centroid of its own, 0 and 1 share one).
     */
    @Test
    void kmeansIteratesToCentroidsThatAreTheMeansOfTheirWeights() {
        Quantizer.Quantized q = Quantizer.kmeans(new float[] {0, 0, 0, 1, 1, 1, 10}, 1);
        assertArrayEquals(new float[] {0.5f, 10f}, q.codebook(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 10f}, q.dequantize(), 1e-6f);

        float[] w = weights();
        q = Quantizer.kmeans(w, 3);
        float[] back = q.dequantize();
        for (float centroid : q.codebook()) {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < w.length; i++) {
                if (back[i] == centroid) {
                    sum += w[i];
                    count++;
                }
            }
            assertTrue(count > 0, "centroid " + centroid + " holds no weight");
            assertEquals(sum / count, centroid, 1e-5, "a centroid is the mean of the weights nearest to it");
        }
    }

    private static int indexOf(float[] w, float value) {
        for (int i = 0; i < w.length; i++) {
            if (w[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static double[] toDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
