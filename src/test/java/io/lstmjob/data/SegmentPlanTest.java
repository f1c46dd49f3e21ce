package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.testing.TestConfigs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentPlanTest {

    private static SegmentPlan plan(long[] lengths, int segment, int overlap, double validation, int partitions) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            ids.add("s" + i);
        }
        return SegmentPlan.build(
                new SequenceCatalog(ids, lengths),
                TestConfigs.sharding(segment, overlap, validation, partitions),
                partitions,
                1);
    }

    @Test
    void cutsEachSplitIntoFullSegmentsAndAShorterLastOne() {
        SegmentPlan plan = plan(new long[] {24}, 5, 0, 0.0, 1);
        // 23 pairs: 5 + 5 + 5 + 5 + 3
        assertEquals(5, plan.segmentCount());
        assertEquals(List.of(5, 5, 5, 5, 3), lengths(plan));
        assertEquals(20, plan.startOf(4));
    }

    @Test
    void holdsOutTheTailOfEverySequenceForValidation() {
        SegmentPlan plan = plan(new long[] {21}, 5, 0, 0.25, 1);
        // 20 pairs: 15 for training (0..14), 5 for validation (15..19)
        assertEquals(15, plan.pairs(false));
        assertEquals(5, plan.pairs(true));
        int last = plan.segmentCount() - 1;
        assertTrue(plan.isValidation(last));
        assertEquals(15, plan.startOf(last));
    }

    @Test
    void aTrainingSplitOfExactlyOneSegmentAfterTheHoldoutIsOneSegment() {
        // 9 pairs, round(1.8) = 2 held out: 7 to train, exactly one segment of 7, then one validation segment of 2.
        SegmentPlan plan = plan(new long[] {10}, 7, 0, 0.2, 1);
        assertEquals(List.of(7, 2), lengths(plan));
        assertEquals(7, plan.pairs(false));
        assertEquals(2, plan.pairs(true));
        assertTrue(!plan.isValidation(0) && plan.isValidation(1));
        assertEquals(7, plan.startOf(1));
    }

    @Test
    void overlappingSegmentsStartLengthMinusOverlapApart() {
        SegmentPlan plan = plan(new long[] {21}, 10, 2, 0.0, 1);
        // 20 pairs, stride 8: [0,10) [8,18) [16,20)
        assertEquals(List.of(10, 10, 4), lengths(plan));
        assertEquals(8, plan.startOf(1));
        assertEquals(16, plan.startOf(2));
    }

    @Test
    void aSegmentHoldsTheStepsOfItsPairsAndTheirTargets() {
        SegmentPlan plan = plan(new long[] {13}, 5, 0, 0.0, 1);
        // 12 pairs: [0,5) [5,10) [10,12); step 5 is the last target of segment 0 and the first input of segment 1
        assertEquals(3, plan.pieceCount(0));
        List<String> held = new ArrayList<>();
        for (int k = 0; k < plan.pieceCount(0); k++) {
            int piece = plan.piece(0, k);
            held.add(plan.firstStep(piece) + ".." + (plan.firstStep(piece) + plan.steps(piece) - 1));
        }
        assertEquals(List.of("0..5", "5..10", "10..12"), held);
    }

    @Test
    void balancesTrainingStepsOverPartitions() {
        SegmentPlan plan = plan(new long[] {101, 51, 31, 11, 201}, 10, 0, 0.0, 3);
        long[] steps = plan.trainStepsPerPartition();
        long max = Math.max(steps[0], Math.max(steps[1], steps[2]));
        long min = Math.min(steps[0], Math.min(steps[1], steps[2]));
        assertEquals(390, steps[0] + steps[1] + steps[2]);
        assertTrue(max - min <= 10, java.util.Arrays.toString(steps));
    }

    @Test
    void aOneStepSequenceHasNothingToTrainOn() {
        SegmentPlan plan = plan(new long[] {1}, 5, 0, 0.1, 2);
        assertEquals(0, plan.segmentCount());
    }

    private static List<Integer> lengths(SegmentPlan plan) {
        List<Integer> lengths = new ArrayList<>();
        for (int id = 0; id < plan.segmentCount(); id++) {
            lengths.add(plan.lengthOf(id));
        }
        return lengths;
    }
}
