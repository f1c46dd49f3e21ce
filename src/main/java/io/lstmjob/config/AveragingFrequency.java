package io.lstmjob.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * How many minibatches each worker trains between averagings ({@code averaging.frequency} and
 * {@code averaging.localSteps}). {@code auto} bounds a round by the workers' updater steps rather than
 * by the epoch, whose size depends on the data and on the number of workers: each worker takes about
 * {@code localSteps} updater steps (truncated-BPTT windows, or minibatches when training is not
 * truncated) per round, or its whole epoch when that is shorter; one worker alone is averaged only at
 * the end of its epoch, which changes nothing. Steps so small that {@code localSteps} of them are less
 * arithmetic than {@code minRoundGflop} (a small model, a narrow minibatch, a short window) make
 * longer rounds, up to that much arithmetic: a round also costs a Spark job, a broadcast and the wait
 * for its slowest worker (~40 ms in local mode, more on a cluster), which would otherwise be a large
 * share of it. It is counted from the model's size, not timed, so a run replays the same rounds.
 *
 * @param auto          rounds of {@code localSteps} updater steps; otherwise {@code minibatches}
 * @param minibatches   minibatches per round when not auto; 0 = the whole epoch
 * @param localSteps    updater steps per worker and round under auto
 * @param minRoundGflop under auto, the arithmetic (10^9 floating-point operations) a worker's round
 *                      holds at least, when its epoch has that much
 */
public record AveragingFrequency(boolean auto, int minibatches, int localSteps, double minRoundGflop)
        implements Serializable {

    /** auto, 0 (once per epoch) or a number of minibatches; localSteps and minRoundGflop are read under auto only. */
    static AveragingFrequency parse(String frequency, int localSteps, double minRoundGflop) {
        String v = frequency.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            if (localSteps < 1) {
                throw new InvalidConfigException("averaging.localSteps: must be at least 1, got " + localSteps);
            }
            if (!(minRoundGflop >= 0) || Double.isInfinite(minRoundGflop)) {
                throw new InvalidConfigException(
                        "averaging.minRoundGflop: must be a number >= 0 (0 = rounds of localSteps only), got "
                                + minRoundGflop);
            }
            return new AveragingFrequency(true, 0, localSteps, minRoundGflop);
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
        return new AveragingFrequency(false, number, 0, 0);
    }

    /**
     * Minibatches per worker and round, 0 meaning the whole epoch. Under auto an epoch longer than
     * a round (localSteps updater steps, or minRoundGflop of arithmetic when that is more) is cut
     * into rounds of equal size, none longer than that.
     *
     * @param updaterStepsPerMinibatch updater steps one minibatch makes (its truncated-BPTT windows)
     * @param minibatchesPerWorker     about how many minibatches a worker has per epoch
     * @param flopsPerMinibatch        the arithmetic of training one minibatch (see {@link #trainingFlops})
     */
    public int minibatchesPerRound(
            int workers, int updaterStepsPerMinibatch, long minibatchesPerWorker, double flopsPerMinibatch) {
        if (!auto) {
            return minibatches;
        }
        long bySteps = localSteps / Math.max(1, updaterStepsPerMinibatch);
        long byArithmetic = flopsPerMinibatch > 0 ? (long) Math.ceil(minRoundGflop * 1e9 / flopsPerMinibatch) : 0;
        long longest = Math.max(1, Math.max(bySteps, byArithmetic));
        if (workers <= 1 || minibatchesPerWorker <= longest) {
            return 0;
        }
        long rounds = (minibatchesPerWorker + longest - 1) / longest;
        return (int) ((minibatchesPerWorker + rounds - 1) / rounds);
    }

    /**
     * The usual estimate of training's arithmetic: per parameter and token, 2 operations forwards and
     * 4 backwards (each weight's product once for the activations' gradient, once for its own).
     */
    public static double trainingFlops(long parameters, double tokens) {
        return 6.0 * parameters * tokens;
    }

    @Override
    public String toString() {
        return auto
                ? "auto (" + localSteps + " updater steps, at least " + minRoundGflop + " GFLOP)"
                : Integer.toString(minibatches);
    }
}
