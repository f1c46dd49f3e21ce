package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.train.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model and publish it as a new version under output.path/model.name.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Job config (HOCON), any Hadoop path; merged over the built-in defaults (conf/default.conf).")
    String configFile;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*",
            description = "Config overrides, e.g. train.epochs=5 input.path=hdfs://nn/data/sensors")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        String text = configFile == null ? null : readConfig(configFile);
        JobConfig config = new JobConfigLoader().load(text, configFile, overrides);
        SparkSession spark = SparkSessions.start(config.spark());
        try {
            TrainingJob.Result result = TrainingJob.run(spark, config);
            var finalValidation = result.metrics().finalValidation();
            System.out.println(String.format(Locale.ROOT, "Published %s (version %s), validation loss %s",
                    result.versionDir(), result.version(),
                    finalValidation == null ? "n/a" : String.format(Locale.ROOT, "%.5f", finalValidation.loss())));
            return LstmJob.OK;
        } finally {
            spark.stop();
        }
    }

    /** A path without a scheme is a local file when one exists (spark-submit --files puts it in the working folder). */
    private static String readConfig(String file) {
        Path path = new Path(file);
        Configuration conf = new Configuration();
        try (FSDataInputStream in = (path.toUri().getScheme() == null && new java.io.File(file).exists()
                ? org.apache.hadoop.fs.FileSystem.getLocal(conf) : path.getFileSystem(conf)).open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidConfigException("--config " + file + " cannot be read: " + e.getMessage());
        }
    }
}
