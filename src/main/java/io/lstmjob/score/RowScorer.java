package io.lstmjob.score;

import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.train.averaging.ModelState;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A published network over rows that come grouped by sequence and ordered within each partition:
 * the one scoring path of {@code predict} and of the Spark ML {@code LstmModel}, which differ only
 * in how their rows are read and grouped. The network reaches the executors once, as a broadcast.
 *
 * @param featureIndexes where the network's inputs are in a row, in the contract's feature order
 * @param idIndex        the sequence id's column; -1 when all rows are one sequence
 * @param orderIndex     the column that orders a sequence's rows (named in error messages)
 */
public record RowScorer(
        Broadcast<ModelState> state, DataContract contract, int[] featureIndexes, int idIndex, int orderIndex)
        implements Serializable {

    /**
     * Every row with the forecasts made from the rows before it appended ({@link #forecastColumns}),
     * null for a sequence's first row; with {@code horizon} > 0 each sequence also gets that many rows
     * beyond its last (see {@link ForecastRows}).
     */
    public JavaRDD<Row> forecast(JavaRDD<Row> grouped, int horizon) {
        return grouped.mapPartitions(rows -> new ForecastRows(rows, state.value(), this, horizon));
    }

    /** One row per sequence, {@link #classificationSchema}'s; the label read from {@code labelIndex} (-1: none). */
    public JavaRDD<Row> classify(JavaRDD<Row> grouped, int labelIndex, int batchSize) {
        return grouped.mapPartitions(rows -> SequenceClassifier.classify(
                new SequenceRows(rows, contract, featureIndexes, idIndex, orderIndex, labelIndex),
                state.value(),
                contract,
                batchSize));
    }

    /** The columns a forecast appends, per target: TARGET_predicted, then TARGET_predicted_t+K for K = 2..H. */
    public static List<String> forecastColumns(DataContract contract) {
        return ForecastRows.predictedColumns(contract);
    }

    public static StructType classificationSchema(DataContract contract) {
        return SequenceClassifier.schema(contract);
    }

    /** Why the model cannot roll its forecasts beyond a sequence's end, or empty when it can. */
    public static Optional<String> horizonRefusal(DataContract contract) {
        if (contract.task() != Task.FORECAST) {
            return Optional.of("a horizon is for forecasting models; this one classifies whole sequences");
        }
        if (contract.stepsAhead() > 1) {
            return Optional.of("a horizon rolls a next-step model forward; this one forecasts " + contract.stepsAhead()
                    + " steps ahead directly (its rows hold TARGET_predicted_t+K)");
        }
        if (!contract.featureNames().equals(contract.targetNames())) {
            return Optional.of("a horizon feeds forecasts back as inputs, so the model's targets "
                    + contract.targetNames() + " must be its features " + contract.featureNames());
        }
        return Optional.empty();
    }
}
