package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Numeric time series in Parquet, read through Spark SQL. Column roles are those of the CSV reader;
 * without an order column the rows keep their order within each file. Errors name the file and the
 * record (sequence id and order value), Parquet having no lines.
 */
final class ParquetSequenceSource implements SequenceSource {

    @Override
    public StepTable read(SparkSession spark, InputConfig input, List<Path> files, boolean labelOptional) {
        String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
        Dataset<Row> frame = spark.read().parquet(paths);
        List<String> header = Arrays.asList(frame.columns());
        CsvSequenceSource.Layout layout = CsvSequenceSource.Layout.resolve(header, input, paths[0], labelOptional);

        List<Column> columns = new ArrayList<>();
        columns.add(functions.input_file_name().as("_file"));
        columns.add(input.hasSequenceIdColumn() ? functions.col(input.sequenceIdColumn()).cast("string")
                : functions.input_file_name());
        columns.add(input.hasOrderColumn() ? functions.col(input.orderColumn()).cast("double")
                : functions.monotonically_increasing_id().cast("double"));
        columns.add(layout.labelIdx >= 0 ? functions.col(header.get(layout.labelIdx)).cast("string")
                : functions.lit(null).cast("string"));
        for (int i : layout.featureIdx) {
            columns.add(functions.col(header.get(i)).cast("float"));
        }
        for (int i : layout.targetIdx) {
            columns.add(functions.col(header.get(i)).cast("float"));
        }
        int nFeatures = layout.featureIdx.length;
        int nTargets = layout.targetIdx.length;
        List<String> featureNames = layout.names(layout.featureIdx);
        List<String> targetNames = layout.names(layout.targetIdx);
        boolean hasLabel = layout.labelIdx >= 0;
        String labelColumn = input.labelColumn();
        boolean failOnInvalid = input.invalidValues() == io.lstmjob.config.InvalidValuePolicy.FAIL;
        var steps = frame.select(columns.toArray(new Column[0])).javaRDD().map(row -> {
            String file = row.getString(0);
            if (row.isNullAt(1) || row.isNullAt(2)) {
                throw new BadRecordException(file, -1, "a record has no sequence id or order value");
            }
            String seqId = row.getString(1);
            double order = row.getDouble(2);
            String where = "record (sequence " + seqId + ", order " + order + ")";
            String label = row.isNullAt(3) ? null : row.getString(3);
            if (hasLabel && (label == null || label.isEmpty())) {
                throw new BadRecordException(file, -1, where + ": label column '" + labelColumn + "' is empty");
            }
            float[] features = new float[nFeatures];
            for (int i = 0; i < nFeatures; i++) {
                features[i] = value(row, 4 + i, file, where, featureNames.get(i), failOnInvalid);
            }
            float[] targets = new float[nTargets];
            for (int i = 0; i < nTargets; i++) {
                targets[i] = value(row, 4 + nFeatures + i, file, where, targetNames.get(i), failOnInvalid);
            }
            return new StepRecord(seqId, order, features, targets, label, file, -1);
        });
        return new StepTable(steps, featureNames, targetNames);
    }

    /** NaN for a null or non-finite value, unless the policy is to fail. */
    private static float value(Row row, int index, String file, String where, String column, boolean failOnInvalid) {
        float v = row.isNullAt(index) ? Float.NaN : row.getFloat(index);
        if (!Float.isFinite(v) && failOnInvalid) {
            throw new BadRecordException(file, -1, where + ": column '" + column + "' is "
                    + (row.isNullAt(index) ? "null or not a number" : Float.toString(v)) + " (input.invalidValues=fail)");
        }
        return Float.isFinite(v) ? v : Float.NaN;
    }
}
