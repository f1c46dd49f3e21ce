package io.lstmjob.data;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Finds a {@link BadRecordException} inside a Spark failure and words it as "file:line: reason".
 * Spark wraps executor exceptions; the original travels as a cause when it can be deserialised,
 * which holds for ours since the job's classes are on every executor.
 */
public final class InputErrors {
    private InputErrors() {}

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

    /** "file:line: reason", counting lines up to the record's position (decompressed, as the reader counts them). */
    public static String describe(BadRecordException bad, Configuration hadoopConf) {
        String message = place(bad.file(), bad.offset(), hadoopConf) + ": " + bad.reason();
        if (bad.firstFile() != null) {
            message += " (the first is "
                    + (bad.firstOffset() >= 0
                            ? "at " + place(bad.firstFile(), bad.firstOffset(), hadoopConf)
                            : "in " + bad.firstFile())
                    + ")";
        }
        return message;
    }

    private static String place(String file, long offset, Configuration conf) {
        if (offset < 0) {
            return file;
        }
        try {
            return file + ":" + SplitLines.lineNumberAt(conf, new Path(file), offset);
        } catch (IOException | RuntimeException e) {
            return file + " at byte " + offset;
        }
    }
}
