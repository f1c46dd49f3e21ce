package io.lstmjob.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * input.invalidValues=interpolate, as one sequence's steps stream by in order: every invalid (NaN)
 * cell gets the linear interpolation between the nearest valid values of its channel (the nearest one
 * alone at either end of the sequence). A step with an invalid cell waits, with the steps after it,
 * until its channel's next valid value arrives; steps in between pass straight on. A run longer
 * than {@link #MAX_RUN} steps is refused rather than held.
 */
final class InvalidValueInterpolator {
    static final int MAX_RUN = 1_000_000;

    /** Where the filled steps go, in order. */
    interface Steps {
        void step(float[] values, int offset);
    }

    private final String seqId;
    private final List<String> channelNames;
    private final int width;
    private final Steps out;
    private final ArrayDeque<float[]> waiting = new ArrayDeque<>();
    /** Rank of the first waiting step. */
    private long waitingFrom;

    private long rank;
    private final float[] lastValid;
    private final long[] lastValidRank;
    /** Rank of each channel's first unfilled cell, -1 when none is. */
    private final long[] runStart;

    InvalidValueInterpolator(String seqId, List<String> channelNames, Steps out) {
        this.seqId = seqId;
        this.channelNames = channelNames;
        this.width = channelNames.size();
        this.out = out;
        this.lastValid = new float[width];
        this.lastValidRank = new long[width];
        this.runStart = new long[width];
        Arrays.fill(lastValidRank, -1);
        Arrays.fill(runStart, -1);
    }

    void step(float[] values, int offset) {
        long r = rank++;
        boolean holds = false;
        for (int c = 0; c < width; c++) {
            holds |= Float.isNaN(values[offset + c]);
        }
        if (!holds && waiting.isEmpty()) {
            remember(values, offset, r);
            out.step(values, offset);
            return;
        }
        if (waiting.isEmpty()) {
            waitingFrom = r;
        }
        float[] copy = Arrays.copyOfRange(values, offset, offset + width);
        waiting.add(copy);
        for (int c = 0; c < width; c++) {
            float v = copy[c];
            if (Float.isNaN(v)) {
                if (runStart[c] < 0) {
                    runStart[c] = r;
                } else if (r - runStart[c] >= MAX_RUN) {
                    throw new InputDataException(
                            "sequence '" + seqId + "' has more than " + MAX_RUN + " steps in a row without a "
                                    + "valid value in column '" + channelNames.get(c)
                                    + "': too many to interpolate; fix the input or use "
                                    + "input.invalidValues=skip");
                }
            } else if (runStart[c] >= 0) {
                fill(c, runStart[c], r - 1, lastValidRank[c] >= 0 ? lastValid[c] : Float.NaN, v);
                runStart[c] = -1;
            }
            if (!Float.isNaN(v)) {
                lastValid[c] = v;
                lastValidRank[c] = r;
            }
        }
        release();
    }

    private void remember(float[] values, int offset, long r) {
        for (int c = 0; c < width; c++) {
            lastValid[c] = values[offset + c];
            lastValidRank[c] = r;
        }
    }

    /** Fills ranks a..b of channel c between left (NaN: none) and right (NaN: none). */
    private void fill(int c, long a, long b, float left, float right) {
        if (Float.isNaN(left) && Float.isNaN(right)) {
            throw new InputDataException("sequence '" + seqId + "' has no valid value in column '" + channelNames.get(c)
                    + "' to interpolate from");
        }
        int i = 0;
        for (float[] step : waiting) {
            long r = waitingFrom + i++;
            if (r < a || r > b) {
                continue;
            }
            step[c] = Float.isNaN(left)
                    ? right
                    : Float.isNaN(right) ? left : (float) (left + (right - left) * (double) (r - a + 1) / (b - a + 2));
        }
    }

    /** Passes on the waiting steps that no unfilled cell holds back any more. */
    private void release() {
        long firstUnfilled = Long.MAX_VALUE;
        for (long start : runStart) {
            if (start >= 0) {
                firstUnfilled = Math.min(firstUnfilled, start);
            }
        }
        while (!waiting.isEmpty() && waitingFrom < firstUnfilled) {
            out.step(waiting.poll(), 0);
            waitingFrom++;
        }
    }

    /** The sequence is over: runs at its end take the last valid value. */
    void end() {
        for (int c = 0; c < width; c++) {
            if (runStart[c] >= 0) {
                fill(c, runStart[c], rank - 1, lastValidRank[c] >= 0 ? lastValid[c] : Float.NaN, Float.NaN);
                runStart[c] = -1;
            }
        }
        release();
    }
}
