package io.lstmjob.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedactionTest {
    @Test
    void credentialsInUrisAreMasked() {
        assertEquals("{\"path\":\"s3a://***@bucket/data\",\"out\":\"hdfs://nn:8020/models\"}",
                Redaction.credentials("{\"path\":\"s3a://AKIA123:s3cr3t@bucket/data\",\"out\":\"hdfs://nn:8020/models\"}"));
        assertEquals("failed: cannot read wasbs://***@acct.blob.core.windows.net/x",
                Redaction.credentials("failed: cannot read wasbs://container:key@acct.blob.core.windows.net/x"));
    }

    @Test
    void pathsWithoutCredentialsAreUnchanged() {
        assertEquals("file:/tmp/a@b/c", Redaction.credentials("file:/tmp/a@b/c"));
        assertEquals("hdfs://nn/user/x@y", Redaction.credentials("hdfs://nn/user/x@y"));
    }
}
