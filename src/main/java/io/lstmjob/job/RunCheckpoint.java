package io.lstmjob.job;

import io.lstmjob.data.DataContract;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.CheckpointStore;
import io.lstmjob.store.FileContent;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a run after a completed epoch: what a resumed run needs to go on as if it had never
 * stopped (the network with updater state and counters, the data contract, the metrics so far).
 * Random draws need no state of their own: workers seed them from the model's seed and iteration
 * count, both inside model.zip. {@code config} is the run's resolved config (JSON), which a resume
 * must match ({@link ResumeCheck}); null in checkpoints written before it was recorded.
 */
public record RunCheckpoint(String runId, String parentVersion, List<EpochMetrics> epochs,
                            ValidationMetrics initialValidation, ValidationMetrics lastValidation, String config) {
    static final String STATE = "checkpoint.json";
    /** The averaging's block-momentum look-ahead (ND4J binary); absent when there is none. */
    static final String AVERAGING_LOOKAHEAD = "averaging-lookahead.bin";

    int epoch() {
        return epochs.size();
    }

    /** @param averagingLookahead the averaging master's look-ahead; null when there is none */
    void save(CheckpointStore store, MultiLayerNetwork network, DataContract contract, float[] averagingLookahead) {
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
        files.put(STATE, out -> JsonDocuments.write(this, out));
        store.save(epoch(), files);
    }

    /** The latest checkpoint: its state, network, contract and the averaging's look-ahead (null: none). */
    record Restored(RunCheckpoint state, MultiLayerNetwork network, DataContract contract, float[] averagingLookahead) {
    }

    static Restored load(CheckpointStore store, int epoch) {
        try (InputStream state = store.open(epoch, STATE);
             InputStream model = store.open(epoch, ModelFiles.MODEL);
             InputStream contract = store.open(epoch, ModelFiles.DATA_CONTRACT)) {
            return new Restored(JsonDocuments.read(state, RunCheckpoint.class),
                    ModelSerializer.restoreMultiLayerNetwork(model, true), JsonDocuments.read(contract, DataContract.class),
                    lookahead(store, epoch));
        } catch (IOException e) {
            throw new ModelStoreException("cannot read the checkpoint of epoch " + epoch + ": " + e.getMessage(), e);
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
