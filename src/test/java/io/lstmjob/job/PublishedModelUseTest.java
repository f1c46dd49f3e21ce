package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.data.InputDataException;
import io.lstmjob.model.TextSampler;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import io.lstmjob.train.ValidationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * A known answer in large units: b at t + 1 is a at t, and a is noise around 5000 with std 300.
     * Only a forecast in the input's units, aligned to the right step, from the right feature,
     * gets near b: a missing un-scaling is off by ~5000, a repeat of the last value or a one-step
     * shift by ~420 (300 x sqrt 2).
     */
    @Test
    void aForecastIsInTheInputsUnitsAndForTheNextStep() throws Exception {
        java.util.Random random = new java.util.Random(17);
        StringBuilder csv = new StringBuilder("id,t,b,a\n");
        for (int s = 0; s < 4; s++) {
            double previousA = 5000;
            for (int t = 0; t < 200; t++) {
                double a = 5000 + 300 * random.nextGaussian();
                csv.append("s")
                        .append(s)
                        .append(',')
                        .append(t)
                        .append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.3f", previousA))
                        .append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.3f", a))
                        .append('\n');
                previousA = a;
            }
        }
        Path input = java.nio.file.Files.createDirectories(dir.resolve("lead"));
        java.nio.file.Files.writeString(input.resolve("lead.csv"), csv);
        JobConfig lead = TestConfigs.sines(
                input,
                dir.resolve("models").toString(),
                "model.name=lead",
                "input.featureColumns=[b, a]",
                "input.targetColumns=[b]",
                "train.epochs=10",
                "train.learningRate=0.02");
        TrainingJob.run(spark, lead);
        String out = dir.resolve("lead-predictions").toString();
        PredictionJob.run(spark, lead, null, out, "csv", 0);
        List<Row> rows = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .collectAsList();
        assertEquals(4 * 199, rows.size());
        double squared = 0;
        for (Row row : rows) {
            double error = row.getDouble(row.fieldIndex("b")) - row.getDouble(row.fieldIndex("b_predicted"));
            squared += error * error;
        }
        double rmse = Math.sqrt(squared / rows.size());
        assertTrue(
                rmse < 60,
                "the forecast of b is a's last value, in the input's units: rmse " + rmse + " (std of b: 300)");
    }

    @Test
    void predictionsForecastEveryStepInTheInputsUnits() {
        String out = dir.resolve("predictions").toString();
        long rows = PredictionJob.run(spark, sines, null, out, "csv", 0);
        assertEquals(4 * 199, rows);
        List<Row> written = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .collectAsList();
        double squaredError = 0;
        for (Row row : written) {
            double error = row.getDouble(row.fieldIndex("value")) - row.getDouble(row.fieldIndex("value_predicted"));
            squaredError += error * error;
        }
        // The sine has amplitude 1 and noise 0.05: a forecast in the input's units is far better than predicting 0.
        assertTrue(Math.sqrt(squaredError / rows) < 0.4, "rmse " + Math.sqrt(squaredError / rows));
        assertTrue(written.stream().allMatch(r -> r.getInt(r.fieldIndex("step")) >= 1));
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> PredictionJob.run(spark, sines, null, out, "csv", 0));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    /**
     * predict reads its files as training does: rows in any order are put in order, an empty cell is
     * filled under input.invalidValues=interpolate (here equal to a file with the filled value), and a
     * bad row fails with its file and line before anything is written.
     */
    @Test
    void predictReadsItsInputAsTrainingDoes() throws Exception {
        List<String> lines = java.nio.file.Files.readAllLines(
                SampleData.noisySines(dir.resolve("plain"), 2, 60, 5).resolve("sines.csv"));
        // Row 1 + 30 is s0's step 30: its value becomes the mean of its neighbours' in the filled file, empty in the
        // gap file.
        String[] before = lines.get(30).split(",");
        String[] after = lines.get(32).split(",");
        String[] gap = lines.get(31).split(",");
        float filled = (float) ((Float.parseFloat(before[2]) + Float.parseFloat(after[2])) / 2);
        List<String> withFill = new java.util.ArrayList<>(lines);
        withFill.set(31, gap[0] + "," + gap[1] + "," + filled + "," + gap[3]);
        List<String> shuffled = new java.util.ArrayList<>(lines.subList(1, lines.size()));
        shuffled.set(30, gap[0] + "," + gap[1] + ",," + gap[3]);
        java.util.Collections.shuffle(shuffled, new java.util.Random(3));
        shuffled.add(0, lines.get(0));
        Path fill = java.nio.file.Files.createDirectories(dir.resolve("filled"));
        java.nio.file.Files.write(fill.resolve("sines.csv"), withFill);
        Path holes = java.nio.file.Files.createDirectories(dir.resolve("holes"));
        java.nio.file.Files.write(holes.resolve("sines.csv"), shuffled);

        String expected = dir.resolve("predict-filled").toString();
        PredictionJob.run(spark, TestConfigs.sines(fill, dir.resolve("models").toString()), null, expected, "csv", 0);
        String out = dir.resolve("predict-holes").toString();
        assertEquals(
                2 * 59,
                PredictionJob.run(
                        spark,
                        TestConfigs.sines(holes, dir.resolve("models").toString(), "input.invalidValues=interpolate"),
                        null,
                        out,
                        "csv",
                        0));
        java.util.Map<String, Double> want = new java.util.HashMap<>();
        for (Row row : spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(expected)
                .collectAsList()) {
            want.put(row.getString(0) + "@" + row.getInt(1), row.getDouble(row.fieldIndex("value_predicted")));
        }
        List<Row> got = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .collectAsList();
        assertEquals(want.size(), got.size());
        for (Row row : got) {
            String key = row.getString(0) + "@" + row.getInt(1);
            assertEquals(want.get(key), row.getDouble(row.fieldIndex("value_predicted")), 1e-6, key);
        }

        shuffled.set(7, "s1,999,not-a-number,0.5");
        Path bad = java.nio.file.Files.createDirectories(dir.resolve("bad-row"));
        java.nio.file.Files.write(bad.resolve("sines.csv"), shuffled);
        String never = dir.resolve("predict-bad").toString();
        InputDataException e = assertThrows(
                InputDataException.class,
                () -> PredictionJob.run(
                        spark, TestConfigs.sines(bad, dir.resolve("models").toString()), null, never, "csv", 0));
        assertTrue(e.getMessage().contains("sines.csv:8") && e.getMessage().contains("not-a-number"), e.getMessage());
        assertTrue(!java.nio.file.Files.exists(Path.of(never)), "nothing is written for a bad input");
    }

    @Test
    @SuppressWarnings("unchecked")
    void exportWritesNumpyWeightsInGateOrderIfgoAndQuantisedCopiesWithTheirHoldoutMetrics() throws Exception {
        String out = dir.resolve("export").toString();
        var manifest =
                ExportJob.run(spark, sines, null, out, 4, spark.sparkContext().hadoopConfiguration());

        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> exported = new java.util.HashMap<>();
        try (var zip =
                new java.util.zip.ZipFile(dir.resolve("export/weights.npz").toFile())) {
            for (var entry : java.util.Collections.list(zip.entries())) {
                exported.put(
                        entry.getName().replace(".npy", ""),
                        org.nd4j.linalg.factory.Nd4j.createNpyFromByteArray(
                                zip.getInputStream(entry).readAllBytes()));
            }
        }
        var dl4jW = trained.network().getLayer(0).paramTable().get("W");
        int n = 16;
        var wx = exported.get("lstm0.W_x");
        // i first in the export, last (block 3) in DL4J; g third in the export, first in DL4J.
        assertEquals(
                dl4jW.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(3 * n, 4 * n)),
                wx.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)));
        assertEquals(
                dl4jW.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)),
                wx.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * n, 3 * n)));

        var bytes = (java.util.Map<String, Long>) manifest.get("bytes");
        // A byte per weight instead of four; on a model this small the per-array .npy headers weigh in too.
        assertTrue(bytes.get("weights-int8.npz") < bytes.get("weights.npz"), bytes.toString());
        assertTrue(bytes.get("weights-kmeans4.npz") < bytes.get("weights-int8.npz"), bytes.toString());
        var holdout = (java.util.Map<String, ValidationMetrics>) manifest.get("holdout");
        double full = holdout.get("weights.npz").loss();
        assertEquals(trained.metrics().finalValidation().loss(), full, 1e-9, "the float copy is the published model");
        assertEquals(full, holdout.get("weights-int8.npz").loss(), 0.05 * full, "8-bit weights barely change the loss");
        assertTrue(java.nio.file.Files.exists(dir.resolve("export/manifest.json")));
    }

    private static java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> npz(Path file)
            throws java.io.IOException {
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> arrays = new java.util.HashMap<>();
        try (var zip = new java.util.zip.ZipFile(file.toFile())) {
            for (var entry : java.util.Collections.list(zip.entries())) {
                arrays.put(
                        entry.getName().replace(".npy", ""),
                        org.nd4j.linalg.factory.Nd4j.createNpyFromByteArray(
                                zip.getInputStream(entry).readAllBytes()));
            }
        }
        return arrays;
    }

    /** The standard LSTM and the output layer computed in plain Java from exported tensors (gate blocks i, f, g, o). */
    private static float[][] forward(java.util.function.Function<String, float[]> tensor, int n, float[][] x) {
        float[] wx = tensor.apply("lstm0.W_x");
        float[] wh = tensor.apply("lstm0.W_h");
        float[] b = tensor.apply("lstm0.b");
        float[] w = tensor.apply("output.W");
        float[] bo = tensor.apply("output.b");
        int inputs = x[0].length;
        int outputs = bo.length;
        float[] h = new float[n];
        float[] c = new float[n];
        float[][] y = new float[x.length][outputs];
        for (int t = 0; t < x.length; t++) {
            float[] z = new float[4 * n];
            for (int j = 0; j < 4 * n; j++) {
                double sum = b[j];
                for (int k = 0; k < inputs; k++) {
                    sum += x[t][k] * wx[k * 4 * n + j];
                }
                for (int k = 0; k < n; k++) {
                    sum += h[k] * wh[k * 4 * n + j];
                }
                z[j] = (float) sum;
            }
            for (int u = 0; u < n; u++) {
                double i = 1 / (1 + Math.exp(-z[u]));
                double f = 1 / (1 + Math.exp(-z[n + u]));
                double g = Math.tanh(z[2 * n + u]);
                double o = 1 / (1 + Math.exp(-z[3 * n + u]));
                c[u] = (float) (f * c[u] + i * g);
                h[u] = (float) (o * Math.tanh(c[u]));
            }
            for (int k = 0; k < outputs; k++) {
                double sum = bo[k];
                for (int u = 0; u < n; u++) {
                    sum += h[u] * w[u * outputs + k];
                }
                y[t][k] = (float) sum;
            }
        }
        return y;
    }

    /**
     * Every exported file read back: the forward pass computed from weights.npz is the published
     * network's, and from the dequantised int8 and k-means files it is the quantised copy whose
     * holdout metrics the manifest reports.
     */
    @Test
    void everyExportedFileComputesTheModelItDescribes() throws Exception {
        ExportJob.run(
                null,
                sines,
                null,
                dir.resolve("read-back").toString(),
                4,
                spark.sparkContext().hadoopConfiguration());
        var floats = npz(dir.resolve("read-back/weights.npz"));
        var int8 = npz(dir.resolve("read-back/weights-int8.npz"));
        var kmeans = npz(dir.resolve("read-back/weights-kmeans4.npz"));
        java.util.function.Function<String, float[]> fromFloats = name -> floats.get(name)
                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .dup('c')
                .data()
                .asFloat();
        java.util.function.Function<String, float[]> fromInt8 = name -> {
            int[] q = int8.get(name + ".q")
                    .castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                    .dup('c')
                    .data()
                    .asInt();
            float min = int8.get(name + ".min").getFloat(0);
            float scale = int8.get(name + ".scale").getFloat(0);
            float[] w = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                w[i] = min + (q[i] & 0xFF) * scale;
            }
            return w;
        };
        java.util.function.Function<String, float[]> fromKmeans = name -> {
            int[] idx = kmeans.get(name + ".idx")
                    .castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                    .dup('c')
                    .data()
                    .asInt();
            float[] codebook = kmeans.get(name + ".codebook")
                    .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                    .data()
                    .asFloat();
            float[] w = new float[idx.length];
            for (int i = 0; i < idx.length; i++) {
                w[i] = codebook[idx[i] & 0xFF];
            }
            return w;
        };

        // One holdout-like window of scaled features, [time][features].
        java.util.Random random = new java.util.Random(2);
        float[][] x = new float[30][2];
        var input = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 2, 30);
        for (int t = 0; t < 30; t++) {
            x[t][0] = (float) Math.sin(0.3 * t);
            x[t][1] = (float) random.nextGaussian();
            input.putScalar(new long[] {0, 0, t}, x[t][0]);
            input.putScalar(new long[] {0, 1, t}, x[t][1]);
        }
        var network = trained.network();
        assertForwardEquals(network.output(input, false), forward(fromFloats, 16, x), "weights.npz");
        assertForwardEquals(
                io.lstmjob.model.WeightExport.transformed(
                                network,
                                a -> org.nd4j.linalg.factory.Nd4j.create(
                                        io.lstmjob.model.Quantizer.linear8(
                                                        a.data().asFloat())
                                                .dequantize(),
                                        a.shape(),
                                        'c'))
                        .output(input, false),
                forward(fromInt8, 16, x),
                "weights-int8.npz");
        assertForwardEquals(
                io.lstmjob.model.WeightExport.transformed(
                                network,
                                a -> org.nd4j.linalg.factory.Nd4j.create(
                                        io.lstmjob.model.Quantizer.kmeans(
                                                        a.data().asFloat(), 4)
                                                .dequantize(),
                                        a.shape(),
                                        'c'))
                        .output(input, false),
                forward(fromKmeans, 16, x),
                "weights-kmeans4.npz");
    }

    private static void assertForwardEquals(
            org.nd4j.linalg.api.ndarray.INDArray expected, float[][] actual, String file) {
        for (int t = 0; t < actual.length; t++) {
            for (int k = 0; k < actual[t].length; k++) {
                assertEquals(expected.getDouble(0, k, t), actual[t][k], 1e-5, file + ": output " + k + " at step " + t);
            }
        }
    }

    /** model.onnx, run by ONNX Runtime on a raw sequence from the input file, forecasts what predict writes. */
    @Test
    void theExportedOnnxModelForecastsWhatPredictWrites() throws Exception {
        var manifest = ExportJob.run(
                null,
                sines,
                null,
                dir.resolve("onnx-export").toString(),
                4,
                spark.sparkContext().hadoopConfiguration());
        assertTrue(
                ((java.util.Map<?, ?>) manifest.get("bytes")).containsKey("model.onnx"),
                manifest.keySet().toString());
        String out = dir.resolve("onnx-predictions").toString();
        PredictionJob.run(spark, sines, null, out, "csv", 0);
        List<Row> predicted = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .filter("sequence = 's2'")
                .orderBy("step")
                .collectAsList();

        List<String[]> rows = java.nio.file.Files.readAllLines(dir.resolve("sines/sines.csv")).stream()
                .skip(1)
                .map(line -> line.split(","))
                .filter(cells -> cells[0].equals("s2"))
                .toList();
        float[] x = new float[rows.size() * 2];
        for (int t = 0; t < rows.size(); t++) {
            x[2 * t] = Float.parseFloat(rows.get(t)[2]);
            x[2 * t + 1] = Float.parseFloat(rows.get(t)[3]);
        }
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (var session = env.createSession(
                        dir.resolve("onnx-export/model.onnx").toString(),
                        new ai.onnxruntime.OrtSession.SessionOptions());
                var input = ai.onnxruntime.OnnxTensor.createTensor(
                        env, java.nio.FloatBuffer.wrap(x), new long[] {1, rows.size(), 2});
                var result = session.run(java.util.Map.of("input", input))) {
            float[][][] forecast =
                    (float[][][]) result.get("output").orElseThrow().getValue();
            assertEquals(rows.size() - 1, predicted.size());
            for (Row row : predicted) {
                int step = row.getInt(row.fieldIndex("step"));
                // predict's row for step s holds the forecast made after step s - 1.
                assertEquals(
                        row.getDouble(row.fieldIndex("value_predicted")),
                        forecast[0][step - 1][0],
                        1e-4,
                        "step " + step);
            }
        }
    }

    /** model.cell=gru through the whole job: it learns, publishes, and exports its own equations and state. */
    @Test
    @SuppressWarnings("unchecked")
    void aGruModelLearnsAndExportsItsOwnEquationsAndState() throws Exception {
        var manifest = trainedAndExported("gru", "model.cell=gru");
        assertTrue(
                manifest.containsKey("gru") && !manifest.containsKey("lstm"),
                manifest.keySet().toString());
        var onnx = (java.util.Map<String, Object>) manifest.get("onnx");
        assertTrue(!onnx.get("stateOutputs").toString().contains("c_out"), onnx.toString());
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (var session = env.createSession(
                dir.resolve("gru-export/model-step.onnx").toString(), new ai.onnxruntime.OrtSession.SessionOptions())) {
            assertEquals(java.util.Set.of("input", "h_in_0"), session.getInputNames());
            assertEquals(java.util.Set.of("output", "h_out_0"), session.getOutputNames());
        }
        var tensors = (List<java.util.Map<String, Object>>) manifest.get("tensors");
        assertTrue(
                tensors.stream().anyMatch(t -> t.get("name").equals("gru0.W_x")), "the weights are named for the cell");
    }

    /**
     * model.projection through the whole job: it learns and publishes; export writes its weights
     * with W_p and its equations, and says instead of writing an ONNX graph (ONNX's LSTM has no projection).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aProjectedLstmLearnsAndExportsItsWeightsButNoOnnxGraph() throws Exception {
        var manifest = trainedAndExported("lstmp", "model.layers=[16]", "model.projection=4");
        assertNoOnnxGraph(manifest, "model.projection=4");
        var lstm = (java.util.Map<String, Object>) manifest.get("lstm");
        assertEquals(4, lstm.get("projection"));
        var tensors = (List<java.util.Map<String, Object>>) manifest.get("tensors");
        var wp = tensors.stream()
                .filter(t -> t.get("name").equals("lstm0.W_p"))
                .findFirst()
                .orElseThrow();
        assertArrayEquals(new long[] {16, 4}, (long[]) wp.get("shape"));
    }

    /** model.cell=mogrifier through the whole job: it learns and publishes; export writes its rounds' weights, no ONNX graph. */
    @Test
    @SuppressWarnings("unchecked")
    void aMogrifierLstmLearnsAndExportsItsRoundsButNoOnnxGraph() throws Exception {
        var manifest = trainedAndExported("mogrifier", "model.cell=mogrifier");
        assertNoOnnxGraph(manifest, "Mogrifier");
        assertEquals(5, ((java.util.Map<String, Object>) manifest.get("lstm")).get("mogrifierRounds"));
        var tensors = (List<java.util.Map<String, Object>>) manifest.get("tensors");
        for (String name : List.of("lstm0.Q1", "lstm0.R2", "lstm0.Q5")) {
            assertTrue(tensors.stream().anyMatch(t -> t.get("name").equals(name)), name + " in " + tensors);
        }
    }

    /**
     * Model {@code name} with {@code overrides}, trained on the sines through the whole job (its
     * validation loss at least halves), then exported to NAME-export without Spark; the manifest.
     */
    private Map<String, Object> trainedAndExported(String name, String... overrides) throws Exception {
        List<String> settings = new java.util.ArrayList<>(List.of("model.name=" + name, "train.epochs=5"));
        settings.addAll(List.of(overrides));
        JobConfig config = TestConfigs.sines(
                dir.resolve("sines"), dir.resolve("models").toString(), settings.toArray(String[]::new));
        TrainingJob.Result result = TrainingJob.run(spark, config);
        double before = result.metrics().initialValidation().loss();
        double after = result.metrics().finalValidation().loss();
        assertTrue(after < before / 2, "validation loss " + before + " -> " + after);
        return ExportJob.run(
                null,
                config,
                null,
                dir.resolve(name + "-export").toString(),
                4,
                spark.sparkContext().hadoopConfiguration());
    }

    /** The export says why it wrote no ONNX graph, wrote none, and wrote the weights. */
    @SuppressWarnings("unchecked")
    private void assertNoOnnxGraph(Map<String, Object> manifest, String why) throws Exception {
        var onnx = (Map<String, Object>) manifest.get("onnx");
        assertEquals(false, onnx.get("written"), onnx.toString());
        assertTrue(onnx.get("why").toString().contains(why), onnx.toString());
        Path out = dir.resolve(manifest.get("model") + "-export");
        assertTrue(!Files.exists(out.resolve("model.onnx")) && !Files.exists(out.resolve("model-step.onnx")));
        assertTrue(Files.size(out.resolve("weights.npz")) > 0);
    }

    @Test
    void aHorizonForecastsBeyondTheEndOfEverySequence() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("both"), 3, 150, 8);
        JobConfig both = TestConfigs.sines(
                input, dir.resolve("models").toString(), "model.name=both", "input.targetColumns=[]", "train.epochs=6");
        TrainingJob.run(spark, both);
        String out = dir.resolve("horizon").toString();
        assertEquals(3 * 149 + 3 * 10, PredictionJob.run(spark, both, null, out, "csv", 10));
        List<Row> future = spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(out)
                .filter("value IS NULL")
                .collectAsList();
        assertEquals(30, future.size());
        for (Row row : future) {
            int step = row.getInt(row.fieldIndex("step"));
            assertTrue(step >= 150 && step < 160, "future steps follow the last one: " + step);
        }
        // Each step beyond the end is the network's forecast after the sequence extended by the forecasts
        // before it, computed here from the published network over the whole extended sequence.
        PublishedModel model = PublishedModel.load(
                new ModelStore(
                        dir.resolve("models").toString(),
                        "both",
                        spark.sparkContext().hadoopConfiguration()),
                null);
        List<double[]> steps = new java.util.ArrayList<>();
        for (Row row : spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(input.toString())
                .filter("id = 's0'")
                .orderBy("t")
                .collectAsList()) {
            steps.add(new double[] {row.getDouble(row.fieldIndex("value")), row.getDouble(row.fieldIndex("cosine"))});
        }
        java.util.Map<Integer, Row> s0 = new java.util.HashMap<>();
        future.stream()
                .filter(r -> r.getString(r.fieldIndex("sequence")).equals("s0"))
                .forEach(r -> s0.put(r.getInt(r.fieldIndex("step")), r));
        var scaler = model.contract().scaler();
        for (int step = 150; step < 160; step++) {
            var x = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 2, steps.size());
            for (int t = 0; t < steps.size(); t++) {
                for (int f = 0; f < 2; f++) {
                    x.putScalar(new long[] {0, f, t}, scaler.scaleFeature(f, (float) steps.get(t)[f]));
                }
            }
            var output = model.network().output(x);
            double[] next = new double[2];
            for (int c = 0; c < 2; c++) {
                next[c] = scaler.unscaleTarget(c, output.getDouble(0, c, steps.size() - 1));
            }
            Row row = s0.get(step);
            assertEquals(next[0], row.getDouble(row.fieldIndex("value_predicted")), 1e-4, "step " + step);
            assertEquals(next[1], row.getDouble(row.fieldIndex("cosine_predicted")), 1e-4, "step " + step);
            steps.add(next);
        }
        // The Spark ML model rolls forward the same way, in rows after each sequence's last.
        List<Row> rolled = io.lstmjob.spark.LstmModel.load(
                        dir.resolve("models/both").toString())
                .setHorizon(10)
                .transform(spark.read()
                        .option("header", "true")
                        .option("inferSchema", "true")
                        .csv(input.toString()))
                .filter("id = 's0' AND value IS NULL")
                .collectAsList();
        assertEquals(10, rolled.size());
        for (Row row : rolled) {
            int step = row.getInt(row.fieldIndex("t"));
            assertEquals(
                    s0.get(step).getDouble(s0.get(step).fieldIndex("value_predicted")),
                    row.getDouble(row.fieldIndex("value_predicted")),
                    1e-9,
                    "step " + step);
        }
        assertThrows(
                InvalidConfigException.class,
                () -> PredictionJob.run(spark, sines, null, dir.resolve("h2").toString(), "csv", 5));
    }

    /** The share of {@code text}'s adjacent character pairs that occur somewhere in {@code in}. */
    private static double seenBigrams(String text, String in) {
        int[] cps = text.codePoints().toArray();
        int seen = 0;
        for (int i = 1; i < cps.length; i++) {
            seen += in.contains(new String(cps, i - 1, 2)) ? 1 : 0;
        }
        return (double) seen / (cps.length - 1);
    }

    @Test
    void aCharacterModelSamplesTextFromItsVocabulary() throws Exception {
        Path text = SampleData.shortText(dir.resolve("text"));
        JobConfig config = new JobConfigLoader()
                .load(
                        null,
                        null,
                        List.of(
                                "input.path=" + text,
                                "input.format=text",
                                "output.path=" + dir.resolve("models"),
                                "model.name=chars",
                                "model.layers=[32]",
                                "train.epochs=8",
                                "train.learningRate=0.02",
                                "segment.length=40",
                                "tbptt.forward=20",
                                "tbptt.backward=20",
                                "spark.numPartitions=2"));
        TrainingJob.run(spark, config);
        PublishedModel model = PublishedModel.load(
                new ModelStore(
                        dir.resolve("models").toString(),
                        "chars",
                        spark.sparkContext().hadoopConfiguration()),
                null);
        String sampled = new TextSampler(model.network(), model.contract().vocabulary()).sample("the ", 60, 0.5, 1);
        assertEquals(60, sampled.codePointCount(0, sampled.length()));
        assertTrue(sampled.codePoints()
                .allMatch(cp -> model.contract().vocabulary().indexOf(cp) >= 0));
        // A trained model writes the text's character pairs: nearly all of its bigrams occur in the text,
        // where characters drawn at random from the same vocabulary hit few (about 60 of 17 x 17 pairs).
        String trainingText = java.nio.file.Files.readString(text.resolve("text.txt"));
        java.util.Random random = new java.util.Random(1);
        StringBuilder uniform = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            uniform.appendCodePoint(model.contract()
                    .vocabulary()
                    .codePointAt(random.nextInt(model.contract().vocabulary().size())));
        }
        double seen = seenBigrams(sampled, trainingText);
        double chance = seenBigrams(uniform.toString(), trainingText);
        assertTrue(
                seen > 0.8 && seen > chance + 0.4,
                "bigrams of the text: sampled " + seen + ", at random " + chance + ": " + sampled);
        assertThrows(
                IllegalArgumentException.class,
                () -> new TextSampler(model.network(), model.contract().vocabulary()).sample("XYZ", 5, 1, 1));
        assertThrows(
                InputDataException.class,
                () -> PredictionJob.run(spark, config, null, dir.resolve("p2").toString(), "csv", 0));
    }
}
