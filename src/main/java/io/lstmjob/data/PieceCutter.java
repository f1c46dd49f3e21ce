package io.lstmjob.data;

/**
 * Writes the steps of one sequence, as they come in order, into the pieces that hold them (a step can
 * be in several: overlapping segments, or a segment's last targets and the next segment's inputs),
 * and hands each piece on as soon as its last step in range is written. The range is the whole
 * sequence (a table's sorted stream) or the steps that one text split holds; a piece that crosses
 * the range's ends leaves as a part, keyed by the piece and the part's offset in it, and
 * {@link PieceJoiner} puts the parts together after the shuffle. Only the pieces that hold the
 * current step are open: nothing holds the sequence.
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
    /** The first piece (index k within the sequence) whose part is not complete yet. */
    private int firstOpen;
    /** Parts being written, for pieces firstOpen .. firstOpen + window.length - 1 (a ring). */
    private Object[] window = new Object[8];
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
        while (lo < hi) { // the first piece that ends after 'from': ends are in piece order
            int mid = (lo + hi) >>> 1;
            if (end(mid) <= from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        firstOpen = lo;
    }

    private long first(int k) {
        return plan.firstStep(plan.piece(seq, k));
    }

    private long end(int k) {
        int piece = plan.piece(seq, k);
        return plan.firstStep(piece) + plan.steps(piece);
    }

    /** The next step's channel values, {@code values[offset .. offset + width)}. */
    void step(float[] values, int offset) {
        write(values, offset, (char) 0);
    }

    /** The next step's class index (text). */
    void step(char cls) {
        write(null, 0, cls);
    }

    private void write(float[] values, int offset, char cls) {
        long r = next++;
        if (r >= to) {
            throw new IllegalStateException("step " + r + " lies beyond the range ending at " + to);
        }
        for (int k = firstOpen; k < count && first(k) <= r; k++) {
            long partFrom = Math.max(from, first(k));
            long partTo = Math.min(to, end(k));
            if (r >= partTo) {
                continue;
            }
            Object part = open(k, (int) (partTo - partFrom));
            int t = (int) (r - partFrom);
            if (classes) {
                ((char[]) part)[t] = cls;
            } else {
                System.arraycopy(values, offset, (float[]) part, t * width, width);
            }
            if (r == partTo - 1) {
                int piece = plan.piece(seq, k);
                out.part(key(piece, (int) (partFrom - first(k))), part);
                window[k % window.length] = null;
            }
        }
        while (firstOpen < count && Math.min(to, end(firstOpen)) <= r + 1) {
            firstOpen++;
        }
    }

    private Object open(int k, int steps) {
        if (k - firstOpen >= window.length) {
            Object[] wider = new Object[window.length * 2];
            for (int j = firstOpen; j < firstOpen + window.length; j++) {
                wider[j % wider.length] = window[j % window.length];
            }
            window = wider;
        }
        Object part = window[k % window.length];
        if (part == null) {
            part = classes ? new char[steps] : new float[steps * width];
            window[k % window.length] = part;
        }
        return part;
    }

    /** The range is done: every step of it must have been given. */
    void end() {
        if (next != to) {
            throw new IllegalStateException("sequence " + plan.catalog().id(seq) + ": " + (next - from)
                    + " steps were cut, " + (to - from) + " were counted");
        }
    }
}
