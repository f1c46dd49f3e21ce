package io.lstmjob.data;

import java.io.Serializable;

/** Counts that describe what was prepared, for the log and the model's metadata. */
public record DatasetSummary(int sequences, long steps, long trainPairs, long validationPairs,
                             int trainSegments, int validationSegments, int partitions,
                             long[] trainStepsPerPartition) implements Serializable {
}
