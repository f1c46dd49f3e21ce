package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.train.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** Runs a command's work in the job's Spark session and always stops the session after it. */
final class WithSpark {
    private WithSpark() {}

    @FunctionalInterface
    interface Work {
        int run(SparkSession spark) throws Exception;
    }

    static int run(JobConfig config, Work work) throws Exception {
        SparkSession spark = SparkSessions.start(config.spark());
        try {
            return work.run(spark);
        } finally {
            spark.stop();
        }
    }
}
