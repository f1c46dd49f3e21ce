package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.config.Task;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.train.ValidationMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-sequence classification on the sample a user starts from (conf/weather-city.conf: which
 * city a month of daily weather comes from): it learns, reports per-class metrics, and scores
 * unlabelled sequences.
 */
class SequenceClassificationTest extends SparkTest {

    @TempDir
    Path dir;

    private JobConfig sample(String... overrides) throws IOException {
        List<String> all = new ArrayList<>(
                List.of("output.path=" + dir.resolve("models"), "spark.numPartitions=2", "train.epochs=8"));
        all.addAll(List.of(overrides));
        return new JobConfigLoader()
                .load(Files.readString(Path.of("conf/weather-city.conf")), "conf/weather-city.conf", all);
    }

    @Test
    void aBidirectionalAttentionClassifierLearnsTheCityAndScoresUnlabelledMonths() throws IOException {
        JobConfig config = sample();
        assertEquals(Task.CLASSIFY, config.task());
        TrainingJob.Result result = TrainingJob.run(spark, config);

        MetricsDocument metrics = result.metrics();
        ValidationMetrics holdout = metrics.finalValidation();
        long[][] confusion = holdout.confusion().counts();
        assertEquals(List.of("New York", "Seattle"), holdout.confusion().labels());
        long total = 0;
        long majority = 0;
        for (long[] row : confusion) {
            long actual = java.util.Arrays.stream(row).sum();
            total += actual;
            majority = Math.max(majority, actual);
        }
        assertEquals(holdout.steps(), total, "one holdout answer per sequence");
        assertTrue(total >= 10, "about a quarter of the 96 months are held out, got " + total);
        // Better than always answering the holdout's most frequent city, and the loss fell.
        assertTrue(
                holdout.accuracy() > (double) majority / total + 0.05,
                "accuracy " + holdout.accuracy() + " vs majority share " + (double) majority / total);
        assertTrue(holdout.loss() < metrics.initialValidation().loss());
        assertEquals(holdout.perClass().keySet(), java.util.Set.of("New York", "Seattle"));
        assertNull(holdout.perplexity(), "perplexity is for the character model");

        String report =
                Files.readString(dir.resolve("models/weather-city/versions/" + result.version() + "/report.html"));
        assertTrue(
                report.contains("Confusion matrix") && report.contains("<th>Seattle</th>"), "report shows the classes");

        // The same months without the label column: one row per month, no label, probabilities that sum to 1.
        Path unlabelled = Files.createDirectories(dir.resolve("unlabelled"));
        List<String> lines = Files.readAllLines(Path.of("data-samples/weather-months/weather-months.csv"));
        Files.write(
                unlabelled.resolve("months.csv"),
                lines.stream().map(l -> l.replaceFirst(",[^,]*", "")).collect(Collectors.toList()));
        JobConfig scoring = sample("input.path=" + unlabelled);
        String out = dir.resolve("predictions").toString();
        assertEquals(96, PredictionJob.run(spark, scoring, null, out, "csv", 0));
        List<Row> rows = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .collectAsList();
        assertEquals(
                96,
                rows.stream()
                        .map(r -> r.getString(r.fieldIndex("sequence")))
                        .distinct()
                        .count());
        for (Row row : rows) {
            assertTrue(row.isNullAt(row.fieldIndex("label")));
            double ny = row.getDouble(row.fieldIndex("probability_New York"));
            double seattle = row.getDouble(row.fieldIndex("probability_Seattle"));
            assertEquals(1.0, ny + seattle, 1e-5);
            assertEquals(ny > seattle ? "New York" : "Seattle", row.getString(row.fieldIndex("predicted")));
            int days = row.getInt(row.fieldIndex("steps"));
            assertTrue(days >= 28 && days <= 31, "a month has 28-31 days, got " + days);
        }
        // With labels, each row carries the month's own city beside the prediction.
        String labelled = dir.resolve("predictions-labelled").toString();
        assertEquals(96, PredictionJob.run(spark, config, null, labelled, "csv", 0));
        long right = spark.read().option("header", "true").csv(labelled).collectAsList().stream()
                .filter(r -> r.getString(r.fieldIndex("label")).equals(r.getString(r.fieldIndex("predicted"))))
                .count();
        assertTrue(right > 96 * 0.7, right + " of 96 months classified right");
        // evaluate scores every sequence of the input and agrees with predict.
        ValidationMetrics all = EvaluationJob.run(spark, config, null);
        assertEquals(96, all.steps());
        assertEquals(right / 96.0, all.accuracy(), 1e-9);

        // Export names both directions and the attention layer apart, and scores the copies as a classifier.
        var manifest = ExportJob.run(
                spark,
                config,
                null,
                dir.resolve("export").toString(),
                4,
                spark.sparkContext().hadoopConfiguration());
        @SuppressWarnings("unchecked")
        List<String> tensors = ((List<java.util.Map<String, Object>>) manifest.get("tensors"))
                .stream().map(t -> (String) t.get("name")).toList();
        assertTrue(
                tensors.containsAll(List.of(
                        "lstm0.forward.W_x",
                        "lstm0.backward.W_h",
                        "lstm0.backward.b",
                        "attention1.Wq",
                        "output.W",
                        "output.b")),
                tensors.toString());
        @SuppressWarnings("unchecked")
        var scored = (java.util.Map<String, ValidationMetrics>) manifest.get("holdout");
        assertEquals(holdout.accuracy(), scored.get("weights.npz").accuracy(), 1e-12, "the float copy is the model");
    }
}
