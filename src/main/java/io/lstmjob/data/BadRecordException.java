package io.lstmjob.data;

/**
 * A record of the input that cannot be used. Thrown on executors with the file and byte offset;
 * {@link InputErrors} turns the offset into a line number on the driver, where it is cheap to do.
 */
public class BadRecordException extends RuntimeException {
    private final String file;
    private final long offset;
    private final String reason;

    public BadRecordException(String file, long offset, String reason) {
        super(file + (offset >= 0 ? " at byte " + offset : "") + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    /** Byte offset of the record's line in the file, or -1 where a record has no line (Parquet). */
    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
