package io.lstmjob.config;

import java.io.Serializable;

/**
 * The validated, immutable configuration of one run. {@code resolvedJson} is the whole merged
 * configuration as JSON, kept for the model's metadata so a run can be reproduced.
 */
public record JobConfig(
        InputConfig input,
        String outputPath,
        ModelConfig model,
        TrainConfig train,
        ShardingConfig sharding,
        SparkSettings spark,
        StoreConfig store,
        RetrainConfig retrain,
        String resolvedJson)
        implements Serializable {

    public Task task() {
        return input.task();
    }
}
