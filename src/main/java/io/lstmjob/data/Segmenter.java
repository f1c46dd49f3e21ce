package io.lstmjob.data;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Cuts ranked steps into the segments of a {@link SegmentPlan} in one shuffle: every step is sent,
 * keyed by (segment, rank), to the partition that trains its segment, sorted there, and assembled
 * one segment at a time ({@link StepsById}). No sequence is ever held whole in one place.
 */
public final class Segmenter {
    private Segmenter() {
    }

    public static JavaRDD<Segment> cut(JavaRDD<RankedStep> steps, Broadcast<SegmentPlan> plan) {
        JavaPairRDD<SegmentStep, RankedStep> keyed = steps.flatMapToPair(step -> {
            SegmentPlan p = plan.value();
            List<Tuple2<SegmentStep, RankedStep>> out = new ArrayList<>(2);
            p.forEachSegmentContaining(p.catalog().indexOf(step.seqId()), step.rank(),
                    id -> out.add(new Tuple2<>(new SegmentStep(id, step.rank()), step)));
            return out.iterator();
        });
        SegmentPlan p = plan.value();
        return keyed.repartitionAndSortWithinPartitions(new PlanPartitioner(p.partitionOfEach(), p.partitions()), new SegmentStepOrder())
                .mapPartitions(sorted -> new StepsById<>(sorted, (id, segmentSteps) -> segment(plan.value(), id, segmentSteps)));
    }

    record SegmentStep(int segment, long rank) implements Serializable {
    }

    static final class SegmentStepOrder implements Comparator<SegmentStep>, Serializable {
        @Override
        public int compare(SegmentStep a, SegmentStep b) {
            int c = Integer.compare(a.segment(), b.segment());
            return c != 0 ? c : Long.compare(a.rank(), b.rank());
        }
    }

    /** Sends each segment's (or example's) steps to the partition the plan balanced it onto. */
    static final class PlanPartitioner extends Partitioner {
        private final int[] partitionOfSegment;
        private final int partitions;

        PlanPartitioner(int[] partitionOfSegment, int partitions) {
            this.partitionOfSegment = partitionOfSegment;
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return partitionOfSegment[((SegmentStep) key).segment()];
        }
    }

    /** One segment from its steps, sorted by rank: inputs and the targets of the next horizon steps. */
    static Segment segment(SegmentPlan plan, int id, Iterator<RankedStep> steps) {
        long start = plan.startOf(id);
        int length = plan.lengthOf(id);
        int horizon = plan.horizon();
        RankedStep first = steps.next();
        int in = first.features().length;
        int out = first.targets().length;
        float[] inputs = new float[length * in];
        // Pair p's targets: steps p+1 .. p+horizon, horizon blocks of out values.
        float[] targets = new float[length * out * horizon];
        int seen = 0;
        for (RankedStep step = first; step != null; step = steps.hasNext() ? steps.next() : null) {
            int t = (int) (step.rank() - start);
            if (t < length) {
                System.arraycopy(step.features(), 0, inputs, t * in, in);
            }
            for (int ahead = 1; ahead <= horizon; ahead++) {
                int pair = t - ahead;
                if (pair >= 0 && pair < length) {
                    System.arraycopy(step.targets(), 0, targets, (pair * horizon + ahead - 1) * out, out);
                }
            }
            seen++;
        }
        if (seen != length + horizon) {
            throw new IllegalStateException("segment " + id + " of sequence " + first.seqId() + " received "
                    + seen + " steps, expected " + (length + horizon));
        }
        return new Segment(id, first.seqId(), start, length, plan.isValidation(id), inputs, targets);
    }
}
