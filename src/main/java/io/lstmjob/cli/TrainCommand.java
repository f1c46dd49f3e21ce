package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a new model and publish it as the live version of output.path/model.name.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    RunArguments arguments;

    @Override
    public Integer call() throws Exception {
        JobConfig config = arguments.config();
        return WithSpark.run(config, spark -> report(TrainingJob.run(spark, config, arguments.options(false))));
    }

    static int report(TrainingJob.Result result) {
        var validation = result.metrics().finalValidation();
        String loss = validation == null ? "n/a" : String.format(Locale.ROOT, "%.5f", validation.loss());
        if (result.decision() == null) {
            System.out.println("Published " + io.lstmjob.job.Redaction.credentials(result.versionDir().toString()) + " (version " + result.version() + "), validation loss " + loss);
            return LstmJob.OK;
        }
        var d = result.decision();
        System.out.println(String.format(Locale.ROOT, "%s: candidate %s loss %.5f vs live %s loss %.5f",
                d.promoted() ? "Promoted" : "Kept the live model", result.version(), d.candidateValidationLoss(),
                d.liveVersion(), d.liveValidationLoss()));
        return d.promoted() ? LstmJob.OK : LstmJob.KEPT;
    }
}
