package io.lstmjob.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit command jobs/submit.sh builds for each cluster manager (DRY_RUN=1 prints it).
 * Kubernetes is checked only here: no Kubernetes cluster runs in these tests.
 */
class SubmitCommandLineTest {
    @TempDir
    Path dir;

    private record Printed(int exitCode, String command, String stderr) {}

    private Printed dryRun(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path config = Files.writeString(dir.resolve("job.conf"), "model.name = sensors\n");
        Path jar = Files.writeString(dir.resolve("spark-lstm-job-cluster.jar"), "not a jar: only its path is printed");
        Map<String, String> all = new HashMap<>(Map.of("DRY_RUN", "1", "JAR", jar.toString()));
        all.putAll(env);
        java.util.List<String> command =
                new java.util.ArrayList<>(java.util.List.of("jobs/submit.sh", config.toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(all);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Printed(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void kubernetesClusterModeRunsTheImagesJarWithTheConfigInlineAndARunId() throws Exception {
        Printed p = dryRun(
                Map.of(
                        "MASTER",
                        "k8s://https://k8s.example.com:6443",
                        "DEPLOY_MODE",
                        "cluster",
                        "K8S_IMAGE",
                        "registry.example.com/lstm-job:0.1.0",
                        "K8S_SERVICE_ACCOUNT",
                        "lstm-job",
                        "K8S_NAMESPACE",
                        "ml",
                        "APP_JAR",
                        "local:///opt/lstm-job/lstm-job.jar"),
                "output.path=hdfs://nn:8020/models");
        assertEquals(0, p.exitCode(), p.stderr());
        String c = p.command();
        assertTrue(c.contains("--master k8s://https://k8s.example.com:6443 --deploy-mode cluster"), c);
        assertTrue(c.contains("spark.kubernetes.container.image=registry.example.com/lstm-job:0.1.0"), c);
        assertTrue(c.contains("spark.kubernetes.authenticate.driver.serviceAccountName=lstm-job"), c);
        assertTrue(c.contains("spark.kubernetes.namespace=ml"), c);
        assertTrue(c.contains("spark.kubernetes.submission.waitAppCompletion=true"), c);
        assertTrue(c.contains("--num-executors 4"), c);
        assertTrue(c.contains(" local:///opt/lstm-job/lstm-job.jar train --config "), c);
        // The command is printed shell-quoted (printf %q).
        Matcher config = Pattern.compile("--config data:application/hocon;name=job.conf;base64,([A-Za-z0-9+/=]+)")
                .matcher(c.replace("\\", ""));
        assertTrue(config.find(), c);
        assertEquals(
                "model.name = sensors\n",
                new String(Base64.getDecoder().decode(config.group(1)), StandardCharsets.UTF_8));
        assertTrue(c.contains("output.path=hdfs://nn:8020/models"), c);
        assertTrue(
                Pattern.compile("--run-id train-\\d{8}T\\d{6}Z-\\d+ --submission \\S+")
                        .matcher(c)
                        .find(),
                c);
    }

    @Test
    void executorMemoryLimitsAddUpToTheContainer() throws Exception {
        Printed p = dryRun(Map.of("MASTER", "yarn", "EXECUTOR_MEMORY", "4g", "EXECUTOR_OFFHEAP", "3g"));
        assertEquals(0, p.exitCode(), p.stderr());
        String c = p.command();
        assertTrue(c.contains("--executor-memory 4096m"), c);
        assertTrue(c.contains("spark.executor.memoryOverhead=4096m"), c);
        // The process bound (heap included) is the container's size; JavaCPP's own per-allocation check is off.
        assertTrue(
                c.contains(
                        "-Dorg.bytedeco.javacpp.maxbytes=3072m\\ -Dorg.bytedeco.javacpp.maxphysicalbytes=0\\ -Dio.lstmjob.maxProcessBytes=8192m"),
                c);
        assertTrue(c.contains("--num-executors 4"), c);
        assertTrue(c.contains("--deploy-mode client"), c);
        assertTrue(c.contains("--config " + dir.resolve("job.conf")), "client mode passes the path as it is: " + c);
    }

    @Test
    void anOverheadThatCannotHoldTheOffHeapArraysIsRefused() throws Exception {
        Printed p = dryRun(Map.of("MASTER", "yarn", "EXECUTOR_OFFHEAP", "4g", "EXECUTOR_OVERHEAD", "4g"));
        assertEquals(2, p.exitCode());
        assertTrue(p.stderr().contains("EXECUTOR_OVERHEAD (4096 MB) must hold EXECUTOR_OFFHEAP (4096 MB)"), p.stderr());
        assertTrue(p.command().isEmpty());
    }

    @Test
    void standaloneCountsCoresAndWaitsForAClusterModeDriver() throws Exception {
        Printed p = dryRun(
                Map.of("MASTER", "spark://master:7077", "DEPLOY_MODE", "cluster", "NUM_EXECUTORS", "3"),
                "--run-id",
                "nightly-20261202");
        assertEquals(0, p.exitCode(), p.stderr());
        String c = p.command();
        assertTrue(c.contains("--total-executor-cores 6"), c);
        assertTrue(c.contains("spark.standalone.submit.waitAppCompletion=true"), c);
        assertFalse(c.contains("--num-executors"), c);
        assertTrue(c.contains("--run-id nightly-20261202 --submission "), "the caller's run id is kept: " + c);
        assertFalse(c.contains("--run-id train-"), c);
    }
}
