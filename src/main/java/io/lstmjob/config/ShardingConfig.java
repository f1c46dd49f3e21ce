package io.lstmjob.config;

import java.io.Serializable;

/** How long sequences are cut into segments and spread over the workers. */
public record ShardingConfig(
        int segmentLength,
        int overlap,
        double validationFraction,
        int numPartitions) implements Serializable {

    /** Steps between the starts of consecutive segments of one sequence. */
    public int stride() {
        return segmentLength - overlap;
    }
}
