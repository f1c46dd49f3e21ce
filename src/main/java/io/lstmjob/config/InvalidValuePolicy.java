package io.lstmjob.config;

/** What to do with an empty, NaN or infinite numeric cell (input.invalidValues). */
public enum InvalidValuePolicy implements ConfigChoice {
    /** Stop with the file and line. */
    FAIL,
    /** Leave the row out (counted and logged). */
    SKIP,
    /** Fill the cell linearly between the nearest valid values of its channel in its sequence (counted and logged). */
    INTERPOLATE;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
