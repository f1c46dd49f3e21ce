package io.lstmjob.data;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple3;

/**
 * Fits the {@link FeatureScaler} in one distributed pass over the cut segments, the same pass that
 * counts them (which also fills the cache). Forecasting: the inputs of the training split are
 * steps 0..T-1 of each sequence, its targets steps 1..T+H-1 (H = model.horizon); each counted
 * once, though overlapping segments (and a segment's last targets) hold some steps twice: a
 * training segment owns the inputs up to where the next one starts, the last one all of its own and
 * its further targets. Classification: every step of the training sequences.
 */
final class ScalerFitter {
    private ScalerFitter() {}

    /** Segments counted and, over the training ones, the moments of the inputs and of the targets. */
    record Fit(long segments, ChannelMoments inputs, ChannelMoments targets) implements Serializable {
        FeatureScaler scaler() {
            return new FeatureScaler(inputs.mean(), inputs.std(), targets.mean(), targets.std());
        }
    }

    /**
     * @param featureChannels the channel of each feature; {@code targetChannels} of each target (none: a classifier)
     * @param plan            a forecaster's segment plan (null: a classifier's examples)
     */
    static Fit fit(
            JavaRDD<Segment> segments, Broadcast<SegmentPlan> plan, int[] featureChannels, int[] targetChannels) {
        Tuple3<Long, ChannelMoments, ChannelMoments> zero =
                new Tuple3<>(0L, new ChannelMoments(featureChannels.length), new ChannelMoments(targetChannels.length));
        Tuple3<Long, ChannelMoments, ChannelMoments> sums = segments.treeAggregate(
                zero,
                (acc, s) -> {
                    if (!s.validation()) {
                        add(acc._2(), acc._3(), s, plan == null ? null : plan.value(), featureChannels, targetChannels);
                    }
                    return new Tuple3<>(acc._1() + 1, acc._2(), acc._3());
                },
                (a, b) -> new Tuple3<>(a._1() + b._1(), a._2().merge(b._2()), a._3().merge(b._3())));
        return new Fit(sums._1(), sums._2(), sums._3());
    }

    private static void add(
            ChannelMoments inputs,
            ChannelMoments targets,
            Segment s,
            SegmentPlan plan,
            int[] featureChannels,
            int[] targetChannels) {
        if (plan == null) {
            for (int t = 0; t < s.length(); t++) {
                inputs.add(s, t, featureChannels);
            }
            return;
        }
        int seq = plan.sequenceOf(s.id());
        boolean last = s.start() + s.length() == plan.trainPairs(seq);
        int owned = last ? s.length() : (int) Math.min(s.length(), plan.strideOf());
        for (int t = 0; t < owned; t++) {
            inputs.add(s, t, featureChannels);
        }
        int lastTarget = last ? s.length() + plan.horizon() - 1 : owned;
        for (int t = 1; t <= lastTarget; t++) {
            targets.add(s, t, targetChannels);
        }
    }
}
