package io.lstmjob.store;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a new file (never over an existing one) and syncs it to the DataNodes. Not
 * try-with-resources: an HDFS stream that failed (quota, lost pipeline) throws the same exception
 * again from close(), which try-with-resources turns into "Self-suppression not permitted" and
 * loses the real cause.
 */
public final class NewFiles {
    private NewFiles() {}

    public static void write(FileSystem fs, Path path, FileContent content) throws IOException {
        writeAndClose(fs.create(path, false), content);
    }

    static void writeAndClose(FSDataOutputStream out, FileContent content) throws IOException {
        try {
            content.writeTo(out);
            out.hsync();
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException closing) {
                if (closing != e) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        out.close();
    }
}
