package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Fits the {@link FeatureScaler} in one distributed pass over the training split: inputs are the
 * steps 0..T-1 of each sequence, targets the steps 1..T (what the training pairs use).
 */
public final class ScalerFitter {
    private ScalerFitter() {
    }

    public static FeatureScaler fit(JavaRDD<RankedStep> steps, Broadcast<SegmentPlan> plan, int inputs, int targets) {
        Tuple2<ChannelMoments, ChannelMoments> zero = new Tuple2<>(new ChannelMoments(inputs), new ChannelMoments(targets));
        Tuple2<ChannelMoments, ChannelMoments> moments = steps.treeAggregate(zero, (acc, step) -> {
            SegmentPlan p = plan.value();
            long trainPairs = p.trainPairs(p.catalog().indexOf(step.seqId()));
            if (step.rank() < trainPairs) {
                acc._1().add(step.features());
            }
            if (step.rank() >= 1 && step.rank() <= trainPairs) {
                acc._2().add(step.targets());
            }
            return acc;
        }, (a, b) -> new Tuple2<>(a._1().merge(b._1()), a._2().merge(b._2())));
        return new FeatureScaler(moments._1().mean(), moments._1().std(), moments._2().mean(), moments._2().std());
    }
}
