package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.model.Quantizer;
import io.lstmjob.model.WeightExport;
import io.lstmjob.model.onnx.OnnxExport;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.store.NewFiles;
import io.lstmjob.train.ValidationMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a published model for use outside the JVM: model.onnx (and model-step.onnx for step-by-step
 * serving; see {@link OnnxExport}; not for a projected or Mogrifier LSTM, which ONNX has no operator for), weights.npz (float32, layout in {@link WeightExport}), an 8-bit
 * linear copy and a k-means codebook copy, and manifest.json that
 * describes the layout, the equations, the data contract, the file sizes and, when Spark is given,
 * the holdout metrics of each copy.
 */
public final class ExportJob {
    static final String FLOAT = "weights.npz";
    static final String INT8 = "weights-int8.npz";
    static final String ONNX = "model.onnx";
    static final String ONNX_STEP = "model-step.onnx";
    private static final Logger LOG = LoggerFactory.getLogger(ExportJob.class);

    private ExportJob() {}

    /** @param spark null to skip scoring the copies */
    public static Map<String, Object> run(
            SparkSession spark, JobConfig config, String version, String output, int kmeansBits, Configuration conf)
            throws IOException {
        PublishedModel model = PublishedModel.load(
                new ModelStore(config.outputPath(), config.model().name(), conf), version);
        MultiLayerNetwork network = model.network();
        Path dir = NewOutputPath.require(output, conf);
        FileSystem fs = dir.getFileSystem(conf);
        fs.mkdirs(dir);
        String kmeansFile = "weights-kmeans" + kmeansBits + ".npz";
        Map<String, Long> sizes = new LinkedHashMap<>();

        Map<String, INDArray> floats = WeightExport.tensors(network, UnaryOperator.identity());
        sizes.put(FLOAT, writeNpz(fs, new Path(dir, FLOAT), floats));
        Map<String, INDArray> int8 = new LinkedHashMap<>();
        Map<String, INDArray> kmeans = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> tensor : floats.entrySet()) {
            float[] values = tensor.getValue().data().asFloat();
            long[] shape = tensor.getValue().shape();
            Quantizer.Quantized linear = Quantizer.linear8(values);
            int8.put(tensor.getKey() + ".q", codes(linear, shape));
            int8.put(tensor.getKey() + ".min", Nd4j.createFromArray(new float[] {linear.min()}));
            int8.put(tensor.getKey() + ".scale", Nd4j.createFromArray(new float[] {linear.scale()}));
            Quantizer.Quantized clustered = Quantizer.kmeans(values, kmeansBits);
            kmeans.put(tensor.getKey() + ".idx", codes(clustered, shape));
            kmeans.put(tensor.getKey() + ".codebook", Nd4j.createFromArray(clustered.codebook()));
        }
        sizes.put(INT8, writeNpz(fs, new Path(dir, INT8), int8));
        sizes.put(kmeansFile, writeNpz(fs, new Path(dir, kmeansFile), kmeans));
        String modelName = config.model().name();
        Optional<String> noOnnx = OnnxExport.notCovered(network);
        noOnnx.ifPresent(why -> LOG.warn("export: {}", why));
        if (noOnnx.isEmpty()) {
            sizes.put(
                    ONNX,
                    write(
                            fs,
                            new Path(dir, ONNX),
                            OnnxExport.of(
                                    network,
                                    model.contract(),
                                    OnnxExport.Graph.WHOLE_SEQUENCES,
                                    modelName,
                                    model.version())));
        }
        boolean stepwise = model.contract().task() != Task.CLASSIFY;
        if (stepwise && noOnnx.isEmpty()) {
            sizes.put(
                    ONNX_STEP,
                    write(
                            fs,
                            new Path(dir, ONNX_STEP),
                            OnnxExport.of(
                                    network,
                                    model.contract(),
                                    OnnxExport.Graph.STEP_BY_STEP,
                                    modelName,
                                    model.version())));
        }

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("model", config.model().name());
        manifest.put("version", model.version());
        manifest.put("task", model.contract().task().name().toLowerCase());
        manifest.put("format", "NumPy .npz (numpy.load), little-endian");
        boolean gru = WeightExport.isGru(network);
        if (gru) {
            manifest.put(
                    "gru",
                    Map.of(
                            "gateOrder", List.of("z", "r", "g"),
                            "equations",
                                    List.of(
                                            "a = x @ W_x + b, split into 3 blocks of n units: a_z, a_r, a_g; "
                                                    + "U = W_h split alike: U_z, U_r, U_g",
                                            "z = sigmoid(a_z + h @ U_z), r = sigmoid(a_r + h @ U_r), "
                                                    + "g = tanh(a_g + (r * h) @ U_g)",
                                            "h = (1 - z) * g + z * h; h starts at 0 for every sequence")));
        } else {
            manifest.put("lstm", lstmSection(WeightExport.projection(network), WeightExport.mogrifierRounds(network)));
        }
        manifest.put(
                "output",
                switch (model.contract().task()) {
                    case CHAR_LM -> "y = h @ output.W + output.b at every step, then softmax over the vocabulary";
                    case FORECAST ->
                        "y = h @ output.W + output.b at every step: the scaled targets (see dataContract.scaler); "
                                + "output k * targets + c is target c at k + 1 steps ahead (k < dataContract.horizon)";
                    case CLASSIFY ->
                        "per sequence: the last LSTM layer's outputs (both directions concatenated, forward first, "
                                + "when bidirectional), through DL4J's SelfAttentionLayer when attention tensors are present, pooled over "
                                + "the unmasked steps (" + pooling(network) + "), then y = pooled @ output.W + "
                                + "output.b and softmax over dataContract.classes; inputs scaled by dataContract.scaler";
                });
        List<Map<String, Object>> tensors = new ArrayList<>();
        floats.forEach((name, value) -> tensors.add(Map.of("name", name, "shape", value.shape(), "dtype", "float32")));
        manifest.put("tensors", tensors);
        manifest.put(
                "quantized",
                Map.of(
                        INT8,
                        "per tensor: NAME.q uint8, NAME.min, NAME.scale; w = min + q * scale",
                        kmeansFile,
                        "per tensor: NAME.idx uint8, NAME.codebook float32[" + (1 << kmeansBits)
                                + "]; w = codebook[idx]"));
        manifest.put(
                "onnx",
                noOnnx.isPresent() ? Map.of("written", false, "why", noOnnx.get()) : onnx(model.contract(), network));
        manifest.put("bytes", sizes);
        manifest.put("dataContract", model.contract());
        if (spark != null) {
            List<ValidationMetrics> metrics = EvaluationJob.holdout(
                    spark,
                    config,
                    model.contract(),
                    List.of(
                            network,
                            WeightExport.transformed(network, dequantized(Quantizer::linear8)),
                            WeightExport.transformed(network, dequantized(v -> Quantizer.kmeans(v, kmeansBits)))));
            Map<String, Object> holdout = new LinkedHashMap<>();
            holdout.put(FLOAT, metrics.get(0));
            holdout.put(INT8, metrics.get(1));
            holdout.put(kmeansFile, metrics.get(2));
            manifest.put("holdout", holdout);
        }
        NewFiles.write(fs, new Path(dir, "manifest.json"), out -> JsonDocuments.write(manifest, out));
        return manifest;
    }

    /** The manifest's "lstm" section: gate order and equations, with the projection's or the Mogrifier rounds' parts. */
    private static Map<String, Object> lstmSection(int projection, int rounds) {
        Map<String, Object> lstm = new LinkedHashMap<>();
        lstm.put("gateOrder", List.of("i", "f", "g", "o"));
        List<String> equations = new ArrayList<>();
        if (rounds > 0) {
            lstm.put("mogrifierRounds", rounds);
            equations.add("before each step, for i = 1.." + rounds + ": x = 2 * sigmoid(h @ Q_i) * x "
                    + "for odd i, h = 2 * sigmoid(x @ R_i) * h for even i");
            equations.add(
                    "z = x @ W_x + h @ W_h + b with that x and h, split into 4 blocks of n units: z_i, z_f, z_g, z_o");
        } else if (projection > 0) {
            lstm.put("projection", projection);
            equations.add("z = x @ W_x + r @ W_h + b, split into 4 blocks of n units: z_i, z_f, z_g, z_o");
        } else {
            equations.add("z = x @ W_x + h @ W_h + b, split into 4 blocks of n units: z_i, z_f, z_g, z_o");
        }
        equations.add("i = sigmoid(z_i), f = sigmoid(z_f), o = sigmoid(z_o), g = tanh(z_g)");
        if (rounds > 0) {
            equations.add("c = f * c + i * g, h = o * tanh(c) (the step's output and the next step's h before its "
                    + "rounds); h and c start at 0 for every sequence");
        } else if (projection > 0) {
            equations.add("c = f * c + i * g, r = (o * tanh(c)) @ W_p; r (projection units) is the layer's output "
                    + "and the state fed back; r and c start at 0 for every sequence");
        } else {
            equations.add("c = f * c + i * g, h = o * tanh(c); h and c start at 0 for every sequence");
        }
        lstm.put("equations", equations);
        return lstm;
    }

    /** The ONNX files' inputs and outputs, as a server needs them (the layout is OnnxExport's). */
    private static Map<String, Object> onnx(DataContract contract, MultiLayerNetwork network) {
        Map<String, Object> onnx = new LinkedHashMap<>();
        onnx.put("opset", OnnxExport.OPSET);
        long recurrentLayers = network.getLayerWiseConfigurations().getConfs().stream()
                .filter(c -> c.getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer)
                .count();
        String stateShape = "float32 [1, batch, units of layer L]";
        switch (contract.task()) {
            case FORECAST -> {
                onnx.put(
                        "input",
                        "float32 [batch, time, features] in the input's units, features in dataContract.featureNames order");
                onnx.put(
                        "output",
                        "float32 [batch, time, targets] in the input's units: at step t the forecast of step t + 1");
                if (contract.stepsAhead() > 1) {
                    onnx.put(
                            "output_ahead",
                            "float32 [batch, time, " + contract.stepsAhead() + ", targets]: [.., t, k - 1, ..] "
                                    + "the forecast of step t + k");
                }
            }
            case CHAR_LM -> {
                onnx.put("input", "int64 [batch, time]: class indices of dataContract.vocabulary");
                onnx.put(
                        "output",
                        "float32 [batch, time, classes]: at step t the probabilities of the character at t + 1");
            }
            case CLASSIFY -> {
                onnx.put("input", "float32 [batch, time, features] in the input's units, padded at the end");
                onnx.put("lengths", "int64 [batch]: each sequence's real steps");
                onnx.put("output", "float32 [batch, classes]: probabilities of dataContract.classes");
            }
        }
        if (contract.task() != Task.CLASSIFY) {
            // A GRU's state is h alone.
            boolean gru = WeightExport.isGru(network);
            String out = gru ? "h_out_L" : "h_out_L, c_out_L";
            onnx.put(
                    "stateOutputs",
                    out + " " + stateShape + ": the state after the last step (layers 0.." + (recurrentLayers - 1)
                            + ")");
            onnx.put(
                    ONNX_STEP,
                    "the same graph with inputs " + (gru ? "h_in_L" : "h_in_L, c_in_L") + " " + stateShape
                            + ": the state to start from (zeros at a sequence's first step); feed one step or many, "
                            + "then pass " + out + " back in");
        }
        return onnx;
    }

    private static long write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try {
            NewFiles.write(fs, file, out -> out.write(bytes));
        } catch (IOException e) {
            throw new ModelStoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return fs.getFileStatus(file).getLen();
    }

    /** How a classifier pools its steps, read from the network itself (the job's config may be another). */
    private static String pooling(MultiLayerNetwork network) {
        for (var conf : network.getLayerWiseConfigurations().getConfs()) {
            if (conf.getLayer() instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer pool) {
                return pool.getPoolingType().name().toLowerCase().replace("avg", "mean");
            }
        }
        return "last: each sequence's last unmasked step";
    }

    private static UnaryOperator<INDArray> dequantized(Function<float[], Quantizer.Quantized> quantizer) {
        return array -> Nd4j.create(quantizer.apply(array.data().asFloat()).dequantize(), array.shape(), 'c');
    }

    private static INDArray codes(Quantizer.Quantized quantized, long[] shape) {
        int[] codes = new int[quantized.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = quantized.codes()[i] & 0xFF;
        }
        return Nd4j.createFromArray(codes).castTo(DataType.UBYTE).reshape(shape);
    }

    private static long writeNpz(FileSystem fs, Path file, Map<String, INDArray> arrays) throws IOException {
        try {
            NewFiles.write(fs, file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                for (Map.Entry<String, INDArray> array : arrays.entrySet()) {
                    zip.putNextEntry(new ZipEntry(array.getKey() + ".npy"));
                    zip.write(Nd4j.toNpyByteArray(array.getValue()));
                    zip.closeEntry();
                }
                zip.finish(); // the stream itself is synced and closed by NewFiles
            });
        } catch (IOException e) {
            throw new ModelStoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return fs.getFileStatus(file).getLen();
    }
}
