package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint written before the job gained a config key (here averaging.localSteps, and the
 * default of averaging.frequency moving from 0 to auto) still resumes when the run keeps its own
 * settings; what the run chose may still not change.
 */
class ResumeCheckTest {

    @Test
    void aCheckpointFromBeforeANewKeyResumesWithItsOwnSettingsAndAChangedChoiceIsStillRefused() throws Exception {
        ObjectNode older = (ObjectNode) new ObjectMapper()
                .readTree(TestConfigs.config("averaging.frequency=0").resolvedJson());
        ((ObjectNode) older.get("averaging")).remove("localSteps");
        String checkpointed = older.toString();

        assertDoesNotThrow(() -> ResumeCheck.requireSameConfig(
                "r1", checkpointed, TestConfigs.config("averaging.frequency=0").resolvedJson()));

        InvalidConfigException newDefault = assertThrows(
                InvalidConfigException.class,
                () -> ResumeCheck.requireSameConfig(
                        "r1", checkpointed, TestConfigs.config().resolvedJson()));
        assertEquals(
                "run r1 resumes from a checkpoint made with another config: averaging.frequency 0 -> auto; resume"
                        + " with the run's own settings, or start a new run (another --run-id)",
                newDefault.getMessage());

        InvalidConfigException notTheDefault = assertThrows(
                InvalidConfigException.class,
                () -> ResumeCheck.requireSameConfig(
                        "r1",
                        checkpointed,
                        TestConfigs.config("averaging.frequency=0", "averaging.localSteps=64")
                                .resolvedJson()));
        assertEquals(
                "run r1 resumes from a checkpoint made with another config: averaging.localSteps (unset) -> 64;"
                        + " resume with the run's own settings, or start a new run (another --run-id)",
                notTheDefault.getMessage());
    }
}
