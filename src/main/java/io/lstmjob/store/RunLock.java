package io.lstmjob.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One run at a time per model name, fenced by generations. ROOT/NAME/_lock/ holds a file per
 * generation, created without overwrite (HDFS: in the NameNode; local: O_EXCL through java.nio,
 * since Hadoop's local create checks and creates in two steps): of the runs that try to create the
 * same next generation, exactly one succeeds. That is how a lock is taken, first, after a release,
 * or over a stale holder, so breaking a lock is as atomic as taking one.
 *
 * <p>The highest generation holds the lock. A holder whose generation is no longer the highest (or
 * that released it) has lost it; the store checks {@link #requireHeld} before each step that
 * publishes or deletes, so a holder paused past the timeout (GC, SIGSTOP, a partition) stops
 * without writing when it wakes. The check narrows the race to one file-system call: HDFS has no
 * conditional rename that would close it.
 *
 * <p>The heartbeat rewrites GENERATION.heartbeat, whose modification time the file system sets;
 * a lock is stale when that is older than the timeout on the file system's own clock (read from a
 * probe file), or at once when its holder ran in this machine's process namespace and is gone. A
 * stale lock is taken over only by the same run id (a resume) or when the caller asks to break it.
 */
public final class RunLock implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GENERATION = Pattern.compile("(\\d{12})(\\.heartbeat|\\.released)?");
    private static final String HEARTBEAT = ".heartbeat";
    private static final String RELEASED = ".released";

    private final FileSystem fs;
    private final Path dir;
    private final long generation;
    private final String runId;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean closed;
    private long takenAtMillis;

    private RunLock(FileSystem fs, Path dir, long generation, String runId, long timeoutSeconds) {
        this.fs = fs;
        this.dir = dir;
        this.generation = generation;
        this.runId = runId;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, timeoutSeconds / 4);
        heartbeat.scheduleAtFixedRate(this::beat, period, period, TimeUnit.SECONDS);
    }

    static RunLock acquire(FileSystem fs, Path dir, String runId, long timeoutSeconds, boolean breakStale) {
        try {
            fs.mkdirs(dir);
            byte[] content = JSON.writeValueAsBytes(Holder.of(runId));
            for (int attempt = 0; attempt < 3; attempt++) {
                Generations current = Generations.list(fs, dir);
                long next = current.highest() + 1;
                if (current.highest() > 0 && !current.released()) {
                    Holder holder = Holder.read(fs, dir, current.highest());
                    boolean stale = holder.isStale(fs, dir, timeoutSeconds);
                    if (!stale || !(runId.equals(holder.runId) || breakStale)) {
                        throw locked(dir, holder, stale);
                    }
                }
                if (tryCreate(fs, file(dir, next, ""), content)) {
                    RunLock lock = new RunLock(fs, dir, next, runId, timeoutSeconds);
                    lock.beat();
                    lock.takenAtMillis =
                            fs.getFileStatus(file(dir, next, HEARTBEAT)).getModificationTime();
                    current.deleteBefore(next - 1);
                    return lock;
                }
                // Another run created that generation first: look again, and see it as the holder.
            }
            Generations now = Generations.list(fs, dir);
            throw locked(dir, Holder.read(fs, dir, now.highest()), false);
        } catch (IOException e) {
            throw new ModelStoreException("cannot take the lock " + dir + ": " + e.getMessage(), e);
        }
    }

    /** When the lock was taken, on the file system's clock. */
    long takenAtMillis() {
        return takenAtMillis;
    }

    /** Throws unless this run still holds the lock: no other run took a newer generation, and it did not release it. */
    public void requireHeld() {
        try {
            Generations current = Generations.list(fs, dir);
            if (current.highest() == generation && !current.released() && !closed) {
                return;
            }
            String by =
                    current.highest() > generation ? " to run " + Holder.read(fs, dir, current.highest()).runId : "";
            throw new ModelLockedException(
                    "run " + runId + " lost the lock of " + dir.getParent().getName() + by
                            + " (its heartbeat stopped for longer than store.lockTimeoutSeconds, or the lock was broken);"
                            + " it stops without writing");
        } catch (IOException e) {
            throw new ModelStoreException("cannot read the lock " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ModelLockedException locked(Path dir, Holder holder, boolean stale) {
        return new ModelLockedException(dir.getParent().getName() + " is locked by run " + holder.runId + " (host "
                + holder.host + ", pid " + holder.pid + ", started " + holder.startedAt + ", last heartbeat "
                + holder.heartbeatAge.toSeconds() + " s ago)"
                + (stale
                        ? "; that run looks dead: add --break-stale-lock to take the lock"
                        : "; try again when it has finished"));
    }

    private static Path file(Path dir, long generation, String suffix) {
        return new Path(dir, String.format("%012d%s", generation, suffix));
    }

    private static boolean tryCreate(FileSystem fs, Path file, byte[] content) throws IOException {
        if (fs instanceof LocalFileSystem local) {
            try {
                Files.write(
                        local.pathToFile(file).toPath(),
                        content,
                        java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE,
                        java.nio.file.StandardOpenOption.SYNC);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        org.apache.hadoop.fs.FSDataOutputStream out;
        try {
            out = fs.create(file, false);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // HDFS answers a create racing another one of the same client with "already being created"
            // (AlreadyBeingCreatedException) rather than "exists": either way, someone else has the lock.
            if (fs.exists(file)) {
                return false;
            }
            throw e;
        }
        try {
            NewFiles.writeAndClose(out, stream -> stream.write(content));
            return true;
        } catch (IOException e) {
            // The generation was ours but could not be written (a full disk, say): leave no empty lock behind.
            fs.delete(file, false);
            throw e;
        }
    }

    /** The file system stamps the heartbeat file's modification time with its own clock. */
    private void beat() {
        try {
            NewFiles.writeAndClose(fs.create(file(dir, generation, HEARTBEAT), true), out -> out.write('.'));
        } catch (IOException | RuntimeException ignored) {
            // A missed heartbeat only makes the lock look older; the next one catches up.
        }
    }

    /** Releases the lock if this run still holds it; never touches a successor's. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            Generations current = Generations.list(fs, dir);
            if (current.highest() == generation && !current.released()) {
                tryCreate(fs, file(dir, generation, RELEASED), new byte[0]);
            }
        } catch (IOException ignored) {
            // A lock left behind is stale once its heartbeat stops and is reported as such.
        } finally {
            closed = true;
        }
    }

    /** The generation files in the lock folder: the highest, and whether it was released. */
    private record Generations(FileSystem fs, Path dir, long highest, boolean released, Map<Long, Boolean> all) {
        static Generations list(FileSystem fs, Path dir) throws IOException {
            Map<Long, Boolean> generations = new LinkedHashMap<>();
            FileStatus[] files;
            try {
                files = fs.listStatus(dir);
            } catch (FileNotFoundException e) {
                files = new FileStatus[0];
            }
            for (FileStatus status : files) {
                Matcher m = GENERATION.matcher(status.getPath().getName());
                if (m.matches()) {
                    long g = Long.parseLong(m.group(1));
                    generations.merge(g, RELEASED.equals(m.group(2)), Boolean::logicalOr);
                }
            }
            long highest = generations.keySet().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            return new Generations(fs, dir, highest, generations.getOrDefault(highest, false), generations);
        }

        /** Old generations are history; the highest two stay, so the newest is never in doubt. */
        void deleteBefore(long keepFrom) {
            for (long g : all.keySet()) {
                if (g < keepFrom) {
                    for (String suffix : new String[] {"", HEARTBEAT, RELEASED}) {
                        try {
                            fs.delete(file(dir, g, suffix), false);
                        } catch (IOException ignored) {
                            // Left for the next run to remove.
                        }
                    }
                }
            }
        }
    }

    /**
     * Who holds a generation. {@code bootId} and {@code pidNamespace} say in which kernel and process
     * namespace {@code pid} means something: a hostname alone does not (containers share them).
     */
    private record Holder(
            String runId,
            String host,
            long pid,
            String startedAt,
            String processStart,
            String bootId,
            String pidNamespace,
            Duration heartbeatAge) {

        static Map<String, Object> of(String runId) {
            Map<String, Object> holder = new LinkedHashMap<>();
            holder.put("runId", runId);
            holder.put("host", localHost());
            holder.put("pid", ProcessHandle.current().pid());
            holder.put("startedAt", Instant.now().toString());
            holder.put(
                    "processStart",
                    ProcessHandle.current()
                            .info()
                            .startInstant()
                            .map(Instant::toString)
                            .orElse(null));
            holder.put("bootId", Machine.BOOT_ID);
            holder.put("pidNamespace", Machine.PID_NAMESPACE);
            return holder;
        }

        static Holder read(FileSystem fs, Path dir, long generation) throws IOException {
            Path file = file(dir, generation, "");
            JsonNode node;
            try (FSDataInputStream in = fs.open(file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                node = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (FileNotFoundException e) {
                node = JSON.createObjectNode(); // released and removed by a newer holder in the meantime
            }
            return new Holder(
                    node.path("runId").asText("(unknown)"),
                    node.path("host").asText("?"),
                    node.path("pid").asLong(-1),
                    node.path("startedAt").asText("?"),
                    node.path("processStart").asText(null),
                    node.path("bootId").asText(null),
                    node.path("pidNamespace").asText(null),
                    heartbeatAge(fs, dir, generation));
        }

        /** Age of the last heartbeat on the file system's clock: a probe file's time against the heartbeat's. */
        private static Duration heartbeatAge(FileSystem fs, Path dir, long generation) throws IOException {
            long beat;
            try {
                beat = fs.getFileStatus(file(dir, generation, HEARTBEAT)).getModificationTime();
            } catch (FileNotFoundException e) {
                try {
                    beat = fs.getFileStatus(file(dir, generation, "")).getModificationTime();
                } catch (FileNotFoundException gone) {
                    return Duration.ZERO;
                }
            }
            Path probe = new Path(dir, "clock-" + UUID.randomUUID());
            try {
                NewFiles.writeAndClose(fs.create(probe, false), out -> out.write('.'));
                long now = fs.getFileStatus(probe).getModificationTime();
                return Duration.ofMillis(Math.max(0, now - beat));
            } finally {
                fs.delete(probe, false);
            }
        }

        boolean isStale(FileSystem fs, Path dir, long timeoutSeconds) {
            if (heartbeatAge.toSeconds() > timeoutSeconds) {
                return true;
            }
            boolean sameNamespace = bootId != null
                    && bootId.equals(Machine.BOOT_ID)
                    && pidNamespace != null
                    && pidNamespace.equals(Machine.PID_NAMESPACE)
                    && pid > 0;
            if (!sameNamespace) {
                return false;
            }
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            // A live process with the holder's pid but another start time reused the pid.
            return process.isEmpty()
                    || !process.get().isAlive()
                    || (processStart != null
                            && !process.get()
                                    .info()
                                    .startInstant()
                                    .map(Instant::toString)
                                    .orElse("")
                                    .equals(processStart));
        }
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** This kernel's boot and this process's pid namespace (Linux); null where they cannot be read. */
    private static final class Machine {
        static final String BOOT_ID =
                read(() -> Files.readString(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id"))
                        .strip());
        static final String PID_NAMESPACE =
                read(() -> Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid"))
                        .toString());

        private interface Reading {
            String get() throws IOException;
        }

        private static String read(Reading reading) {
            try {
                return reading.get();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
