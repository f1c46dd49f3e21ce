package io.lstmjob.launcher;

import io.lstmjob.report.JsonDocuments;
import io.lstmjob.report.MetricsDocument;
import io.lstmjob.store.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

final class PublishedLosses {
    private PublishedLosses() {}

    /** The validation loss of the live version of the model "sines" under {@code root}. */
    static double liveLoss(Path root) throws IOException {
        return liveLoss(new ModelStore(root.toString(), "sines", new Configuration()));
    }

    static double liveLoss(ModelStore store) throws IOException {
        try (InputStream in = store.open(store.liveVersion().orElseThrow(), "metrics.json")) {
            return JsonDocuments.read(in, MetricsDocument.class)
                    .finalValidation()
                    .loss();
        }
    }
}
