package io.lstmjob.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model store's promises, on any Hadoop file system: {@link LocalModelStoreTest} runs them on
 * file://, {@link HdfsModelStoreContractTest} on an in-process HDFS.
 */
abstract class ModelStoreTest {

    /** The store root, as a Hadoop path string. */
    protected abstract String root();

    protected abstract Configuration conf();

    private ModelStore store() {
        return new ModelStore(root(), "m", conf());
    }

    private FileSystem fs() throws java.io.IOException {
        return new org.apache.hadoop.fs.Path(root()).getFileSystem(conf());
    }

    private void writeLock(String json) throws java.io.IOException {
        try (var out = fs().create(new org.apache.hadoop.fs.Path(root() + "/m/_lock"), true)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Map<String, FileContent> file(String text) {
        return Map.of("model.txt", out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void publishingMovesLatestOnlyWhenAskedTo() {
        ModelStore store = store();
        store.publish("v1", file("one"), true);
        store.publish("v2", file("two"), false);
        assertEquals("v1", store.liveVersion().orElseThrow());
        assertEquals(List.of("v1", "v2"), store.versions());
        store.publish("v3", file("three"), true);
        assertEquals("v3", store.liveVersion().orElseThrow());
    }

    @Test
    void retentionKeepsTheNewestVersionsAndNeverTheLiveOne() {
        ModelStore store = store();
        store.publish("v1", file("1"), true);
        for (String v : List.of("v2", "v3", "v4", "v5")) {
            store.publish(v, file(v), false); // rejected candidates: v1 stays live
        }
        List<String> removed = store.retain(2);
        assertEquals(List.of("v2", "v3", "v4"), removed);
        assertEquals(List.of("v1", "v5"), store.versions());
        assertEquals("v1", store.liveVersion().orElseThrow());
    }

    @Test
    void aFailedWriteLeavesNothingVisible() throws Exception {
        ModelStore store = store();
        store.publish("v1", file("1"), true);
        assertThrows(ModelStoreException.class, () -> store.publish("v2", Map.of("model.txt", out -> {
            out.write(1);
            throw new java.io.IOException("disk full");
        }), true));
        assertEquals(List.of("v1"), store.versions());
        assertEquals("v1", store.liveVersion().orElseThrow());
        assertFalse(fs().exists(new org.apache.hadoop.fs.Path(root() + "/m/versions/v2")));
    }

    @Test
    void aSecondRunIsRefusedWithTheHolderNamed() {
        ModelStore store = store();
        try (RunLock first = store.lock("run-a", 600, false)) {
            ModelLockedException e = assertThrows(ModelLockedException.class, () -> store.lock("run-b", 600, true));
            assertTrue(e.getMessage().contains("locked by run run-a"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        store.lock("run-b", 600, false).close(); // released on close
    }

    @Test
    void aLockOfADeadProcessIsBrokenOnlyOnRequestOrByTheSameRun() throws Exception {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        writeLock("{\"runId\":\"old\",\"host\":\"" + host + "\",\"pid\":" + dead.pid() + ",\"startedAt\":\"yesterday\"}");
        ModelStore store = store();
        ModelLockedException e = assertThrows(ModelLockedException.class, () -> store.lock("new", 600, false));
        assertTrue(e.getMessage().contains("--break-stale-lock"), e.getMessage());
        store.lock("old", 600, false).close(); // a resume of the same run takes it over
        writeLock("{\"runId\":\"old\",\"host\":\"" + host + "\",\"pid\":" + dead.pid() + "}");
        store.lock("new", 600, true).close();
    }

    @Test
    void ofManyConcurrentRunsExactlyOneGetsTheLock() throws Exception {
        ModelStore store = store();
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String runId = "run-" + i;
            outcomes.add(pool.submit(() -> {
                start.await();
                try (RunLock lock = store.lock(runId, 600, false)) {
                    hold.await(10, TimeUnit.SECONDS);
                    return true;
                } catch (ModelLockedException e) {
                    return false;
                }
            }));
        }
        start.countDown();
        Thread.sleep(500);
        hold.countDown();
        int winners = 0;
        for (Future<Boolean> outcome : outcomes) {
            winners += outcome.get(20, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, winners);
    }

    @Test
    void namesThatWouldLeaveTheStoreAreRejected() {
        assertThrows(ModelStoreException.class, () -> new ModelStore(root(), "../x", conf()));
        assertThrows(ModelStoreException.class, () -> store().versionDir("a/../../b"));
    }
}
