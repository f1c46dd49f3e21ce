package io.lstmjob.data;

import io.lstmjob.config.Task;
import java.io.Serializable;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Groups segments into minibatches on the executor: features [batch, inputs, time] and labels
 * [batch, outputs, time], scaled or one-hot encoded per the {@link DataContract}. When segments of
 * a minibatch differ in length (a sequence's last, shorter segment; sequences of a classifier)
 * the missing steps are masked, so they add nothing to the loss or the gradient. A classifier's
 * labels are one per example, [batch, classes], one-hot (all zero for an unlabelled sequence).
 *
 * <p>Segments share a minibatch only when they need the same number of {@code groupSteps}-step
 * windows: a truncated-BPTT minibatch costs as many windows as its longest segment needs, however
 * few segments it holds, so a sequence's short last segment grouped with full ones would push a
 * full one into a minibatch of its own and cost a whole segment's windows more.
 * {@code groupSteps} = 1 gives minibatches of one length,
 * nothing padded: for networks that read sequences backwards, whose backward direction reads the
 * padding first (with stacked DL4J Bidirectional layers the padding changed the real steps'
 * outputs).
 */
public final class MinibatchAssembler implements Serializable {
    /**
     * A Spark job's local property: the position of the first minibatch a partition's iteration
     * hands over; those before it are passed over without being assembled. A job that trains an
     * averaging round from the middle of an epoch sets it.
     */
    public static final String START = "io.lstmjob.minibatches.start";

    private final DataContract contract;
    private final int batchSize;
    private final int groupSteps;
    private final int[] featureChannels;
    private final int[] targetChannels;

    /** Consecutive segments in minibatches of batchSize. */
    public MinibatchAssembler(DataContract contract, int batchSize) {
        this(contract, batchSize, Integer.MAX_VALUE);
    }

    /** @param groupSteps segments share a minibatch only when they need as many windows of this many steps */
    public MinibatchAssembler(DataContract contract, int batchSize, int groupSteps) {
        if (groupSteps < 1) {
            throw new IllegalArgumentException("groupSteps must be >= 1, was " + groupSteps);
        }
        this.contract = contract;
        this.batchSize = batchSize;
        this.groupSteps = groupSteps;
        this.featureChannels = contract.featureChannels();
        this.targetChannels = contract.targetChannels();
    }

    /**
     * A partition's minibatches, each a {@link Minibatch} that knows its position, assembled one at a
     * time as they are taken, from the running job's {@link #START} on (from the first outside a job).
     */
    public Iterator<DataSet> minibatches(Iterator<Segment> segments) {
        return assembled(segments, false);
    }

    /**
     * As {@link #minibatches}, for a consumer done with each minibatch when it asks for the next (training,
     * evaluation): a minibatch's arrays are then reused for a later one of the same shape, and so are the last
     * one's when the Spark task ends. Nothing may keep a minibatch, or collect them.
     */
    public Iterator<DataSet> minibatchesInReusedArrays(Iterator<Segment> segments) {
        return assembled(segments, true);
    }

    private Iterator<DataSet> assembled(Iterator<Segment> segments, boolean recycling) {
        Iterator<List<Segment>> batches = batches(segments);
        long start = startOfThisJob();
        long skipped = 0;
        for (; skipped < start && batches.hasNext(); skipped++) {
            batches.next();
        }
        Assembled assembled = new Assembled(batches, skipped, recycling);
        TaskContext task = TaskContext.get();
        if (recycling && task != null) {
            // The last minibatch is trained after hasNext() said there is none: its arrays go back with the task.
            task.addTaskCompletionListener((TaskCompletionListener) context -> assembled.recycleCurrent());
        }
        return assembled;
    }

    /**
     * Minibatches assembled as they are taken. Recycling, the consumer is done with one when it asks for the next
     * (or when its task ends): then its arrays go to {@link RecycledArrays} for the next minibatch of that shape.
     */
    private final class Assembled implements Iterator<DataSet> {
        private final Iterator<List<Segment>> batches;
        private final boolean recycling;
        private long position;
        private DataSet current;

        Assembled(Iterator<List<Segment>> batches, long first, boolean recycling) {
            this.batches = batches;
            this.position = first;
            this.recycling = recycling;
        }

        @Override
        public boolean hasNext() {
            return batches.hasNext();
        }

        @Override
        public DataSet next() {
            List<Segment> batch = batches.next();
            recycleCurrent();
            current = new Minibatch(assemble(batch), position++);
            return current;
        }

        void recycleCurrent() {
            if (current != null && recycling) {
                RecycledArrays.recycle(current.getFeatures());
                RecycledArrays.recycle(current.getLabels());
                RecycledArrays.recycle(current.getFeaturesMaskArray());
                current = null;
            }
        }
    }

    private static long startOfThisJob() {
        TaskContext task = TaskContext.get();
        String start = task == null ? null : task.getLocalProperty(START);
        return start == null ? 0 : Long.parseLong(start);
    }

    /**
     * Segments in groups of batchSize, each group of segments that need the same number of windows,
     * in the order the groups fill up (then the partly filled ones, in the order they were started).
     * Holds at most (distinct window counts x batchSize) segments.
     */
    public Iterator<List<Segment>> batches(Iterator<Segment> segments) {
        return new Iterator<>() {
            private final Map<Integer, List<Segment>> filling = new LinkedHashMap<>();
            private List<Segment> ready;

            @Override
            public boolean hasNext() {
                while (ready == null && segments.hasNext()) {
                    Segment s = segments.next();
                    int windows = Math.max(0, s.length() - 1) / groupSteps;
                    List<Segment> group = filling.computeIfAbsent(windows, k -> new ArrayList<>(batchSize));
                    group.add(s);
                    if (group.size() == batchSize) {
                        ready = filling.remove(windows);
                    }
                }
                if (ready == null && !filling.isEmpty()) {
                    ready = filling.remove(filling.keySet().iterator().next());
                }
                return ready != null;
            }

            @Override
            public List<Segment> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Segment> batch = ready;
                ready = null;
                return batch;
            }
        };
    }

    public DataSet assemble(List<Segment> batch) {
        int b = batch.size();
        int nIn = contract.networkInputs();
        int nOut = contract.networkOutputs();
        int steps = 0;
        boolean ragged = false;
        for (Segment s : batch) {
            ragged |= steps != 0 && s.length() != steps;
            steps = Math.max(steps, s.length());
        }
        boolean perSequence = contract.task() == Task.CLASSIFY;
        // Written straight into the arrays' native memory (zeroed: padding and one-hot), no float[] in between.
        INDArray f = RecycledArrays.zeros(b, nIn, steps);
        INDArray l = perSequence ? RecycledArrays.zeros(b, nOut) : RecycledArrays.zeros(b, nOut, steps);
        INDArray m = ragged ? RecycledArrays.zeros(b, steps) : null;
        FloatBuffer features = floats(f);
        FloatBuffer labels = floats(l);
        FloatBuffer mask = m == null ? null : floats(m);
        for (int i = 0; i < b; i++) {
            Segment s = batch.get(i);
            if (contract.task() == Task.CHAR_LM) {
                for (int t = 0; t < s.length(); t++) {
                    features.put((i * nIn + s.classAt(t)) * steps + t, 1f);
                    labels.put((i * nOut + s.classAt(t + 1)) * steps + t, 1f);
                }
            } else if (perSequence) {
                scaleInputs(s, features, i, steps);
                if (s.label() >= 0) {
                    labels.put(i * nOut + s.label(), 1f);
                }
            } else {
                scaleInputs(s, features, i, steps);
                scaleTargets(s, labels, i, steps);
            }
            if (mask != null) {
                for (int t = 0; t < s.length(); t++) {
                    mask.put(i * steps + t, 1f);
                }
            }
        }
        if (m == null) {
            return new DataSet(f, l);
        }
        return new DataSet(f, l, m, perSequence ? null : m.dup());
    }

    private static FloatBuffer floats(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private void scaleInputs(Segment s, FloatBuffer out, int example, int steps) {
        FeatureScaler scaler = contract.scaler();
        int channels = featureChannels.length;
        for (int t = 0; t < s.length(); t++) {
            for (int c = 0; c < channels; c++) {
                out.put((example * channels + c) * steps + t, scaler.scaleFeature(c, s.value(t, featureChannels[c])));
            }
        }
    }

    /** Output k * targets + c of pair t is target c, k + 1 steps ahead: step t + k + 1 of the segment. */
    private void scaleTargets(Segment s, FloatBuffer out, int example, int steps) {
        FeatureScaler scaler = contract.scaler();
        int targets = targetChannels.length;
        int outputs = targets * contract.stepsAhead();
        for (int t = 0; t < s.length(); t++) {
            for (int o = 0; o < outputs; o++) {
                int c = o % targets;
                out.put(
                        (example * outputs + o) * steps + t,
                        scaler.scaleTarget(c, s.value(t + o / targets + 1, targetChannels[c])));
            }
        }
    }
}
