package io.lstmjob.cli;

import io.lstmjob.bench.DataBench;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench-data",
        mixinStandardHelpOptions = true,
        description = {
            "The data path against Spark's own read of the same files (jobs/bench-data.sh): generates the",
            "inputs into --dir where missing, runs validate and Spark's read alternately, each in a fresh JVM,",
            "and prints every run's JSON and a table of times, ratios and peak RSS."
        })
final class BenchDataCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            defaultValue = "${sys:java.io.tmpdir}/lstm-job-bench-data",
            description = "Where the inputs are (generated once).")
    Path dir;

    @Option(
            names = "--inputs",
            split = ",",
            defaultValue = "TEXT_25MB,TEXT_250MB,CSV_1M,CSV_10M",
            description = "Which inputs: ${COMPLETION-CANDIDATES}.")
    List<DataBench.Input> inputs;

    @Option(names = "--runs", defaultValue = "2", description = "Runs of each side per input.")
    int runs;

    @Option(
            names = "--sample",
            defaultValue = "data-samples/sonnets/sonnets.txt",
            description = "The text repeated for the text inputs.")
    Path sample;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A job config override for validate's runs, e.g. spark.storageLevel=disk-only.")
    List<String> overrides = new java.util.ArrayList<>();

    @Option(names = "--measure", hidden = true, description = "ours or spark: one measurement in this JVM.")
    String measure;

    @Option(names = "--format", hidden = true)
    String format;

    @Option(names = "--input", hidden = true)
    String input;

    @Override
    public Integer call() throws Exception {
        if (measure != null) {
            Map<String, Object> result = DataBench.measure(measure, format, input, overrides);
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(result));
            return LstmJob.OK;
        }
        DataBench.run(dir, inputs, runs, sample, overrides);
        return LstmJob.OK;
    }
}
