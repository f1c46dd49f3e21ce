package io.lstmjob.config;

/** A config value that is one of a few names: the enum constant's name in lower case, '_' as written. */
public interface ConfigChoice {
    /** The value as the config writes it. */
    String configName();
}
