package io.lstmjob.config;

/** How the input files are read; the format also decides the task (see {@link Task}). */
public enum InputFormat {
    CSV, TEXT, PARQUET;

    public Task task() {
        return this == TEXT ? Task.CHAR_LM : Task.FORECAST;
    }
}
