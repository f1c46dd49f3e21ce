package io.lstmjob.data;

import java.io.Serializable;

/**
 * Per-channel standardisation, (x - mean) / std, fitted on the training split only and applied on
 * the executors. Saved with the model so predictions can be mapped back to the input's units.
 */
public record FeatureScaler(double[] featureMean, double[] featureStd, double[] targetMean, double[] targetStd)
        implements Serializable {

    public float scaleFeature(int channel, float value) {
        return (float) ((value - featureMean[channel]) / featureStd[channel]);
    }

    public float scaleTarget(int channel, float value) {
        return (float) ((value - targetMean[channel]) / targetStd[channel]);
    }

    public double unscaleTarget(int channel, double scaled) {
        return scaled * targetStd[channel] + targetMean[channel];
    }
}
