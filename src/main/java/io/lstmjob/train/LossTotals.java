package io.lstmjob.train;

import java.io.Serializable;

/** Sums over the unmasked validation steps of every partition, merged by treeAggregate. */
final class LossTotals implements Serializable {
    long steps;
    long elements;
    double squaredError;
    double absoluteError;
    double[] squaredErrorByTarget;
    double negativeLogLikelihood;
    long correct;

    LossTotals merge(LossTotals other) {
        steps += other.steps;
        elements += other.elements;
        squaredError += other.squaredError;
        absoluteError += other.absoluteError;
        negativeLogLikelihood += other.negativeLogLikelihood;
        correct += other.correct;
        if (other.squaredErrorByTarget != null) {
            if (squaredErrorByTarget == null) {
                squaredErrorByTarget = other.squaredErrorByTarget.clone();
            } else {
                for (int i = 0; i < squaredErrorByTarget.length; i++) {
                    squaredErrorByTarget[i] += other.squaredErrorByTarget[i];
                }
            }
        }
        return this;
    }
}
