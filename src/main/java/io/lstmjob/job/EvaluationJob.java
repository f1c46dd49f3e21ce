package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.PreparedData;
import io.lstmjob.data.Preparation;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.HoldoutEvaluator;
import io.lstmjob.train.ValidationMetrics;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Scores a published version on every pair of the input (no split): distributed, like validation. */
public final class EvaluationJob {
    private EvaluationJob() {
    }

    /** @param version a version id, or null for the live one */
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
