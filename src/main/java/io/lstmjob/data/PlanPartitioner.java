package io.lstmjob.data;

import org.apache.spark.Partitioner;

/** Sends each piece's parts (keyed by {@link PieceCutter#key}) to the partition its plan chose for it. */
final class PlanPartitioner extends Partitioner {
    private final int[] partitionOfPiece;
    private final int partitions;

    PlanPartitioner(CutPlan plan) {
        this.partitions = plan.partitions();
        this.partitionOfPiece = new int[plan.pieces()];
        for (int piece = 0; piece < partitionOfPiece.length; piece++) {
            partitionOfPiece[piece] = plan.partitionOf(piece);
        }
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return partitionOfPiece[PieceCutter.pieceOf((Long) key)];
    }
}
