package io.lstmjob.score;

import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A forecasting network's outputs in the input's units, its state carried from one call to the
 * next until the next sequence starts (for {@link ForecastRows}). Runs on an executor; not
 * thread-safe (it holds the network's state).
 */
final class StepForecaster {
    private final MultiLayerNetwork network;
    private final FeatureScaler scaler;
    private final int outputs;
    private final int targets;

    public StepForecaster(MultiLayerNetwork network, DataContract contract) {
        this.network = network;
        this.scaler = contract.scaler();
        this.outputs = contract.networkOutputs();
        this.targets = contract.targetNames().size();
    }

    /** Forgets the state: the next steps are a sequence's first. */
    public void startSequence() {
        network.rnnClearPreviousState();
    }

    /**
     * @param features the network's input for the next steps, scaled: [1, features, steps]
     * @return per step, the forecasts of targets 1..H steps ahead, target-minor ([k * targets + c] is
     *         target c at k + 1 steps ahead), in the input's units
     */
    public double[][] next(INDArray features) {
        int steps = (int) features.size(2);
        float[] out = network.rnnTimeStep(features)
                .castTo(DataType.FLOAT)
                .dup('c')
                .data()
                .asFloat();
        double[][] forecasts = new double[steps][outputs];
        for (int t = 0; t < steps; t++) {
            for (int channel = 0; channel < outputs; channel++) {
                forecasts[t][channel] = scaler.unscaleTarget(channel % targets, out[channel * steps + t]);
            }
        }
        return forecasts;
    }

    /** The network's input for steps given in the input's units: rows[step][feature] scaled, as [1, features, steps]. */
    public INDArray input(double[][] rows) {
        int features = scaler.featureMean().length;
        INDArray input = Nd4j.create(DataType.FLOAT, 1, features, rows.length);
        for (int t = 0; t < rows.length; t++) {
            for (int f = 0; f < features; f++) {
                input.putScalar(new long[] {0, f, t}, scaler.scaleFeature(f, (float) rows[t][f]));
            }
        }
        return input;
    }
}
