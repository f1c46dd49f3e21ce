package io.lstmjob.config;

import java.io.Serializable;

/** Model store housekeeping: how many versions to keep and when a run's lock counts as stale. */
public record StoreConfig(int keepVersions, long lockTimeoutSeconds) implements Serializable {}
