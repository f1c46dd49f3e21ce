package io.lstmjob.train.averaging;

import org.deeplearning4j.spark.api.TrainingResult;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;

/**
 * One worker's output of an averaging round: its parameters and updater state after training its
 * minibatches, the loss it saw, and how much it trained. {@code moreData} says that its shard has
 * minibatches beyond this round (only with averaging every N minibatches). {@code lossUnits} is
 * what the loss is a mean over: time steps, or sequences for a classifier. {@code partition} is the
 * Spark partition it trained (-1 when unknown).
 */
public record WorkerResult(
        float[] parameters,
        float[] updaterState,
        double lossSum,
        long lossUnits,
        long tokens,
        int iterations,
        boolean moreData,
        long finishedAtMillis,
        int partition)
        implements TrainingResult {

    /**
     * A non-finite loss: this worker diverged in its round. (Non-finite parameters give a non-finite
     * loss at the next step; the driver checks the averaged parameters and updater state after the
     * epoch anyway, so the workers' tensors are not scanned here.)
     */
    boolean diverged() {
        return !Double.isFinite(lossSum);
    }

    @Override
    public void setStats(SparkTrainingStats sparkTrainingStats) {
        // Timing is reported through RoundTotals; dl4j-spark's stats objects are not collected.
    }
}
