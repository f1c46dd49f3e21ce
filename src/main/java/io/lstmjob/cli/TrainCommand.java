package io.lstmjob.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a new model and publish it as the live version of output.path/model.name.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    RunArguments arguments;

    @Override
    public Integer call() throws Exception {
        return Runs.run("train", arguments, false, LstmJob.KEPT);
    }
}
