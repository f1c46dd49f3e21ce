package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.PreparedData;
import io.lstmjob.data.Preparation;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.HoldoutEvaluator;
import io.lstmjob.train.ValidationMetrics;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Scores published models on an input, distributed like validation. */
public final class EvaluationJob {
    private EvaluationJob() {
    }

    /**
     * Scores several networks that share a data contract (a model and its quantised copies) on the
     * holdout of the input: its validation split, or every pair when validation.fraction is 0.
     */
    public static java.util.List<ValidationMetrics> holdout(SparkSession spark, JobConfig config, DataContract contract,
                                                             java.util.List<org.deeplearning4j.nn.multilayer.MultiLayerNetwork> networks) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreparedData data = InputErrorTranslation.readable(sc.hadoopConfiguration(),
                () -> DatasetPreparer.prepare(spark, config.input(), config.sharding(), Preparation.reuse(contract)));
        try {
            var segments = data.summary().validationSegments() > 0 ? data.validation() : data.train();
            HoldoutEvaluator evaluator = new HoldoutEvaluator(contract, config.train().batchSize());
            java.util.List<ValidationMetrics> metrics = new java.util.ArrayList<>();
            for (var network : networks) {
                metrics.add(evaluator.evaluate(sc, network, segments));
            }
            return metrics;
        } finally {
            data.release();
        }
    }

    /** Scores a published version on every pair of the input (no split). @param version a version id, or null for the live one */
    public static ValidationMetrics run(SparkSession spark, JobConfig config, String version) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PublishedModel model = PublishedModel.load(
                new ModelStore(config.outputPath(), config.model().name(), sc.hadoopConfiguration()), version);
        ShardingConfig everything = new ShardingConfig(config.sharding().segmentLength(), 0, 0.0, config.sharding().numPartitions());
        PreparedData data = InputErrorTranslation.readable(sc.hadoopConfiguration(),
                () -> DatasetPreparer.prepare(spark, config.input(), everything, Preparation.reuse(model.contract())));
        try {
            sc.setJobDescription("evaluate " + config.model().name() + " version " + model.version());
            return new HoldoutEvaluator(model.contract(), config.train().batchSize()).evaluate(sc, model.network(), data.train());
        } finally {
            data.release();
        }
    }
}
