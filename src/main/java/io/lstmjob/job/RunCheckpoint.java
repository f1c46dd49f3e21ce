package io.lstmjob.job;

import io.lstmjob.data.DataContract;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.CheckpointStore;
import io.lstmjob.store.FileContent;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.train.EpochLoop;
import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The state of a run after a completed epoch: what a resumed run needs to go on as if it had never
 * stopped (the network with updater state and counters, the data contract, the metrics so far).
 * Random draws need no state of their own: workers seed them from the model's seed and iteration
 * count, both inside model.zip. {@code config} is the run's resolved config (JSON), which a resume
 * must match ({@link ResumeCheck}); null in checkpoints written before it was recorded.
 */
public record RunCheckpoint(
        String runId,
        String parentVersion,
        List<EpochMetrics> epochs,
        ValidationMetrics initialValidation,
        ValidationMetrics lastValidation,
        String config,
        Integer bestEpoch,
        ValidationMetrics bestValidation) {
    static final String STATE = "checkpoint.json";
    /** Early stopping's best parameters so far (ND4J binary); absent when early stopping is off. */
    static final String BEST_PARAMETERS = "best-parameters.bin";
    /** The averaging's block-momentum look-ahead (ND4J binary); absent when there is none. */
    static final String AVERAGING_LOOKAHEAD = "averaging-lookahead.bin";

    int epoch() {
        return epochs.size();
    }

    /** The state after an epoch, early stopping's best epoch included. */
    static RunCheckpoint after(
            String runId,
            String parentVersion,
            EpochLoop.Progress progress,
            ValidationMetrics initialValidation,
            String config) {
        EpochLoop.Best best = progress.best();
        return new RunCheckpoint(
                runId,
                parentVersion,
                progress.epochs(),
                initialValidation,
                progress.validation(),
                config,
                best == null ? null : best.epoch(),
                best == null ? null : best.validation());
    }

    /**
     * @param averagingLookahead the averaging master's look-ahead; null when there is none
     * @param bestParameters     early stopping's best parameters; null when there are none
     */
    void save(
            CheckpointStore store,
            MultiLayerNetwork network,
            DataContract contract,
            float[] averagingLookahead,
            INDArray bestParameters) {
        Map<String, FileContent> files = new LinkedHashMap<>();
        files.put(ModelFiles.MODEL, out -> ModelSerializer.writeModel(network, out, true));
        files.put(ModelFiles.DATA_CONTRACT, out -> JsonDocuments.write(contract, out));
        if (averagingLookahead != null) {
            files.put(AVERAGING_LOOKAHEAD, out -> {
                DataOutputStream data = new DataOutputStream(out);
                Nd4j.write(Nd4j.create(averagingLookahead), data);
                data.flush();
            });
        }
        if (bestParameters != null) {
            files.put(BEST_PARAMETERS, out -> {
                DataOutputStream data = new DataOutputStream(out);
                Nd4j.write(bestParameters, data);
                data.flush();
            });
        }
        files.put(STATE, out -> JsonDocuments.write(this, out));
        store.save(epoch(), files);
    }

    /** The latest checkpoint: its state, network, contract, the averaging's look-ahead and early stopping's best (null: none). */
    record Restored(
            RunCheckpoint state,
            MultiLayerNetwork network,
            DataContract contract,
            float[] averagingLookahead,
            EpochLoop.Best best) {
        EpochLoop.Progress progress() {
            return new EpochLoop.Progress(state.epochs(), state.lastValidation(), averagingLookahead, best);
        }
    }

    static Restored load(CheckpointStore store, int epoch) {
        try (InputStream state = store.open(epoch, STATE);
                InputStream model = store.open(epoch, ModelFiles.MODEL);
                InputStream contract = store.open(epoch, ModelFiles.DATA_CONTRACT)) {
            RunCheckpoint checkpoint = JsonDocuments.read(state, RunCheckpoint.class);
            return new Restored(
                    checkpoint,
                    ModelSerializer.restoreMultiLayerNetwork(model, true),
                    JsonDocuments.read(contract, DataContract.class),
                    lookahead(store, epoch),
                    best(store, epoch, checkpoint));
        } catch (IOException e) {
            throw new ModelStoreException("cannot read the checkpoint of epoch " + epoch + ": " + e.getMessage(), e);
        }
    }

    private static EpochLoop.Best best(CheckpointStore store, int epoch, RunCheckpoint checkpoint) throws IOException {
        if (checkpoint.bestEpoch() == null || !store.has(epoch, BEST_PARAMETERS)) {
            return null;
        }
        try (InputStream in = store.open(epoch, BEST_PARAMETERS)) {
            return new EpochLoop.Best(
                    checkpoint.bestEpoch(), checkpoint.bestValidation(), Nd4j.read(new DataInputStream(in)));
        }
    }

    private static float[] lookahead(CheckpointStore store, int epoch) throws IOException {
        if (!store.has(epoch, AVERAGING_LOOKAHEAD)) {
            return null;
        }
        try (InputStream in = store.open(epoch, AVERAGING_LOOKAHEAD)) {
            return Nd4j.read(new DataInputStream(in)).toFloatVector();
        }
    }
}
