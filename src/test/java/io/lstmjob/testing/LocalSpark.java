package io.lstmjob.testing;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session for a test class, bound to loopback. */
public final class LocalSpark {
    private LocalSpark() {}

    public static SparkSession start() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("lstm-job-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    public static JavaSparkContext context(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext());
    }
}
