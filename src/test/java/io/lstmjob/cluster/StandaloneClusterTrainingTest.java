package io.lstmjob.cluster;

import io.lstmjob.job.PublishedModel;
import io.lstmjob.job.RunOptions;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.StandaloneCluster;
import io.lstmjob.testing.TestConfigs;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job against a real multi-process standalone cluster: two Workers, executors in their own JVMs. */
@Tag("cluster")
class StandaloneClusterTrainingTest {
    @TempDir
    static Path dir;

    private static StandaloneCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        cluster = new StandaloneCluster(dir, 2, 1);
        SparkSession.Builder builder = SparkSession.builder().master(cluster.masterUrl()).appName("lstm-job-cluster-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.cores.max", "2").config("spark.task.maxFailures", "4");
        for (Map.Entry<String, String> setting : StandaloneCluster.executorSettings().entrySet()) {
            builder.config(setting.getKey(), setting.getValue());
        }
        spark = builder.getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void trainsOnTwoExecutorJvmsAndPublishes() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 8, 300, 2);
        TrainingJob.Result result = TrainingJob.run(spark, TestConfigs.sines(input, dir.resolve("models").toString()));
        assertEquals(2, cluster.executors().size(), "two executor JVMs");
        assertTrue(result.metrics().finalValidation().loss() < 0.3 * result.metrics().initialValidation().loss());
        PublishedModel.load(new ModelStore(dir.resolve("models").toString(), "sines", spark.sparkContext().hadoopConfiguration()), null);
    }

    /**
     * An averaging round's tasks are pure functions of the broadcast state and their partition, so
     * when an executor dies Spark recomputes the lost tasks (and lost cached segments) elsewhere and
     * the round's result is the same: the run ends with the same model, up to float rounding.
     */
    @Test
    void anExecutorKilledMidEpochDoesNotChangeTheOutcome() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("long"), 16, 800, 3);
        String[] settings = {"train.epochs=4"};
        TrainingJob.Result undisturbed = TrainingJob.run(spark,
                TestConfigs.sines(input, dir.resolve("undisturbed").toString(), settings));

        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<TrainingJob.Result> disturbedRun = runner.submit(() -> TrainingJob.run(spark,
                TestConfigs.sines(input, dir.resolve("disturbed").toString(), settings),
                new RunOptions(false, "with-a-failure", false, false)));
        Path firstCheckpoint = dir.resolve("disturbed/sines/runs/with-a-failure/checkpoints/epoch-00001");
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(firstCheckpoint) && !disturbedRun.isDone() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(firstCheckpoint), "epoch 1 did not finish in time");
        List<ProcessHandle> executors = cluster.executors();
        assertEquals(2, executors.size());
        executors.get(0).destroyForcibly();
        TrainingJob.Result disturbed = disturbedRun.get(300, TimeUnit.SECONDS);
        runner.shutdown();

        assertEquals(4, disturbed.metrics().epochs().size());
        PublishedModel.load(new ModelStore(dir.resolve("disturbed").toString(), "sines",
                spark.sparkContext().hadoopConfiguration()), null);
        double expected = undisturbed.metrics().finalValidation().loss();
        assertEquals(expected, disturbed.metrics().finalValidation().loss(), 1e-4 * expected,
                "validation loss with a lost executor vs undisturbed");
        assertFalse(executors.get(0).isAlive());
    }
}
