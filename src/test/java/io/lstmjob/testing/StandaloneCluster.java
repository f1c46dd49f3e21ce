package io.lstmjob.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on loopback: one Master and N Workers, each its own JVM, each
 * Worker launching executors (and, in cluster deploy mode, drivers) as JVMs of their own. Either
 * from the test classpath (no Spark download; Spark's launcher wants a SPARK_HOME with a jars/
 * folder, an empty one does, since executors get the job's classes from
 * spark.executor.extraClassPath), or as a distribution starts them: SPARK_HOME/bin/spark-class.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final boolean fromDistribution;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final int port;

    public StandaloneCluster(Path dir, int workerCount, int coresPerWorker) throws IOException, InterruptedException {
        this(dir, workerCount, coresPerWorker, "2g", false);
    }

    /** Master and Workers started by the Spark home of {@link SparkDistribution}. */
    public static StandaloneCluster fromDistribution(Path dir, int workerCount, int coresPerWorker, String memoryPerWorker)
            throws IOException, InterruptedException {
        return new StandaloneCluster(dir, workerCount, coresPerWorker, memoryPerWorker, true);
    }

    private StandaloneCluster(Path dir, int workerCount, int coresPerWorker, String memoryPerWorker, boolean fromDistribution)
            throws IOException, InterruptedException {
        this.fromDistribution = fromDistribution;
        home = fromDistribution ? SparkDistribution.home() : dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        port = freePort();
        master = start(dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        waitForPort(port, 60_000);
        for (int i = 0; i < workerCount; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            workers.add(start(dir.resolve("worker-" + i + ".log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", Integer.toString(coresPerWorker), "--memory", memoryPerWorker,
                    "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString(), masterUrl()));
        }
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** Classpath and JVM options the driver must pass on to the executors. */
    public static Map<String, String> executorSettings() {
        String opens = "@" + Path.of("conf/java17.args").toAbsolutePath();
        return Map.of(
                "spark.executor.extraClassPath", System.getProperty("java.class.path"),
                "spark.executor.extraJavaOptions", opens,
                "spark.executor.memory", "1g",
                "spark.executorEnv.OMP_NUM_THREADS", "1");
    }

    /** The executor JVMs currently running, as children of the Worker processes. */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process worker : workers) {
            worker.toHandle().children().filter(ProcessHandle::isAlive).forEach(executors::add);
        }
        return executors;
    }

    private Process start(Path log, String mainClass, String... args) throws IOException, InterruptedException {
        Map<String, String> env = Map.of("SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1",
                "SPARK_DAEMON_MEMORY", "512m");
        if (fromDistribution) {
            return SparkDistribution.sparkClass(log, env, mainClass, args);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "@" + Path.of("conf/java17.args").toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void waitForPort(int port, long timeoutMillis) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IOException("the Spark master did not open port " + port);
    }

    @Override
    public void close() {
        for (Process worker : workers) {
            worker.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            worker.destroyForcibly();
        }
        master.destroyForcibly();
    }
}
