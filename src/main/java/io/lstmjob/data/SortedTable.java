package io.lstmjob.data;

import io.lstmjob.config.InvalidValuePolicy;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * A table's rows brought together per sequence and put in order by Spark SQL, on its binary rows:
 * shuffled by sequence id, sorted within each partition by (id, order, file, position), spilling to
 * disk as it needs. The rank of a step is its place in that stream. Two passes read the same sorted
 * RDD, so the input is parsed and shuffled once: the census counts every sequence's steps and makes
 * every check that needs the rows in order (a second row with the same order value, rows out of
 * order under input.order=strict, a second label, invalid values of Parquet records), then the cut
 * writes the planned pieces while streaming each sequence, without holding it.
 */
final class SortedTable implements Serializable {
    private final transient Dataset<Row> frame;
    /** The sorted rows, made once for both passes (Spark runs the parse and the sort's shuffle when it is made). */
    private transient JavaRDD<Row> sorted;

    private final ColumnRoles roles;
    private final List<String> files;
    private final boolean lineInput;
    private final InvalidValuePolicy invalidValues;
    private final boolean strictOrder;

    private SortedTable(
            Dataset<Row> frame,
            ColumnRoles roles,
            List<String> files,
            boolean lineInput,
            InvalidValuePolicy invalidValues,
            boolean strictOrder) {
        this.frame = frame;
        this.roles = roles;
        this.files = files;
        this.lineInput = lineInput;
        this.invalidValues = invalidValues;
        this.strictOrder = strictOrder;
    }

    /** @param lineInput positions are byte positions of lines (CSV), not row indexes (Parquet) */
    static SortedTable sort(
            TableRows table, int partitions, boolean lineInput, InvalidValuePolicy invalidValues, boolean strictOrder) {
        Dataset<Row> sorted = table.rows()
                .repartition(partitions, functions.col("id"))
                .sortWithinPartitions("id", "order", "file", "position");
        return new SortedTable(sorted, table.roles(), table.files(), lineInput, invalidValues, strictOrder);
    }

    private JavaRDD<Row> rows() {
        if (sorted == null) {
            sorted = frame.javaRDD();
        }
        return sorted;
    }

    /** What the census learns of one sequence. */
    record Tally(String id, long steps, String label, long invalidCells, long skippedRows) implements Serializable {}

    /** The first pass: one tally per sequence. */
    List<Tally> census() {
        return rows().mapPartitions(rows -> {
                    Walk walk = new Walk(rows);
                    List<Tally> tallies = new ArrayList<>();
                    while (walk.nextSequence()) {
                        long steps = 0;
                        long invalid = 0;
                        while (walk.nextStep()) {
                            steps++;
                            invalid += walk.invalidCells;
                        }
                        tallies.add(new Tally(walk.id, steps, walk.label, invalid, walk.skipped));
                    }
                    return tallies.iterator();
                })
                .collect();
    }

    /** The second pass: every planned piece's parts, keyed for the cut's shuffle ({@link PieceCutter#key}). */
    JavaPairRDD<Long, Object> cut(Broadcast<? extends CutPlan> plan) {
        return rows().mapPartitionsToPair(rows -> new Parts(new Walk(rows), plan.value()));
    }

    /**
     * Every step as a row of {@link ScoringInput}'s layout, in the sorted order (grouped by sequence,
     * ordered within it), with input.invalidValues applied as for training. Reads the same sorted rows
     * as the census, so it runs no second sort.
     */
    JavaRDD<Row> steps() {
        return rows().mapPartitions(rows -> new Steps(new Walk(rows)));
    }

    /** A partition's steps as the walk produces them; holds only what interpolation makes wait. */
    private final class Steps implements Iterator<Row> {
        private final Walk walk;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private InvalidValueInterpolator interpolator;
        private boolean inSequence;
        private long step;

