package io.lstmjob.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * How far the model moves at an averaging: start + factor x (mean of the workers - start), start
 * being where the round's workers began. 1 (the default) lands on the mean; with block momentum
 * ({@link BlockMomentum}) that makes up for K workers' steps being worth one worker's. Without it, a
 * factor of sqrt(K) (the earlier default) came within 1-10% of one worker's validation loss,
 * depending on the data, and K overshot.
 *
 * @param kind  sqrt-workers, workers, or fixed
 * @param fixed the factor when kind is fixed
 */
public record StepScale(String kind, double fixed) implements Serializable {

    public static final StepScale PLAIN_AVERAGE = new StepScale("fixed", 1.0);

    /** sqrt-workers, workers, or a positive number. */
    public static StepScale parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("sqrt-workers") || v.equals("workers")) {
            return new StepScale(v, 0);
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
        return new StepScale("fixed", number);
    }

    /** The factor for an averaging of {@code workers} workers' results. */
    public double factor(int workers) {
        return switch (kind) {
            case "sqrt-workers" -> Math.sqrt(workers);
            case "workers" -> workers;
            default -> fixed;
        };
    }

    @Override
    public String toString() {
        return kind.equals("fixed") ? Double.toString(fixed) : kind;
    }
}
