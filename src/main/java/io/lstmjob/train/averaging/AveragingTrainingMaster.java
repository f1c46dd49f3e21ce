package io.lstmjob.train.averaging;

import io.lstmjob.config.BlockMomentum;
import io.lstmjob.config.StepScale;
import io.lstmjob.data.MinibatchAssembler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.dataformat.yaml.YAMLMapper;

/**
 * Synchronous parameter averaging over the partitions of the training RDD, as they are: each
 * partition is one worker, the partitioning (balanced by step count upstream) is never changed and
 * the data is never exported or re-split.
 *
 * <p>One call of {@link #fitEpoch} (or of dl4j-spark's {@link #executeTraining}) is one epoch. With {@code averagingFrequency = 0} every
 * worker trains its whole shard, then parameters and updater state are averaged once; with N > 0
 * there is one round (broadcast, train N minibatches per worker, average) per N minibatches. A
 * round is a plain Spark job whose tasks are pure functions of the broadcast state and their
 * partition, so a task lost with its executor is recomputed by Spark and the round's result is
 * the same. Where the model moves after a round (block momentum, step scale) is the
 * {@link ModelUpdateFilter}'s business.
 */
public final class AveragingTrainingMaster implements TrainingMaster<WorkerResult, AveragingWorker> {
    private final int batchSizePerWorker;
    private final int averagingFrequency;
    private final StepScale stepScale;
    private final BlockMomentum blockMomentum;
    private final ModelUpdateFilter filter;
    private final List<TrainingHook> hooks = new ArrayList<>();
    private final List<TrainingListener> listeners = new ArrayList<>();
    private transient Broadcast<ModelState> currentState;

    /**
     * @param batchSizePerWorker examples per minibatch, for dl4j-spark's worker configuration
     * @param averagingFrequency minibatches per round; 0 = one round per epoch
     * @param stepScale     how far the model moves from where the round started towards (or past) the workers' mean
     * @param blockMomentum how much of a round's step the next round starts with
     */
    public AveragingTrainingMaster(
            int batchSizePerWorker, int averagingFrequency, StepScale stepScale, BlockMomentum blockMomentum) {
        if (batchSizePerWorker < 1 || averagingFrequency < 0) {
            throw new IllegalArgumentException("batchSizePerWorker >= 1 and averagingFrequency >= 0 required");
        }
        this.batchSizePerWorker = batchSizePerWorker;
        this.averagingFrequency = averagingFrequency;
        this.stepScale = stepScale;
        this.blockMomentum = blockMomentum;
        this.filter = new ModelUpdateFilter(stepScale, blockMomentum);
    }

    /**
     * One epoch, as {@code SparkDl4jMultiLayer.fit} runs it ({@link #executeTraining}, then the
     * network's epoch count), returning what the epoch did.
     */
    public EpochTrainingStats fitEpoch(SparkDl4jMultiLayer sparkNetwork, JavaRDD<DataSet> trainingData) {
        EpochTrainingStats stats = trainEpoch(sparkNetwork, trainingData);
        sparkNetwork.getNetwork().incrementEpochCount();
        return stats;
    }

    /** dl4j-spark's entry ({@code SparkDl4jMultiLayer.fit}): one epoch; its loss is the network's score. */
    @Override
    public void executeTraining(SparkDl4jMultiLayer sparkNetwork, JavaRDD<DataSet> trainingData) {
        trainEpoch(sparkNetwork, trainingData);
    }

    private EpochTrainingStats trainEpoch(SparkDl4jMultiLayer sparkNetwork, JavaRDD<DataSet> trainingData) {
        MultiLayerNetwork network = sparkNetwork.getNetwork();
        double lossSum = 0;
        long lossUnits = 0;
        long tokens = 0;
        int rounds = 0;
        int workers = 0;
        double averagingSeconds = 0;
        EpochTrainingStats.Divergence divergence = null;
        for (long firstMinibatch = 0; ; firstMinibatch += averagingFrequency) {
            INDArray start = filter.roundStart(network.params());
            RoundTotals totals = trainRound(sparkNetwork, trainingData, firstMinibatch, start);
            if (totals.workers == 0) {
                break;
            }
            long aggregated = System.currentTimeMillis();
            INDArray mean = ModelState.row(totals.mean(totals.parameters));
            network.setParams(filter.next(network.params(), start, mean, totals.workers));
            // The updater state is always the plain mean.
            if (totals.updaterState != null) {
                network.getUpdater().getStateViewArray().assign(ModelState.row(totals.mean(totals.updaterState)));
            }
            network.setIterationCount(network.getIterationCount() + totals.maxIterations);
            long applied = System.currentTimeMillis();
            averagingSeconds +=
                    (Math.max(0, aggregated - totals.lastWorkerFinishedMillis) + (applied - aggregated)) / 1000.0;
            rounds++;
            if (divergence == null && totals.divergedPartition >= 0) {
                divergence = new EpochTrainingStats.Divergence(rounds, totals.divergedPartition);
            }
            workers = Math.max(workers, totals.workers);
            lossSum += totals.lossSum;
            lossUnits += totals.lossUnits;
            tokens += totals.tokens;
            double roundLoss = totals.lossUnits == 0 ? Double.NaN : totals.lossSum / totals.lossUnits;
            network.setScore(roundLoss);
            for (TrainingListener listener : listeners) {
                listener.iterationDone(network, network.getIterationCount(), network.getEpochCount());
            }
            if (averagingFrequency == 0 || !totals.moreData) {
                break;
            }
        }
        double loss = lossUnits == 0 ? Double.NaN : lossSum / lossUnits;
        sparkNetwork.setScore(loss);
        return new EpochTrainingStats(loss, tokens, rounds, workers, averagingSeconds, divergence);
    }

