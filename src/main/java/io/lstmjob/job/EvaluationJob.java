package io.lstmjob.job;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.ShardingConfig;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.Preparation;
import io.lstmjob.data.PreparedData;
import io.lstmjob.store.ModelStore;
import io.lstmjob.train.HoldoutEvaluator;
import io.lstmjob.train.ValidationMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Scores published models on an input, distributed like validation. */
public final class EvaluationJob {
    private EvaluationJob() {}

    /**
     * Scores several networks that share a data contract (a model and its quantised copies) on the
     * holdout of the input: its validation split, or every pair when validation.fraction is 0.
     */
    public static List<ValidationMetrics> holdout(
            SparkSession spark, JobConfig config, DataContract contract, List<MultiLayerNetwork> networks) {
        return score(spark, config, config.sharding(), contract, networks);
    }

    /** Scores a published version on every pair of the input (no split). @param version a version id, or null for the live one */
    public static ValidationMetrics run(SparkSession spark, JobConfig config, String version) {
        PublishedModel model = PublishedModel.load(
                new ModelStore(
                        config.outputPath(),
                        config.model().name(),
                        spark.sparkContext().hadoopConfiguration()),
                version);
        ShardingConfig everything = config.sharding().whole();
        return score(spark, config, everything, model.contract(), List.of(model.network()))
                .get(0);
    }

    private static List<ValidationMetrics> score(
            SparkSession spark,
            JobConfig config,
            ShardingConfig sharding,
            DataContract contract,
            List<MultiLayerNetwork> networks) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreparedData data = InputErrorTranslation.readable(
                sc.hadoopConfiguration(),
                () -> DatasetPreparer.prepare(spark, config.input(), sharding, Preparation.reuse(contract)));
        try {
            sc.setJobDescription("evaluate " + config.model().name());
            var segments = data.summary().validationSegments() > 0 ? data.validation() : data.train();
            HoldoutEvaluator evaluator =
                    new HoldoutEvaluator(contract, config.train().batchSize());
            List<ValidationMetrics> metrics = new ArrayList<>();
            for (MultiLayerNetwork network : networks) {
                metrics.add(evaluator.evaluate(sc, network, segments));
            }
            return metrics;
        } finally {
            data.release();
            sc.setJobDescription(null);
        }
    }
}
