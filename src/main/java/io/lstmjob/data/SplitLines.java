package io.lstmjob.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CodecPool;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.compress.Decompressor;
import org.apache.hadoop.util.LineReader;
import org.apache.spark.util.LongAccumulator;

/**
 * The lines of one split of a text file, as byte ranges. A split [start, start + length) reads the
 * lines whose first byte lies in (start, end] (from 0 for the file's first split), the rule of
 * Hadoop's LineRecordReader, so consecutive splits read every line exactly once. Lines end with \n,
 * \r\n or \r (Hadoop's LineReader); a UTF-8 byte order mark at the start of the file is dropped.
 * A compressed file (any codec Hadoop's CompressionCodecFactory knows by the file's extension) is
 * read whole, as one split, through its codec; positions then count decompressed bytes, so an error's
 * line number is that of the text the user sees. A line longer than maxLineBytes is an error naming
 * it, not a buffer that grows until the task runs out of memory.
 */
final class SplitLines implements Closeable {
    private static final int BUFFER = 1 << 16;
    private static final long PROGRESS_STEP = 1 << 20;

    private final String file;
    private final FSDataInputStream raw;
    private final InputStream in;
    private final Decompressor decompressor;
    private final LineReader reader;
    private final long end;
    private final int maxLineBytes;
    private final Text line = new Text();
    /** Where the split's stored bytes end, and the accumulator they are counted into (null: none). */
    private final long storedEnd;

    private LongAccumulator bytesRead;
    private long counted;
    private long next;
    private long position;
    private int from;

    private SplitLines(
            String file,
            FSDataInputStream raw,
            InputStream in,
            Decompressor decompressor,
            long start,
            long end,
            long storedEnd,
            int maxLineBytes)
            throws IOException {
        this.file = file;
        this.raw = raw;
        this.in = in;
        this.decompressor = decompressor;
        this.reader = new LineReader(in, BUFFER);
        this.end = end;
        this.maxLineBytes = maxLineBytes;
        this.storedEnd = storedEnd;
        this.next = start;
        if (start != 0) {
            // The line that starts before the split, or exactly at its start, is the previous split's.
            next += reader.readLine(new Text(), 0, Integer.MAX_VALUE);
        }
    }

    /** Whether files of this name are read through a codec (and so as one split). */
    static boolean isCompressed(Configuration conf, Path file) {
        return new CompressionCodecFactory(conf).getCodec(file) != null;
    }

    /** The split [start, start + length) of {@code file}; a compressed file must be given whole. */
    static SplitLines open(Configuration conf, Path file, long start, long length, int maxLineBytes)
            throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        FSDataInputStream raw = fs.open(file);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
        if (codec == null) {
            raw.seek(start);
            return new SplitLines(file.toString(), raw, raw, null, start, start + length, start + length, maxLineBytes);
        }
        if (start != 0) {
            raw.close();
            throw new IllegalArgumentException(file + " is compressed and cannot be read from byte " + start);
        }
        Decompressor decompressor = CodecPool.getDecompressor(codec);
        return new SplitLines(
                file.toString(),
                raw,
                codec.createInputStream(raw, decompressor),
                decompressor,
                0,
                Long.MAX_VALUE,
                length,
                maxLineBytes);
    }

    /** The whole file. */
    static SplitLines open(Configuration conf, Path file, int maxLineBytes) throws IOException {
        return open(conf, file, 0, Long.MAX_VALUE - 1, maxLineBytes);
    }

    /**
     * Counts the split's stored (compressed) bytes into {@code bytesRead} as they are read, a megabyte
     * at a time and the rest at the split's end, for the progress log.
     */
    SplitLines countingInto(LongAccumulator bytesRead) {
        this.bytesRead = bytesRead;
        this.counted = storedPosition();
        return this;
    }

    /** Advances to the split's next line; false at its end. */
    boolean next() throws IOException {
        if (!nextLine()) {
            if (bytesRead != null) {
                bytesRead.add(Math.max(0, Math.min(storedEnd, storedPosition()) - counted));
                bytesRead = null;
            }
            return false;
        }
        if (bytesRead != null && storedPosition() - counted >= PROGRESS_STEP) {
            bytesRead.add(storedPosition() - counted);
            counted = storedPosition();
        }
        return true;
    }

    private boolean nextLine() throws IOException {
        if (next > end) {
            return false;
        }
        int consumed;
        try {
            consumed = reader.readLine(line, maxLineBytes + 1, Integer.MAX_VALUE);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).startsWith("Too many bytes before newline")) {
                throw tooLong(next);
            }
            throw e;
        }
        if (consumed == 0) {
            return false;
        }
        position = next;
        next += consumed;
        if (line.getLength() > maxLineBytes) {
            throw tooLong(position);
        }
        byte[] b = line.getBytes();
        from = position == 0
                        && line.getLength() >= 3
                        && b[0] == (byte) 0xEF
                        && b[1] == (byte) 0xBB
                        && b[2] == (byte) 0xBF
                ? 3
                : 0;
        return true;
    }

    private BadRecordException tooLong(long at) {
        return new BadRecordException(
                file,
                at,
                "the line is longer than input.maxLineBytes (" + maxLineBytes
                        + " bytes); a line break may be missing, or raise input.maxLineBytes");
    }

    /** The current line's bytes, valid from {@link #from()} to {@link #to()} until the next call. */
    byte[] bytes() {
        return line.getBytes();
    }

    int from() {
        return from;
    }

    int to() {
        return line.getLength();
    }

    /** Position of the current line's first byte in the file (decompressed, for a compressed file). */
    long position() {
        return position;
    }

    /** Where the file has been read to, in its stored (compressed) bytes: for progress. */
    long storedPosition() {
        try {
            return raw.getPos();
        } catch (IOException e) {
            return 0;
        }
    }

    String file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            if (decompressor != null) {
                CodecPool.returnDecompressor(decompressor);
            }
        }
    }

    /** The 1-based number of the line that starts at {@code position}, counting line ends as the reader does. */
    static long lineNumberAt(Configuration conf, Path file, long position) throws IOException {
        try (SplitLines lines = open(conf, file, 0, Long.MAX_VALUE - 1, 0)) {
            long line = 1;
            long at = 0;
            Text discard = new Text();
            while (at < position) {
                int consumed = lines.reader.readLine(discard, 0, Integer.MAX_VALUE);
                if (consumed == 0) {
                    break;
                }
                at += consumed;
                line += at <= position ? 1 : 0;
            }
            return line;
        }
    }
}
