package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/** Reads one input format into steps. Readers fail on bad records with {@link BadRecordException}. */
public interface SequenceSource {

    /** @param labelOptional a missing input.labelColumn is no error (scoring unlabelled data); labels are then null */
    StepTable read(SparkSession spark, InputConfig input, List<Path> files, boolean labelOptional);

    static SequenceSource forFormat(io.lstmjob.config.InputFormat format) {
        return switch (format) {
            case CSV -> new CsvSequenceSource();
            case TEXT -> new TextSequenceSource();
            case PARQUET -> new ParquetSequenceSource();
        };
    }
}
