package io.lstmjob.data;

import static io.lstmjob.data.PreparedInputs.inputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.GzipCodec;
import org.apache.hadoop.util.ReflectionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV and text files as people have them: compressed, written by Excel (a byte order mark, CRLF line
 * ends), quoted as RFC 4180 allows, and broken in the ways files break: a header naming a column
 * twice, bytes that are not UTF-8, a missing line break, a huge bad cell.
 */
class InputFilesAsTheyComeTest extends SparkTest {
    private static final ShardingConfig SHARDING = TestConfigs.sharding(5, 0, 0.0, 2);

    private static String failure(InputConfig input) {
        return PreparedInputs.failure(spark, input, SHARDING);
    }

    @TempDir
    Path dir;

    /** A CSV of columns id, t, value; {@code overrides} as for {@link TestConfigs#input}. */
    private static InputConfig csv(Path path, String... overrides) {
        return TestConfigs.input(path, overrides);
    }

    private static InputConfig text(Path path) {
        return TestConfigs.text(path);
    }

    /** Sequence "a": value = 10 x step, rows in order, lines ended by {@code eol}. */
    private static String series(int steps, String eol) {
        StringBuilder csv = new StringBuilder("id,t,value" + eol);
        for (int t = 0; t < steps; t++) {
            csv.append("a,").append(t).append(',').append(10 * t).append(eol);
        }
        return csv.toString();
    }

