package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;

/** The evaluation gate of a warm-start retrain (the {@code retrain.*} section; applied by {@code job.RetrainDecision}). */
public record RetrainConfig(Promotion promote, double minImprovement) implements Serializable {

    static RetrainConfig from(ConfigValues c) {
        Promotion promote = c.choice("retrain.promote", Promotion.class, "if-better or always");
        double minImprovement = c.number("retrain.minImprovement");
        require(
                minImprovement >= 0 && minImprovement < 1,
                "retrain.minImprovement",
                "must be within [0, 1), got " + minImprovement);
        return new RetrainConfig(promote, minImprovement);
    }

    public boolean promoteAlways() {
        return promote == Promotion.ALWAYS;
    }
}
