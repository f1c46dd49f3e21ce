package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;

/**
 * Fits the {@link FeatureScaler} in one distributed pass over the training split. Forecasting:
 * inputs are the steps 0..T-1 of each sequence, targets the steps 1..T+H-1 (what the training
 * pairs use, H = model.horizon). Classification: every step of the training sequences, and no targets.
 */
public final class ScalerFitter {
    private ScalerFitter() {
    }

    public static FeatureScaler fit(JavaRDD<RankedStep> steps, Broadcast<SegmentPlan> plan, int inputs, int targets) {
        return fit(steps, inputs, targets, (step, acc) -> {
            SegmentPlan p = plan.value();
            long trainPairs = p.trainPairs(p.catalog().indexOf(step.seqId()));
            if (step.rank() < trainPairs) {
                acc._1().add(step.features());
            }
            if (step.rank() >= 1 && step.rank() <= trainPairs + p.horizon() - 1) {
                acc._2().add(step.targets());
            }
        });
    }

    public static FeatureScaler fitInputs(JavaRDD<RankedStep> steps, Broadcast<ExamplePlan> plan, int inputs) {
        return fit(steps, inputs, 0, (step, acc) -> {
            ExamplePlan p = plan.value();
            if (!p.isValidation(p.exampleOf(p.catalog().indexOf(step.seqId())))) {
                acc._1().add(step.features());
            }
        });
    }

    /** Adds a step to the (input, target) moments where it belongs to the training split. */
    private interface Accumulate extends Serializable {
        void add(RankedStep step, Tuple2<ChannelMoments, ChannelMoments> moments);
    }

    private static FeatureScaler fit(JavaRDD<RankedStep> steps, int inputs, int targets, Accumulate accumulate) {
        Tuple2<ChannelMoments, ChannelMoments> zero = new Tuple2<>(new ChannelMoments(inputs), new ChannelMoments(targets));
        Tuple2<ChannelMoments, ChannelMoments> moments = steps.treeAggregate(zero, (acc, step) -> {
            accumulate.add(step, acc);
            return acc;
        }, (a, b) -> new Tuple2<>(a._1().merge(b._1()), a._2().merge(b._2())));
        return new FeatureScaler(moments._1().mean(), moments._1().std(), moments._2().mean(), moments._2().std());
    }
}
