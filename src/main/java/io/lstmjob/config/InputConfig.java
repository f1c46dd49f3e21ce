package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;
import java.util.List;

/**
 * Where the sequences are, which columns make them, and what to do with imperfect input (the
 * {@code input.*} section). Empty strings / lists mean "not set". {@code labelColumn} names the class
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
        InputOrder order,
        String labelColumn,
        int maxLineBytes)
        implements Serializable {

    static InputConfig from(ConfigValues c) {
        InputFormat format = c.choice("input.format", InputFormat.class);
        // Not trimmed: a tab or a space is a delimiter.
        String delimiter = c.untrimmed("input.csv.delimiter");
        require(
                delimiter.length() == 1 && delimiter.charAt(0) < 128 && delimiter.charAt(0) != '"',
                "input.csv.delimiter",
                "must be a single ASCII character other than '\"', got '" + delimiter + "'");
        long maxLineBytes = c.bytes("input.maxLineBytes");
        require(
                maxLineBytes >= 1024 && maxLineBytes <= (1L << 30),
                "input.maxLineBytes",
                "must be within 1k..1g bytes, got " + maxLineBytes);
        InputConfig input = new InputConfig(
                c.required("input.path"),
                format,
                delimiter,
                c.text("input.sequenceIdColumn"),
                c.text("input.orderColumn"),
                c.strings("input.featureColumns"),
                c.strings("input.targetColumns"),
                c.choice("input.invalidValues", InvalidValuePolicy.class),
                c.choice("input.shortSequences", ShortSequencePolicy.class),
                c.choice("input.order", InputOrder.class, "sort or strict"),
                c.text("input.labelColumn"),
                (int) maxLineBytes);
        if (input.hasLabelColumn()) {
            require(
                    format != InputFormat.TEXT,
                    "input.labelColumn",
                    "labels whole sequences of csv or parquet input; text input trains a character model");
            require(
                    input.targetColumns().isEmpty(),
                    "input.targetColumns",
                    "must be empty when input.labelColumn is set "
                            + "(a classifier predicts the label, not next-step values)");
            require(
                    !input.featureColumns().contains(input.labelColumn()),
                    "input.featureColumns",
                    "must not contain the label column '" + input.labelColumn() + "'");
        }
        return input;
    }

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
                order,
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

    public boolean strictOrder() {
        return order == InputOrder.STRICT;
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
