package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sequence classification's plan: which sequences are held out, and how examples are spread. */
class ExamplePlanTest {

    private static SequenceCatalog catalog(int sequences) {
        List<String> ids = new ArrayList<>();
        long[] lengths = new long[sequences];
        for (int i = 0; i < sequences; i++) {
            ids.add(String.format("seq-%04d", i));
            lengths[i] = 20 + i % 13;
        }
        return new SequenceCatalog(ids, lengths);
    }

    private static Set<String> heldOut(ExamplePlan plan) {
        Set<String> ids = new HashSet<>();
        for (int s = 0; s < plan.catalog().size(); s++) {
            if (plan.isValidation(plan.exampleOf(s))) {
                ids.add(plan.catalog().id(s));
            }
        }
        return ids;
    }

    @Test
    void theSameSequencesStayHeldOutWhenTheDataGrows() {
        ExamplePlan before = ExamplePlan.build(catalog(400), new int[400], 0.2, 3);
        ExamplePlan after = ExamplePlan.build(catalog(600), new int[600], 0.2, 3);
        Set<String> first = heldOut(before);
        // A fair hash holds out Binomial(400, 0.2) sequences: mean 80, sd 8; 5 sd either side.
        assertTrue(first.size() > 40 && first.size() < 120, first.size() + " of 400 held out");
        assertEquals(first.size(), before.count(true));
        Set<String> later = heldOut(after);
        for (String id : first) {
            assertTrue(later.contains(id), id + " was held out before the data grew and must stay held out");
        }
        assertEquals(600 - later.size(), after.count(false));
    }

    @Test
    void everyExampleHasOneIdAndPartitionsGetSimilarStepCounts() {
        SequenceCatalog catalog = catalog(100);
        ExamplePlan plan = ExamplePlan.build(catalog, new int[100], 0.0, 4);
        int[] ids = new int[100];
        for (int s = 0; s < 100; s++) {
            ids[s] = plan.exampleOf(s);
        }
        Arrays.sort(ids);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, ids[i], "example ids are a permutation of the sequences");
        }
        assertTrue(
                plan.exampleOf(0) != 0 || plan.exampleOf(1) != 1 || plan.exampleOf(2) != 2,
                "examples are not trained in the order of the sorted sequence ids");
        long[] steps = plan.trainStepsPerPartition();
        long max = Arrays.stream(steps).max().orElseThrow();
        long min = Arrays.stream(steps).min().orElseThrow();
        assertEquals(catalog.totalSteps(), Arrays.stream(steps).sum());
        // Longest-first greedy: partitions differ by at most the longest sequence (32 steps).
        assertTrue(max - min <= 32, Arrays.toString(steps));
    }
}
