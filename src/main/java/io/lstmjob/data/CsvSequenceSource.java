package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.InvalidValuePolicy;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * Numeric time series in CSV/TSV files with a header line. Rows belong to the sequence named by
 * input.sequenceIdColumn (or to their file) and are ordered by input.orderColumn (or by their
 * position in the file). Fields may be wrapped in double quotes; quoted delimiters are not supported.
 */
final class CsvSequenceSource implements SequenceSource {

    @Override
    public StepTable read(SparkSession spark, InputConfig input, List<Path> files, boolean labelOptional) {
        List<String> header = readHeader(files.get(0), input.delimiter(), spark);
        Layout layout = Layout.resolve(header, input, files.get(0).toString(), labelOptional);
        var steps = LinesOfFiles.parse(spark, files, new RowParser(layout, input.invalidValues(), input.strictOrder()));
        return new StepTable(steps, layout.names(layout.featureIdx), layout.names(layout.targetIdx));
    }

    private static List<String> readHeader(Path file, String delimiter, SparkSession spark) {
        try (FSDataInputStream in = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(file);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line = reader.readLine();
            if (line == null || line.isBlank()) {
                throw new InputDataException(file + ":1: the first line must be a header naming the columns");
            }
            return splitCells(line, Pattern.compile(Pattern.quote(delimiter)));
        } catch (IOException e) {
            throw new InputDataException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static List<String> splitCells(String line, Pattern delimiter) {
        String[] raw = delimiter.split(line, -1);
        List<String> cells = new ArrayList<>(raw.length);
        for (String cell : raw) {
            String c = cell.trim();
            if (c.length() >= 2 && c.charAt(0) == '"' && c.charAt(c.length() - 1) == '"') {
                c = c.substring(1, c.length() - 1).replace("\"\"", "\"");
            }
            cells.add(c);
        }
        return cells;
    }

    /** Which column plays which part; built on the driver from the header of the first file. */
    static final class Layout implements Serializable {
        final List<String> header;
        final String delimiter;
        final int idIdx;
        final int orderIdx;
        final int[] featureIdx;
        final int[] targetIdx;
        /** -1: no label column (or, when scoring, none in this input) */
        final int labelIdx;

        private Layout(List<String> header, String delimiter, int idIdx, int orderIdx, int[] featureIdx, int[] targetIdx,
                       int labelIdx) {
            this.header = header;
            this.delimiter = delimiter;
            this.idIdx = idIdx;
            this.orderIdx = orderIdx;
            this.featureIdx = featureIdx;
            this.targetIdx = targetIdx;
            this.labelIdx = labelIdx;
        }

        static Layout resolve(List<String> header, InputConfig input, String file, boolean labelOptional) {
            int id = input.hasSequenceIdColumn() ? column(header, input.sequenceIdColumn(), "input.sequenceIdColumn", file) : -1;
            int order = input.hasOrderColumn() ? column(header, input.orderColumn(), "input.orderColumn", file) : -1;
            int label = !input.hasLabelColumn() || (labelOptional && !header.contains(input.labelColumn())) ? -1
                    : column(header, input.labelColumn(), "input.labelColumn", file);
            List<String> featureNames = input.featureColumns();
            if (featureNames.isEmpty()) {
                featureNames = new ArrayList<>(header);
                featureNames.remove(input.sequenceIdColumn());
                featureNames.remove(input.orderColumn());
                featureNames.remove(input.labelColumn());
            }
            if (featureNames.isEmpty()) {
                throw new InputDataException(file + ": no feature columns left besides the id, order and label columns");
            }
            int[] features = columns(header, featureNames, "input.featureColumns", file);
            // A classifier has no per-step targets: its label is the sequence's class.
            int[] targets = input.hasLabelColumn() ? new int[0] : input.targetColumns().isEmpty() ? features
                    : columns(header, input.targetColumns(), "input.targetColumns", file);
            return new Layout(List.copyOf(header), input.delimiter(), id, order, features, targets, label);
        }

        private static int[] columns(List<String> header, List<String> names, String key, String file) {
            int[] idx = new int[names.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = column(header, names.get(i), key, file);
            }
            return idx;
        }

        private static int column(List<String> header, String name, String key, String file) {
            int idx = header.indexOf(name);
            if (idx < 0) {
                throw new InputDataException(key + ": column '" + name + "' is not in the header of " + file
                        + " (columns: " + String.join(", ", header) + ")");
            }
            return idx;
        }

        List<String> names(int[] idx) {
            List<String> names = new ArrayList<>();
            for (int i : idx) {
                names.add(header.get(i));
            }
            return Collections.unmodifiableList(names);
        }
    }

    /** Turns the lines of one split into steps, failing on the first bad record. */
    static final class RowParser implements LinesOfFiles.SplitParser<StepRecord> {
        private final Layout layout;
        private final InvalidValuePolicy invalidValues;
        private final boolean strictOrder;

        RowParser(Layout layout, InvalidValuePolicy invalidValues, boolean strictOrder) {
            this.layout = layout;
            this.invalidValues = invalidValues;
            this.strictOrder = strictOrder;
        }

        @Override
        public Iterator<StepRecord> parse(String file, Iterator<Tuple2<LongWritable, Text>> lines) {
            Pattern delimiter = Pattern.compile(Pattern.quote(layout.delimiter));
            Map<String, Double> lastOrder = new HashMap<>();
            return new Iterator<>() {
                private StepRecord next = advance();

                private StepRecord advance() {
                    while (lines.hasNext()) {
                        Tuple2<LongWritable, Text> entry = lines.next();
                        long offset = entry._1().get();
                        String line = entry._2().toString();
                        if (offset == 0) {
                            List<String> header = splitCells(line, delimiter);
                            if (!header.equals(layout.header)) {
                                throw new BadRecordException(file, 0, "header " + header
                                        + " differs from the first file's " + layout.header);
                            }
                            continue;
                        }
                        if (line.isBlank()) {
                            continue;
                        }
                        StepRecord step = toStep(file, offset, splitCells(line, delimiter));
                        if (strictOrder && layout.orderIdx >= 0) {
                            Double previous = lastOrder.put(step.seqId(), step.order());
                            if (previous != null && step.order() <= previous) {
                                throw new BadRecordException(file, offset, "order column '" + layout.header.get(layout.orderIdx)
                                        + "' of sequence '" + step.seqId() + "' does not increase (input.order=strict)");
                            }
                        }
                        return step;
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public StepRecord next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    StepRecord current = next;
                    next = advance();
                    return current;
                }
            };
        }

        /** A missing or non-finite value: an error, or NaN for the skip/interpolate policies to handle. */
        private float invalid(String file, long offset, String problem) {
            if (invalidValues == InvalidValuePolicy.FAIL) {
                throw new BadRecordException(file, offset, problem + " (input.invalidValues=fail)");
            }
            return Float.NaN;
        }

        private StepRecord toStep(String file, long offset, List<String> cells) {
            if (cells.size() != layout.header.size()) {
                throw new BadRecordException(file, offset, "expected " + layout.header.size() + " fields, found " + cells.size());
            }
            String seqId = layout.idIdx >= 0 ? cells.get(layout.idIdx) : file;
            if (seqId.isEmpty()) {
                throw new BadRecordException(file, offset, "empty sequence id in column '" + layout.header.get(layout.idIdx) + "'");
            }
            double order = offset;
            if (layout.orderIdx >= 0) {
                order = OrderValues.parse(cells.get(layout.orderIdx));
                if (Double.isNaN(order)) {
                    throw new BadRecordException(file, offset, "order column '" + layout.header.get(layout.orderIdx)
                            + "' holds '" + cells.get(layout.orderIdx) + "', not a number or an ISO-8601 date");
                }
            }
            String label = null;
            if (layout.labelIdx >= 0) {
                label = cells.get(layout.labelIdx);
                if (label.isEmpty()) {
                    throw new BadRecordException(file, offset, "label column '" + layout.header.get(layout.labelIdx) + "' is empty");
                }
            }
            float[] features = values(file, offset, cells, layout.featureIdx);
            float[] targets = layout.targetIdx == layout.featureIdx ? features : values(file, offset, cells, layout.targetIdx);
            return new StepRecord(seqId, order, features, targets, label, file, offset);
        }

        private float[] values(String file, long offset, List<String> cells, int[] idx) {
            float[] values = new float[idx.length];
            for (int i = 0; i < idx.length; i++) {
                String cell = cells.get(idx[i]);
                String column = layout.header.get(idx[i]);
                float v;
                if (cell.isEmpty()) {
                    v = invalid(file, offset, "column '" + column + "' is empty");
                } else {
                    try {
                        v = Float.parseFloat(cell);
                    } catch (NumberFormatException e) {
                        throw new BadRecordException(file, offset, "column '" + column + "' holds '" + cell + "', not a number");
                    }
                    if (!Float.isFinite(v)) {
                        v = invalid(file, offset, "column '" + column + "' holds " + cell + " (not a finite number)");
                    }
                }
                values[i] = v;
            }
            return values;
        }
    }
}
