package io.lstmjob.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The parameters of a {@link FusedLstm} with a projection or Mogrifier rounds (without either,
 * DL4J's LSTMParamInitializer lays them out): DL4J's LSTM layout, "W" [nIn, 4n], "RW" [p, 4n]
 * column-major (p the projection's units, else n), "b" [1, 4n], gate blocks g, f, o, i; then
 * "P" [n, p] column-major with a projection (r = P^T (o * tanh(c))), or Mogrifier round i's "Q1"
 * [n, nIn], "R2" [nIn, n], "Q3" ... ({@link MogrifierRounds}). The forget gate's bias starts at
 * the layer's forgetGateBiasInit, the other biases at 0, as DL4J's LSTMParamInitializer does.
 */
final class FusedLstmParamInitializer implements ParamInitializer {
    static final FusedLstmParamInitializer INSTANCE = new FusedLstmParamInitializer();
    static final String W = "W";
    static final String RW = "RW";
    static final String B = "b";
    static final String P = "P";

    private FusedLstmParamInitializer() {}

    /** A parameter's name and its [rows, columns] (column-major), in the flat view's order. */
    private record Block(String key, long rows, long columns) {
        long length() {
            return rows * columns;
        }
    }

    private static List<Block> blocks(FusedLstm lstm) {
        long n = lstm.getNOut();
        long nIn = lstm.getNIn();
        long p = lstm.outputUnits();
        List<Block> blocks = new ArrayList<>();
        blocks.add(new Block(W, nIn, 4 * n));
        blocks.add(new Block(RW, p, 4 * n));
        blocks.add(new Block(B, 1, 4 * n));
        if (lstm.getProjection() > 0) {
            blocks.add(new Block(P, n, p));
        }
        for (int i = 1; i <= lstm.getMogrifierRounds(); i++) {
            blocks.add(
                    i % 2 == 1 ? new Block(MogrifierRounds.key(i), n, nIn) : new Block(MogrifierRounds.key(i), nIn, n));
        }
        return blocks;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return blocks((FusedLstm) layer).stream().mapToLong(Block::length).sum();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return blocks((FusedLstm) layer).stream().map(Block::key).toList();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return paramKeys(layer).stream().filter(key -> !B.equals(key)).toList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(B);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return !B.equals(key) && paramKeys(layer).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return B.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        FusedLstm lstm = (FusedLstm) conf.getLayer();
        paramKeys(lstm).forEach(conf::addVariable);
        Map<String, INDArray> params = views(lstm, paramsView);
        if (initializeParams) {
            long n = lstm.getNOut();
            IWeightInit recurrent =
                    lstm.getWeightInitFnRecurrent() != null ? lstm.getWeightInitFnRecurrent() : lstm.getWeightInitFn();
            for (Block block : blocks(lstm)) {
                INDArray view = params.get(block.key());
                switch (block.key()) {
                    case B -> {
                        view.assign(0);
                        view.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n))
                                .assign(lstm.getForgetGateBiasInit());
                    }
                    // As DL4J's LSTMParamInitializer: fan-in n, fan-out nIn + n for both gate matrices.
                    case W -> init(lstm.getWeightInitFn(), n, lstm.getNIn() + n, view);
                    case RW -> init(recurrent, n, lstm.getNIn() + n, view);
                    default -> init(lstm.getWeightInitFn(), block.rows(), block.columns(), view);
                }
            }
        }
        return params;
    }

    /** DL4J's initialisers fill a flat view (and return it reshaped): the same memory as the matrix view. */
    private static void init(IWeightInit init, long fanIn, long fanOut, INDArray columnMajor) {
        // An array: reshape('f', length) would be reshape(rows, columns) with 'f' as the row count.
        INDArray flat = columnMajor.reshape('f', new long[] {columnMajor.length()});
        init.init(fanIn, fanOut, columnMajor.shape(), IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, flat);
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views((FusedLstm) conf.getLayer(), gradientView);
    }

    /** The parameters as views of a flat [1, numParams] array (b as [1, 4n], the others column-major). */
    private Map<String, INDArray> views(FusedLstm lstm, INDArray flat) {
        if (flat.length() != numParams(lstm)) {
            throw new IllegalStateException(
                    "expected a parameter view of length " + numParams(lstm) + ", got " + flat.length());
        }
        Map<String, INDArray> views = new LinkedHashMap<>();
        long from = 0;
        for (Block block : blocks(lstm)) {
            INDArray segment = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + block.length()));
            views.put(
                    block.key(),
                    B.equals(block.key())
                            ? segment.reshape(1, block.columns())
                            : segment.reshape('f', block.rows(), block.columns()));
            from += block.length();
        }
        return Collections.synchronizedMap(views);
    }
}
