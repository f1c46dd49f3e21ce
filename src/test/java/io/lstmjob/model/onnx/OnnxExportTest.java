package io.lstmjob.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.lstmjob.config.Cell;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import io.lstmjob.data.Vocabulary;
import io.lstmjob.model.NetworkFactory;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exported graph run by ONNX Runtime against the DL4J network it came from, on random weights
 * (every bias and peephole non-zero) and random sequences, for each task and variant the config
 * builds; and step-by-step feeding with the state carried by the caller against one whole run.
 */
class OnnxExportTest {
    private static final double TOLERANCE = 1e-4;
    private static OrtEnvironment env;

    @BeforeAll
    static void startRuntime() {
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void stopRuntime() {
        env.close();
    }

    private static JobConfig config(String... overrides) {
        List<String> all = new ArrayList<>(List.of("input.featureColumns=[a, b, c]", "input.targetColumns=[a, c]"));
        all.addAll(List.of(overrides));
        return new JobConfigLoader().load(null, null, all);
    }

    /** A network of the config with every parameter drawn from [-0.5, 0.5). */
    private static MultiLayerNetwork network(JobConfig config, int inputs, int outputs) {
        MultiLayerNetwork network =
                NetworkFactory.create(config.model(), config.train(), config.task(), inputs, outputs);
        Nd4j.getRandom().setSeed(7);
        network.setParams(Nd4j.rand(DataType.FLOAT, 1, network.numParams()).subi(0.5f));
        return network;
    }

    private static FeatureScaler scaler(int features, int targets) {
        Random random = new Random(3);
        double[][] v = new double[4][];
        int[] sizes = {features, features, targets, targets};
        for (int k = 0; k < 4; k++) {
            v[k] = new double[sizes[k]];
            for (int i = 0; i < sizes[k]; i++) {
                v[k][i] = k % 2 == 0 ? 100 * random.nextGaussian() : 0.5 + 20 * random.nextDouble();
            }
        }
        return new FeatureScaler(v[0], v[1], v[2], v[3]);
    }

    /** [batch, time, features] in the input's units, around the scaler's means. */
    private static float[][][] sequences(int batch, int time, FeatureScaler scaler, long seed) {
        Random random = new Random(seed);
        float[][][] x = new float[batch][time][scaler.featureMean().length];
        for (float[][] sequence : x) {
            for (float[] step : sequence) {
                for (int f = 0; f < step.length; f++) {
                    step[f] = (float) (scaler.featureMean()[f] + scaler.featureStd()[f] * random.nextGaussian());
                }
            }
        }
        return x;
    }

    /** The DL4J network's input: scaled, [batch, features, time]. */
    private static INDArray dl4jInput(float[][][] x, FeatureScaler scaler) {
        INDArray in = Nd4j.zeros(DataType.FLOAT, x.length, x[0][0].length, x[0].length);
        for (int b = 0; b < x.length; b++) {
            for (int t = 0; t < x[0].length; t++) {
                for (int f = 0; f < x[0][0].length; f++) {
                    in.putScalar(new long[] {b, f, t}, scaler.scaleFeature(f, x[b][t][f]));
                }
            }
        }
        return in;
    }

    private static OnnxTensor floats(float[][][] x) throws Exception {
        int b = x.length;
        int t = x[0].length;
        int f = x[0][0].length;
        FloatBuffer buffer = FloatBuffer.allocate(b * t * f);
        for (float[][] sequence : x) {
            for (float[] step : sequence) {
                buffer.put(step);
            }
        }
        buffer.rewind();
        return OnnxTensor.createTensor(env, buffer, new long[] {b, t, f});
    }

    private static Map<String, float[]> run(byte[] model, Map<String, OnnxTensor> inputs, String... outputs)
            throws Exception {
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OrtSession.Result result = session.run(inputs)) {
            Map<String, float[]> values = new HashMap<>();
            for (String name : outputs) {
                FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                float[] array = new float[buffer.remaining()];
                buffer.get(array);
                values.put(name, array);
            }
            return values;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(
                Math.abs(expected - actual) <= TOLERANCE * Math.max(1, Math.abs(expected)),
                what + ": expected " + expected + ", ONNX gave " + actual);
    }

    private void checkForecaster(String... overrides) throws Exception {
        JobConfig config = config(overrides);
        int horizon = config.sharding().horizon();
        FeatureScaler scaler = scaler(3, 2);
        DataContract contract = DataContract.forecast(List.of("a", "b", "c"), List.of("a", "c"), scaler, horizon);
        MultiLayerNetwork network = network(config, 3, contract.networkOutputs());
        byte[] model = OnnxExport.of(network, contract, OnnxExport.Graph.WHOLE_SEQUENCES, "sensors", "v1");
        byte[] stepModel = OnnxExport.of(network, contract, OnnxExport.Graph.STEP_BY_STEP, "sensors", "v1");
        float[][][] x = sequences(3, 9, scaler, 11);

        INDArray expected = network.output(dl4jInput(x, scaler), false); // [batch, targets * horizon, time]
        Map<String, OnnxTensor> inputs = new HashMap<>(Map.of("input", floats(x)));
        Map<String, float[]> onnx =
                run(model, inputs, horizon > 1 ? new String[] {"output", "output_ahead"} : new String[] {"output"});
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 9; t++) {
                for (int k = 0; k < horizon; k++) {
                    for (int c = 0; c < 2; c++) {
                        double units = scaler.unscaleTarget(c, expected.getDouble(b, k * 2 + c, t));
                        if (k == 0) {
                            assertClose(
                                    units,
                                    onnx.get("output")[(b * 9 + t) * 2 + c],
                                    "output b" + b + " t" + t + " target " + c);
                        }
                        if (horizon > 1) {
                            assertClose(
                                    units,
                                    onnx.get("output_ahead")[((b * 9 + t) * horizon + k) * 2 + c],
                                    "output_ahead k" + k);
                        }
                    }
                }
            }
        }
        // A GRU's state is h alone.
        List<String> state = config.model().cell() == Cell.GRU ? List.of("h") : List.of("h", "c");
        assertStepwiseEqualsWhole(model, stepModel, config.model().layers(), state, x);
    }

    /** Feeding one step at a time, the caller carrying the state (h and c), gives the whole run's outputs. */
    private void assertStepwiseEqualsWhole(
            byte[] model, byte[] stepModel, List<Integer> layers, List<String> stateNames, float[][][] x)
            throws Exception {
        float[] whole =
                run(model, new HashMap<>(Map.of("input", floats(x))), "output").get("output");
        int batch = x.length;
        int time = x[0].length;
        int outputs = whole.length / (batch * time);
        Map<String, float[]> state = new HashMap<>();
        for (int t = 0; t < time; t++) {
            float[][][] step = new float[batch][1][];
            for (int b = 0; b < batch; b++) {
                step[b][0] = x[b][t];
            }
            Map<String, OnnxTensor> inputs = new HashMap<>(Map.of("input", floats(step)));
            List<String> wanted = new ArrayList<>(List.of("output"));
            for (int l = 0; l < layers.size(); l++) {
                for (String s : stateNames) {
                    float[] carried = state.getOrDefault(s + l, new float[batch * layers.get(l)]); // zeros at the start
                    inputs.put(s + "_in_" + l, OnnxTensor.createTensor(env, FloatBuffer.wrap(carried), new long[] {
                        1, batch, layers.get(l)
                    }));
                    wanted.add(s + "_out_" + l);
                }
            }
            Map<String, float[]> out = run(stepModel, inputs, wanted.toArray(String[]::new));
            for (int l = 0; l < layers.size(); l++) {
                for (String s : stateNames) {
                    state.put(s + l, out.get(s + "_out_" + l));
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < outputs; o++) {
                    assertClose(whole[(b * time + t) * outputs + o], out.get("output")[b * outputs + o], "step " + t);
                }
            }
        }
    }

    @Test
    void aForecasterInTheInputsUnitsEqualsTheNetworkAndServesStepByStep() throws Exception {
        checkForecaster("model.layers=[5]");
    }

    @Test
    void stackedPeepholeLayersWithAHorizonEqualTheNetwork() throws Exception {
        checkForecaster("model.layers=[4, 3]", "model.cell=graves", "model.horizon=3");
    }

    @Test
    void stackedGruLayersWithAHorizonEqualTheNetworkAndServeStepByStep() throws Exception {
        checkForecaster("model.layers=[5, 3]", "model.cell=gru", "model.horizon=2");
    }

    @Test
    void aCharacterModelsProbabilitiesEqualTheNetworkAndServeStepByStep() throws Exception {
        JobConfig config = config(
                "input.format=text",
                "input.featureColumns=[]",
                "input.targetColumns=[]",
                "input.sequenceIdColumn=",
                "input.orderColumn=",
                "model.layers=[6, 4]");
        Vocabulary vocabulary = new Vocabulary(new int[] {'\n', ' ', 'a', 'b', 'c', 'd', 'e'});
        DataContract contract = DataContract.charModel(vocabulary);
        MultiLayerNetwork network = network(config, 7, 7);
        byte[] model = OnnxExport.of(network, contract, OnnxExport.Graph.WHOLE_SEQUENCES, "chars", "v1");
        byte[] stepModel = OnnxExport.of(network, contract, OnnxExport.Graph.STEP_BY_STEP, "chars", "v1");
        Random random = new Random(5);
        int batch = 2;
        int time = 8;
        long[] indices = new long[batch * time];
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, batch, 7, time);
        for (int i = 0; i < indices.length; i++) {
            indices[i] = random.nextInt(7);
            oneHot.putScalar(new long[] {i / time, indices[i], i % time}, 1f);
        }
        INDArray expected = network.output(oneHot, false);
        float[] onnx = run(
                        model,
                        new HashMap<>(Map.of(
                                "input",
                                OnnxTensor.createTensor(env, LongBuffer.wrap(indices), new long[] {batch, time}))),
                        "output")
                .get("output");
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                for (int c = 0; c < 7; c++) {
                    assertClose(
                            expected.getDouble(b, c, t),
                            onnx[(b * time + t) * 7 + c],
                            "probability b" + b + " t" + t + " c" + c);
                }
            }
        }
        // Stepwise through the same graph, one class index per step.
        Map<String, float[]> state = new HashMap<>();
        for (int t = 0; t < time; t++) {
            long[] step = {indices[t], indices[time + t]};
            Map<String, OnnxTensor> inputs = new HashMap<>(
                    Map.of("input", OnnxTensor.createTensor(env, LongBuffer.wrap(step), new long[] {batch, 1})));
            for (int l = 0; l < 2; l++) {
                int units = config.model().layers().get(l);
                inputs.put(
                        "h_in_" + l,
                        OnnxTensor.createTensor(
                                env,
                                FloatBuffer.wrap(state.getOrDefault("h" + l, new float[batch * units])),
                                new long[] {1, batch, units}));
                inputs.put(
                        "c_in_" + l,
                        OnnxTensor.createTensor(
                                env,
                                FloatBuffer.wrap(state.getOrDefault("c" + l, new float[batch * units])),
                                new long[] {1, batch, units}));
            }
            Map<String, float[]> out = run(stepModel, inputs, "output", "h_out_0", "c_out_0", "h_out_1", "c_out_1");
            for (int l = 0; l < 2; l++) {
                state.put("h" + l, out.get("h_out_" + l));
                state.put("c" + l, out.get("c_out_" + l));
            }
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < 7; c++) {
                    assertClose(onnx[(b * time + t) * 7 + c], out.get("output")[b * 7 + c], "step " + t);
                }
            }
        }
    }

    /**
     * A classifier on sequences of different lengths (padding at the end, given by {@code lengths}):
     * ONNX equals the network with the same mask, and a padded sequence's answer is its own, unpadded.
     */
    private void checkClassifier(boolean maskedInDl4j, String... overrides) throws Exception {
        List<String> all = new ArrayList<>(List.of("input.labelColumn=city", "input.targetColumns=[]"));
        all.addAll(List.of(overrides));
        JobConfig config = config(all.toArray(String[]::new));
        FeatureScaler scaler = scaler(3, 0);
        DataContract contract = DataContract.classifier(List.of("a", "b", "c"), List.of("x", "y", "z"), scaler);
        MultiLayerNetwork network = network(config, 3, 3);
        byte[] model = OnnxExport.of(network, contract, OnnxExport.Graph.WHOLE_SEQUENCES, "cities", "v1");
        int batch = 3;
        int time = 7;
        long[] lengths = maskedInDl4j ? new long[] {7, 4, 1} : new long[] {7, 7, 7};
        float[][][] x = sequences(batch, time, scaler, 13);

        INDArray mask = Nd4j.zeros(DataType.FLOAT, batch, time);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                mask.putScalar(b, t, 1f);
            }
        }
        INDArray expected = maskedInDl4j
                ? network.output(dl4jInput(x, scaler), false, mask, null)
                : network.output(dl4jInput(x, scaler), false);
        float[] onnx = run(
                        model,
                        new HashMap<>(Map.of(
                                "input",
                                floats(x),
                                "lengths",
                                OnnxTensor.createTensor(env, LongBuffer.wrap(lengths), new long[] {batch}))),
                        "output")
                .get("output");
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 3; c++) {
                assertClose(expected.getDouble(b, c), onnx[b * 3 + c], "class " + c + " of sequence " + b);
            }
        }
        // The second sequence cut to its 4 real steps and classified alone.
        float[][][] alone = {java.util.Arrays.copyOf(x[1], 4)};
        float[] single = run(
                        model,
                        new HashMap<>(Map.of(
                                "input",
                                floats(alone),
                                "lengths",
                                OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {4}), new long[] {1}))),
                        "output")
                .get("output");
        float[] padded = run(
                        model,
                        new HashMap<>(Map.of(
                                "input",
                                floats(x),
                                "lengths",
                                OnnxTensor.createTensor(
                                        env, LongBuffer.wrap(new long[] {7, 4, 1}), new long[] {batch}))),
                        "output")
                .get("output");
        for (int c = 0; c < 3; c++) {
            assertClose(single[c], padded[3 + c], "padding changes nothing");
        }
        assertEquals(1.0, padded[0] + padded[1] + padded[2], 1e-5);
    }

    @Test
    void aClassifierPooledOverTheLastRealStepEqualsTheNetwork() throws Exception {
        checkClassifier(true, "model.layers=[5]", "model.pooling=last");
    }

    @Test
    void meanAndMaxPoolingOverTheRealStepsEqualTheNetwork() throws Exception {
        checkClassifier(true, "model.layers=[5, 4]", "model.pooling=mean");
        checkClassifier(true, "model.layers=[5]", "model.pooling=max", "model.cell=graves");
    }

    @Test
    void selfAttentionOverTheRealStepsEqualsTheNetwork() throws Exception {
        checkClassifier(true, "model.layers=[6]", "model.attentionHeads=2", "model.pooling=mean");
    }

    @Test
    void aGruClassifierPooledOverTheLastRealStepEqualsTheNetwork() throws Exception {
        checkClassifier(true, "model.layers=[5]", "model.pooling=last", "model.cell=gru");
    }

    @Test
    void aBidirectionalGruClassifierEqualsTheNetwork() throws Exception {
        checkClassifier(false, "model.layers=[4]", "model.bidirectional=true", "model.pooling=mean", "model.cell=gru");
    }

    /** DL4J's bidirectional layers are trained and scored on unpadded minibatches (MinibatchAssembler), so compared so. */
    @Test
    void aBidirectionalAttentionClassifierEqualsTheNetwork() throws Exception {
        checkClassifier(
                false, "model.layers=[4]", "model.bidirectional=true", "model.attentionHeads=2", "model.pooling=max");
    }
}
