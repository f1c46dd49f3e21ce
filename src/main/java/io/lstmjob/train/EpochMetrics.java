package io.lstmjob.train;

/**
 * One epoch as recorded in metrics.json. Losses are per step: mean squared error of the scaled
 * targets (forecasting) or cross-entropy in nats (character model); validationLoss is null when
 * there is no validation split.
 */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        Double validationLoss,
        double seconds,
        double tokensPerSecond,
        double averagingSeconds,
        long tokens,
        int averagingRounds) {}
