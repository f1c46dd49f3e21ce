package io.lstmjob.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import scala.Tuple2;

/**
 * The other end of the cut's shuffle: a partition's parts, sorted by key (piece, then offset), put
 * together into one {@link Segment} per piece, in piece order, one piece at a time. A piece whose
 * parts do not add up to its planned steps is a bug, not bad input, and fails loudly.
 */
final class PieceJoiner implements Iterator<Segment> {
    private final CutPlan plan;
    private final int width;
    private final Iterator<Tuple2<Long, Object>> parts;
    private Tuple2<Long, Object> pending;

    /** @param width values per step (channels), 1 for classes */
    PieceJoiner(CutPlan plan, int width, Iterator<Tuple2<Long, Object>> parts) {
        this.plan = plan;
        this.width = width;
        this.parts = parts;
        this.pending = parts.hasNext() ? parts.next() : null;
    }

    @Override
    public boolean hasNext() {
        return pending != null;
    }

    @Override
    public Segment next() {
        if (pending == null) {
            throw new NoSuchElementException();
        }
        int piece = PieceCutter.pieceOf(pending._1());
        int steps = plan.steps(piece);
        Object first = pending._2();
        boolean classes = first instanceof char[];
        int length = classes ? ((char[]) first).length : ((float[]) first).length / width;
        Object whole = first;
        if (PieceCutter.offsetOf(pending._1()) != 0 || length != steps) {
            whole = classes ? new char[steps] : new float[steps * width];
            int filled = 0;
            while (pending != null && PieceCutter.pieceOf(pending._1()) == piece) {
                int offset = PieceCutter.offsetOf(pending._1());
                int n = classes ? ((char[]) pending._2()).length : ((float[]) pending._2()).length / width;
                if (offset != filled || offset + n > steps) {
                    throw new IllegalStateException("piece " + piece + ": a part at step " + offset + " of " + n
                            + " steps follows " + filled + " steps");
                }
                System.arraycopy(pending._2(), 0, whole, offset * (classes ? 1 : width), n * (classes ? 1 : width));
                filled += n;
                pending = parts.hasNext() ? parts.next() : null;
            }
            if (filled != steps) {
                throw new IllegalStateException("piece " + piece + " received " + filled + " steps, planned " + steps);
            }
        } else {
            pending = parts.hasNext() ? parts.next() : null;
            if (pending != null && PieceCutter.pieceOf(pending._1()) == piece) {
                throw new IllegalStateException("piece " + piece + " received more than its " + steps + " steps");
            }
        }
        return classes ? plan.segment(piece, null, (char[]) whole) : plan.segment(piece, (float[]) whole, null);
    }
}
