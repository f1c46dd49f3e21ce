package io.lstmjob.config;

/** model.pooling: how a classifier's steps become one vector. */
public enum Pooling implements ConfigChoice {
    /** The last unmasked step. */
    LAST,
    /** The mean over the unmasked steps. */
    MEAN,
    /** The maximum over the unmasked steps. */
    MAX;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
