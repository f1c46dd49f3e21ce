package io.lstmjob.store;

import java.io.IOException;
import java.io.OutputStream;

/** Writes one file of a version; the store owns where and how atomically. */
@FunctionalInterface
public interface FileContent {
    void writeTo(OutputStream out) throws IOException;
}
