package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.InputValidation;
import io.lstmjob.report.JsonDocuments;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Read, check and plan the input exactly as train would, then stop: nothing is trained or written.",
            "Prints the dataset summary as JSON (sequences, steps, segments, steps per partition, seconds per",
            "phase). Exit 0, or 3 with the first bad record as file:line."
        })
final class ValidateCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Job config (HOCON), any Hadoop path; merged over the built-in defaults (conf/default.conf).")
    String configFile;

    @Parameters(
            paramLabel = "KEY=VALUE",
            arity = "0..*",
            description = "Config overrides, e.g. input.path=hdfs://nn/data")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        JobConfig config = ConfigFiles.load(configFile, overrides);
        return WithSpark.run(config, spark -> {
            InputValidation.Report report = InputValidation.run(spark, config);
            JsonDocuments.write(report, System.out);
            System.out.println();
            return LstmJob.OK;
        });
    }
}
