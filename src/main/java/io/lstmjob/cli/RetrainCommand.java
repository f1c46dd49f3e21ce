package io.lstmjob.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "retrain",
        mixinStandardHelpOptions = true,
        description = {
            "Warm-start from the live version (parameters and updater state), train on the input, and",
            "promote the candidate only if it beats the live model on the same holdout (retrain.promote,",
            "retrain.minImprovement). Exit 0: promoted; 10: kept the live model; other: failed."
        })
final class RetrainCommand implements Callable<Integer> {

    @Mixin
    RunArguments arguments;

    @Option(
            names = "--kept-exit-code",
            defaultValue = "10",
            paramLabel = "CODE",
            description =
                    "Exit code when the live model is kept (default: ${DEFAULT-VALUE}; 0 for schedulers that treat it as success).")
    int keptExitCode;

    @Override
    public Integer call() throws Exception {
        return Runs.run("retrain", arguments, true, keptExitCode);
    }
}
