package io.lstmjob.report;

import io.lstmjob.data.DatasetSummary;
import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;
import java.util.List;

/**
 * metrics.json: one record per epoch, the validation metrics of the network before training (the
 * baseline the run must beat: untrained, or the live model for a retrain) and of the result, what
 * the data looked like, with early stopping the epoch that was kept, and for a retrain the
 * promotion decision.
 */
public record MetricsDocument(
        String task,
        List<EpochMetrics> epochs,
        ValidationMetrics initialValidation,
        ValidationMetrics finalValidation,
        Integer bestEpoch,
        DatasetSummary dataset,
        Object retrain) {}
