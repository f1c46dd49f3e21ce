package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.InputFormat;
import io.lstmjob.config.InvalidValuePolicy;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.config.ShortSequencePolicy;
import io.lstmjob.config.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.ShuffledRDD;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag$;

/**
 * Input to sharded segments, in named phases: list the files; a census of the sequences (text: count
 * each split's characters; tables: parse, sort by sequence and order, count, check); plan the pieces
 * (segments, or whole sequences for a classifier) on the driver; cut them while streaming the input
 * once more (text) or the sorted rows (tables), send each to the partition that trains it and cache
 * it; fit the scaler in the pass that counts the cached segments. See README.md's Architecture
 * section for what a step costs on each path.
 */
public final class DatasetPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);
    /** Bytes of input per partition of the tables' sort. */
    private static final long SORT_BYTES_PER_PARTITION = 128L << 20;

    private DatasetPreparer() {}

    public static PreparedData prepare(SparkSession spark, InputConfig input, ShardingConfig sharding) {
        return prepare(spark, input, sharding, Preparation.fit());
    }

    public static PreparedData prepare(
            SparkSession spark, InputConfig input, ShardingConfig configured, Preparation preparation) {
        DataContract fixed = preparation.fixedContract();
        // A published model's outputs fix how far ahead its targets reach, whatever model.horizon says now.
        ShardingConfig sharding = fixed != null && fixed.task() == Task.FORECAST
                ? configured.withHorizon(fixed.stepsAhead())
                : configured;
        if (fixed != null) {
            ContractCheck.requireSameTask(fixed, input.task());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        InputFiles listed = InputFiles.list(input.path(), sc.hadoopConfiguration());
        List<Path> files = listed.files();
        int partitions = sharding.numPartitions() > 0 ? sharding.numPartitions() : sc.defaultParallelism();
        try (PreparationPhases phases = new PreparationPhases(sc, listed.bytes())) {
            Prepared prepared = input.task() == Task.CHAR_LM
                    ? text(sc, input, listed, sharding, partitions, preparation, phases)
                    : table(spark, input, listed, sharding, partitions, preparation, phases);
            DatasetSummary summary = prepared.summary(listed.bytes(), phases.timings());
            boolean classify = input.task() == Task.CLASSIFY;
            LOG.info(
                    "Prepared {} sequence(s), {} steps: {} training {} ({} pairs), {} validation {} ({} pairs); "
                            + "training steps per partition {}",
                    summary.sequences(),
                    summary.steps(),
                    summary.trainSegments(),
                    classify ? "sequences" : "segments",
                    summary.trainPairs(),
                    summary.validationSegments(),
                    classify ? "sequences" : "segments",
                    summary.validationPairs(),
                    Arrays.toString(summary.trainStepsPerPartition()));
            if (summary.validationSegments() == 0 && sharding.validationFraction() > 0) {
                LOG.warn(
                        "The validation split is empty: the {} too short for validation.fraction={}",
                        classify ? "input has too few sequences" : "sequences are",
                        sharding.validationFraction());
            }
            JavaRDD<Segment> segments = prepared.segments();
            return new PreparedData(
                    segments.filter(s -> !s.validation()),
                    segments.filter(Segment::validation),
                    prepared.contract(),
                    summary,
                    List.copyOf(files),
                    segments);
        }
    }

    /** What a path prepared: the cached segments, their contract, and the counts of the summary. */
    private record Prepared(
            JavaRDD<Segment> segments,
            DataContract contract,
            SequenceCatalog catalog,
            long trainPairs,
            long validationPairs,
            int trainSegments,
            int validationSegments,
            int partitions,
            long[] trainStepsPerPartition,
            long skippedRows,
            long filledCells) {
        DatasetSummary summary(long inputBytes, List<DatasetSummary.Phase> phases) {
            return new DatasetSummary(
                    inputBytes,
                    catalog.size(),
                    catalog.totalSteps(),
                    trainPairs,
                    validationPairs,
                    trainSegments,
                    validationSegments,
                    partitions,
                    trainStepsPerPartition,
                    skippedRows,
                    filledCells,
                    cachedBytes(segments),
                    phases);
        }

        static Prepared of(
                JavaRDD<Segment> segments, DataContract contract, SegmentPlan plan, long skipped, long filled) {
            return new Prepared(
                    segments,
                    contract,
                    plan.catalog(),
                    plan.pairs(false),
                    plan.pairs(true),
                    plan.segments(false),
                    plan.segments(true),
                    plan.partitions(),
                    plan.trainStepsPerPartition(),
                    skipped,
                    filled);
        }

        static Prepared of(
                JavaRDD<Segment> segments, DataContract contract, ExamplePlan plan, long skipped, long filled) {
            return new Prepared(
                    segments,
                    contract,
                    plan.catalog(),
                    plan.steps(false),
                    plan.steps(true),
                    plan.count(false),
                    plan.count(true),
                    plan.partitions(),
                    plan.trainStepsPerPartition(),
                    skipped,
                    filled);
        }
    }

    /** The character model: every file one sequence, read by position, no sort. */
    private static Prepared text(
            JavaSparkContext sc,
            InputConfig input,
            InputFiles listed,
            ShardingConfig sharding,
            int partitions,
            Preparation preparation,
            PreparationPhases phases) {
        List<Path> files = listed.files();
        TextInput text = new TextInput(
                InputSplits.of(sc, files, listed.bytes()), files, input.maxLineBytes(), phases.bytesRead());
        TextInput.Census census = phases.run("count the characters of " + files.size() + " file(s)", text::census);
        DataContract fixed = preparation.fixedContract();
        if (fixed != null) {
            ContractCheck.requireKnownCharacters(fixed, census.codePoints());
        } else if (census.codePoints().length < 2) {
            throw new InputDataException("the text has " + census.codePoints().length
                    + " distinct character(s); a character model needs at least 2");
        }
        DataContract contract = fixed != null ? fixed : DataContract.charModel(new Vocabulary(census.codePoints()));
        List<String> ids = files.stream().map(Path::toString).toList();
        SequenceCatalog catalog = catalog(ids, census.fileSteps());
        SegmentPlan plan = segmentPlan(catalog, input, sharding, partitions, preparation);
        Broadcast<SegmentPlan> planned = sc.broadcast(plan);
        JavaRDD<Segment> segments = phases.run(cutPhase(plan.pieces(), "segments", partitions), () -> {
            JavaRDD<Segment> cut = join(text.cut(planned, census, contract.vocabulary()), planned, 1, sharding);
            requireAll(cut.count(), plan);
            return cut;
        });
        return Prepared.of(segments, contract, plan, 0, 0);
    }

    /**
     * A table's steps for scoring with a published model's contract: read, sorted and checked as
     * training input is (a label column may be missing), every sequence kept, and no plan, cut or
     * cache: see {@link ScoringInput}. The checks run here, before anything is scored or written.
     */
    public static ScoringInput scoringInput(SparkSession spark, InputConfig input, DataContract contract) {
        ContractCheck.requireSameTask(contract, input.task());
        if (input.task() == Task.CHAR_LM) {
            throw new IllegalArgumentException("a character model's input is text, not a table of steps");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        InputFiles listed = InputFiles.list(input.path(), sc.hadoopConfiguration());
        try (PreparationPhases phases = new PreparationPhases(sc, listed.bytes())) {
            Census census = census(spark, input, listed, contract, true, phases);
            if (input.task() == Task.CLASSIFY) {
                classOfEachSequence(census.catalog(), census.tallies(), contract.classes(), true);
            }
            return new ScoringInput(census.sorted().steps(), contract);
        }
    }

    /** A table read, sorted and counted: the census of its sequences, with every check made on the way. */
    private record Census(
            SortedTable sorted,
            ColumnRoles roles,
            List<SortedTable.Tally> tallies,
            SequenceCatalog catalog,
            long skipped,
            long filled) {}

    /** @param fixed the contract the input must fit, or null for a new model */
    private static Census census(
            SparkSession spark,
            InputConfig input,
            InputFiles listed,
            DataContract fixed,
            boolean labelsOptional,
            PreparationPhases phases) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Path> files = listed.files();
        boolean csv = input.format() == InputFormat.CSV;
        TableRows rows = csv
                ? CsvRows.read(
                        spark,
                        input,
                        InputSplits.of(sc, files, listed.bytes()),
                        files,
                        labelsOptional,
                        phases.bytesRead())
                : ParquetRows.read(spark, input, files, labelsOptional);
        if (fixed != null) {
            ContractCheck.requireSameChannels(fixed, input.task(), rows.roles().featureNames, rows.roles().targetNames);
        }
        int sortPartitions = (int)
                Math.max(sc.defaultParallelism(), Math.min(100_000, listed.bytes() / SORT_BYTES_PER_PARTITION + 1));
        SortedTable sorted = SortedTable.sort(rows, sortPartitions, csv, input.invalidValues(), input.strictOrder());
        List<SortedTable.Tally> tallies =
                phases.run("read, sort and check the rows of " + files.size() + " file(s)", sorted::census);
        if (tallies.isEmpty()) {
            throw new InputDataException("the input holds no data rows");
        }
        tallies = new ArrayList<>(tallies);
        tallies.sort(Comparator.comparing(SortedTable.Tally::id));
        long skipped =
                tallies.stream().mapToLong(SortedTable.Tally::skippedRows).sum();
        long filled =
                tallies.stream().mapToLong(SortedTable.Tally::invalidCells).sum();
        if (input.invalidValues() == InvalidValuePolicy.SKIP) {
            LOG.warn("input.invalidValues=skip: left out {} row(s) with empty, NaN or infinite values", skipped);
        }
        if (input.invalidValues() == InvalidValuePolicy.INTERPOLATE) {
            LOG.warn("input.invalidValues=interpolate: filling {} empty, NaN or infinite cell(s)", filled);
        }
        SequenceCatalog catalog = catalog(
                tallies.stream().map(SortedTable.Tally::id).toList(),
                tallies.stream().mapToLong(SortedTable.Tally::steps).toArray());
        if (catalog.totalSteps() == 0) {
            throw new InputDataException("the input holds no data rows without empty, NaN or infinite values");
        }
        return new Census(sorted, rows.roles(), tallies, catalog, skipped, filled);
    }

    /** Forecasting and classification: rows sorted by sequence and order, then cut while streaming. */
    private static Prepared table(
            SparkSession spark,
            InputConfig input,
            InputFiles listed,
            ShardingConfig sharding,
            int partitions,
            Preparation preparation,
            PreparationPhases phases) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DataContract fixed = preparation.fixedContract();
        Census census = census(spark, input, listed, fixed, false, phases);
        SortedTable sorted = census.sorted();
        List<SortedTable.Tally> tallies = census.tallies();
        SequenceCatalog catalog = census.catalog();
        long skipped = census.skipped();
        long filled = census.filled();
        ColumnRoles roles = census.roles();
        int width = roles.channels();
        if (input.task() == Task.CLASSIFY) {
            List<String> classes = fixed != null ? fixed.classes() : classes(tallies);
            ExamplePlan plan = examplePlan(catalog, tallies, classes, sharding, partitions);
            Broadcast<ExamplePlan> planned = sc.broadcast(plan);
            int[] features =
                    DataContract.classifier(roles.featureNames, classes, null).featureChannels();
            JavaRDD<Segment> segments = join(sorted.cut(planned), planned, width, sharding);
            ScalerFitter.Fit fit = phases.run(
                    cutPhase(plan.pieces(), "sequences", partitions),
                    () -> ScalerFitter.fit(segments, null, features, new int[0]));
            requireAll(fit.segments(), plan);
            DataContract contract =
                    fixed != null ? fixed : DataContract.classifier(roles.featureNames, classes, fit.scaler());
            return Prepared.of(segments, contract, plan, skipped, filled);
        }
        SegmentPlan plan = segmentPlan(catalog, input, sharding, partitions, preparation);
        Broadcast<SegmentPlan> planned = sc.broadcast(plan);
        DataContract unscaled = DataContract.forecast(roles.featureNames, roles.targetNames, null, sharding.horizon());
        JavaRDD<Segment> segments = join(sorted.cut(planned), planned, width, sharding);
        ScalerFitter.Fit fit = phases.run(
                cutPhase(plan.pieces(), "segments", partitions),
                () -> ScalerFitter.fit(segments, planned, unscaled.featureChannels(), unscaled.targetChannels()));
        requireAll(fit.segments(), plan);
        DataContract contract = fixed != null
                ? fixed
                : DataContract.forecast(roles.featureNames, roles.targetNames, fit.scaler(), sharding.horizon());
        return Prepared.of(segments, contract, plan, skipped, filled);
    }

    /** What the cached segments take on the executors, in memory and on disk. */
    private static long cachedBytes(JavaRDD<Segment> segments) {
        for (org.apache.spark.storage.RDDInfo info : segments.context().getRDDStorageInfo()) {
            if (info.id() == segments.id()) {
                return info.memSize() + info.diskSize();
            }
        }
        return 0;
    }

    private static String cutPhase(int pieces, String what, int partitions) {
        return "cut and cache " + pieces + " " + what + " over " + partitions + " partition(s)";
    }

    /** The cut's shuffle: every part to its piece's partition, sorted by piece, joined into cached segments. */
    private static JavaRDD<Segment> join(
            JavaPairRDD<Long, Object> parts, Broadcast<? extends CutPlan> plan, int width, ShardingConfig sharding) {
        // repartitionAndSortWithinPartitions, with Kryo for this shuffle: a part is a key and a primitive
        // array, which Java serialization writes an element at a time and reads back by reflection.
        ShuffledRDD<Long, Object, Object> shuffled = new ShuffledRDD<>(
                parts.rdd(),
                new PlanPartitioner(plan),
                ClassTag$.MODULE$.apply(Long.class),
                ClassTag$.MODULE$.apply(Object.class),
                ClassTag$.MODULE$.apply(Object.class));
        shuffled.setSerializer(new KryoSerializer(parts.context().getConf()));
        shuffled.setKeyOrdering(scala.math.Ordering$.MODULE$.comparatorToOrdering(Comparator.<Long>naturalOrder()));
        return new JavaPairRDD<Long, Object>(
                        shuffled, ClassTag$.MODULE$.apply(Long.class), ClassTag$.MODULE$.apply(Object.class))
                .mapPartitions(sorted -> new PieceJoiner(plan.value(), width, sorted))
                .persist(storageLevel(sharding));
    }

    private static void requireAll(long cut, CutPlan plan) {
        if (cut != plan.pieces()) {
            throw new IllegalStateException("cut " + cut + " pieces, planned " + plan.pieces());
        }
    }

    private static SequenceCatalog catalog(List<String> ids, long[] lengths) {
        TreeMap<String, Long> sorted = new TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            sorted.merge(ids.get(i), lengths[i], Long::sum);
        }
        return new SequenceCatalog(
                new ArrayList<>(sorted.keySet()),
                sorted.values().stream().mapToLong(Long::longValue).toArray());
    }

    private static SegmentPlan segmentPlan(
            SequenceCatalog catalog,
            InputConfig input,
            ShardingConfig sharding,
            int partitions,
            Preparation preparation) {
        long minPairs = shortSequenceMinimum(input, catalog, sharding);
        SegmentPlan plan = SegmentPlan.build(catalog, sharding, partitions, minPairs);
        if (plan.segments(false) == 0) {
            throw new InputDataException("no sequence is long enough to train on: " + catalog.size()
                    + " sequence(s), the longest has " + longest(catalog) + " step(s); at least "
                    + (sharding.horizon() + 1)
                    + " are needed" + (sharding.validationFraction() > 0 ? " beyond the validation tail" : ""));
        }
        return plan;
    }

    /** A new classifier's classes: the sorted distinct labels of its training input. */
    private static List<String> classes(List<SortedTable.Tally> tallies) {
        List<String> classes = tallies.stream()
                .map(SortedTable.Tally::label)
                .filter(java.util.Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
        if (classes.size() < 2) {
            throw new InputDataException("the label column holds " + classes.size() + " distinct label(s) " + classes
                    + "; a classifier needs at least 2");
        }
        return classes;
    }

    /** Sequence classification: every whole sequence one example with its label's class, about validation.fraction of them held out. */
    private static ExamplePlan examplePlan(
            SequenceCatalog catalog,
            List<SortedTable.Tally> tallies,
            List<String> classes,
            ShardingConfig sharding,
            int partitions) {
        int[] classOfSequence = classOfEachSequence(catalog, tallies, classes, false);
        double fraction = sharding.validationFraction();
        ExamplePlan plan = ExamplePlan.build(catalog, classOfSequence, fraction, partitions);
        if (plan.count(false) == 0) {
            throw new InputDataException("no sequence is left to train on: " + catalog.size()
                    + " sequence(s), all held out by validation.fraction=" + fraction);
        }
        return plan;
    }

    /**
     * Each sequence's class, by catalog index; -1 for a sequence without a label (allowed only when
     * the labels are optional, as in scoring). A label outside the classes is refused.
     */
    private static int[] classOfEachSequence(
            SequenceCatalog catalog, List<SortedTable.Tally> tallies, List<String> classes, boolean labelsOptional) {
        Map<String, String> labels = new java.util.HashMap<>();
        for (SortedTable.Tally tally : tallies) {
            if (tally.label() != null) {
                labels.put(tally.id(), tally.label());
            }
        }
        if (!labelsOptional && labels.size() < catalog.size()) {
            throw new InputDataException((catalog.size() - labels.size()) + " sequence(s) have no label");
        }
        int[] classOfSequence = new int[catalog.size()];
        for (int s = 0; s < classOfSequence.length; s++) {
            String label = labels.get(catalog.id(s));
            classOfSequence[s] = label == null ? -1 : classes.indexOf(label);
            if (label != null && classOfSequence[s] < 0) {
                throw new InputDataException("sequence '" + catalog.id(s) + "' has the label '" + label
                        + "', which is not one of the model's classes " + classes);
            }
        }
        return classOfSequence;
    }

    private static StorageLevel storageLevel(ShardingConfig sharding) {
        return switch (sharding.cacheLevel()) {
            case MEMORY_AND_DISK -> StorageLevel.MEMORY_AND_DISK();
            case MEMORY_AND_DISK_SER -> StorageLevel.MEMORY_AND_DISK_SER();
            case DISK_ONLY -> StorageLevel.DISK_ONLY();
        };
    }

    /**
     * The fewest training pairs a sequence needs (one TBPTT window): fails on the first shorter
     * sequence, or with input.shortSequences=skip counts them and lets the plan leave them out.
     */
    private static long shortSequenceMinimum(InputConfig input, SequenceCatalog catalog, ShardingConfig sharding) {
        List<String> shorter = new ArrayList<>();
        for (int i = 0; i < catalog.size(); i++) {
            if (catalog.length(i) - sharding.horizon() < sharding.minPairs()) {
                shorter.add(catalog.id(i) + " (" + catalog.length(i) + " steps)");
            }
        }
        if (shorter.isEmpty()) {
            return 1;
        }
        if (input.shortSequences() == ShortSequencePolicy.FAIL) {
            throw new InputDataException(shorter.size() + " sequence(s) are shorter than one TBPTT window of "
                    + sharding.minPairs() + " steps, e.g. "
                    + String.join(", ", shorter.subList(0, Math.min(3, shorter.size())))
                    + "; set input.shortSequences=skip to leave them out");
        }
        if (shorter.size() == catalog.size()) {
            throw new InputDataException(
                    "all " + catalog.size() + " sequence(s) were left out: every one is shorter than one "
                            + "TBPTT window of " + sharding.minPairs() + " steps (input.shortSequences=skip)");
        }
        LOG.warn(
                "input.shortSequences=skip: left out {} of {} sequence(s) shorter than one TBPTT window of {} steps",
                shorter.size(),
                catalog.size(),
                sharding.minPairs());
        return sharding.minPairs();
    }

    private static long longest(SequenceCatalog catalog) {
        long max = 0;
        for (int i = 0; i < catalog.size(); i++) {
            max = Math.max(max, catalog.length(i));
        }
        return max;
    }
}
