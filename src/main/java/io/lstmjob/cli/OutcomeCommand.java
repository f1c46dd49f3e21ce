package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.RunOutcome;
import io.lstmjob.store.ModelStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "outcome",
        mixinStandardHelpOptions = true,
        description = {
            "How the train or retrain run --run-id ended, as it recorded in the model store: prints the line",
            "the run printed and exits with the run's exit code; 1 if it recorded none (it did not start or died).",
            "jobs/submit.sh runs this after a cluster deploy mode run, whose exit code spark-submit does not see."
        })
final class OutcomeCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "The run's job config (for output.path and model.name).")
    String configFile;

    @Option(names = "--run-id", required = true, paramLabel = "ID", description = "The run's id.")
    String runId;

    @Option(
            names = "--submission",
            paramLabel = "ID",
            description =
                    "Only an outcome recorded by this submission counts (not one of an earlier run with the same id).")
    String submission;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*", description = "The run's config overrides.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        JobConfig config = ConfigFiles.load(configFile, overrides);
        // With spark-submit's spark.hadoop.* settings, as the driver had them.
        Configuration hadoop =
                org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(new org.apache.spark.SparkConf());
        ModelStore store = new ModelStore(config.outputPath(), config.model().name(), hadoop);
        Optional<RunOutcome> outcome =
                RunOutcome.read(store, runId).filter(o -> submission == null || submission.equals(o.submission()));
        if (outcome.isEmpty()) {
            System.err.println("lstm-job: run " + runId + (submission == null ? "" : " (submission " + submission + ")")
                    + " recorded no outcome in " + store.outcomeFile(runId)
                    + ": it did not start, or it died before it ended");
            return LstmJob.FAILED;
        }
        return LstmJob.printed(outcome.get());
    }
}
