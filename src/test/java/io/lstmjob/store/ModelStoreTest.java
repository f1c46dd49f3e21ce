package io.lstmjob.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;

/**
 * The model store's promises, on any Hadoop file system: {@link LocalModelStoreTest} runs them on
 * file://, {@link HdfsModelStoreContractTest} on an in-process HDFS.
 */
abstract class ModelStoreTest {

    /** The store root, as a Hadoop path string. */
    protected abstract String root();

    protected abstract Configuration conf();

    /** How often {@link #aReaderAlwaysFindsLatestWhileItMoves} moves LATEST (an HDFS round trip costs more). */
    protected int pointerSwitches() {
        return 200;
    }

    private ModelStore store() {
        return new ModelStore(root(), "m", conf());
    }

    private FileSystem fs() throws java.io.IOException {
        return new org.apache.hadoop.fs.Path(root()).getFileSystem(conf());
    }

    /** A lock of generation 1 left by another run, whose last heartbeat was {@code ageSeconds} ago. */
    private void writeLock(String json, long ageSeconds) throws java.io.IOException {
        org.apache.hadoop.fs.Path lock = new org.apache.hadoop.fs.Path(root() + "/m/_lock/000000000001");
        org.apache.hadoop.fs.Path beat = new org.apache.hadoop.fs.Path(root() + "/m/_lock/000000000001.heartbeat");
        fs().delete(lock.getParent(), true);
        try (var out = fs().create(lock, false)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        fs().create(beat, false).close();
        long then = fs().getFileStatus(beat).getModificationTime() - ageSeconds * 1000;
        fs().setTimes(beat, then, -1);
        fs().setTimes(lock, then, -1);
    }

    /** What a holder on this machine records besides its pid: the kernel's boot and its process namespace. */
    private static String thisMachine() throws java.io.IOException {
        return "\"bootId\":\""
                + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id"))
                        .strip() + "\",\"pidNamespace\":\""
                + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")) + "\"";
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

    /** A reader polling LATEST while it moves back and forth always finds one, whole, readable pointer. */
    @Test
    void aReaderAlwaysFindsLatestWhileItMoves() throws Exception {
        ModelStore store = store();
        store.publish("v0001", file("1"), true);
        store.publish("v0002", file("2"), true);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<List<String>> misses = reader.submit(() -> {
            ModelStore other = store();
            List<String> bad = new ArrayList<>();
            while (!done.get()) {
                try {
                    String live = other.liveVersion().orElse("(none)");
                    if (!live.equals("v0001") && !live.equals("v0002")) {
                        bad.add(live);
                    }
                } catch (ModelStoreException e) {
                    bad.add(e.getMessage());
                }
                reads.incrementAndGet();
            }
            return bad;
        });
        try {
            for (int i = 0; i < pointerSwitches(); i++) {
                store.makeLive(i % 2 == 0 ? "v0001" : "v0002");
            }
        } finally {
            done.set(true);
        }
        List<String> bad = misses.get(60, TimeUnit.SECONDS);
        reader.shutdown();
        assertEquals(
                List.of(),
                bad.subList(0, Math.min(5, bad.size())),
                bad.size() + " of " + reads.get() + " reads found no LATEST or a broken one");
        assertEquals("v0002", store.liveVersion().orElseThrow());
    }

    /** What killed runs left under _staging goes when the next run takes the lock; what is being written now stays. */
    @Test
    void leftoversOfKilledRunsAreRemovedByTheNextHolder() throws Exception {
        org.apache.hadoop.fs.Path killed = new org.apache.hadoop.fs.Path(root() + "/m/_staging/killed-run");
        org.apache.hadoop.fs.Path fresh = new org.apache.hadoop.fs.Path(root() + "/m/_staging/LATEST-being-written");
        fs().mkdirs(killed);
        try (var out = fs().create(new org.apache.hadoop.fs.Path(killed, "model.zip"))) {
            out.write(1);
        }
        fs().create(fresh).close();
        fs().setTimes(killed, fs().getFileStatus(killed).getModificationTime() - 7_200_000, -1);
        store().lock("next", 600, false).close();
        assertFalse(fs().exists(killed), "a two-hour-old leftover is removed");
        assertTrue(fs().exists(fresh), "a file written seconds ago is not");
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
        assertThrows(
                ModelStoreException.class,
                () -> store.publish(
                        "v2",
                        Map.of("model.txt", out -> {
                            out.write(1);
                            throw new java.io.IOException("disk full");
                        }),
                        true));
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
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String holder = "{\"runId\":\"old\",\"host\":\"h\",\"pid\":" + dead.pid() + ",\"startedAt\":\"yesterday\","
                + thisMachine() + "}";
        writeLock(holder, 0);
        ModelStore store = store();
        ModelLockedException e = assertThrows(ModelLockedException.class, () -> store.lock("new", 600, false));
        assertTrue(e.getMessage().contains("--break-stale-lock"), e.getMessage());
        store.lock("old", 600, false).close(); // a resume of the same run takes it over
        writeLock(holder, 0);
        store.lock("new", 600, true).close();
    }

    /** A dead pid means nothing when the holder ran in another process namespace (a container with the same hostname). */
    @Test
    void aPidFromAnotherMachineIsNotTakenForDead() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        writeLock(
                "{\"runId\":\"elsewhere\",\"host\":\"" + host + "\",\"pid\":" + dead.pid()
                        + ",\"bootId\":\"another-kernel\",\"pidNamespace\":\"pid:[1]\"}",
                0);
        ModelLockedException e = assertThrows(ModelLockedException.class, () -> store().lock("new", 600, true));
        assertTrue(e.getMessage().contains("try again when it has finished"), e.getMessage());
    }

    /** Of many runs that all saw the same stale holder and break it at once, exactly one gets the lock. */
    @Test
    void ofManyBreakersOfOneStaleLockExactlyOneWins() throws Exception {
        writeLock("{\"runId\":\"paused\",\"host\":\"far\",\"pid\":1}", 3600);
        assertEquals(1, winnersOfConcurrentLocks(8, "breaker-", true));
    }

    /**
     * A holder paused past the timeout (GC, SIGSTOP) whose lock another run broke publishes nothing,
     * deletes nothing and, when it closes, leaves the new holder's lock alone.
     */
    @Test
    void aHolderThatLostItsLockStopsWithoutWriting() throws Exception {
        ModelStore paused = store();
        paused.publish("v1", file("1"), true);
        RunLock lost = paused.lock("nightly", 600, false);
        // Its heartbeat stopped an hour ago, as far as anyone can tell:
        org.apache.hadoop.fs.Path beat = new org.apache.hadoop.fs.Path(root() + "/m/_lock/000000000001.heartbeat");
        fs().setTimes(beat, fs().getFileStatus(beat).getModificationTime() - 3_600_000, -1);
        ModelStore successor = store();
        RunLock taken = successor.lock("nightly-retry", 600, true);

        ModelLockedException e = assertThrows(ModelLockedException.class, () -> paused.publish("v2", file("2"), true));
        assertTrue(e.getMessage().contains("run nightly lost the lock of m to run nightly-retry"), e.getMessage());
        assertThrows(ModelLockedException.class, () -> paused.retain(1));
        assertThrows(
                ModelLockedException.class, () -> paused.checkpoints("nightly").delete());
        assertEquals(List.of("v1"), paused.versions());
        assertEquals("v1", paused.liveVersion().orElseThrow());

        lost.close();
        ModelLockedException refused = assertThrows(ModelLockedException.class, () -> store().lock("third", 600, true));
        assertTrue(refused.getMessage().contains("locked by run nightly-retry"), refused.getMessage());
        successor.publish("v2", file("2"), true);
        taken.close();
        store().lock("third", 600, false).close();
    }

    @Test
    void ofManyConcurrentRunsExactlyOneGetsTheLock() throws Exception {
        assertEquals(1, winnersOfConcurrentLocks(8, "run-", false));
    }

    /**
     * How many of {@code runs} threads, started together, got the lock and still held it while all
     * tried: a winner holds it until every thread has made its attempt (a latch, not a sleep), so a
     * slow loser cannot find it released and a broken lock shows as two winners whatever the timing.
     */
    private int winnersOfConcurrentLocks(int runs, String prefix, boolean breakStale) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch tried = new CountDownLatch(runs);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String runId = prefix + i;
            outcomes.add(pool.submit(() -> {
                start.await();
                RunLock lock;
                try {
                    lock = store().lock(runId, 600, breakStale);
                } catch (ModelLockedException e) {
                    tried.countDown();
                    return false;
                }
                try (lock) {
                    tried.countDown();
                    assertTrue(tried.await(60, TimeUnit.SECONDS), "every run made its attempt");
                    lock.requireHeld();
                    return true;
                }
            }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> outcome : outcomes) {
            winners += outcome.get(90, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        return winners;
    }

    /** Ids made one after the other sort in the order they were made, also within one second. */
    @Test
    void versionIdsSortByCreationWithinASecond() throws Exception {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            made.add(ModelStore.newVersionId());
            Thread.sleep(2);
        }
        List<String> sorted = new ArrayList<>(made);
        java.util.Collections.sort(sorted);
        assertEquals(made, sorted);
    }

    /** A run keeps the checkpoints of its two latest epochs; the unfinished run is the latest id that has one. */
    @Test
    void checkpointsArePrunedToTheTwoNewestAndTheUnfinishedRunIsTheLatestId() throws Exception {
        ModelStore store = store();
        try (RunLock ignored = store.lock("writer", 600, false)) {
            CheckpointStore older = store.checkpoints("20261201T000000000Z-aaaaaaaa");
            older.save(1, file("a"));
            CheckpointStore run = store.checkpoints("20261202T000000000Z-00000000");
            for (int epoch = 1; epoch <= 5; epoch++) {
                run.save(epoch, file("e" + epoch));
            }
            store.checkpoints("20261203T000000000Z-ffffffff"); // a run folder without a checkpoint does not count
            assertEquals(java.util.Optional.of(5), run.latest());
            List<String> left = new ArrayList<>();
            for (var status : fs().listStatus(new org.apache.hadoop.fs.Path(
                    root() + "/m/runs/20261202T000000000Z-00000000/checkpoints"))) {
                left.add(status.getPath().getName());
            }
            java.util.Collections.sort(left);
            assertEquals(List.of("epoch-00004", "epoch-00005"), left);
            assertEquals(java.util.Optional.of("20261202T000000000Z-00000000"), store.unfinishedRun());
            run.delete();
            assertEquals(java.util.Optional.of("20261201T000000000Z-aaaaaaaa"), store.unfinishedRun());
        }
    }

    @Test
    void namesThatWouldLeaveTheStoreAreRejected() {
        assertThrows(ModelStoreException.class, () -> new ModelStore(root(), "../x", conf()));
        assertThrows(ModelStoreException.class, () -> store().versionDir("a/../../b"));
    }
}
