package io.lstmjob.data;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Sequence classification's counterpart of {@link Segmenter}: one shuffle sends every step, keyed
 * by (example, rank), to the partition of its example, sorted, and each whole sequence comes out
 * as one {@link Segment} of all its steps, its targets holding the class index at every step.
 */
public final class ExampleCutter {
    private ExampleCutter() {
    }

    public static JavaRDD<Segment> cut(JavaRDD<RankedStep> steps, Broadcast<ExamplePlan> plan) {
        return steps.mapToPair(step -> {
                    ExamplePlan p = plan.value();
                    return new Tuple2<>(new Segmenter.SegmentStep(p.exampleOf(p.catalog().indexOf(step.seqId())), step.rank()), step);
                })
                .repartitionAndSortWithinPartitions(new ExamplePartitioner(plan.value()), new Segmenter.SegmentStepOrder())
                .mapPartitions(sorted -> new Assembler(sorted, plan.value()));
    }

    static final class ExamplePartitioner extends Partitioner {
        private final int[] partitionOfExample;
        private final int partitions;

        ExamplePartitioner(ExamplePlan plan) {
            partitions = plan.partitions();
            partitionOfExample = new int[plan.examples()];
            for (int id = 0; id < partitionOfExample.length; id++) {
                partitionOfExample[id] = plan.partitionOf(id);
            }
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return partitionOfExample[((Segmenter.SegmentStep) key).segment()];
        }
    }

    /** Streams sorted (example, rank) rows into whole sequences. */
    static final class Assembler implements Iterator<Segment> {
        private final Iterator<Tuple2<Segmenter.SegmentStep, RankedStep>> rows;
        private final ExamplePlan plan;
        private Tuple2<Segmenter.SegmentStep, RankedStep> pending;

        Assembler(Iterator<Tuple2<Segmenter.SegmentStep, RankedStep>> rows, ExamplePlan plan) {
            this.rows = rows;
            this.plan = plan;
            this.pending = rows.hasNext() ? rows.next() : null;
        }

        @Override
        public boolean hasNext() {
            return pending != null;
        }

        @Override
        public Segment next() {
            if (pending == null) {
                throw new NoSuchElementException();
            }
            int id = pending._1().segment();
            RankedStep first = pending._2();
            int sequence = plan.catalog().indexOf(first.seqId());
            int length = Math.toIntExact(plan.catalog().length(sequence));
            int in = first.features().length;
            float[] inputs = new float[length * in];
            int seen = 0;
            while (pending != null && pending._1().segment() == id) {
                RankedStep step = pending._2();
                System.arraycopy(step.features(), 0, inputs, (int) step.rank() * in, in);
                seen++;
                pending = rows.hasNext() ? rows.next() : null;
            }
            if (seen != length) {
                throw new IllegalStateException("example " + id + " (sequence " + first.seqId() + ") received "
                        + seen + " steps, expected " + length);
            }
            float[] targets = new float[length];
            java.util.Arrays.fill(targets, plan.classOf(sequence));
            return new Segment(id, first.seqId(), 0, length, plan.isValidation(id), inputs, targets);
        }
    }
}
