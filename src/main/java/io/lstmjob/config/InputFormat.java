package io.lstmjob.config;

/** How the input files are read. Text makes a character model; see {@link InputConfig#task()}. */
public enum InputFormat implements ConfigChoice {
    CSV,
    TEXT,
    PARQUET;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
