package io.lstmjob.data;

import java.io.Serializable;

/**
 * An ordered piece of one sequence, held as one packed array: {@code length} training pairs from pair
 * {@code start}. A forecasting segment holds steps start .. start + length + H - 1 (H = model.horizon)
 * with every channel of the contract ({@link DataContract#channels}) per step, step-major, in the
 * input's units: pair t's inputs are step t's feature channels, its targets k steps ahead step t+k's
 * target channels. A text segment holds the class indices of steps start .. start + length (2 bytes
 * a step). A classifier's segment is a whole sequence (steps = length, no horizon) with its class.
 */
public final class Segment implements Serializable {
    private final int id;
    private final String seqId;
    private final long start;
    private final int length;
    private final boolean validation;
    private final int label;
    private final int width;
    private final float[] values;
    private final char[] classes;

    private Segment(
            int id,
            String seqId,
            long start,
            int length,
            boolean validation,
            int label,
            int width,
            float[] values,
            char[] classes) {
        this.id = id;
        this.seqId = seqId;
        this.start = start;
        this.length = length;
        this.validation = validation;
        this.label = label;
        this.width = width;
        this.values = values;
        this.classes = classes;
    }

    /** @param values steps x width channel values, step-major */
    public static Segment ofValues(
            int id, String seqId, long start, int length, boolean validation, int width, float[] values) {
        return new Segment(id, seqId, start, length, validation, -1, width, values, null);
    }

    /** A classifier's whole sequence and its class index (-1: unknown, when scoring unlabelled input). */
    public static Segment ofSequence(
            int id, String seqId, int length, boolean validation, int label, int width, float[] values) {
        return new Segment(id, seqId, 0, length, validation, label, width, values, null);
    }

    /** @param classes the class index of every step, length + 1 of them */
    public static Segment ofClasses(int id, String seqId, long start, int length, boolean validation, char[] classes) {
        return new Segment(id, seqId, start, length, validation, -1, 1, null, classes);
    }

    public int id() {
        return id;
    }

    public String seqId() {
        return seqId;
    }

    /** The first pair's position in its sequence (its input step). */
    public long start() {
        return start;
    }

    /** Training pairs (a classifier's sequence: steps). */
    public int length() {
        return length;
    }

    public boolean validation() {
        return validation;
    }

    /** A classifier's class index of the sequence, -1 when unknown; -1 for other tasks. */
    public int label() {
        return label;
    }

    /** Steps held: length + horizon (forecasting), length + 1 (text), length (a classifier's sequence). */
    public int steps() {
        return classes != null ? classes.length : values.length / width;
    }

    /** Channels per step (1 for text). */
    public int width() {
        return width;
    }

    /** Channel {@code channel} of step {@code step} (counted from the segment's first step). */
    public float value(int step, int channel) {
        return values[step * width + channel];
    }

    /** Class index of step {@code step} (text). */
    public int classAt(int step) {
        return classes[step];
    }
}
