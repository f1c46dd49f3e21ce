package io.lstmjob.job;

import io.lstmjob.data.DataContract;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import java.io.IOException;
import java.io.InputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** A version read back from the store: the network (with updater state) and its data contract. */
public record PublishedModel(String version, MultiLayerNetwork network, DataContract contract) {

    /** @param version a version id, or null for the live one */
    public static PublishedModel load(ModelStore store, String version) {
        String resolved = version != null
                ? version
                : store.liveVersion()
                        .orElseThrow(() ->
                                new ModelStoreException("no version of " + store.modelDir() + " has been published"));
        try (InputStream model = store.open(resolved, ModelFiles.MODEL);
                InputStream contract = store.open(resolved, ModelFiles.DATA_CONTRACT)) {
            return new PublishedModel(
                    resolved,
                    ModelSerializer.restoreMultiLayerNetwork(model, true),
                    JsonDocuments.read(contract, DataContract.class));
        } catch (IOException e) {
            throw new ModelStoreException(
                    "cannot load version " + resolved + " of " + store.modelDir() + ": " + e.getMessage(), e);
        }
    }
}
