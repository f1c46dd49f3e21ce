package io.lstmjob.train.averaging;

import java.io.Serializable;

/**
 * Sum of the workers' results of one round, built by treeAggregate: element-wise sums (in double,
 * so the mean does not depend on the order of summation beyond rounding) plus loss and counts.
 */
final class RoundTotals implements Serializable {
    double[] parameters;
    double[] updaterState;
    int workers;
    double lossSum;
    long lossUnits;
    long tokens;
    long minibatches;
    int maxIterations;
    boolean moreData;
    long lastWorkerFinishedMillis;

    RoundTotals add(WorkerResult result) {
        parameters = addInto(parameters, result.parameters());
        updaterState = addInto(updaterState, result.updaterState());
        workers++;
        lossSum += result.lossSum();
        lossUnits += result.lossUnits();
        tokens += result.tokens();
        minibatches += result.minibatches();
        maxIterations = Math.max(maxIterations, result.iterations());
        moreData |= result.moreData();
        lastWorkerFinishedMillis = Math.max(lastWorkerFinishedMillis, result.finishedAtMillis());
        return this;
    }

    RoundTotals merge(RoundTotals other) {
        if (other.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return other;
        }
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] += other.parameters[i];
        }
        if (updaterState != null) {
            for (int i = 0; i < updaterState.length; i++) {
                updaterState[i] += other.updaterState[i];
            }
        }
        workers += other.workers;
        lossSum += other.lossSum;
        lossUnits += other.lossUnits;
        tokens += other.tokens;
        minibatches += other.minibatches;
        maxIterations = Math.max(maxIterations, other.maxIterations);
        moreData |= other.moreData;
        lastWorkerFinishedMillis = Math.max(lastWorkerFinishedMillis, other.lastWorkerFinishedMillis);
        return this;
    }

    private static double[] addInto(double[] sum, float[] values) {
        if (values == null) {
            return sum;
        }
        if (sum == null) {
            sum = new double[values.length];
        }
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
        return sum;
    }

    float[] mean(double[] sum) {
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / workers);
        }
        return mean;
    }
}
