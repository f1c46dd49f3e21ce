package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.data.InputDataException;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import io.lstmjob.train.ValidationMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job on Spark local[2]: it learns, and it publishes what a user reads. */
class TrainingJobTest extends SparkTest {

    @TempDir
    Path dir;

    @Test
    void forecastingANoisySineLearnsAndPublishesMetrics() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("sines"), 8, 300, 1);
        TrainingJob.Result result = TrainingJob.run(
                spark, TestConfigs.sines(input, dir.resolve("out").toString()));

        MetricsDocument metrics = result.metrics();
        double untrained = metrics.initialValidation().loss();
        double trained = metrics.finalValidation().loss();
        assertTrue(trained < 0.3 * untrained, "validation loss " + untrained + " -> " + trained);
        assertEquals(6, metrics.epochs().size());

        Path versionDir = dir.resolve("out/sines/versions/" + result.version());
        JsonNode json =
                new ObjectMapper().readTree(versionDir.resolve("metrics.json").toFile());
        JsonNode epochs = json.get("epochs");
        assertEquals(6, epochs.size());
        for (String field :
                List.of("epoch", "trainLoss", "validationLoss", "seconds", "tokensPerSecond", "averagingSeconds")) {
            assertTrue(epochs.get(0).has(field), "metrics.json epochs lack " + field);
        }
        assertEquals(1, epochs.get(0).get("epoch").asInt());
        assertTrue(epochs.get(5).get("validationLoss").asDouble()
                < epochs.get(0).get("validationLoss").asDouble());
        assertTrue(Files.exists(versionDir.resolve("model.zip")));
        assertTrue(Files.exists(versionDir.resolve("data-contract.json")));
        String report = Files.readString(versionDir.resolve("report.html"));
        assertEquals(
                3,
                report.split("src=\"data:image/png;base64,").length - 1,
                "loss, throughput and forecast charts are embedded in report.html");
        // Every epoch of metrics.json is a row of the report with the same losses, and every chart is a real PNG.
        for (JsonNode epoch : epochs) {
            String row = "<td>" + epoch.get("epoch").asInt() + "</td><td>"
                    + String.format(
                            java.util.Locale.ROOT,
                            "%.5g",
                            epoch.get("trainLoss").asDouble()) + "</td><td>"
                    + String.format(
                            java.util.Locale.ROOT,
                            "%.5g",
                            epoch.get("validationLoss").asDouble()) + "</td>";
            assertTrue(report.contains(row), "report.html lacks the epoch row " + row);
        }
        java.util.regex.Matcher png = java.util.regex.Pattern.compile("src=\"data:image/png;base64,([^\"]+)\"")
                .matcher(report);
        while (png.find()) {
            var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                    java.util.Base64.getDecoder().decode(png.group(1))));
            assertTrue(image != null && image.getWidth() >= 300 && image.getHeight() >= 200, "a chart is a drawn PNG");
        }
        JsonNode metadata =
                new ObjectMapper().readTree(versionDir.resolve("metadata.json").toFile());
        assertEquals(6, metadata.get("epochs").asInt());
        assertEquals(6, metadata.get("config").get("train").get("epochs").asInt());
        assertEquals(
                result.version(),
                Files.readString(dir.resolve("out/sines/LATEST")).trim());
    }

    /** store.keepVersions through real runs and their real version ids: the newest versions stay, the live one among them. */
    @Test
    void retentionKeepsTheNewestVersions() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("kept"), 2, 60, 9);
        List<String> published = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            published.add(TrainingJob.run(
                            spark,
                            TestConfigs.sines(
                                    input,
                                    dir.resolve("retention").toString(),
                                    "train.epochs=1",
                                    "store.keepVersions=2"))
                    .version());
        }
        var store = new io.lstmjob.store.ModelStore(
                dir.resolve("retention").toString(),
                "sines",
                spark.sparkContext().hadoopConfiguration());
        assertEquals(published.subList(1, 3), store.versions());
        assertEquals(published.get(2), store.liveVersion().orElseThrow());
    }

    /**
     * A run that stopped between renaming its version into place and moving LATEST (here: LATEST
     * could not be replaced) failed; its retry with the same run id completes the publish instead of
     * reporting a success that left the old model live.
     */
    @Test
    void aRetryCompletesAPublishThatStoppedBeforeLatestMoved() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("half"), 6, 200, 5);
        JobConfig config = TestConfigs.sines(input, dir.resolve("out").toString(), "train.epochs=2");
        RunOptions night = new RunOptions(false, "night-7", false, false);
        Path latest = Files.createDirectories(dir.resolve("out/sines/LATEST/in-the-way"));

        assertThrows(io.lstmjob.store.ModelStoreException.class, () -> TrainingJob.run(spark, config, night));
        ModelStore store = new ModelStore(
                dir.resolve("out").toString(), "sines", spark.sparkContext().hadoopConfiguration());
        assertEquals(1, store.versions().size(), "the version was in place");
        assertTrue(Files.exists(dir.resolve("out/sines/runs/night-7")), "and the checkpoints still there");

        Files.delete(latest);
        Files.delete(latest.getParent());
        TrainingJob.Result retry = TrainingJob.run(spark, config, night);
        assertEquals(store.versions(), List.of(retry.version()), "the retry trained nothing new");
        assertEquals(retry.version(), store.liveVersion().orElseThrow(), "and made the version live");
        assertFalse(Files.exists(dir.resolve("out/sines/runs/night-7")), "and removed the checkpoints");
    }

    /** A resume goes on with the run's own config: a changed architecture or split is refused, more epochs are not. */
    @Test
    void aResumeWithAnotherArchitectureOrSplitIsRefusedNamingTheKeys() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("resume"), 6, 200, 6);
        String out = dir.resolve("out").toString();
        RunOptions night = new RunOptions(false, "night-9", false, false);
        Path inTheWay = Files.writeString(
                Files.createDirectories(dir.resolve("out/sines")).resolve("versions"), "not a folder");
        assertThrows(
                io.lstmjob.store.ModelStoreException.class,
                () -> TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=2"), night));
        assertTrue(Files.exists(dir.resolve("out/sines/runs/night-9/checkpoints")), "the run left its checkpoints");
        Files.delete(inTheWay);

        JobConfig changed =
                TestConfigs.sines(input, out, "train.epochs=2", "model.layers=[8]", "validation.fraction=0.3");
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> TrainingJob.run(spark, changed, night));
        assertTrue(e.getMessage().contains("model.layers [16] -> [8]"), e.getMessage());
        assertTrue(e.getMessage().contains("validation.fraction 0.1 -> 0.3"), e.getMessage());

        TrainingJob.Result longer = TrainingJob.run(spark, TestConfigs.sines(input, out, "train.epochs=3"), night);
        assertEquals(3, longer.metrics().epochs().size(), "resumed after epoch 2 and trained one more");
    }

    @Test
    void aDirectFourStepForecasterLearnsEveryStepAheadAndPredictsThem() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("ahead"), 6, 200, 4);
        JobConfig config = TestConfigs.sines(input, dir.resolve("out").toString(), "model.horizon=4", "train.epochs=6");
        TrainingJob.Result result = TrainingJob.run(spark, config);
        MetricsDocument metrics = result.metrics();
        assertTrue(
                metrics.finalValidation().loss()
                        < 0.5 * metrics.initialValidation().loss(),
                metrics.initialValidation().loss() + " -> "
                        + metrics.finalValidation().loss());
        assertEquals(
                List.of("value", "value@t+2", "value@t+3", "value@t+4"),
                new ArrayList<>(metrics.finalValidation().rmseByTarget().keySet()));

        String out = dir.resolve("predictions").toString();
        // 6 sequences of 200 steps: a row for every step after the first, with forecasts 1..4 steps ahead in the
        // input's units.
        assertEquals(6 * 199, PredictionJob.run(spark, config, null, out, "csv", 0));
        var rows = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out);
        java.util.Map<String, Double> actual = new java.util.HashMap<>();
        for (var row : rows.collectAsList()) {
            actual.put(row.getAs("sequence") + "@" + row.getAs("step"), row.getDouble(row.fieldIndex("value")));
        }
        double squaredError = 0;
        double aheadError = 0;
        double misalignedError = 0;
        int ahead = 0;
        for (var row : rows.collectAsList()) {
            double e = row.getDouble(row.fieldIndex("value")) - row.getDouble(row.fieldIndex("value_predicted"));
            squaredError += e * e;
            // Row s's t+4 column forecasts step s + 3 (made after step s - 1).
            Double later = actual.get(row.getAs("sequence") + "@" + (row.<Integer>getAs("step") + 3));
            if (later != null) {
                double forecast = row.getDouble(row.fieldIndex("value_predicted_t+4"));
                aheadError += (later - forecast) * (later - forecast);
                misalignedError += Math.pow(row.getDouble(row.fieldIndex("value")) - forecast, 2);
                ahead++;
            }
        }
        // The sine has amplitude 1: one step ahead must be far better than guessing 0 (rmse ~0.7).
        assertTrue(Math.sqrt(squaredError / (6 * 199)) < 0.4, "rmse " + Math.sqrt(squaredError / (6 * 199)));
        assertEquals(6 * 196, ahead);
        assertTrue(Math.sqrt(aheadError / ahead) < 0.5, "t+4 rmse " + Math.sqrt(aheadError / ahead));
        assertTrue(
                aheadError < 0.5 * misalignedError,
                "the t+4 column forecasts 3 steps after its row's: " + aheadError + " against its own row "
                        + misalignedError);
        assertThrows(
                InvalidConfigException.class,
                () -> PredictionJob.run(
                        spark, config, null, dir.resolve("rolled").toString(), "csv", 5));
    }

    @Test
    void thePeepholeVariantWithEarlyStoppingLearnsAndPublishesItsBestEpoch() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("graves"), 6, 200, 2);
        TrainingJob.Result result = TrainingJob.run(
                spark,
                TestConfigs.sines(
                        input,
                        dir.resolve("out").toString(),
                        "model.cell=graves",
                        "train.epochs=6",
                        "train.earlyStoppingPatience=2",
                        "train.learningRateSchedule=exponential",
                        "train.learningRateDecay=0.8"));
        MetricsDocument metrics = result.metrics();
        assertTrue(metrics.finalValidation().loss()
                < 0.3 * metrics.initialValidation().loss());
        int best = metrics.bestEpoch();
        double bestLoss = metrics.epochs().stream()
                .mapToDouble(e -> e.validationLoss())
                .min()
                .orElseThrow();
        assertEquals(bestLoss, metrics.epochs().get(best - 1).validationLoss(), 0.0);
        assertEquals(bestLoss, metrics.finalValidation().loss(), 1e-9, "the published model is the best epoch's");
    }

    /**
     * Early stopping past its best epoch: the published model.zip, read back and scored on the same
     * holdout, is the best epoch's network, not the last epoch's.
     */
    @Test
    void thePublishedModelIsTheBestEpochsNetworkNotTheLast() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("overshoot"), 4, 120, 5);
        JobConfig config = TestConfigs.sines(
                input,
                dir.resolve("out").toString(),
                "model.name=overshoot",
                "train.epochs=12",
                "train.earlyStoppingPatience=3",
                "train.learningRate=0.3");
        TrainingJob.Result result = TrainingJob.run(spark, config);
        MetricsDocument metrics = result.metrics();
        int best = metrics.bestEpoch();
        int last = metrics.epochs().size();
        assertTrue(
                best < last,
                "the run must go past its best epoch for this test to mean anything: best " + best + " of " + last);
        double lastLoss = metrics.epochs().get(last - 1).validationLoss();
        double bestLoss = metrics.epochs().get(best - 1).validationLoss();

        PublishedModel published = PublishedModel.load(
                new ModelStore(
                        dir.resolve("out").toString(),
                        "overshoot",
                        spark.sparkContext().hadoopConfiguration()),
                result.version());
        double rescored = EvaluationJob.holdout(spark, config, published.contract(), List.of(published.network()))
                .get(0)
                .loss();
        assertEquals(
                bestLoss,
                rescored,
                1e-6 * bestLoss,
                "model.zip holds the best epoch (" + best + "), last epoch scored " + lastLoss);
        assertTrue(
                Math.abs(lastLoss - bestLoss) > 1e-3 * bestLoss,
                "the last epoch differs, so the check can tell them apart");
    }

    @Test
    void theCharacterModelLearnsAShortText() throws IOException {
        Path input = SampleData.shortText(dir.resolve("text"));
        JobConfig config = new JobConfigLoader()
                .load(
                        null,
                        null,
                        List.of(
                                "input.path=" + input,
                                "input.format=text",
                                "output.path=" + dir.resolve("out"),
                                "model.name=chars",
                                "model.layers=[32]",
                                "train.epochs=8",
                                "train.batchSize=4",
                                "train.learningRate=0.02",
                                "segment.length=40",
                                "tbptt.forward=20",
                                "tbptt.backward=20",
                                "spark.numPartitions=2"));
        TrainingJob.Result result = TrainingJob.run(spark, config);
        double untrained = result.metrics().initialValidation().loss();
        double trained = result.metrics().finalValidation().loss();
        assertTrue(trained < 0.6 * untrained, "cross-entropy " + untrained + " -> " + trained);
        var validation = result.metrics().finalValidation();
        assertTrue(validation.perplexity() < Math.exp(untrained));
        // The confusion matrix counts every validation step once, its diagonal the correct ones.
        long total = 0;
        long diagonal = 0;
        long[][] counts = validation.confusion().counts();
        for (int a = 0; a < counts.length; a++) {
            for (int p = 0; p < counts.length; p++) {
                total += counts[a][p];
                diagonal += a == p ? counts[a][p] : 0;
            }
        }
        assertEquals(validation.steps(), total);
        assertEquals(validation.accuracy(), (double) diagonal / total, 1e-12);
        long support = validation.perClass().values().stream()
                .mapToLong(ValidationMetrics.ClassMetrics::support)
                .sum();
        assertEquals(validation.steps(), support);
        // Rows are the actual characters, columns the predicted ones: a row sums to the character's
        // support, its diagonal cell over the row is its recall, over the column its precision.
        List<String> labels = validation.confusion().labels();
        int checked = 0;
        for (int c = 0; c < counts.length; c++) {
            ValidationMetrics.ClassMetrics metrics = validation.perClass().get(labels.get(c));
            long row = java.util.Arrays.stream(counts[c]).sum();
            long column = 0;
            for (long[] actual : counts) {
                column += actual[c];
            }
            if (metrics == null) {
                assertEquals(0, row + column, labels.get(c) + " neither occurs nor is predicted");
                continue;
            }
            assertEquals(metrics.support(), row, labels.get(c));
            assertEquals(metrics.recall(), row == 0 ? 0 : (double) counts[c][c] / row, 1e-12, labels.get(c));
            assertEquals(metrics.precision(), column == 0 ? 0 : (double) counts[c][c] / column, 1e-12, labels.get(c));
            checked += row != column ? 1 : 0;
        }
        assertTrue(
                checked > 0,
                "some character is predicted more or less often than it occurs, so a transposed matrix shows");
        assertTrue(
                validation.perClass().containsKey("t") && validation.perClass().containsKey("\\n"));
    }

    @Test
    void aBadRecordFailsTheRunWithFileAndLineAndPublishesNothing() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("bad"), 2, 40, 1);
        Path csv = input.resolve("sines.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.set(9, "s0,8,0.5");
        Files.write(csv, lines);
        InputDataException e = assertThrows(
                InputDataException.class,
                () -> TrainingJob.run(
                        spark, TestConfigs.sines(input, dir.resolve("out").toString())));
        assertTrue(e.getMessage().endsWith("sines.csv:10: expected 4 fields, found 3"), e.getMessage());
        ModelStore store = new ModelStore(
                dir.resolve("out").toString(), "sines", spark.sparkContext().hadoopConfiguration());
        assertFalse(store.liveVersion().isPresent());
    }

    @Test
    void aDivergingRunStopsWithAClearMessageAndPublishesNothing() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("explode"), 4, 200, 1);
        String out = dir.resolve("out").toString();
        io.lstmjob.train.TrainingDivergedException e = assertThrows(
                io.lstmjob.train.TrainingDivergedException.class,
                () -> TrainingJob.run(
                        spark,
                        TestConfigs.sines(
                                input,
                                out,
                                "train.updater=sgd",
                                "train.learningRate=1e12",
                                "train.gradientClipping=none",
                                "train.epochs=3")));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was published"), e.getMessage());
        ModelStore store = new ModelStore(out, "sines", spark.sparkContext().hadoopConfiguration());
        assertTrue(store.versions().isEmpty());
        assertFalse(store.liveVersion().isPresent());
    }

    @Test
    void anOutputFolderInsideTheInputIsRefused() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 2, 40, 1);
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> TrainingJob.run(
                        spark, TestConfigs.sines(input, input.resolve("models").toString())));
        assertTrue(e.getMessage().startsWith("output.path:"), e.getMessage());
    }
}
