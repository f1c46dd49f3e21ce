package io.lstmjob.train;

import io.lstmjob.config.AveragingFrequency;
import io.lstmjob.config.TrainConfig;
import io.lstmjob.data.DatasetSummary;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.train.averaging.AveragingTrainingMaster;
import io.lstmjob.train.averaging.EpochTrainingStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch loop on the driver: train one epoch through dl4j-spark with the averaging master,
 * score the validation split, stop on divergence, log one line per epoch with an ETA.
 */
public final class EpochLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EpochLoop.class);

    /** @param bestEpoch with early stopping, the epoch whose parameters the network holds; null without */
    public record Outcome(
            MultiLayerNetwork network, List<EpochMetrics> epochs, ValidationMetrics validation, Integer bestEpoch) {}

    /**
     * Where a run stands after its completed epochs: what a checkpoint keeps besides the network, and
     * what a resumed run starts from.
     *
     * @param validation         the last epoch's validation metrics; null before the first epoch
     * @param averagingLookahead the averaging's block-momentum look-ahead; null when there is none
     */
    public record Progress(
            List<EpochMetrics> epochs, ValidationMetrics validation, float[] averagingLookahead, Best best) {
        public static final Progress NONE = new Progress(List.of(), null, null, null);
    }

    /** Early stopping's best epoch so far, with its parameters: what a resumed run must still know. */
    public record Best(int epoch, ValidationMetrics validation, INDArray parameters) {}

    /** Called on the driver after every completed epoch, e.g. to write a checkpoint. */
    @FunctionalInterface
    public interface EpochListener {
        void epochDone(MultiLayerNetwork network, Progress progress);
    }

    private EpochLoop() {}

    public static Outcome run(JavaSparkContext sc, MultiLayerNetwork network, PreparedData data, TrainConfig train) {
        return run(sc, network, data, train, Progress.NONE, (n, p) -> {});
    }

    /**
     * Trains epochs {@code done.epochs().size() + 1 .. train.epochs()}: a resumed run passes the
     * progress its checkpoint kept.
     */
    public static Outcome run(
            JavaSparkContext sc,
            MultiLayerNetwork network,
            PreparedData data,
            TrainConfig train,
            Progress done,
            EpochListener listener) {
        int minibatchesPerRound = minibatchesPerRound(network, data, train);
        LOG.info(
                "Averaging {} worker(s) {} (averaging.frequency={})",
                data.train().getNumPartitions(),
                minibatchesPerRound == 0 ? "once per epoch" : "every " + minibatchesPerRound + " minibatch(es)",
                train.averagingFrequency());
        AveragingTrainingMaster master = new AveragingTrainingMaster(
                train.batchSize(), minibatchesPerRound, train.averagingStepScale(), train.averagingBlockMomentum());
        master.restoreLookahead(done.averagingLookahead());
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
        MinibatchAssembler assembler =
                new MinibatchAssembler(data.contract(), train.batchSize(), NetworkFactory.minibatchGroupSteps(network));
        // Minibatches are built inside each training task from the cached segments; never cached themselves.
        JavaRDD<DataSet> minibatches = data.train().mapPartitions(assembler::minibatchesInReusedArrays);
        HoldoutEvaluator evaluator = new HoldoutEvaluator(data.contract(), train.batchSize());

        List<EpochMetrics> epochs = new ArrayList<>(done.epochs());
        ValidationMetrics validation = done.validation();
        double elapsed = 0;
        int first = epochs.size() + 1;
        EarlyStopping early = new EarlyStopping(train.earlyStoppingPatience(), done.best());
        for (int epoch = first; epoch <= train.epochs(); epoch++) {
            long start = System.nanoTime();
            sc.setJobDescription(String.format("epoch %d/%d: train", epoch, train.epochs()));
            EpochTrainingStats stats = master.fitEpoch(sparkNetwork, minibatches);
            guardAgainstDivergence(sparkNetwork.getNetwork(), stats.trainLoss(), epoch, stats.divergence());
            double trainSeconds = (System.nanoTime() - start) / 1e9;

            sc.setJobDescription(String.format("epoch %d/%d: validate", epoch, train.epochs()));
            validation = evaluator.evaluate(sc, sparkNetwork.getNetwork(), data.validation());
            double seconds = (System.nanoTime() - start) / 1e9;
            elapsed += seconds;
            EpochMetrics metrics = new EpochMetrics(
                    epoch,
                    stats.trainLoss(),
                    validation == null ? null : validation.loss(),
                    seconds,
                    stats.tokens() / trainSeconds,
                    stats.averagingSeconds(),
                    stats.tokens(),
                    stats.rounds());
            epochs.add(metrics);
            double eta = elapsed / (epoch - first + 1) * (train.epochs() - epoch);
            LOG.info(String.format(
                    Locale.ROOT,
                    "epoch %d/%d: train loss %.5f, validation loss %s, %.0f steps/s on %d worker(s), averaging %.2f s, %.1f s, ETA %.0f s",
                    epoch,
                    train.epochs(),
                    stats.trainLoss(),
                    validation == null ? "n/a" : String.format(Locale.ROOT, "%.5f", validation.loss()),
                    metrics.tokensPerSecond(),
                    stats.workers(),
                    stats.averagingSeconds(),
                    seconds,
                    eta));
            boolean stop = early.shouldStop(epoch, sparkNetwork.getNetwork(), validation);
            listener.epochDone(
                    sparkNetwork.getNetwork(),
                    new Progress(List.copyOf(epochs), validation, master.lookahead(), early.best()));
            if (stop) {
                LOG.info(
                        "Early stopping after epoch {}: no better validation loss for {} epoch(s); keeping epoch {}",
                        epoch,
                        train.earlyStoppingPatience(),
                        early.bestEpoch());
                break;
            }
        }
        sc.setJobDescription(null);
        if (early.enabled() && early.bestEpoch() > 0) {
            sparkNetwork.getNetwork().setParams(early.bestParameters());
            validation = early.bestValidation();
        }
        return new Outcome(sparkNetwork.getNetwork(), epochs, validation, early.enabled() ? early.bestEpoch() : null);
    }

    /** What averaging.frequency comes to for this network, these segments and workers; 0 = once per epoch. */
    static int minibatchesPerRound(MultiLayerNetwork network, PreparedData data, TrainConfig train) {
        DatasetSummary summary = data.summary();
        int workers = data.train().getNumPartitions();
        int segments = Math.max(1, summary.trainSegments());
        long perWorker =
                ((long) segments + (long) workers * train.batchSize() - 1) / ((long) workers * train.batchSize());
        double stepsPerSegment = (double) summary.trainPairs() / segments;
        return train.averagingFrequency()
                .minibatchesPerRound(
                        workers,
                        NetworkFactory.updaterStepsPerMinibatch(network, stepsPerSegment),
                        perWorker,
                        AveragingFrequency.trainingFlops(network.numParams(), train.batchSize() * stepsPerSegment));
    }

    /** Non-finite loss, parameters or updater state (Adam's moments can overflow first): stop, publish nothing. */
    static void guardAgainstDivergence(
            MultiLayerNetwork network, double loss, int epoch, EpochTrainingStats.Divergence first) {
        boolean parameters = Double.isFinite(network.params().sumNumber().doubleValue());
        INDArray state =
                network.getUpdater() == null ? null : network.getUpdater().getStateViewArray();
        boolean updater = state == null || Double.isFinite(state.sumNumber().doubleValue());
        if (!Double.isFinite(loss) || !parameters || !updater) {
            throw new TrainingDivergedException("training diverged in epoch " + epoch + " (loss " + loss
                    + (parameters ? "" : ", non-finite parameters") + (updater ? "" : ", non-finite updater state")
                    + (first == null
                            ? ""
                            : "; first on the worker of partition " + first.partition() + " in averaging round "
                                    + first.round())
                    + "); lower train.learningRate or tighten train.gradientClipping; nothing was published");
        }
    }
}
