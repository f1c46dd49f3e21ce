package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.InputDataException;
import io.lstmjob.job.PublishedModel;
import io.lstmjob.model.TextSampler;
import io.lstmjob.store.ModelStore;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = "Generate text with a published character model, from a prompt (no Spark needed).")
final class SampleCommand implements Callable<Integer> {

    @Mixin
    ModelArguments model;

    @Option(names = "--prompt", required = true, description = "Text that sets the model's state.")
    String prompt;

    @Option(
            names = "--length",
            defaultValue = "200",
            description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(
            names = "--temperature",
            defaultValue = "0.8",
            description = "Below 1: safer, repetitive; above 1: more surprising (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Random seed of the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        JobConfig config = model.config();
        PublishedModel published = PublishedModel.load(
                new ModelStore(config.outputPath(), model.name(), new Configuration()), model.version());
        if (published.contract().task() != Task.CHAR_LM) {
            throw new InputDataException(model.name() + " is a forecasting model: use predict");
        }
        try {
            String text = new TextSampler(
                            published.network(), published.contract().vocabulary())
                    .sample(prompt, length, temperature, seed);
            System.out.println(prompt + text);
        } catch (IllegalArgumentException e) {
            throw new InputDataException(e.getMessage());
        }
        return LstmJob.OK;
    }
}
