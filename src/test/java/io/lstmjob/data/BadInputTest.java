package io.lstmjob.data;

import static io.lstmjob.data.PreparedInputs.inputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.InvalidValuePolicy;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.config.ShortSequencePolicy;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input gets a clear error that names the file and line (or record), or, where
 * the config asks for it, a counted skip or fill; never silently wrong data.
 */
class BadInputTest extends SparkTest {
    private static final ShardingConfig SHARDING = TestConfigs.sharding(5, 0, 0.0, 2);

    /** Sequences need at least one TBPTT window of 10 training pairs. */
    private static final ShardingConfig WINDOW_OF_10 =
            TestConfigs.sharding(10, 0, 0.0, 2, "tbptt.forward=10", "tbptt.backward=10");

    private static String failure(InputConfig input) {
        return failure(input, SHARDING);
    }

    private static String failure(InputConfig input, ShardingConfig sharding) {
        return PreparedInputs.failure(spark, input, sharding);
    }

    @TempDir
    Path dir;

    private Path csvFile(String name, String content) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("in"));
        Files.writeString(folder.resolve(name), content);
        return folder;
    }

    /** Sequence "a" of {@code steps} rows, value = step, with the given cells replacing some values. */
    private static String series(int steps, String... replacements) {
        StringBuilder csv = new StringBuilder("id,t,value\n");
        for (int t = 0; t < steps; t++) {
            String value = Integer.toString(t);
            for (int i = 0; i < replacements.length; i += 2) {
                if (Integer.parseInt(replacements[i]) == t) {
                    value = replacements[i + 1];
                }
            }
            csv.append("a,").append(t).append(',').append(value).append('\n');
        }
        return csv.toString();
    }

    private static InputConfig csv(
            Path path, InvalidValuePolicy invalid, ShortSequencePolicy shortSequences, boolean strictOrder) {
        return TestConfigs.input(
                path,
                "input.invalidValues=" + invalid.configName(),
                "input.shortSequences=" + shortSequences.configName(),
                "input.order=" + (strictOrder ? "strict" : "sort"));
    }

    private static InputConfig strict(Path path) {
        return csv(path, InvalidValuePolicy.FAIL, ShortSequencePolicy.FAIL, false);
    }

    @Test
    void aMalformedRowIsNamed() throws IOException {
        String message = failure(strict(csvFile("x.csv", series(10, "4", "4.O"))));
        assertTrue(message.endsWith("x.csv:6: column 'value' holds '4.O', not a number"), message);
        message = failure(strict(csvFile("x.csv", series(10, "4", "\"4.0"))));
        assertTrue(
                message.endsWith("x.csv:6: column 'value' opens a quote that is not closed on its line (a line break "
                        + "inside a quoted field is not supported)"),
                message);
    }

    @Test
    void aRowWithTooFewFieldsIsNamed() throws IOException {
        String message = failure(strict(csvFile("x.csv", series(10) + "a,10\n")));
        assertTrue(message.endsWith("x.csv:12: expected 3 fields, found 2"), message);
    }

    @Test
    void aNaNFailsByDefault() throws IOException {
        String message = failure(strict(csvFile("x.csv", series(10, "2", "NaN"))));
        assertTrue(
                message.endsWith("x.csv:4: column 'value' holds NaN (not a finite number) (input.invalidValues=fail)"),
                message);
    }

    @Test
    void anEmptyCellFailsByDefault() throws IOException {
        String message = failure(strict(csvFile("x.csv", series(10, "7", ""))));
        assertTrue(message.endsWith("x.csv:9: column 'value' is empty (input.invalidValues=fail)"), message);
    }

    @Test
    void invalidRowsAreLeftOutWhenAsked() throws IOException {
        Path in = csvFile("x.csv", series(12, "3", "Infinity", "8", ""));
        PreparedData data = DatasetPreparer.prepare(
                spark, csv(in, InvalidValuePolicy.SKIP, ShortSequencePolicy.FAIL, false), SHARDING);
        try {
            assertEquals(10, data.summary().steps());
            assertEquals(2, data.summary().skippedRows(), "the rows left out are counted");
            assertEquals(List.of(0f, 1f, 2f, 4f, 5f, 6f, 7f, 9f, 10f), inputs(data));
        } finally {
            data.release();
        }
    }

    @Test
    void invalidCellsAreInterpolatedWhenAsked() throws IOException {
        Path in = csvFile("x.csv", series(12, "3", "", "4", "NaN", "0", "", "11", "-Infinity"));
        PreparedData data = DatasetPreparer.prepare(
                spark, csv(in, InvalidValuePolicy.INTERPOLATE, ShortSequencePolicy.FAIL, false), SHARDING);
        try {
            // Steps 3 and 4 lie on the line between 2 and 5; the ends take their nearest valid value.
            List<Float> values = inputs(data);
            assertEquals(List.of(1f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f), values);
            assertEquals(4, data.summary().filledCells(), "the cells filled are counted");
        } finally {
            data.release();
        }
    }

    /** Parquet has no lines: a bad record is named by its file and its row within the file (1-based). */
    @Test
    void aBadParquetRecordIsNamedByFileAndRow() throws IOException {
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("id", "string")
                .add("t", "long")
                .add("value", "double");
        List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
        for (int t = 0; t < 10; t++) {
            rows.add(org.apache.spark.sql.RowFactory.create("a", (long) t, t == 6 ? Double.NaN : (double) t));
        }
        rows.add(org.apache.spark.sql.RowFactory.create("a", 3L, 3.5));
        Path nan = dir.resolve("pq-nan");
        spark.createDataFrame(rows.subList(0, 10), schema).coalesce(1).write().parquet(nan.toString());
        String message = failure(parquet(nan));
        assertTrue(
                message.matches(".*pq-nan/part-[^/]*\\.parquet: row 7: column 'value' is empty, NaN or infinite.*"),
                message);

        List<org.apache.spark.sql.Row> duplicate = new java.util.ArrayList<>(rows);
        duplicate.set(6, org.apache.spark.sql.RowFactory.create("a", 6L, 6.0));
        Path twice = dir.resolve("pq-twice");
        spark.createDataFrame(duplicate, schema).coalesce(1).write().parquet(twice.toString());
        message = failure(parquet(twice));
        assertTrue(
                message.matches(
                        ".*pq-twice/part-[^/]*\\.parquet: row (4|11): sequence 'a' has a second row with the same order value 3.*"),
                message);
    }

    private static InputConfig parquet(Path path) {
        return TestConfigs.input(path, "input.format=parquet");
    }

    @Test
    void aSequenceShorterThanOneWindowFailsByDefault() throws IOException {
        Path in = csvFile("x.csv", series(30) + "b,0,1\nb,1,2\nb,2,3\n");
        String message = failure(csv(in, InvalidValuePolicy.FAIL, ShortSequencePolicy.FAIL, false), WINDOW_OF_10);
        assertTrue(
                message.contains("1 sequence(s) are shorter than one TBPTT window of 10 steps, e.g. b (3 steps)"),
                message);
    }

    @Test
    void shortSequencesAreLeftOutWhenAsked() throws IOException {
        Path in = csvFile("x.csv", series(30) + "b,0,1\nb,1,2\nb,2,3\n");
        PreparedData data = DatasetPreparer.prepare(
                spark, csv(in, InvalidValuePolicy.FAIL, ShortSequencePolicy.SKIP, false), WINDOW_OF_10);
        try {
            assertEquals(29, data.summary().trainPairs());
            assertTrue(data.train().collect().stream().allMatch(s -> s.seqId().equals("a")));
        } finally {
            data.release();
        }
    }

    @Test
    void allSequencesFilteredOutIsAnError() throws IOException {
        Path in = csvFile("x.csv", "id,t,value\nb,0,1\nb,1,2\nc,0,1\n");
        String message = failure(csv(in, InvalidValuePolicy.FAIL, ShortSequencePolicy.SKIP, false), WINDOW_OF_10);
        assertTrue(message.startsWith("all 2 sequence(s) were left out"), message);
    }

    @Test
    void anEmptyFileIsNamed() throws IOException {
        Path in = csvFile("x.csv", series(10));
        Files.writeString(in.resolve("y.csv"), "");
        String message = failure(strict(in));
        assertTrue(message.startsWith("input file ") && message.endsWith("y.csv is empty"), message);
    }

    @Test
    void aMissingOrderColumnIsNamed() throws IOException {
        Path in = csvFile("x.csv", series(10).replace("id,t,value", "id,time,value"));
        String message = failure(strict(in));
        assertTrue(message.startsWith("input.orderColumn: column 't' is not in the header of"), message);
        assertTrue(message.endsWith("(columns: id, time, value)"), message);
    }

    @Test
    void aDuplicateStepIsNamed() throws IOException {
        String message = failure(strict(csvFile("x.csv", series(10) + "a,4,99\n")));
        assertTrue(message.contains("x.csv:12: sequence 'a' has a second row with the same order value 4"), message);
    }

    @Test
    void timestampsOutOfOrderAreSortedByDefaultAndRejectedWhenStrict() throws IOException {
        Path in = csvFile("x.csv", "id,t,value\na,2020-01-01,0\na,2020-01-03,2\na,2020-01-02,1\na,2020-01-04,3\n");
        PreparedData data = DatasetPreparer.prepare(spark, strict(in), SHARDING);
        try {
            assertEquals(List.of(0f, 1f, 2f), inputs(data));
        } finally {
            data.release();
        }
        String message = failure(csv(in, InvalidValuePolicy.FAIL, ShortSequencePolicy.FAIL, true));
        assertTrue(
                message.endsWith("x.csv:4: order column 't' of sequence 'a' does not increase (input.order=strict)"),
                message);
    }

    @Test
    void filesWithDifferentColumnsAreRejected() throws IOException {
        Path in = csvFile("x.csv", series(10));
        Files.writeString(in.resolve("y.csv"), "id,t,value,extra\nb,0,1,2\n");
        String message = failure(strict(in));
        assertTrue(
                message.contains("y.csv:1: header [id, t, value, extra] differs from the first file's [id, t, value]"),
                message);
    }

    @Test
    void textThatIsNotUtf8IsNamed() throws IOException {
        Path in = Files.createDirectories(dir.resolve("text"));
        Files.write(in.resolve("t.txt"), new byte[] {'a', 'b', '\n', 'c', (byte) 0xC3, (byte) 0x28, '\n'});
        String message = failure(TestConfigs.text(in));
        assertTrue(message.endsWith("t.txt:2: the line is not valid UTF-8"), message);
    }

    @Test
    void aOneCharacterVocabularyIsRejected() throws IOException {
        Path in = Files.createDirectories(dir.resolve("text"));
        Files.writeString(in.resolve("t.txt"), "\n".repeat(40)); // nothing but line ends
        String message = failure(TestConfigs.text(in));
        assertEquals("the text has 1 distinct character(s); a character model needs at least 2", message);
    }

    @Test
    void aSequenceWithTwoLabelsOrAnEmptyLabelIsNamed() throws IOException {
        String rows = "id,t,value,label\na,0,1,x\na,1,2,x\nb,0,1,y\nb,1,2,y\na,2,3,z\n";
        String message = failure(strict(csvFile("x.csv", rows)).withLabelColumn("label"));
        assertTrue(
                message.matches(".*x\\.csv:6: label 'z' differs from the label 'x' of another row of the same "
                        + "sequence: a sequence has one label \\(the first is at .*x\\.csv:2\\)"),
                message);
        Path other = Files.createDirectories(dir.resolve("in2"));
        Files.writeString(other.resolve("y.csv"), rows.replace("b,1,2,y", "b,1,2,"));
        message = failure(strict(other).withLabelColumn("label"));
        assertTrue(message.endsWith("y.csv:5: label column 'label' is empty"), message);
    }
}
