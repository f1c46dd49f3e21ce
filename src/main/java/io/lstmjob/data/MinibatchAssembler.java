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
 * a minibatch differ in length (a sequence's last, shorter segment) the missing steps are masked,
 * so they add nothing to the loss or the gradient.
 */
public final class MinibatchAssembler implements Serializable {
    private final DataContract contract;
    private final int batchSize;

    public MinibatchAssembler(DataContract contract, int batchSize) {
        this.contract = contract;
        this.batchSize = batchSize;
    }

    public Iterator<DataSet> minibatches(Iterator<Segment> segments) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return segments.hasNext();
            }

            @Override
            public DataSet next() {
                if (!segments.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Segment> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && segments.hasNext()) {
                    batch.add(segments.next());
                }
                return assemble(batch);
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
        float[] features = new float[b * nIn * steps];
        float[] labels = new float[b * nOut * steps];
        float[] mask = ragged ? new float[b * steps] : null;
        for (int i = 0; i < b; i++) {
            Segment s = batch.get(i);
            if (contract.task() == Task.CHAR_LM) {
                oneHot(s.inputs(), features, i, nIn, steps, s.length());
                oneHot(s.targets(), labels, i, nOut, steps, s.length());
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
        INDArray l = Nd4j.create(labels, new long[]{b, nOut, steps}, 'c');
        if (mask == null) {
            return new DataSet(f, l);
        }
        INDArray m = Nd4j.create(mask, new long[]{b, steps}, 'c');
        return new DataSet(f, l, m, m.dup());
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
                out[(example * channels + c) * steps + t] = inputs ? scaler.scaleFeature(c, v) : scaler.scaleTarget(c, v);
            }
        }
    }
}
