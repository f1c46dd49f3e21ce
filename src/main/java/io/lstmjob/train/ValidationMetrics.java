package io.lstmjob.train;

import java.util.Map;

/**
 * Holdout metrics of a model. {@code loss} is the training objective (see {@link EpochMetrics}).
 * Forecasting adds MSE, MAE and RMSE of the scaled targets and RMSE per target in the input's
 * units; the character model adds accuracy, perplexity and macro-averaged precision, recall and
 * F1 over the characters that occur or are predicted.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ValidationMetrics(long steps, double loss, Double mse, Double mae, Double rmse,
                                Map<String, Double> rmseByTarget, Double accuracy, Double perplexity,
                                Double precisionMacro, Double recallMacro, Double f1Macro) {
}
