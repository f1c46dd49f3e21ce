package io.lstmjob.data;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;

import java.util.List;

/**
 * The sharded dataset: training and validation segments (cached, partitioned and balanced by the
 * plan), the contract that encodes them, a summary, and the input files it was read from.
 * {@link #release()} frees the cache.
 */
public record PreparedData(JavaRDD<Segment> train, JavaRDD<Segment> validation, DataContract contract,
                           DatasetSummary summary, List<Path> files, JavaRDD<Segment> cached) {
    public void release() {
        cached.unpersist(false);
    }
}
