package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/**
 * Where the sequences are, which columns make them, and what to do with imperfect input. Empty
 * strings / lists mean "not set". {@code minPairs} is the shortest sequence (in training pairs)
 * that {@code shortSequences} lets through: one TBPTT window.
 */
public record InputConfig(
        String path,
        InputFormat format,
        String delimiter,
        String sequenceIdColumn,
        String orderColumn,
        List<String> featureColumns,
        List<String> targetColumns,
        InvalidValuePolicy invalidValues,
        ShortSequencePolicy shortSequences,
        boolean strictOrder,
        int minPairs) implements Serializable {

    /** Strict defaults: fail on invalid values and short sequences, sort rows by the order column. */
    public InputConfig(String path, InputFormat format, String delimiter, String sequenceIdColumn, String orderColumn,
                       List<String> featureColumns, List<String> targetColumns) {
        this(path, format, delimiter, sequenceIdColumn, orderColumn, featureColumns, targetColumns,
                InvalidValuePolicy.FAIL, ShortSequencePolicy.FAIL, false, 1);
    }

    public boolean hasSequenceIdColumn() {
        return !sequenceIdColumn.isEmpty();
    }

    public boolean hasOrderColumn() {
        return !orderColumn.isEmpty();
    }
}
