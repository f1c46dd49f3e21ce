package io.lstmjob.data;

import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The class of every sequence, read from input.labelColumn: each sequence must carry one label on
 * all its rows (a second one is an error naming the row), and a model's classes are the sorted
 * distinct labels of its training input.
 */
final class SequenceLabels {
    private SequenceLabels() {
    }

    /** A label with the row it was first seen on. */
    record Seen(String label, String file, long offset) implements Serializable {
    }

    /** Label of each sequence id; sequences without labels (unlabelled input) are absent. */
    static Map<String, String> collect(JavaPairRDD<StepRecord, Long> steps) {
        Map<String, Seen> seen = steps.keys()
                .filter(s -> s.label() != null)
                .mapToPair(s -> new Tuple2<>(s.seqId(), new Seen(s.label(), s.file(), s.offset())))
                .reduceByKey(SequenceLabels::same)
                .collectAsMap();
        Map<String, String> labels = new java.util.HashMap<>();
        seen.forEach((id, s) -> labels.put(id, s.label()));
        return labels;
    }

    private static Seen same(Seen a, Seen b) {
        if (a.label().equals(b.label())) {
            return a;
        }
        throw new BadRecordException(b.file(), b.offset(), "label '" + b.label() + "' differs from the label '" + a.label()
                + "' of another row of the same sequence (in " + a.file() + (a.offset() >= 0 ? " at byte " + a.offset() : "")
                + "): a sequence has one label");
    }

    static List<String> classes(Map<String, String> labels) {
        return List.copyOf(new TreeSet<>(labels.values()));
    }

    /**
     * Class index of every sequence of the catalog, -1 where it has no label.
     *
     * @throws InputDataException for a label that is not one of {@code classes}
     */
    static int[] indexOf(SequenceCatalog catalog, Map<String, String> labels, List<String> classes) {
        int[] index = new int[catalog.size()];
        for (int s = 0; s < index.length; s++) {
            String label = labels.get(catalog.id(s));
            index[s] = label == null ? -1 : classes.indexOf(label);
            if (label != null && index[s] < 0) {
                throw new InputDataException("sequence '" + catalog.id(s) + "' has the label '" + label
                        + "', which is not one of the model's classes " + classes);
            }
        }
        return index;
    }
}
