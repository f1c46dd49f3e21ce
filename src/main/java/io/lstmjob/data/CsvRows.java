package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.InvalidValuePolicy;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * CSV/TSV files with a header line as {@link TableRows}: each split's lines are parsed here, so that
 * a bad one fails with its file and line (Spark's CSV reader knows neither), and what leaves the
 * split is a binary row per line. Every file's first line is a header equal to the first file's.
 */
final class CsvRows {
    private CsvRows() {}

    /** @param bytesRead counts the bytes read, for the progress log */
    static TableRows read(
            SparkSession spark,
            InputConfig input,
            InputSplits splits,
            List<Path> files,
            boolean labelOptional,
            LongAccumulator bytesRead) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = sc.hadoopConfiguration();
        List<String> header = header(conf, files.get(0), input);
        ColumnRoles roles = ColumnRoles.resolve(header, input, files.get(0).toString(), labelOptional);
        LineParser parser = new LineParser(
                roles,
                input.delimiter().charAt(0),
                input.invalidValues() == InvalidValuePolicy.FAIL,
                input.maxLineBytes());
        var rows = splits.read(split -> parser.rows(split, bytesRead));
        return new TableRows(
                spark.createDataFrame(rows, TableRows.schema(roles.channels())),
                roles,
                files.stream().map(Path::toString).toList());
    }

    private static List<String> header(Configuration conf, Path file, InputConfig input) {
        try (SplitLines lines = SplitLines.open(conf, file, input.maxLineBytes())) {
            while (lines.next()) {
                if (isBlank(lines.bytes(), lines.from(), lines.to())) {
                    break;
                }
                CsvCells cells = new CsvCells(input.delimiter().charAt(0));
                String problem = cells.read(lines.bytes(), lines.from(), lines.to(), null);
                if (problem != null) {
                    throw new InputDataException(file + ":1: " + problem);
                }
                return cells.all();
            }
            throw new InputDataException(file + ":1: the first line must be a header naming the columns");
        } catch (BadRecordException e) {
            throw new InputDataException(file + ":1: " + e.reason());
        } catch (IOException e) {
            throw new InputDataException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static boolean isBlank(byte[] line, int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Turns the lines of one split into rows, failing on the first bad one with its position. */
    static final class LineParser implements Serializable {
        private final ColumnRoles roles;
        private final char delimiter;
        private final boolean failOnInvalid;
        private final int maxLineBytes;

        LineParser(ColumnRoles roles, char delimiter, boolean failOnInvalid, int maxLineBytes) {
            this.roles = roles;
            this.delimiter = delimiter;
            this.failOnInvalid = failOnInvalid;
            this.maxLineBytes = maxLineBytes;
        }

        Iterator<Row> rows(InputSplits.Split split, LongAccumulator bytesRead) throws IOException {
            SplitLines lines = split.open(maxLineBytes, bytesRead);
            CsvCells cells = new CsvCells(delimiter);
            String file = split.file().toString();
            return new Iterator<>() {
                private Row next = advance();

                private Row advance() {
                    try {
                        while (lines.next()) {
                            byte[] b = lines.bytes();
                            long position = lines.position();
                            if (isBlank(b, lines.from(), lines.to())) {
                                continue;
                            }
                            String problem =
                                    cells.read(b, lines.from(), lines.to(), position == 0 ? null : roles.header);
                            if (problem != null) {
                                throw new BadRecordException(file, position, problem);
                            }
                            if (position == 0) {
                                List<String> header = cells.all();
                                if (!header.equals(roles.header)) {
                                    throw new BadRecordException(
                                            file,
                                            0,
                                            "header " + header + " differs from the first file's " + roles.header);
                                }
                                continue;
                            }
                            return row(file, split.fileIndex(), position, cells);
                        }
                        lines.close();
                        return null;
                    } catch (IOException e) {
                        throw new InputDataException("cannot read " + file + ": " + e.getMessage());
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Row next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Row current = next;
                    next = advance();
                    return current;
                }
            };
        }

        private Row row(String file, int fileIndex, long position, CsvCells cells) {
            if (cells.count() != roles.header.size()) {
                throw new BadRecordException(
                        file, position, "expected " + roles.header.size() + " fields, found " + cells.count());
            }
            Object[] values = new Object[TableRows.FIRST_CHANNEL + roles.channels()];
            String id = file;
            if (roles.idIdx >= 0) {
                id = cells.text(roles.idIdx);
                if (id.isEmpty()) {
                    throw new BadRecordException(
                            file, position, "empty sequence id in column '" + roles.idName() + "'");
                }
            }
            double order = 0;
            if (roles.orderIdx >= 0) {
                order = OrderValues.parse(cells, roles.orderIdx);
                if (Double.isNaN(order)) {
                    throw new BadRecordException(
                            file,
                            position,
                            "order column '" + roles.orderName() + "' holds "
                                    + CsvCells.quote(cells.text(roles.orderIdx))
                                    + ", not a number or an ISO-8601 date");
                }
            }
            String label = null;
            if (roles.labelIdx >= 0) {
                label = cells.text(roles.labelIdx);
                if (label.isEmpty()) {
                    throw new BadRecordException(file, position, "label column '" + roles.labelName() + "' is empty");
                }
            }
            int invalid = 0;
            for (int c = 0; c < roles.channels(); c++) {
                float v = value(file, position, cells, c);
                invalid += Float.isNaN(v) ? 1 : 0;
                values[TableRows.FIRST_CHANNEL + c] = v;
            }
            values[TableRows.ID] = id;
            values[TableRows.ORDER] = order;
            values[TableRows.FILE] = fileIndex;
            values[TableRows.POSITION] = position;
            values[TableRows.LABEL] = label;
            values[TableRows.INVALID] = invalid;
            return RowFactory.create(values);
        }

        /** A channel's value; NaN for an empty or non-finite cell when the policy keeps such rows. */
        private float value(String file, long position, CsvCells cells, int channel) {
            int idx = roles.channelIdx[channel];
            String column = roles.channelName(channel);
            if (cells.isEmpty(idx)) {
                return invalid(file, position, "column '" + column + "' is empty");
            }
            float v;
            try {
                if (!cells.isAscii(idx)) {
                    throw new NumberFormatException();
                }
                v = cells.number(idx);
            } catch (NumberFormatException e) {
                throw new BadRecordException(
                        file,
                        position,
                        "column '" + column + "' holds " + CsvCells.quote(cells.text(idx)) + ", not a number");
            }
            if (!Float.isFinite(v)) {
                return invalid(
                        file, position, "column '" + column + "' holds " + cells.text(idx) + " (not a finite number)");
            }
            return v;
        }

        private float invalid(String file, long position, String problem) {
            if (failOnInvalid) {
                throw new BadRecordException(file, position, problem + " (input.invalidValues=fail)");
            }
            return Float.NaN;
        }
    }
}
