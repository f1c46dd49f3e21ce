package io.lstmjob.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * How far the model moves at an averaging: start + factor x (mean of the workers - start), start
 * being where the round's workers began. 1 (the default) lands on the mean; with block momentum
 * ({@link BlockMomentum}) that makes up for K workers' steps being worth one worker's; without it, a
 * factor that grows with K extrapolates each round's step instead (see docs/PERFORMANCE.md).
 *
 * @param kind  a factor of sqrt(workers), of workers, or fixed
 * @param fixed the factor when kind is fixed
 */
public record StepScale(Kind kind, double fixed) implements Serializable {

    public enum Kind {
        SQRT_WORKERS,
        WORKERS,
        FIXED
    }

    public static final StepScale PLAIN_AVERAGE = new StepScale(Kind.FIXED, 1.0);

    /** sqrt-workers, workers, or a positive number. */
    public static StepScale parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("sqrt-workers")) {
            return new StepScale(Kind.SQRT_WORKERS, 0);
        }
        if (v.equals("workers")) {
            return new StepScale(Kind.WORKERS, 0);
        }
        double number;
        try {
            number = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(
                    "averaging.stepScale: must be sqrt-workers, workers or a positive number, got '" + value + "'");
        }
        if (!(number > 0) || Double.isInfinite(number)) {
            throw new InvalidConfigException("averaging.stepScale: must be a positive number, got " + value);
        }
        return new StepScale(Kind.FIXED, number);
    }

    /** The factor for an averaging of {@code workers} workers' results. */
    public double factor(int workers) {
        return switch (kind) {
            case SQRT_WORKERS -> Math.sqrt(workers);
            case WORKERS -> workers;
            case FIXED -> fixed;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SQRT_WORKERS -> "sqrt-workers";
            case WORKERS -> "workers";
            case FIXED -> Double.toString(fixed);
        };
    }
}
