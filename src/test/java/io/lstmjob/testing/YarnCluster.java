package io.lstmjob.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS and YARN in this JVM (MiniDFSCluster, MiniYARNCluster: one NodeManager that launches real
 * containers, each its own JVM), and a client configuration folder for spark-submit's
 * HADOOP_CONF_DIR. The client's yarn-site.xml holds only the ResourceManager's addresses: the
 * mini cluster's own configuration names test classes (a topology mapping) the containers lack.
 */
public final class YarnCluster implements AutoCloseable {
    private final MiniDFSCluster hdfs;
    private final MiniYARNCluster yarn;
    private final Path clientConf;

    public YarnCluster(Path dir, int nodeManagerMegabytes) throws IOException, InterruptedException {
        Configuration hdfsConf = new Configuration();
        hdfs = new MiniDFSCluster.Builder(hdfsConf, dir.resolve("hdfs").toFile())
                .numDataNodes(1)
                .build();
        hdfs.waitActive();

        YarnConfiguration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", hdfs.getURI().toString());
        conf.setInt(YarnConfiguration.NM_PMEM_MB, nodeManagerMegabytes);
        conf.setInt(YarnConfiguration.NM_VCORES, 8);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, nodeManagerMegabytes);
        // ND4J maps far more virtual memory than it uses; the physical limit is what matters.
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0");
        // YARN's default, as on a production cluster: an attempt that fails is tried once more.
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 2);
        yarn = new MiniYARNCluster("lstm-job", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        waitForNodeManager();

        clientConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfs.getURI().toString());
        write(core, clientConf.resolve("core-site.xml"));
        Configuration yarnSite = new Configuration(false);
        Configuration running = yarn.getConfig();
        for (String key : List.of(
                YarnConfiguration.RM_ADDRESS,
                YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
                YarnConfiguration.RM_ADMIN_ADDRESS,
                YarnConfiguration.RM_WEBAPP_ADDRESS)) {
            yarnSite.set(key, running.get(key));
        }
        write(yarnSite, clientConf.resolve("yarn-site.xml"));
    }

    private void waitForNodeManager() throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (yarn.getResourceManager().getRMContext().getRMNodes().isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("the NodeManager did not register with the ResourceManager");
            }
            Thread.sleep(200);
        }
    }

    private static void write(Configuration conf, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            conf.writeXml(out);
        }
    }

    public String hdfsUri() {
        return hdfs.getURI().toString();
    }

    public FileSystem fileSystem() throws IOException {
        return hdfs.getFileSystem();
    }

    /** What HADOOP_CONF_DIR names for a client of this cluster. */
    public Path clientConfDir() {
        return clientConf;
    }

    /** Every application YARN ran, with its final status and attempts. */
    public List<ApplicationReport> applications() throws Exception {
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            return client.getApplications();
        }
    }

    public int attempts(ApplicationReport app) throws Exception {
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            return client.getApplicationAttempts(app.getApplicationId()).size();
        }
    }

    @Override
    public void close() {
        yarn.stop();
        hdfs.shutdown();
    }
}
