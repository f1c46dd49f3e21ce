package io.lstmjob.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.job.TrainingJob;
import io.lstmjob.model.NetworkFactory;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.SparkTest;
import io.lstmjob.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HDFS going wrong under the model store: a DataNode lost mid-write, a full or unwritable output path. */
@Tag("hdfs")
class HdfsFailureTest extends SparkTest {
    @TempDir
    java.nio.file.Path dir;

    /** Small blocks, so that a space quota can let small files (the lock) through and stop a large model. */
    private static final long BLOCK = 1 << 20;

    private MiniDFSCluster hdfs;

    @BeforeEach
    void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.setInt("dfs.replication", 2);
        conf.setLong("dfs.blocksize", BLOCK);
        hdfs = new MiniDFSCluster.Builder(
                        conf, Files.createDirectories(dir.resolve("hdfs")).toFile())
                .numDataNodes(2)
                .build();
        hdfs.waitActive();
    }

    @AfterEach
    void stopHdfs() {
        hdfs.shutdown();
    }

    @Test
    void aDataNodeStoppedWhileTheModelIsWrittenLeavesACompleteModel() throws Exception {
        JobConfig config = TestConfigs.config(
                "model.layers=[256]",
                "model.seed=1",
                "train.epochs=1",
                "train.batchSize=1",
                "train.gradientClipping=none",
                "tbptt.forward=10",
                "tbptt.backward=10");
        MultiLayerNetwork network = NetworkFactory.create(config.model(), config.train(), Task.FORECAST, 16, 16);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, bytes, true);
        byte[] model = bytes.toByteArray();
        assertTrue(model.length > 500_000, "large enough to span many packets: " + model.length);

        ModelStore store = new ModelStore(hdfs.getURI() + "/models", "big", hdfs.getConfiguration(0));
        store.publish(
                "v1",
                Map.of("model.zip", out -> {
                    out.write(model, 0, model.length / 2);
                    ((org.apache.hadoop.fs.Syncable) out).hflush();
                    hdfs.stopDataNode(0);
                    out.write(model, model.length / 2, model.length - model.length / 2);
                }),
                true);

        try (InputStream in = store.open("v1", "model.zip")) {
            MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(in, true);
            assertEquals(network.params(), loaded.params());
        }
        assertEquals("v1", store.liveVersion().orElseThrow());
    }

    @Test
    void aFullOutputPathFailsClearlyAndKeepsThePreviousModel() throws Exception {
        String root = hdfs.getURI() + "/models";
        spark.sparkContext().hadoopConfiguration().setLong("dfs.blocksize", BLOCK);
        java.nio.file.Path input = SampleData.noisySines(dir.resolve("in"), 2, 100, 1);
        // LSTM(256): model.zip with Adam's state is > 3 MB, more than one block.
        String[] big = {"train.epochs=1", "model.layers=[256]"};
        TrainingJob.Result first = TrainingJob.run(spark, TestConfigs.sines(input, root, big));
        DistributedFileSystem fs = hdfs.getFileSystem();
        Path modelDir = new Path("/models/sines");
        long used = fs.getContentSummary(modelDir).getSpaceConsumed();
        // Room for one more block (x2 replicas) and a half: the lock fits, a multi-block model does not.
        fs.setQuota(modelDir, Long.MAX_VALUE, used + 3 * BLOCK); // Long.MAX_VALUE: leave the name quota as it is

        ModelStoreException e;
        try {
            e = assertThrows(
                    ModelStoreException.class, () -> TrainingJob.run(spark, TestConfigs.sines(input, root, big)));
        } finally {
            spark.sparkContext().hadoopConfiguration().unset("dfs.blocksize");
        }
        assertTrue(
                e.getMessage().contains("/models/sines")
                        && e.getMessage().toLowerCase().contains("quota"),
                e.getMessage());
        ModelStore store = new ModelStore(root, "sines", hdfs.getConfiguration(0));
        assertEquals(first.version(), store.liveVersion().orElseThrow());
        assertEquals(List.of(first.version()), store.versions(), "no partial version is visible");
        Path staging = new Path("/models/sines/_staging");
        assertFalse(fs.exists(staging) && fs.listStatus(staging).length > 0);
    }

    @Test
    void anUnwritableOutputPathFailsBeforeTraining() throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        fs.create(new Path("/taken")).close(); // a file where the model store's folder should be
        java.nio.file.Path input = SampleData.noisySines(dir.resolve("in"), 2, 100, 1);
        ModelStoreException e = assertThrows(
                ModelStoreException.class,
                () -> TrainingJob.run(spark, TestConfigs.sines(input, hdfs.getURI() + "/taken", "train.epochs=1")));
        assertTrue(e.getMessage().contains("/taken"), e.getMessage());
    }
}
