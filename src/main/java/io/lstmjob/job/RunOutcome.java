package io.lstmjob.job;

import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * How a run with a given id ended, kept in the model store because in cluster deploy mode the
 * driver's exit code does not reach spark-submit (standalone and Kubernetes report a state, YARN
 * a final status): jobs/submit.sh reads this back and exits with {@code exitCode}.
 *
 * @param submission which spark-submit started it (jobs/submit.sh's id): an outcome of an earlier
 *                 submission of the same run id is not this one's
 * @param command  train or retrain
 * @param exitCode what the driver's process would have exited with (README's table)
 * @param message  the line the run printed: the summary, or the one-line reason it failed
 * @param version  the version it published, if it got that far
 * @param live     whether that version is the live one now
 */
public record RunOutcome(
        String runId,
        String submission,
        String command,
        int exitCode,
        String message,
        String version,
        boolean live,
        String finishedAt) {

    public static RunOutcome of(
            String runId,
            String submission,
            String command,
            int exitCode,
            String message,
            String version,
            boolean live) {
        return new RunOutcome(
                runId,
                submission,
                command,
                exitCode,
                message,
                version,
                live,
                Instant.now().toString());
    }

    public void record(ModelStore store) {
        store.recordOutcome(runId, out -> JsonDocuments.write(this, out));
    }

    public static Optional<RunOutcome> read(ModelStore store, String runId) {
        Optional<InputStream> file = store.openOutcome(runId);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = file.get()) {
            return Optional.of(JsonDocuments.read(in, RunOutcome.class));
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + store.outcomeFile(runId) + ": " + e.getMessage(), e);
        }
    }
}
