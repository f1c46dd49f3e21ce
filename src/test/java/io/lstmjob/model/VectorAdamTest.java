package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** VectorAdam makes DL4J's Adam updates, and networks configured with it save and load as with Adam. */
class VectorAdamTest {
    /** Vector lanes and a scalar tail both run. */
    private static final int PARAMETERS = 1003;

    @Test
    void updatesAndStateMatchDl4jsAdamStepAfterStep() {
        assertTrue(CellKernel.vectorised(), "the tests run with --add-modules jdk.incubator.vector (conf/java17.args)");
        INDArray stockState = Nd4j.create(DataType.FLOAT, 1, 2L * PARAMETERS);
        INDArray vectorState = Nd4j.create(DataType.FLOAT, 1, 2L * PARAMETERS);
        GradientUpdater<?> stock = new Adam(0.01).instantiate(stockState, true);
        GradientUpdater<?> vector = new VectorAdam(0.01).instantiate(vectorState, true);
        assertInstanceOf(VectorAdamUpdater.class, vector);
        Nd4j.getRandom().setSeed(5);
        for (int iteration = 0; iteration < 6; iteration++) {
            // Gradients over several orders of magnitude, as in training.
            INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, PARAMETERS).muli(Math.pow(10, -iteration));
            INDArray stockUpdate = gradient.dup();
            INDArray vectorUpdate = gradient.dup();
            stock.applyUpdater(stockUpdate, iteration, 0);
            vector.applyUpdater(vectorUpdate, iteration, 0);
            // Both in float, operations in a different order: a few ulps (6e-8 each) of each value.
            assertRelativelyClose(stockUpdate, vectorUpdate, 1e-5, "update at iteration " + iteration);
            assertRelativelyClose(stockState, vectorState, 1e-5, "m and v at iteration " + iteration);
        }
    }

    @Test
    void aNetworkConfigurationKeepsTheUpdaterThroughJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .updater(new VectorAdam(0.003))
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY)
                        .nIn(2)
                        .nOut(1)
                        .build())
                .build();
        IUpdater read = ((BaseLayer) MultiLayerConfiguration.fromJson(conf.toJson())
                        .getConf(0)
                        .getLayer())
                .getIUpdater();
        assertInstanceOf(VectorAdam.class, read);
        assertEquals(0.003, ((VectorAdam) read).getLearningRate(), 0);
    }

    private static void assertRelativelyClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = expected.amaxNumber().doubleValue();
        double difference = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(
                difference <= tolerance * scale,
                what + ": max difference " + difference + " for values up to " + scale);
    }
}
