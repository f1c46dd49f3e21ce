package io.lstmjob.train;

import java.util.Map;

/**
 * Holdout metrics of a model. {@code loss} is the training objective (see {@link EpochMetrics}).
 * Forecasting adds MSE, MAE and RMSE of the scaled targets and RMSE per target in the input's
 * units; the character model adds accuracy, perplexity, precision, recall and F1 per character
 * and macro-averaged over the characters that occur or are predicted, and the confusion matrix.
 * A sequence classifier adds the same per class, without perplexity; its {@code steps} are sequences.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ValidationMetrics(
        long steps,
        double loss,
        Double mse,
        Double mae,
        Double rmse,
        Map<String, Double> rmseByTarget,
        Double accuracy,
        Double perplexity,
        Double precisionMacro,
        Double recallMacro,
        Double f1Macro,
        Map<String, ClassMetrics> perClass,
        ConfusionMatrix confusion) {

    /** Precision, recall and F1 of one class, and how often it occurs (support). */
    public record ClassMetrics(double precision, double recall, double f1, long support) {}

    /** counts[actual][predicted] over the classes named by labels (characters for the text model). */
    public record ConfusionMatrix(java.util.List<String> labels, long[][] counts) {}
}
