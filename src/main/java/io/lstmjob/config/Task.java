package io.lstmjob.config;

/** What the network predicts at every step. */
public enum Task {
    /** Next-step regression of numeric target columns, mean squared error. */
    FORECAST,
    /** Next-character classification over the vocabulary, softmax cross-entropy. */
    CHAR_LM
}