    private RoundTotals trainRound(
            SparkDl4jMultiLayer sparkNetwork, JavaRDD<DataSet> data, long firstMinibatch, INDArray start) {
        JavaSparkContext sc = sparkNetwork.getSparkContext();
        currentState = sc.broadcast(ModelState.of(sparkNetwork.getNetwork(), start));
        // Minibatches from MinibatchAssembler then start at this round's, the earlier ones not assembled.
        sc.setLocalProperty(MinibatchAssembler.START, Long.toString(firstMinibatch));
        try {
            AveragingWorker worker = getWorkerInstance(sparkNetwork);
            return data.mapPartitions(new TrainPartition(worker, firstMinibatch, averagingFrequency))
                    .treeAggregate(new RoundTotals(), RoundTotals::add, RoundTotals::merge, 2);
        } finally {
            sc.setLocalProperty(MinibatchAssembler.START, null);
            currentState.destroy(false);
            currentState = null;
        }
    }

    /** The block momentum's look-ahead after the last round, for a checkpoint; null when there is none. */
    public float[] lookahead() {
        return filter.lookahead();
    }

    /** Goes on from a checkpoint's look-ahead (null: none), before the first epoch of a resumed run. */
    public void restoreLookahead(float[] lookahead) {
        filter.restoreLookahead(lookahead);
    }

    @Override
    public AveragingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        if (currentState == null) {
            currentState = network.getSparkContext().broadcast(ModelState.of(network.getNetwork()));
        }
        WorkerConfiguration configuration =
                new WorkerConfiguration(false, batchSizePerWorker, batchSizePerWorker, Integer.MAX_VALUE, 0, false);
        return new AveragingWorker(currentState, configuration, hooks);
    }

    @Override
    public void addHook(TrainingHook trainingHook) {
        hooks.add(trainingHook);
    }

    @Override
    public void removeHook(TrainingHook trainingHook) {
        hooks.remove(trainingHook);
    }

    /** Called on the driver after every averaging, with the averaged network. */
    @Override
    public void setListeners(Collection<TrainingListener> listeners) {
        this.listeners.clear();
        this.listeners.addAll(listeners);
    }

    @Override
    public void setListeners(StatsStorageRouter router, Collection<TrainingListener> listeners) {
        setListeners(listeners);
    }

    @Override
    public String toJson() {
        try {
            return new ObjectMapper().writeValueAsString(settings());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toYaml() {
        try {
            return new YAMLMapper().writeValueAsString(settings());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("trainingMaster", getClass().getSimpleName());
        settings.put("batchSizePerWorker", batchSizePerWorker);
        settings.put("averagingFrequency", averagingFrequency);
        settings.put("stepScale", stepScale.toString());
        settings.put("blockMomentum", blockMomentum.toString());
        return settings;
    }

    /**
     * dl4j-spark's per-phase timing objects are not produced: {@link #fitEpoch} returns an epoch's
     * loss, throughput and averaging time, which the job writes to metrics.json.
     */
    @Override
    public void setCollectTrainingStats(boolean collectTrainingStats) {
        if (collectTrainingStats) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " does not collect dl4j-spark's SparkTrainingStats; fitEpoch returns each epoch's statistics");
        }
    }

    @Override
    public boolean getIsCollectTrainingStats() {
        return false;
    }

    /** Always null: see {@link #setCollectTrainingStats}. */
    @Override
    public SparkTrainingStats getTrainingStats() {
        return null;
    }

    /** Nothing is exported, so there is nothing to delete. */
    @Override
    public boolean deleteTempFiles(JavaSparkContext sc) {
        return true;
    }

    @Override
    public boolean deleteTempFiles(SparkContext sc) {
        return true;
    }

    // --- Paths and ComputationGraph training are outside what this job needs. ---

    @Override
    public AveragingWorker getWorkerInstance(SparkComputationGraph graph) {
        throw graphsUnsupported();
    }

    @Override
    public void executeTrainingPaths(
            SparkDl4jMultiLayer network,
            SparkComputationGraph graph,
            JavaRDD<String> paths,
            DataSetLoader dsLoader,
            MultiDataSetLoader mdsLoader) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " trains from an RDD of DataSets, not from paths");
    }

    @Override
    public void executeTraining(SparkComputationGraph graph, JavaRDD<DataSet> trainingData) {
        throw graphsUnsupported();
    }

    @Override
    public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> trainingData) {
        throw graphsUnsupported();
    }

    static UnsupportedOperationException graphsUnsupported() {
        return new UnsupportedOperationException(
                AveragingTrainingMaster.class.getSimpleName() + " trains MultiLayerNetwork only");
    }
}
