package io.lstmjob.data;

import java.io.Serializable;
import java.util.List;

/**
 * Counts that describe what was prepared, for the log, the model's metadata and {@code validate}:
 * the input's size,
 * rows left out (input.invalidValues=skip) and cells filled (interpolate), the bytes the cached
 * segments take on the executors (memory and disk, as Spark's storage counts them), and how long
 * each phase of the preparation took.
 */
public record DatasetSummary(
        long inputBytes,
        int sequences,
        long steps,
        long trainPairs,
        long validationPairs,
        int trainSegments,
        int validationSegments,
        int partitions,
        long[] trainStepsPerPartition,
        long skippedRows,
        long filledCells,
        long cachedBytes,
        List<Phase> phases)
        implements Serializable {

    /** One phase of the preparation and its wall-clock seconds. */
    public record Phase(String name, double seconds) implements Serializable {}
}
