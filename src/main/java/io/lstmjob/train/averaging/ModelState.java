package io.lstmjob.train.averaging;

import java.io.Serializable;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the driver broadcasts at the start of an averaging round: the network configuration, its
 * flattened parameters and updater state (Adam's moments, ...), and the counters the updater
 * needs (Adam's bias correction depends on the iteration count).
 */
public record ModelState(
        String configurationJson, float[] parameters, float[] updaterState, int iterationCount, int epochCount)
        implements Serializable {

    public static ModelState of(MultiLayerNetwork network) {
        return of(network, network.params());
    }

    /** The network's state with other parameters: where the workers of a round start (see ModelUpdateFilter). */
    static ModelState of(MultiLayerNetwork network, INDArray parameters) {
        INDArray updater = network.getUpdater().getStateViewArray();
        // The counters travel on their own: without them the JSON is the same from round to round.
        MultiLayerConfiguration configuration =
                network.getLayerWiseConfigurations().clone();
        configuration.setIterationCount(0);
        configuration.setEpochCount(0);
        return new ModelState(
                configuration.toJson(),
                toFloats(parameters),
                updater == null ? null : toFloats(updater),
                network.getIterationCount(),
                network.getEpochCount());
    }

    /** The network's configuration and parameters only: what scoring on the executors needs (no updater state). */
    public static ModelState forScoring(MultiLayerNetwork network) {
        ModelState full = of(network);
        return new ModelState(full.configurationJson(), full.parameters(), null, 0, 0);
    }

    /** A fresh network on the executor holding exactly this state. */
    public MultiLayerNetwork restore() {
        MultiLayerNetwork network = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        network.init(row(parameters), false);
        if (updaterState != null) {
            network.getUpdater().setStateViewArray(network, row(updaterState), false);
        }
        network.setIterationCount(iterationCount);
        network.setEpochCount(epochCount);
        return network;
    }

    /** Puts this state into {@code network}, one built from the same configuration (a kept one, see ExecutorNetworks). */
    void loadInto(MultiLayerNetwork network) {
        network.setParams(row(parameters));
        INDArray updater = network.getUpdater().getStateViewArray();
        if (updaterState != null && updater != null) {
            updater.assign(row(updaterState));
        }
        network.setIterationCount(iterationCount);
        network.setEpochCount(epochCount);
    }

    static float[] toFloats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    static INDArray row(float[] values) {
        return Nd4j.create(values, new long[] {1, values.length}, 'c');
    }
}
