package io.lstmjob.store;

import io.lstmjob.config.PlainName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The folder of one model name, through the Hadoop FileSystem API (file://, hdfs://, ...):
 *
 * <pre>
 *   ROOT/NAME/versions/VERSION/...   immutable, one folder per published run
 *   ROOT/NAME/LATEST                 the live version's id
 *   ROOT/NAME/_staging/              folders being written; never read as a model
 *   ROOT/NAME/runs/RUN/checkpoints/  per-epoch checkpoints of a run that has not published yet
 *   ROOT/NAME/outcomes/RUN.json      how a run with a given id ended (read back by jobs/submit.sh)
 *   ROOT/NAME/_lock/                 the run that owns the model name right now (see RunLock)
 * </pre>
 *
 * A version is written completely under _staging and renamed into versions/ in one step, then
 * LATEST is replaced by one atomic rename, so a reader sees the old model or the new one, never a
 * part of either. While a run holds the lock through this store, every step that publishes or
 * deletes first checks that it still does.
 */
public final class ModelStore {
    static final String VERSIONS = "versions";
    static final String LATEST = "LATEST";
    static final String STAGING = "_staging";
    static final String RUNS = "runs";
    static final String LOCK = "_lock";
    static final String OUTCOMES = "outcomes";
    private static final DateTimeFormatter VERSION_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");

    private final FileSystem fs;
    private final Configuration conf;
    private final Path modelDir;
    private volatile RunLock heldLock;

    public ModelStore(String root, String modelName, Configuration conf) {
        requireSafe(modelName, "model name");
        this.conf = conf;
        try {
            Path rootPath = new Path(root);
            this.fs = rootPath.getFileSystem(conf);
            this.modelDir = new Path(fs.makeQualified(rootPath), modelName);
        } catch (IOException e) {
            throw new ModelStoreException("cannot open output.path " + root + ": " + e.getMessage(), e);
        }
    }

    /** The model's folder, qualified (scheme and authority included). */
    public Path modelDir() {
        return modelDir;
    }

    public Path versionDir(String version) {
        requireSafe(version, "version");
        return new Path(new Path(modelDir, VERSIONS), version);
    }

    /**
     * A new version id that sorts by creation: UTC time to the millisecond (publishes of one model are
     * serialised by its lock and take far longer; seconds let two runs of one second sort by their
     * random suffix, and retention delete the newer) plus a random suffix.
     */
    public static String newVersionId() {
        return VERSION_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Writes the files of a new version and, if {@code makeLive}, points LATEST at it. On any
     * failure nothing new is visible and LATEST still names the previous version.
     */
    public Path publish(String version, Map<String, FileContent> files, boolean makeLive) {
        Path target = versionDir(version);
        writeFolder(target, files);
        if (makeLive) {
            moveLatestTo(version);
        }
        return target;
    }

    /** Points LATEST at a published version (completing a publish that stopped before it). */
    public void makeLive(String version) {
        if (!versions().contains(version)) {
            throw new ModelStoreException(versionDir(version) + " is not a published version");
        }
        moveLatestTo(version);
    }

    private void moveLatestTo(String version) {
        try {
            pointLatestAt(version);
        } catch (IOException e) {
            throw new ModelStoreException(
                    "cannot move " + new Path(modelDir, LATEST) + " to " + version + ": " + e.getMessage(), e);
        }
    }

    /** Writes a folder completely under _staging, then renames it into place in one step. */
    void writeFolder(Path target, Map<String, FileContent> files) {
        Path staging = new Path(new Path(modelDir, STAGING), UUID.randomUUID().toString());
        try {
            if (fs.exists(target)) {
                throw new ModelStoreException(target + " already exists");
            }
            fs.mkdirs(staging);
            for (Map.Entry<String, FileContent> file : files.entrySet()) {
                requireSafe(file.getKey(), "file name");
                NewFiles.write(fs, new Path(staging, file.getKey()), file.getValue());
            }
            fs.mkdirs(target.getParent());
            requireLockStillHeld();
            if (!fs.rename(staging, target)) {
                throw new ModelStoreException("cannot move " + staging + " to " + target);
            }
        } catch (IOException e) {
            throw new ModelStoreException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Published version ids, oldest first (ids sort by creation time). */
    public List<String> versions() {
        Path dir = new Path(modelDir, VERSIONS);
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<String> versions = new ArrayList<>();
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isDirectory()) {
                    versions.add(status.getPath().getName());
                }
            }
            Collections.sort(versions);
            return versions;
        } catch (IOException e) {
            throw new ModelStoreException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the oldest versions so that at most {@code keep} remain, never the live one.
     * @return the deleted version ids
     */
    public List<String> retain(int keep) {
        if (keep <= 0) {
            return List.of();
        }
        requireLockStillHeld();
        String live = liveVersion().orElse(null);
        List<String> versions = versions();
        List<String> deleted = new ArrayList<>();
        int excess = versions.size() - keep;
        for (String version : versions) {
            if (excess <= 0) {
                break;
            }
            if (version.equals(live)) {
                continue;
            }
            requireLockStillHeld();
            try {
                fs.delete(versionDir(version), true);
            } catch (IOException e) {
                throw new ModelStoreException(
                        "cannot delete old version " + versionDir(version) + ": " + e.getMessage(), e);
            }
            deleted.add(version);
            excess--;
        }
        return deleted;
    }

    /** The checkpoints of one run of this model. */
    public CheckpointStore checkpoints(String runId) {
        requireSafe(runId, "run id");
        return new CheckpointStore(this, new Path(new Path(modelDir, RUNS), runId));
    }

    /** The id of the most recent run that left checkpoints (it did not publish), if any. */
    public Optional<String> unfinishedRun() {
        Path runs = new Path(modelDir, RUNS);
        try {
            if (!fs.exists(runs)) {
                return Optional.empty();
            }
            List<String> ids = new ArrayList<>();
            for (FileStatus status : fs.listStatus(runs)) {
                if (status.isDirectory()
                        && checkpoints(status.getPath().getName()).latest().isPresent()) {
                    ids.add(status.getPath().getName());
                }
            }
            Collections.sort(ids);
            return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1));
        } catch (IOException e) {
            throw new ModelStoreException("cannot list " + runs + ": " + e.getMessage(), e);
        }
    }

    /** Takes the model's run lock (see {@link RunLock}); this store's writes are fenced by it from now on. */
    public RunLock lock(String runId, long timeoutSeconds, boolean breakStale) {
        RunLock lock = RunLock.acquire(fs, new Path(modelDir, LOCK), runId, timeoutSeconds, breakStale);
        heldLock = lock;
        removeLeftovers(lock.takenAtMillis() - timeoutSeconds * 1000);
        return lock;
    }

    /**
     * What killed runs left under _staging: with the lock held, no run of this model writes there,
     * and a run that does without it (recording an outcome) is done within seconds, far less than
     * the lock's timeout. Best effort: a leftover is never read as a model.
     */
    private void removeLeftovers(long olderThanMillis) {
        Path staging = new Path(modelDir, STAGING);
        try {
            if (!fs.exists(staging)) {
                return;
            }
            for (FileStatus status : fs.listStatus(staging)) {
                if (status.getModificationTime() < olderThanMillis) {
                    fs.delete(status.getPath(), true);
                }
            }
        } catch (IOException ignored) {
            // The next run tries again.
        }
    }

    /** A holder that lost its lock (paused past the timeout, broken by another run) must not write. */
    void requireLockStillHeld() {
        RunLock lock = heldLock;
        if (lock != null) {
            lock.requireHeld();
        }
    }

    FileSystem fileSystem() {
        return fs;
    }

    private void pointLatestAt(String version) throws IOException {
        requireLockStillHeld();
        replace(new Path(modelDir, LATEST), out -> out.write((version + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes a small file under _staging, then renames it over the old one in one atomic step. */
    private void replace(Path target, FileContent content) throws IOException {
        Path temp = new Path(new Path(modelDir, STAGING), target.getName() + "-" + UUID.randomUUID());
        fs.mkdirs(target.getParent());
        if (fs instanceof LocalFileSystem local) {
            replaceLocal(local, temp, target, content);
            return;
        }
        NewFiles.write(fs, temp, content);
        // HDFS renames over an existing file atomically in the NameNode.
        FileContext.getFileContext(modelDir.toUri(), conf).rename(temp, target, Options.Rename.OVERWRITE);
    }

    /**
     * The local file system's rename with overwrite deletes, then renames, and moves the checksum
     * file separately: a reader could find no file or a checksum error. One rename(2) of a file
     * written without a checksum file replaces it atomically instead.
     */
    private static void replaceLocal(LocalFileSystem local, Path temp, Path target, FileContent content)
            throws IOException {
        java.nio.file.Path tempFile = local.pathToFile(temp).toPath();
        java.nio.file.Path targetFile = local.pathToFile(target).toPath();
        java.nio.file.Files.createDirectories(tempFile.getParent());
        try (var channel = java.nio.channels.FileChannel.open(
                        tempFile, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                var out = java.nio.channels.Channels.newOutputStream(channel)) {
            content.writeTo(out);
            out.flush();
            channel.force(true);
        }
        // A checksum file of an older write would no longer match: without one, nothing is checked.
        java.nio.file.Files.deleteIfExists(
                local.pathToFile(local.getChecksumFile(target)).toPath());
        java.nio.file.Files.move(tempFile, targetFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Records how the run {@code runId} ended, replacing what an earlier attempt of it recorded. */
    public void recordOutcome(String runId, FileContent content) {
        Path file = outcomeFile(runId);
        try {
            replace(file, content);
        } catch (IOException e) {
            throw new ModelStoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The outcome a run recorded, if it recorded one; the caller closes the stream. */
    public Optional<InputStream> openOutcome(String runId) {
        Path file = outcomeFile(runId);
        try {
            return fs.exists(file) ? Optional.of(fs.open(file)) : Optional.empty();
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public Path outcomeFile(String runId) {
        requireSafe(runId, "run id");
        return new Path(new Path(modelDir, OUTCOMES), runId + ".json");
    }

    /** The live version's id, if any version was published. */
    public Optional<String> liveVersion() {
        Path pointer = new Path(modelDir, LATEST);
        try {
            if (!fs.exists(pointer)) {
                return Optional.empty();
            }
            try (FSDataInputStream in = fs.open(pointer)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /** Opens one file of a version; the caller closes the stream. */
    public InputStream open(String version, String fileName) {
        requireSafe(fileName, "file name");
        Path file = new Path(versionDir(version), fileName);
        try {
            return fs.open(file);
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    void deleteQuietly(Path path) {
        try {
            fs.delete(path, true);
        } catch (IOException ignored) {
            // Leftover staging folders are harmless: they are never read as a model.
        }
    }

    /** Names become path elements: only plain names, so nothing can point outside the model folder. */
    static void requireSafe(String name, String what) {
        if (!PlainName.isPlain(name)) {
            throw new ModelStoreException(what + " '" + name + "' " + PlainName.RULE);
        }
    }
}
