package io.lstmjob.testing;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.config.ShardingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Job configs for the sample data, built the way a user builds them: defaults plus overrides. */
public final class TestConfigs {
    private TestConfigs() {}

    /** conf/default.conf with {@code key=value} overrides: a config as a user writes one. */
    public static JobConfig config(String... overrides) {
        return new JobConfigLoader().load(null, null, List.of(overrides));
    }

    /**
     * The input section the loader makes for a data test's table: {@code path} with columns id, t and
     * the feature value (targets: the features), everything else as conf/default.conf has it;
     * {@code overrides} come last.
     */
    public static InputConfig input(Path path, String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "input.path=" + path,
                "input.sequenceIdColumn=id",
                "input.orderColumn=t",
                "input.featureColumns=[value]",
                "input.targetColumns=[]"));
        all.addAll(List.of(overrides));
        return config(all.toArray(String[]::new)).input();
    }

    /** A text file or folder's input section (a character model). */
    public static InputConfig text(Path path, String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "input.format=text", "input.sequenceIdColumn=", "input.orderColumn=", "input.featureColumns=[]"));
        all.addAll(List.of(overrides));
        return input(path, all.toArray(String[]::new));
    }

    /**
     * The sharding section the loader makes from {@code segment.length}, {@code segment.overlap},
     * {@code validation.fraction}, {@code spark.numPartitions} (and the other keys) overrides; the
     * TBPTT window is one step, so any segment length is allowed and a sequence of one training pair
     * is long enough.
     */
    public static ShardingConfig sharding(
            int segmentLength, int overlap, double validationFraction, int partitions, String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "tbptt.forward=1",
                "tbptt.backward=1",
                "segment.length=" + segmentLength,
                "segment.overlap=" + overlap,
                "validation.fraction=" + validationFraction,
                "spark.numPartitions=" + partitions));
        all.addAll(List.of(overrides));
        return config(all.toArray(String[]::new)).sharding();
    }

    /** Column names as a HOCON list, each quoted (they may hold dots or spaces). */
    public static String list(List<String> names) {
        return "[" + String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList()) + "]";
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
                "input.path=" + input,
                "input.sequenceIdColumn=id",
                "input.orderColumn=t",
                "input.featureColumns=[value, cosine]",
                "input.targetColumns=[value]",
                "output.path=" + output,
                "model.name=sines",
                "model.layers=[16]",
                "train.epochs=6",
                "train.batchSize=4",
                "train.learningRate=0.02",
                "segment.length=50",
                "tbptt.forward=25",
                "tbptt.backward=25",
                "spark.numPartitions=2"));
        overrides.addAll(List.of(extra));
        return overrides;
    }
}
