package io.lstmjob.config;

/** The optimiser that applies each TBPTT window's gradient. */
public enum UpdaterKind {
    ADAM, RMSPROP, SGD
}
