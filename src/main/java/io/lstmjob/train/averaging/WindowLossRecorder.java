package io.lstmjob.train.averaging;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Sums the loss of every TBPTT window a worker trains (one window = one iteration = one updater
 * step). DL4J's score of a window is its loss summed over time steps and divided by the number of
 * examples, so score x examples is the window's total; divided by the steps trained it gives the
 * mean loss per step, comparable with the validation loss (a classifier: one iteration per
 * minibatch of whole sequences, divided by the sequences it gives the mean loss per sequence).
 */
final class WindowLossRecorder extends BaseTrainingListener {
    double lossSum;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        lossSum += model.score() * model.batchSize();
    }
}
