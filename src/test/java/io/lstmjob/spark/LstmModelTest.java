package io.lstmjob.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.job.PredictionJob;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML Model as another Spark job uses it: it scores a DataFrame exactly as predict scores the files. */
class LstmModelTest extends SparkTest {
    @TempDir
    static Path dir;

    private static Path sines;
    private static JobConfig forecaster;
    private static String forecasterVersion;

    @BeforeAll
    static void trainAForecaster() throws Exception {
        sines = SampleData.noisySines(dir.resolve("sines"), 4, 150, 21);
        // Two steps ahead: the t+2 columns too; 60-step segments: predict crosses segment edges within a sequence.
        forecaster = TestConfigs.sines(
                sines, dir.resolve("models").toString(), "train.epochs=2", "model.horizon=2", "segment.length=60");
        forecasterVersion = TrainingJob.run(spark, forecaster).version();
    }

    private static Dataset<Row> csv(Path path) {
        return spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(path.toString());
    }

    /** predict's rows keyed by sequence and step. */
    private static Map<String, Row> byStep(Dataset<Row> rows, String sequence, String step) {
        Map<String, Row> keyed = new HashMap<>();
        for (Row row : rows.collectAsList()) {
            keyed.put(row.getAs(sequence).toString() + "@" + row.getAs(step).toString(), row);
        }
        return keyed;
    }

    @Test
    void aForecasterKeepsEveryRowAndAddsWhatPredictWrites() throws Exception {
        Path predicted = dir.resolve("predict");
        PredictionJob.run(spark, forecaster, null, predicted.toString(), "csv", 0);
        Map<String, Row> expected = byStep(csv(predicted), "sequence", "step");

        LstmModel model = LstmModel.load(dir.resolve("models/sines").toString());
        assertEquals(forecasterVersion, model.version());
        Dataset<Row> input = csv(sines);
        Dataset<Row> scored = model.transform(input);
        assertEquals(
                List.of("id", "t", "value", "cosine", "value_predicted", "value_predicted_t+2"),
                List.of(scored.columns()));
        List<Row> rows = scored.collectAsList();
        assertEquals(4 * 150, rows.size(), "every input row is kept");
        assertEquals(4 * 149, expected.size(), "predict writes every step but a sequence's first");
        for (Row row : rows) {
            String key = row.getAs("id") + "@" + row.getAs("t");
            if (row.<Integer>getAs("t") == 0) {
                assertNull(row.getAs("value_predicted"), "nothing comes before a sequence's first row");
                continue;
            }
            Row fromPredict = expected.get(key);
            assertNotNull(fromPredict, key);
            assertEquals(row.<Double>getAs("value"), fromPredict.<Double>getAs("value"), 1e-9, key);
            assertEquals(fromPredict.<Double>getAs("value_predicted"), row.<Double>getAs("value_predicted"), 1e-9, key);
            assertEquals(
                    fromPredict.<Double>getAs("value_predicted_t+2"),
                    row.<Double>getAs("value_predicted_t+2"),
                    1e-9,
                    key);
        }
        IllegalArgumentException horizon = assertThrows(
                IllegalArgumentException.class,
                () -> model.copy(new org.apache.spark.ml.param.ParamMap())
                        .setHorizon(3)
                        .transform(input));
        assertTrue(horizon.getMessage().contains("2 steps ahead directly"), horizon.getMessage());
    }

    /** The README's sample as it ships (ISO dates as the order, two of four features as targets): the DataFrame gets predict's numbers. */
    @Test
    void theWeatherSampleScoresAsPredictScoresIt() throws Exception {
        JobConfig weather = new JobConfigLoader()
                .load(
                        null,
                        null,
                        List.of(
                                "output.path=" + dir.resolve("models"),
                                "train.epochs=1",
                                "model.layers=[8]",
                                "spark.numPartitions=2"));
        TrainingJob.run(spark, weather);
        Path predicted = dir.resolve("predict-weather");
        PredictionJob.run(spark, weather, null, predicted.toString(), "csv", 0);
        Map<String, Row> expected = byStep(csv(predicted), "sequence", "step");

        Dataset<Row> scored = LstmModel.load(
                        dir.resolve("models/weather-forecast").toString())
                .transform(csv(Path.of("data-samples/weather")));
        // predict numbers a sequence's steps from 0 in date order; the DataFrame keeps the dates.
        List<Row> rows = scored.withColumn(
                        "step",
                        org.apache
                                .spark
                                .sql
                                .functions
                                .row_number()
                                .over(org.apache.spark.sql.expressions.Window.partitionBy("location")
                                        .orderBy("date"))
                                .minus(1))
                .filter("step > 0")
                .collectAsList();
        assertEquals(expected.size(), rows.size());
        for (Row row : rows) {
            String key = row.getAs("location") + "@" + row.getAs("step");
            Row fromPredict = expected.get(key);
            assertNotNull(fromPredict, key);
            assertEquals(row.<Double>getAs("temp_min"), fromPredict.<Double>getAs("temp_min"), 1e-9, key);
            assertEquals(
                    fromPredict.<Double>getAs("temp_max_predicted"),
                    row.<Double>getAs("temp_max_predicted"),
                    1e-9,
                    key);
            assertEquals(
                    fromPredict.<Double>getAs("temp_min_predicted"),
                    row.<Double>getAs("temp_min_predicted"),
                    1e-9,
                    key);
        }
    }

