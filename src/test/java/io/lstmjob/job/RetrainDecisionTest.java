package io.lstmjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.Promotion;
import io.lstmjob.config.RetrainConfig;
import io.lstmjob.train.ValidationMetrics;
import org.junit.jupiter.api.Test;

/** The retrain gate's rule: a candidate replaces the live model when its loss is lower by at least retrain.minImprovement. */
class RetrainDecisionTest {

    private static ValidationMetrics loss(double loss) {
        return new ValidationMetrics(100, loss, loss, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aCandidateMustBeatTheLiveLossByTheRequiredShare() {
        RetrainConfig tenPercent = new RetrainConfig(Promotion.IF_BETTER, 0.1);
        assertFalse(RetrainDecision.of(tenPercent, "v1", loss(1.0), loss(0.95)).promoted(), "5% better is not 10%");
        assertFalse(
                RetrainDecision.of(tenPercent, "v1", loss(1.0), loss(0.9)).promoted(),
                "exactly 10% better is not better by more");
        assertTrue(RetrainDecision.of(tenPercent, "v1", loss(1.0), loss(0.89)).promoted());
        RetrainConfig anyGain = new RetrainConfig(Promotion.IF_BETTER, 0);
        assertFalse(RetrainDecision.of(anyGain, "v1", loss(1.0), loss(1.0)).promoted(), "a tie keeps the live model");
        assertTrue(RetrainDecision.of(anyGain, "v1", loss(1.0), loss(0.999)).promoted());
        assertFalse(RetrainDecision.of(anyGain, "v1", loss(1.0), loss(1.2)).promoted());
    }

    @Test
    void promoteAlwaysReplacesTheLiveModelWhateverTheScores() {
        RetrainConfig always = new RetrainConfig(Promotion.ALWAYS, 0.5);
        assertTrue(RetrainDecision.of(always, "v1", loss(1.0), loss(3.0)).promoted());
        assertTrue(RetrainDecision.of(always, "v1", null, null).promoted(), "no split to score on");
        RetrainDecision decision =
                RetrainDecision.of(new RetrainConfig(Promotion.IF_BETTER, 0.1), "v7", loss(0.5), loss(0.4));
        assertEquals("v7", decision.liveVersion());
        assertEquals(0.5, decision.liveValidationLoss());
        assertEquals(0.4, decision.candidateValidationLoss());
        assertEquals(0.1, decision.minImprovement());
    }
}
