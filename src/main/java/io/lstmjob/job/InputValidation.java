package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.DatasetSummary;
import io.lstmjob.data.PreparedData;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code validate} command: reads, checks, plans and cuts the input exactly as {@code train}
 * would, then lets it go. Nothing is trained and nothing written; a bad input fails as it would
 * fail a run (exit 3 with file:line), so a nightly pipeline can run it as a gate before training.
 */
public final class InputValidation {
    private InputValidation() {}

    /** What validate reports: the input, what it holds, and how long each phase of its preparation took. */
    public record Report(String input, int files, long bytes, double seconds, DatasetSummary dataset) {}

    public static Report run(SparkSession spark, JobConfig config) {
        long start = System.nanoTime();
        PreparedData data = InputErrorTranslation.readable(
                spark.sparkContext().hadoopConfiguration(),
                () -> DatasetPreparer.prepare(spark, config.input(), config.sharding()));
        try {
            double seconds = Math.round((System.nanoTime() - start) / 1e6) / 1000.0;
            return new Report(
                    Redaction.credentials(config.input().path()),
                    data.files().size(),
                    data.summary().inputBytes(),
                    seconds,
                    data.summary());
        } finally {
            data.release();
        }
    }
}
