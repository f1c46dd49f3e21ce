package io.lstmjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.testing.CapturedOutput;
import java.nio.charset.StandardCharsets;
import org.apache.spark.SparkUserAppException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a scheduler sees of a failed run: an exit code and one line on stderr. */
class LstmJobCommandLineTest {
    @RegisterExtension
    final CapturedOutput captured = CapturedOutput.stderr();

    private String stderr() {
        return captured.text();
    }

    @Test
    void aConfigErrorExitsWithCode2AndOneLine() {
        int code = LstmJob.execute("train", "tbptt.forward=0");
        assertEquals(LstmJob.BAD_CONFIG, code);
        String[] lines = stderr().strip().split("\\R");
        assertEquals(1, lines.length, stderr());
        assertTrue(lines[0].startsWith("lstm-job: tbptt.forward:"), lines[0]);
    }

    @Test
    void anUnreadableConfigFileIsAConfigError() {
        int code = LstmJob.execute("train", "--config", "/no/such/job.conf");
        assertEquals(LstmJob.BAD_CONFIG, code);
        assertTrue(stderr().contains("/no/such/job.conf"), stderr());
    }

    /** What jobs/submit.sh passes in cluster deploy mode: the file itself; messages still name it. */
    @Test
    void aConfigPassedInlineIsReadAndNamedInItsErrors() {
        String broken =
                java.util.Base64.getEncoder().encodeToString("train { epochs = \n".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                LstmJob.BAD_CONFIG,
                LstmJob.execute("validate", "--config", "data:application/hocon;name=job.conf;base64," + broken));
        assertTrue(stderr().startsWith("lstm-job: config job.conf (passed inline) cannot be parsed"), stderr());

        String unknown =
                java.util.Base64.getEncoder().encodeToString("train.epoch = 3\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(LstmJob.BAD_CONFIG, LstmJob.execute("validate", "--config", "data:;base64," + unknown));
        assertTrue(stderr().contains("unknown config key 'train.epoch' in inline config"), stderr());
    }

    @Test
    void aRunThatRecordedNoOutcomeIsAFailure(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertEquals(LstmJob.FAILED, LstmJob.execute("outcome", "--run-id", "nightly-1", "output.path=" + dir));
        assertTrue(
                stderr().contains("run nightly-1 recorded no outcome in file:" + dir
                        + "/weather-forecast/outcomes/nightly-1.json"),
                stderr());
    }

    @Test
    void aMissingCommandIsAUsageError() {
        assertEquals(2, LstmJob.execute());
    }

    /** In YARN cluster mode main must return (or throw the code), never call System.exit: that would end this JVM. */
    @Test
    void inYarnClusterModeTheOutcomeIsReturnedNotExited() throws SparkUserAppException {
        assertTrue(LstmJob.returnsItsOutcome("yarn", "cluster"));
        assertFalse(LstmJob.returnsItsOutcome("yarn", "client"));
        assertFalse(LstmJob.returnsItsOutcome("spark://host:7077", "cluster"));
        assertFalse(LstmJob.returnsItsOutcome(null, null));
        LstmJob.end(LstmJob.OK);
        SparkUserAppException kept = assertThrows(SparkUserAppException.class, () -> LstmJob.end(LstmJob.KEPT));
        assertEquals(LstmJob.KEPT, kept.exitCode());
    }
}
