package io.lstmjob.config;

import java.io.Serializable;

/** How long sequences are cut into segments, spread over the workers and cached there. */
public record ShardingConfig(
        int segmentLength,
        int overlap,
        double validationFraction,
        int numPartitions,
        CacheLevel cacheLevel) implements Serializable {

    /** Cached in memory, spilling to disk. */
    public ShardingConfig(int segmentLength, int overlap, double validationFraction, int numPartitions) {
        this(segmentLength, overlap, validationFraction, numPartitions, CacheLevel.MEMORY_AND_DISK);
    }

    /** The same, with no overlap and no validation split: every pair of every sequence, once (scoring). */
    public ShardingConfig whole() {
        return new ShardingConfig(segmentLength, 0, 0.0, numPartitions, cacheLevel);
    }

    /** Steps between the starts of consecutive segments of one sequence. */
    public int stride() {
        return segmentLength - overlap;
    }
}
