package io.lstmjob.data;

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
        ExamplePlan p = plan.value();
        return steps.mapToPair(step -> {
                    ExamplePlan examples = plan.value();
                    return new Tuple2<>(new Segmenter.SegmentStep(examples.exampleOf(examples.catalog().indexOf(step.seqId())),
                            step.rank()), step);
                })
                .repartitionAndSortWithinPartitions(new Segmenter.PlanPartitioner(p.partitionOfEach(), p.partitions()),
                        new Segmenter.SegmentStepOrder())
                .mapPartitions(sorted -> new Assembler(sorted, plan.value()));
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
