package io.lstmjob.score;

import io.lstmjob.data.DataContract;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.Segment;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.train.averaging.ModelState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Prediction rows of a sequence classifier, one per sequence: (sequence, steps, label, predicted,
 * probability, probability_CLASS...), where label is the input's own label (empty when the input
 * has no label column) and probability that of the predicted class. Runs on the executors.
 */
final class SequenceClassifier {
    private SequenceClassifier() {}

    public static StructType schema(DataContract contract) {
        StructType schema = new StructType()
                .add("sequence", DataTypes.StringType)
                .add("steps", DataTypes.LongType)
                .add("label", DataTypes.StringType)
                .add("predicted", DataTypes.StringType)
                .add("probability", DataTypes.DoubleType);
        for (String cls : contract.classes()) {
            schema = schema.add("probability_" + cls, DataTypes.DoubleType);
        }
        return schema;
    }

    public static Iterator<Row> classify(
            Iterator<Segment> sequences, ModelState state, DataContract contract, int batchSize) {
        if (!sequences.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        MultiLayerNetwork network = state.restore();
        MinibatchAssembler assembler =
                new MinibatchAssembler(contract, batchSize, NetworkFactory.minibatchGroupSteps(network));
        Iterator<List<Segment>> batches = assembler.batches(sequences);
        List<String> classes = contract.classes();
        return new Iterator<>() {
            private final List<Row> buffer = new ArrayList<>();
            private int pos;

            @Override
            public boolean hasNext() {
                if (pos >= buffer.size() && batches.hasNext()) {
                    buffer.clear();
                    pos = 0;
                    List<Segment> batch = batches.next();
                    DataSet data = assembler.assemble(batch);
                    float[] p = network.output(data.getFeatures(), false, data.getFeaturesMaskArray(), null)
                            .castTo(DataType.FLOAT)
                            .dup('c')
                            .data()
                            .asFloat();
                    for (int b = 0; b < batch.size(); b++) {
                        Segment sequence = batch.get(b);
                        int best = 0;
                        Object[] values = new Object[5 + classes.size()];
                        for (int c = 0; c < classes.size(); c++) {
                            values[5 + c] = (double) p[b * classes.size() + c];
                            best = p[b * classes.size() + c] > p[b * classes.size() + best] ? c : best;
                        }
                        int actual = sequence.label();
                        values[0] = sequence.seqId();
                        values[1] = (long) sequence.length();
                        values[2] = actual >= 0 ? classes.get(actual) : null;
                        values[3] = classes.get(best);
                        values[4] = values[5 + best];
                        buffer.add(RowFactory.create(values));
                    }
                }
                return pos < buffer.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return buffer.get(pos++);
            }
        };
    }
}
