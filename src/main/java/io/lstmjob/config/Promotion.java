package io.lstmjob.config;

/** retrain.promote: when a retrained candidate replaces the live version. */
public enum Promotion implements ConfigChoice {
    /** When its validation loss beats the live version's by retrain.minImprovement. */
    IF_BETTER,
    /** Whatever the scores. */
    ALWAYS;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
