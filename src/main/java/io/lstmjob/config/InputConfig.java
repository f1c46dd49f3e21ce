package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/** Where the sequences are and which columns make them. Empty strings / lists mean "not set". */
public record InputConfig(
        String path,
        InputFormat format,
        String delimiter,
        String sequenceIdColumn,
        String orderColumn,
        List<String> featureColumns,
        List<String> targetColumns) implements Serializable {

    public boolean hasSequenceIdColumn() {
        return !sequenceIdColumn.isEmpty();
    }

    public boolean hasOrderColumn() {
        return !orderColumn.isEmpty();
    }
}
