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
    /** Per class (character model): true positives, predicted counts and actual counts. */
    long[] truePositives;

    long[] predicted;
    long[] actual;
    /** Flattened [actual][predicted] counts (character model). */
    long[] confusion;

    LossTotals merge(LossTotals other) {
        steps += other.steps;
        elements += other.elements;
        squaredError += other.squaredError;
        absoluteError += other.absoluteError;
        negativeLogLikelihood += other.negativeLogLikelihood;
        correct += other.correct;
        truePositives = add(truePositives, other.truePositives);
        predicted = add(predicted, other.predicted);
        actual = add(actual, other.actual);
        confusion = add(confusion, other.confusion);
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

    private static long[] add(long[] into, long[] other) {
        if (other == null) {
            return into;
        }
        if (into == null) {
            return other.clone();
        }
        for (int i = 0; i < into.length; i++) {
            into[i] += other[i];
        }
        return into;
    }
}
