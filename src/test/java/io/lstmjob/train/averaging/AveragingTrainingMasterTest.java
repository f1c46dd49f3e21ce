package io.lstmjob.train.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.BlockMomentum;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.StepScale;
import io.lstmjob.config.Task;
import io.lstmjob.config.TrainConfig;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.Segment;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.LocalSpark;
import io.lstmjob.testing.TestConfigs;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The averaging is real: after an epoch the published parameters and updater state are the
 * element-wise mean of what each worker reaches by training its own shard from the same start.
 */
class AveragingTrainingMasterTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    private static final DataContract CONTRACT = DataContract.forecast(
            List.of("x"),
            List.of("x"),
            new FeatureScaler(new double[] {0}, new double[] {1}, new double[] {0}, new double[] {1}));
    private static final JobConfig CONFIG = TestConfigs.config(
            "model.layers=[3]",
            "model.seed=11",
            "train.epochs=1",
            "train.batchSize=2",
            "train.learningRate=0.05",
            "tbptt.forward=4",
            "tbptt.backward=4");
    private static final TrainConfig TRAIN = CONFIG.train();

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start();
        sc = LocalSpark.context(spark);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Two shards that differ, so the two workers end in different places. */
    private static List<List<Segment>> shards() {
        Random random = new Random(3);
        List<List<Segment>> shards = new ArrayList<>();
        int id = 0;
        for (int shard = 0; shard < 2; shard++) {
            List<Segment> segments = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                int length = k == 3 ? 5 : 8; // a shorter, masked last segment too
                // One channel, feature and target: pair t reads step t and predicts step t + 1.
                float[] steps = new float[length + 1];
                for (int t = 0; t <= length; t++) {
                    steps[t] = (float) Math.sin(0.3 * t + shard + random.nextGaussian() * 0.1);
                }
                segments.add(Segment.ofValues(id++, "s" + shard, 0, length, false, 1, steps));
            }
            shards.add(segments);
        }
        return shards;
    }

    private static MultiLayerNetwork tinyNetwork() {
        return NetworkFactory.create(CONFIG.model(), TRAIN, Task.FORECAST, 1, 1);
    }

    /** The workers' plain mean, no block momentum: every {@code frequency} minibatches, 0 = once per epoch. */
    private static AveragingTrainingMaster plainAverage(int frequency) {
        return new AveragingTrainingMaster(TRAIN.batchSize(), frequency, StepScale.PLAIN_AVERAGE, BlockMomentum.NONE);
    }

    private static JavaRDD<DataSet> minibatches(List<List<Segment>> shards, MinibatchAssembler assembler) {
        List<Segment> all = new ArrayList<>(shards.get(0));
        all.addAll(shards.get(1));
        // As EpochLoop assembles them. parallelize keeps order and slices evenly: partition 0 = shard 0, 1 = shard 1.
        return sc.parallelize(all, 2).mapPartitions(assembler::minibatchesInReusedArrays);
    }

    /** What one worker reaches on its own: the same start, the same minibatches, fit in order. */
    private static MultiLayerNetwork trainAlone(ModelState start, List<Segment> shard, MinibatchAssembler assembler) {
        MultiLayerNetwork network = start.restore();
        Iterator<DataSet> batches = assembler.minibatches(shard.iterator());
        while (batches.hasNext()) {
            network.fit(batches.next());
        }
        return network;
    }

    @Test
    void anEpochPublishesTheMeanOfTheWorkersParametersAndUpdaterState() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        MultiLayerNetwork network = tinyNetwork();
        ModelState start = ModelState.of(network);

        MultiLayerNetwork first = trainAlone(start, shards.get(0), assembler);
        MultiLayerNetwork second = trainAlone(start, shards.get(1), assembler);
        float[] p1 = ModelState.toFloats(first.params());
        float[] p2 = ModelState.toFloats(second.params());
        float[] u1 = ModelState.toFloats(first.getUpdater().getStateViewArray());
        float[] u2 = ModelState.toFloats(second.getUpdater().getStateViewArray());

        AveragingTrainingMaster master = plainAverage(0);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        EpochTrainingStats stats = master.fitEpoch(sparkNetwork, minibatches(shards, assembler));

        float[] published = ModelState.toFloats(sparkNetwork.getNetwork().params());
        float[] publishedUpdater =
                ModelState.toFloats(sparkNetwork.getNetwork().getUpdater().getStateViewArray());
        assertFalse(
                java.util.Arrays.equals(p1, p2),
                "the shards must lead the workers apart for this test to mean anything");
        assertArrayEquals(mean(p1, p2), published, 1e-6f);
        assertArrayEquals(mean(u1, u2), publishedUpdater, 1e-6f);

        assertEquals(
                1, sparkNetwork.getNetwork().getEpochCount(), "an epoch counted, as SparkDl4jMultiLayer.fit counts it");
        assertEquals(1, stats.rounds(), "one averaging per epoch by default");
        assertEquals(2, stats.workers());
        assertEquals(2 * (8 + 8 + 8 + 5), stats.tokens(), "masked steps are not counted");
        assertTrue(Double.isFinite(stats.trainLoss()) && stats.trainLoss() > 0);
        assertEquals(1, sparkNetwork.getNetwork().getEpochCount());
        assertEquals(
                first.getIterationCount(),
                sparkNetwork.getNetwork().getIterationCount(),
                "the iteration count (Adam's bias correction) advances by one worker's windows");
    }

    /** The second round runs in the networks the first one used (ExecutorNetworks): nothing of the first round may leak into it. */
    @Test
    void aRoundInNetworksKeptFromTheLastOnePublishesWhatFreshNetworksWould() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        MultiLayerNetwork network = tinyNetwork();
        AveragingTrainingMaster master = plainAverage(0);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        sparkNetwork.fit(minibatches(shards, assembler));
        // One network per task that ran at the same time: two when both tasks overlapped, one when Spark ran
        // the second after the first had given its network back (on a busy machine the tiny tasks may not overlap).
        int kept = ExecutorNetworks.idle();
        assertTrue(
                kept == 1 || kept == 2,
                "the workers' networks are kept for the next round, at most one per task; kept " + kept);

        ModelState afterFirst = ModelState.of(sparkNetwork.getNetwork());
        // Whatever the overlap, the next round finds two networks to take, both as dirty as a network can be:
        // other parameters, updater state and iteration count, and an RNN state left over.
        List<MultiLayerNetwork> idle = new java.util.ArrayList<>();
        while (ExecutorNetworks.idle() > 0) {
            idle.add(ExecutorNetworks.take(afterFirst));
        }
        while (idle.size() < 2) {
            idle.add(afterFirst.restore());
        }
        for (MultiLayerNetwork dirty : idle) {
            dirty.params().addi(0.5);
            dirty.getUpdater().getStateViewArray().addi(1);
            dirty.setIterationCount(999);
            dirty.rnnTimeStep(org.nd4j.linalg.factory.Nd4j.rand(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, CONTRACT.networkInputs(), 3));
            ExecutorNetworks.giveBack(afterFirst, dirty);
        }
        assertEquals(2, ExecutorNetworks.idle());
        MultiLayerNetwork first = trainAlone(afterFirst, shards.get(0), assembler);
        MultiLayerNetwork second = trainAlone(afterFirst, shards.get(1), assembler);
        sparkNetwork.fit(minibatches(shards, assembler));

        assertArrayEquals(
                mean(ModelState.toFloats(first.params()), ModelState.toFloats(second.params())),
                ModelState.toFloats(sparkNetwork.getNetwork().params()),
                1e-6f);
        assertArrayEquals(
                mean(
                        ModelState.toFloats(first.getUpdater().getStateViewArray()),
                        ModelState.toFloats(second.getUpdater().getStateViewArray())),
                ModelState.toFloats(sparkNetwork.getNetwork().getUpdater().getStateViewArray()),
                1e-6f);
        assertEquals(first.getIterationCount(), sparkNetwork.getNetwork().getIterationCount());
        assertEquals(2, ExecutorNetworks.idle(), "both tasks ran in kept networks and gave them back");
    }

    @Test
    void aStepScaleMovesTheModelFromTheStartPastTheMeanOfTheWorkers() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        MultiLayerNetwork network = tinyNetwork();
        ModelState start = ModelState.of(network);
        float[] p0 = ModelState.toFloats(network.params());
        float[] mean = mean(
                ModelState.toFloats(trainAlone(start, shards.get(0), assembler).params()),
                ModelState.toFloats(trainAlone(start, shards.get(1), assembler).params()));
        float[] u = mean(
                ModelState.toFloats(
                        trainAlone(start, shards.get(0), assembler).getUpdater().getStateViewArray()),
                ModelState.toFloats(
                        trainAlone(start, shards.get(1), assembler).getUpdater().getStateViewArray()));

        AveragingTrainingMaster master =
                new AveragingTrainingMaster(TRAIN.batchSize(), 0, StepScale.parse("sqrt-workers"), BlockMomentum.NONE);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        sparkNetwork.fit(minibatches(shards, assembler));

        float[] expected = new float[p0.length];
        for (int i = 0; i < p0.length; i++) {
            expected[i] = (float) (p0[i] + Math.sqrt(2) * (mean[i] - p0[i]));
        }
        assertArrayEquals(
                expected, ModelState.toFloats(sparkNetwork.getNetwork().params()), 1e-6f);
        assertArrayEquals(
                u,
                ModelState.toFloats(sparkNetwork.getNetwork().getUpdater().getStateViewArray()),
                1e-6f,
                "the updater state is the plain mean");
    }

    @Test
    void withBlockMomentumARoundStartsAheadOfTheModelAndTheModelLandsOnTheWorkersMean() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        MultiLayerNetwork network = tinyNetwork();
        float[] p0 = ModelState.toFloats(network.params());
        AveragingTrainingMaster master =
                new AveragingTrainingMaster(TRAIN.batchSize(), 0, StepScale.PLAIN_AVERAGE, BlockMomentum.parse("0.5"));
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        sparkNetwork.fit(minibatches(shards, assembler));
        float[] p1 = ModelState.toFloats(sparkNetwork.getNetwork().params());
        assertArrayEquals(
                scaledDifference(0.5, p1, p0),
                master.lookahead(),
                1e-6f,
                "the look-ahead is the momentum times the round's step");

        float[] ahead = new float[p1.length];
        for (int i = 0; i < ahead.length; i++) {
            ahead[i] = p1[i] + master.lookahead()[i];
        }
        ModelState start = ModelState.of(sparkNetwork.getNetwork(), ModelState.row(ahead));
        float[] mean = mean(
                ModelState.toFloats(trainAlone(start, shards.get(0), assembler).params()),
                ModelState.toFloats(trainAlone(start, shards.get(1), assembler).params()));
        ModelState atModel = ModelState.of(sparkNetwork.getNetwork());
        float[] meanWithoutLookahead = mean(
                ModelState.toFloats(
                        trainAlone(atModel, shards.get(0), assembler).params()),
                ModelState.toFloats(
                        trainAlone(atModel, shards.get(1), assembler).params()));
        assertFalse(
                maxDifference(meanWithoutLookahead, mean) < 1e-4,
                "starting ahead must lead elsewhere than starting at the model for this test to mean anything");
        sparkNetwork.fit(minibatches(shards, assembler));

        float[] p2 = ModelState.toFloats(sparkNetwork.getNetwork().params());
        assertArrayEquals(mean, p2, 1e-5f, "workers started at model + look-ahead; the model is their mean");
        assertArrayEquals(scaledDifference(0.5, p2, p1), master.lookahead(), 1e-5f);
    }

    @Test
    void averagingEveryMinibatchRunsOneRoundPerMinibatch() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        AveragingTrainingMaster master = plainAverage(1);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, tinyNetwork(), master);
        EpochTrainingStats stats = master.fitEpoch(sparkNetwork, minibatches(shards(), assembler));
        // 4 segments per worker in minibatches of 2: two rounds.
        assertEquals(2, stats.rounds());
        assertEquals(2 * (8 + 8 + 8 + 5), stats.tokens());
    }

    /**
     * Rounds from the middle of an epoch: the assembler's minibatches start at the round's (earlier
     * ones passed over unassembled), a source of plain DataSets is counted through; both train the
     * same minibatches in each round, so the epoch ends in the same place.
     */
    @Test
    void aRoundStartsAtItsOwnMinibatchWhateverTheSource() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        List<DataSet> plain = new ArrayList<>();
        for (List<Segment> shard : shards) {
            assembler
                    .minibatches(shard.iterator())
                    .forEachRemaining(m -> plain.add(new DataSet(
                            m.getFeatures(), m.getLabels(), m.getFeaturesMaskArray(), m.getLabelsMaskArray())));
        }
        assertEquals(4, plain.size(), "two minibatches per shard: two rounds");

        MultiLayerNetwork assembled = tinyNetwork();
        AveragingTrainingMaster master = plainAverage(1);
        EpochTrainingStats stats =
                master.fitEpoch(new SparkDl4jMultiLayer(sc, assembled, master), minibatches(shards, assembler));
        MultiLayerNetwork counted = tinyNetwork();
        AveragingTrainingMaster other = plainAverage(1);
        EpochTrainingStats countedStats =
                other.fitEpoch(new SparkDl4jMultiLayer(sc, counted, other), sc.parallelize(plain, 2));

        assertEquals(2, stats.rounds());
        assertEquals(stats.tokens(), countedStats.tokens());
        assertArrayEquals(ModelState.toFloats(assembled.params()), ModelState.toFloats(counted.params()), 1e-6f);
        JavaRDD<Long> positions = sc.parallelize(shards.get(0), 1)
                .mapPartitions(assembler::minibatches)
                .map(m -> ((io.lstmjob.data.Minibatch) m).position());
        sc.setLocalProperty(MinibatchAssembler.START, "1");
        try {
            assertEquals(List.of(1L), positions.collect(), "a job that asks starts at its minibatch");
        } finally {
            sc.setLocalProperty(MinibatchAssembler.START, null);
        }
    }

    /** A worker that goes non-finite is named by its partition and round, which the job's divergence message reports. */
    @Test
    void theFirstWorkerToDivergeIsNamedByItsPartitionAndRound() {
        List<List<Segment>> shards = shards();
        // Partition 1's second minibatch (segments 2 and 3) gets a NaN step: its round 2 goes NaN, partition 0 stays
        // finite.
        Segment clean = shards.get(1).get(2);
        float[] steps = new float[clean.steps()];
        for (int t = 0; t < steps.length; t++) {
            steps[t] = t == 3 ? Float.NaN : clean.value(t, 0);
        }
        shards.get(1).set(2, Segment.ofValues(clean.id(), clean.seqId(), 0, clean.length(), false, 1, steps));
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        AveragingTrainingMaster master = plainAverage(1);
        EpochTrainingStats diverged =
                master.fitEpoch(new SparkDl4jMultiLayer(sc, tinyNetwork(), master), minibatches(shards, assembler));
        assertEquals(new EpochTrainingStats.Divergence(2, 1), diverged.divergence());

        AveragingTrainingMaster healthy = plainAverage(1);
        EpochTrainingStats fine =
                healthy.fitEpoch(new SparkDl4jMultiLayer(sc, tinyNetwork(), healthy), minibatches(shards(), assembler));
        assertEquals(null, fine.divergence());
    }

    /**
     * Shards of different sizes and an empty partition between them: the published parameters and
     * updater state are the plain mean of the two workers that had data (parameter averaging, as
     * dl4j-spark's), neither weighted by minibatches nor pulled towards the start by the empty one.
     * The updater state is compared element by element relative to its size: Adam's second moments
     * are 1e-7..1e-4, below any absolute tolerance that would mean something.
     */
    @Test
    void unequalShardsAndAnEmptyPartitionAverageTheWorkersThatTrained() {
        MinibatchAssembler assembler = new MinibatchAssembler(CONTRACT, TRAIN.batchSize());
        List<List<Segment>> shards = shards();
        shards.set(1, new ArrayList<>(shards.get(1).subList(0, 2))); // 2 segments against 4
        MultiLayerNetwork network = tinyNetwork();
        ModelState start = ModelState.of(network);
        MultiLayerNetwork first = trainAlone(start, shards.get(0), assembler);
        MultiLayerNetwork second = trainAlone(start, shards.get(1), assembler);

        JavaRDD<DataSet> data = sc.parallelize(shards.get(0), 1)
                .union(sc.parallelize(new ArrayList<Segment>(), 1))
                .union(sc.parallelize(shards.get(1), 1))
                .mapPartitions(assembler::minibatches);
        assertEquals(3, data.getNumPartitions());
        AveragingTrainingMaster master = plainAverage(0);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        EpochTrainingStats stats = master.fitEpoch(sparkNetwork, data);

        assertEquals(2, stats.workers(), "the empty partition sends nothing");
        assertArrayEquals(
                mean(ModelState.toFloats(first.params()), ModelState.toFloats(second.params())),
                ModelState.toFloats(sparkNetwork.getNetwork().params()),
                1e-6f);
        float[] expected = mean(
                ModelState.toFloats(first.getUpdater().getStateViewArray()),
                ModelState.toFloats(second.getUpdater().getStateViewArray()));
        float[] published =
                ModelState.toFloats(sparkNetwork.getNetwork().getUpdater().getStateViewArray());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], published[i], 1e-4 * Math.abs(expected[i]) + 1e-12, "updater state element " + i);
        }
    }

    /** m x (a - b). */
    private static float[] scaledDifference(double m, float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = (float) (m * ((double) a[i] - b[i]));
        }
        return d;
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float[] mean(float[] a, float[] b) {
        float[] m = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = (float) (((double) a[i] + b[i]) / 2);
        }
        return m;
    }
}
