package io.lstmjob.data;

/**
 * What the input is prepared for, which decides how {@link DatasetPreparer} treats it:
 * <ul>
 * <li>{@code FIT}: a new model; the scaler or vocabulary (or the classes) are fitted on the training split.</li>
 * <li>{@code REUSE}: an existing model's contract (a retrain, a resumed run, evaluation): the input must
 * fit it and is encoded with it.</li>
 * <li>{@code PREDICT}: scoring with a model's contract: every step of every sequence is scored, the
 * segments of a sequence stay together, in order, to run through one carried state, and a label
 * column may be missing.</li>
 * </ul>
 */
public record Preparation(Purpose purpose, DataContract contract) {

    public enum Purpose { FIT, REUSE, PREDICT }

    public static Preparation fit() {
        return new Preparation(Purpose.FIT, null);
    }

    public static Preparation reuse(DataContract contract) {
        return new Preparation(Purpose.REUSE, contract);
    }

    public static Preparation predict(DataContract contract) {
        return new Preparation(Purpose.PREDICT, contract);
    }

    /** The contract the input must fit, or null when one is fitted on it. */
    public DataContract fixedContract() {
        return contract;
    }

    /** A label column missing from the input is no error (scoring unlabelled sequences). */
    boolean labelsOptional() {
        return purpose == Purpose.PREDICT;
    }

    /** Every sequence is scored, however short, and none is held out (no validation split, no short-sequence policy). */
    boolean scoresEverySequence() {
        return purpose == Purpose.PREDICT;
    }

    /** All segments of a sequence go to one partition, in order, instead of being balanced by step count. */
    boolean keepsSequencesTogether() {
        return purpose == Purpose.PREDICT;
    }
}
