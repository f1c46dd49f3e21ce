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
 * The parameters of a {@link FusedLstm} with a projection of p units: DL4J's LSTM layout ("W"
 * [nIn, 4n], "RW" [p, 4n] column-major, "b" [1, 4n], gate blocks g, f, o, i) with the recurrent
 * weights reading the projected state, and "P" [n, p] column-major, r = P^T (o * tanh(c)). The
 * forget gate's bias starts at the layer's forgetGateBiasInit, the other biases at 0, as DL4J's
 * LSTMParamInitializer does.
 */
final class ProjectedLstmParamInitializer implements ParamInitializer {
    static final ProjectedLstmParamInitializer INSTANCE = new ProjectedLstmParamInitializer();
    static final String W = "W";
    static final String RW = "RW";
    static final String B = "b";
    static final String P = "P";

    private static final List<String> KEYS = List.of(W, RW, B, P);
    private static final List<String> WEIGHT_KEYS = List.of(W, RW, P);

    private ProjectedLstmParamInitializer() {}

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FusedLstm lstm = (FusedLstm) layer;
        long n = lstm.getNOut();
        long p = lstm.getProjection();
        return (lstm.getNIn() + p + 1) * 4 * n + n * p;
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
        FusedLstm lstm = (FusedLstm) conf.getLayer();
        KEYS.forEach(conf::addVariable);
        Map<String, INDArray> params = views(lstm, paramsView);
        if (initializeParams) {
            long n = lstm.getNOut();
            IWeightInit recurrent =
                    lstm.getWeightInitFnRecurrent() != null ? lstm.getWeightInitFnRecurrent() : lstm.getWeightInitFn();
            init(lstm.getWeightInitFn(), n, lstm.getNIn() + n, params.get(W));
            init(recurrent, n, lstm.getNIn() + n, params.get(RW));
            init(lstm.getWeightInitFn(), n, lstm.getProjection(), params.get(P));
            INDArray bias = params.get(B);
            bias.assign(0);
            bias.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n)).assign(lstm.getForgetGateBiasInit());
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

    /** W, RW, b and P as views of a flat [1, numParams] array. */
    private Map<String, INDArray> views(FusedLstm lstm, INDArray flat) {
        long n = lstm.getNOut();
        long nIn = lstm.getNIn();
        long p = lstm.getProjection();
        if (flat.length() != numParams(lstm)) {
            throw new IllegalStateException(
                    "expected a parameter view of length " + numParams(lstm) + ", got " + flat.length());
        }
        long w = nIn * 4 * n;
        long rw = p * 4 * n;
        long b = 4 * n;
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(W, segment(flat, 0, w).reshape('f', nIn, 4 * n));
        views.put(RW, segment(flat, w, rw).reshape('f', p, 4 * n));
        views.put(B, segment(flat, w + rw, b).reshape(1, 4 * n));
        views.put(P, segment(flat, w + rw + b, n * p).reshape('f', n, p));
        return Collections.synchronizedMap(views);
    }

    private static INDArray segment(INDArray flat, long from, long length) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + length));
    }
}
