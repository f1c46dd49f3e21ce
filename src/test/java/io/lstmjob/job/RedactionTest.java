package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void credentialsInUrisAreMasked() {
        assertEquals(
                "{\"path\":\"s3a://***@bucket/data\",\"out\":\"hdfs://nn:8020/models\"}",
                Redaction.credentials(
                        "{\"path\":\"s3a://AKIA123:s3cr3t@bucket/data\",\"out\":\"hdfs://nn:8020/models\"}"));
        assertEquals(
                "failed: cannot read wasbs://***@acct.blob.core.windows.net/x",
                Redaction.credentials("failed: cannot read wasbs://container:key@acct.blob.core.windows.net/x"));
    }

    @Test
    void signaturesAndTokensInQueryStringsAreMasked() {
        assertEquals(
                "https://acct.blob.core.windows.net/c/data.csv?sv=2022-11-02&sig=***&se=2026",
                Redaction.credentials(
                        "https://acct.blob.core.windows.net/c/data.csv?sv=2022-11-02&sig=AbC%2Bd%3D&se=2026"));
        assertEquals(
                "cannot read https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=*** (403)",
                Redaction.credentials(
                        "cannot read https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=f00d (403)"));
    }

    /** Spark's own log lines (a lost task names its input path) go through the same patterns in conf/log4j2.properties. */
    @Test
    void theLogConfigMasksTheSameSecretsInEveryMessage() throws Exception {
        var context = new org.apache.logging.log4j.core.LoggerContext("redaction-test");
        var source = new org.apache.logging.log4j.core.config.ConfigurationSource(
                java.nio.file.Files.newInputStream(java.nio.file.Path.of("conf/log4j2.properties")));
        var config = new org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory()
                .getConfiguration(context, source);
        config.initialize();
        var layout = config.getAppender("console").getLayout();
        var event = org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
                .setLoggerName("org.apache.spark.scheduler.TaskSetManager")
                .setLevel(org.apache.logging.log4j.Level.WARN)
                .setMessage(new org.apache.logging.log4j.message.SimpleMessage(
                        "Lost task 0.0: cannot read s3a://AKIA1:s3cr3t@bucket/x and https://h/y?sig=abc&sv=1"))
                .build();
        String line = new String(layout.toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(false, line.contains("s3cr3t") || line.contains("sig=abc"), line);
        assertEquals(true, line.contains("s3a://***@bucket/x") && line.contains("?sig=***&sv=1"), line);
    }

    @Test
    void pathsWithoutCredentialsAreUnchanged() {
        assertEquals("file:/tmp/a@b/c", Redaction.credentials("file:/tmp/a@b/c"));
        assertEquals("hdfs://nn/user/x@y", Redaction.credentials("hdfs://nn/user/x@y"));
    }
}
