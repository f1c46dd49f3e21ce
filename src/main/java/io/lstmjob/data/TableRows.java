package io.lstmjob.data;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A table's steps as Spark SQL rows with one explicit schema, whatever the format: sequence id,
 * order key, where the row came from (file index, and byte position of its line or row index in its
 * file), label, how many of its channels are invalid (empty, NaN or infinite, kept as NaN for
 * input.invalidValues), and one float per channel. Spark sorts and shuffles these in its own binary
 * format; the column names are ours, so the user's may hold dots or spaces.
 *
 * @param rows     the rows, in no particular order
 * @param roles    which of the user's columns play which part
 * @param files    the input files, by index
 */
record TableRows(Dataset<Row> rows, ColumnRoles roles, List<String> files) {
    static final int ID = 0;
    static final int ORDER = 1;
    static final int FILE = 2;
    static final int POSITION = 3;
    static final int LABEL = 4;
    static final int INVALID = 5;
    static final int FIRST_CHANNEL = 6;

    static StructType schema(int channels) {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType, false)
                .add("order", DataTypes.DoubleType, false)
                .add("file", DataTypes.IntegerType, false)
                .add("position", DataTypes.LongType, false)
                .add("label", DataTypes.StringType, true)
                .add("invalid", DataTypes.IntegerType, false);
        for (int c = 0; c < channels; c++) {
            schema = schema.add("c" + c, DataTypes.FloatType, false);
        }
        return schema;
    }
}
