package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.EvaluationJob;
import io.lstmjob.job.NewOutputPath;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.NewFiles;
import io.lstmjob.train.ValidationMetrics;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Score a published model on every step of an input, distributed on Spark.",
            "Forecasting: MSE, MAE, RMSE (scaled) and RMSE per target (input units); text: accuracy,",
            "macro precision/recall/F1 and perplexity. Prints JSON; --output also writes it."
        })
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelArguments model;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write the metrics JSON here too (any Hadoop path; not overwritten).")
    String output;

    @Override
    public Integer call() throws Exception {
        JobConfig given = model.config();
        return WithSpark.run(given, spark -> {
            JobConfig config = model.configAsTrained(given, spark.sparkContext().hadoopConfiguration());
            if (output != null) {
                NewOutputPath.require(output, spark.sparkContext().hadoopConfiguration()); // before the work, not after
            }
            ValidationMetrics metrics = EvaluationJob.run(spark, config, model.version());
            JsonDocuments.write(metrics, System.out);
            System.out.println();
            if (output != null) {
                Path path = new Path(output);
                NewFiles.write(
                        path.getFileSystem(spark.sparkContext().hadoopConfiguration()),
                        path,
                        out -> JsonDocuments.write(metrics, out));
            }
            return LstmJob.OK;
        });
    }
}
