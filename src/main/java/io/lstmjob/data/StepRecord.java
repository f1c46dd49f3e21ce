package io.lstmjob.data;

import java.io.Serializable;

/**
 * One time step as read from the input: the sequence it belongs to, its order key within the
 * sequence, its numeric values, and where it came from (file and byte offset) for error messages.
 * For text, features and targets hold the character's code point. {@code label} is the sequence's
 * class as written in the label column (null without one).
 */
public record StepRecord(String seqId, double order, float[] features, float[] targets, String label,
                         String file, long offset) implements Serializable {
}
