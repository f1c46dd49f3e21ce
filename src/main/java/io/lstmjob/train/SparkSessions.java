package io.lstmjob.train;

import io.lstmjob.config.SparkSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The job's Spark session. A master set by spark-submit wins over spark.master from the config;
 * a local master binds to loopback, so a laptop run never listens on the network.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession start(SparkSettings settings) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(settings.master());
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(settings.appName());
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
