package io.lstmjob.config;

/** train.learningRateSchedule: how the learning rate changes from epoch to epoch. */
public enum LearningRateSchedule implements ConfigChoice {
    /** The same every epoch. */
    NONE,
    /** x learningRateDecay every learningRateStepEpochs epochs. */
    STEP,
    /** x learningRateDecay each epoch. */
    EXPONENTIAL;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
