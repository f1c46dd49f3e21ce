package io.lstmjob.score;

import io.lstmjob.data.DataContract;
import io.lstmjob.train.averaging.ModelState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's rows, grouped by sequence and ordered, each with the forecasts made from the rows
 * before it appended. A sequence is read in chunks of {@link #CHUNK} rows, the network's state
 * carried from chunk to chunk, so a long sequence is never held whole. With a horizon of K, each
 * sequence gets K more rows after its last: the forecasts beyond its end, each fed back as the next
 * input, in rows whose other columns are null but the sequence id and, when it is an integer, the
 * order column (the last row's plus 1, 2, ...). Runs on an executor.
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
    private final int horizon;
    private final Deque<Row> ready = new ArrayDeque<>();
    private Row lookahead;
    /** The forecasts made after the previous row of the current sequence; null at its first row. */
    private double[] previous;

    private Row lastRow;
    private Object currentSequence;
    private boolean started;

    ForecastRows(Iterator<Row> rows, ModelState state, RowScorer scorer, int horizon) {
        this.rows = rows;
        this.contract = scorer.contract();
        this.forecaster = rows.hasNext() ? new StepForecaster(state.restore(), contract) : null;
        this.featureIndexes = scorer.featureIndexes();
        this.idIndex = scorer.idIndex();
        this.orderIndex = scorer.orderIndex();
        this.horizon = horizon;
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
        Object sequence = idOf(lookahead);
        if (!started || !Objects.equals(sequence, currentSequence)) {
            forecaster.startSequence();
            previous = null;
            currentSequence = sequence;
            started = true;
        }
        List<Row> chunk = new ArrayList<>();
        while (lookahead != null && chunk.size() < CHUNK && Objects.equals(idOf(lookahead), sequence)) {
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
        lastRow = chunk.get(chunk.size() - 1);
        boolean sequenceEnds = lookahead == null || !Objects.equals(idOf(lookahead), sequence);
        if (horizon > 0 && sequenceEnds) {
            rollOut();
        }
    }

    private Object idOf(Row row) {
        return idIndex < 0 ? null : row.get(idIndex);
    }

    /** The horizon's rows: each forecast fed back as the next input (the targets are the features; checked by the caller). */
    private void rollOut() {
        Object order = lastRow.get(orderIndex);
        for (int h = 1; h <= horizon; h++) {
            if (h > 1) {
                previous = forecaster.next(forecaster.input(new double[][] {previous}))[0];
            }
            Object[] values = new Object[lastRow.length()];
            if (idIndex >= 0) {
                values[idIndex] = currentSequence;
            }
            values[orderIndex] =
                    order instanceof Long l ? (Object) (l + h) : order instanceof Integer i ? (Object) (i + h) : null;
            ready.add(withForecasts(RowFactory.create(values), previous));
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
