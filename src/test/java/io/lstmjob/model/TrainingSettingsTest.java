package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.testing.TestConfigs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The train.* and model.* settings that shape an update, seen in what one update does to the
 * network (through the fused LSTM and output layers, which compute their own gradients): l2,
 * the updaters, the gradient clipping variants and dropout.
 */
class TrainingSettingsTest {
    private static final double LR = 0.1;

    private static MultiLayerNetwork network(String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "model.layers=[4, 3]",
                "model.seed=7",
                "train.updater=sgd",
                "train.learningRate=" + LR,
                "train.gradientClipping=none",
                "train.batchSize=2",
                "tbptt.forward=10",
                "tbptt.backward=10",
                "segment.length=10"));
        all.addAll(List.of(overrides));
        JobConfig config = TestConfigs.config(all.toArray(String[]::new));
        return NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 2, 1);
    }

    /** Two sequences of 10 steps; targets scaled by {@code scale} (large ones make large gradients). */
    private static DataSet batch(double scale) {
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 2, 2, 10).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 2, 1, 10).subi(0.5).muli(scale);
        return new DataSet(features, labels);
    }

    /** The change of every parameter in one update from the same start. */
    private static float[] step(MultiLayerNetwork network, DataSet batch) {
        float[] before = network.params().dup().data().asFloat();
        network.fit(batch);
        float[] after = network.params().data().asFloat();
        float[] delta = new float[before.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = after[i] - before[i];
        }
        return delta;
    }

    @Test
    void l2PullsEveryWeightTowardZeroByLearningRateTimesL2TimesTheWeight() {
        MultiLayerNetwork plain = network();
        MultiLayerNetwork decayed = network("train.l2=0.5");
        for (String weights : List.of("0_W", "0_RW", "1_W", "2_W")) {
            INDArray start = plain.paramTable().get(weights).dup();
            assertEquals(
                    0.0,
                    start.sub(decayed.paramTable().get(weights)).amaxNumber().doubleValue(),
                    "the same start");
        }
        plain.fit(batch(1));
        decayed.fit(batch(1));
        for (String weights : List.of("0_W", "0_RW", "1_W", "2_W")) {
            INDArray expected = network().paramTable().get(weights).mul(-LR * 0.5);
            INDArray actual =
                    decayed.paramTable().get(weights).sub(plain.paramTable().get(weights));
            assertTrue(actual.equalsWithEps(expected, 1e-5), weights + ": l2's share of the update is -lr x l2 x w");
            assertTrue(
                    expected.amaxNumber().doubleValue() > 1e-2,
                    weights + " is far enough from zero for the check to mean something");
        }
    }

    @Test
    void clipElementBoundsEveryGradientElementAndTheL2VariantsBoundTheNorms() {
        float[] unclipped = step(network(), batch(1000));
        double largest =
                Arrays.stream(toDoubles(unclipped)).map(Math::abs).max().orElseThrow();
        assertTrue(largest > 10 * LR * 0.1, "huge targets make updates beyond the threshold: " + largest);

        float[] element = step(
                network("train.gradientClipping=clip-element", "train.gradientClippingThreshold=0.1"), batch(1000));
        for (float d : element) {
            assertTrue(Math.abs(d) <= LR * 0.1 + 1e-6, "clip-element: |update| " + Math.abs(d) + " > lr x threshold");
        }
        assertTrue(
                Arrays.stream(toDoubles(element)).map(Math::abs).max().orElseThrow() > LR * 0.1 * 0.99,
                "some gradient element was clipped to the threshold");

        MultiLayerNetwork perLayer =
                network("train.gradientClipping=clip-l2-per-layer", "train.gradientClippingThreshold=0.1");
        float[] layered = step(perLayer, batch(1000));
        long from = 0;
        for (int layer = 0; layer < perLayer.getnLayers(); layer++) {
            long n = perLayer.getLayer(layer).numParams();
            double norm = 0;
            for (long i = from; i < from + n; i++) {
                norm += layered[(int) i] * layered[(int) i];
            }
            assertEquals(LR * 0.1, Math.sqrt(norm), 1e-4, "clip-l2-per-layer: layer " + layer + "'s update norm");
            from += n;
        }

        MultiLayerNetwork perType =
                network("train.gradientClipping=clip-l2-per-param-type", "train.gradientClippingThreshold=0.1");
        float[] typed = step(perType, batch(1000));
        INDArray view = Nd4j.createFromArray(typed);
        from = 0;
        for (int layer = 0; layer < perType.getnLayers(); layer++) {
            for (var entry : perType.getLayer(layer).paramTable().entrySet()) {
                long n = entry.getValue().length();
                double norm = view.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + n))
                        .norm2Number()
                        .doubleValue();
                assertTrue(
                        norm <= LR * 0.1 + 1e-5,
                        "clip-l2-per-param-type: " + layer + "_" + entry.getKey() + " norm " + norm);
                from += n;
            }
        }
    }

    @Test
    void eachUpdaterKeepsItsOwnStateAndTakesItsOwnFirstStep() {
        MultiLayerNetwork sgd = network();
        MultiLayerNetwork rmsprop = network("train.updater=rmsprop");
        MultiLayerNetwork adam = network("train.updater=adam");
        long n = sgd.numParams();
        assertEquals(
                0,
                sgd.getUpdater().getStateViewArray() == null
                        ? 0
                        : sgd.getUpdater().getStateViewArray().length());
        assertEquals(n, rmsprop.getUpdater().getStateViewArray().length(), "RMSProp keeps one average per parameter");
        assertEquals(2 * n, adam.getUpdater().getStateViewArray().length(), "Adam keeps two moments per parameter");
        // First steps, against the gradient the SGD network's step shows (-lr x g): RMSProp moves a parameter
        // by lr x g / (sqrt(0.05 g^2 + 0.95 eps) + eps), about lr / sqrt(0.05); Adam by about lr, whatever g's size.
        float[] g = step(sgd, batch(1));
        float[] r = step(rmsprop, batch(1));
        float[] a = step(adam, batch(1));
        int checked = 0;
        for (int i = 0; i < g.length; i++) {
            double gradient = -g[i] / LR;
            if (Math.abs(gradient) < 1e-4) {
                continue;
            }
            checked++;
            double rms = -LR * gradient / (Math.sqrt(0.05 * gradient * gradient + 0.95 * 1e-8) + 1e-8);
            assertEquals(rms, r[i], 0.01 * Math.abs(rms), "RMSProp's first step, " + i);
            assertEquals(-LR * Math.signum(gradient), a[i], 0.01 * LR, "Adam's first step, " + i);
        }
        assertTrue(checked > 20, "enough parameters with a clear gradient: " + checked);
    }

    @Test
    void dropoutMakesTrainingPassesDifferAndLeavesInferenceAlone() {
        MultiLayerNetwork dropped = network("model.dropout=0.5");
        MultiLayerNetwork whole = network();
        INDArray x = batch(1).getFeatures();
        assertFalse(
                dropped.output(x, true).equalsWithEps(dropped.output(x, true), 1e-6),
                "dropout: two training passes differ");
        // Between layers, not on the network's input: the first LSTM's outputs agree, the second's differ. Each
        // pass stops at the layer it looks at: a layer's dropout works in place on the activations it takes in.
        assertEquals(
                0.0,
                dropped.feedForwardToLayer(0, x, true)
                        .get(1)
                        .sub(dropped.feedForwardToLayer(0, x, true).get(1))
                        .amaxNumber()
                        .doubleValue(),
                "the first layer's input is the data, never dropped");
        List<INDArray> one = dropped.feedForwardToLayer(1, x, true);
        List<INDArray> two = dropped.feedForwardToLayer(1, x, true);
        assertTrue(
                one.get(2).sub(two.get(2)).amaxNumber().doubleValue() > 1e-3,
                "the second LSTM layer's input is dropped");
        assertEquals(
                0.0,
                dropped.output(x, false)
                        .sub(dropped.output(x, false))
                        .amaxNumber()
                        .doubleValue(),
                "inference keeps every unit");
        assertTrue(
                dropped.output(x, false).equalsWithEps(whole.output(x, false), 1e-6),
                "inference with dropout is the network without it (DL4J scales at training time)");
        assertEquals(
                0.0,
                whole.output(x, true).sub(whole.output(x, true)).amaxNumber().doubleValue(),
                "no dropout: training passes agree");
    }

    private static double[] toDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
