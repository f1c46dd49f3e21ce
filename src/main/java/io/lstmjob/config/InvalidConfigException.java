package io.lstmjob.config;

/** A config value the job cannot run with; the message names the key and what is wrong. */
public class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
