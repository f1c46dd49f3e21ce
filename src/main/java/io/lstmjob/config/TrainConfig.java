package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;

/**
 * How the network is optimised and how often the workers' parameters are averaged (the {@code train.*},
 * {@code tbptt.*} and {@code averaging.*} sections).
 *
 * @param earlyStoppingPatience epochs without a better validation loss before training stops and the
 *                              best epoch's parameters are kept; 0 = off
 * @param averagingFrequency    minibatches between averagings, or auto (bounded by updater steps)
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
        AveragingFrequency averagingFrequency,
        LearningRateSchedule learningRateSchedule,
        double learningRateDecay,
        int learningRateStepEpochs,
        int earlyStoppingPatience,
        StepScale averagingStepScale,
        BlockMomentum averagingBlockMomentum)
        implements Serializable {

    static TrainConfig from(ConfigValues c) {
        int epochs = c.integer("train.epochs");
        require(epochs >= 1, "train.epochs", "must be at least 1, got " + epochs);
        int batchSize = c.integer("train.batchSize");
        require(batchSize >= 1, "train.batchSize", "must be at least 1, got " + batchSize);
        double lr = c.number("train.learningRate");
        require(lr > 0 && Double.isFinite(lr), "train.learningRate", "must be a positive number, got " + lr);
        double l2 = c.number("train.l2");
        require(l2 >= 0 && Double.isFinite(l2), "train.l2", "must be zero or positive, got " + l2);
        GradientClipping clipping = c.choice("train.gradientClipping", GradientClipping.class);
        double threshold = c.number("train.gradientClippingThreshold");
        require(
                threshold > 0 && Double.isFinite(threshold),
                "train.gradientClippingThreshold",
                "must be positive, got " + threshold);
        int forward = c.integer("tbptt.forward");
        require(forward >= 1, "tbptt.forward", "must be at least 1, got " + forward);
        int backward = c.integer("tbptt.backward");
        require(
                backward >= 1 && backward <= forward,
                "tbptt.backward",
                "must be within 1..tbptt.forward (" + forward + "), got " + backward);
        AveragingFrequency frequency = AveragingFrequency.parse(
                c.untrimmed("averaging.frequency"),
                c.integer("averaging.localSteps"),
                c.number("averaging.minRoundGflop"));
        LearningRateSchedule schedule =
                c.choice("train.learningRateSchedule", LearningRateSchedule.class, "none, step or exponential");
        double decay = c.number("train.learningRateDecay");
        require(decay > 0 && decay <= 1, "train.learningRateDecay", "must be within (0, 1], got " + decay);
        int stepEpochs = c.integer("train.learningRateStepEpochs");
        require(stepEpochs >= 1, "train.learningRateStepEpochs", "must be at least 1, got " + stepEpochs);
        int patience = c.integer("train.earlyStoppingPatience");
        require(patience >= 0, "train.earlyStoppingPatience", "must be 0 (off) or positive, got " + patience);
        return new TrainConfig(
                epochs,
                batchSize,
                c.choice("train.updater", UpdaterKind.class),
                lr,
                l2,
                clipping,
                threshold,
                forward,
                backward,
                frequency,
                schedule,
                decay,
                stepEpochs,
                patience,
                StepScale.parse(c.untrimmed("averaging.stepScale")),
                BlockMomentum.parse(c.untrimmed("averaging.blockMomentum")));
    }
}
