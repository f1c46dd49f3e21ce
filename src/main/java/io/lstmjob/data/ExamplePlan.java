package io.lstmjob.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sequence classification: every sequence is one example, kept whole. A hash of the sequence id
 * decides whether it is held out (about validation.fraction of the sequences), so the same
 * sequences stay held out when a nightly retrain sees more data and a candidate is compared with
 * the live model on the same holdout. A second hash orders the examples (their ids): a partition
 * streams its examples by id, so minibatches mix the classes instead of following the sorted
 * sequence ids. Examples are balanced over partitions by step count. Computed on the driver.
 */
public final class ExamplePlan implements CutPlan {
    private final SequenceCatalog catalog;
    private final int partitions;
    private final int[] exampleOfSequence;
    private final int[] sequenceOfExample;
    private final int[] classOfSequence;
    private final boolean[] validationExample;
    private final int[] partitionOfExample;

    private ExamplePlan(SequenceCatalog catalog, int[] classOfSequence, double validationFraction, int partitions) {
        this.catalog = catalog;
        this.partitions = partitions;
        this.classOfSequence = classOfSequence.clone();
        int n = catalog.size();
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            order.add(s);
        }
        order.sort(Comparator.<Integer>comparingDouble(s -> unitHash(catalog.id(s), ORDER_SEED))
                .thenComparingInt(s -> s));
        exampleOfSequence = new int[n];
        sequenceOfExample = new int[n];
        validationExample = new boolean[n];
        for (int id = 0; id < n; id++) {
            int s = order.get(id);
            exampleOfSequence[s] = id;
            sequenceOfExample[id] = s;
            validationExample[id] = unitHash(catalog.id(s), HOLDOUT_SEED) < validationFraction;
        }
        partitionOfExample = new int[n];
        balance(true);
        balance(false);
    }

    private static final int HOLDOUT_SEED = 0x5eed;
    private static final int ORDER_SEED = 0x0bde;

    /** A number in [0, 1) that depends only on the id: MurmurHash3 of its characters. */
    static double unitHash(String id, int seed) {
        return (scala.util.hashing.MurmurHash3$.MODULE$.stringHash(id, seed) & 0xffffffffL) / 4294967296.0;
    }

    /**
     * @param classOfSequence class index of each sequence of the catalog, -1 where unknown (scoring unlabelled input)
     */
    public static ExamplePlan build(
            SequenceCatalog catalog, int[] classOfSequence, double validationFraction, int partitions) {
        return new ExamplePlan(catalog, classOfSequence, validationFraction, partitions);
    }

    /** Longest-processing-time-first over one split: each example to the partition with the fewest steps so far. */
    private void balance(boolean validation) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < sequenceOfExample.length; id++) {
            if (validationExample[id] == validation) {
                ids.add(id);
            }
        }
        LongestFirst.assign(ids, id -> catalog.length(sequenceOfExample[id]), partitions, partitionOfExample);
    }

    @Override
    public SequenceCatalog catalog() {
        return catalog;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public int pieces() {
        return exampleOfSequence.length;
    }

    @Override
    public int pieceCount(int seq) {
        return 1;
    }

    @Override
    public int piece(int seq, int k) {
        return exampleOfSequence[seq];
    }

    @Override
    public long firstStep(int piece) {
        return 0;
    }

    @Override
    public int steps(int piece) {
        return Math.toIntExact(catalog.length(sequenceOfExample[piece]));
    }

    @Override
    public Segment segment(int piece, float[] values, char[] classes) {
        int seq = sequenceOfExample[piece];
        int steps = steps(piece);
        return Segment.ofSequence(
                piece,
                catalog.id(seq),
                steps,
                validationExample[piece],
                classOfSequence[seq],
                values.length / steps,
                values);
    }

    public int exampleOf(int sequence) {
        return exampleOfSequence[sequence];
    }

    public int classOf(int sequence) {
        return classOfSequence[sequence];
    }

    public boolean isValidation(int example) {
        return validationExample[example];
    }

    @Override
    public int partitionOf(int example) {
        return partitionOfExample[example];
    }

    /** Sequences (examples) in the training (false) or validation (true) split. */
    public int count(boolean validation) {
        int count = 0;
        for (boolean v : validationExample) {
            count += v == validation ? 1 : 0;
        }
        return count;
    }

    /** Steps in the training (false) or validation (true) split. */
    public long steps(boolean validation) {
        long total = 0;
        for (int s = 0; s < catalog.size(); s++) {
            total += isValidation(exampleOfSequence[s]) == validation ? catalog.length(s) : 0;
        }
        return total;
    }

    /** Training steps assigned to each partition. */
    public long[] trainStepsPerPartition() {
        long[] steps = new long[partitions];
        for (int s = 0; s < catalog.size(); s++) {
            int id = exampleOfSequence[s];
            if (!isValidation(id)) {
                steps[partitionOfExample[id]] += catalog.length(s);
            }
        }
        return steps;
    }
}
