package io.lstmjob.config;

import java.io.Serializable;

/**
 * How the network is optimised and how often the workers' parameters are averaged.
 *
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
        LearningRateSchedule learningRateSchedule,
        double learningRateDecay,
        int learningRateStepEpochs,
        int earlyStoppingPatience,
        StepScale averagingStepScale,
        BlockMomentum averagingBlockMomentum)
        implements Serializable {}
