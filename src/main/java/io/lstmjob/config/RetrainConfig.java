package io.lstmjob.config;

import java.io.Serializable;

/** The evaluation gate of a warm-start retrain (applied by {@code job.RetrainDecision}). */
public record RetrainConfig(boolean promoteAlways, double minImprovement) implements Serializable {}
