package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.train.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = {"Warm-start from the live version (parameters and updater state), train on the input, and",
                "promote the candidate only if it beats the live model on the same holdout (retrain.promote,",
                "retrain.minImprovement). Exit 0: promoted; 10: kept the live model; other: failed."})
final class RetrainCommand implements Callable<Integer> {

    @Mixin
    RunArguments arguments;

    @Override
    public Integer call() {
        JobConfig config = arguments.config();
        SparkSession spark = SparkSessions.start(config.spark());
        try {
            return TrainCommand.report(TrainingJob.run(spark, config, arguments.options(true)));
        } finally {
            spark.stop();
        }
    }
}
