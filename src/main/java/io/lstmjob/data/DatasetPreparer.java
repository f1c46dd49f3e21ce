package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
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

/** Input to sharded segments: read, rank, plan, fit the scaler or vocabulary, cut, cache. */
public final class DatasetPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);

    private DatasetPreparer() {
    }

    public static PreparedData prepare(SparkSession spark, InputConfig input, ShardingConfig sharding) {
        return prepare(spark, input, sharding, Preparation.fit());
    }

    public static PreparedData prepare(SparkSession spark, InputConfig input, ShardingConfig sharding, Preparation preparation) {
        DataContract fixedContract = preparation.fixedContract();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Path> files = InputFiles.list(input.path(), sc.hadoopConfiguration());
        StepTable table = SequenceSource.forFormat(input.format()).read(spark, input, files);
        if (fixedContract != null) {
            ContractCheck.requireSameChannels(fixedContract, input.format().task(), table);
        }
        int partitions = sharding.numPartitions() > 0 ? sharding.numPartitions() : sc.defaultParallelism();

        sc.setJobDescription("prepare data: sort steps of " + files.size() + " file(s) into sequences");
        StepRanker.RankedSteps ranked = StepRanker.rank(table.steps(), partitions);
        try {
            SegmentPlan plan = SegmentPlan.build(ranked.catalog(), sharding, partitions, preparation.wholeSequencesPerPartition());
            if (plan.segments(false) == 0) {
                throw new InputDataException("no sequence is long enough to train on: " + ranked.catalog().size()
                        + " sequence(s), the longest has " + longest(ranked.catalog()) + " step(s); at least 2 are needed"
                        + (sharding.validationFraction() > 0 ? " beyond the validation tail" : ""));
            }
            Broadcast<SegmentPlan> planBroadcast = sc.broadcast(plan);
            sc.setJobDescription("prepare data: fit " + (input.format().task() == Task.CHAR_LM ? "vocabulary" : "scaler"));
            DataContract contract = fixedContract != null
                    ? ContractCheck.requireKnownCharacters(fixedContract, ranked.steps())
                    : input.format().task() == Task.CHAR_LM
                    ? DataContract.charModel(vocabularyOf(ranked.steps()))
                    : DataContract.forecast(table.featureNames(), table.targetNames(),
                    ScalerFitter.fit(ranked.steps(), planBroadcast, table.featureNames().size(), table.targetNames().size()));

            sc.setJobDescription("prepare data: cut " + plan.segmentCount() + " segments over " + partitions + " partitions");
            JavaRDD<Segment> segments = Segmenter.cut(ranked.steps(), planBroadcast).persist(StorageLevel.MEMORY_AND_DISK());
            long count = segments.count();
            if (count != plan.segmentCount()) {
                throw new IllegalStateException("cut " + count + " segments, planned " + plan.segmentCount());
            }
            DatasetSummary summary = new DatasetSummary(ranked.catalog().size(), ranked.catalog().totalSteps(),
                    plan.pairs(false), plan.pairs(true), plan.segments(false), plan.segments(true), partitions,
                    plan.trainStepsPerPartition());
            LOG.info("Prepared {} sequence(s), {} steps: {} training segments ({} pairs), {} validation segments ({} pairs); "
                            + "training steps per partition {}", summary.sequences(), summary.steps(), summary.trainSegments(),
                    summary.trainPairs(), summary.validationSegments(), summary.validationPairs(),
                    Arrays.toString(summary.trainStepsPerPartition()));
            if (summary.validationSegments() == 0 && sharding.validationFraction() > 0) {
                LOG.warn("The validation split is empty: the sequences are too short for validation.fraction={}",
                        sharding.validationFraction());
            }
            return new PreparedData(segments.filter(s -> !s.validation()), segments.filter(Segment::validation),
                    contract, summary, segments);
        } finally {
            ranked.release();
            sc.setJobDescription(null);
        }
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
