package io.lstmjob.data;

import java.util.Arrays;

/**
 * Writes the steps of one sequence, as they come in order, into the pieces that hold them (a step can
 * be in several: overlapping segments, or a segment's last targets and the next segment's inputs),
 * and hands each piece on as soon as its last step in range is written. The range is the whole
 * sequence (a table's sorted stream) or the steps that one text split holds; a piece that crosses
 * the range's ends leaves as a part, keyed by the piece and the part's offset in it, and
 * {@link PieceJoiner} puts the parts together after the shuffle. Only the pieces that hold the
 * current step are open (a few): nothing holds the sequence. This runs once per step (per character
 * of a text), so the open pieces' bounds are kept at hand rather than asked of the plan.
 */
final class PieceCutter {

    /** Receives each piece's part: its key ({@link #key}) and its values (float[] or char[]). */
    interface Parts {
        void part(long key, Object values);
    }

    static long key(int piece, int offset) {
        return ((long) piece << 32) | offset;
    }

    static int pieceOf(long key) {
        return (int) (key >>> 32);
    }

    static int offsetOf(long key) {
        return (int) key;
    }

    private final CutPlan plan;
    private final int seq;
    private final int count;
    private final long from;
    private final long to;
    private final int width;
    private final boolean classes;
    private final Parts out;
    /** The next piece (index within the sequence) to open, and the step at which it opens. */
    private int nextToOpen;

    private long nextOpensAt;
    // The open parts: their piece, first and end step (within the range), and values.
    private int open;
    private int[] openPiece = new int[4];
    private int[] openOffset = new int[4];
    private long[] openFrom = new long[4];
    private long[] openTo = new long[4];
    private float[][] openValues = new float[4][];
    private char[][] openClasses = new char[4][];
    private long next;

    /**
     * @param from    the range's first step; {@code to}: one past its last
     * @param width   values per step (channels), 1 for classes
     * @param classes steps are class indices (text), not channel values
     */
    PieceCutter(CutPlan plan, int seq, long from, long to, int width, boolean classes, Parts out) {
        this.plan = plan;
        this.seq = seq;
        this.count = plan.pieceCount(seq);
        this.from = from;
        this.to = to;
        this.width = width;
        this.classes = classes;
        this.out = out;
        this.next = from;
        int lo = 0;
        int hi = count;
        while (lo < hi) { // the first piece that ends after 'from': ends come in piece order
            int mid = (lo + hi) >>> 1;
            int piece = plan.piece(seq, mid);
            if (plan.firstStep(piece) + plan.steps(piece) <= from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        nextToOpen = lo;
        nextOpensAt = opensAt(lo);
    }

    /** The step at which the k-th piece's part in this range begins; none past the range. */
    private long opensAt(int k) {
        if (k >= count) {
            return Long.MAX_VALUE;
        }
        long first = Math.max(from, plan.firstStep(plan.piece(seq, k)));
        return first < to ? first : Long.MAX_VALUE;
    }

    /** The next step's channel values, {@code values[offset .. offset + width)}. */
    void step(float[] values, int offset) {
        long r = advance();
        for (int i = 0; i < open; ) {
            System.arraycopy(values, offset, openValues[i], (int) (r - openFrom[i]) * width, width);
            i = r == openTo[i] - 1 ? emit(i) : i + 1;
        }
    }

    /**
     * The next {@code n} steps' class indices (text), {@code classes[offset .. offset + n)}: copied
     * into the open parts a run at a time, a run ending where a piece opens or an open part ends.
     */
    void steps(char[] classes, int offset, int n) {
        while (n > 0) {
            long r = next;
            if (r + n > to) {
                throw new IllegalStateException("step " + (r + n - 1) + " lies beyond the range ending at " + to);
            }
            open(r);
            long runEnd = Math.min(r + n, nextOpensAt);
            for (int i = 0; i < open; i++) {
                runEnd = Math.min(runEnd, openTo[i]);
            }
            int run = (int) (runEnd - r);
            for (int i = 0; i < open; i++) {
                System.arraycopy(classes, offset, openClasses[i], (int) (r - openFrom[i]), run);
            }
            next = runEnd;
            offset += run;
            n -= run;
            for (int i = 0; i < open; ) {
                i = openTo[i] == runEnd ? emit(i) : i + 1;
            }
        }
    }

    /** The step now being written, with every piece that begins at it opened. */
    private long advance() {
        long r = next++;
        if (r >= to) {
            throw new IllegalStateException("step " + r + " lies beyond the range ending at " + to);
        }
        open(r);
        return r;
    }

    /** Opens every piece whose part begins at step r. */
    private void open(long r) {
        while (nextOpensAt == r) {
            int piece = plan.piece(seq, nextToOpen);
            long first = plan.firstStep(piece);
            long end = Math.min(to, first + plan.steps(piece));
            if (open == openPiece.length) {
                int n = open * 2;
                openPiece = Arrays.copyOf(openPiece, n);
                openOffset = Arrays.copyOf(openOffset, n);
                openFrom = Arrays.copyOf(openFrom, n);
                openTo = Arrays.copyOf(openTo, n);
                openValues = Arrays.copyOf(openValues, n);
                openClasses = Arrays.copyOf(openClasses, n);
            }
            openPiece[open] = piece;
            openOffset[open] = (int) (r - first);
            openFrom[open] = r;
            openTo[open] = end;
            if (classes) {
                openClasses[open] = new char[(int) (end - r)];
            } else {
                openValues[open] = new float[(int) (end - r) * width];
            }
            open++;
            nextToOpen++;
            nextOpensAt = opensAt(nextToOpen);
        }
    }

    /** Hands on open part i, which is complete, and closes it; the index to look at next. */
    private int emit(int i) {
        out.part(key(openPiece[i], openOffset[i]), classes ? openClasses[i] : openValues[i]);
        int last = --open;
        openPiece[i] = openPiece[last];
        openOffset[i] = openOffset[last];
        openFrom[i] = openFrom[last];
        openTo[i] = openTo[last];
        openValues[i] = openValues[last];
        openClasses[i] = openClasses[last];
        openValues[last] = null;
        openClasses[last] = null;
        return i;
    }

    /** The range is done: every step of it must have been given. */
    void end() {
        if (next != to || open != 0) {
            throw new IllegalStateException("sequence " + plan.catalog().id(seq) + ": " + (next - from)
                    + " steps were cut, " + (to - from) + " were counted");
        }
    }
}
