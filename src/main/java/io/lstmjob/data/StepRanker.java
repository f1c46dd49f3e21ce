package io.lstmjob.data;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Gives every step its rank (0, 1, 2, ...) within its sequence: a distributed sort by
 * (sequence id, order key), then global indices minus each sequence's first index. Duplicate
 * order keys are found while sorted: the range partitioner keeps equal keys in one partition.
 */
public final class StepRanker {
    private StepRanker() {
    }

    /** The ranked steps and the catalog of sequences; call {@link RankedSteps#release()} when done. */
    public record RankedSteps(JavaRDD<RankedStep> steps, SequenceCatalog catalog, JavaPairRDD<StepRecord, Long> cached) {
        public void release() {
            cached.unpersist(false);
        }
    }

    /** @param cache how the indexed steps are kept while the plan is made and the segments cut */
    public static RankedSteps rank(JavaRDD<StepRecord> steps, int partitions, StorageLevel cache) {
        JavaPairRDD<StepKey, StepRecord> sorted = steps
                .mapToPair(s -> new Tuple2<>(new StepKey(s.seqId(), s.order()), s))
                .sortByKey(new StepKeyOrder(), true, partitions);
        JavaPairRDD<StepRecord, Long> indexed = sorted.mapPartitions(StepRanker::rejectDuplicates).zipWithIndex();
        indexed.persist(cache);

        Map<String, Tuple2<Long, Long>> firstAndCount = indexed
                .mapToPair(t -> new Tuple2<>(t._1().seqId(), new Tuple2<>(t._2(), 1L)))
                .reduceByKey((a, b) -> new Tuple2<>(Math.min(a._1(), b._1()), a._2() + b._2()))
                .collectAsMap();
        if (firstAndCount.isEmpty()) {
            indexed.unpersist(false);
            throw new InputDataException("the input holds no data rows");
        }
        TreeMap<String, Tuple2<Long, Long>> bySeq = new TreeMap<>(firstAndCount);
        List<String> ids = new ArrayList<>(bySeq.keySet());
        long[] lengths = new long[ids.size()];
        Map<String, Long> first = new java.util.HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            lengths[i] = bySeq.get(ids.get(i))._2();
            first.put(ids.get(i), bySeq.get(ids.get(i))._1());
        }
        Broadcast<Map<String, Long>> firstIndex = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(steps.context()).broadcast(first);
        JavaRDD<RankedStep> ranked = indexed.map(t -> new RankedStep(t._1().seqId(),
                t._2() - firstIndex.value().get(t._1().seqId()), t._1().features(), t._1().targets()));
        return new RankedSteps(ranked, new SequenceCatalog(ids, lengths), indexed);
    }

    private static Iterator<StepRecord> rejectDuplicates(Iterator<Tuple2<StepKey, StepRecord>> sorted) {
        return new Iterator<>() {
            private StepRecord previous;

            @Override
            public boolean hasNext() {
                return sorted.hasNext();
            }

            @Override
            public StepRecord next() {
                if (!sorted.hasNext()) {
                    throw new NoSuchElementException();
                }
                StepRecord current = sorted.next()._2();
                if (previous != null && previous.seqId().equals(current.seqId()) && previous.order() == current.order()) {
                    throw new BadRecordException(current.file(), current.offset(), "sequence '" + current.seqId()
                            + "' has a second row with the same order value " + formatOrder(current.order())
                            + " (the first is in " + previous.file() + (previous.offset() >= 0 ? " at byte " + previous.offset() : "") + ")");
                }
                previous = current;
                return current;
            }
        };
    }

    private static String formatOrder(double order) {
        return order == Math.rint(order) ? Long.toString((long) order) : Double.toString(order);
    }

    record StepKey(String seqId, double order) implements Serializable {
    }

    static final class StepKeyOrder implements Comparator<StepKey>, Serializable {
        @Override
        public int compare(StepKey a, StepKey b) {
            int c = a.seqId().compareTo(b.seqId());
            return c != 0 ? c : Double.compare(a.order(), b.order());
        }
    }
}
