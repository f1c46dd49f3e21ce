package io.lstmjob.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * How many minibatches each worker trains between averagings ({@code averaging.frequency} and
 * {@code averaging.localSteps}). {@code auto} bounds a round by the workers' updater steps rather than
 * by the epoch, whose size depends on the data and on the number of workers: each worker takes about
 * {@code localSteps} updater steps (truncated-BPTT windows, or minibatches when training is not
 * truncated) per round, or its whole epoch when that is shorter; one worker alone is averaged only at
 * the end of its epoch, which changes nothing.
 *
 * @param auto        rounds of {@code localSteps} updater steps; otherwise {@code minibatches}
 * @param minibatches minibatches per round when not auto; 0 = the whole epoch
 * @param localSteps  updater steps per worker and round under auto
 */
public record AveragingFrequency(boolean auto, int minibatches, int localSteps) implements Serializable {

    public static final AveragingFrequency PER_EPOCH = new AveragingFrequency(false, 0, 0);

    /** auto, 0 (once per epoch) or a number of minibatches; localSteps is read under auto only. */
    static AveragingFrequency parse(String frequency, int localSteps) {
        String v = frequency.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            if (localSteps < 1) {
                throw new InvalidConfigException("averaging.localSteps: must be at least 1, got " + localSteps);
            }
            return new AveragingFrequency(true, 0, localSteps);
        }
        int number;
        try {
            number = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0) {
            throw new InvalidConfigException("averaging.frequency: must be auto, 0 (once per epoch) or a number of"
                    + " minibatches, got '" + frequency + "'");
        }
        return new AveragingFrequency(false, number, 0);
    }

    /** A fixed number of minibatches per round (0 = once per epoch). */
    public static AveragingFrequency minibatches(int minibatches) {
        return parse(Integer.toString(minibatches), 0);
    }

    /**
     * Minibatches per worker and round, 0 meaning the whole epoch. Under auto an epoch longer than
     * {@code localSteps} is cut into rounds of equal size, none longer than that.
     *
     * @param updaterStepsPerMinibatch updater steps one minibatch makes (its truncated-BPTT windows)
     * @param minibatchesPerWorker     about how many minibatches a worker has per epoch
     */
    public int minibatchesPerRound(int workers, int updaterStepsPerMinibatch, long minibatchesPerWorker) {
        if (!auto) {
            return minibatches;
        }
        long longest = Math.max(1, localSteps / Math.max(1, updaterStepsPerMinibatch));
        if (workers <= 1 || minibatchesPerWorker <= longest) {
            return 0;
        }
        long rounds = (minibatchesPerWorker + longest - 1) / longest;
        return (int) ((minibatchesPerWorker + rounds - 1) / rounds);
    }

    @Override
    public String toString() {
        return auto ? "auto (" + localSteps + " updater steps)" : Integer.toString(minibatches);
    }
}
