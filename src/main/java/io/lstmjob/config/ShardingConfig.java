package io.lstmjob.config;

import java.io.Serializable;

/**
 * How long sequences are cut into segments, spread over the workers and cached there.
 *
 * @param horizon steps ahead every training pair's targets reach (model.horizon): input step p has
 *                targets p+1 .. p+horizon, so a sequence of N steps gives N - horizon pairs
 */
public record ShardingConfig(
        int segmentLength,
        int overlap,
        double validationFraction,
        int numPartitions,
        CacheLevel cacheLevel,
        int horizon)
        implements Serializable {

    /** The same, with no overlap and no validation split: every pair of every sequence, once (scoring). */
    public ShardingConfig whole() {
        return new ShardingConfig(segmentLength, 0, 0.0, numPartitions, cacheLevel, horizon);
    }

    /** The same with another horizon (a published model's). */
    public ShardingConfig withHorizon(int steps) {
        return new ShardingConfig(segmentLength, overlap, validationFraction, numPartitions, cacheLevel, steps);
    }

    /** Steps between the starts of consecutive segments of one sequence. */
    public int stride() {
        return segmentLength - overlap;
    }
}
