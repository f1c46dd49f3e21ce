package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;

import java.util.List;

/** What a reader produces: every step of every sequence, plus the names of its channels. */
public record StepTable(JavaRDD<StepRecord> steps, List<String> featureNames, List<String> targetNames) {
}
