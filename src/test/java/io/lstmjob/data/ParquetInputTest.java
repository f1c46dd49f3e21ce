package io.lstmjob.data;

import static io.lstmjob.data.PreparedInputs.inputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet as Spark and other tools write it: order columns of every type people use, column names
 * with dots and spaces, and the schemas the job must refuse (nested features, files that differ).
 */
class ParquetInputTest extends SparkTest {
    private static final ShardingConfig SHARDING = TestConfigs.sharding(4, 0, 0.0, 2);

    private static String failure(InputConfig input) {
        return PreparedInputs.failure(spark, input, SHARDING);
    }

    @TempDir
    Path dir;

    /** Ten rows of sequence "p", written in reverse order, value 100 + step, order column from {@code order}. */
    private Path write(String name, StructType schema, IntFunction<Object> order) {
        List<Row> rows = new ArrayList<>();
        for (int t = 9; t >= 0; t--) {
            rows.add(RowFactory.create("p", order.apply(t), 100.0 + t));
        }
        Path path = dir.resolve(name);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path.toString());
        return path;
    }

    private static StructType schema(
            String orderName, org.apache.spark.sql.types.DataType orderType, String valueName) {
        return new StructType()
                .add("id", DataTypes.StringType)
                .add(orderName, orderType)
                .add(valueName, DataTypes.DoubleType);
    }

    private static InputConfig parquet(Path path, String order, String value) {
        return TestConfigs.input(
                path,
                "input.format=parquet",
                "input.orderColumn=" + order,
                "input.featureColumns=" + TestConfigs.list(List.of(value)));
    }

    private static void assertInOrder(InputConfig input) {
        PreparedData data = DatasetPreparer.prepare(spark, input, SHARDING);
        try {
            assertEquals(List.of(100f, 101f, 102f, 103f, 104f, 105f, 106f, 107f, 108f), inputs(data));
        } finally {
            data.release();
        }
    }

    @Test
    void anOrderColumnMayBeADateATimestampANumberOrAnIsoString() {
        LocalDate day = LocalDate.of(2024, 3, 1);
        assertInOrder(parquet(
                write("date", schema("day", DataTypes.DateType, "value"), t -> Date.valueOf(day.plusDays(t))),
                "day",
                "value"));
        assertInOrder(parquet(
                write(
                        "timestamp",
                        schema("at", DataTypes.TimestampType, "value"),
                        t -> Timestamp.valueOf(day.atStartOfDay().plusHours(t))),
                "at",
                "value"));
        assertInOrder(
                parquet(write("long", schema("n", DataTypes.LongType, "value"), t -> (long) t * 7), "n", "value"));
        assertInOrder(parquet(
                write(
                        "iso",
                        schema("when", DataTypes.StringType, "value"),
                        t -> day.plusDays(t).toString() + "T06:00:00Z"),
                "when",
                "value"));
    }

    @Test
    void columnNamesMayHoldDotsAndSpaces() {
        assertInOrder(parquet(
                write("names", schema("time step", DataTypes.IntegerType, "sensor.value"), t -> t),
                "time step",
                "sensor.value"));
    }

    @Test
    void anOrderColumnOfAnotherTypeIsRefusedNamingTheType() {
        Path path = write("bool", schema("flag", DataTypes.BooleanType, "value"), t -> t % 2 == 0);
        String message = failure(parquet(path, "flag", "value"));
        assertEquals(
                "input.orderColumn: column 'flag' has type boolean; an order column holds numbers, dates, timestamps "
                        + "or ISO-8601 strings",
                message);
    }

    @Test
    void anIsoStringThatIsNoDateIsABadRecord() {
        Path path = write(
                "bad-iso",
                schema("when", DataTypes.StringType, "value"),
                t -> t == 4 ? "soon" : String.format("2024-03-%02d", t + 1));
        String message = failure(parquet(path, "when", "value"));
        assertTrue(message.endsWith(": order column 'when' holds 'soon', not a number or an ISO-8601 date"), message);
        assertTrue(message.contains("bad-iso"), message);
    }

    @Test
    void aNestedFeatureColumnIsRefusedByName() {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("t", DataTypes.IntegerType)
                .add("reading", new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType));
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            rows.add(RowFactory.create("p", t, RowFactory.create(1.0 * t, 2.0 * t)));
        }
        Path path = dir.resolve("nested");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path.toString());
        String message = failure(parquet(path, "t", "reading"));
        assertTrue(
                message.startsWith("input.featureColumns: column 'reading' is nested (struct<x:double,y:double>)"),
                message);
    }

    @Test
    void filesWithDifferentSchemasAreRefusedNamingBoth() {
        Path folder = dir.resolve("mixed");
        List<Row> rows = List.of(RowFactory.create("p", 0, 1.0), RowFactory.create("p", 1, 2.0));
        spark.createDataFrame(rows, schema("t", DataTypes.IntegerType, "value"))
                .coalesce(1)
                .write()
                .parquet(folder.resolve("a").toString());
        spark.createDataFrame(rows, schema("t", DataTypes.IntegerType, "other"))
                .coalesce(1)
                .write()
                .parquet(folder.resolve("b").toString());
        Path flat = dir.resolve("mixed-flat");
        try {
            java.nio.file.Files.createDirectories(flat);
            for (String part : List.of("a", "b")) {
                try (var files = java.nio.file.Files.list(folder.resolve(part))) {
                    for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                            .toList()) {
                        java.nio.file.Files.copy(f, flat.resolve(part + ".parquet"));
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        String message = failure(parquet(flat, "t", "value"));
        assertTrue(message.startsWith("the Parquet files of input.path have different schemas: "), message);
        assertTrue(
                message.contains("a.parquet has [id binary (STRING), t int32, value double]")
                        && message.contains("b.parquet has [id binary (STRING), t int32, other double]"),
                message);
    }
}
