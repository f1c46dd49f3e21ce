package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.PredictionJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Forecast the next step of every step of the input's sequences with a published model.",
            "Writes rows (sequence, step, TARGET, TARGET_predicted, ...) in the input's units."
        })
final class PredictCommand implements Callable<Integer> {

    @Mixin
    ModelArguments model;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "PATH",
            description = "Output folder (any Hadoop path); must not exist.")
    String output;

    @Option(
            names = "--format",
            defaultValue = "csv",
            paramLabel = "csv|parquet",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--horizon",
            defaultValue = "0",
            paramLabel = "K",
            description =
                    "Also forecast K steps beyond the end of each sequence, feeding forecasts back (targets = features).")
    int horizon;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("csv") && !format.equals("parquet")) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--format must be csv or parquet");
        }
        JobConfig given = model.config();
        return WithSpark.run(given, spark -> {
            JobConfig config = model.configAsTrained(given, spark.sparkContext().hadoopConfiguration());
            long rows = PredictionJob.run(spark, config, model.version(), output, format, horizon);
            System.out.println("Wrote " + rows + " predictions to " + output);
            return LstmJob.OK;
        });
    }
}
