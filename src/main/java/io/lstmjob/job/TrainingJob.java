package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.InputDataException;
import io.lstmjob.data.Preparation;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.store.CheckpointStore;
import io.lstmjob.store.FileContent;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.store.RunLock;
import io.lstmjob.train.EpochLoop;
import io.lstmjob.train.HoldoutEvaluator;
import io.lstmjob.train.ValidationMetrics;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run end to end, under the model's lock: data, network (fresh, warm-started from the live
 * version, or restored from the run's last checkpoint), epochs with a checkpoint after each, then
 * a new version in the model store, made live unless a retrain's gate says otherwise.
 */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    /** What the run published, and the trained network as it was written. */
    public record Result(
            String version,
            Path versionDir,
            MetricsDocument metrics,
            MultiLayerNetwork network,
            RetrainDecision decision) {
        /** False only for a retrain whose candidate did not beat the live model. */
        public boolean live() {
            return decision == null || decision.promoted();
        }
    }

    private TrainingJob() {}

    public static Result run(SparkSession spark, JobConfig config) {
        return run(spark, config, RunOptions.train());
    }

    public static Result run(SparkSession spark, JobConfig config, RunOptions options) {
        requireWritableOutput(config);
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        ModelStore store = new ModelStore(config.outputPath(), config.model().name(), hadoopConf);
        rejectOutputInsideInput(config, store, hadoopConf);
        String runId = runIdOf(store, options);
        try (RunLock lock = store.lock(runId, config.store().lockTimeoutSeconds(), options.breakStaleLock())) {
            Optional<Result> earlier = PublishedRuns.find(store, runId);
            if (earlier.isPresent()) {
                // A scheduler's retry of a night that already published: the same answer, once the
                // publish is complete (the first try may have died before LATEST moved or cleanup).
                return completed(store, config, runId, earlier.get());
            }
            return runLocked(spark, sc, config, options, store, runId, started);
        }
    }

    private static final java.util.Set<String> OBJECT_STORES = java.util.Set.of(
            "s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "adl", "oss", "cos", "cosn", "obs");

    /**
     * The store's promises need a file system: on an object store a folder rename copies and
     * deletes, a create without overwrite checks and then writes, and S3A keeps no modification
     * times for the lock's heartbeat. Refused before anything runs rather than half kept.
     */
    public static void requireWritableOutput(JobConfig config) {
        String scheme = new Path(config.outputPath()).toUri().getScheme();
        if (scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(java.util.Locale.ROOT))) {
            throw new InvalidConfigException("output.path: " + scheme
                    + ":// is an object store, where a folder rename copies"
                    + " and deletes and a create is not exclusive, so a publish would not be atomic nor the lock a lock;"
                    + " write models to HDFS or a mounted file system (the input may stay on " + scheme + "://)");
        }
    }

    private static String runIdOf(ModelStore store, RunOptions options) {
        if (options.runId() != null) {
            return options.runId();
        }
        if (options.resume()) {
            return store.unfinishedRun()
                    .orElseThrow(() -> new ModelStoreException(
                            "--resume: " + store.modelDir() + " has no unfinished run to resume"));
        }
        return ModelStore.newVersionId();
    }

    /**
     * One run, in the README's order: the starting point (a checkpoint, the live model or a new
     * network) and the prepared input; the epochs; the retrain gate's decision; the version published.
     */
    private static Result runLocked(
            SparkSession spark,
            JavaSparkContext sc,
            JobConfig config,
            RunOptions options,
            ModelStore store,
            String runId,
            Instant started) {
        CheckpointStore checkpoints = store.checkpoints(runId);
        String resolvedConfig = Redaction.credentials(config.resolvedJson());
        Start start = startingPoint(spark, sc, config, options, store, checkpoints, runId, resolvedConfig);
        try {
            EpochLoop.Outcome outcome = train(sc, config, runId, resolvedConfig, checkpoints, start);
            RetrainDecision decision = options.warmStart()
                    ? RetrainDecision.of(config.retrain(), start.parent(), start.initial(), outcome.validation())
                    : null;
            return publish(spark, sc, config, store, runId, started, resolvedConfig, start, outcome, decision);
        } finally {
            start.data().release();
        }
    }

    /**
     * Where the epochs start: the prepared input, the network (from the run's checkpoint, the live
     * model for a warm start, or new), the epochs already done, the validation before training, and
     * the version the run started from.
     */
    private record Start(
            PreparedData data,
            MultiLayerNetwork network,
            EpochLoop.Progress done,
            ValidationMetrics initial,
            String parent) {}

    private static Start startingPoint(
            SparkSession spark,
            JavaSparkContext sc,
            JobConfig config,
            RunOptions options,
            ModelStore store,
            CheckpointStore checkpoints,
            String runId,
            String resolvedConfig) {
        Optional<RunCheckpoint.Restored> restored =
                checkpoints.latest().map(epoch -> RunCheckpoint.load(checkpoints, epoch));
        restored.ifPresent(r -> ResumeCheck.requireSameConfig(runId, r.state().config(), resolvedConfig));
        PublishedModel live = options.warmStart() ? liveModel(store) : null;
        if (options.warmStart()) {
            RetrainDecision.requireJudgeable(config);
        }
        DataContract fixedContract =
                restored.map(RunCheckpoint.Restored::contract).orElse(live == null ? null : live.contract());
        PreparedData data = InputErrorTranslation.readable(
                sc.hadoopConfiguration(),
                () -> DatasetPreparer.prepare(
                        spark,
                        config.input(),
                        config.sharding(),
                        fixedContract == null ? Preparation.fit() : Preparation.reuse(fixedContract)));
        try {
            Start start;
            if (restored.isPresent()) {
                RunCheckpoint state = restored.get().state();
                start = new Start(
                        data,
                        restored.get().network(),
                        restored.get().progress(),
                        state.initialValidation(),
                        state.parentVersion());
                LOG.info(
                        "Resuming run {} after epoch {} of {}",
                        runId,
                        state.epoch(),
                        config.train().epochs());
            } else {
                MultiLayerNetwork network = live != null
                        ? live.network()
                        : NetworkFactory.create(
                                config.model(),
                                config.train(),
                                config.task(),
                                data.contract().networkInputs(),
                                data.contract().networkOutputs());
                sc.setJobDescription(
                        live != null
                                ? "validate the live version " + live.version()
                                : "validate the untrained network");
                ValidationMetrics initial = new HoldoutEvaluator(
                                data.contract(), config.train().batchSize())
                        .evaluate(sc, network, data.validation());
                start = new Start(
                        data, network, EpochLoop.Progress.NONE, initial, live == null ? null : live.version());
            }
            if (options.warmStart()) {
                RetrainDecision.requireComparable(config, start.parent(), start.initial());
            }
            LOG.info(
                    "Run {}: layers {}, {} parameters, {} inputs, {} outputs{}",
                    runId,
                    start.network().getLayerWiseConfigurations().getConfs().stream()
                            .map(c -> c.getLayer().getClass().getSimpleName())
                            .toList(),
                    start.network().numParams(),
                    data.contract().networkInputs(),
                    data.contract().networkOutputs(),
                    start.parent() == null ? "" : ", warm start from " + start.parent());
            return start;
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
    }

    /** The epochs, each checkpointed with what a resume needs. */
    private static EpochLoop.Outcome train(
            JavaSparkContext sc,
            JobConfig config,
            String runId,
            String resolvedConfig,
            CheckpointStore checkpoints,
            Start start) {
        PreparedData data = start.data();
        return InputErrorTranslation.readable(
                sc.hadoopConfiguration(),
                () -> EpochLoop.run(
                        sc,
                        start.network(),
                        data,
                        config.train(),
                        start.done(),
                        (net, progress) -> RunCheckpoint.after(
                                        runId, start.parent(), progress, start.initial(), resolvedConfig)
                                .save(
                                        checkpoints,
                                        net,
                                        data.contract(),
                                        progress.averagingLookahead(),
                                        progress.best() == null
                                                ? null
                                                : progress.best().parameters())));
    }

    /** The version's files (model, contract, metrics, metadata, report) published, live unless the gate kept the old one; then cleanup and retention. */
    private static Result publish(
            SparkSession spark,
            JavaSparkContext sc,
            JobConfig config,
            ModelStore store,
            String runId,
            Instant started,
            String resolvedConfig,
            Start start,
            EpochLoop.Outcome outcome,
            RetrainDecision decision) {
        PreparedData data = start.data();
        Configuration hadoopConf = sc.hadoopConfiguration();
        MetricsDocument metrics = new MetricsDocument(
                config.task().name().toLowerCase(),
                outcome.epochs(),
                start.initial(),
                outcome.validation(),
                outcome.bestEpoch(),
                data.summary(),
                decision);
        boolean makeLive = decision == null || decision.promoted();
        String version = ModelStore.newVersionId();
        RunMetadata metadata = new RunMetadata(
                config.model().name(),
                version,
                runId,
                start.parent(),
                resolvedConfig,
                inputFiles(data.files(), hadoopConf),
                versions(spark),
                BuildInfo.get("git.commit.id"),
                sc.sparkUser(),
                started.toString(),
                Instant.now().toString(),
                outcome.epochs().size(),
                makeLive);
        Map<String, FileContent> files = new LinkedHashMap<>();
        files.put(ModelFiles.MODEL, out -> ModelSerializer.writeModel(outcome.network(), out, true));
        files.put(ModelFiles.DATA_CONTRACT, out -> JsonDocuments.write(data.contract(), out));
        files.put(ModelFiles.METRICS, out -> JsonDocuments.write(metrics, out));
        files.put(ModelFiles.METADATA, out -> JsonDocuments.write(metadata, out));
        String report = io.lstmjob.report.RunReport.html(
                config.model().name() + " " + version,
                metrics,
                resolvedConfig,
                HoldoutForecast.of(outcome.network(), data));
        files.put(ModelFiles.REPORT, out -> out.write(report.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Path versionDir = store.publish(version, files, makeLive);
        store.checkpoints(runId).delete();
        List<String> removed = retainQuietly(store, config);
        LOG.info(
                "Published {}{} (validation loss {} -> {}){}",
                Redaction.credentials(versionDir.toString()),
                makeLive ? " as the live version" : " (not live)",
                start.initial() == null ? "n/a" : start.initial().loss(),
                outcome.validation() == null ? "n/a" : outcome.validation().loss(),
                removed.isEmpty() ? "" : "; removed old versions " + removed);
        if (decision != null) {
            LOG.info(
                    "Retrain decision: {} (live {} loss {}, candidate loss {}, required improvement {})",
                    decision.promoted() ? "promoted" : "kept the live model",
                    decision.liveVersion(),
                    decision.liveValidationLoss(),
                    decision.candidateValidationLoss(),
                    decision.minImprovement());
        }
        return new Result(version, versionDir, metrics, outcome.network(), decision);
    }

    /**
     * Finishes what a run that already published may have left undone: LATEST moved to its version
     * (if it was to go live and nothing newer went live since), checkpoints removed, retention applied.
     */
    private static Result completed(ModelStore store, JobConfig config, String runId, Result earlier) {
        Optional<String> live = store.liveVersion();
        if (earlier.live() && !live.equals(Optional.of(earlier.version()))) {
            if (live.isPresent() && live.get().compareTo(earlier.version()) > 0) {
                throw new ModelStoreException(
                        "run " + runId + " published " + earlier.version() + " but did not make it live," + " and "
                                + live.get() + ", published since, is live: " + earlier.version() + " stays as it is");
            }
            LOG.info("Run {} published version {} but did not move LATEST: moving it now", runId, earlier.version());
            store.makeLive(earlier.version());
        } else {
            LOG.info("Run {} already published version {}; nothing to do", runId, earlier.version());
        }
        store.checkpoints(runId).delete();
        retainQuietly(store, config);
        return earlier;
    }

    /** A publish that succeeded stays a success when old versions cannot be removed; the next run tries again. */
    private static List<String> retainQuietly(ModelStore store, JobConfig config) {
        try {
            return store.retain(config.store().keepVersions());
        } catch (ModelStoreException e) {
            LOG.warn("Published, but old versions were not removed: {}", e.getMessage());
            return List.of();
        }
    }

    private static PublishedModel liveModel(ModelStore store) {
        if (store.liveVersion().isEmpty()) {
            throw new ModelStoreException(
                    "retrain: " + store.modelDir() + " has no live version to start from; run train first");
        }
        return PublishedModel.load(store, null);
    }

    private static void rejectOutputInsideInput(JobConfig config, ModelStore store, Configuration conf) {
        try {
            Path input = new Path(config.input().path());
            String in = input.getFileSystem(conf).makeQualified(input).toString();
            String out = store.modelDir().toString();
            if (out.equals(in) || out.startsWith(in.endsWith("/") ? in : in + "/")) {
                throw new InvalidConfigException("output.path: the model folder " + out + " lies inside input.path "
                        + in + "; a later run would read the model as input");
            }
        } catch (IOException e) {
            throw new InputDataException(
                    "cannot resolve input.path " + config.input().path() + ": " + e.getMessage());
        }
    }

    private static List<InputFileInfo> inputFiles(List<Path> read, Configuration conf) {
        List<InputFileInfo> files = new ArrayList<>();
        for (Path path : read) {
            try {
                FileStatus status = path.getFileSystem(conf).getFileStatus(path);
                files.add(new InputFileInfo(
                        Redaction.credentials(path.toString()),
                        status.getLen(),
                        Instant.ofEpochMilli(status.getModificationTime()).toString()));
            } catch (IOException e) {
                throw new InputDataException("cannot read the status of " + path + ": " + e.getMessage());
            }
        }
        return files;
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
