package io.lstmjob.data;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The sequences found in the input, sorted by id, with their lengths in steps. Small: one entry a sequence. */
public final class SequenceCatalog implements Serializable {
    private final List<String> ids;
    private final long[] lengths;
    private final Map<String, Integer> indexById = new HashMap<>();

    SequenceCatalog(List<String> ids, long[] lengths) {
        this.ids = List.copyOf(ids);
        this.lengths = lengths.clone();
        for (int i = 0; i < ids.size(); i++) {
            indexById.put(ids.get(i), i);
        }
    }

    public int size() {
        return ids.size();
    }

    public String id(int index) {
        return ids.get(index);
    }

    public long length(int index) {
        return lengths[index];
    }

    public int indexOf(String seqId) {
        Integer index = indexById.get(seqId);
        if (index == null) {
            throw new IllegalArgumentException("unknown sequence " + seqId);
        }
        return index;
    }

    public long totalSteps() {
        long total = 0;
        for (long length : lengths) {
            total += length;
        }
        return total;
    }
}
