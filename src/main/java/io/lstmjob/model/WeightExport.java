package io.lstmjob.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network's weights in a framework-neutral layout. LSTM layer l: {@code lstmL.W_x} [nIn, 4n],
 * {@code lstmL.W_h} [n, 4n], {@code lstmL.b} [4n], gate blocks in the order i, f, g, o (as PyTorch
 * and Keras), so that {@code z = x W_x + h W_h + b} and the standard equations apply; a
 * bidirectional layer has the same under {@code lstmL.forward.} and {@code lstmL.backward.}.
 * A projected LSTM (model.projection = p) adds {@code lstmL.W_p} [n, p], its state is r = (o *
 * tanh(c)) @ W_p and {@code lstmL.W_h} is [p, 4n]. A Mogrifier LSTM (model.cell=mogrifier) adds
 * its rounds' {@code lstmL.Q1} [n, nIn], {@code lstmL.R2} [nIn, n], {@code lstmL.Q3} ...: x = 2
 * sigmoid(h @ Q_i) * x for odd i, h = 2 sigmoid(x @ R_i) * h for even i, before the step.
 * GRU layer l: {@code gruL.W_x} [nIn, 3n], {@code gruL.W_h} [n, 3n], {@code gruL.b} [3n], blocks
 * z, r, g as {@link FusedGru} keeps them (its equations there).
 * Self-attention layer l: {@code attentionL.Wq/Wk/Wv/Wo} as DL4J keeps them. Output layer:
 * {@code output.W} [n, k], {@code output.b} [k]. DL4J keeps the gate blocks as g, f, o, i
 * (see LstmEquationsTest); this class moves them.
 */
public final class WeightExport {
    private WeightExport() {}

    /** DL4J parameter key ("0_W", ...) to exported tensor name, in network order. */
    public static Map<String, String> names(MultiLayerNetwork network) {
        Map<String, String> names = new LinkedHashMap<>();
        Layer[] layers = network.getLayers();
        for (int l = 0; l < layers.length; l++) {
            for (String key : layers[l].paramTable().keySet()) {
                names.put(l + "_" + key, name(layers[l], l, key, l == layers.length - 1));
            }
        }
        return names;
    }

    private static String name(Layer layer, int l, String key, boolean output) {
        Layer inner = unwrapped(layer);
        if (inner instanceof BidirectionalLayer bidirectional) {
            // DL4J prefixes the forward direction's keys with f, the backward's with b.
            return (forwardIsGru(bidirectional) ? "gru" : "lstm") + l + "."
                    + (key.startsWith("f") ? "forward." : "backward.") + recurrentKey(key.substring(1));
        }
        if (isLstm(inner) || inner instanceof FusedGruLayer) {
            return cellName(inner) + l + "." + recurrentKey(key);
        }
        return output ? "output." + key : "attention" + l + "." + key;
    }

    private static String cellName(Layer recurrent) {
        return recurrent instanceof FusedGruLayer ? "gru" : "lstm";
    }

    /** The rounds of the network's Mogrifier LSTM layers (model.mogrifierRounds), 0 when it has none. */
    public static int mogrifierRounds(MultiLayerNetwork network) {
        return cell(network, FusedLstm.class).map(FusedLstm::getMogrifierRounds).orElse(0);
    }

    /** The units of the projection of the network's LSTM layers (model.projection), 0 when they have none. */
    public static int projection(MultiLayerNetwork network) {
        return cell(network, FusedLstm.class).map(FusedLstm::getProjection).orElse(0);
    }

    /**
     * The configuration of the network's first recurrent layer of the given kind, inside wrappers and
     * Bidirectional (a network's recurrent layers share one cell: model.cell).
     */
    private static <T> Optional<T> cell(MultiLayerNetwork network, Class<T> kind) {
        for (NeuralNetConfiguration conf : network.getLayerWiseConfigurations().getConfs()) {
            org.deeplearning4j.nn.conf.layers.Layer layer = conf.getLayer();
            while (layer instanceof org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer wrapper) {
                layer = wrapper.getUnderlying();
            }
            if (layer instanceof Bidirectional bidirectional) {
                layer = bidirectional.getFwd();
            }
            if (kind.isInstance(layer)) {
                return Optional.of(kind.cast(layer));
            }
        }
        return Optional.empty();
    }