        Steps(Walk walk) {
            this.walk = walk;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty()) {
                if (inSequence && walk.nextStep()) {
                    if (interpolator != null) {
                        interpolator.step(walk.values, 0);
                    } else {
                        emit(walk.values, 0);
                    }
                    continue;
                }
                if (inSequence) {
                    if (interpolator != null) {
                        interpolator.end();
                    }
                    inSequence = false;
                    continue;
                }
                if (!walk.nextSequence()) {
                    return false;
                }
                inSequence = true;
                step = 0;
                interpolator = invalidValues == InvalidValuePolicy.INTERPOLATE
                        ? new InvalidValueInterpolator(walk.id, roles.channelNames(), this::emit)
                        : null;
            }
            return true;
        }

        private void emit(float[] values, int offset) {
            Object[] cells = new Object[ScoringInput.FIRST_CHANNEL + roles.channels()];
            cells[ScoringInput.SEQUENCE] = walk.id;
            cells[ScoringInput.STEP] = step++;
            cells[ScoringInput.LABEL] = walk.label;
            for (int c = 0; c < roles.channels(); c++) {
                // via the float's shortest decimal, so a 0.6 read as a float is written back as 0.6
                cells[ScoringInput.FIRST_CHANNEL + c] = Double.parseDouble(Float.toString(values[offset + c]));
            }
            ready.add(RowFactory.create(cells));
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }

    /** Parts of a partition's pieces as the walk produces them; holds only the parts of the current step. */
    private final class Parts implements Iterator<Tuple2<Long, Object>> {
        private final Walk walk;
        private final CutPlan plan;
        private final ArrayDeque<Tuple2<Long, Object>> ready = new ArrayDeque<>();
        private PieceCutter cutter;
        private InvalidValueInterpolator interpolator;

        Parts(Walk walk, CutPlan plan) {
            this.walk = walk;
            this.plan = plan;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty()) {
                if (cutter != null && walk.nextStep()) {
                    if (interpolator != null) {
                        interpolator.step(walk.values, 0);
                    } else {
                        cutter.step(walk.values, 0);
                    }
                    continue;
                }
                if (cutter != null) {
                    if (interpolator != null) {
                        interpolator.end();
                    }
                    cutter.end();
                    cutter = null;
                    continue;
                }
                if (!walk.nextSequence()) {
                    return false;
                }
                int seq = plan.catalog().indexOf(walk.id);
                if (plan.pieceCount(seq) == 0) {
                    while (walk.nextStep()) {
                        // a sequence the plan leaves out (shorter than one window, with input.shortSequences=skip)
                    }
                    continue;
                }
                cutter = new PieceCutter(
                        plan,
                        seq,
                        0,
                        plan.catalog().length(seq),
                        roles.channels(),
                        false,
                        (key, values) -> ready.add(new Tuple2<>(key, values)));
                PieceCutter to = cutter;
                interpolator = invalidValues == InvalidValuePolicy.INTERPOLATE
                        ? new InvalidValueInterpolator(walk.id, roles.channelNames(), to::step)
                        : null;
            }
            return true;
        }

