package io.lstmjob.model;

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
 * {@link FusedGru}'s parameters, laid out as DL4J's LSTMParamInitializer lays out an LSTM's (so
 * the updater, regularisation, the weight export and the averaging treat them alike): "W"
 * [nIn, 3n] and "RW" [n, 3n] column-major, "b" [1, 3n], column blocks z, r, g. Weights from the
 * layer's weight initialisation, biases 0 but the update gate's.
 */
final class GruParamInitializer implements ParamInitializer {
    static final GruParamInitializer INSTANCE = new GruParamInitializer();
    static final String W = "W";
    static final String RW = "RW";
    static final String B = "b";
    /** Gates per unit: z, r, g. */
    static final int GATES = 3;

    private static final List<String> KEYS = List.of(W, RW, B);
    private static final List<String> WEIGHT_KEYS = List.of(W, RW);

    private GruParamInitializer() {}

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FusedGru gru = (FusedGru) layer;
        long n = gru.getNOut();
        return (gru.getNIn() + n + 1) * GATES * n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHT_KEYS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(B);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEYS.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return B.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        FusedGru gru = (FusedGru) conf.getLayer();
        conf.addVariable(W);
        conf.addVariable(RW);
        conf.addVariable(B);
        Map<String, INDArray> params = views(gru, paramsView);
        if (initializeParams) {
            long n = gru.getNOut();
            long fanIn = n;
            long fanOut = gru.getNIn() + n;
            IWeightInit recurrent =
                    gru.getWeightInitFnRecurrent() != null ? gru.getWeightInitFnRecurrent() : gru.getWeightInitFn();
            // DL4J's initialisers fill a flat view (and return it reshaped): the same memory as the views above.
            gru.getWeightInitFn()
                    .init(
                            fanIn,
                            fanOut,
                            params.get(W).shape(),
                            IWeightInit.DEFAULT_WEIGHT_INIT_ORDER,
                            flat(params.get(W)));
            recurrent.init(
                    fanIn, fanOut, params.get(RW).shape(), IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, flat(params.get(RW)));
            INDArray bias = params.get(B);
            bias.assign(0);
            bias.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, n)).assign(gru.getUpdateGateBias());
        }
        return params;
    }

    /** A column-major matrix view's memory as a flat vector (no copy). */
    private static INDArray flat(INDArray columnMajor) {
        // An array: reshape('f', length) would be reshape(rows, columns) with 'f' as the row count.
        return columnMajor.reshape('f', new long[] {columnMajor.length()});
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views((FusedGru) conf.getLayer(), gradientView);
    }

    /** W, RW and b as views of a flat [1, numParams] array. */
    private Map<String, INDArray> views(FusedGru gru, INDArray flat) {
        long n = gru.getNOut();
        long nIn = gru.getNIn();
        if (flat.length() != numParams(gru)) {
            throw new IllegalStateException(
                    "expected a parameter view of length " + numParams(gru) + ", got " + flat.length());
        }
        long w = nIn * GATES * n;
        long rw = n * GATES * n;
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(
                W, flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, w)).reshape('f', nIn, GATES * n));
        views.put(
                RW,
                flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(w, w + rw))
                        .reshape('f', n, GATES * n));
        views.put(
                B,
                flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(w + rw, w + rw + GATES * n))
                        .reshape(1, GATES * n));
        return Collections.synchronizedMap(views);
    }
}
