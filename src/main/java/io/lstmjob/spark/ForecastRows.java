package io.lstmjob.spark;

import io.lstmjob.data.DataContract;
import io.lstmjob.job.StepForecaster;
import io.lstmjob.train.averaging.ModelState;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * One partition's rows, grouped by sequence and ordered, each with the forecasts made from the rows
 * before it appended. A sequence is read in chunks of {@link #CHUNK} rows, the network's state
 * carried from chunk to chunk, so a long sequence is never held whole. Runs on an executor.
 */
final class ForecastRows implements Iterator<Row> {
    /** Rows scored per network call: large enough to amortise the call, small enough to hold. */
    static final int CHUNK = 1024;

    private final Iterator<Row> rows;
    private final StepForecaster forecaster;
    private final DataContract contract;
    private final int[] featureIndexes;
    private final int idIndex;
    private final int orderIndex;
    private final Deque<Row> ready = new ArrayDeque<>();
    private Row lookahead;
    /** The forecasts made after the previous row of the current sequence; null at its first row. */
    private double[] previous;
    private Object currentSequence;
    private boolean started;

    ForecastRows(Iterator<Row> rows, ModelState state, DataContract contract, int[] featureIndexes, int idIndex, int orderIndex) {
        this.rows = rows;
        this.forecaster = rows.hasNext() ? new StepForecaster(state.restore(), contract) : null;
        this.contract = contract;
        this.featureIndexes = featureIndexes;
        this.idIndex = idIndex;
        this.orderIndex = orderIndex;
        this.lookahead = rows.hasNext() ? rows.next() : null;
    }

    /** The columns added, per target: TARGET_predicted, then TARGET_predicted_t+K for K = 2..H (as predict writes them). */
    static List<String> predictedColumns(DataContract contract) {
        List<String> columns = new ArrayList<>();
        for (String target : contract.targetNames()) {
            columns.add(target + "_predicted");
            for (int ahead = 2; ahead <= contract.stepsAhead(); ahead++) {
                columns.add(target + "_predicted_t+" + ahead);
            }
        }
        return columns;
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty() && lookahead != null) {
            scoreChunk();
        }
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    /** The next rows of the current sequence (up to CHUNK), through the network, out with their forecasts. */
    private void scoreChunk() {
        Object sequence = idIndex < 0 ? null : lookahead.get(idIndex);
        if (!started || !Objects.equals(sequence, currentSequence)) {
            forecaster.startSequence();
            previous = null;
            currentSequence = sequence;
            started = true;
        }
        List<Row> chunk = new ArrayList<>();
        while (lookahead != null && chunk.size() < CHUNK && Objects.equals(idIndex < 0 ? null : lookahead.get(idIndex), sequence)) {
            chunk.add(lookahead);
            lookahead = rows.hasNext() ? rows.next() : null;
        }
        double[][] inputs = new double[chunk.size()][];
        for (int r = 0; r < chunk.size(); r++) {
            inputs[r] = RowFeatures.read(chunk.get(r), featureIndexes, contract, currentSequence, orderIndex);
        }
        double[][] forecasts = forecaster.next(forecaster.input(inputs));
        for (int r = 0; r < chunk.size(); r++) {
            ready.add(withForecasts(chunk.get(r), previous));
            previous = forecasts[r];
        }
    }

    /** The row's own values, then per target the forecasts 1..H steps ahead (all null for a sequence's first row). */
    private Row withForecasts(Row row, double[] forecast) {
        int targets = contract.targetNames().size();
        int ahead = contract.stepsAhead();
        Object[] values = new Object[row.length() + targets * ahead];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        for (int c = 0; c < targets && forecast != null; c++) {
            for (int k = 0; k < ahead; k++) {
                values[row.length() + c * ahead + k] = forecast[k * targets + c];
            }
        }
        return RowFactory.create(values);
    }
}
