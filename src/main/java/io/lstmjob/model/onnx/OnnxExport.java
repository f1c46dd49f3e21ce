package io.lstmjob.model.onnx;

import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import io.lstmjob.model.FusedGru;
import io.lstmjob.model.FusedGruLayer;
import io.lstmjob.model.WeightExport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import onnx.Onnx;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.layers.pooling.GlobalPoolingLayer;
import org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer;
import org.deeplearning4j.nn.layers.recurrent.GravesLSTM;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A published network as an ONNX model (opset 13) that ONNX Runtime and other runtimes run as it is:
 * the scaler (or the character one-hot) inside the graph, each LSTM layer as ONNX's {@code LSTM}
 * operator (peepholes for {@code graves}, both directions for a bidirectional classifier), each GRU
 * layer as its {@code GRU} operator, the self-attention and the pooling as plain operators, and the
 * output layer.
 *
 * <p>Inputs and outputs, batch-first:
 * <ul>
 *   <li>forecasting: {@code input} float [batch, time, features] in the input's units; {@code output}
 *       [batch, time, targets] in the input's units, step t the forecast of step t + 1; a model with
 *       horizon H also {@code output_ahead} [batch, time, H, targets] (k steps ahead at k - 1);</li>
 *   <li>character model: {@code input} int64 [batch, time] class indices (the manifest's vocabulary);
 *       {@code output} [batch, time, classes] next-character probabilities;</li>
 *   <li>both: per recurrent layer L the state after the last step, {@code h_out_L}, {@code c_out_L}
 *       [1, batch, units] (a GRU has h only); the {@link Graph#STEP_BY_STEP} graph also takes the
 *       state to start from, {@code h_in_L}, {@code c_in_L}, so a server can feed one step at a time and keep the state.
 *       (ONNX's optional graph input, an initializer of the same name, would make one graph do
 *       both, but ONNX Runtime's Java API refuses to feed such inputs.)</li>
 *   <li>classifier: {@code input} float [batch, time, features] and {@code lengths} int64 [batch],
 *       the real steps of each sequence (the rest is padding at the end); {@code output}
 *       [batch, classes] class probabilities.</li>
 * </ul>
 * Written with the ONNX protobuf classes ND4J ships; DL4J's own ONNX support imports, it does not export.
 */
public final class OnnxExport {
    /** The ONNX operator set the graphs use. */
    public static final long OPSET = OnnxGraph.OPSET;

    private static final Onnx.TensorProto.DataType FLOAT = Onnx.TensorProto.DataType.FLOAT;
    private static final Onnx.TensorProto.DataType INT64 = Onnx.TensorProto.DataType.INT64;
    /** Added to masked attention scores and max-pooled steps: far below any real value, finite in float32. */
    private static final float MASKED = -1e9f;

    /** Which graph: the whole-sequence one, or the step-by-step one whose recurrent layers' states are inputs. */
    public enum Graph {
        /** State starts at zero; the final state is an output. */
        WHOLE_SEQUENCES,
        /** State inputs h_in_L, c_in_L are required (zeros at a sequence's first step). */
        STEP_BY_STEP
    }

    private final MultiLayerNetwork network;
    private final DataContract contract;
    private final Graph kind;
    private final OnnxGraph g;
    /** Shape(input), for the batch and time sizes the graph needs at run time. */
    private String inputShape;

    private OnnxExport(MultiLayerNetwork network, DataContract contract, Graph kind, String name) {
        this.network = network;
        this.contract = contract;
        this.kind = kind;
        this.g = new OnnxGraph(name);
    }

    /**
     * The model file's bytes.
     *
     * @throws UnsupportedOperationException naming what ONNX export does not cover (a step-by-step
     *         classifier: it reads whole sequences, both directions at once)
     */
    public static byte[] of(MultiLayerNetwork network, DataContract contract, Graph kind, String name, String version) {
        if (kind == Graph.STEP_BY_STEP && contract.task() == Task.CLASSIFY) {
            throw new UnsupportedOperationException("a classifier reads whole sequences: it has no step-by-step graph");
        }
        notCovered(network).ifPresent(why -> {
            throw new UnsupportedOperationException(why);
        });
        OnnxExport export = new OnnxExport(network, contract, kind, name);
        export.build();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", name);
        metadata.put("version", version);
        metadata.put("task", contract.task().name().toLowerCase());
        return export.g.model("lstm-job", version, metadata);
    }

    /**
     * Why this network has no ONNX graph, if it has none: a projected or Mogrifier LSTM (ONNX's LSTM
     * operator has neither, and an unrolled graph of plain operators would fix the sequence length).
     */
    public static Optional<String> notCovered(MultiLayerNetwork network) {
        int projection = WeightExport.projection(network);
        if (projection > 0) {
            return Optional.of("ONNX's LSTM operator has no projection layer (this model has model.projection="
                    + projection + "): no ONNX graph is written; weights.npz holds its weights, W_p included, "
                    + "and manifest.json its equations");
        }
        int rounds = WeightExport.mogrifierRounds(network);
        if (rounds > 0) {
            return Optional.of("ONNX's LSTM operator has no Mogrifier rounds (this model has model.cell=mogrifier, "
                    + rounds + " rounds): no ONNX graph is written; weights.npz holds its weights, Q_i and R_i "
                    + "included, and manifest.json its equations");
        }
        return Optional.empty();
    }

    private void build() {
        Layer[] layers = network.getLayers();
        boolean classify = contract.task() == Task.CLASSIFY;
        String x;
        String lengths = null;
        if (contract.task() == Task.CHAR_LM) {
            String indices = g.input("input", INT64, "batch", "time");
            inputShape = g.node("Shape", indices);
            int v = contract.vocabulary().size();
            x = g.node("Gather", List.of(g.floats("one_hot", identity(v), v, v), indices), Map.of("axis", 0L));
        } else {
            String raw = g.input("input", FLOAT, "batch", "time", (long)
                    contract.featureNames().size());
            inputShape = g.node("Shape", raw);
            x = scaled(raw, contract.scaler());
            if (classify) {
                lengths = g.input("lengths", INT64, "batch");
            }
        }
        // The LSTM operator is time-major: [time, batch, width] between the LSTM layers.
        String seq = g.node("Transpose", List.of(x), Map.of("perm", new long[] {1, 0, 2}));
        String sequenceLens = lengths == null
                ? ""
                : g.node("Cast", List.of(lengths), Map.of("to", (long) Onnx.TensorProto.DataType.INT32_VALUE));
        int recurrentIndex = 0;
        int last = layers.length - 1;
        String batchFirst = null;
        long width = 0;
        for (int l = 0; l < last; l++) {
            Layer layer = unwrapped(layers[l]);
            if (layer instanceof BidirectionalLayer) {
                var forward = ((org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional)
                                layer.conf().getLayer())
                        .getFwd();
                boolean gru = forward instanceof FusedGru;
                boolean peepholes = forward instanceof org.deeplearning4j.nn.conf.layers.GravesLSTM;
                List<Direction> both =
                        List.of(Direction.of(layer, "f", gru, peepholes), Direction.of(layer, "b", gru, peepholes));
                seq = gru
                        ? gru(seq, recurrentIndex++, both, sequenceLens, !classify)
                        : lstm(seq, recurrentIndex++, both, sequenceLens, !classify);
                width = 2 * both.get(0).units();
            } else if (layer instanceof FusedGruLayer) {
                Direction forward = Direction.of(layer, "", true, false);
                seq = gru(seq, recurrentIndex++, List.of(forward), sequenceLens, !classify);
                width = forward.units();
            } else if (isLstm(layer)) {
                Direction forward = Direction.of(layer, "", false, layer instanceof GravesLSTM);
                seq = lstm(seq, recurrentIndex++, List.of(forward), sequenceLens, !classify);
                width = forward.units();
            } else if (layer instanceof SameDiffLayer attention
                    && attention.layerConf() instanceof SelfAttentionLayer conf) {
                batchFirst = batchFirst != null
                        ? batchFirst
                        : g.node("Transpose", List.of(seq), Map.of("perm", new long[] {1, 0, 2}));
                batchFirst = attention(batchFirst, attention, conf, lengths);
                width = conf.getNOut();
            } else if (layer instanceof GlobalPoolingLayer) {
                continue; // pooled below, with the output layer
            } else {
                throw new UnsupportedOperationException("ONNX export does not cover layer " + l + " ("
                        + layer.getClass().getSimpleName() + ")");
            }
        }
        if (batchFirst == null) {
            batchFirst = g.node("Transpose", List.of(seq), Map.of("perm", new long[] {1, 0, 2}));
        }
        Layer output = layers[last];
        String w = g.floats(
                "output.W", values(output.getParam("W")), output.getParam("W").shape());
        String b = g.floats(
                "output.b", values(output.getParam("b")), output.getParam("b").length());
        if (classify) {
            String pooled = pooled(batchFirst, pooling(layers), lengths, width);
            String logits = g.node("Add", g.node("MatMul", pooled, w), b);
            g.output(g.node("Softmax", List.of(logits), Map.of("axis", -1L)), "output", FLOAT, "batch", (long)
                    contract.classes().size());
            return;
        }
        String y = g.node("Add", g.node("MatMul", batchFirst, w), b);
        if (contract.task() == Task.CHAR_LM) {
            g.output(g.node("Softmax", List.of(y), Map.of("axis", -1L)), "output", FLOAT, "batch", "time", (long)
                    contract.vocabulary().size());
            return;
        }
        forecastOutputs(y);
    }

    /** (x - mean) / std per feature, as the scaler the model was trained with. */
    private String scaled(String raw, FeatureScaler scaler) {
        int features = scaler.featureMean().length;
        float[] mean = new float[features];
        float[] inverse = new float[features];
        for (int i = 0; i < features; i++) {
            mean[i] = (float) scaler.featureMean()[i];
            inverse[i] = (float) (1.0 / scaler.featureStd()[i]);
        }
        return g.node(
                "Mul",
                g.node("Sub", raw, g.floats("feature_mean", mean, features)),
                g.floats("feature_inverse_std", inverse, features));
    }

    /** The scaled outputs back in the input's units; the first step ahead as output, all of them as output_ahead. */
    private void forecastOutputs(String y) {
        FeatureScaler scaler = contract.scaler();
        int targets = contract.targetNames().size();
        int ahead = contract.stepsAhead();
        float[] std = new float[targets * ahead];
        float[] mean = new float[targets * ahead];
        for (int k = 0; k < ahead; k++) {
            for (int t = 0; t < targets; t++) {
                std[k * targets + t] = (float) scaler.targetStd()[t];
                mean[k * targets + t] = (float) scaler.targetMean()[t];
            }
        }
        String units = g.node(
                "Add",
                g.node("Mul", y, g.floats("target_std", std, std.length)),
                g.floats("target_mean", mean, mean.length));
        String first = ahead == 1 ? units : g.node("Slice", units, g.longs(0), g.longs(targets), g.longs(2));
        g.output(first, "output", FLOAT, "batch", "time", (long) targets);
        if (ahead > 1) {
            String all = g.node("Reshape", units, g.longs(0, 0, ahead, targets));
            g.output(all, "output_ahead", FLOAT, "batch", "time", (long) ahead, (long) targets);
        }
    }

    /**
     * One LSTM layer (one direction, or both for a bidirectional one) on [time, batch, width]; with
     * {@code stateful} its state is an optional input and an output of the graph.
     */
    private String lstm(String seq, int index, List<Direction> directions, String sequenceLens, boolean stateful) {
        long n = directions.get(0).units();
        int d = directions.size();
        long nIn = directions.get(0).w().size(0);
        boolean peepholes = directions.get(0).peepholes();
        float[] w = new float[(int) (d * 4 * n * nIn)];
        float[] r = new float[(int) (d * 4 * n * n)];
        float[] b = new float[(int) (d * 8 * n)];
        float[] p = new float[(int) (d * 3 * n)];
        for (int k = 0; k < d; k++) {
            Direction dir = directions.get(k);
            float[] dl4jW = values(dir.w());
            INDArray rw = dir.rw();
            float[] dl4jR = values(rw);
            float[] dl4jB = values(dir.b());
            long rCols = rw.size(1); // 4n, or 4n + 3 with the peephole columns
            for (int gate = 0; gate < 4; gate++) {
                // ONNX's gate blocks are i, o, f, c; DL4J's columns g, f, o, i: block 3 - gate.
                int from = 3 - gate;
                for (int u = 0; u < n; u++) {
                    long row = k * 4 * n + gate * n + u;
                    long column = from * n + u;
                    for (int j = 0; j < nIn; j++) {
                        w[(int) (row * nIn + j)] = dl4jW[(int) (j * 4 * n + column)];
                    }
                    for (int j = 0; j < n; j++) {
                        r[(int) (row * n + j)] = dl4jR[(int) (j * rCols + column)];
                    }
                    b[(int) (k * 8 * n + gate * n + u)] = dl4jB[(int) column];
                }
            }
            if (peepholes) {
                // DL4J's peephole columns after the gates: forget, output, input gate; ONNX's P: input, output, forget.
                for (int u = 0; u < n; u++) {
                    p[(int) (k * 3 * n + u)] = dl4jR[(int) (u * rCols + 4 * n + 2)];
                    p[(int) (k * 3 * n + n + u)] = dl4jR[(int) (u * rCols + 4 * n + 1)];
                    p[(int) (k * 3 * n + 2 * n + u)] = dl4jR[(int) (u * rCols + 4 * n)];
                }
            }
        }
        String prefix = "lstm" + index;
        List<String> inputs = new ArrayList<>(List.of(
                seq,
                g.floats(prefix + ".W", w, d, 4 * n, nIn),
                g.floats(prefix + ".R", r, d, 4 * n, n),
                g.floats(prefix + ".B", b, d, 8 * n),
                sequenceLens));
        if (stateful && kind == Graph.STEP_BY_STEP) {
            inputs.add(g.input("h_in_" + index, FLOAT, 1L, "batch", n));
            inputs.add(g.input("c_in_" + index, FLOAT, 1L, "batch", n));
        } else {
            inputs.addAll(List.of("", "")); // zero
        }
        if (peepholes) {
            inputs.add(g.floats(prefix + ".P", p, d, 3 * n));
        }
        String[] out =
                g.node("LSTM", inputs, Map.of("hidden_size", n, "direction", d == 2 ? "bidirectional" : "forward"), 3);
        if (stateful) {
            g.output(out[1], "h_out_" + index, FLOAT, 1L, "batch", n);
            g.output(out[2], "c_out_" + index, FLOAT, 1L, "batch", n);
        }
        return sideBySide(out[0], d);
    }

    /**
     * One GRU layer (FusedGru's cell: ONNX's GRU with linear_before_reset = 0, gate blocks z, r, h in
     * both) on [time, batch, width]; its state h as the LSTM's.
     */
    private String gru(String seq, int index, List<Direction> directions, String sequenceLens, boolean stateful) {
        long n = directions.get(0).units();
        int d = directions.size();
        long nIn = directions.get(0).w().size(0);
        float[] w = new float[(int) (d * 3 * n * nIn)];
        float[] r = new float[(int) (d * 3 * n * n)];
        // Wb then Rb: FusedGru has one bias per gate, so the recurrent half stays zero.
        float[] b = new float[(int) (d * 6 * n)];
        for (int k = 0; k < d; k++) {
            Direction dir = directions.get(k);
            float[] dl4jW = values(dir.w());
            float[] dl4jR = values(dir.rw());
            float[] dl4jB = values(dir.b());
            for (int column = 0; column < 3 * n; column++) {
                long row = k * 3 * n + column;
                for (int j = 0; j < nIn; j++) {
                    w[(int) (row * nIn + j)] = dl4jW[(int) (j * 3 * n + column)];
                }
                for (int j = 0; j < n; j++) {
                    r[(int) (row * n + j)] = dl4jR[(int) (j * 3 * n + column)];
                }
                b[(int) (k * 6 * n + column)] = dl4jB[column];
            }
        }
        String prefix = "gru" + index;
        List<String> inputs = new ArrayList<>(List.of(
                seq,
                g.floats(prefix + ".W", w, d, 3 * n, nIn),
                g.floats(prefix + ".R", r, d, 3 * n, n),
                g.floats(prefix + ".B", b, d, 6 * n),
                sequenceLens,
                stateful && kind == Graph.STEP_BY_STEP ? g.input("h_in_" + index, FLOAT, 1L, "batch", n) : ""));
        String[] out = g.node(
                "GRU",
                inputs,
                Map.of("hidden_size", n, "direction", d == 2 ? "bidirectional" : "forward", "linear_before_reset", 0L),
                2);
        if (stateful) {
            g.output(out[1], "h_out_" + index, FLOAT, 1L, "batch", n);
        }
        return sideBySide(out[0], d);
    }

    /** A recurrent operator's Y [time, directions, batch, n] as [time, batch, directions n], forward first (DL4J's CONCAT). */
    private String sideBySide(String y, int directions) {
        if (directions == 1) {
            return g.node("Squeeze", y, g.longs(1));
        }
        String transposed = g.node("Transpose", List.of(y), Map.of("perm", new long[] {0, 2, 1, 3}));
        return g.node("Reshape", transposed, g.longs(0, 0, -1));
    }

    /**
     * DL4J's SelfAttentionLayer (projected multi-head scaled dot-product attention) on [batch, time,
     * width]: per head Q = x Wq^T, K, V alike, softmax(Q K^T / sqrt(head size)) over the real steps,
     * heads side by side, then Wo.
     */
    private String attention(String x, SameDiffLayer layer, SelfAttentionLayer conf, String lengths) {
        long heads = conf.getNHeads();
        long headSize = conf.getHeadSize();
        long nIn = conf.getNIn();
        String[] projected = new String[3];
        String[] keys = {"Wq", "Wk", "Wv"};
        for (int i = 0; i < 3; i++) {
            // Wq is [heads, headSize, nIn]: as [heads * headSize, nIn], transposed for x @ W.
            INDArray weights = layer.getParam(keys[i])
                    .castTo(DataType.FLOAT)
                    .reshape(heads * headSize, nIn)
                    .transpose();
            String w = g.floats("attention." + keys[i], values(weights), nIn, heads * headSize);
            String flat = g.node("MatMul", x, w);
            String split = g.node("Reshape", flat, g.longs(0, 0, heads, headSize));
            projected[i] = g.node("Transpose", List.of(split), Map.of("perm", new long[] {0, 2, 1, 3})); // [b, h, t, s]
        }
        String keysT = g.node("Transpose", List.of(projected[1]), Map.of("perm", new long[] {0, 1, 3, 2}));
        String scores =
                g.node("Mul", g.node("MatMul", projected[0], keysT), g.scalar((float) (1 / Math.sqrt(headSize))));
        if (lengths != null) {
            // (1 - mask) * MASKED as [batch, 1, 1, time]: the padded keys get no weight.
            String bias = g.node("Mul", g.node("Sub", g.scalar(1f), mask(lengths)), g.scalar(MASKED));
            scores = g.node("Add", scores, g.node("Reshape", bias, g.longs(0, 1, 1, -1)));
        }
        String weights = g.node("Softmax", List.of(scores), Map.of("axis", -1L));
        String attended = g.node(
                "Transpose", List.of(g.node("MatMul", weights, projected[2])), Map.of("perm", new long[] {0, 2, 1, 3}));
        String joined = g.node("Reshape", attended, g.longs(0, 0, heads * headSize));
        INDArray wo = layer.getParam("Wo");
        return g.node("MatMul", joined, g.floats("attention.Wo", values(wo), wo.shape()));
    }

    /** [batch, time] float: 1 for a real step, 0 for padding. */
    private String mask(String lengths) {
        return g.node(
                "Cast", List.of(g.node("Less", steps(), g.node("Unsqueeze", lengths, g.longs(1)))), Map.of("to", (long)
                        Onnx.TensorProto.DataType.FLOAT_VALUE));
    }

    /** [1, time] int64: 0, 1, ..., time - 1. */
    private String steps() {
        String time =
                g.node("Squeeze", g.node("Gather", List.of(inputShape, g.longs(1)), Map.of("axis", 0L)), g.longs(0));
        return g.node("Unsqueeze", g.node("Range", g.scalar(0L), time, g.scalar(1L)), g.longs(0));
    }

    /** The classifier's pooling over each sequence's real steps: [batch, time, width] to [batch, width]. */
    private String pooled(String y, String pooling, String lengths, long width) {
        String m = g.node(
                "Unsqueeze",
                pooling.equals("last")
                        ? g.node(
                                "Cast",
                                List.of(g.node(
                                        "Equal",
                                        steps(),
                                        g.node("Unsqueeze", g.node("Sub", lengths, g.longs(1)), g.longs(1)))),
                                Map.of("to", (long) Onnx.TensorProto.DataType.FLOAT_VALUE))
                        : mask(lengths),
                g.longs(2));
        if (pooling.equals("max")) {
            String shifted = g.node("Add", y, g.node("Mul", g.node("Sub", g.scalar(1f), m), g.scalar(MASKED)));
            return g.node("ReduceMax", List.of(shifted), Map.of("axes", new long[] {1}, "keepdims", 0L));
        }
        String sum = g.node("ReduceSum", List.of(g.node("Mul", y, m), g.longs(1)), Map.of("keepdims", 0L));
        if (pooling.equals("last")) {
            return sum;
        }
        String count = g.node("ReduceSum", List.of(m, g.longs(1)), Map.of("keepdims", 0L));
        return g.node("Div", sum, count);
    }

    private static String pooling(Layer[] layers) {
        for (Layer layer : layers) {
            if (layer instanceof LastTimeStepLayer) {
                return "last";
            }
            if (layer instanceof GlobalPoolingLayer pool) {
                PoolingType type = ((org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer)
                                pool.conf().getLayer())
                        .getPoolingType();
                return switch (type) {
                    case MAX -> "max";
                    case AVG -> "mean";
                    default ->
                        throw new UnsupportedOperationException("ONNX export does not cover " + type + " pooling");
                };
            }
        }
        throw new UnsupportedOperationException("a classifier without a pooling layer");
    }

    /** The layer inside a wrapper such as LastTimeStep (the pooling is read from the wrapper itself). */
    private static Layer unwrapped(Layer layer) {
        return layer instanceof BaseWrapperLayer wrapper ? unwrapped(wrapper.getUnderlying()) : layer;
    }

    private static boolean isLstm(Layer layer) {
        return layer instanceof LSTM || layer instanceof GravesLSTM;
    }

    /**
     * One direction's parameters in DL4J's layout: W [nIn, gates n], RW [n, gates n (+3 peephole
     * columns)], b [gates n]; 4 gates for an LSTM, 3 for a GRU.
     */
    private record Direction(INDArray w, INDArray rw, INDArray b, boolean gru, boolean peepholes) {
        /** @param prefix "" for a recurrent layer, "f" or "b" for a direction of a bidirectional one */
        static Direction of(Layer layer, String prefix, boolean gru, boolean peepholes) {
            return new Direction(
                    layer.getParam(prefix + "W"),
                    layer.getParam(prefix + "RW"),
                    layer.getParam(prefix + "b"),
                    gru,
                    peepholes);
        }

        long units() {
            return b.length() / (gru ? 3 : 4);
        }
    }

    private static float[] values(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static float[] identity(int n) {
        float[] eye = new float[n * n];
        for (int i = 0; i < n; i++) {
            eye[i * n + i] = 1f;
        }
        return eye;
    }
}
