package io.lstmjob.config;

import java.io.Serializable;

/** Spark session settings the job itself chooses; spark-submit's own settings win. */
public record SparkSettings(String master, String appName) implements Serializable {}
