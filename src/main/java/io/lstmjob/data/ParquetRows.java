package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * Parquet files as {@link TableRows}, read by Spark SQL's own reader into its binary rows. Column
 * roles are those of the CSV reader, names may hold dots or spaces. An order column may be a DATE,
 * a TIMESTAMP, a number or an ISO-8601 string; without one, a sequence's rows keep their order in
 * their file (Spark's row index). Files must share one schema; a column of the wrong type is refused
 * with the type found. Errors name the file and the row.
 */
final class ParquetRows {
    private ParquetRows() {}

    static TableRows read(SparkSession spark, InputConfig input, List<Path> files, boolean labelOptional) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        requireOneSchema(sc, files);
        List<String> names = files.stream().map(Path::toString).toList();
        Dataset<Row> frame = spark.read().parquet(names.toArray(new String[0]));
        StructType schema = frame.schema();
        List<String> header = List.of(schema.fieldNames());
        String where = names.get(0);
        ColumnRoles roles = ColumnRoles.resolve(header, input, where, labelOptional);

        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        UserDefinedFunction fileIndex = functions.udf(new FileIndex(index), DataTypes.IntegerType);
        Column filePath = functions.col("_metadata.file_path");
        Column file = fileIndex.apply(filePath);

        List<Column> columns = new ArrayList<>();
        columns.add((roles.idIdx >= 0
                        ? text(schema.apply(roles.idIdx), "input.sequenceIdColumn")
                        : functions.element_at(
                                functions.array(
                                        names.stream().map(functions::lit).toArray(Column[]::new)),
                                file.plus(1)))
                .as("id"));
        columns.add(
                (roles.orderIdx >= 0 ? order(schema.apply(roles.orderIdx), filePath) : functions.lit(0.0)).as("order"));
        columns.add(file.as("file"));
        columns.add(functions.col("_metadata.row_index").as("position"));
        columns.add((roles.labelIdx >= 0
                        ? text(schema.apply(roles.labelIdx), "input.labelColumn")
                        : functions.lit(null).cast(DataTypes.StringType))
                .as("label"));
        List<Column> channels = new ArrayList<>();
        Column invalid = functions.lit(0);
        for (int c = 0; c < roles.channels(); c++) {
            StructField field = schema.apply(roles.channelIdx[c]);
            requireNumbers(
                    field, roles.featureNames.contains(field.name()) ? "input.featureColumns" : "input.targetColumns");
            Column v = column(field).cast(DataTypes.FloatType);
            Column valid = v.isNotNull()
                    .and(functions.not(functions.isnan(v)))
                    .and(v.notEqual(Float.POSITIVE_INFINITY))
                    .and(v.notEqual(Float.NEGATIVE_INFINITY));
            invalid = invalid.plus(functions.when(valid, 0).otherwise(1));
            channels.add(functions.when(valid, v).otherwise(Float.NaN).as("c" + c));
        }
        columns.add(invalid.as("invalid"));
        columns.addAll(channels);
        return new TableRows(frame.select(columns.toArray(new Column[0])), roles, names);
    }

    private static Column column(StructField field) {
        return functions.col("`" + field.name().replace("`", "``") + "`");
    }

    private static Column text(StructField field, String key) {
        DataType type = field.dataType();
        if (!(type instanceof StringType || type instanceof NumericType || type instanceof BooleanType)) {
            throw new InputDataException(key + ": column '" + field.name() + "' has type " + type.simpleString()
                    + "; it must hold strings or numbers");
        }
        return column(field).cast(DataTypes.StringType);
    }

    /** The order key: seconds since the epoch (UTC) for dates and timestamps, as for CSV cells; the number itself otherwise. */
    private static Column order(StructField field, Column filePath) {
        DataType type = field.dataType();
        Column c = column(field);
        if (type instanceof DateType) {
            return functions.unix_date(c).cast(DataTypes.DoubleType).multiply(86400.0);
        }
        if (type instanceof TimestampType) {
            return c.cast(DataTypes.DoubleType);
        }
        if (type instanceof NumericType) {
            return c.cast(DataTypes.DoubleType);
        }
        if (type instanceof StringType || type instanceof TimestampNTZType) {
            // zone-less date-times count as UTC, as in CSV
            return functions
                    .udf(new IsoOrder(field.name()), DataTypes.DoubleType)
                    .apply(c.cast(DataTypes.StringType), filePath);
        }
        throw new InputDataException("input.orderColumn: column '" + field.name() + "' has type " + type.simpleString()
                + "; an order column holds numbers, dates, timestamps or ISO-8601 strings");
    }

    private static void requireNumbers(StructField field, String key) {
        DataType type = field.dataType();
        if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
            throw new InputDataException(key + ": column '" + field.name() + "' is nested (" + type.simpleString()
                    + "); a feature or target column holds one number per row");
        }
        if (!(type instanceof NumericType)) {
            throw new InputDataException(key + ": column '" + field.name() + "' has type " + type.simpleString()
                    + "; a feature or target column holds numbers");
        }
    }

    /** Every file's schema, read from its footer in one Spark job, must be the first file's. */
    private static void requireOneSchema(JavaSparkContext sc, List<Path> files) {
        if (files.size() < 2) {
            return;
        }
        Broadcast<SerializableConfiguration> conf =
                sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
        List<String> paths = files.stream().map(Path::toString).toList();
        List<Tuple2<String, String>> schemas = sc.parallelize(
                        paths, Math.min(paths.size(), sc.defaultParallelism() * 4))
                .map(p -> new Tuple2<>(p, schemaOf(conf.value().value(), p)))
                .collect();
        conf.destroy(false);
        Tuple2<String, String> first = schemas.get(0);
        for (Tuple2<String, String> other : schemas) {
            if (!other._2().equals(first._2())) {
                throw new InputDataException("the Parquet files of input.path have different schemas: " + first._1()
                        + " has " + first._2() + ", " + other._1() + " has " + other._2());
            }
        }
    }

    private static String schemaOf(Configuration conf, String path) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf))) {
            return fields(reader.getFooter().getFileMetaData().getSchema());
        } catch (IOException | RuntimeException e) {
            throw new InputDataException("cannot read the Parquet footer of " + path + ": " + e.getMessage());
        }
    }

    /** Names and types, without repetition (an optional and a required column of one type read alike). */
    private static String fields(GroupType group) {
        List<String> fields = new ArrayList<>();
        for (Type field : group.getFields()) {
            fields.add(field.getName() + " "
                    + (field.isPrimitive()
                            ? field.asPrimitiveType()
                                            .getPrimitiveTypeName()
                                            .name()
                                            .toLowerCase()
                                    + (field.getLogicalTypeAnnotation() == null
                                            ? ""
                                            : " (" + field.getLogicalTypeAnnotation() + ")")
                            : "group " + fields(field.asGroupType())));
        }
        return "[" + String.join(", ", fields) + "]";
    }

    /** The index of a row's file in the input's list, from Spark's URI-encoded file path. */
    private static final class FileIndex implements UDF1<String, Integer> {
        private final Map<String, Integer> index;
        private transient String lastPath;
        private transient Integer lastIndex;

        FileIndex(Map<String, Integer> index) {
            this.index = index;
        }

        @Override
        public Integer call(String path) {
            if (!path.equals(lastPath)) {
                String decoded = new Path(URI.create(path)).toString();
                Integer i = index.get(decoded);
                if (i == null) {
                    throw new IllegalStateException(
                            "a row of " + decoded + ", which is not one of the input files " + index.keySet());
                }
                lastPath = path;
                lastIndex = i;
            }
            return lastIndex;
        }
    }

    /** A string order value as seconds, by {@link OrderValues}; a value that is none is a bad record. */
    private static final class IsoOrder implements UDF2<String, String, Double> {
        private final String column;

        IsoOrder(String column) {
            this.column = column;
        }

        @Override
        public Double call(String value, String path) {
            if (value == null) {
                return null;
            }
            double order = OrderValues.parse(value);
            if (Double.isNaN(order)) {
                throw new BadRecordException(
                        new Path(URI.create(path)).toString(),
                        -1,
                        "order column '" + column + "' holds " + CsvCells.quote(value)
                                + ", not a number or an ISO-8601 date");
            }
            return order;
        }
    }
}
