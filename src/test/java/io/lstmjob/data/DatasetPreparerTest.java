package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.CacheLevel;
import io.lstmjob.config.InputConfig;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and sharding through Spark local[2]: every step exactly once, in order, nothing invented. */
class DatasetPreparerTest extends SparkTest {

    @TempDir
    Path dir;

    /** One-step sequences (nothing to train on) are left out here; BadInputTest covers the strict default. */
    private static InputConfig csv(Path path) {
        return TestConfigs.input(path, "input.shortSequences=skip");
    }

    /**
     * Sequences shorter than, equal to and longer than a segment (odd lengths), rows shuffled in the
     * file; each value encodes its sequence and step, so order and completeness can be checked.
     */
    private Path oddLengths(Map<String, Integer> lengths) throws IOException {
        List<String> rows = new ArrayList<>();
        int seq = 0;
        for (Map.Entry<String, Integer> e : lengths.entrySet()) {
            for (int t = 0; t < e.getValue(); t++) {
                rows.add(e.getKey() + "," + t + "," + (seq * 1000 + t));
            }
            seq++;
        }
        Collections.shuffle(rows, new Random(7));
        Files.createDirectories(dir.resolve("in"));
        Files.writeString(
                dir.resolve("in/data.csv"), "id,t,value\n" + String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
        return dir.resolve("in");
    }

    @Test
    void everyStepIsTrainedOrValidatedExactlyOnceInOrder() throws IOException {
        // b-equal: 7 pairs, one segment before the holdout; f-train-equal: 9 pairs, 2 held out, 7 to train (one segment
        // exactly after the holdout); g-train-over: 10 pairs, 8 to train (a segment and one pair).
        Map<String, Integer> lengths = new TreeMap<>(Map.of(
                "a-short",
                4,
                "b-equal",
                8,
                "c-long",
                23,
                "d-longer",
                57,
                "e-single",
                1,
                "f-train-equal",
                10,
                "g-train-over",
                11));
        for (int overlap : new int[] {0, 3}) {
            // The second pass also keeps everything on disk only (spark.storageLevel=disk-only): the same segments.
            CacheLevel cache = overlap == 0 ? CacheLevel.MEMORY_AND_DISK : CacheLevel.DISK_ONLY;
            PreparedData data = DatasetPreparer.prepare(
                    spark,
                    csv(oddLengths(lengths)),
                    TestConfigs.sharding(7, overlap, 0.2, 3, "spark.storageLevel=" + cache.configName()));
            try {
                List<Segment> segments = new ArrayList<>(data.train().collect());
                segments.addAll(data.validation().collect());
                int seqIndex = 0;
                for (Map.Entry<String, Integer> e : lengths.entrySet()) {
                    List<Segment> ofSeq = segments.stream()
                            .filter(s -> s.seqId().equals(e.getKey()))
                            .sorted(Comparator.comparingLong(Segment::start))
                            .toList();
                    int pairs = Math.max(0, e.getValue() - 1);
                    assertCoversEveryPairOnce(ofSeq, pairs, seqIndex * 1000, 7 - overlap, overlap == 0);
                    // The validation split is the last round(pairs x 0.2) pairs, in whole: its first pair is that far
                    // from the end.
                    long validationFrom = ofSeq.stream()
                            .filter(Segment::validation)
                            .mapToLong(Segment::start)
                            .min()
                            .orElse(pairs);
                    assertEquals(Math.round(pairs * 0.2), pairs - validationFrom, e.getKey() + ": validation pairs");
                    long trainingEnd = ofSeq.stream()
                            .filter(x -> !x.validation())
                            .mapToLong(x -> x.start() + x.length())
                            .max()
                            .orElse(0);
                    assertEquals(validationFrom, trainingEnd, e.getKey() + ": training ends where validation begins");
                    seqIndex++;
                }
                assertEquals(
                        lengths.values().stream().mapToInt(Integer::intValue).sum(),
                        data.summary().steps());
            } finally {
                data.release();
            }
        }
    }

    /** Walks the segments of one sequence: pairs 0..pairs-1, input = step p, target = step p+1. */
    private static void assertCoversEveryPairOnce(
            List<Segment> segments, int pairs, int base, int stride, boolean exactlyOnce) {
        if (pairs <= 0) {
            assertTrue(segments.isEmpty());
            return;
        }
        int[] seen = new int[pairs];
        boolean inValidation = false;
        long nextStart = 0;
        for (Segment s : segments) {
            assertTrue(!inValidation || s.validation(), "validation comes after training in time");
            if (s.validation() && !inValidation) {
                inValidation = true;
                nextStart = s.start();
            }
            assertEquals(nextStart, s.start(), "segments of a split follow each other by the stride");
            for (int t = 0; t < s.length(); t++) {
                long p = s.start() + t;
                assertEquals(base + p, s.value(t, 0), 0.0, "input of pair " + p);
                assertEquals(base + p + 1, s.value(t + 1, 0), 0.0, "target of pair " + p);
                seen[(int) p]++;
            }
            nextStart = s.start() + stride;
        }
        // With overlap, the overlapping pairs appear twice by design; without, exactly once.
        for (int p = 0; p < pairs; p++) {
            assertTrue(seen[p] >= 1, "pair " + p + " is missing");
            if (exactlyOnce) {
                assertEquals(1, seen[p], "pair " + p);
            }
        }
    }

    @Test
    void scalerIsFittedOnTheTrainingSplitOnly() throws IOException {
        Files.createDirectories(dir.resolve("s"));
        StringBuilder csv = new StringBuilder("id,t,value\n");
        for (int t = 0; t < 11; t++) {
            csv.append("x,")
                    .append(t)
                    .append(',')
                    .append(t < 9 ? 1 + t % 2 : 1000)
                    .append('\n');
        }
        Files.writeString(dir.resolve("s/a.csv"), csv);
        // 10 pairs, 2 for validation: training inputs are steps 0..7 (values 1,2,1,2,...)
        PreparedData data = DatasetPreparer.prepare(spark, csv(dir.resolve("s")), TestConfigs.sharding(5, 0, 0.2, 2));
        try {
            assertEquals(1.5, data.contract().scaler().featureMean()[0], 1e-9);
            assertEquals(0.5, data.contract().scaler().featureStd()[0], 1e-9);
        } finally {
            data.release();
        }
    }

    @Test
    void textBecomesOneSequenceOfCharactersWithAVocabulary() throws IOException {
        Files.createDirectories(dir.resolve("t"));
        Files.writeString(dir.resolve("t/a.txt"), "abca\nbé\n", StandardCharsets.UTF_8);
        InputConfig text = TestConfigs.text(dir.resolve("t"));
        PreparedData data = DatasetPreparer.prepare(spark, text, TestConfigs.sharding(3, 0, 0.0, 2));
        try {
            assertEquals(8, data.summary().steps());
            int[] expected = "\nabcé".codePoints().sorted().toArray();
            assertEquals(
                    java.util.Arrays.toString(expected),
                    java.util.Arrays.toString(data.contract().vocabulary().codePoints()));
            List<Segment> segments = new ArrayList<>(data.train().collect());
            segments.sort(Comparator.comparingLong(Segment::start));
            StringBuilder inputs = new StringBuilder();
            for (Segment s : segments) {
                for (int t = 0; t < s.length(); t++) {
                    inputs.appendCodePoint(data.contract().vocabulary().codePointAt(s.classAt(t)));
                }
            }
            assertEquals("abca\nbé", inputs.toString());
        } finally {
            data.release();
        }
    }

    @Test
    void parquetIsReadWithTheSameColumnRolesAsCsv() {
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int t = 9; t >= 0; t--) {
            rows.add(org.apache.spark.sql.RowFactory.create("p", (long) t, (double) (100 + t)));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("id", "string")
                .add("t", "long")
                .add("value", "double");
        spark.createDataFrame(rows, schema)
                .coalesce(1)
                .write()
                .parquet(dir.resolve("pq").toString());
        InputConfig parquet = TestConfigs.input(dir.resolve("pq"), "input.format=parquet");
        PreparedData data = DatasetPreparer.prepare(spark, parquet, TestConfigs.sharding(4, 0, 0.0, 2));
        try {
            List<Segment> segments = new ArrayList<>(data.train().collect());
            segments.sort(Comparator.comparingLong(Segment::start));
            assertEquals(3, segments.size());
            assertCoversEveryPairOnce(segments, 9, 100, 4, true);
        } finally {
            data.release();
        }
    }

    @Test
    void aNonNumericValueIsReportedWithFileAndLine() throws IOException {
        Files.createDirectories(dir.resolve("bad"));
        Files.writeString(dir.resolve("bad/x.csv"), "id,t,value\na,0,1.0\na,1,2.0\na,2,abc\n");
        Exception e = assertThrows(
                Exception.class,
                () -> DatasetPreparer.prepare(spark, csv(dir.resolve("bad")), TestConfigs.sharding(5, 0, 0.0, 2)));
        BadRecordException bad = InputErrors.findBadRecord(e);
        assertTrue(bad != null, "cause: " + e);
        String message = InputErrors.describe(bad, spark.sparkContext().hadoopConfiguration());
        assertTrue(message.endsWith("x.csv:4: column 'value' holds 'abc', not a number"), message);
    }

    @Test
    void aMissingInputPathIsNamed() {
        InputDataException e = assertThrows(
                InputDataException.class,
                () -> DatasetPreparer.prepare(
                        spark, csv(dir.resolve("nothing-here")), TestConfigs.sharding(5, 0, 0.0, 2)));
        assertTrue(
                e.getMessage().contains("nothing-here") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aFileWithOnlyAHeaderIsAnEmptyDataset() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("empty/x.csv"), "id,t,value\n");
        InputDataException e = assertThrows(
                InputDataException.class,
                () -> DatasetPreparer.prepare(spark, csv(dir.resolve("empty")), TestConfigs.sharding(5, 0, 0.0, 2)));
        assertEquals("the input holds no data rows", e.getMessage());
    }

    @Test
    void anEmptyFolderIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("none"));
        InputDataException e = assertThrows(
                InputDataException.class,
                () -> DatasetPreparer.prepare(spark, csv(dir.resolve("none")), TestConfigs.sharding(5, 0, 0.0, 2)));
        assertTrue(e.getMessage().contains("is a folder with no data files"), e.getMessage());
    }

    @Test
    void aDirectForecasterPairsEveryInputWithTheNextHorizonSteps() throws IOException {
        Map<String, Integer> lengths = new TreeMap<>(Map.of("a", 12, "b", 31));
        int horizon = 3;
        PreparedData data = DatasetPreparer.prepare(
                spark, csv(oddLengths(lengths)), TestConfigs.sharding(7, 0, 0.2, 2, "model.horizon=" + horizon));
        try {
            List<Segment> segments = new ArrayList<>(data.train().collect());
            segments.addAll(data.validation().collect());
            int seqIndex = 0;
            for (Map.Entry<String, Integer> e : lengths.entrySet()) {
                List<Segment> ofSeq = segments.stream()
                        .filter(s -> s.seqId().equals(e.getKey()))
                        .sorted(Comparator.comparingLong(Segment::start))
                        .toList();
                int pairs = 0;
                for (Segment s : ofSeq) {
                    assertEquals(s.length() + horizon, s.steps(), "the steps of the last targets too");
                    for (int t = 0; t < s.length(); t++) {
                        long p = s.start() + t;
                        assertEquals(seqIndex * 1000 + p, s.value(t, 0), 0f);
                        for (int k = 1; k <= horizon; k++) {
                            assertEquals(
                                    seqIndex * 1000 + p + k,
                                    s.value(t + k, 0),
                                    0f,
                                    e.getKey() + " pair " + p + " target " + k + " steps ahead");
                        }
                        pairs++;
                    }
                }
                assertEquals(e.getValue() - horizon, pairs, "a sequence of N steps gives N - horizon pairs");
                seqIndex++;
            }
            assertEquals(horizon, data.contract().stepsAhead());
            assertEquals(horizon, data.contract().networkOutputs());
        } finally {
            data.release();
        }
    }
}
