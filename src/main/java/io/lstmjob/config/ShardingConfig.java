package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;

/**
 * How long sequences are cut into training pairs and segments, spread over the workers and cached
 * there (the {@code segment.*}, {@code validation.*} and {@code spark.*} partitioning sections, and
 * the two numbers of other sections that say what a pair and a long enough sequence are).
 *
 * @param horizon  steps ahead every training pair's targets reach (model.horizon): input step p has
 *                 targets p+1 .. p+horizon, so a sequence of N steps gives N - horizon pairs
 * @param minPairs the fewest pairs a sequence must give for input.shortSequences to let it through:
 *                 one TBPTT window (tbptt.forward), or one step for a classifier, whose example is the
 *                 whole sequence
 */
public record ShardingConfig(
        int segmentLength,
        int overlap,
        double validationFraction,
        int numPartitions,
        CacheLevel cacheLevel,
        int horizon,
        int minPairs)
        implements Serializable {

    static ShardingConfig from(ConfigValues c, TrainConfig train, Task task) {
        int forward = train.tbpttForward();
        int length = c.integer("segment.length");
        require(length >= forward, "segment.length", "must be at least tbptt.forward (" + forward + "), got " + length);
        int overlap = c.integer("segment.overlap");
        require(
                overlap >= 0 && overlap < length,
                "segment.overlap",
                "must be within 0..segment.length-1, got " + overlap);
        double fraction = c.number("validation.fraction");
        require(fraction >= 0 && fraction <= 0.5, "validation.fraction", "must be within 0..0.5, got " + fraction);
        int partitions = c.integer("spark.numPartitions");
        require(partitions >= 0, "spark.numPartitions", "must be 0 (executors x cores) or positive, got " + partitions);
        CacheLevel cacheLevel =
                c.choice("spark.storageLevel", CacheLevel.class, "memory-and-disk, memory-and-disk-ser or disk-only");
        int horizon = c.integer("model.horizon");
        require(
                horizon >= 1 && horizon <= length,
                "model.horizon",
                "must be within 1..segment.length (" + length + "), got " + horizon);
        require(
                horizon == 1 || task == Task.FORECAST,
                "model.horizon",
                "is for forecasting (csv or parquet without input.labelColumn), got " + horizon);
        int minPairs = task == Task.CLASSIFY ? 1 : forward;
        return new ShardingConfig(length, overlap, fraction, partitions, cacheLevel, horizon, minPairs);
    }

    /** The same, with no overlap and no validation split: every pair of every sequence, once (scoring). */
    public ShardingConfig whole() {
        return new ShardingConfig(segmentLength, 0, 0.0, numPartitions, cacheLevel, horizon, minPairs);
    }

    /** The same with another horizon (a published model's). */
    public ShardingConfig withHorizon(int steps) {
        return new ShardingConfig(
                segmentLength, overlap, validationFraction, numPartitions, cacheLevel, steps, minPairs);
    }

    /** Steps between the starts of consecutive segments of one sequence. */
    public int stride() {
        return segmentLength - overlap;
    }
}
