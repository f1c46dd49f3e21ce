package io.lstmjob.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.job.PublishedModel;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.testing.LocalSpark;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The model store on a real (in-process) HDFS: what was trained is what loads back. */
@Tag("hdfs")
class HdfsModelStoreTest {
    @TempDir
    static java.nio.file.Path dir;

    private static MiniDFSCluster hdfs;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile())
                .numDataNodes(1)
                .build();
        hdfs.waitActive();
        spark = LocalSpark.start();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /**
     * Retention runs after the new version is live: an old version that cannot be deleted (here a
     * snapshot holds it, so the NameNode refuses) leaves the run a success, not a failure.
     */
    @Test
    void anOldVersionThatCannotBeRemovedDoesNotFailThePublish() throws IOException {
        String root = hdfs.getURI().toString() + "/kept";
        java.nio.file.Path input = SampleData.noisySines(dir.resolve("kept-sines"), 4, 120, 6);
        TrainingJob.Result first =
                TrainingJob.run(spark, TestConfigs.sines(input, root, "train.epochs=1", "store.keepVersions=1"));
        Path old = new Path(root + "/sines/versions/" + first.version());
        hdfs.getFileSystem().allowSnapshot(old);
        hdfs.getFileSystem().createSnapshot(old, "held");

        TrainingJob.Result second =
                TrainingJob.run(spark, TestConfigs.sines(input, root, "train.epochs=1", "store.keepVersions=1"));
        ModelStore store = new ModelStore(root, "sines", spark.sparkContext().hadoopConfiguration());
        assertEquals(second.version(), store.liveVersion().orElseThrow());
        assertEquals(
                java.util.List.of(first.version(), second.version()),
                store.versions(),
                "the old one stays, for the next run to remove");
    }

    /** Another Spark job's view: LstmModel.load on an hdfs:// model folder scores a DataFrame. */
    @Test
    void aModelOnHdfsScoresADataFrameAsASparkMlModel() throws IOException {
        String root = hdfs.getURI().toString() + "/served";
        java.nio.file.Path input = SampleData.noisySines(dir.resolve("served-sines"), 3, 80, 4);
        TrainingJob.Result trained = TrainingJob.run(spark, TestConfigs.sines(input, root, "train.epochs=1"));
        io.lstmjob.spark.LstmModel model = io.lstmjob.spark.LstmModel.load(root + "/sines");
        assertEquals(trained.version(), model.version());
        var scored = model.transform(spark.read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(input.toString()));
        assertEquals(3 * 80, scored.count());
        assertEquals(3 * 79, scored.filter("value_predicted IS NOT NULL").count());
    }

    @Test
    void aModelWrittenToHdfsLoadsBackWithIdenticalParametersAndPredictions() throws IOException {
        String root = hdfs.getURI().toString() + "/models";
        java.nio.file.Path input = SampleData.noisySines(dir.resolve("sines"), 4, 120, 5);
        TrainingJob.Result result = TrainingJob.run(spark, TestConfigs.sines(input, root, "train.epochs=2"));
        assertTrue(
                result.versionDir().toString().startsWith("hdfs://"),
                result.versionDir().toString());

        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ModelStore store = new ModelStore(root, "sines", conf);
        assertEquals(result.version(), store.liveVersion().orElseThrow());
        PublishedModel loaded = PublishedModel.load(store, null);
        MultiLayerNetwork trained = result.network();
        assertEquals(trained.params(), loaded.network().params());
        assertEquals(
                trained.getUpdater().getStateViewArray(),
                loaded.network().getUpdater().getStateViewArray());
        assertEquals(loaded.contract().targetNames(), java.util.List.of("value"));

        Nd4j.getRandom().setSeed(9);
        INDArray sequences =
                Nd4j.rand(new long[] {3, 2, 30}).castTo(trained.params().dataType());
        assertEquals(trained.output(sequences), loaded.network().output(sequences));

        FileSystem fs = new Path(root).getFileSystem(conf);
        Path staging = new Path(root + "/sines/_staging");
        assertFalse(fs.exists(staging) && fs.listStatus(staging).length > 0, "nothing is left half-written");
    }

    @Test
    void aRetrainOnCorruptedDataLeavesTheLiveVersionOnHdfsUntouched() throws Exception {
        String root = hdfs.getURI().toString() + "/nightly";
        TrainingJob.Result live = TrainingJob.run(
                spark,
                TestConfigs.sines(SampleData.noisySines(dir.resolve("good"), 4, 150, 6), root, "train.epochs=4"));
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = live.versionDir().getFileSystem(conf);
        java.util.Map<String, String> before = checksums(fs, live.versionDir());

        TrainingJob.Result candidate = TrainingJob.run(
                spark,
                TestConfigs.sines(
                        SampleData.corruptedSines(dir.resolve("bad"), 4, 150, 0.85, 7),
                        root,
                        "train.epochs=3",
                        "train.learningRate=0.05"),
                io.lstmjob.job.RunOptions.retrain());

        assertFalse(candidate.decision().promoted(), candidate.decision().toString());
        assertEquals(
                live.version(),
                new ModelStore(root, "sines", conf).liveVersion().orElseThrow());
        assertEquals(before, checksums(fs, live.versionDir()));
    }

    /**
     * The input may live on HDFS too: the same segments as from the local copy, and a bad row of a
     * gzip file named by its hdfs:// file and the line of the decompressed text.
     */
    @Test
    void inputOnHdfsIsReadSplitBySplitWithLineNumbers() throws Exception {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        java.nio.file.Path local = SampleData.noisySines(dir.resolve("hdfs-input"), 3, 150, 8);
        Path remote = new Path(hdfs.getURI().toString() + "/data/sines");
        FileSystem fs = remote.getFileSystem(conf);
        fs.copyFromLocalFile(new Path(local.resolve("sines.csv").toString()), new Path(remote, "sines.csv"));
        var sharding = TestConfigs.sines(local, "unused").sharding();
        var fromLocal = io.lstmjob.data.DatasetPreparer.prepare(
                spark, TestConfigs.sines(local, "unused").input(), sharding);
        var fromHdfs = io.lstmjob.data.DatasetPreparer.prepare(
                spark,
                TestConfigs.sines(local, "unused", "input.path=" + remote).input(),
                sharding);
        try {
            assertEquals(fromLocal.summary().steps(), fromHdfs.summary().steps());
            assertEquals(
                    fromLocal.contract().scaler().featureMean()[0],
                    fromHdfs.contract().scaler().featureMean()[0],
                    0.0);
            assertEquals(fromLocal.train().count(), fromHdfs.train().count());
        } finally {
            fromLocal.release();
            fromHdfs.release();
        }

        java.util.List<String> lines =
                new java.util.ArrayList<>(java.nio.file.Files.readAllLines(local.resolve("sines.csv")));
        lines.set(100, lines.get(100).replaceFirst(",[^,]*$", ",x"));
        var gzip =
                org.apache.hadoop.util.ReflectionUtils.newInstance(org.apache.hadoop.io.compress.GzipCodec.class, conf);
        try (var out =
                gzip.createOutputStream(fs.create(new Path(hdfs.getURI().toString() + "/data/bad/sines.csv.gz")))) {
            out.write((String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String bad = hdfs.getURI().toString() + "/data/bad";
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                Exception.class,
                () -> io.lstmjob.data.DatasetPreparer.prepare(
                        spark,
                        TestConfigs.sines(local, "unused", "input.path=" + bad).input(),
                        sharding));
        String message = io.lstmjob.data.InputErrors.describe(io.lstmjob.data.InputErrors.findBadRecord(e), conf);
        assertTrue(
                message.startsWith("hdfs://")
                        && message.endsWith("/data/bad/sines.csv.gz:101: column 'cosine' holds 'x', not a number"),
                message);
    }

    private static java.util.Map<String, String> checksums(FileSystem fs, Path dir) throws Exception {
        java.util.Map<String, String> sums = new java.util.TreeMap<>();
        for (var status : fs.listStatus(dir)) {
            try (var in = fs.open(status.getPath())) {
                sums.put(
                        status.getPath().getName(),
                        java.util.HexFormat.of()
                                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(in.readAllBytes())));
            }
        }
        return sums;
    }
}
