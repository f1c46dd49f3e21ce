package io.lstmjob.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.job.PublishedModel;
import io.lstmjob.job.RunOptions;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.store.ModelStore;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.StandaloneCluster;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        SparkSession.Builder builder = SparkSession.builder()
                .master(cluster.masterUrl())
                .appName("lstm-job-cluster-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.cores.max", "2")
                .config("spark.task.maxFailures", "4");
        for (Map.Entry<String, String> setting :
                StandaloneCluster.executorSettings().entrySet()) {
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
        TrainingJob.Result result = TrainingJob.run(
                spark, TestConfigs.sines(input, dir.resolve("models").toString()));
        assertEquals(2, cluster.executors().size(), "two executor JVMs");
        assertTrue(result.metrics().finalValidation().loss()
                < 0.3 * result.metrics().initialValidation().loss());
        PublishedModel.load(
                new ModelStore(
                        dir.resolve("models").toString(),
                        "sines",
                        spark.sparkContext().hadoopConfiguration()),
                null);
    }

    /** The executor id a Worker gave the JVM, from its command line (CoarseGrainedExecutorBackend --executor-id ID). */
    private static String executorId(ProcessHandle executor) throws java.io.IOException {
        String[] args = Files.readString(Path.of("/proc", Long.toString(executor.pid()), "cmdline"))
                .split("\0");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--executor-id")) {
                return args[i + 1];
            }
        }
        throw new AssertionError("no --executor-id in " + String.join(" ", args));
    }

    /** What the driver's scheduler reports about one executor's tasks: when one starts, which were lost with it and retried. */
    private static final class TaskEvents extends org.apache.spark.scheduler.SparkListener {
        final String victim;
        final java.util.concurrent.CountDownLatch victimRunning = new java.util.concurrent.CountDownLatch(1);
        /** stage:partition of the tasks that ended with their executor lost. */
        final java.util.Set<String> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** stage:partition of the tasks started on another executor (a lost task's retry among them). */
        final java.util.Set<String> retriedElsewhere = java.util.concurrent.ConcurrentHashMap.newKeySet();

        TaskEvents(String victim) {
            this.victim = victim;
        }

        @Override
        public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart start) {
            if (start.taskInfo().executorId().equals(victim)) {
                victimRunning.countDown();
            } else {
                retriedElsewhere.add(start.stageId() + ":" + start.taskInfo().index());
            }
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            String task = end.stageId() + ":" + end.taskInfo().index();
            if (end.reason() instanceof org.apache.spark.ExecutorLostFailure failure
                    && failure.execId().equals(victim)) {
                lost.add(task);
            }
        }
    }

    /**
     * An averaging round's tasks are pure functions of the broadcast state and their partition, so
     * when an executor dies Spark recomputes the lost tasks (and lost cached segments) elsewhere and
     * the round's result is the same: the run ends with the same model, up to float rounding. A
     * listener proves the kill landed on a running task and that Spark ran it again elsewhere.
     */
    @Test
    void anExecutorKilledMidEpochDoesNotChangeTheOutcome() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("long"), 16, 800, 3);
        String[] settings = {"train.epochs=4"};
        TrainingJob.Result undisturbed = TrainingJob.run(
                spark, TestConfigs.sines(input, dir.resolve("undisturbed").toString(), settings));

        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<TrainingJob.Result> disturbedRun = runner.submit(() -> TrainingJob.run(
                spark,
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
        ProcessHandle victim = executors.get(0);
        String victimId = executorId(victim);
        // Killed while it runs a task of a later round (Spark says when one starts), not between rounds.
        TaskEvents events = new TaskEvents(victimId);
        spark.sparkContext().addSparkListener(events);
        assertTrue(
                events.victimRunning.await(120, TimeUnit.SECONDS),
                "executor " + victimId + " ran no task after epoch 1");
        victim.destroyForcibly();
        TrainingJob.Result disturbed = disturbedRun.get(300, TimeUnit.SECONDS);
        runner.shutdown();

        // Spark saw the task lost with its executor and ran that partition again elsewhere. The listener
        // bus delivers events after the fact: wait (bounded) for it to catch up rather than read it at once.
        assertFalse(events.lost.isEmpty(), "no task was lost with executor " + victimId);
        long caughtUp = System.currentTimeMillis() + 30_000;
        while (!events.retriedElsewhere.containsAll(events.lost) && System.currentTimeMillis() < caughtUp) {
            Thread.sleep(50);
        }
        for (String task : events.lost) {
            assertTrue(
                    events.retriedElsewhere.contains(task),
                    "lost task " + task + " was not run again on another executor; " + "tasks started after the loss: "
                            + events.retriedElsewhere);
        }
        spark.sparkContext().removeSparkListener(events);
        assertEquals(4, disturbed.metrics().epochs().size());
        PublishedModel.load(
                new ModelStore(
                        dir.resolve("disturbed").toString(),
                        "sines",
                        spark.sparkContext().hadoopConfiguration()),
                null);
        double expected = undisturbed.metrics().finalValidation().loss();
        assertEquals(
                expected,
                disturbed.metrics().finalValidation().loss(),
                1e-4 * expected,
                "validation loss with a lost executor vs undisturbed");
        assertFalse(executors.get(0).isAlive());
    }
}
