package io.lstmjob.train.averaging;

import io.lstmjob.data.Minibatch;
import io.lstmjob.data.MinibatchAssembler;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's part of one averaging round, read top to bottom: pass over the minibatches of earlier
 * rounds (the ones before {@code firstMinibatch}: a {@link Minibatch} says its position, which is
 * how a source that started later, as {@link MinibatchAssembler} does when the round's job asks, is
 * recognised; other minibatches are counted), train on this round's, hand back the result (nothing
 * at all when the shard had no data, so an empty partition does not pull the average towards the
 * starting point).
 */
final class TrainPartition implements FlatMapFunction<Iterator<DataSet>, WorkerResult> {
    private final AveragingWorker worker;
    private final long firstMinibatch;
    private final int minibatches;

    /** @param minibatches how many to train in this round; 0 = all that remain */
    TrainPartition(AveragingWorker worker, long firstMinibatch, int minibatches) {
        this.worker = worker;
        this.firstMinibatch = firstMinibatch;
        this.minibatches = minibatches;
    }

    @Override
    public Iterator<WorkerResult> call(Iterator<DataSet> data) {
        DataSet minibatch = firstOfThisRound(data);
        if (minibatch == null) {
            return Collections.emptyIterator();
        }
        MultiLayerNetwork network = worker.getInitialModel();
        // Dropout draws from ND4J's per-thread RNG: seed it from what the model itself stores (its seed
        // and iteration count) and the partition, so a round, and a run resumed from a checkpoint,
        // replays the same draws.
        long seed = network.getLayerWiseConfigurations().getConf(0).getSeed();
        Nd4j.getRandom().setSeed(seed * 1_000_003L + network.getIterationCount() * 31L + TaskContext.getPartitionId());
        int trained = 0;
        while (minibatch != null) {
            trained++;
            worker.processMinibatch(minibatch, network, !data.hasNext());
            minibatch = (minibatches == 0 || trained < minibatches) && data.hasNext() ? data.next() : null;
        }
        WorkerResult result = worker.getFinalResult(network);
        boolean more = data.hasNext();
        return List.of(new WorkerResult(
                        result.parameters(),
                        result.updaterState(),
                        result.lossSum(),
                        result.lossUnits(),
                        result.tokens(),
                        result.iterations(),
                        more,
                        result.finishedAtMillis(),
                        TaskContext.getPartitionId()))
                .iterator();
    }

    /** The round's first minibatch, or null when the partition has none left. */
    private DataSet firstOfThisRound(Iterator<DataSet> data) {
        for (long position = 0; data.hasNext(); position++) {
            DataSet next = data.next();
            if (next instanceof Minibatch numbered) {
                position = numbered.position();
            }
            if (position >= firstMinibatch) {
                return next;
            }
        }
        return null;
    }
}
