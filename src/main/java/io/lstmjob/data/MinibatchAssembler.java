package io.lstmjob.data;

import io.lstmjob.config.Task;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Groups segments into minibatches on the executor: features [batch, inputs, time] and labels
 * [batch, outputs, time], scaled or one-hot encoded per the {@link DataContract}. When segments of
 * a minibatch differ in length (a sequence's last, shorter segment; sequences of a classifier)
 * the missing steps are masked, so they add nothing to the loss or the gradient. A classifier's
 * labels are one per example, [batch, classes], one-hot (all zero for an unlabelled sequence).
 *
 * <p>With {@code equalLengths} a minibatch only holds segments of one length, so nothing is padded:
 * for networks that read sequences backwards, whose backward direction reads the padding first;
 * with stacked DL4J Bidirectional layers the padding changed the real steps' outputs.
 */
public final class MinibatchAssembler implements Serializable {
    private final DataContract contract;
    private final int batchSize;
    private final boolean equalLengths;

    public MinibatchAssembler(DataContract contract, int batchSize) {
        this(contract, batchSize, false);
    }

    public MinibatchAssembler(DataContract contract, int batchSize, boolean equalLengths) {
        this.contract = contract;
        this.batchSize = batchSize;
        this.equalLengths = equalLengths;
    }

    public Minibatches minibatches(Iterator<Segment> segments) {
        return new Minibatches(batches(segments));
    }

    /** Minibatches assembled one at a time, as they are taken; skipped ones are never assembled. */
    public final class Minibatches implements Iterator<DataSet> {
        private final Iterator<List<Segment>> batches;

        private Minibatches(Iterator<List<Segment>> batches) {
            this.batches = batches;
        }

        @Override
        public boolean hasNext() {
            return batches.hasNext();
        }

        @Override
        public DataSet next() {
            return assemble(batches.next());
        }

        /** Passes over up to {@code count} minibatches (an averaging round's predecessors) without building them. */
        public void skip(long count) {
            for (long i = 0; i < count && batches.hasNext(); i++) {
                batches.next();
            }
        }
    }

    /** Consecutive segments in groups of batchSize, or with equalLengths in groups of one length each. */
    public Iterator<List<Segment>> batches(Iterator<Segment> segments) {
        return equalLengths ? new EqualLengthBatches(segments, batchSize) : new Iterator<>() {
            @Override
            public boolean hasNext() {
                return segments.hasNext();
            }

            @Override
            public List<Segment> next() {
                if (!segments.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Segment> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && segments.hasNext()) {
                    batch.add(segments.next());
                }
                return batch;
            }
        };
    }

    /**
     * Fills one bucket per length as segments stream by and hands out a bucket when it is full;
     * the partly filled ones at the end. Holds at most (distinct lengths x batchSize) segments.
     */
    private static final class EqualLengthBatches implements Iterator<List<Segment>> {
        private final Iterator<Segment> segments;
        private final int batchSize;
        private final java.util.Map<Integer, List<Segment>> buckets = new java.util.LinkedHashMap<>();
        private List<Segment> ready;

        EqualLengthBatches(Iterator<Segment> segments, int batchSize) {
            this.segments = segments;
            this.batchSize = batchSize;
        }

        @Override
        public boolean hasNext() {
            while (ready == null && segments.hasNext()) {
                Segment s = segments.next();
                List<Segment> bucket = buckets.computeIfAbsent(s.length(), k -> new ArrayList<>(batchSize));
                bucket.add(s);
                if (bucket.size() == batchSize) {
                    ready = buckets.remove(s.length());
                }
            }
            if (ready == null && !buckets.isEmpty()) {
                Integer first = buckets.keySet().iterator().next();
                ready = buckets.remove(first);
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
        float[] features = new float[b * nIn * steps];
        float[] labels = new float[b * nOut * (perSequence ? 1 : steps)];
        float[] mask = ragged ? new float[b * steps] : null;
        for (int i = 0; i < b; i++) {
            Segment s = batch.get(i);
            if (contract.task() == Task.CHAR_LM) {
                oneHot(s.inputs(), features, i, nIn, steps, s.length());
                oneHot(s.targets(), labels, i, nOut, steps, s.length());
            } else if (perSequence) {
                scale(s.inputs(), features, i, nIn, steps, s.length(), true);
                int cls = (int) s.targets()[0];
                if (cls >= 0) {
                    labels[i * nOut + cls] = 1f;
                }
            } else {
                scale(s.inputs(), features, i, nIn, steps, s.length(), true);
                scale(s.targets(), labels, i, nOut, steps, s.length(), false);
            }
            if (mask != null) {
                for (int t = 0; t < s.length(); t++) {
                    mask[i * steps + t] = 1f;
                }
            }
        }
        INDArray f = Nd4j.create(features, new long[]{b, nIn, steps}, 'c');
        INDArray l = perSequence ? Nd4j.create(labels, new long[]{b, nOut}, 'c')
                : Nd4j.create(labels, new long[]{b, nOut, steps}, 'c');
        if (mask == null) {
            return new DataSet(f, l);
        }
        INDArray m = Nd4j.create(mask, new long[]{b, steps}, 'c');
        return new DataSet(f, l, m, perSequence ? null : m.dup());
    }

    private void oneHot(float[] codePoints, float[] out, int example, int classes, int steps, int length) {
        Vocabulary vocabulary = contract.vocabulary();
        for (int t = 0; t < length; t++) {
            int cls = vocabulary.indexOf((int) codePoints[t]);
            if (cls < 0) {
                throw new IllegalStateException("character U+" + Integer.toHexString((int) codePoints[t]) + " is not in the vocabulary");
            }
            out[(example * classes + cls) * steps + t] = 1f;
        }
    }

    private void scale(float[] values, float[] out, int example, int channels, int steps, int length, boolean inputs) {
        FeatureScaler scaler = contract.scaler();
        for (int t = 0; t < length; t++) {
            for (int c = 0; c < channels; c++) {
                float v = values[t * channels + c];
                // Channel c of a k-step-ahead forecaster's targets is target c % targets, k = c / targets + 1.
                out[(example * channels + c) * steps + t] = inputs ? scaler.scaleFeature(c, v)
                        : scaler.scaleTarget(c % scaler.targetMean().length, v);
            }
        }
    }
}