    private Path write(String name, byte[] content) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("in-" + name.replace('.', '-')));
        Files.write(folder.resolve(name), content);
        return folder;
    }

    private static byte[] compress(Class<? extends CompressionCodec> codecClass, byte[] content) throws IOException {
        CompressionCodec codec = ReflectionUtils.newInstance(codecClass, new Configuration());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = codec.createOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static String characters(PreparedData data) {
        List<Segment> segments = new ArrayList<>(data.train().collect());
        segments.sort(Comparator.comparingLong(Segment::start));
        StringBuilder text = new StringBuilder();
        for (Segment s : segments) {
            for (int t = 0; t < s.length(); t++) {
                text.appendCodePoint(data.contract().vocabulary().codePointAt(s.classAt(t)));
            }
        }
        return text.toString();
    }

    private static List<Float> tens(int pairs) {
        List<Float> values = new ArrayList<>();
        for (int t = 0; t < pairs; t++) {
            values.add(10f * t);
        }
        return values;
    }

    /** Runs {@code work} with Hadoop splits of at most {@code bytes}, so that small files have many. */
    private static <T> T withSplitsOf(long bytes, java.util.function.Supplier<T> work) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        conf.setLong(org.apache.hadoop.mapreduce.lib.input.FileInputFormat.SPLIT_MAXSIZE, bytes);
        try {
            return work.get();
        } finally {
            conf.unset(org.apache.hadoop.mapreduce.lib.input.FileInputFormat.SPLIT_MAXSIZE);
        }
    }

    @Test
    void textCutAcrossManySplitsKeepsEveryCharacterOnceInOrder() throws IOException {
        StringBuilder poem = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            poem.append("line ")
                    .append(i)
                    .append(i % 3 == 0 ? " \u00e9t\u00e9 \uD83C\uDF1E" : " plain")
                    .append(i % 5 == 0 ? "\r\n" : "\n");
        }
        String text = poem.toString();
        Path in = write("many.txt", text.getBytes(StandardCharsets.UTF_8));
        // splits of 97 bytes: lines, multi-byte characters and CRLF pairs all cross split ends; segments of 7 + overlap
        // 2 too
        ShardingConfig overlapping = TestConfigs.sharding(7, 2, 0.1, 3);
        String expected = text.replace("\r\n", "\n");
        PreparedData data = withSplitsOf(97, () -> DatasetPreparer.prepare(spark, text(in), overlapping));
        try {
            assertEquals(
                    expected.codePointCount(0, expected.length()),
                    data.summary().steps());
            List<Segment> segments = new ArrayList<>(data.train().collect());
            segments.addAll(data.validation().collect());
            int[] codePoints = expected.codePoints().toArray();
            int[] seen = new int[codePoints.length];
            for (Segment s : segments) {
                for (int t = 0; t <= s.length(); t++) {
                    int step = (int) s.start() + t;
                    assertEquals(
                            codePoints[step], data.contract().vocabulary().codePointAt(s.classAt(t)), "step " + step);
                    seen[step] += t < s.length() ? 1 : 0;
                }
            }
            for (int step = 0; step < codePoints.length - 1; step++) {
                assertTrue(seen[step] >= 1, "step " + step + " is the input of no pair");
            }
        } finally {
            data.release();
        }
    }

    @Test
    void csvCutAcrossManySplitsReadsEveryRowOnce() throws IOException {
        Path in = write("rows.csv", series(300, "\r\n").getBytes(StandardCharsets.UTF_8));
        PreparedData data = withSplitsOf(64, () -> DatasetPreparer.prepare(spark, csv(in), SHARDING));
        try {
            assertEquals(300, data.summary().steps());
            assertEquals(tens(299), inputs(data));
        } finally {
            data.release();
        }
    }

    @Test
    void gzipAndBzip2CsvAreReadThroughTheirCodecsWithLineNumbersOfTheText() throws IOException {
        byte[] plain = series(12, "\n").getBytes(StandardCharsets.UTF_8);
        for (Class<? extends CompressionCodec> codec : List.of(GzipCodec.class, BZip2Codec.class)) {
            String suffix = codec == GzipCodec.class ? ".csv.gz" : ".csv.bz2";
            PreparedData data =
                    DatasetPreparer.prepare(spark, csv(write("x" + suffix, compress(codec, plain))), SHARDING);
            try {
                assertEquals(tens(11), inputs(data), suffix);
            } finally {
                data.release();
            }
            byte[] broken = series(12, "\n").replace("a,7,70", "a,7,seventy").getBytes(StandardCharsets.UTF_8);
            String message = failure(csv(write("y" + suffix, compress(codec, broken))));
            assertTrue(message.endsWith("y" + suffix + ":9: column 'value' holds 'seventy', not a number"), message);
        }
    }

    @Test
    void compressedTextIsReadWhole() throws IOException {
        String poem = "the cat sat\non the mat\n".repeat(20);
        PreparedData data = DatasetPreparer.prepare(
                spark,
                text(write("p.txt.gz", compress(GzipCodec.class, poem.getBytes(StandardCharsets.UTF_8)))),
                SHARDING);
        try {
            assertEquals(poem.substring(0, poem.length() - 1), characters(data));
        } finally {
            data.release();
        }
    }

    @Test
    void anExcelCsvWithAByteOrderMarkAndCrlfLineEndsReadsLikeAPlainOne() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = series(12, "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] excel = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, excel, 0, bom.length);
        System.arraycopy(body, 0, excel, bom.length, body.length);
        PreparedData data = DatasetPreparer.prepare(spark, csv(write("excel.csv", excel)), SHARDING);
        try {
            assertEquals(tens(11), inputs(data));
        } finally {
            data.release();
        }
    }

    @Test
    void textWithAByteOrderMarkAndCrlfLineEndsHasNeitherAsCharacters() throws IOException {
        byte[] body = "ab\r\nba\r\nab\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        PreparedData data = DatasetPreparer.prepare(spark, text(write("w.txt", withBom)), SHARDING);
        try {
            assertEquals("ab\nba\nab", characters(data));
            assertEquals(3, data.contract().vocabulary().size(), "a, b and the line end");
        } finally {
            data.release();
        }
    }

    @Test
    void quotedCellsMayHoldTheDelimiterAndDoubledQuotes() throws IOException {
        StringBuilder csv = new StringBuilder("id,t,value,note\n");
        for (int t = 0; t < 12; t++) {
            csv.append("\"a, \"\"the\"\" one\",")
                    .append(t)
                    .append(",\"")
                    .append(10 * t)
                    .append("\",\"x, y\"\n");
        }
        PreparedData data = DatasetPreparer.prepare(
                spark, csv(write("q.csv", csv.toString().getBytes(StandardCharsets.UTF_8))), SHARDING);
        try {
            assertEquals(tens(11), inputs(data));
            assertEquals("a, \"the\" one", data.train().first().seqId());
        } finally {
            data.release();
        }
    }

    @Test
    void aHeaderThatNamesAColumnTwiceIsRefused() throws IOException {
        String message = failure(csv(write("d.csv", "id,t,value,value\na,0,1,2\n".getBytes(StandardCharsets.UTF_8))));
        assertTrue(message.endsWith("d.csv:1: the header names the column 'value' twice"), message);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirLine() throws IOException {
        byte[] latin1 = series(12, "\n").replace("a,5,50", "\u00e9t\u00e9,5,50").getBytes(StandardCharsets.ISO_8859_1);
        String message = failure(csv(write("l.csv", latin1)));
        assertTrue(message.endsWith("l.csv:7: the line is not valid UTF-8"), message);
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWithItsLine() throws IOException {
        String longLine = "a,4," + "9".repeat(5000);
        String content = series(12, "\n").replace("a,4,40", longLine);
        String message =
                failure(csv(write("long.csv", content.getBytes(StandardCharsets.UTF_8)), "input.maxLineBytes=1024"));
        assertTrue(
                message.endsWith(
                        "long.csv:6: the line is longer than input.maxLineBytes (1024 bytes); a line break may "
                                + "be missing, or raise input.maxLineBytes"),
                message);
    }

    @Test
    void aHugeBadCellIsQuotedShort() throws IOException {
        String content = series(12, "\n").replace("a,4,40", "a,4," + "x".repeat(3000));
        String message = failure(csv(write("cell.csv", content.getBytes(StandardCharsets.UTF_8))));
        assertTrue(
                message.endsWith(
                        "cell.csv:6: column 'value' holds '" + "x".repeat(40) + "...' (3000 characters), not a number"),
                message);
    }

    @Test
    void interpolationCountsCellsNotTheirUses() throws IOException {
        // 'value' is both a feature and a target: its 3 empty cells are 3 cells, not 6.
        String content = series(12, "\n")
                .replace("a,3,30", "a,3,")
                .replace("a,4,40", "a,4,")
                .replace("a,8,80", "a,8,");
        PreparedData data = DatasetPreparer.prepare(
                spark,
                csv(
                        write("gaps.csv", content.getBytes(StandardCharsets.UTF_8)),
                        "input.invalidValues=interpolate",
                        "input.targetColumns=[value]"),
                SHARDING);
        try {
            assertEquals(3, data.summary().filledCells());
            assertEquals(tens(11), inputs(data), "linear between the neighbours");
        } finally {
            data.release();
        }
    }
}
