package io.lstmjob.launcher;

import static io.lstmjob.launcher.PublishedLosses.liveLoss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.cli.LstmJob;
import io.lstmjob.job.RunOutcome;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.RunLock;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkDistribution;
import io.lstmjob.testing.SparkDistribution.Run;
import io.lstmjob.testing.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/submit.sh through Spark's own launcher (a Spark home from jobs/spark-home.sh, the cluster
 * jar) on a standalone Master with two Workers started by bin/spark-class: in client and in cluster
 * deploy mode the caller gets the exit code of README's table, and the model is the one a local
 * run of the same config publishes.
 */
@Tag("launcher")
class SubmitToStandaloneTest {
    /** Kept when a test fails: the Workers' folders hold the drivers' and executors' logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static StandaloneCluster cluster;
    private static Path config;
    private static Path localModels;

    @BeforeAll
    static void start() throws Exception {
        SparkDistribution.clusterJar();
        cluster = StandaloneCluster.fromDistribution(dir, 2, 2, "3g");
        config = JobConfigFiles.sines(dir, SampleData.noisySines(dir.resolve("sines"), 8, 300, 2));
        localModels = dir.resolve("local-models");
        assertEquals(
                LstmJob.OK,
                LstmJob.execute(
                        "train", "--config", config.toString(), "output.path=" + localModels, "spark.master=local[2]"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Run submit(String deployMode, String command, String... args) throws Exception {
        return SparkDistribution.submit(
                Map.of("MASTER", cluster.masterUrl(), "DEPLOY_MODE", deployMode, "COMMAND", command),
                dir.resolve("logs"),
                config,
                args);
    }

    @Test
    void clientModeTrainsPublishesTheLocalRunsModelAndAKeptRetrainExits10() throws Exception {
        Path models = dir.resolve("client-models");
        Run train = submit("client", "train", "output.path=" + models);
        assertEquals(LstmJob.OK, train.exitCode(), train.toString());
        assertTrue(train.stdout().startsWith("Published "), train.toString());
        assertEquals(liveLoss(localModels), liveLoss(models), 1e-6, "the same seed and config publish the same model");

        Run kept = submit("client", "retrain", "output.path=" + models, "retrain.minImprovement=0.99");
        assertEquals(LstmJob.KEPT, kept.exitCode(), kept.toString());
        assertTrue(kept.stdout().startsWith("Kept the live model"), kept.toString());
    }

    @Test
    void clusterModeExitCodesReachTheCallerThroughTheRecordedOutcome() throws Exception {
        Path models = dir.resolve("cluster-models");
        Run train = submit("cluster", "train", "output.path=" + models, "--run-id", "first");
        assertEquals(LstmJob.OK, train.exitCode(), train.toString());
        assertTrue(train.stdout().strip().startsWith("Published "), train.toString());
        ModelStore store = new ModelStore(models.toString(), "sines", new Configuration());
        assertEquals(1, store.versions().size());
        RunOutcome outcome = RunOutcome.read(store, "first").orElseThrow();
        assertEquals(store.liveVersion().orElseThrow(), outcome.version());
        assertEquals(
                liveLoss(localModels),
                liveLoss(models),
                1e-6,
                "the driver ran on a Worker, with the config passed inline");

        Run kept = submit("cluster", "retrain", "output.path=" + models, "retrain.minImprovement=0.99");
        assertEquals(LstmJob.KEPT, kept.exitCode(), kept.toString());
        assertTrue(kept.stdout().strip().startsWith("Kept the live model"), kept.toString());

        try (RunLock held = store.lock("someone-else", 600, false)) {
            Run locked = submit("cluster", "train", "output.path=" + models);
            assertEquals(LstmJob.LOCKED, locked.exitCode(), locked.toString());
            assertTrue(locked.stderr().contains("lstm-job: sines is locked by run someone-else"), locked.toString());
        }

        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("bad.csv"), "id,t,value,cosine\ns0,0,0.5,0.1\ns0,1,oops,0.2\n");
        Run badInput = submit("cluster", "train", "output.path=" + models, "input.path=" + bad);
        assertEquals(LstmJob.BAD_INPUT, badInput.exitCode(), badInput.toString());
        assertTrue(badInput.stderr().contains("bad.csv:3"), badInput.toString());
        assertEquals(store.versions().size(), 2, "the failed runs published nothing");
    }
}
