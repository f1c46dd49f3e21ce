package io.lstmjob.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

@Tag("hdfs")
class HdfsModelStoreContractTest extends ModelStoreTest {
    @TempDir
    static Path dir;

    private static MiniDFSCluster hdfs;
    private String root;

    @BeforeAll
    static void startHdfs() throws IOException {
        hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.toFile())
                .numDataNodes(1)
                .build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        hdfs.shutdown();
    }

    @BeforeEach
    void freshRoot() {
        root = hdfs.getURI() + "/store-" + UUID.randomUUID();
    }

    /** HDFS renames over a file in the NameNode, atomic by design: a few switches check that this store uses it. */
    @Override
    protected int pointerSwitches() {
        return 20;
    }

    @Override
    protected String root() {
        return root;
    }

    @Override
    protected Configuration conf() {
        return hdfs.getConfiguration(0);
    }
}
