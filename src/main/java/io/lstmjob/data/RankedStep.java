package io.lstmjob.data;

import java.io.Serializable;

/** A step with its position (0-based rank) inside its sequence; what segmentation works on. */
public record RankedStep(String seqId, long rank, float[] features, float[] targets) implements Serializable {
}
