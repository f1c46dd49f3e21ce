package io.lstmjob.config;

/** The optimiser that applies each TBPTT window's gradient. */
public enum UpdaterKind implements ConfigChoice {
    ADAM,
    RMSPROP,
    SGD;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
