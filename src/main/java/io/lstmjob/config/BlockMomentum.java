package io.lstmjob.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * The momentum of the averaged model's steps across rounds (block momentum, the "blockwise model-update
 * filtering" of Chen and Huo, 2016). Averaging K workers that started from one point makes one step's
 * progress where one worker on all the data makes K; carrying a fraction m of the last round's step
 * into the next adds up to 1 / (1 - m) steps, so {@code auto} = 1 - 1/K makes up the K-fold shortfall
 * over a few rounds instead of by extrapolating a single round (which overshoots).
 *
 * @param auto  1 - 1/workers; otherwise {@code fixed}
 * @param fixed the momentum when not auto, in [0, 1)
 */
public record BlockMomentum(boolean auto, double fixed) implements Serializable {

    public static final BlockMomentum NONE = new BlockMomentum(false, 0.0);

    /** auto, or a number in [0, 1). */
    public static BlockMomentum parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return new BlockMomentum(true, 0);
        }
        double number;
        try {
            number = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(
                    "averaging.blockMomentum: must be auto or a number in [0, 1), got '" + value + "'");
        }
        if (!(number >= 0 && number < 1)) {
            throw new InvalidConfigException("averaging.blockMomentum: must be in [0, 1) (0 = none), got " + value);
        }
        return new BlockMomentum(false, number);
    }

    /** The momentum after a round that averaged {@code workers} workers: 0 for one worker under auto. */
    public double forWorkers(int workers) {
        return auto ? 1.0 - 1.0 / Math.max(1, workers) : fixed;
    }

    @Override
    public String toString() {
        return auto ? "auto" : Double.toString(fixed);
    }
}
