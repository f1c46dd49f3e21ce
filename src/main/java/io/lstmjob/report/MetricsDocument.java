package io.lstmjob.report;

import io.lstmjob.data.DatasetSummary;
import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;

import java.util.List;

/**
 * metrics.json: one record per epoch, the validation metrics of the untrained network (the
 * baseline the run must beat) and of the published one, and what the data looked like.
 */
public record MetricsDocument(String task, List<EpochMetrics> epochs, ValidationMetrics initialValidation,
                              ValidationMetrics finalValidation, DatasetSummary dataset) {
}
