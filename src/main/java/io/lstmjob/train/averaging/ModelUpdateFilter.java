package io.lstmjob.train.averaging;

import io.lstmjob.config.BlockMomentum;
import io.lstmjob.config.StepScale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the driver's model moves at an averaging: Nesterov block momentum over rounds (Chen and Huo's
 * blockwise model-update filtering). The workers of a round start from the model plus a look-ahead
 * (the momentum times the last round's step); the round's step is that look-ahead plus
 * stepScale x (workers' mean - where they started). With a step scale of 1 the model lands exactly on
 * the workers' mean, and with no momentum this is plain (or scaled) averaging. A checkpoint keeps the
 * look-ahead so that a resumed run goes on as if it had never stopped; the most workers averaged is
 * found again by the resumed run's first round, which all workers with data take part in.
 */
final class ModelUpdateFilter {
    private final StepScale stepScale;
    private final BlockMomentum momentum;
    /** Momentum x the last round's step; null while there is none. */
    private INDArray lookahead;
    /**
     * The most workers a round has averaged: the momentum follows the job's parallelism, not a
     * last round in which only the workers with minibatches left took part.
     */
    private int mostWorkers;

    ModelUpdateFilter(StepScale stepScale, BlockMomentum momentum) {
        this.stepScale = stepScale;
        this.momentum = momentum;
    }

    /** Where the next round's workers start: the model plus the look-ahead. */
    INDArray roundStart(INDArray model) {
        return lookahead == null ? model : model.add(lookahead);
    }

    /** The model after a round whose {@code workers} workers started at {@code start} and averaged to {@code mean}. */
    INDArray next(INDArray model, INDArray start, INDArray mean, int workers) {
        INDArray step = mean.sub(start).muli(stepScale.factor(workers));
        if (lookahead != null) {
            step.addi(lookahead);
        }
        INDArray next = model.add(step);
        mostWorkers = Math.max(mostWorkers, workers);
        double m = momentum.forWorkers(mostWorkers);
        lookahead = m == 0 ? null : step.muli(m);
        return next;
    }

    /** The look-ahead as floats, for a checkpoint; null when there is none. */
    float[] lookahead() {
        return lookahead == null ? null : ModelState.toFloats(lookahead);
    }

    /** Restores the look-ahead a checkpoint kept (null: none). */
    void restoreLookahead(float[] values) {
        lookahead = values == null ? null : ModelState.row(values);
    }
}
