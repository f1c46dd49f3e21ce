package io.lstmjob.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.lstmjob.report.JsonDocuments;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** The resolved config a published version was trained with, as its metadata.json records it. */
public record PublishedConfig(String version, String json) {

    /**
     * @param version a version id, or null for the live one
     * @return empty when there is no such version, or it has no readable metadata (the command then
     *         goes on with the config it was given, and fails where the version itself is needed)
     */
    public static Optional<PublishedConfig> read(ModelStore store, String version) {
        try {
            Optional<String> resolved = version != null ? Optional.of(version) : store.liveVersion();
            if (resolved.isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = store.open(resolved.get(), ModelFiles.METADATA)) {
                JsonNode config = JsonDocuments.read(in, JsonNode.class).path("config");
                return config.isObject()
                        ? Optional.of(new PublishedConfig(resolved.get(), config.toString()))
                        : Optional.empty();
            }
        } catch (IOException | ModelStoreException e) {
            return Optional.empty();
        }
    }
}
