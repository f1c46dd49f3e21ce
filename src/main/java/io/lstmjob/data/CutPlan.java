package io.lstmjob.data;

import java.io.Serializable;

/**
 * What the cut needs of a plan, the one contract of forecasting's and text's segments
 * ({@link SegmentPlan}) and classification's whole sequences ({@link ExamplePlan}): each sequence's
 * pieces, which steps each holds, which partition trains it, and how it becomes a {@link Segment}.
 * A piece holds steps first .. first + steps - 1 of its sequence; the pieces of a sequence are
 * numbered in the order of their first step, and their last steps come in the same order.
 */
interface CutPlan extends Serializable {

    SequenceCatalog catalog();

    int partitions();

    /** Pieces planned in all. */
    int pieces();

    int partitionOf(int piece);

    /** How many pieces sequence {@code seq} has; none for a sequence left out. */
    int pieceCount(int seq);

    /** The k-th piece of sequence {@code seq}, in the order of their first steps. */
    int piece(int seq, int k);

    long firstStep(int piece);

    /** Steps the piece holds: a segment's pairs plus the horizon its last targets reach; an example's length. */
    int steps(int piece);

    /** The piece as a segment, from the values of its steps (steps x channels), or of its classes (text). */
    Segment segment(int piece, float[] values, char[] classes);
}
