package io.lstmjob.bench;

import java.util.List;

/**
 * The canonical workloads of shared/bench/WORKLOADS.md, the same as the PyTorch peer's: W1 a
 * character model (one-hot 77 -> LSTM 256 -> LSTM 256 -> softmax 77, minibatch 32, segment 1000,
 * TBPTT 50), W2 sensor forecasting (16 channels -> LSTM 128 -> 16, minibatch 64, segment 2000,
 * TBPTT 100), W3 a small forecaster whose pace is set by per-step overhead (6 channels -> LSTM 32 ->
 * the first 2 channels, minibatch 16, segment 500, TBPTT 25); Adam 1e-3 and no gradient clipping for
 * all, as the peer.
 */
public enum Workload {
    W1(77, 0, List.of(256, 256), 32, 1000, 50),
    W2(16, 0, List.of(128), 64, 2000, 100),
    W3(6, 2, List.of(32), 16, 500, 25);

    final int channels;
    /** The first this many channels are the targets; 0 = all of them. */
    final int targets;

    final List<Integer> layers;
    final int batch;
    final int segment;
    final int tbptt;

    Workload(int channels, int targets, List<Integer> layers, int batch, int segment, int tbptt) {
        this.channels = channels;
        this.targets = targets;
        this.layers = layers;
        this.batch = batch;
        this.segment = segment;
        this.tbptt = tbptt;
    }

    boolean isText() {
        return this == W1;
    }

    /** The name of channel c's column in the workload's CSV. */
    static String channelColumn(int c) {
        return "c" + c;
    }

    /** The CSV's first {@code targets} channel columns, or [] for all. */
    private String targetColumns() {
        return java.util.stream.IntStream.range(0, targets)
                .mapToObj(Workload::channelColumn)
                .toList()
                .toString();
    }

    /** The job config overrides that make the real training path run this workload. */
    List<String> overrides(String input, int workers) {
        List<String> overrides = new java.util.ArrayList<>(List.of(
                "input.path=" + input,
                "model.layers=" + layers,
                "train.batchSize=" + batch,
                "train.updater=adam",
                "train.learningRate=0.001",
                "train.gradientClipping=none",
                "tbptt.forward=" + tbptt,
                "tbptt.backward=" + tbptt,
                "segment.length=" + segment,
                "segment.overlap=0",
                "validation.fraction=0",
                "spark.numPartitions=" + workers,
                "spark.master=local[" + workers + "]"));
        if (isText()) {
            overrides.addAll(List.of("input.format=text"));
        } else {
            overrides.addAll(List.of(
                    "input.format=csv",
                    "input.sequenceIdColumn=id",
                    "input.orderColumn=",
                    "input.featureColumns=[]",
                    "input.targetColumns=" + targetColumns()));
        }
        return overrides;
    }
}
