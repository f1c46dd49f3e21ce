package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which column of a table (a CSV header, a Parquet schema) plays which part: sequence id, order,
 * label, and the channels, the feature columns followed by the target columns that are not also
 * features ({@link DataContract#channels}), each read once however many parts it plays. Resolved on
 * the driver; a header that names a column twice is refused, since the roles would be ambiguous.
 */
final class ColumnRoles implements Serializable {
    final List<String> header;
    /** -1: none (the file is the sequence; the file's order) */
    final int idIdx;

    final int orderIdx;
    /** -1: no label column (or, when scoring, none in this input) */
    final int labelIdx;

    final List<String> featureNames;
    final List<String> targetNames;
    /** Column of each channel, in channel order. */
    final int[] channelIdx;

    private ColumnRoles(
            List<String> header,
            int idIdx,
            int orderIdx,
            int labelIdx,
            List<String> featureNames,
            List<String> targetNames,
            int[] channelIdx) {
        this.header = header;
        this.idIdx = idIdx;
        this.orderIdx = orderIdx;
        this.labelIdx = labelIdx;
        this.featureNames = featureNames;
        this.targetNames = targetNames;
        this.channelIdx = channelIdx;
    }

    /**
     * @param where         the file whose header this is, for messages
     * @param labelOptional a label column missing from the header is no error (scoring unlabelled input)
     */
    static ColumnRoles resolve(List<String> header, InputConfig input, String where, boolean labelOptional) {
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!seen.add(name)) {
                throw new InputDataException(where + ":1: the header names the column '" + name + "' twice");
            }
        }
        int id = input.hasSequenceIdColumn()
                ? column(header, input.sequenceIdColumn(), "input.sequenceIdColumn", where)
                : -1;
        int order = input.hasOrderColumn() ? column(header, input.orderColumn(), "input.orderColumn", where) : -1;
        int label = !input.hasLabelColumn() || (labelOptional && !header.contains(input.labelColumn()))
                ? -1
                : column(header, input.labelColumn(), "input.labelColumn", where);
        List<String> features = input.featureColumns();
        if (features.isEmpty()) {
            features = new ArrayList<>(header);
            features.remove(input.sequenceIdColumn());
            features.remove(input.orderColumn());
            features.remove(input.labelColumn());
        }
        if (features.isEmpty()) {
            throw new InputDataException(where + ": no feature columns left besides the id, order and label columns");
        }
        for (String feature : features) {
            column(header, feature, "input.featureColumns", where);
        }
        // A classifier has no per-step targets: its label is the sequence's class.
        List<String> targets =
                input.hasLabelColumn() ? List.of() : input.targetColumns().isEmpty() ? features : input.targetColumns();
        for (String target : targets) {
            column(header, target, "input.targetColumns", where);
        }
        List<String> channels = DataContract.channels(features, targets);
        int[] channelIdx = new int[channels.size()];
        for (int c = 0; c < channelIdx.length; c++) {
            channelIdx[c] = header.indexOf(channels.get(c));
        }
        return new ColumnRoles(
                List.copyOf(header), id, order, label, List.copyOf(features), List.copyOf(targets), channelIdx);
    }

    private static int column(List<String> header, String name, String key, String where) {
        int idx = header.indexOf(name);
        if (idx < 0) {
            throw new InputDataException(key + ": column '" + name + "' is not in the header of " + where
                    + " (columns: " + String.join(", ", header) + ")");
        }
        return idx;
    }

    int channels() {
        return channelIdx.length;
    }

    String channelName(int channel) {
        return header.get(channelIdx[channel]);
    }

    List<String> channelNames() {
        List<String> names = new ArrayList<>();
        for (int idx : channelIdx) {
            names.add(header.get(idx));
        }
        return Collections.unmodifiableList(names);
    }

    String idName() {
        return idIdx < 0 ? null : header.get(idIdx);
    }

    String orderName() {
        return orderIdx < 0 ? null : header.get(orderIdx);
    }

    String labelName() {
        return labelIdx < 0 ? null : header.get(labelIdx);
    }
}
