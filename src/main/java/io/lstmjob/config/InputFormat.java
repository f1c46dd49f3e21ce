package io.lstmjob.config;

/** How the input files are read. Text makes a character model; see {@link InputConfig#task()}. */
public enum InputFormat {
    CSV, TEXT, PARQUET
}
