package io.lstmjob.config;

import java.io.Serializable;

/**
 * How the network is optimised and how often the workers' parameters are averaged.
 *
 * @param learningRateSchedule  none, step (x decay every stepEpochs epochs) or exponential (x decay each epoch)
 * @param earlyStoppingPatience epochs without a better validation loss before training stops and the
 *                              best epoch's parameters are kept; 0 = off
 * @param averagingStepScale    how far the model moves towards (or past) the workers' mean at an averaging
 * @param averagingBlockMomentum how much of an averaging's step the next round starts with
 */
public record TrainConfig(
        int epochs,
        int batchSize,
        UpdaterKind updater,
        double learningRate,
        double l2,
        GradientClipping gradientClipping,
        double gradientClippingThreshold,
        int tbpttForward,
        int tbpttBackward,
        int averagingFrequency,
        String learningRateSchedule,
        double learningRateDecay,
        int learningRateStepEpochs,
        int earlyStoppingPatience,
        StepScale averagingStepScale,
        BlockMomentum averagingBlockMomentum) implements Serializable {

    /** Plain parameter averaging. */
    public TrainConfig(int epochs, int batchSize, UpdaterKind updater, double learningRate, double l2,
                       GradientClipping gradientClipping, double gradientClippingThreshold, int tbpttForward,
                       int tbpttBackward, int averagingFrequency, String learningRateSchedule, double learningRateDecay,
                       int learningRateStepEpochs, int earlyStoppingPatience) {
        this(epochs, batchSize, updater, learningRate, l2, gradientClipping, gradientClippingThreshold, tbpttForward,
                tbpttBackward, averagingFrequency, learningRateSchedule, learningRateDecay, learningRateStepEpochs,
                earlyStoppingPatience, StepScale.PLAIN_AVERAGE, BlockMomentum.NONE);
    }

    /** No schedule, no early stopping, plain parameter averaging. */
    public TrainConfig(int epochs, int batchSize, UpdaterKind updater, double learningRate, double l2,
                       GradientClipping gradientClipping, double gradientClippingThreshold, int tbpttForward,
                       int tbpttBackward, int averagingFrequency) {
        this(epochs, batchSize, updater, learningRate, l2, gradientClipping, gradientClippingThreshold, tbpttForward,
                tbpttBackward, averagingFrequency, "none", 1.0, 1, 0);
    }

    /** True when each worker trains its whole shard before the single averaging of an epoch. */
    public boolean averagesOncePerEpoch() {
        return averagingFrequency == 0;
    }
}