    @Test
    void itComposesWithSparkSqlAndLoadsAVersionFolder() throws Exception {
        LstmModel model = LstmModel.load(
                dir.resolve("models/sines/versions/" + forecasterVersion).toString());
        Dataset<Row> all = model.transform(csv(sines));
        Dataset<Row> filtered = model.transform(csv(sines).filter("id != 's1'"));
        StructType names = new StructType().add("id", DataTypes.StringType).add("site", DataTypes.StringType);
        Dataset<Row> sites = spark.createDataFrame(
                List.of(RowFactory.create("s0", "north"), RowFactory.create("s2", "south")), names);
        Dataset<Row> joined = filtered.join(sites, "id").filter("value_predicted IS NOT NULL");

        assertEquals(2 * 149, joined.count(), "s0 and s2, every row but the first");
        Map<String, Row> unfiltered = byStep(all, "id", "t");
        for (Row row : joined.collectAsList()) {
            Row same = unfiltered.get(row.getAs("id") + "@" + row.getAs("t"));
            assertEquals(
                    same.<Double>getAs("value_predicted"),
                    row.<Double>getAs("value_predicted"),
                    1e-12,
                    "a sequence's scores do not depend on the others");
        }
        assertEquals(
                List.of("north", "south"),
                joined.select("site")
                        .distinct()
                        .orderBy("site")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList());
    }

    @Test
    void aClassifierGivesPredictsRowPerSequence() throws Exception {
        JobConfig config = new JobConfigLoader()
                .load(
                        Files.readString(Path.of("conf/weather-city.conf")),
                        "conf/weather-city.conf",
                        List.of(
                                "output.path=" + dir.resolve("models"),
                                "train.epochs=2",
                                "model.layers=[8]",
                                "spark.numPartitions=2"));
        TrainingJob.run(spark, config);
        Path predicted = dir.resolve("predict-city");
        PredictionJob.run(spark, config, null, predicted.toString(), "csv", 0);
        Map<String, Row> expected = byStep(csv(predicted), "sequence", "steps");

        List<Row> scored = LstmModel.load(dir.resolve("models/weather-city").toString())
                .transform(csv(Path.of("data-samples/weather-months")))
                .collectAsList();
        assertEquals(96, scored.size());
        for (Row row : scored) {
            Row fromPredict = expected.get(row.getAs("sequence") + "@" + row.getAs("steps"));
            assertNotNull(fromPredict, row.toString());
            assertEquals(fromPredict.<String>getAs("label"), row.<String>getAs("label"));
            assertEquals(fromPredict.<String>getAs("predicted"), row.<String>getAs("predicted"));
            assertEquals(
                    fromPredict.<Double>getAs("probability_Seattle"), row.<Double>getAs("probability_Seattle"), 1e-6);
        }
    }

    @Test
    void aMissingColumnOrACharacterModelIsAClearRefusal() throws Exception {
        LstmModel model = LstmModel.load(dir.resolve("models/sines").toString());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class, () -> model.transform(csv(sines).drop("cosine")));
        assertTrue(missing.getMessage().contains("'cosine'"), missing.getMessage());
        IllegalArgumentException renamed = assertThrows(
                IllegalArgumentException.class,
                () -> model.copy(new org.apache.spark.ml.param.ParamMap())
                        .setOrderCol("")
                        .transform(csv(sines)));
        assertTrue(renamed.getMessage().startsWith("orderCol"), renamed.getMessage());
        // The model's columns are defaults: a DataFrame that calls them otherwise says so.
        assertEquals(
                4 * 150,
                model.copy(new org.apache.spark.ml.param.ParamMap())
                                .setOrderCol("when")
                                .transform(csv(sines).withColumnRenamed("t", "when"))
                                .filter("value_predicted IS NOT NULL")
                                .count()
                        + 4);

        Path text = SampleData.shortText(dir.resolve("text"));
        TrainingJob.run(
                spark,
                new JobConfigLoader()
                        .load(
                                null,
                                null,
                                List.of(
                                        "input.path=" + text,
                                        "input.format=text",
                                        "output.path=" + dir.resolve("models"),
                                        "model.name=chars",
                                        "model.layers=[8]",
                                        "train.epochs=1",
                                        "segment.length=40",
                                        "tbptt.forward=20",
                                        "tbptt.backward=20",
                                        "spark.numPartitions=2")));
        IllegalArgumentException chars = assertThrows(
                IllegalArgumentException.class,
                () -> LstmModel.load(dir.resolve("models/chars").toString())
                        .transformSchema(csv(sines).schema()));
        assertTrue(chars.getMessage().contains("character model"), chars.getMessage());
    }
}
