package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;

/** Model store housekeeping (the {@code store.*} section): how many versions to keep and when a run's lock counts as stale. */
public record StoreConfig(int keepVersions, long lockTimeoutSeconds) implements Serializable {

    static StoreConfig from(ConfigValues c) {
        int keep = c.integer("store.keepVersions");
        require(keep >= 0, "store.keepVersions", "must be 0 (keep all) or positive, got " + keep);
        long lockTimeout = c.longInteger("store.lockTimeoutSeconds");
        // The heartbeat comes every timeout / 4: below 30 s one slow file-system call or GC pause would break the lock.
        require(
                lockTimeout >= 30,
                "store.lockTimeoutSeconds",
                "must be at least 30 (the heartbeat is every timeout / 4), got " + lockTimeout);
        return new StoreConfig(keep, lockTimeout);
    }
}
