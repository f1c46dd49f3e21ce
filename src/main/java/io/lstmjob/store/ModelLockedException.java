package io.lstmjob.store;

/** Another run holds the model's lock; the message names the holder. */
public class ModelLockedException extends RuntimeException {
    public ModelLockedException(String message) {
        super(message);
    }
}
