package io.lstmjob.data;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntToLongFunction;

/**
 * Longest-processing-time-first balancing: items, longest first, each to the partition with the
 * fewest steps so far (ties: lower id, lower partition), so the partitions' step counts differ by
 * at most one item's length.
 */
final class LongestFirst {
    private LongestFirst() {}

    /** Writes the partition of every id in {@code ids} into {@code partitionOf[id]}. */
    static void assign(List<Integer> ids, IntToLongFunction length, int partitions, int[] partitionOf) {
        ids.sort(
                Comparator.<Integer>comparingLong(id -> -length.applyAsLong(id)).thenComparingInt(id -> id));
        PriorityQueue<long[]> load =
                new PriorityQueue<>(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        for (int p = 0; p < partitions; p++) {
            load.add(new long[] {0, p});
        }
        for (int id : ids) {
            long[] least = load.poll();
            partitionOf[id] = (int) least[1];
            least[0] += length.applyAsLong(id);
            load.add(least);
        }
    }
}
