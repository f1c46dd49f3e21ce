package io.lstmjob.config;

import java.io.Serializable;

/** The evaluation gate of a warm-start retrain. */
public record RetrainConfig(boolean promoteAlways, double minImprovement) implements Serializable {

    /** Whether a candidate with {@code candidateLoss} replaces a live model with {@code liveLoss}. */
    public boolean promotes(double candidateLoss, double liveLoss) {
        return promoteAlways || candidateLoss < liveLoss * (1 - minImprovement);
    }
}
