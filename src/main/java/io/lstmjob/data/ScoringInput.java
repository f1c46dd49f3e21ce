package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;

/**
 * A table's steps for scoring with a published model, read and checked as for training (bad rows,
 * order, labels, input.invalidValues) and every sequence kept, however short: one row per step,
 * grouped by sequence and in order within each partition, as (sequence, step, label, one double per
 * channel), where step is the 0-based rank of the step in its sequence and label is null without a
 * label column.
 *
 * @param rows     the steps, each sequence's in one partition and in order
 * @param contract the model's contract; channel c of a row is the contract's channel c
 */
public record ScoringInput(JavaRDD<Row> rows, DataContract contract) {
    public static final int SEQUENCE = 0;
    public static final int STEP = 1;
    public static final int LABEL = 2;
    public static final int FIRST_CHANNEL = 3;

    /** Where in a row the model's features are, in the contract's order. */
    public int[] featureIndexes() {
        return offset(contract.featureChannels());
    }

    /** Where in a row the model's targets are (forecasting), in the contract's order. */
    public int[] targetIndexes() {
        return offset(contract.targetChannels());
    }

    private static int[] offset(int[] channels) {
        int[] indexes = new int[channels.length];
        for (int i = 0; i < channels.length; i++) {
            indexes[i] = FIRST_CHANNEL + channels[i];
        }
        return indexes;
    }
}
