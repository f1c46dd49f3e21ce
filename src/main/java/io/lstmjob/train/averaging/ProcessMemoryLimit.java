package io.lstmjob.train.averaging;

import org.bytedeco.javacpp.Pointer;

/**
 * This process's memory bound (heap, ND4J's off-heap arrays and the JVM's own memory: the container's
 * size), checked before each minibatch a worker fits: over it, the worker collects garbage (which
 * lets ND4J free unreachable arrays) a few times, then fails its task with the figures and the
 * property's name, before the cluster manager kills the container without a word.
 *
 * <p>JavaCPP can enforce the same bound ({@code org.bytedeco.javacpp.maxphysicalbytes}), but it reads
 * {@code /proc/self/statm} on every native allocation inside one JVM-wide lock, which the workers of
 * a multi-core executor then take turns on (docs/PERFORMANCE.md). So the scripts turn JavaCPP's
 * check off ({@code maxphysicalbytes=0}; {@code maxbytes} still bounds the arrays, a counter) and set
 * this one: {@code -Dio.lstmjob.maxProcessBytes=8192m}. Unset or 0: no bound.
 *
 * @param bytes the bound; 0 or less for none
 */
record ProcessMemoryLimit(long bytes) {
    static final String PROPERTY = "io.lstmjob.maxProcessBytes";
    private static final int ATTEMPTS_TO_FREE = 5;

    /** The bound this JVM was started with, read once. */
    static ProcessMemoryLimit ofThisProcess() {
        return FromProperty.LIMIT;
    }

    /** "8192m", "8g", "8589934592" (JavaCPP's own syntax). */
    static ProcessMemoryLimit parse(String value) {
        if (value == null || value.isBlank()) {
            return new ProcessMemoryLimit(0);
        }
        try {
            return new ProcessMemoryLimit(
                    Pointer.parseBytes(value.strip(), Runtime.getRuntime().maxMemory()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-D" + PROPERTY + ": a size such as 8192m or 8g, not '" + value + "'", e);
        }
    }

    /** Returns when the process is within the bound (after freeing what it can); throws if it stays above it. */
    void check() {
        if (bytes <= 0) {
            return;
        }
        long used = Pointer.physicalBytes();
        for (int attempt = 0; used > bytes && attempt < ATTEMPTS_TO_FREE; attempt++) {
            // ND4J frees an unreachable array's memory once the collector has found it, on its own thread.
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Pointer.physicalBytes();
        }
        if (used > bytes) {
            throw new IllegalStateException("this process uses " + megabytes(used) + " of memory, over its limit of "
                    + megabytes(bytes) + " (-D" + PROPERTY
                    + ", the container's size): give the executors more memory (EXECUTOR_MEMORY, EXECUTOR_OFFHEAP)"
                    + " or train smaller minibatches");
        }
    }

    private static String megabytes(long bytes) {
        return (bytes >> 20) + " MB";
    }

    private static final class FromProperty {
        static final ProcessMemoryLimit LIMIT = parse(System.getProperty(PROPERTY));
    }
}
