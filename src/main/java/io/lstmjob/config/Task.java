package io.lstmjob.config;

/** What the network predicts: at every step (forecast, character model) or once per sequence (classify). */
public enum Task {
    /** Next-step regression of numeric target columns, mean squared error. */
    FORECAST,
    /** Next-character classification over the vocabulary, softmax cross-entropy. */
    CHAR_LM,
    /** One label per whole sequence (many-to-one) from input.labelColumn, softmax cross-entropy. */
    CLASSIFY
}
