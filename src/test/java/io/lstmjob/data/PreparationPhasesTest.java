package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long preparation says how far it is while it runs: the phase, its tasks, and the input bytes
 * read so far, which running tasks report with their heartbeats (here every 100 ms instead of 10 s,
 * and a line every 300 ms instead of 30 s).
 */
class PreparationPhasesTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("progress-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.heartbeatInterval", "100ms")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aRunningPhaseReportsItsTasksAndTheBytesReadSoFar() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> lines = new CopyOnWriteArrayList<>();
        try (PreparationPhases phases = new PreparationPhases(sc, 10L << 20, 300, lines::add)) {
            LongAccumulator read = phases.bytesRead();
            long rows = phases.run(
                    "read the slow input",
                    () -> sc.parallelize(List.of(1, 2), 2)
                            .map(x -> {
                                read.add(1L << 20);
                                Thread.sleep(2500); // a task still reading, its first megabyte reported by heartbeats
                                return x;
                            })
                            .count());
            assertEquals(2, rows);
            assertEquals("read the slow input", phases.timings().get(0).name());
            assertTrue(
                    phases.timings().get(0).seconds() >= 2.5, phases.timings().toString());
        }
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith("prepare data: read the slow input, ")
                                && l.contains(" of 2 tasks done")
                                && l.endsWith(", 2.0 MB of 10.0 MB read")),
                lines.toString());
    }
}
