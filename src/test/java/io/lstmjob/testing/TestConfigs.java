package io.lstmjob.testing;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Job configs for the sample data, built the way a user builds them: defaults plus overrides. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** conf/default.conf with {@code key=value} overrides: a config as a user writes one. */
    public static JobConfig config(String... overrides) {
        return new JobConfigLoader().load(null, null, List.of(overrides));
    }

    /** A classifier's config (label column set, no targets) with overrides: for model.bidirectional, attentionHeads, pooling. */
    public static JobConfig classifier(String... overrides) {
        List<String> all = new ArrayList<>(List.of("input.labelColumn=label", "input.targetColumns=[]"));
        all.addAll(List.of(overrides));
        return new JobConfigLoader().load(null, null, all);
    }

    /** Forecast the sine of {@link SampleData#noisySines}; {@code extra} overrides come last. */
    public static JobConfig sines(Path input, String output, String... extra) {
        return new JobConfigLoader().load(null, null, sinesOverrides(input, output, extra));
    }

    /** The overrides behind {@link #sines}, for a command line. */
    public static List<String> sinesOverrides(Path input, String output, String... extra) {
        List<String> overrides = new ArrayList<>(List.of(
                "input.path=" + input, "input.sequenceIdColumn=id", "input.orderColumn=t",
                "input.featureColumns=[value, cosine]", "input.targetColumns=[value]",
                "output.path=" + output, "model.name=sines", "model.layers=[16]",
                "train.epochs=6", "train.batchSize=4", "train.learningRate=0.02",
                "segment.length=50", "tbptt.forward=25", "tbptt.backward=25", "spark.numPartitions=2"));
        overrides.addAll(List.of(extra));
        return overrides;
    }
}
