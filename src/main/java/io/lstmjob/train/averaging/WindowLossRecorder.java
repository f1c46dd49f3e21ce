package io.lstmjob.train.averaging;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Sums the score of every TBPTT window a worker trains (one window = one iteration = one updater
 * step), so the epoch's training loss is the mean over all windows rather than the last one.
 */
final class WindowLossRecorder extends BaseTrainingListener {
    double lossSum;
    long windows;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        lossSum += model.score();
        windows++;
    }
}
