package io.lstmjob.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Finds a {@link BadRecordException} inside a Spark failure and words it as "file:line: reason".
 * Spark wraps executor exceptions; the original travels as a cause when it can be deserialised,
 * which holds for ours since the job's classes are on every executor.
 */
public final class InputErrors {
    private InputErrors() {
    }

    /** The bad record behind a failure, or null when the failure has another cause. */
    public static BadRecordException findBadRecord(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BadRecordException bad) {
                return bad;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** "file:line: reason", counting lines up to the record's offset (only on this error path). */
    public static String describe(BadRecordException bad, Configuration hadoopConf) {
        if (bad.offset() < 0) {
            return bad.file() + ": " + bad.reason();
        }
        try {
            return bad.file() + ":" + lineOf(new Path(bad.file()), bad.offset(), hadoopConf) + ": " + bad.reason();
        } catch (IOException | RuntimeException e) {
            return bad.file() + " at byte " + bad.offset() + ": " + bad.reason();
        }
    }

    static long lineOf(Path file, long offset, Configuration conf) throws IOException {
        long line = 1;
        try (FSDataInputStream raw = file.getFileSystem(conf).open(file);
             InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            for (long i = 0; i < offset; i++) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                if (b == '\n') {
                    line++;
                }
            }
        }
        return line;
    }
}
