package io.lstmjob.bench;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.config.Task;
import io.lstmjob.data.DatasetPreparer;
import io.lstmjob.data.PreparedData;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.train.EpochLoop;
import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a workload through the real training path (files -> Spark local[N] -> sharding ->
 * averaging master), epoch after epoch until the time is up; the epochs of the warm-up time (at
 * least one) are not counted. With 0 workers: plain MultiLayerNetwork.fit in this JVM, no Spark, to show what the
 * distribution layer costs.
 */
public final class BenchRunner {
    private BenchRunner() {}

    /** What to run besides the workload and the number of workers. */
    public record Options(
            double seconds,
            double warmupSeconds,
            String averagingFrequency,
            int minibatches,
            int segmentsPerSequence,
            List<String> overrides) {}

    public static BenchResult run(Workload workload, int workers, Options options) throws IOException {
        return workers == 0
                ? singleJvm(workload, options.seconds(), options.warmupSeconds())
                : spark(workload, workers, options);
    }

    private static BenchResult spark(Workload workload, int workers, Options options) throws IOException {
        double seconds = options.seconds();
        String averagingFrequency = options.averagingFrequency();
        Path dir = Files.createTempDirectory("lstm-bench-");
        SyntheticData.write(
                workload, workers, options.minibatches(), options.segmentsPerSequence(), dir.resolve("input"));
        List<String> overrides = workload.overrides(dir.resolve("input").toString(), workers);
        overrides.add("averaging.frequency=" + averagingFrequency);
        overrides.add("train.epochs=1");
        overrides.addAll(options.overrides());
        JobConfig config = new JobConfigLoader().load(null, null, overrides);
        SparkSession spark = SparkSessions.start(config.spark());
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            PreparedData data = DatasetPreparer.prepare(spark, config.input(), config.sharding());
            MultiLayerNetwork network = NetworkFactory.create(
                    config.model(),
                    config.train(),
                    config.task(),
                    data.contract().networkInputs(),
                    data.contract().networkOutputs());
            List<EpochMetrics> measured = new ArrayList<>();
            double elapsed = 0;
            long warmUpEnd = System.nanoTime() + (long) (options.warmupSeconds() * 1e9);
            boolean warmUp = true;
            while (measured.isEmpty() || elapsed < seconds) {
                EpochMetrics epoch = EpochLoop.run(sc, network, data, config.train())
                        .epochs()
                        .get(0);
                if (warmUp) {
                    warmUp = System.nanoTime() < warmUpEnd;
                    continue;
                }
                measured.add(epoch);
                elapsed += epoch.seconds();
            }
            data.release();
            long tokens = 0;
            double trainSeconds = 0;
            double averaging = 0;
            for (EpochMetrics epoch : measured) {
                tokens += epoch.tokens();
                trainSeconds += epoch.tokens() / epoch.tokensPerSecond();
                averaging += epoch.averagingSeconds();
            }
            return new BenchResult(
                    workload.name(),
                    round(tokens / trainSeconds),
                    workers,
                    averagingFrequency,
                    round(averaging / measured.size()),
                    round(elapsed / measured.size()),
                    measured.size(),
                    peakRssMb(),
                    openblasCoretype());
        } finally {
            spark.stop();
        }
    }

    private static BenchResult singleJvm(Workload workload, double seconds, double warmupSeconds) {
        Task task = workload.isText() ? Task.CHAR_LM : Task.FORECAST;
        JobConfig config = new JobConfigLoader().load(null, null, workload.overrides("unused", 1));
        MultiLayerNetwork network =
                NetworkFactory.create(config.model(), config.train(), task, workload.channels, workload.channels);
        DataSet minibatch = minibatch(workload);
        long tokensPerFit = (long) workload.batch * workload.segment;
        long warmUpEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            network.fit(minibatch);
        } while (System.nanoTime() < warmUpEnd);
        long tokens = 0;
        int fits = 0;
        long start = System.nanoTime();
        double elapsed = 0;
        while (fits == 0 || elapsed < seconds) {
            network.fit(minibatch);
            tokens += tokensPerFit;
            fits++;
            elapsed = (System.nanoTime() - start) / 1e9;
        }
        return new BenchResult(
                workload.name(),
                round(tokens / elapsed),
                0,
                "none",
                0,
                round(elapsed / fits),
                fits,
                peakRssMb(),
                openblasCoretype());
    }

    private static String openblasCoretype() {
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        return coretype == null || coretype.isBlank() ? "auto" : coretype;
    }

    /** One minibatch shaped like the peer's data. */
    private static DataSet minibatch(Workload w) {
        Nd4j.getRandom().setSeed(12345);
        if (w.isText()) {
            INDArray features = Nd4j.zeros(DataType.FLOAT, w.batch, w.channels, w.segment);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, w.batch, w.channels, w.segment);
            java.util.Random random = new java.util.Random(12345);
            int previous = 0;
            for (int b = 0; b < w.batch; b++) {
                for (int t = 0; t < w.segment; t++) {
                    int next = random.nextInt(w.channels);
                    features.putScalar(new long[] {b, previous, t}, 1f);
                    labels.putScalar(new long[] {b, next, t}, 1f);
                    previous = next;
                }
            }
            return new DataSet(features, labels);
        }
        INDArray series =
                Nd4j.randn(DataType.FLOAT, w.batch, w.channels, w.segment + 1).muli(0.1);
        INDArray features = series.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, w.segment))
                .dup('c');
        INDArray labels = series.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(1, w.segment + 1))
                .dup('c');
        return new DataSet(features, labels);
    }

    /** Peak resident set of this process (heap, off-heap arrays and everything else): VmHWM. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux: no figure.
        }
        return -1;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
