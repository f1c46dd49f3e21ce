package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.InputDataException;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.Preparation;
import io.lstmjob.data.PreparedData;
import io.lstmjob.data.Segment;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.averaging.ModelState;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Batch scoring. A classifier gets one row per sequence (see {@link SequenceClassifier}). A
 * forecasting model: every sequence of the input runs through the network with
 * its state carried from start to end, and every step gets the model's forecast of the next one,
 * in the input's units. Written with Spark (CSV with a header, or Parquet) as rows
 * (sequence, step, TARGET, TARGET_predicted, ...), where step is the 0-based position of the
 * forecast step within its sequence. With a horizon, each sequence also gets that many forecasts
 * beyond its last step (TARGET empty). An existing output path is never overwritten.
 */
public final class PredictionJob {
    private PredictionJob() {
    }

    /**
     * @param horizon steps to forecast beyond the end of each sequence, feeding each forecast back
     *                as the next input (needs the targets to be the features); 0 for none
     * @return the number of rows written
     */
    public static long run(SparkSession spark, JobConfig config, String version, String outputPath, String format, int horizon) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PublishedModel model = PublishedModel.load(
                new ModelStore(config.outputPath(), config.model().name(), sc.hadoopConfiguration()), version);
        DataContract contract = model.contract();
        NewOutputPath.require(outputPath, sc.hadoopConfiguration());
        if (contract.task() == Task.CHAR_LM) {
            throw new InputDataException("predict scores forecasting and classification models; " + config.model().name()
                    + " is a character model: use sample");
        }
        if (horizon > 0 && contract.task() == Task.CLASSIFY) {
            throw new io.lstmjob.config.InvalidConfigException("--horizon is for forecasting models; " + config.model().name()
                    + " classifies whole sequences");
        }
        if (horizon > 0 && contract.stepsAhead() > 1) {
            throw new io.lstmjob.config.InvalidConfigException("--horizon rolls a next-step model forward; "
                    + config.model().name() + " forecasts " + contract.stepsAhead() + " steps ahead directly "
                    + "(its rows hold TARGET_predicted_t+K)");
        }
        if (horizon > 0 && !contract.featureNames().equals(contract.targetNames())) {
            throw new io.lstmjob.config.InvalidConfigException("--horizon feeds forecasts back as inputs, so the model's targets "
                    + contract.targetNames() + " must be its features " + contract.featureNames());
        }
        ShardingConfig whole = config.sharding().whole();
        PreparedData data = InputErrorTranslation.readable(sc.hadoopConfiguration(),
                () -> DatasetPreparer.prepare(spark, config.input(), whole, Preparation.predict(contract)));
        Broadcast<ModelState> state = sc.broadcast(ModelState.forScoring(model.network()));
        try {
            sc.setJobDescription("predict with " + config.model().name() + " version " + model.version());
            boolean classify = contract.task() == Task.CLASSIFY;
            int batchSize = config.train().batchSize();
            JavaRDD<Row> rows = classify
                    ? data.train().mapPartitions(sequences -> SequenceClassifier.classify(sequences, state.value(), contract, batchSize))
                    : data.train().mapPartitions(segments -> forecast(segments, state.value(), contract, horizon));
            StructType schema = classify ? SequenceClassifier.schema(contract) : forecastSchema(contract);
            var frame = spark.createDataFrame(rows, schema);
            if (format.equals("parquet")) {
                frame.write().parquet(outputPath);
            } else {
                frame.write().option("header", "true").csv(outputPath);
            }
            return spark.read().format(format.equals("parquet") ? "parquet" : "csv").option("header", "true")
                    .load(outputPath).count();
        } finally {
            state.destroy(false);
            data.release();
            sc.setJobDescription(null);
        }
    }

    private static StructType forecastSchema(DataContract contract) {
        StructType schema = new StructType().add("sequence", DataTypes.StringType).add("step", DataTypes.LongType);
        for (String target : contract.targetNames()) {
            schema = schema.add(target, DataTypes.DoubleType).add(target + "_predicted", DataTypes.DoubleType);
            for (int ahead = 2; ahead <= contract.stepsAhead(); ahead++) {
                schema = schema.add(target + "_predicted_t+" + ahead, DataTypes.DoubleType);
            }
        }
        return schema;
    }

    private static Iterator<Row> forecast(Iterator<Segment> segments, ModelState state, DataContract contract, int horizon) {
        if (!segments.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        StepForecaster forecaster = new StepForecaster(state.restore(), contract);
        MinibatchAssembler assembler = new MinibatchAssembler(contract, 1);
        int targets = contract.targetNames().size();
        int[] targetChannels = contract.targetChannels();
        int ahead = contract.stepsAhead();
        int perTarget = 1 + ahead; // actual, then the forecasts 1..ahead steps ahead
        return new Iterator<>() {
            private final List<Row> buffer = new ArrayList<>();
            private int pos;
            private Segment next = segments.next();

            @Override
            public boolean hasNext() {
                while (pos >= buffer.size() && next != null) {
                    buffer.clear();
                    pos = 0;
                    Segment segment = next;
                    next = segments.hasNext() ? segments.next() : null;
                    if (segment.start() == 0) {
                        forecaster.startSequence();
                    }
                    double[][] forecasts = forecaster.next(assembler.assemble(List.of(segment)).getFeatures());
                    for (int t = 0; t < segment.length(); t++) {
                        Object[] values = new Object[2 + perTarget * targets];
                        values[0] = segment.seqId();
                        values[1] = segment.start() + t + 1;
                        for (int c = 0; c < targets; c++) {
                            // via the float's shortest decimal, so 0.6f is written as 0.6, not 0.6000000238418579
                            values[2 + perTarget * c] = Double.parseDouble(Float.toString(
                                    segment.value(t + 1, targetChannels[c])));
                            for (int k = 1; k <= ahead; k++) {
                                values[2 + perTarget * c + k] = forecasts[t][(k - 1) * targets + c];
                            }
                        }
                        buffer.add(RowFactory.create(values));
                    }
                    boolean lastOfSequence = next == null || !next.seqId().equals(segment.seqId());
                    if (horizon > 0 && lastOfSequence) {
                        rollOut(segment);
                    }
                }
                return pos < buffer.size();
            }

            /** Forecasts beyond the last step, each fed back as the next input; no actual value. */
            private void rollOut(Segment last) {
                double[] x = new double[targets];
                for (int c = 0; c < targets; c++) {
                    x[c] = last.value(last.length(), targetChannels[c]);
                }
                long step = last.start() + last.length();
                for (int h = 1; h <= horizon; h++) {
                    // The targets are the features here (checked above): each forecast is the next input.
                    double[] forecast = forecaster.next(forecaster.input(new double[][]{x}))[0];
                    Object[] values = new Object[2 + perTarget * targets];
                    values[0] = last.seqId();
                    values[1] = step + h;
                    for (int c = 0; c < targets; c++) {
                        x[c] = forecast[c];
                        values[2 + perTarget * c] = null;
                        values[3 + perTarget * c] = x[c];
                    }
                    buffer.add(RowFactory.create(values));
                }
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
