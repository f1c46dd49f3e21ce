package io.lstmjob.score;

import io.lstmjob.data.DataContract;
import org.apache.spark.sql.Row;

/** A DataFrame row's feature columns as numbers; a null, NaN or non-numeric cell is refused, naming the row. */
final class RowFeatures {
    private RowFeatures() {}

    static double[] read(Row row, int[] featureIndexes, DataContract contract, Object sequence, int orderIndex) {
        double[] values = new double[featureIndexes.length];
        for (int f = 0; f < featureIndexes.length; f++) {
            Object value = row.get(featureIndexes[f]);
            if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                throw new IllegalArgumentException("sequence " + sequence + ", "
                        + row.schema().fieldNames()[orderIndex] + " " + row.get(orderIndex) + ": feature '"
                        + contract.featureNames().get(f) + "' is " + value);
            }
            values[f] = number.doubleValue();
        }
        return values;
    }
}
