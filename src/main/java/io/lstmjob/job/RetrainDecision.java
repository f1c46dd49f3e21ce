package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.RetrainConfig;
import io.lstmjob.data.InputDataException;
import io.lstmjob.train.TrainingDivergedException;
import io.lstmjob.train.ValidationMetrics;

/**
 * Whether a warm-started candidate replaced the live model: both validation losses on the same
 * holdout, the required relative improvement, and the outcome. The gate's rules are all here: when
 * a retrain can be judged at all, and what wins.
 */
public record RetrainDecision(
        String liveVersion,
        double liveValidationLoss,
        double candidateValidationLoss,
        double minImprovement,
        boolean promoteAlways,
        boolean promoted) {

    /** Before any work: the gate compares scores on the validation split, so a retrain that judges needs one. */
    static void requireJudgeable(JobConfig config) {
        if (!config.retrain().promoteAlways() && config.sharding().validationFraction() == 0) {
            throw new InvalidConfigException(
                    "validation.fraction: a retrain compares the candidate with the live model on "
                            + "the validation split, so it must be > 0 (or set retrain.promote=always)");
        }
    }

    /**
     * Once the live model is scored: without a split, or with a live score that is not a number, no
     * candidate could ever win, and "kept" (10) would repeat every night.
     */
    static void requireComparable(JobConfig config, String liveVersion, ValidationMetrics live) {
        if (config.retrain().promoteAlways()) {
            return;
        }
        if (live == null) {
            throw new InputDataException(
                    "retrain: the input's validation split is empty (validation.fraction "
                            + config.sharding().validationFraction()
                            + " of each sequence rounds to no step), so the candidate cannot be"
                            + " compared with the live model; raise validation.fraction, use longer sequences, or set retrain.promote=always");
        }
        if (!Double.isFinite(live.loss())) {
            throw new TrainingDivergedException("retrain: the live version " + liveVersion + " scores "
                    + live.loss()
                    + " on this input's validation split, so no candidate can beat it; retrain.promote=always"
                    + " replaces it, nothing was published");
        }
    }

    /** The candidate replaces the live model when promoted always, or when its loss is lower by the required share. */
    static RetrainDecision of(
            RetrainConfig gate, String liveVersion, ValidationMetrics live, ValidationMetrics candidate) {
        if (live == null || candidate == null) {
            return new RetrainDecision(
                    liveVersion,
                    Double.NaN,
                    Double.NaN,
                    gate.minImprovement(),
                    gate.promoteAlways(),
                    gate.promoteAlways());
        }
        boolean promoted = gate.promoteAlways() || candidate.loss() < live.loss() * (1 - gate.minImprovement());
        return new RetrainDecision(
                liveVersion, live.loss(), candidate.loss(), gate.minImprovement(), gate.promoteAlways(), promoted);
    }
}
