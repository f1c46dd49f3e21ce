package io.lstmjob.data;

import io.lstmjob.config.ShardingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Where every segment of every sequence starts, which split it belongs to and which partition
 * (worker) trains it. Computed on the driver from sequence lengths only, then broadcast.
 *
 * <p>A sequence of N steps gives N-H training pairs (input step p, targets p+1..p+H, H =
 * model.horizon, 1 for next-step). Its first T pairs are for training and the last
 * V = round((N-H) * validation.fraction) for validation (the tail, so validation is later in time
 * than training). Each split is cut into segments of segment.length pairs that start
 * segment.length - overlap apart; the last one keeps what is left. Segment i of a split needs
 * steps start..start+length+H-1 (its inputs and the targets that follow them).
 */
public final class SegmentPlan implements CutPlan {
    private final SequenceCatalog catalog;
    private final int segmentLength;
    private final int stride;
    private final int partitions;
    private final int horizon;
    private final long[] trainPairs;
    private final long[] totalPairs;
    private final int[] firstSegment;
    private final int[] trainSegments;
    private final int[] validationSegments;
    private final int[] segSequence;
    private final long[] segStart;
    private final int[] segLength;
    private final boolean[] segValidation;
    private final int[] segPartition;

    private SegmentPlan(SequenceCatalog catalog, ShardingConfig sharding, int partitions, long minPairs) {
        this.catalog = catalog;
        this.segmentLength = sharding.segmentLength();
        this.stride = sharding.stride();
        this.partitions = partitions;
        this.horizon = sharding.horizon();
        int n = catalog.size();
        trainPairs = new long[n];
        totalPairs = new long[n];
        firstSegment = new int[n];
        trainSegments = new int[n];
        validationSegments = new int[n];
        long segments = 0;
        for (int s = 0; s < n; s++) {
            long pairs = Math.max(0, catalog.length(s) - horizon);
            if (pairs < minPairs) {
                pairs = 0; // left out: shorter than one TBPTT window (input.shortSequences=skip)
            }
            long validation = Math.round(pairs * sharding.validationFraction());
            totalPairs[s] = pairs;
            trainPairs[s] = pairs - validation;
            firstSegment[s] = Math.toIntExact(segments);
            trainSegments[s] = segmentsIn(trainPairs[s]);
            validationSegments[s] = segmentsIn(validation);
            segments += trainSegments[s] + validationSegments[s];
        }
        int total = Math.toIntExact(segments);
        segSequence = new int[total];
        segStart = new long[total];
        segLength = new int[total];
        segValidation = new boolean[total];
        segPartition = new int[total];
        for (int s = 0; s < n; s++) {
            int id = firstSegment[s];
            for (int k = 0; k < trainSegments[s]; k++, id++) {
                describe(id, s, k, 0, trainPairs[s], false);
            }
            for (int k = 0; k < validationSegments[s]; k++, id++) {
                describe(id, s, k, trainPairs[s], totalPairs[s], true);
            }
        }
        balance(false);
        balance(true);
    }

    /**
     * Segments balanced over partitions by step count.
     *
     * @param minPairs sequences with fewer training pairs get no segments at all
     */
    public static SegmentPlan build(SequenceCatalog catalog, ShardingConfig sharding, int partitions, long minPairs) {
        return new SegmentPlan(catalog, sharding, partitions, minPairs);
    }

    private int segmentsIn(long pairs) {
        if (pairs <= 0) {
            return 0;
        }
        long beyondFirst = Math.max(0, pairs - segmentLength);
        return Math.toIntExact(1 + (beyondFirst + stride - 1) / stride);
    }

    private void describe(int id, int seq, int k, long from, long to, boolean validation) {
        long start = from + (long) k * stride;
        segSequence[id] = seq;
        segStart[id] = start;
        segLength[id] = (int) Math.min(segmentLength, to - start);
        segValidation[id] = validation;
    }

    /** Longest-processing-time-first over one split: each segment to the partition with the fewest steps so far. */
    private void balance(boolean validation) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < segLength.length; id++) {
            if (segValidation[id] == validation) {
                ids.add(id);
            }
        }
        LongestFirst.assign(ids, id -> segLength[id], partitions, segPartition);
    }

    @Override
    public SequenceCatalog catalog() {
        return catalog;
    }

    @Override
    public int pieces() {
        return segLength.length;
    }

    @Override
    public int pieceCount(int seq) {
        return trainSegments[seq] + validationSegments[seq];
    }

    @Override
    public int piece(int seq, int k) {
        return firstSegment[seq] + k;
    }

    @Override
    public long firstStep(int piece) {
        return segStart[piece];
    }

    @Override
    public int steps(int piece) {
        return segLength[piece] + horizon;
    }

    @Override
    public Segment segment(int piece, float[] values, char[] classes) {
        String seqId = catalog.id(segSequence[piece]);
        return classes != null
                ? Segment.ofClasses(piece, seqId, segStart[piece], segLength[piece], segValidation[piece], classes)
                : Segment.ofValues(
                        piece,
                        seqId,
                        segStart[piece],
                        segLength[piece],
                        segValidation[piece],
                        values.length / steps(piece),
                        values);
    }

    @Override
    public int partitions() {
        return partitions;
    }

    /** Steps between the starts of consecutive segments of a split. */
    int strideOf() {
        return stride;
    }

    /** Steps ahead of every pair's input its targets reach: 1 (next step) .. model.horizon. */
    public int horizon() {
        return horizon;
    }

    public int segmentCount() {
        return segLength.length;
    }

    public int sequenceOf(int segment) {
        return segSequence[segment];
    }

    public long startOf(int segment) {
        return segStart[segment];
    }

    public int lengthOf(int segment) {
        return segLength[segment];
    }

    public boolean isValidation(int segment) {
        return segValidation[segment];
    }

    @Override
    public int partitionOf(int segment) {
        return segPartition[segment];
    }

    /** Pairs of sequence {@code seq} in the training split: steps 0..T-1 are training inputs, 1..T+H-1 targets. */
    public long trainPairs(int seq) {
        return trainPairs[seq];
    }

    public long pairs(boolean validation) {
        long total = 0;
        for (int s = 0; s < trainPairs.length; s++) {
            total += validation ? totalPairs[s] - trainPairs[s] : trainPairs[s];
        }
        return total;
    }

    public int segments(boolean validation) {
        int total = 0;
        for (boolean v : segValidation) {
            total += v == validation ? 1 : 0;
        }
        return total;
    }

    /** Training steps (pairs) assigned to each partition. */
    public long[] trainStepsPerPartition() {
        long[] steps = new long[partitions];
        for (int id = 0; id < segLength.length; id++) {
            if (!segValidation[id]) {
                steps[segPartition[id]] += segLength[id];
            }
        }
        return steps;
    }
}
