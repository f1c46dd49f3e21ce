package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.Iterator;

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
                .mapPartitions(sorted -> new StepsById<>(sorted, (id, exampleSteps) -> example(plan.value(), id, exampleSteps)));
    }

    /** One whole sequence from its steps, sorted by rank, with its class at every step. */
    static Segment example(ExamplePlan plan, int id, Iterator<RankedStep> steps) {
        RankedStep first = steps.next();
        int sequence = plan.catalog().indexOf(first.seqId());
        int length = Math.toIntExact(plan.catalog().length(sequence));
        int in = first.features().length;
        float[] inputs = new float[length * in];
        int seen = 0;
        for (RankedStep step = first; step != null; step = steps.hasNext() ? steps.next() : null) {
            System.arraycopy(step.features(), 0, inputs, (int) step.rank() * in, in);
            seen++;
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
