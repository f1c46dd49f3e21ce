package io.lstmjob.config;

import java.io.Serializable;

/** Spark session settings the job itself chooses (spark.master, spark.appName); spark-submit's own settings win. */
public record SparkSettings(String master, String appName) implements Serializable {

    static SparkSettings from(ConfigValues c) {
        return new SparkSettings(c.required("spark.master"), c.required("spark.appName"));
    }
}
