package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.InputDataException;
import io.lstmjob.data.ScoringInput;
import io.lstmjob.score.RowScorer;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.averaging.ModelState;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Batch scoring of an input's files with a published model, through the same {@link RowScorer} as
 * the Spark ML {@code LstmModel}: the input is read and checked as for training (so a bad row fails
 * with its file and line before anything is written), its steps arrive grouped and ordered from the
 * data path's one sort, and the rows are written with Spark (CSV with a header, or Parquet). A
 * classifier gets one row per sequence. A forecasting model gets a row (sequence, step, TARGET,
 * TARGET_predicted, ...) for every step that has steps before it, where step is the 0-based position
 * of the forecast step within its sequence and the forecasts are in the input's units; with a
 * horizon, each sequence also gets that many forecasts beyond its last step (TARGET empty). An
 * existing output path is never overwritten.
 */
public final class PredictionJob {
    private PredictionJob() {}

    /**
     * @param horizon steps to forecast beyond the end of each sequence, feeding each forecast back
     *                as the next input (needs the targets to be the features); 0 for none
     * @return the number of rows written
     */
    public static long run(
            SparkSession spark, JobConfig config, String version, String outputPath, String format, int horizon) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PublishedModel model = PublishedModel.load(
                new ModelStore(config.outputPath(), config.model().name(), sc.hadoopConfiguration()), version);
        DataContract contract = model.contract();
        NewOutputPath.require(outputPath, sc.hadoopConfiguration());
        if (contract.task() == Task.CHAR_LM) {
            throw new InputDataException("predict scores forecasting and classification models; "
                    + config.model().name() + " is a character model: use sample");
        }
        if (horizon > 0) {
            RowScorer.horizonRefusal(contract).ifPresent(reason -> {
                throw new InvalidConfigException(
                        "--horizon: " + reason + " (" + config.model().name() + ")");
            });
        }
        ScoringInput input = InputErrorTranslation.readable(
                sc.hadoopConfiguration(), () -> DatasetPreparer.scoringInput(spark, config.input(), contract));
        Broadcast<ModelState> state = sc.broadcast(ModelState.forScoring(model.network()));
        try {
            sc.setJobDescription("predict with " + config.model().name() + " version " + model.version());
            RowScorer scorer =
                    new RowScorer(state, contract, input.featureIndexes(), ScoringInput.SEQUENCE, ScoringInput.STEP);
            boolean classify = contract.task() == Task.CLASSIFY;
            JavaRDD<Row> rows = classify
                    ? scorer.classify(
                            input.rows(), ScoringInput.LABEL, config.train().batchSize())
                    : forecastRows(scorer.forecast(input.rows(), horizon), contract, input.targetIndexes());
            StructType schema = classify ? RowScorer.classificationSchema(contract) : forecastSchema(contract);
            var frame = spark.createDataFrame(rows, schema);
            if (format.equals("parquet")) {
                frame.write().parquet(outputPath);
            } else {
                frame.write().option("header", "true").csv(outputPath);
            }
            return spark.read()
                    .format(format.equals("parquet") ? "parquet" : "csv")
                    .option("header", "true")
                    .load(outputPath)
                    .count();
        } finally {
            state.destroy(false);
            sc.setJobDescription(null);
        }
    }

    private static StructType forecastSchema(DataContract contract) {
        StructType schema =
                new StructType().add("sequence", DataTypes.StringType).add("step", DataTypes.LongType);
        for (String target : contract.targetNames()) {
            schema = schema.add(target, DataTypes.DoubleType).add(target + "_predicted", DataTypes.DoubleType);
            for (int ahead = 2; ahead <= contract.stepsAhead(); ahead++) {
                schema = schema.add(target + "_predicted_t+" + ahead, DataTypes.DoubleType);
            }
        }
        return schema;
    }

    /**
     * Scored steps as predict's rows: (sequence, step), then per target its actual value and its
     * forecasts; a sequence's first step, which has no forecast, is left out.
     */
    private static JavaRDD<Row> forecastRows(JavaRDD<Row> scored, DataContract contract, int[] targetIndexes) {
        int targets = targetIndexes.length;
        int ahead = contract.stepsAhead();
        return scored.mapPartitions(rows -> new Iterator<Row>() {
            private Row next = advance();

            private Row advance() {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    int forecasts = row.length() - targets * ahead;
                    if (row.isNullAt(forecasts)) {
                        continue;
                    }
                    Object[] values = new Object[2 + targets * (1 + ahead)];
                    values[0] = row.get(ScoringInput.SEQUENCE);
                    values[1] = row.get(ScoringInput.STEP);
                    for (int c = 0; c < targets; c++) {
                        values[2 + c * (1 + ahead)] = row.get(targetIndexes[c]);
                        for (int k = 0; k < ahead; k++) {
                            values[3 + c * (1 + ahead) + k] = row.get(forecasts + c * ahead + k);
                        }
                    }
                    return RowFactory.create(values);
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Row next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                Row row = next;
                next = advance();
                return row;
            }
        });
    }
}
