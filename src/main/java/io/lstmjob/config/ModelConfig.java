package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/**
 * The network's shape and initialisation.
 *
 * @param cell           the standard cell, or DL4J's GravesLSTM with peephole connections
 * @param bidirectional  classification only: each LSTM layer also reads the sequence backwards
 * @param attentionHeads classification only: heads of a self-attention layer over the last LSTM
 *                       layer's outputs (0 = no attention layer)
 * @param pooling        classification only: how the steps become one vector
 */
public record ModelConfig(
        String name,
        List<Integer> layers,
        double dropout,
        double forgetGateBias,
        WeightInitKind weightInit,
        long seed,
        Cell cell,
        boolean bidirectional,
        int attentionHeads,
        Pooling pooling)
        implements Serializable {

    /** Units of the last LSTM layer's output: both directions side by side when bidirectional. */
    public int lastLayerWidth() {
        return layers.get(layers.size() - 1) * (bidirectional ? 2 : 1);
    }
}
