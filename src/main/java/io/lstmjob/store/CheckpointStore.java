package io.lstmjob.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The per-epoch checkpoints of one run, under ROOT/NAME/runs/RUN/checkpoints/epoch-NNNNN. Each is
 * written whole and renamed into place, so a run killed while writing one leaves the previous
 * one intact; the two newest are kept, and the run's folder goes when it publishes.
 */
public final class CheckpointStore {
    private static final String PREFIX = "epoch-";
    private final ModelStore store;
    private final Path runDir;
    private final Path dir;

    CheckpointStore(ModelStore store, Path runDir) {
        this.store = store;
        this.runDir = runDir;
        this.dir = new Path(runDir, "checkpoints");
    }

    public void save(int epoch, Map<String, FileContent> files) {
        store.writeFolder(new Path(dir, name(epoch)), files);
        if (epoch > 2) {
            store.requireLockStillHeld();
            store.deleteQuietly(new Path(dir, name(epoch - 2)));
        }
    }

    /** The last epoch with a complete checkpoint. */
    public Optional<Integer> latest() {
        FileSystem fs = store.fileSystem();
        try {
            if (!fs.exists(dir)) {
                return Optional.empty();
            }
            int latest = -1;
            for (FileStatus status : fs.listStatus(dir)) {
                String name = status.getPath().getName();
                if (status.isDirectory() && name.startsWith(PREFIX)) {
                    latest = Math.max(latest, Integer.parseInt(name.substring(PREFIX.length())));
                }
            }
            return latest < 0 ? Optional.empty() : Optional.of(latest);
        } catch (IOException | NumberFormatException e) {
            throw new ModelStoreException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the checkpoint of {@code epoch} holds {@code fileName} (some files are written only when needed). */
    public boolean has(int epoch, String fileName) {
        Path file = file(epoch, fileName);
        try {
            return store.fileSystem().exists(file);
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public InputStream open(int epoch, String fileName) {
        Path file = file(epoch, fileName);
        try {
            return store.fileSystem().open(file);
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the run's checkpoints: called once the run has published. */
    public void delete() {
        store.requireLockStillHeld();
        store.deleteQuietly(runDir);
    }

    private Path file(int epoch, String fileName) {
        ModelStore.requireSafe(fileName, "file name");
        return new Path(new Path(dir, name(epoch)), fileName);
    }

    private static String name(int epoch) {
        return String.format("%s%05d", PREFIX, epoch);
    }
}
