package io.lstmjob.config;

/** input.order: whether the job sorts each sequence's rows or requires them in order already. */
public enum InputOrder implements ConfigChoice {
    /** Rows are put in order by the order column. */
    SORT,
    /** Rows of a sequence must already be in increasing order within their file; one that is not is an error. */
    STRICT;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
