package io.lstmjob.score;

import io.lstmjob.data.DataContract;
import io.lstmjob.data.Segment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.sql.Row;

/**
 * One partition's rows, grouped by sequence and ordered, as a classifier's whole-sequence segments
 * (what predict classifies), with the label when the DataFrame has the label column. Runs on an executor.
 */
final class SequenceRows implements Iterator<Segment> {
    private final Iterator<Row> rows;
    private final DataContract contract;
    private final int[] featureIndexes;
    private final int idIndex;
    private final int orderIndex;
    private final int labelIndex;
    private Row lookahead;
    private int made;

    SequenceRows(
            Iterator<Row> rows,
            DataContract contract,
            int[] featureIndexes,
            int idIndex,
            int orderIndex,
            int labelIndex) {
        this.rows = rows;
        this.contract = contract;
        this.featureIndexes = featureIndexes;
        this.idIndex = idIndex;
        this.orderIndex = orderIndex;
        this.labelIndex = labelIndex;
        this.lookahead = rows.hasNext() ? rows.next() : null;
    }

    @Override
    public boolean hasNext() {
        return lookahead != null;
    }

    @Override
    public Segment next() {
        if (lookahead == null) {
            throw new NoSuchElementException();
        }
        Object sequence = idIndex < 0 ? null : lookahead.get(idIndex);
        List<Row> steps = new ArrayList<>();
        while (lookahead != null && Objects.equals(idIndex < 0 ? null : lookahead.get(idIndex), sequence)) {
            steps.add(lookahead);
            lookahead = rows.hasNext() ? rows.next() : null;
        }
        int width = featureIndexes.length;
        float[] values = new float[steps.size() * width];
        for (int t = 0; t < steps.size(); t++) {
            double[] features = RowFeatures.read(steps.get(t), featureIndexes, contract, sequence, orderIndex);
            for (int f = 0; f < width; f++) {
                values[t * width + f] = (float) features[f];
            }
        }
        Object label = labelIndex < 0 ? null : steps.get(0).get(labelIndex);
        int classIndex = label == null ? -1 : contract.classes().indexOf(label.toString());
        return Segment.ofSequence(made++, String.valueOf(sequence), steps.size(), false, classIndex, width, values);
    }
}
