package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class MinibatchAssemblerTest {
    private static final DataContract CONTRACT = DataContract.forecast(
            List.of("x"),
            List.of("x"),
            new FeatureScaler(new double[] {0}, new double[] {1}, new double[] {0}, new double[] {1}));

    private static Segment segment(int id, int length) {
        return Segment.ofValues(id, "s" + id, 0, length, false, 1, new float[length + 1]);
    }

    private static List<List<Integer>> ids(MinibatchAssembler assembler, List<Segment> segments) {
        List<List<Integer>> batches = new ArrayList<>();
        assembler
                .batches(segments.iterator())
                .forEachRemaining(b -> batches.add(b.stream().map(Segment::id).toList()));
        return batches;
    }

    @Test
    void aShortLastSegmentDoesNotPushAFullOneIntoAMinibatchOfItsOwn() {
        // Two sequences' segments as a partition streams them: 3 full (10 steps), a 2-step tail, 1 full.
        List<Segment> segments = List.of(segment(0, 10), segment(1, 10), segment(2, 10), segment(3, 2), segment(4, 10));
        MinibatchAssembler byWindows = new MinibatchAssembler(CONTRACT, 4, 5);

        // The full segments need 2 windows of 5 steps, the tail 1: 2 + 1 windows in all, not 2 + 2.
        assertEquals(List.of(List.of(0, 1, 2, 4), List.of(3)), ids(byWindows, segments));
        assertEquals(
                List.of(List.of(0, 1, 2, 3), List.of(4)),
                ids(new MinibatchAssembler(CONTRACT, 4), segments),
                "without grouping: consecutive");
    }

    @Test
    void segmentsNeedingTheSameWindowsShareAMinibatchAndArePaddedAndMasked() {
        List<Segment> segments = List.of(segment(0, 10), segment(1, 7), segment(2, 3), segment(3, 6));
        MinibatchAssembler byWindows = new MinibatchAssembler(CONTRACT, 4, 5);

        List<List<Segment>> batches = new ArrayList<>();
        byWindows.batches(segments.iterator()).forEachRemaining(batches::add);
        assertEquals(
                List.of(List.of(0, 1, 3), List.of(2)), ids(byWindows, segments), "6..10 steps: 2 windows; 3 steps: 1");
        DataSet mixed = byWindows.assemble(batches.get(0));
        assertEquals(10, mixed.getFeatures().size(2));
        assertNotNull(mixed.getFeaturesMaskArray());
        assertEquals(10 + 7 + 6, mixed.getFeaturesMaskArray().sumNumber().intValue());
    }

    @Test
    void oneStepGroupsGiveMinibatchesOfOneLengthWithNothingPadded() {
        List<Segment> segments = List.of(segment(0, 10), segment(1, 7), segment(2, 10), segment(3, 7), segment(4, 9));
        MinibatchAssembler equalLengths = new MinibatchAssembler(CONTRACT, 2, 1);

        assertEquals(List.of(List.of(0, 2), List.of(1, 3), List.of(4)), ids(equalLengths, segments));
        List<List<Segment>> batches = new ArrayList<>();
        equalLengths.batches(segments.iterator()).forEachRemaining(batches::add);
        for (List<Segment> batch : batches) {
            assertNull(equalLengths.assemble(batch).getFeaturesMaskArray());
        }
    }

    @Test
    void aMinibatchInTheArraysOfAnEarlierOneHoldsOnlyItsOwnSteps() {
        // Steps valued id + 1: a full minibatch, then one of the same shape with a shorter segment padded.
        List<Segment> segments = new ArrayList<>();
        for (int id = 0; id < 4; id++) {
            int length = id == 3 ? 4 : 10;
            float[] values = new float[length + 1];
            java.util.Arrays.fill(values, id + 1);
            segments.add(Segment.ofValues(id, "s" + id, 0, length, false, 1, values));
        }
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, 2);
        java.util.Iterator<DataSet> minibatches = assembler.minibatchesInReusedArrays(segments.iterator());
        DataSet first = minibatches.next();
        assertEquals(10 * 1.0 + 10 * 2.0, first.getFeatures().sumNumber().doubleValue());
        // Taking the next hands the first's arrays back; the next of that shape may be assembled in them.
        DataSet second = minibatches.next();
        assertEquals(10 * 3.0 + 4 * 4.0, second.getFeatures().sumNumber().doubleValue(), "padding is zero");
        assertEquals(10 * 3.0 + 4 * 4.0, second.getLabels().sumNumber().doubleValue(), "padding is zero");
        assertEquals(14, second.getLabelsMaskArray().sumNumber().intValue());
        DataSet third = assembler
                .minibatchesInReusedArrays(segments.subList(0, 2).iterator())
                .next();
        assertEquals(10 * 1.0 + 10 * 2.0, third.getFeatures().sumNumber().doubleValue());
    }
}
