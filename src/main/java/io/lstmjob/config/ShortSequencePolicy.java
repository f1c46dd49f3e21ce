package io.lstmjob.config;

/** What to do with a sequence shorter than one TBPTT window (input.shortSequences). */
public enum ShortSequencePolicy implements ConfigChoice {
    /** Stop, naming the sequence. */
    FAIL,
    /** Leave it out of training (counted and logged). */
    SKIP;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
