package io.lstmjob.train;

import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.Segment;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.train.averaging.ModelState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Scores a network on segments where they lie: the parameters are broadcast, each partition runs
 * the forward pass over its segments (state from zero at each segment's start, as in training) and
 * returns sums that are merged on the driver. A classifier's segments are whole sequences, and
 * its metrics count sequences.
 */
public final class HoldoutEvaluator {
    private final DataContract contract;
    private final int batchSize;

    public HoldoutEvaluator(DataContract contract, int batchSize) {
        this.contract = contract;
        this.batchSize = batchSize;
    }

    /** Metrics over the segments, or null when there are none. */
    public ValidationMetrics evaluate(JavaSparkContext sc, MultiLayerNetwork network, JavaRDD<Segment> segments) {
        ModelState full = ModelState.of(network);
        Broadcast<ModelState> state = sc.broadcast(new ModelState(
                full.configurationJson(), full.parameters(), null, full.iterationCount(), full.epochCount()));
        try {
            MinibatchAssembler assembler =
                    new MinibatchAssembler(contract, batchSize, NetworkFactory.minibatchGroupSteps(network));
            Task task = contract.task();
            LossTotals totals = segments.mapPartitions((Iterator<Segment> it) -> {
                        LossTotals partial = new LossTotals();
                        if (!it.hasNext()) {
                            return List.of(partial).iterator();
                        }
                        MultiLayerNetwork net = state.value().restore();
                        Iterator<DataSet> batches = assembler.minibatchesInReusedArrays(it);
                        while (batches.hasNext()) {
                            accumulate(partial, net, batches.next(), task);
                        }
                        return List.of(partial).iterator();
                    })
                    .treeAggregate(new LossTotals(), LossTotals::merge, LossTotals::merge, 2);
            return totals.steps == 0 ? null : toMetrics(totals);
        } finally {
            state.destroy(false);
        }
    }

    private static void accumulate(LossTotals totals, MultiLayerNetwork net, DataSet batch, Task task) {
        INDArray mask = batch.getLabelsMaskArray();
        INDArray output = net.output(batch.getFeatures(), false, batch.getFeaturesMaskArray(), mask);
        long[] shape = output.shape();
        int examples = (int) shape[0];
        int channels = (int) shape[1];
        // A classifier answers once per sequence: [examples, classes], one "step" each.
        int steps = output.rank() == 3 ? (int) shape[2] : 1;
        if (output.rank() == 2) {
            mask = null;
        }
        float[] out = output.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] labels =
                batch.getLabels().castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] m = mask == null
                ? null
                : mask.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (totals.squaredErrorByTarget == null && task == Task.FORECAST) {
            totals.squaredErrorByTarget = new double[channels];
        }
        if (totals.actual == null && task != Task.FORECAST) {
            totals.truePositives = new long[channels];
            totals.predicted = new long[channels];
            totals.actual = new long[channels];
            totals.confusion = new long[channels * channels];
        }
        for (int b = 0; b < examples; b++) {
            for (int t = 0; t < steps; t++) {
                if (m != null && m[b * steps + t] == 0f) {
                    continue;
                }
                totals.steps++;
                if (task == Task.FORECAST) {
                    for (int c = 0; c < channels; c++) {
                        int i = (b * channels + c) * steps + t;
                        double e = out[i] - labels[i];
                        totals.squaredError += e * e;
                        totals.absoluteError += Math.abs(e);
                        totals.squaredErrorByTarget[c] += e * e;
                        totals.elements++;
                    }
                } else {
                    int target = 0;
                    int predicted = 0;
                    for (int c = 0; c < channels; c++) {
                        int i = (b * channels + c) * steps + t;
                        if (labels[i] > labels[(b * channels + target) * steps + t]) {
                            target = c;
                        }
                        if (out[i] > out[(b * channels + predicted) * steps + t]) {
                            predicted = c;
                        }
                    }
                    double p = out[(b * channels + target) * steps + t];
                    totals.negativeLogLikelihood -= Math.log(Math.max(p, 1e-12));
                    totals.correct += predicted == target ? 1 : 0;
                    totals.truePositives[target] += predicted == target ? 1 : 0;
                    totals.predicted[predicted]++;
                    totals.actual[target]++;
                    totals.confusion[target * channels + predicted]++;
                }
            }
        }
    }

    private ValidationMetrics toMetrics(LossTotals totals) {
        if (contract.task() != Task.FORECAST) {
            double nll = totals.negativeLogLikelihood / totals.steps;
            return classification(totals, nll, contract.classNames(), contract.task() == Task.CHAR_LM);
        }
        double mse = totals.squaredError / totals.elements;
        Map<String, Double> byTarget = new LinkedHashMap<>();
        int targets = contract.targetNames().size();
        for (int c = 0; c < totals.squaredErrorByTarget.length; c++) {
            double scaledRmse = Math.sqrt(totals.squaredErrorByTarget[c] / totals.steps);
            int ahead = c / targets + 1;
            byTarget.put(
                    contract.targetNames().get(c % targets) + (ahead > 1 ? "@t+" + ahead : ""),
                    scaledRmse * contract.scaler().targetStd()[c % targets]);
        }
        return new ValidationMetrics(
                totals.steps,
                mse,
                mse,
                totals.absoluteError / totals.elements,
                Math.sqrt(mse),
                byTarget,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * Macro averages over the classes that occur or are predicted (others have no defined
     * precision/recall); perplexity for the character model.
     */
    private static ValidationMetrics classification(LossTotals totals, double nll, List<String> labels, boolean text) {
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        int classes = 0;
        int n = totals.actual.length;
        Map<String, ValidationMetrics.ClassMetrics> perClass = new LinkedHashMap<>();
        long[][] counts = new long[n][n];
        for (int c = 0; c < n; c++) {
            String label = labels.get(c);
            System.arraycopy(totals.confusion, c * n, counts[c], 0, n);
            if (totals.actual[c] == 0 && totals.predicted[c] == 0) {
                continue;
            }
            double p = totals.predicted[c] == 0 ? 0 : (double) totals.truePositives[c] / totals.predicted[c];
            double r = totals.actual[c] == 0 ? 0 : (double) totals.truePositives[c] / totals.actual[c];
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            perClass.put(label, new ValidationMetrics.ClassMetrics(p, r, f, totals.actual[c]));
            precision += p;
            recall += r;
            f1 += f;
            classes++;
        }
        return new ValidationMetrics(
                totals.steps,
                nll,
                null,
                null,
                null,
                null,
                (double) totals.correct / totals.steps,
                text ? Math.exp(nll) : null,
                precision / classes,
                recall / classes,
                f1 / classes,
                perClass,
                new ValidationMetrics.ConfusionMatrix(labels, counts));
    }
}
