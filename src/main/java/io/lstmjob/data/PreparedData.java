package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;

/**
 * The sharded dataset: training and validation segments (cached, partitioned and balanced by the
 * plan), the contract that encodes them, and a summary. {@link #release()} frees the cache.
 */
public record PreparedData(JavaRDD<Segment> train, JavaRDD<Segment> validation, DataContract contract,
                           DatasetSummary summary, JavaRDD<Segment> cached) {
    public void release() {
        cached.unpersist(false);
    }
}
