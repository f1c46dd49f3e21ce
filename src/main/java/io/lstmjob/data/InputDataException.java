package io.lstmjob.data;

/** The input as a whole cannot be trained on (missing, empty, inconsistent); the message says why. */
public class InputDataException extends RuntimeException {
    public InputDataException(String message) {
        super(message);
    }
}
