package io.lstmjob.store;

/** The model store cannot be read or written; the message names the path. */
public class ModelStoreException extends RuntimeException {
    public ModelStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelStoreException(String message) {
        super(message);
    }
}
