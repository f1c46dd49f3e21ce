package io.lstmjob.train;

import java.util.Map;

/**
 * Holdout metrics of a model. {@code loss} is the training objective (see {@link EpochMetrics}).
 * Forecasting adds MSE, MAE and RMSE of the scaled targets and RMSE per target in the input's
 * units; the character model adds accuracy and perplexity.
 */
public record ValidationMetrics(long steps, double loss, Double mse, Double mae, Double rmse,
                                Map<String, Double> rmseByTarget, Double accuracy, Double perplexity) {
}
