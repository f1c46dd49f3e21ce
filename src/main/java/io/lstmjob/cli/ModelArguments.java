package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options of the commands that use a published model: which one, on what input, with which config. */
final class ModelArguments {

    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "NAME[@VERSION]",
            description = "Model name under output.path, optionally with a version id (default: the live version).")
    String model;

    @Option(
            names = {"-i", "--input"},
            paramLabel = "PATH",
            description = "Input path (sets input.path).")
    String input;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description =
                    "Job config for output.path and Spark; the input is read with the version's own settings unless this or KEY=VALUE sets them.")
    String configFile;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*", description = "Config overrides.")
    List<String> overrides = new ArrayList<>();

    private ConfigFiles.Source source;

    /** The config as given: enough to find the store and start Spark. */
    JobConfig config() {
        return source().load(allOverrides());
    }

    /** The config over the data settings of the version used: what the command reads its input with. */
    JobConfig configAsTrained(JobConfig given, Configuration hadoop) {
        return source().overPublished(given, allOverrides(), version(), hadoop);
    }

    private ConfigFiles.Source source() {
        if (source == null) {
            source = ConfigFiles.Source.of(configFile);
        }
        return source;
    }

    private List<String> allOverrides() {
        List<String> all = new ArrayList<>(overrides);
        all.add("model.name=" + name());
        if (input != null) {
            all.add("input.path=" + input);
        }
        return all;
    }

    String name() {
        int at = model.indexOf('@');
        return at < 0 ? model : model.substring(0, at);
    }

    /** The version after '@', or null for the live one. */
    String version() {
        int at = model.indexOf('@');
        return at < 0 ? null : model.substring(at + 1);
    }
}
