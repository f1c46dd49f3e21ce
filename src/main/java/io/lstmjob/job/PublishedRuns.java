package io.lstmjob.job;

import io.lstmjob.report.JsonDocuments;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Finds the version a run id already published, which makes a rerun with the same --run-id (a
 * scheduler's retry) a no-op that reports the first outcome.
 */
final class PublishedRuns {
    private PublishedRuns() {}

    static Optional<TrainingJob.Result> find(ModelStore store, String runId) {
        List<String> versions = store.versions();
        for (int i = versions.size() - 1; i >= 0; i--) {
            String version = versions.get(i);
            try (InputStream in = store.open(version, ModelFiles.METADATA)) {
                // Read as a tree: metadata.json embeds the config as raw JSON.
                if (runId.equals(JsonDocuments.read(in, com.fasterxml.jackson.databind.JsonNode.class)
                        .path("runId")
                        .asText())) {
                    MetricsDocument metrics;
                    try (InputStream m = store.open(version, ModelFiles.METRICS)) {
                        metrics = JsonDocuments.read(m, MetricsDocument.class);
                    }
                    RetrainDecision decision = metrics.retrain() == null
                            ? null
                            : JsonDocuments.convert(metrics.retrain(), RetrainDecision.class);
                    return Optional.of(
                            new TrainingJob.Result(version, store.versionDir(version), metrics, null, decision));
                }
            } catch (IOException | ModelStoreException e) {
                // A version without readable metadata was not published by this job: not ours.
            }
        }
        return Optional.empty();
    }
}
