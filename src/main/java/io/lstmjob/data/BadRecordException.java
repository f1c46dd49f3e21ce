package io.lstmjob.data;

/**
 * A record of the input that cannot be used. Thrown on executors with the file and the byte position
 * of the record's line; {@link InputErrors} turns positions into line numbers on the driver, where
 * it is cheap to do (only on this error path). Where an earlier row explains the problem (a duplicate,
 * a second label), its place travels too.
 */
public class BadRecordException extends RuntimeException {
    private final String file;
    private final long offset;
    private final String reason;
    private String firstFile;
    private long firstOffset = -1;

    public BadRecordException(String file, long offset, String reason) {
        super(file + (offset >= 0 ? " at byte " + offset : "") + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    /** The row seen first, which this one contradicts: its file and line position (-1: no lines). */
    BadRecordException seenFirstAt(String file, long offset) {
        this.firstFile = file;
        this.firstOffset = offset;
        return this;
    }

    public String file() {
        return file;
    }

    /** Byte position of the record's line in the (decompressed) file, or -1 where a record has no line (Parquet). */
    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }

    /** The file of the row seen first, or null. */
    public String firstFile() {
        return firstFile;
    }

    public long firstOffset() {
        return firstOffset;
    }
}
