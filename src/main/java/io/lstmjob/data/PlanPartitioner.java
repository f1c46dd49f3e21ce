package io.lstmjob.data;

import org.apache.spark.Partitioner;
import org.apache.spark.broadcast.Broadcast;

/**
 * Sends each piece's parts (keyed by {@link PieceCutter#key}) to the partition its plan chose for it.
 * It reads the broadcast plan rather than copying its assignment: the partitioner travels with
 * every task of the cut, and a plan of millions of pieces would make each task megabytes.
 */
final class PlanPartitioner extends Partitioner {
    private final Broadcast<? extends CutPlan> plan;
    private final int partitions;

    PlanPartitioner(Broadcast<? extends CutPlan> plan) {
        this.plan = plan;
        this.partitions = plan.value().partitions();
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return plan.value().partitionOf(PieceCutter.pieceOf((Long) key));
    }
}