    /** Whether the network's recurrent layers are GRUs. */
    public static boolean isGru(MultiLayerNetwork network) {
        return cell(network, FusedGru.class).isPresent();
    }

    /** Whether a bidirectional layer wraps GRUs (its runtime layers are private; its configuration names them). */
    private static boolean forwardIsGru(BidirectionalLayer bidirectional) {
        return ((Bidirectional) bidirectional.conf().getLayer()).getFwd() instanceof FusedGru;
    }

    private static String recurrentKey(String key) {
        return switch (key) {
            case "W" -> "W_x";
            case "RW" -> "W_h";
            case FusedLstmParamInitializer.P -> "W_p";
            default -> key;
        };
    }

    /** The exported tensors, each passed through {@code transform} in DL4J's layout first (e.g. quantise-dequantise). */
    public static Map<String, INDArray> tensors(MultiLayerNetwork network, UnaryOperator<INDArray> transform) {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        Map<String, String> names = names(network);
        Layer[] layers = network.getLayers();
        for (int l = 0; l < layers.length; l++) {
            Layer inner = unwrapped(layers[l]);
            boolean lstm = isLstm(inner)
                    || (inner instanceof BidirectionalLayer bidirectional && !forwardIsGru(bidirectional));
            for (Map.Entry<String, INDArray> param : layers[l].paramTable().entrySet()) {
                INDArray value =
                        transform.apply(param.getValue().castTo(DataType.FLOAT).dup('c'));
                String name = names.get(l + "_" + param.getKey());
                // The gate matrices and bias (W_p and a Mogrifier's rounds keep their layout).
                if (lstm && (name.endsWith(".W_x") || name.endsWith(".W_h") || name.endsWith(".b"))) {
                    long n = value.size(1) / 4;
                    if (value.size(1) == 4 * n + 3) {
                        // GravesLSTM: three peephole columns after the gates, kept as DL4J stores them (wFF, wOO, wGG).
                        String prefix = name.substring(0, name.lastIndexOf('.'));
                        tensors.put(
                                prefix + ".peepholes",
                                value.get(NDArrayIndex.all(), NDArrayIndex.interval(4 * n, 4 * n + 3))
                                        .dup('c'));
                        value = value.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * n))
                                .dup('c');
                    }
                    value = toIfgo(value);
                }
                tensors.put(name, name.endsWith(".b") ? value.reshape(value.length()) : value);
            }
        }
        return tensors;
    }

    /** The layer inside a wrapper such as LastTimeStep (which has the same parameters). */
    private static Layer unwrapped(Layer layer) {
        return layer instanceof BaseWrapperLayer wrapper ? unwrapped(wrapper.getUnderlying()) : layer;
    }

    private static boolean isLstm(Layer layer) {
        return layer instanceof LSTM || layer instanceof org.deeplearning4j.nn.layers.recurrent.GravesLSTM;
    }

    /** Column blocks g, f, o, i (DL4J) to i, f, g, o. */
    static INDArray toIfgo(INDArray dl4j) {
        long n = dl4j.size(1) / 4;
        INDArray g = block(dl4j, 0, n);
        INDArray f = block(dl4j, 1, n);
        INDArray o = block(dl4j, 2, n);
        INDArray i = block(dl4j, 3, n);
        return Nd4j.concat(1, i, f, g, o);
    }

    private static INDArray block(INDArray array, int index, long n) {
        return array.get(NDArrayIndex.all(), NDArrayIndex.interval(index * n, (index + 1) * n))
                .dup('c');
    }

    /** A copy of the network whose every parameter went through {@code transform} (to score a quantised copy). */
    public static MultiLayerNetwork transformed(MultiLayerNetwork network, UnaryOperator<INDArray> transform) {
        MultiLayerNetwork copy = network.clone();
        for (Layer layer : copy.getLayers()) {
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                layer.setParam(
                        param.getKey(),
                        transform
                                .apply(param.getValue().castTo(DataType.FLOAT).dup('c'))
                                .castTo(param.getValue().dataType()));
            }
        }
        return copy;
    }
}
