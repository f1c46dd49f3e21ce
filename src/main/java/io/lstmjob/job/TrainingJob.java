package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.data.BadRecordException;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.InputDataException;
import io.lstmjob.data.InputErrors;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.store.FileContent;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.EpochLoop;
import io.lstmjob.train.HoldoutEvaluator;
import io.lstmjob.train.ValidationMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One training run end to end: data, network, epochs, then a new version in the model store. */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    /** What the run published, and the trained network as it was written. */
    public record Result(String version, Path versionDir, MetricsDocument metrics, MultiLayerNetwork network) {
    }

    private TrainingJob() {
    }

    public static Result run(SparkSession spark, JobConfig config) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        ModelStore store = new ModelStore(config.outputPath(), config.model().name(), hadoopConf);
        rejectOutputInsideInput(config, store, hadoopConf);

        PreparedData data = withReadableInputErrors(hadoopConf, () -> DatasetPreparer.prepare(spark, config.input(), config.sharding()));
        try {
            MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), config.task(),
                    data.contract().networkInputs(), data.contract().networkOutputs());
            LOG.info("Network: {} LSTM layer(s) {}, {} parameters, {} inputs, {} outputs, TBPTT {}/{}",
                    config.model().layers().size(), config.model().layers(), network.numParams(),
                    data.contract().networkInputs(), data.contract().networkOutputs(),
                    config.train().tbpttForward(), config.train().tbpttBackward());
            HoldoutEvaluator evaluator = new HoldoutEvaluator(data.contract(), config.train().batchSize());
            sc.setJobDescription("validate the untrained network");
            ValidationMetrics initial = evaluator.evaluate(sc, network, data.validation());
            EpochLoop.Outcome outcome = withReadableInputErrors(hadoopConf, () -> EpochLoop.run(sc, network, data, config.train()));

            MetricsDocument metrics = new MetricsDocument(config.task().name().toLowerCase(), outcome.epochs(), initial,
                    outcome.validation(), data.summary());
            String version = ModelStore.newVersionId();
            RunMetadata metadata = new RunMetadata(config.model().name(), version, config.resolvedJson(),
                    inputFiles(config, hadoopConf), versions(spark), BuildInfo.get("git.commit.id"),
                    sc.sparkUser(), started.toString(), Instant.now().toString(), outcome.epochs().size());
            Map<String, FileContent> files = new LinkedHashMap<>();
            files.put(ModelFiles.MODEL, out -> ModelSerializer.writeModel(outcome.network(), out, true));
            files.put(ModelFiles.DATA_CONTRACT, out -> JsonDocuments.write(data.contract(), out));
            files.put(ModelFiles.METRICS, out -> JsonDocuments.write(metrics, out));
            files.put(ModelFiles.METADATA, out -> JsonDocuments.write(metadata, out));
            Path versionDir = store.publish(version, files);
            LOG.info("Published {} (validation loss {} -> {})", versionDir,
                    initial == null ? "n/a" : initial.loss(), outcome.validation() == null ? "n/a" : outcome.validation().loss());
            return new Result(version, versionDir, metrics, outcome.network());
        } finally {
            data.release();
        }
    }

    private static void rejectOutputInsideInput(JobConfig config, ModelStore store, Configuration conf) {
        try {
            Path input = new Path(config.input().path());
            String in = input.getFileSystem(conf).makeQualified(input).toString();
            String out = store.modelDir().toString();
            if (out.equals(in) || out.startsWith(in.endsWith("/") ? in : in + "/")) {
                throw new InvalidConfigException("output.path: the model folder " + out + " lies inside input.path " + in
                        + "; a later run would read the model as input");
            }
        } catch (IOException e) {
            throw new InputDataException("cannot resolve input.path " + config.input().path() + ": " + e.getMessage());
        }
    }

    /**
     * Spark wraps executor failures in SparkException (checked, thrown undeclared from Scala); a bad
     * record is reported as file:line instead of a stack trace.
     */
    private static <T> T withReadableInputErrors(Configuration conf, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (Exception e) {
            BadRecordException bad = InputErrors.findBadRecord(e);
            if (bad != null) {
                throw new InputDataException(InputErrors.describe(bad, conf));
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static List<String> inputFiles(JobConfig config, Configuration conf) {
        return io.lstmjob.data.InputFiles.list(config.input().path(), conf).stream().map(Path::toString).toList();
    }

    private static Map<String, String> versions(SparkSession spark) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("lstm-job", BuildInfo.get("job.version"));
        versions.put("spark", spark.version());
        versions.put("deeplearning4j", BuildInfo.get("dl4j.version"));
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }
}
