package io.lstmjob.train.averaging;

/**
 * What one call of {@link AveragingTrainingMaster#executeTraining} did: mean loss per time step
 * over all workers, time steps trained, averaging rounds, workers that had data, and the seconds between
 * the last worker finishing a round and the averaged parameters being in place on the driver, and the
 * first worker that diverged, if one did.
 */
public record EpochTrainingStats(
        double trainLoss, long tokens, int rounds, int workers, double averagingSeconds, Divergence divergence) {

    /** Where a worker first went non-finite: its round (1-based) and Spark partition; null when none did. */
    public record Divergence(int round, int partition) {}
}
