package io.lstmjob.report;

/** A holdout stretch of one sequence: the actual values of one target and the model's next-step forecasts. */
public record ForecastSample(String sequence, String target, double[] actual, double[] predicted) {}
