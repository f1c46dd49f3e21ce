package io.lstmjob.job;

/** The files of a published version. */
public final class ModelFiles {
    /** DL4J model zip with updater state, so training can continue from it. */
    public static final String MODEL = "model.zip";
    /** Channels and the scaler or vocabulary: how raw input becomes network input. */
    public static final String DATA_CONTRACT = "data-contract.json";

    public static final String METADATA = "metadata.json";
    public static final String METRICS = "metrics.json";
    /** Loss curves, throughput, metrics and config as one HTML page with embedded charts. */
    public static final String REPORT = "report.html";

    private ModelFiles() {}
}
