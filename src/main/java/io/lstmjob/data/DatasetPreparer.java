package io.lstmjob.data;

import io.lstmjob.config.CacheLevel;
import io.lstmjob.config.InputConfig;
import io.lstmjob.config.InvalidValuePolicy;
import io.lstmjob.config.ShortSequencePolicy;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.config.Task;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Input to sharded segments: read, rank, plan, fit the scaler or vocabulary, cut, cache. */
public final class DatasetPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);

    private DatasetPreparer() {
    }

    public static PreparedData prepare(SparkSession spark, InputConfig input, ShardingConfig sharding) {
        return prepare(spark, input, sharding, Preparation.fit());
    }

    public static PreparedData prepare(SparkSession spark, InputConfig input, ShardingConfig configured, Preparation preparation) {
        DataContract fixedContract = preparation.fixedContract();
        // A published model's outputs fix how far ahead its targets reach, whatever model.horizon says now.
        ShardingConfig sharding = fixedContract != null && fixedContract.task() == Task.FORECAST
                ? configured.withHorizon(fixedContract.stepsAhead()) : configured;
        Task task = fixedContract != null ? fixedContract.task() : input.task();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Path> files = InputFiles.list(input.path(), sc.hadoopConfiguration());
        StepTable table = SequenceSource.forFormat(input.format()).read(spark, input, files, preparation.wholeSequencesPerPartition());
        if (fixedContract != null) {
            ContractCheck.requireSameChannels(fixedContract, input.task(), table);
        }
        JavaRDD<StepRecord> steps = table.steps();
        if (input.invalidValues() == InvalidValuePolicy.SKIP) {
            sc.setJobDescription("prepare data: count rows with invalid values");
            long invalidRows = steps.filter(DatasetPreparer::hasInvalidValue).count();
            LOG.warn("input.invalidValues=skip: left out {} row(s) with empty, NaN or infinite values", invalidRows);
            steps = steps.filter(s -> !hasInvalidValue(s));
        }
        int partitions = sharding.numPartitions() > 0 ? sharding.numPartitions() : sc.defaultParallelism();

        sc.setJobDescription("prepare data: sort steps of " + files.size() + " file(s) into sequences");
        StepRanker.RankedSteps ranked = StepRanker.rank(steps, partitions,
                sharding.cacheLevel() == CacheLevel.DISK_ONLY ? StorageLevel.DISK_ONLY() : StorageLevel.MEMORY_AND_DISK_SER());
        try {
            JavaRDD<RankedStep> rankedSteps = ranked.steps();
            if (input.invalidValues() == InvalidValuePolicy.INTERPOLATE) {
                sc.setJobDescription("prepare data: interpolate invalid values");
                InvalidValueInterpolator.Filled filled = InvalidValueInterpolator.fill(sc, rankedSteps,
                        table.featureNames(), table.targetNames());
                LOG.warn("input.invalidValues=interpolate: filled {} empty, NaN or infinite cell(s)", filled.cells());
                rankedSteps = filled.steps();
            }
            PreparedData prepared = task == Task.CLASSIFY
                    ? examples(sc, ranked, rankedSteps, table, sharding, partitions, preparation)
                    : segments(sc, input, ranked.catalog(), rankedSteps, table, sharding, partitions, preparation);
            DatasetSummary summary = prepared.summary();
            LOG.info("Prepared {} sequence(s), {} steps: {} training {} ({} pairs), {} validation {} ({} pairs); "
                            + "training steps per partition {}", summary.sequences(), summary.steps(), summary.trainSegments(),
                    task == Task.CLASSIFY ? "sequences" : "segments", summary.trainPairs(), summary.validationSegments(),
                    task == Task.CLASSIFY ? "sequences" : "segments", summary.validationPairs(),
                    Arrays.toString(summary.trainStepsPerPartition()));
            if (summary.validationSegments() == 0 && sharding.validationFraction() > 0) {
                LOG.warn("The validation split is empty: the {} too short for validation.fraction={}",
                        task == Task.CLASSIFY ? "input has too few sequences" : "sequences are", sharding.validationFraction());
            }
            return new PreparedData(prepared.train(), prepared.validation(), prepared.contract(), summary, List.copyOf(files),
                    prepared.cached());
        } finally {
            ranked.release();
            sc.setJobDescription(null);
        }
    }

    /** Forecasting and the character model: sequences cut into segments of training pairs. */
    private static PreparedData segments(JavaSparkContext sc, InputConfig input, SequenceCatalog catalog,
                                         JavaRDD<RankedStep> rankedSteps, StepTable table, ShardingConfig sharding,
                                         int partitions, Preparation preparation) {
        DataContract fixedContract = preparation.fixedContract();
        long minPairs = preparation.wholeSequencesPerPartition() ? 1 : shortSequenceMinimum(input, catalog, sharding.horizon());
        SegmentPlan plan = SegmentPlan.build(catalog, sharding, partitions, preparation.wholeSequencesPerPartition(), minPairs);
        if (plan.segments(false) == 0) {
            throw new InputDataException("no sequence is long enough to train on: " + catalog.size()
                    + " sequence(s), the longest has " + longest(catalog) + " step(s); at least " + (sharding.horizon() + 1)
                    + " are needed"
                    + (sharding.validationFraction() > 0 ? " beyond the validation tail" : ""));
        }
        Broadcast<SegmentPlan> planBroadcast = sc.broadcast(plan);
        boolean text = input.task() == Task.CHAR_LM;
        sc.setJobDescription("prepare data: fit " + (text ? "vocabulary" : "scaler"));
        DataContract contract = fixedContract != null
                ? ContractCheck.requireKnownCharacters(fixedContract, rankedSteps)
                : text
                ? DataContract.charModel(vocabularyOf(rankedSteps))
                : DataContract.forecast(table.featureNames(), table.targetNames(),
                ScalerFitter.fit(rankedSteps, planBroadcast, table.featureNames().size(), table.targetNames().size()),
                sharding.horizon());

        sc.setJobDescription("prepare data: cut " + plan.segmentCount() + " segments over " + partitions + " partitions");
        JavaRDD<Segment> segments = Segmenter.cut(rankedSteps, planBroadcast).persist(storageLevel(sharding));
        long count = segments.count();
        if (count != plan.segmentCount()) {
            throw new IllegalStateException("cut " + count + " segments, planned " + plan.segmentCount());
        }
        DatasetSummary summary = new DatasetSummary(catalog.size(), catalog.totalSteps(),
                plan.pairs(false), plan.pairs(true), plan.segments(false), plan.segments(true), partitions,
                plan.trainStepsPerPartition());
        return new PreparedData(segments.filter(s -> !s.validation()), segments.filter(Segment::validation),
                contract, summary, List.of(), segments);
    }

    /**
     * Sequence classification: every whole sequence one example with its label's class. The
     * classes are the training input's labels, or the model's when one is given. The summary
     * counts sequences as segments and steps as pairs.
     */
    private static PreparedData examples(JavaSparkContext sc, StepRanker.RankedSteps ranked, JavaRDD<RankedStep> rankedSteps,
                                         StepTable table, ShardingConfig sharding, int partitions, Preparation preparation) {
        DataContract fixedContract = preparation.fixedContract();
        SequenceCatalog catalog = ranked.catalog();
        sc.setJobDescription("prepare data: read the label of every sequence");
        Map<String, String> labels = SequenceLabels.collect(ranked.cached());
        List<String> classes = fixedContract != null ? fixedContract.classes() : SequenceLabels.classes(labels);
        if (fixedContract == null && classes.size() < 2) {
            throw new InputDataException("the label column holds " + classes.size() + " distinct label(s) " + classes
                    + "; a classifier needs at least 2");
        }
        if (!preparation.wholeSequencesPerPartition() && labels.size() < catalog.size()) {
            throw new InputDataException((catalog.size() - labels.size()) + " sequence(s) have no label");
        }
        int[] classOfSequence = SequenceLabels.indexOf(catalog, labels, classes);
        double fraction = preparation.wholeSequencesPerPartition() ? 0 : sharding.validationFraction();
        ExamplePlan plan = ExamplePlan.build(catalog, classOfSequence, fraction, partitions);
        if (plan.count(false) == 0) {
            throw new InputDataException("no sequence is left to train on: " + catalog.size()
                    + " sequence(s), all held out by validation.fraction=" + fraction);
        }
        Broadcast<ExamplePlan> planBroadcast = sc.broadcast(plan);
        sc.setJobDescription("prepare data: fit scaler");
        DataContract contract = fixedContract != null ? fixedContract
                : DataContract.classifier(table.featureNames(), classes,
                ScalerFitter.fitInputs(rankedSteps, planBroadcast, table.featureNames().size()));

        sc.setJobDescription("prepare data: gather " + plan.examples() + " sequences over " + partitions + " partitions");
        JavaRDD<Segment> examples = ExampleCutter.cut(rankedSteps, planBroadcast).persist(storageLevel(sharding));
        long count = examples.count();
        if (count != plan.examples()) {
            throw new IllegalStateException("gathered " + count + " sequences, planned " + plan.examples());
        }
        DatasetSummary summary = new DatasetSummary(catalog.size(), catalog.totalSteps(), plan.steps(false), plan.steps(true),
                plan.count(false), plan.count(true), partitions, plan.trainStepsPerPartition());
        return new PreparedData(examples.filter(s -> !s.validation()), examples.filter(Segment::validation),
                contract, summary, List.of(), examples);
    }

    private static StorageLevel storageLevel(ShardingConfig sharding) {
        return switch (sharding.cacheLevel()) {
            case MEMORY_AND_DISK -> StorageLevel.MEMORY_AND_DISK();
            case MEMORY_AND_DISK_SER -> StorageLevel.MEMORY_AND_DISK_SER();
            case DISK_ONLY -> StorageLevel.DISK_ONLY();
        };
    }

    private static boolean hasInvalidValue(StepRecord step) {
        for (float v : step.features()) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        for (float v : step.targets()) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fewest training pairs a sequence needs (one TBPTT window): fails on the first shorter
     * sequence, or with input.shortSequences=skip counts them and lets the plan leave them out.
     */
    private static long shortSequenceMinimum(InputConfig input, SequenceCatalog catalog, int horizon) {
        List<String> shorter = new java.util.ArrayList<>();
        for (int i = 0; i < catalog.size(); i++) {
            if (catalog.length(i) - horizon < input.minPairs()) {
                shorter.add(catalog.id(i) + " (" + catalog.length(i) + " steps)");
            }
        }
        if (shorter.isEmpty()) {
            return 1;
        }
        if (input.shortSequences() == ShortSequencePolicy.FAIL) {
            throw new InputDataException(shorter.size() + " sequence(s) are shorter than one TBPTT window of "
                    + input.minPairs() + " steps, e.g. " + String.join(", ", shorter.subList(0, Math.min(3, shorter.size())))
                    + "; set input.shortSequences=skip to leave them out");
        }
        if (shorter.size() == catalog.size()) {
            throw new InputDataException("all " + catalog.size() + " sequence(s) were left out: every one is shorter than one "
                    + "TBPTT window of " + input.minPairs() + " steps (input.shortSequences=skip)");
        }
        LOG.warn("input.shortSequences=skip: left out {} of {} sequence(s) shorter than one TBPTT window of {} steps",
                shorter.size(), catalog.size(), input.minPairs());
        return input.minPairs();
    }

    private static Vocabulary vocabularyOf(JavaRDD<RankedStep> steps) {
        List<Integer> distinct = steps.map(s -> (int) s.features()[0]).distinct().collect();
        int[] codePoints = distinct.stream().mapToInt(Integer::intValue).sorted().toArray();
        if (codePoints.length < 2) {
            throw new InputDataException("the text has " + codePoints.length
                    + " distinct character(s); a character model needs at least 2");
        }
        return new Vocabulary(codePoints);
    }

    private static long longest(SequenceCatalog catalog) {
        long max = 0;
        for (int i = 0; i < catalog.size(); i++) {
            max = Math.max(max, catalog.length(i));
        }
        return max;
    }
}
