package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The fused layer computes what DL4J's LSTM computes: the same outputs, the same state carried
 * from step to step and window to window, and the same training steps (gradients through
 * truncated BPTT from the carried state, with a cut backward window and with masked steps), starting from the same parameters.
 */
class FusedLstmTest {
    private static final int IN = 3;
    private static final int UNITS = 5;
    private static final int OUT = 2;
    /** More sequences than the widest float vector has lanes (16), and not a multiple of it: vector and scalar lanes both run. */
    private static final int BATCH = 19;

    private static MultiLayerNetwork network(boolean fused, int tbpttForward, int tbpttBackward) {
        return network(fused, tbpttForward, tbpttBackward, 0);
    }

    /** @param fusedBackward the fused layers' own backward length (what NetworkFactory sets: tbpttBackward) */
    private static MultiLayerNetwork network(boolean fused, int tbpttForward, int tbpttBackward, int fusedBackward) {
        LSTM first = new LSTM.Builder()
                .nIn(IN)
                .nOut(UNITS)
                .activation(Activation.TANH)
                .gateActivationFunction(Activation.SIGMOID)
                .forgetGateBiasInit(1.0)
                .build();
        LSTM second = new LSTM.Builder()
                .nIn(UNITS)
                .nOut(UNITS)
                .activation(Activation.TANH)
                .gateActivationFunction(Activation.SIGMOID)
                .forgetGateBiasInit(1.0)
                .build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .list()
                .layer(fused ? FusedLstm.of(first).withTbpttBackwardLength(fusedBackward) : first)
                .layer(fused ? FusedLstm.of(second).withTbpttBackwardLength(fusedBackward) : second)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY)
                        .nIn(UNITS)
                        .nOut(OUT)
                        .build())
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(tbpttForward)
                .tBPTTBackwardLength(tbpttBackward)
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    /** Both networks from the same (non-trivial) parameters: biases are random too, so padding is not harmless by chance. */
    private static MultiLayerNetwork[] pair(int tbpttForward, int tbpttBackward) {
        MultiLayerNetwork reference = network(false, tbpttForward, tbpttBackward);
        MultiLayerNetwork fused = network(true, tbpttForward, tbpttBackward);
        Nd4j.getRandom().setSeed(17);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, reference.numParams()).subi(0.5);
        reference.setParams(params);
        fused.setParams(params.dup());
        assertTrue(fused.getLayer(0) instanceof FusedLstmLayer);
        return new MultiLayerNetwork[] {reference, fused};
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(expected.length(), actual.length(), what);
        double worst = Nd4j.getExecutioner()
                .exec(new org.nd4j.linalg.api.ops.impl.reduce3.EuclideanDistance(
                        expected.castTo(DataType.DOUBLE).reshape(expected.length()),
                        actual.castTo(DataType.DOUBLE).reshape(actual.length())))
                .getDouble(0);
        double scale =
                Math.max(1e-3, expected.castTo(DataType.DOUBLE).norm2Number().doubleValue());
        assertTrue(worst / scale < tolerance, what + ": relative difference " + worst / scale);
    }

    @Test
    void outputsAndCarriedStateMatchDl4jsLstm() {
        MultiLayerNetwork[] nets = pair(4, 4);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, 9).subi(0.5).muli(4);
        // Float32 sums of a few dozen terms: agreement to ~1e-6 relative; 1e-5 leaves room for summation order.
        assertClose(nets[0].output(x), nets[1].output(x), 1e-5, "outputs");
        for (int t = 0; t < 9; t++) {
            INDArray step = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1));
            assertClose(nets[0].rnnTimeStep(step), nets[1].rnnTimeStep(step), 1e-5, "rnnTimeStep " + t);
        }
    }

    /**
     * The products read the parameters from where the layer finds them at each pass: arrays handed
     * to it in place of the ones it had are read, not the ones of its first pass.
     */
    @Test
    void parametersHandedOverAsOtherArraysAreTheOnesRead() {
        MultiLayerNetwork[] nets = pair(4, 4);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, 6).subi(0.5).muli(4);
        nets[1].output(x);
        org.deeplearning4j.nn.api.Layer layer = nets[1].getLayer(0);
        java.util.Map<String, INDArray> others = new java.util.LinkedHashMap<>();
        layer.paramTable().forEach((key, value) -> others.put(key, value.mul(-0.5)));
        layer.setParamTable(others);
        assertTrue(layer.getParam("W") == others.get("W"), "the layer holds the arrays handed over");
        nets[0].getLayer(0).paramTable().forEach((key, value) -> value.muli(-0.5));
        assertClose(nets[0].output(x), nets[1].output(x), 1e-5, "outputs from the arrays handed over");
    }

    /**
     * A window of truncated BPTT, asked for its gradient the way DL4J 1.0.0-M2's MultiLayerNetwork
     * asks (a plain backpropGradient after the stored-state forward pass), against DL4J's LSTM layer
     * asked directly for the truncated gradient from the state the previous window ended in. (Asked
     * the M2 way, DL4J's own layer would run the window again from a zero state and cut nothing.)
     */
    @Test
    void aTruncatedWindowIsDifferentiatedFromTheStateItStartedInOverTheBackwardLength() {
        assertTruncatedWindowAsDl4jsLstm(
                Nd4j.rand(DataType.FLOAT, BATCH, IN, 4).subi(0.5).muli(4),
                Nd4j.rand(DataType.FLOAT, BATCH, IN, 4).subi(0.5).muli(4));
    }

    /** One-hot input (a character model's, with all-zero padding steps) takes a gather and a scatter instead of products. */
    @Test
    void aTruncatedWindowOfOneHotInputIsDifferentiatedAsDl4jsLstmDoes() {
        assertTruncatedWindowAsDl4jsLstm(oneHot(4, 11), oneHot(4, 12));
    }

    /** One window: over several, DL4J's own LSTM ignores the carried state (see the truncated-window tests). */
    @Test
    void oneHotInputTrainsAsDl4jsLstm() {
        MultiLayerNetwork[] nets = pair(9, 9);
        INDArray start = nets[0].params().dup();
        INDArray x = oneHot(9, 13);
        INDArray y = Nd4j.rand(DataType.FLOAT, BATCH, OUT, 9);
        for (int i = 0; i < 3; i++) {
            nets[0].fit(new DataSet(x, y));
            nets[1].fit(new DataSet(x, y));
        }
        assertClose(nets[0].params().sub(start), nets[1].params().sub(start), 1e-4, "updates from one-hot input");
    }

    /** [BATCH, IN, steps], one class per step, every seventh step all zero. */
    private static INDArray oneHot(int steps, long seed) {
        java.util.Random random = new java.util.Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, BATCH, IN, steps);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < steps; t++) {
                if ((b * steps + t) % 7 != 3) {
                    x.putScalar(new long[] {b, random.nextInt(IN), t}, 1f);
                }
            }
        }
        return x;
    }

    private static void assertTruncatedWindowAsDl4jsLstm(INDArray first, INDArray second) {
        MultiLayerNetwork[] nets = pair(4, 3);
        MultiLayerNetwork fusedNet = network(true, 4, 3, 3);
        fusedNet.setParams(nets[1].params());
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {nets[0], fusedNet}) {
            net.initGradientsView();
        }
        var reference = (org.deeplearning4j.nn.layers.recurrent.LSTM) nets[0].getLayer(0);
        var fused = (FusedLstmLayer) fusedNet.getLayer(0);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, BATCH, UNITS, 4).subi(0.5);

        reference.rnnActivateUsingStoredState(first, true, true, none);
        INDArray expectedOut = reference
                .rnnActivateUsingStoredState(second.dup(), true, false, none)
                .dup();
        reference.rnnSetPreviousState(reference.rnnGetTBPTTState());
        reference.setInput(second.dup(), none);
        Pair<Gradient, INDArray> expected = reference.tbpttBackpropGradient(epsilon.dup(), 3, none);

        fused.rnnActivateUsingStoredState(first, true, true, none);
        INDArray actualOut =
                fused.rnnActivateUsingStoredState(second, true, true, none).dup();
        Pair<Gradient, INDArray> actual = fused.backpropGradient(epsilon.dup(), none);

        // Float32 sums of a few dozen terms: ~1e-6 relative; 1e-5 leaves room for summation order.
        assertClose(expectedOut, actualOut, 1e-5, "outputs of the second window, from the first one's state");
        for (String param : List.of("W", "RW", "b")) {
            assertClose(
                    expected.getFirst().getGradientFor(param),
                    actual.getFirst().getGradientFor(param),
                    1e-5,
                    "gradient of " + param);
        }
        assertClose(expected.getSecond(), actual.getSecond(), 1e-5, "gradient of the input");
        INDArray cut = actual.getSecond().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0));
        assertEquals(0.0, cut.norm2Number().doubleValue(), 0.0, "nothing flows back beyond 3 steps");
        assertTrue(actual.getSecond().norm2Number().doubleValue() > 0);
    }

    @Test
    void maskedStepsTrainAndScoreAsInDl4jsLstm() {
        MultiLayerNetwork[] nets = pair(6, 6);
        INDArray start = nets[0].params().dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, 6).subi(0.5).muli(4);
        INDArray y = Nd4j.rand(DataType.FLOAT, BATCH, OUT, 6);
        INDArray mask = Nd4j.ones(DataType.FLOAT, BATCH, 6);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(4, 6)).assign(0);
        mask.get(NDArrayIndex.point(2), NDArrayIndex.interval(2, 6)).assign(0);
        assertClose(nets[0].output(x, false, mask, mask), nets[1].output(x, false, mask, mask), 1e-5, "masked outputs");
        for (int i = 0; i < 3; i++) {
            nets[0].fit(new DataSet(x, y, mask, mask));
            nets[1].fit(new DataSet(x, y, mask, mask));
        }
        assertClose(nets[0].params().sub(start), nets[1].params().sub(start), 1e-4, "updates of masked minibatches");
    }

    /** The network's first layer skips the gradient of its input (nothing uses it): training is unchanged. */
    @Test
    void aFirstLayerWithoutItsInputGradientTrainsAsDl4jsLstm() {
        MultiLayerNetwork[] nets = pair(6, 6);
        ((FusedLstm) nets[1].getLayer(0).conf().getLayer()).setInputGradient(false);
        INDArray start = nets[0].params().dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, 6).subi(0.5).muli(4);
        INDArray y = Nd4j.rand(DataType.FLOAT, BATCH, OUT, 6);
        for (int i = 0; i < 3; i++) {
            nets[0].fit(new DataSet(x, y));
            nets[1].fit(new DataSet(x, y));
        }
        assertClose(nets[0].params().sub(start), nets[1].params().sub(start), 1e-4, "updates");

        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        var first = (FusedLstmLayer) nets[1].getLayer(0);
        first.activate(x, true, none);
        Pair<Gradient, INDArray> backward = first.backpropGradient(Nd4j.rand(DataType.FLOAT, BATCH, UNITS, 6), none);
        assertEquals(null, backward.getSecond(), "no input gradient");
        assertTrue(backward.getFirst().getGradientFor("W").norm2Number().doubleValue() > 0);
    }

    @Test
    void insideBidirectionalWithPoolingItTrainsAsDl4jsLstm() {
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        for (int k = 0; k < 2; k++) {
            LSTM lstm = new LSTM.Builder()
                    .nIn(IN)
                    .nOut(UNITS)
                    .activation(Activation.TANH)
                    .gateActivationFunction(Activation.SIGMOID)
                    .forgetGateBiasInit(1.0)
                    .build();
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .seed(3)
                    .dataType(DataType.FLOAT)
                    .updater(new Sgd(0.1))
                    .list()
                    .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(
                            org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT,
                            k == 1 ? FusedLstm.of(lstm) : lstm))
                    .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                                    org.deeplearning4j.nn.conf.layers.PoolingType.AVG)
                            .build())
                    .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX)
                            .nIn(2 * UNITS)
                            .nOut(OUT)
                            .build())
                    .build();
            nets[k] = new MultiLayerNetwork(conf);
            nets[k].init();
        }
        Nd4j.getRandom().setSeed(5);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, nets[0].numParams()).subi(0.5);
        nets[0].setParams(params);
        nets[1].setParams(params.dup());
        INDArray start = params.dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, IN, 7).subi(0.5).muli(4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, OUT);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % OUT, 1f);
        }
        assertClose(nets[0].output(x), nets[1].output(x), 1e-5, "bidirectional outputs");
        for (int i = 0; i < 3; i++) {
            nets[0].fit(new DataSet(x, y));
            nets[1].fit(new DataSet(x, y));
        }
        assertClose(nets[0].params().sub(start), nets[1].params().sub(start), 1e-4, "bidirectional updates");
    }
}
