package io.lstmjob.train;

/** Training produced a non-finite loss or parameters; nothing from the run may be published. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
