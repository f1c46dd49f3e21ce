package io.lstmjob.train.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lstmjob.config.BlockMomentum;
import io.lstmjob.config.StepScale;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Where the model goes after each round, worked out by hand for a two-element model. */
class ModelUpdateFilterTest {

    private static INDArray row(float... values) {
        return Nd4j.create(values, new long[] {1, values.length}, 'c').castTo(DataType.FLOAT);
    }

    @Test
    void withAutoMomentumTheStepsOfTwoWorkersCarryHalfOverAndAShortLastRoundKeepsTheMomentum() {
        ModelUpdateFilter filter = new ModelUpdateFilter(StepScale.PLAIN_AVERAGE, BlockMomentum.parse("auto"));
        INDArray model = row(0, 0);

        INDArray start = filter.roundStart(model);
        assertArrayEquals(new float[] {0, 0}, start.toFloatVector());
        model = filter.next(model, start, row(1, 2), 2);
        assertArrayEquals(new float[] {1, 2}, model.toFloatVector(), 1e-6f, "the first round lands on the mean");
        assertArrayEquals(new float[] {0.5f, 1}, filter.lookahead(), 1e-6f, "(1 - 1/2) x the step");

        start = filter.roundStart(model);
        assertArrayEquals(new float[] {1.5f, 3}, start.toFloatVector(), 1e-6f, "the next round starts ahead");
        // Only one worker had minibatches left: the momentum is still that of two.
        model = filter.next(model, start, row(2, 3), 1);
        assertArrayEquals(new float[] {2, 3}, model.toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, filter.lookahead(), 1e-6f, "(1 - 1/2) x (2 - 1, 3 - 2)");
    }

    @Test
    void aStepScaleWithoutMomentumMovesPastTheMeanAndLeavesNoLookahead() {
        ModelUpdateFilter filter = new ModelUpdateFilter(StepScale.parse("2"), BlockMomentum.NONE);
        INDArray model = row(1, 1);
        INDArray next = filter.next(model, filter.roundStart(model), row(2, 0), 3);
        assertArrayEquals(new float[] {3, -1}, next.toFloatVector(), 1e-6f);
        assertNull(filter.lookahead());
        assertArrayEquals(new float[] {1, 1}, model.toFloatVector(), "the model it was given is not changed");
    }
}
