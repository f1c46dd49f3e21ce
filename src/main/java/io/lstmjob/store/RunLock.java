package io.lstmjob.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run at a time per model name. The lock is a file whose creation is atomic (HDFS creates
 * without overwrite in the NameNode; on the local file system O_EXCL through java.nio, since
 * Hadoop's local create checks and creates in two steps). It names its holder and is touched as a
 * heartbeat; it is stale when the heartbeat is older than the timeout, or at once when its holder
 * ran on this host and that process is gone. A stale lock is taken over only by the same run id
 * (a resume) or when the caller explicitly asks to break it.
 */
public final class RunLock implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FileSystem fs;
    private final Path file;
    private final String runId;
    private final ScheduledExecutorService heartbeat;

    private RunLock(FileSystem fs, Path file, String runId, long timeoutSeconds) {
        this.fs = fs;
        this.file = file;
        this.runId = runId;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, timeoutSeconds / 4);
        heartbeat.scheduleAtFixedRate(this::touch, period, period, TimeUnit.SECONDS);
    }

    static RunLock acquire(FileSystem fs, Path file, String runId, long timeoutSeconds, boolean breakStale) {
        Map<String, Object> holder = Map.of("runId", runId, "host", host(), "pid", ProcessHandle.current().pid(),
                "user", System.getProperty("user.name", "unknown"), "startedAt", Instant.now().toString());
        try {
            byte[] content = JSON.writeValueAsBytes(holder);
            if (tryCreate(fs, file, content)) {
                return new RunLock(fs, file, runId, timeoutSeconds);
            }
            Holder current = Holder.read(fs, file);
            boolean stale = current.isStale(timeoutSeconds);
            if (stale && (runId.equals(current.runId) || breakStale)) {
                fs.delete(file, false);
                if (tryCreate(fs, file, content)) {
                    return new RunLock(fs, file, runId, timeoutSeconds);
                }
                current = Holder.read(fs, file);
                stale = false;
            }
            throw new ModelLockedException(file.getParent().getName() + " is locked by run " + current.runId + " (host "
                    + current.host + ", pid " + current.pid + ", started " + current.startedAt + ", last heartbeat "
                    + current.heartbeatAge().toSeconds() + " s ago)"
                    + (stale ? "; that run looks dead: add --break-stale-lock to take the lock" : "; try again when it has finished"));
        } catch (IOException e) {
            throw new ModelStoreException("cannot take the lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean tryCreate(FileSystem fs, Path file, byte[] content) throws IOException {
        fs.mkdirs(file.getParent());
        if (fs instanceof LocalFileSystem local) {
            try {
                Files.write(local.pathToFile(file).toPath(), content, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
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
            // The lock was ours but could not be written (a full disk, say): leave no empty lock behind.
            fs.delete(file, false);
            throw e;
        }
    }

    private void touch() {
        try {
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException ignored) {
            // A missed heartbeat only makes the lock look older; the next one catches up.
        }
    }

    /** Releases the lock if this run still holds it. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (fs.exists(file) && runId.equals(Holder.read(fs, file).runId)) {
                fs.delete(file, false);
            }
        } catch (IOException ignored) {
            // A lock left behind is stale once its heartbeat stops and is reported as such.
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private record Holder(String runId, String host, long pid, String startedAt, long modifiedMillis) {
        static Holder read(FileSystem fs, Path file) throws IOException {
            long modified = fs.getFileStatus(file).getModificationTime();
            try (FSDataInputStream in = fs.open(file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (text.isBlank()) {
                    return new Holder("(being created)", "?", -1, "?", modified);
                }
                var node = JSON.readTree(text);
                return new Holder(node.path("runId").asText("?"), node.path("host").asText("?"),
                        node.path("pid").asLong(-1), node.path("startedAt").asText("?"), modified);
            }
        }

        Duration heartbeatAge() {
            return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - modifiedMillis));
        }

        boolean isStale(long timeoutSeconds) {
            if (heartbeatAge().toSeconds() > timeoutSeconds) {
                return true;
            }
            boolean sameHost = host.equals(host()) && pid > 0;
            return sameHost && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        }
    }
}
