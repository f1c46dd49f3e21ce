package io.lstmjob.train.averaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.TrainingWorker;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The executor side of {@link AveragingTrainingMaster}: starts from the broadcast state (in a
 * network this executor kept from an earlier round where it can, {@link ExecutorNetworks}), fits each
 * minibatch (DL4J runs the truncated-BPTT windows inside it, carrying the LSTM state from one
 * window to the next and cutting the gradient at each), and returns its parameters and updater
 * state. MultiLayerNetwork only.
 */
public final class AveragingWorker implements TrainingWorker<WorkerResult> {
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final Broadcast<ModelState> state;
    private final WorkerConfiguration configuration;
    private final List<TrainingHook> hooks;
    private final long instanceId = INSTANCES.incrementAndGet();
    private transient WindowLossRecorder losses;
    private transient long tokens;
    private transient long lossUnits;
    private transient int startIteration;

    AveragingWorker(Broadcast<ModelState> state, WorkerConfiguration configuration, List<TrainingHook> hooks) {
        this.state = state;
        this.configuration = configuration;
        this.hooks = new ArrayList<>(hooks);
    }

    @Override
    public MultiLayerNetwork getInitialModel() {
        ModelState initial = state.value();
        MultiLayerNetwork network = ExecutorNetworks.take(initial);
        losses = new WindowLossRecorder();
        List<TrainingListener> listeners =
                new ArrayList<>(network.getListeners() == null ? List.of() : network.getListeners());
        listeners.add(losses);
        network.setListeners(listeners);
        tokens = 0;
        lossUnits = 0;
        startIteration = initial.iterationCount();
        return network;
    }

    @Override
    public WorkerResult processMinibatch(DataSet dataSet, MultiLayerNetwork network, boolean isLast) {
        ProcessMemoryLimit.ofThisProcess().check();
        for (TrainingHook hook : hooks) {
            hook.preUpdate(dataSet, network);
        }
        network.fit(dataSet);
        for (TrainingHook hook : hooks) {
            hook.postUpdate(dataSet, network);
        }
        long steps = countTokens(dataSet);
        tokens += steps;
        // Per-step labels: the loss is a mean over steps; a classifier's one label per sequence: over sequences.
        lossUnits +=
                dataSet.getLabels().rank() == 3 ? steps : dataSet.getLabels().size(0);
        return null;
    }

    /** Time steps trained: every step of every example, less the masked ones. */
    static long countTokens(DataSet dataSet) {
        INDArray mask = dataSet.getFeaturesMaskArray();
        if (mask != null) {
            return (long) mask.sumNumber().doubleValue();
        }
        long[] shape = dataSet.getFeatures().shape();
        return shape[0] * shape[2];
    }

    @Override
    public WorkerResult getFinalResult(MultiLayerNetwork network) {
        INDArray updater = network.getUpdater().getStateViewArray();
        WorkerResult result = new WorkerResult(
                ModelState.toFloats(network.params()),
                updater == null ? null : ModelState.toFloats(updater),
                losses.lossSum,
                lossUnits,
                tokens,
                network.getIterationCount() - startIteration,
                false,
                System.currentTimeMillis(),
                -1);
        ExecutorNetworks.giveBack(state.value(), network);
        return result;
    }

    @Override
    public WorkerResult getFinalResultNoData() {
        return null;
    }

    @Override
    public WorkerConfiguration getDataConfiguration() {
        return configuration;
    }

    @Override
    public long getInstanceId() {
        return instanceId;
    }

    @Override
    public void addHook(TrainingHook trainingHook) {
        hooks.add(trainingHook);
    }

    @Override
    public void removeHook(TrainingHook trainingHook) {
        hooks.remove(trainingHook);
    }

    // --- Statistics and ComputationGraph variants: not offered by this strategy. ---

    @Override
    public Pair<WorkerResult, SparkTrainingStats> processMinibatchWithStats(
            DataSet dataSet, MultiLayerNetwork network, boolean isLast) {
        return new Pair<>(processMinibatch(dataSet, network, isLast), null);
    }

    @Override
    public Pair<WorkerResult, SparkTrainingStats> getFinalResultWithStats(MultiLayerNetwork network) {
        return new Pair<>(getFinalResult(network), null);
    }

    @Override
    public Pair<WorkerResult, SparkTrainingStats> getFinalResultNoDataWithStats() {
        return new Pair<>(null, null);
    }

    @Override
    public ComputationGraph getInitialModelGraph() {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public WorkerResult processMinibatch(DataSet dataSet, ComputationGraph graph, boolean isLast) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public WorkerResult processMinibatch(MultiDataSet dataSet, ComputationGraph graph, boolean isLast) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public Pair<WorkerResult, SparkTrainingStats> processMinibatchWithStats(
            DataSet dataSet, ComputationGraph graph, boolean isLast) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public Pair<WorkerResult, SparkTrainingStats> processMinibatchWithStats(
            MultiDataSet dataSet, ComputationGraph graph, boolean isLast) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public WorkerResult getFinalResult(ComputationGraph graph) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }

    @Override
    public Pair<WorkerResult, SparkTrainingStats> getFinalResultWithStats(ComputationGraph graph) {
        throw AveragingTrainingMaster.graphsUnsupported();
    }
}
