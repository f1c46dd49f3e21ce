package io.lstmjob.data;

/**
 * How {@link DatasetPreparer} treats an existing model. {@code fixedContract}: the input must fit
 * it and it is used as is (null: fit a scaler or vocabulary). {@code wholeSequencesPerPartition}:
 * all segments of a sequence go to one partition, in order, so they can be run through one
 * carried state (prediction) instead of being balanced by step count (training).
 */
public record Preparation(DataContract fixedContract, boolean wholeSequencesPerPartition) {

    public static Preparation fit() {
        return new Preparation(null, false);
    }

    public static Preparation reuse(DataContract contract) {
        return new Preparation(contract, false);
    }

    public static Preparation forPrediction(DataContract contract) {
        return new Preparation(contract, true);
    }
}
