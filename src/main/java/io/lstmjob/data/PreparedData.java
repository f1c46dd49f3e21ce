package io.lstmjob.data;

import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;

/**
 * The sharded dataset: training and validation segments (cached, partitioned and balanced by the
 * plan), the contract that encodes them, a summary, and the input files it was read from.
 * {@link #release()} frees the cache.
 */
public record PreparedData(
        JavaRDD<Segment> train,
        JavaRDD<Segment> validation,
        DataContract contract,
        DatasetSummary summary,
        List<Path> files,
        JavaRDD<Segment> cached) {
    public void release() {
        cached.unpersist(false);
    }
}
