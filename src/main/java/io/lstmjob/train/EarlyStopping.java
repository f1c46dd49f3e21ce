package io.lstmjob.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stops training once the validation loss has not improved for {@code patience} epochs and
 * remembers the parameters of the best epoch, which are the ones published. Off when patience is 0
 * or there is no validation split.
 */
final class EarlyStopping {
    private final int patience;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private INDArray bestParameters;
    private ValidationMetrics bestValidation;

    /** @param resumed the best epoch of the run before it was resumed; null: none yet */
    EarlyStopping(int patience, EpochLoop.Best resumed) {
        this.patience = patience;
        if (resumed != null) {
            bestEpoch = resumed.epoch();
            bestValidation = resumed.validation();
            bestLoss = resumed.validation().loss();
            bestParameters = resumed.parameters();
        }
    }

    /** The best epoch so far, for a checkpoint; null when early stopping is off or no epoch counted yet. */
    EpochLoop.Best best() {
        return enabled() && bestEpoch > 0 ? new EpochLoop.Best(bestEpoch, bestValidation, bestParameters) : null;
    }

    boolean enabled() {
        return patience > 0;
    }

    /** Records the epoch; true when training should stop now. */
    boolean shouldStop(int epoch, MultiLayerNetwork network, ValidationMetrics validation) {
        if (!enabled() || validation == null) {
            return false;
        }
        if (validation.loss() < bestLoss) {
            bestLoss = validation.loss();
            bestEpoch = epoch;
            bestParameters = network.params().dup();
            bestValidation = validation;
            return false;
        }
        return epoch - bestEpoch >= patience;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    INDArray bestParameters() {
        return bestParameters;
    }

    ValidationMetrics bestValidation() {
        return bestValidation;
    }
}
