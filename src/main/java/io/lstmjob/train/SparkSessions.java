package io.lstmjob.train;

import io.lstmjob.config.SparkSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The job's Spark session. A master set by spark-submit wins over spark.master from the config;
 * a local master binds to loopback, so a laptop run never listens on the network.
 */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession start(SparkSettings settings) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(settings.master());
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(settings.appName());
        }
        // Every averaging round collects each worker's parameters and updater state (10 MB for W1):
        // above 1 MB Spark parks a task result in the executor's block manager and the driver fetches
        // it in a second transfer; sent with the task's status it reaches the driver ~40 ms sooner.
        // Spark caps it at spark.rpc.message.maxSize (128 MB); larger results still take the block manager.
        conf.setIfMissing("spark.task.maxDirectResultSize", "128m");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
