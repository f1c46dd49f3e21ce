package io.lstmjob.config;

/**
 * How executors keep the cut segments between epochs (and the ranked steps while preparing):
 * deserialised in memory (fastest; memory grows with the executor's share of the data),
 * serialised in memory (about half of that), or on local disk only (executor memory independent
 * of the data size; every epoch reads its segments back from disk). All spill to disk when
 * memory runs short.
 */
public enum CacheLevel implements ConfigChoice {
    MEMORY_AND_DISK,
    MEMORY_AND_DISK_SER,
    DISK_ONLY;

    /** The config value: memory-and-disk, memory-and-disk-ser, disk-only. */
    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
