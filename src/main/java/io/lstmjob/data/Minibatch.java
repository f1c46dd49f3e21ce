package io.lstmjob.data;

import org.nd4j.linalg.dataset.DataSet;

/**
 * A minibatch that knows its place among its partition's minibatches (0, 1, ...), so a reader that
 * was handed the partition from a later minibatch on (see {@link MinibatchAssembler#START}) knows
 * where it stands without counting.
 */
public final class Minibatch extends DataSet {
    private final long position;

    Minibatch(DataSet assembled, long position) {
        super(
                assembled.getFeatures(),
                assembled.getLabels(),
                assembled.getFeaturesMaskArray(),
                assembled.getLabelsMaskArray());
        this.position = position;
    }

    public long position() {
        return position;
    }
}
