package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.Redaction;
import io.lstmjob.job.RunOutcome;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.store.ModelStore;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * train and retrain: one run, its summary line on stdout, and, for a run named with --run-id (as
 * jobs/submit.sh names every run), its outcome recorded in the store for a client that cannot see
 * the driver's exit code.
 */
final class Runs {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

    private Runs() {}

    static int run(String command, RunArguments arguments, boolean warmStart, int keptExitCode) throws Exception {
        JobConfig given = arguments.config();
        TrainingJob.requireWritableOutput(given);
        return WithSpark.run(given, spark -> {
            JobConfig config = warmStart
                    ? arguments.configOverLive(given, spark.sparkContext().hadoopConfiguration())
                    : given;
            ModelStore store = arguments.runId == null
                    ? null
                    : new ModelStore(
                            config.outputPath(),
                            config.model().name(),
                            spark.sparkContext().hadoopConfiguration());
            Optional<RunOutcome> earlier = store == null || arguments.submission == null
                    ? Optional.empty()
                    : RunOutcome.read(store, arguments.runId).filter(o -> arguments.submission.equals(o.submission()));
            if (earlier.isPresent()) {
                // A second attempt of the same submission (YARN retries an application that failed):
                // the first attempt's outcome stands; its work is not done again.
                LOG.info(
                        "Run {} already ended in this submission with exit code {}",
                        arguments.runId,
                        earlier.get().exitCode());
                return LstmJob.printed(earlier.get());
            }
            TrainingJob.Result result;
            try {
                result = TrainingJob.run(spark, config, arguments.options(warmStart));
            } catch (Exception e) {
                record(
                        store,
                        RunOutcome.of(
                                arguments.runId,
                                arguments.submission,
                                command,
                                LstmJob.exitCodeOf(e),
                                LstmJob.oneLine(e),
                                null,
                                false));
                throw e;
            }
            int code = exitCode(result, keptExitCode);
            String line = summary(result);
            System.out.println(line);
            record(
                    store,
                    RunOutcome.of(
                            arguments.runId,
                            arguments.submission,
                            command,
                            code,
                            line,
                            result.version(),
                            result.live()));
            return code;
        });
    }

    private static int exitCode(TrainingJob.Result result, int keptExitCode) {
        return result.live() ? LstmJob.OK : keptExitCode;
    }

    private static String summary(TrainingJob.Result result) {
        var d = result.decision();
        if (d == null) {
            var validation = result.metrics().finalValidation();
            String loss = validation == null ? "n/a" : String.format(Locale.ROOT, "%.5f", validation.loss());
            return "Published " + Redaction.credentials(result.versionDir().toString()) + " (version "
                    + result.version() + "), validation loss " + loss;
        }
        return String.format(
                Locale.ROOT,
                "%s: candidate %s loss %.5f vs live %s loss %.5f",
                d.promoted() ? "Promoted" : "Kept the live model",
                result.version(),
                d.candidateValidationLoss(),
                d.liveVersion(),
                d.liveValidationLoss());
    }

    /** A record that cannot be written leaves the exit code as it is; a client then reports "no outcome". */
    private static void record(ModelStore store, RunOutcome outcome) {
        if (store == null) {
            return;
        }
        try {
            outcome.record(store);
        } catch (RuntimeException e) {
            LOG.error("cannot record the outcome of run {}: {}", outcome.runId(), LstmJob.oneLine(e));
        }
    }
}
