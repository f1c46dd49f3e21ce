package io.lstmjob.data;

/**
 * What the input is prepared for, which decides how {@link DatasetPreparer} treats it:
 * <ul>
 * <li>{@code FIT}: a new model; the scaler or vocabulary (or the classes) are fitted on the training split.</li>
 * <li>{@code REUSE}: an existing model's contract (a retrain, a resumed run, evaluation): the input must
 * fit it and is encoded with it.</li>
 * </ul>
 * Scoring reads its input apart, with no plan or cut: {@link DatasetPreparer#scoringInput}.
 */
public record Preparation(Purpose purpose, DataContract contract) {

    public enum Purpose {
        FIT,
        REUSE
    }

    public static Preparation fit() {
        return new Preparation(Purpose.FIT, null);
    }

    public static Preparation reuse(DataContract contract) {
        return new Preparation(Purpose.REUSE, contract);
    }

    /** The contract the input must fit, or null when one is fitted on it. */
    public DataContract fixedContract() {
        return contract;
    }
}
