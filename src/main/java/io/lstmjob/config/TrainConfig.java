package io.lstmjob.config;

import java.io.Serializable;

/** How the network is optimised and how often the workers' parameters are averaged. */
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
        int averagingFrequency) implements Serializable {

    /** True when each worker trains its whole shard before the single averaging of an epoch. */
    public boolean averagesOncePerEpoch() {
        return averagingFrequency == 0;
    }
}
