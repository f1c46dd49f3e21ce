package io.lstmjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.job.PublishedModel;
import io.lstmjob.model.TextSampler;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.CapturedOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's three sample models as a new user uses them after training: every command that uses
 * a published model reads the input as the model was trained (no input settings repeated), and
 * stdout carries only what the command promises.
 */
class SampleModelsTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedOutput stdout = CapturedOutput.stdout();

    @RegisterExtension
    final CapturedOutput stderr = CapturedOutput.stderr();

    /** Runs one command; returns its stdout after asserting the exit code. */
    private String run(int expectedExit, String... args) {
        stdout.reset();
        stderr.reset();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("output.path=" + dir.resolve("models"), "spark.master=local[2]"));
        int code = LstmJob.execute(all.toArray(String[]::new));
        assertEquals(expectedExit, code, String.join(" ", args) + ": " + stderr.text());
        return stdout.text();
    }

    private static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text);
    }

    private static void assertOneLineStartingWith(String prefix, String text) {
        assertTrue(
                text.endsWith("\n") && text.strip().lines().count() == 1 && text.startsWith(prefix),
                "one line starting with '" + prefix + "', got:\n" + text);
    }

    private long csvRows(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            long rows = 0;
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".csv"))
                    .toList()) {
                rows += Files.readAllLines(file).size() - 1; // each part has its header
            }
            return rows;
        }
    }

    @Test
    void theWeatherForecasterIsEvaluatedPredictedAndExportedWithoutItsInputSettings() throws Exception {
        // conf/default.conf's model without precipitation: the defaults' four features would not fit it.
        assertOneLineStartingWith(
                "Published ", run(0, "train", "train.epochs=1", "input.featureColumns=[temp_max, temp_min, wind]"));

        JsonNode metrics = json(run(0, "evaluate", "--model", "weather-forecast", "--input", "data-samples/weather"));
        assertTrue(
                metrics.path("rmseByTarget").has("temp_max")
                        && metrics.path("steps").asLong() > 0,
                metrics.toString());

        // key=value still wins over the model's settings; here it clashes with the model's channels.
        run(
                LstmJob.BAD_INPUT,
                "evaluate",
                "--model",
                "weather-forecast",
                "--input",
                "data-samples/weather",
                "input.featureColumns=[wind]");
        assertTrue(stderr.lastLine().contains("do not fit the model"), stderr.lastLine());

        Path predictions = dir.resolve("predictions");
        String line = run(
                0,
                "predict",
                "--model",
                "weather-forecast",
                "--input",
                "data-samples/weather",
                "-o",
                predictions.toString());
        assertOneLineStartingWith("Wrote ", line);
        long rows = Long.parseLong(line.split(" ")[1]);
        assertEquals(rows, csvRows(predictions));
        // Every part file (a partition without sequences writes its header alone).
        StringBuilder parts = new StringBuilder();
        try (Stream<Path> files = Files.list(predictions)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".csv")).sorted().toList()) {
                parts.append(Files.readString(file));
            }
        }
        String part = parts.toString();
        assertTrue(
                part.startsWith("sequence,step,temp_max,temp_max_predicted")
                        && (part.contains("\nSeattle,") || part.contains("\nNew York,")),
                "rows are named by the model's sequence id column: "
                        + part.lines().limit(2).toList());

        JsonNode exported = json(run(
                0,
                "export",
                "--model",
                "weather-forecast",
                "--input",
                "data-samples/weather",
                "-o",
                dir.resolve("export").toString()));
        assertTrue(exported.path("holdout").size() > 0, exported.toString());

        // NAME@VERSION picks a version that is no longer live; evaluate -o writes the JSON it prints, once.
        String first = new ModelStore(dir.resolve("models").toString(), "weather-forecast", new Configuration())
                .liveVersion()
                .orElseThrow();
        assertOneLineStartingWith(
                "Published ", run(0, "train", "train.epochs=2", "input.featureColumns=[temp_max, temp_min, wind]"));
        Path written = dir.resolve("first.json");
        String printed = run(
                0,
                "evaluate",
                "--model",
                "weather-forecast@" + first,
                "--input",
                "data-samples/weather",
                "-o",
                written.toString());
        assertEquals(metrics, json(printed), "the first version scores as it did while live");
        assertEquals(json(printed), json(Files.readString(written)));
        assertNotEquals(
                metrics,
                json(run(0, "evaluate", "--model", "weather-forecast", "--input", "data-samples/weather")),
                "the live version is the second");
        run(
                LstmJob.BAD_CONFIG,
                "evaluate",
                "--model",
                "weather-forecast@" + first,
                "--input",
                "data-samples/weather",
                "-o",
                written.toString());
        assertTrue(stderr.lastLine().contains("already exists"), stderr.lastLine());

        // --format parquet: the same rows as the CSV of that version.
        Path parquet = dir.resolve("predictions-parquet");
        String wrote = run(
                0,
                "predict",
                "--model",
                "weather-forecast@" + first,
                "--input",
                "data-samples/weather",
                "-o",
                parquet.toString(),
                "--format",
                "parquet");
        assertOneLineStartingWith("Wrote " + rows + " predictions", wrote);
        long parquetRows = 0;
        List<String> columns = null;
        try (Stream<Path> files = Files.list(parquet)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".parquet"))
                    .toList()) {
                try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
                    parquetRows += reader.getRecordCount();
                    columns = reader.getFooter().getFileMetaData().getSchema().getFields().stream()
                            .map(org.apache.parquet.schema.Type::getName)
                            .toList();
                }
            }
        }
        assertEquals(rows, parquetRows);
        String header = Files.readString(Files.list(predictions)
                        .filter(f -> f.toString().endsWith(".csv"))
                        .findFirst()
                        .orElseThrow())
                .lines()
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(header.split(",")), columns);
    }

    @Test
    void theCharacterModelIsEvaluatedAndSampledWithoutItsInputSettings() throws Exception {
        assertOneLineStartingWith("Published ", run(0, "train", "--config", "conf/sonnets.conf", "train.epochs=1"));

        JsonNode metrics = json(run(0, "evaluate", "--model", "sonnets-charlm", "--input", "data-samples/sonnets"));
        assertTrue(
                metrics.path("perplexity").asDouble() > 1
                        && metrics.path("accuracy").asDouble() > 0,
                metrics.toString());

        String text =
                run(0, "sample", "--model", "sonnets-charlm", "--prompt", "Shall I", "--length", "60", "--seed", "7");
        PublishedModel model = PublishedModel.load(
                new ModelStore(dir.resolve("models").toString(), "sonnets-charlm", new Configuration()), null);
        String expected = "Shall I"
                + new TextSampler(model.network(), model.contract().vocabulary()).sample("Shall I", 60, 0.8, 7);
        assertEquals(expected + System.lineSeparator(), text, "stdout is the generated text and nothing else");
    }

    @Test
    void theCityClassifierIsEvaluatedPredictedAndRetrainedWithoutItsInputSettings() throws Exception {
        assertOneLineStartingWith(
                "Published ", run(0, "train", "--config", "conf/weather-city.conf", "train.epochs=1"));

        JsonNode metrics =
                json(run(0, "evaluate", "--model", "weather-city", "--input", "data-samples/weather-months"));
        assertEquals(96, metrics.path("steps").asLong(), "every month is one sequence: " + metrics);
        assertTrue(metrics.path("perClass").has("Seattle"), metrics.toString());

        Path predictions = dir.resolve("predictions");
        String line = run(
                0,
                "predict",
                "--model",
                "weather-city",
                "--input",
                "data-samples/weather-months",
                "-o",
                predictions.toString());
        assertOneLineStartingWith("Wrote 96 predictions", line);

        // A nightly retrain names the model and the new data, nothing else: the label column, the
        // id and order columns and the features come from the live version.
        String kept = run(
                LstmJob.KEPT,
                "retrain",
                "model.name=weather-city",
                "input.path=data-samples/weather-months",
                "train.epochs=1",
                "retrain.minImprovement=0.99");
        assertOneLineStartingWith("Kept the live model: ", kept);
    }
}
