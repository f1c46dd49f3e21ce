package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.data.InputDataException;
import io.lstmjob.model.TextSampler;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import io.lstmjob.train.ValidationMetrics;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What users do with a published model: evaluate it, forecast with it, sample from it. */
class PublishedModelUseTest extends SparkTest {

    @TempDir
    static Path dir;

    private static JobConfig sines;
    private static TrainingJob.Result trained;

    @BeforeAll
    static void trainOnce() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 4, 200, 3);
        sines = TestConfigs.sines(input, dir.resolve("models").toString(), "train.epochs=5");
        trained = TrainingJob.run(spark, sines);
    }

    @Test
    void evaluationScoresEveryPairOfTheInput() {
        ValidationMetrics metrics = EvaluationJob.run(spark, sines, trained.version());
        assertEquals(4 * 199, metrics.steps());
        assertEquals(metrics.mse(), metrics.rmse() * metrics.rmse(), 1e-9);
        assertTrue(metrics.rmseByTarget().get("value") < 0.5, metrics.toString());
    }

    @Test
    void predictionsForecastEveryStepInTheInputsUnits() {
        String out = dir.resolve("predictions").toString();
        long rows = PredictionJob.run(spark, sines, null, out, "csv");
        assertEquals(4 * 199, rows);
        List<Row> written = spark.read().option("header", "true").option("inferSchema", "true").csv(out).collectAsList();
        double squaredError = 0;
        for (Row row : written) {
            double error = row.getDouble(row.fieldIndex("value")) - row.getDouble(row.fieldIndex("value_predicted"));
            squaredError += error * error;
        }
        // The sine has amplitude 1 and noise 0.05: a forecast in the input's units is far better than predicting 0.
        assertTrue(Math.sqrt(squaredError / rows) < 0.4, "rmse " + Math.sqrt(squaredError / rows));
        assertTrue(written.stream().allMatch(r -> r.getInt(r.fieldIndex("step")) >= 1));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> PredictionJob.run(spark, sines, null, out, "csv"));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void aCharacterModelSamplesTextFromItsVocabulary() throws Exception {
        Path text = SampleData.shortText(dir.resolve("text"));
        JobConfig config = new JobConfigLoader().load(null, null, List.of("input.path=" + text, "input.format=text",
                "output.path=" + dir.resolve("models"), "model.name=chars", "model.layers=[32]", "train.epochs=8",
                "train.learningRate=0.02", "segment.length=40", "tbptt.forward=20", "tbptt.backward=20", "spark.numPartitions=2"));
        TrainingJob.run(spark, config);
        PublishedModel model = PublishedModel.load(new ModelStore(dir.resolve("models").toString(), "chars",
                spark.sparkContext().hadoopConfiguration()), null);
        String sampled = new TextSampler(model.network(), model.contract().vocabulary()).sample("the ", 60, 0.5, 1);
        assertEquals(60, sampled.codePointCount(0, sampled.length()));
        assertTrue(sampled.codePoints().allMatch(cp -> model.contract().vocabulary().indexOf(cp) >= 0));
        assertTrue(sampled.contains("at"), "a trained model writes the text's syllables: " + sampled);
        assertThrows(IllegalArgumentException.class,
                () -> new TextSampler(model.network(), model.contract().vocabulary()).sample("XYZ", 5, 1, 1));
        assertThrows(InputDataException.class, () -> PredictionJob.run(spark, config, null, dir.resolve("p2").toString(), "csv"));
    }
}
