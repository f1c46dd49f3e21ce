package io.lstmjob.job;

/**
 * Whether a warm-started candidate replaced the live model: both validation losses on the same
 * holdout, the required relative improvement, and the outcome.
 */
public record RetrainDecision(String liveVersion, double liveValidationLoss, double candidateValidationLoss,
                              double minImprovement, boolean promoteAlways, boolean promoted) {
}
