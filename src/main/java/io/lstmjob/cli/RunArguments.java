package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.RunOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options train and retrain share: the config, overrides and how the run relates to earlier ones. */
final class RunArguments {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description =
                    "Job config (HOCON): any Hadoop path, or a data: URI; merged over the built-in defaults (conf/default.conf).")
    String configFile;

    @Option(
            names = "--run-id",
            paramLabel = "ID",
            description = "Name this run; if the run left checkpoints, it resumes from the last one.")
    String runId;

    @Option(
            names = "--submission",
            paramLabel = "ID",
            description =
                    "Id of the spark-submit that started this run, kept in its recorded outcome (jobs/submit.sh sets it).")
    String submission;

    @Option(names = "--resume", description = "Resume the model's most recent unfinished run from its last checkpoint.")
    boolean resume;

    @Option(
            names = "--break-stale-lock",
            description =
                    "Take the model's lock from a run that is dead (its heartbeat is older than store.lockTimeoutSeconds).")
    boolean breakStaleLock;

    @Parameters(
            paramLabel = "KEY=VALUE",
            arity = "0..*",
            description = "Config overrides, e.g. train.epochs=5 input.path=hdfs://nn/data/sensors")
    List<String> overrides = new ArrayList<>();

    private ConfigFiles.Source source;

    JobConfig config() {
        return source().load(overrides);
    }

    /** A retrain's config over the data settings of the live version it starts from. */
    JobConfig configOverLive(JobConfig given, Configuration hadoop) {
        return source().overPublished(given, overrides, null, hadoop);
    }

    private ConfigFiles.Source source() {
        if (source == null) {
            source = ConfigFiles.Source.of(configFile);
        }
        return source;
    }

    RunOptions options(boolean warmStart) {
        return new RunOptions(warmStart, runId, resume, breakStaleLock);
    }
}
