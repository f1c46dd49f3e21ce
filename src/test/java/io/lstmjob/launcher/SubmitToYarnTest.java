package io.lstmjob.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.cli.LstmJob;
import io.lstmjob.job.RunOutcome;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkDistribution;
import io.lstmjob.testing.SparkDistribution.Run;
import io.lstmjob.testing.YarnCluster;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/submit.sh with MASTER=yarn through Spark's own launcher and spark-yarn, on a MiniYARNCluster
 * whose NodeManager runs the driver (cluster deploy mode) and the executors as containers, input and
 * model store on a MiniDFSCluster.
 */
@Tag("launcher")
class SubmitToYarnTest {
    /** Kept when a test fails: the NodeManager's container logs are under it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static YarnCluster yarn;
    private static Path config;
    private static String input;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        Path jar = SparkDistribution.clusterJar();
        Path home = SparkDistribution.home();
        yarn = new YarnCluster(dir, 8192);
        FileSystem fs = yarn.fileSystem();
        input = yarn.hdfsUri() + "/data/sines";
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(SampleData.noisySines(dir.resolve("sines"), 8, 300, 2)
                        .resolve("sines.csv")
                        .toString()),
                new org.apache.hadoop.fs.Path(input + "/sines.csv"));
        // Spark's jars once, instead of a 200 MB upload per submission (what spark.yarn.jars is for).
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(home.resolve("jars").toString()),
                new org.apache.hadoop.fs.Path(yarn.hdfsUri() + "/spark/jars"));
        config = JobConfigFiles.sines(dir, dir.resolve("not-used"));
        String javaHome = System.getProperty("java.home");
        env = Map.of(
                "MASTER",
                "yarn",
                "HADOOP_CONF_DIR",
                yarn.clientConfDir().toString(),
                "JAR",
                jar.toString(),
                "EXECUTOR_OFFHEAP",
                "512m",
                "EXTRA_SUBMIT_ARGS",
                "--conf spark.yarn.jars=" + yarn.hdfsUri() + "/spark/jars/*.jar"
                        + " --conf spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome
                        + " --conf spark.executorEnv.JAVA_HOME=" + javaHome);
    }

    @AfterAll
    static void stop() {
        if (yarn != null) {
            yarn.close();
        }
    }

    private static Run submit(String deployMode, String command, String models, String... args) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("DEPLOY_MODE", deployMode);
        all.put("COMMAND", command);
        List<String> arguments = new java.util.ArrayList<>(List.of("input.path=" + input, "output.path=" + models));
        arguments.addAll(List.of(args));
        return SparkDistribution.submit(all, dir.resolve("logs"), config, arguments.toArray(String[]::new));
    }

    private static ApplicationReport lastApplication() throws Exception {
        return yarn.applications().stream()
                .max(Comparator.comparingLong(ApplicationReport::getStartTime))
                .orElseThrow();
    }

    @Test
    void clusterModePublishesOnceAsASucceededApplicationAndAKeptRetrainExits10() throws Exception {
        String models = yarn.hdfsUri() + "/models/cluster";
        Run train = submit("cluster", "train", models, "--run-id", "night-1");
        assertEquals(LstmJob.OK, train.exitCode(), train.toString());
        assertTrue(train.stdout().strip().startsWith("Published " + models + "/sines/versions/"), train.toString());
        ApplicationReport app = lastApplication();
        assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), app.getDiagnostics());
        assertEquals(1, yarn.attempts(app), "main returned: YARN saw the outcome and started no second attempt");
        ModelStore store = new ModelStore(models, "sines", yarn.fileSystem().getConf());
        assertEquals(1, store.versions().size(), "one version per submission");
        assertEquals(
                store.liveVersion().orElseThrow(),
                RunOutcome.read(store, "night-1").orElseThrow().version());

        Run kept = submit("cluster", "retrain", models, "retrain.minImprovement=0.99");
        assertEquals(LstmJob.KEPT, kept.exitCode(), kept.toString());
        assertTrue(kept.stdout().strip().startsWith("Kept the live model"), kept.toString());
        app = lastApplication();
        assertEquals(
                FinalApplicationStatus.FAILED, app.getFinalApplicationStatus(), "exit 10 is not a success for YARN");
        assertEquals(2, yarn.attempts(app), "YARN tries a FAILED application again");
        assertEquals(
                2, store.versions().size(), "a second attempt found the first one's outcome and did not train again");
    }

    @Test
    void clientModeTrainsWithExecutorsInContainers() throws Exception {
        String models = yarn.hdfsUri() + "/models/client";
        Run train = submit("client", "train", models);
        assertEquals(LstmJob.OK, train.exitCode(), train.toString());
        assertTrue(train.stdout().startsWith("Published " + models + "/sines/versions/"), train.toString());
        assertFalse(new ModelStore(models, "sines", yarn.fileSystem().getConf())
                .versions()
                .isEmpty());
    }
}
