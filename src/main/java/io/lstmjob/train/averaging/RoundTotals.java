package io.lstmjob.train.averaging;

import java.io.Serializable;

/**
 * Sum of the workers' results of one round, built by treeAggregate: element-wise sums of the
 * parameters and updater states ({@link ElementSum}) plus loss and counts.
 */
final class RoundTotals implements Serializable {
    ElementSum parameters;
    ElementSum updaterState;
    int workers;
    double lossSum;
    long lossUnits;
    long tokens;
    int maxIterations;
    boolean moreData;
    long lastWorkerFinishedMillis;
    /** The lowest partition whose worker diverged in this round; -1 for none. */
    int divergedPartition = -1;

    RoundTotals add(WorkerResult result) {
        parameters = parameters == null ? ElementSum.of(result.parameters()) : parameters.add(result.parameters());
        if (result.updaterState() != null) {
            updaterState = updaterState == null
                    ? ElementSum.of(result.updaterState())
                    : updaterState.add(result.updaterState());
        }
        workers++;
        lossSum += result.lossSum();
        lossUnits += result.lossUnits();
        tokens += result.tokens();
        maxIterations = Math.max(maxIterations, result.iterations());
        moreData |= result.moreData();
        lastWorkerFinishedMillis = Math.max(lastWorkerFinishedMillis, result.finishedAtMillis());
        if (result.diverged()) {
            divergedPartition = lowest(divergedPartition, Math.max(0, result.partition()));
        }
        return this;
    }

    private static int lowest(int a, int b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    RoundTotals merge(RoundTotals other) {
        if (other.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return other;
        }
        parameters.add(other.parameters);
        if (updaterState != null) {
            updaterState.add(other.updaterState);
        }
        workers += other.workers;
        lossSum += other.lossSum;
        lossUnits += other.lossUnits;
        tokens += other.tokens;
        maxIterations = Math.max(maxIterations, other.maxIterations);
        moreData |= other.moreData;
        lastWorkerFinishedMillis = Math.max(lastWorkerFinishedMillis, other.lastWorkerFinishedMillis);
        divergedPartition = lowest(divergedPartition, other.divergedPartition);
        return this;
    }

    float[] mean(ElementSum sum) {
        return sum.mean(workers);
    }
}
