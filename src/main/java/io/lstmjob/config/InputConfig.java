package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/**
 * Where the sequences are, which columns make them, and what to do with imperfect input. Empty
 * strings / lists mean "not set". {@code minPairs} is the shortest sequence (in training pairs)
 * that {@code shortSequences} lets through: one TBPTT window. {@code labelColumn} names the class
 * of each sequence (the same on all its rows) and makes the task sequence classification.
 * {@code maxLineBytes}: a longer line of a CSV or text file is refused (its file and line named).
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
        int minPairs,
        String labelColumn,
        int maxLineBytes)
        implements Serializable {

    /** A copy that reads {@code labelColumn} as every sequence's class. */
    public InputConfig withLabelColumn(String column) {
        return new InputConfig(
                path,
                format,
                delimiter,
                sequenceIdColumn,
                orderColumn,
                featureColumns,
                targetColumns,
                invalidValues,
                shortSequences,
                strictOrder,
                minPairs,
                column,
                maxLineBytes);
    }

    /** Text makes a character model, a label column a sequence classifier, anything else a forecaster. */
    public Task task() {
        if (format == InputFormat.TEXT) {
            return Task.CHAR_LM;
        }
        return hasLabelColumn() ? Task.CLASSIFY : Task.FORECAST;
    }

    public boolean hasLabelColumn() {
        return !labelColumn.isEmpty();
    }

    public boolean hasSequenceIdColumn() {
        return !sequenceIdColumn.isEmpty();
    }

    public boolean hasOrderColumn() {
        return !orderColumn.isEmpty();
    }
}