        @Override
        public Tuple2<Long, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }

    /**
     * Reads a partition's sorted rows one sequence at a time, checking each row against the one before
     * it. {@link #nextStep} leaves out rows with invalid values under input.invalidValues=skip.
     */
    private final class Walk {
        private final Iterator<Row> rows;
        private Row pending;
        String id;
        String label;
        long skipped;
        int invalidCells;
        final float[] values = new float[roles.channels()];
        private boolean inSequence;
        private boolean hasPrevious;
        private double previousOrder;
        private int previousFile;
        private long previousPosition;
        private int labelFile;
        private long labelPosition;
        private final Map<Integer, Long> lastPositionInFile = new HashMap<>();

        Walk(Iterator<Row> rows) {
            this.rows = rows;
            this.pending = rows.hasNext() ? rows.next() : null;
        }

        /** Moves to the next sequence (skipping what is left of this one); false after the last. */
        boolean nextSequence() {
            while (inSequence && nextStep()) {
                // the rest of the current sequence
            }
            if (pending == null) {
                return false;
            }
            if (pending.isNullAt(TableRows.ID)) {
                throw bad(pending, "the sequence id column '" + roles.idName() + "' is empty");
            }
            id = pending.getString(TableRows.ID);
            label = null;
            skipped = 0;
            hasPrevious = false;
            lastPositionInFile.clear();
            inSequence = true;
            return true;
        }

        /** Moves to the current sequence's next step, its channels in {@link #values}; false at its end. */
        boolean nextStep() {
            while (inSequence) {
                if (pending == null
                        || pending.isNullAt(TableRows.ID)
                        || !pending.getString(TableRows.ID).equals(id)) {
                    inSequence = false;
                    return false;
                }
                Row row = pending;
                pending = rows.hasNext() ? rows.next() : null;
                if (check(row)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the row is a step (false: left out under input.invalidValues=skip); throws on a bad row. */
        private boolean check(Row row) {
            int invalid = row.getInt(TableRows.INVALID);
            if (invalid > 0 && invalidValues == InvalidValuePolicy.SKIP) {
                skipped++;
                return false;
            }
            if (row.isNullAt(TableRows.ORDER)) {
                throw bad(row, "the order column '" + roles.orderName() + "' is empty");
            }
            double order = row.getDouble(TableRows.ORDER);
            int file = row.getInt(TableRows.FILE);
            long position = row.getLong(TableRows.POSITION);
            if (roles.labelIdx >= 0) {
                String rowLabel = row.isNullAt(TableRows.LABEL) ? "" : row.getString(TableRows.LABEL);
                if (rowLabel.isEmpty()) {
                    throw bad(row, "label column '" + roles.labelName() + "' is empty");
                }
                if (label == null) {
                    label = rowLabel;
                    labelFile = file;
                    labelPosition = position;
                } else if (!label.equals(rowLabel)) {
                    throw bad(
                                    row,
                                    "label '" + rowLabel + "' differs from the label '" + label
                                            + "' of another row of the same " + "sequence: a sequence has one label")
                            .seenFirstAt(files.get(labelFile), lineInput ? labelPosition : -1);
                }
            }
            if (hasPrevious && roles.orderIdx >= 0 && order == previousOrder) {
                throw bad(row, "sequence '" + id + "' has a second row with the same order value " + formatOrder(order))
                        .seenFirstAt(files.get(previousFile), lineInput ? previousPosition : -1);
            }
            if (strictOrder && roles.orderIdx >= 0) {
                Long last = lastPositionInFile.put(file, position);
                if (last != null && last > position) {
                    throw bad(
                            file,
                            last,
                            "order column '" + roles.orderName() + "' of sequence '" + id
                                    + "' does not increase (input.order=strict)");
                }
            }
            hasPrevious = true;
            previousOrder = order;
            previousFile = file;
            previousPosition = position;
            if (invalid > 0 && invalidValues == InvalidValuePolicy.FAIL) {
                throw bad(
                        row, "column '" + firstInvalid(row) + "' is empty, NaN or infinite (input.invalidValues=fail)");
            }
            invalidCells = invalid;
            for (int c = 0; c < values.length; c++) {
                values[c] = row.getFloat(TableRows.FIRST_CHANNEL + c);
            }
            return true;
        }

        private String firstInvalid(Row row) {
            for (int c = 0; c < values.length; c++) {
                if (Float.isNaN(row.getFloat(TableRows.FIRST_CHANNEL + c))) {
                    return roles.channelName(c);
                }
            }
            return "?";
        }

        private BadRecordException bad(Row row, String reason) {
            return bad(row.getInt(TableRows.FILE), row.getLong(TableRows.POSITION), reason);
        }

        private BadRecordException bad(int file, long position, String reason) {
            return lineInput
                    ? new BadRecordException(files.get(file), position, reason)
                    : new BadRecordException(files.get(file), -1, "row " + (position + 1) + ": " + reason);
        }
    }

    private static String formatOrder(double order) {
        return order == Math.rint(order) ? Long.toString((long) order) : Double.toString(order);
    }
}
