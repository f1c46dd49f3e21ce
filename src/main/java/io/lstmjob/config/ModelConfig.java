package io.lstmjob.config;

import static io.lstmjob.config.ConfigValues.require;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;

/**
 * The network's shape and initialisation (the {@code model.*} section but model.horizon, which says how
 * the data is cut into pairs: {@link ShardingConfig}).
 *
 * @param cell           the standard LSTM cell, DL4J's GravesLSTM with peephole connections, or a GRU
 * @param projection     lstm only: units of each layer's projected output r = W_p (o * tanh(c)) (Sak et al.
 *                       2014), which also feeds the layer's recurrence; 0 = no projection
 * @param mogrifierRounds mogrifier only: rounds in which x and h gate each other before each step
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
        int projection,
        int mogrifierRounds,
        boolean bidirectional,
        int attentionHeads,
        Pooling pooling)
        implements Serializable {

    static ModelConfig from(ConfigValues c, Task task) {
        String name = c.untrimmed("model.name");
        require(PlainName.isPlain(name), "model.name", "'" + name + "' " + PlainName.RULE);
        List<Integer> layers = c.integers("model.layers", "a list of unit counts such as [64, 64]");
        require(!layers.isEmpty(), "model.layers", "needs at least one LSTM layer");
        for (int units : layers) {
            require(units >= 1 && units <= 8192, "model.layers", "unit counts must be within 1..8192, got " + units);
        }
        double dropout = c.number("model.dropout");
        require(dropout >= 0 && dropout < 1, "model.dropout", "must be in [0, 1), got " + dropout);
        double forgetBias = c.number("model.forgetGateBias");
        require(Double.isFinite(forgetBias), "model.forgetGateBias", "must be a finite number");
        boolean bidirectional = c.flag("model.bidirectional");
        int heads = c.integer("model.attentionHeads");
        Pooling pooling = c.choice("model.pooling", Pooling.class);
        boolean classify = task == Task.CLASSIFY;
        require(
                !bidirectional || classify,
                "model.bidirectional",
                "is for sequence classification (set input.labelColumn): "
                        + "a forecaster or character model must not read the steps it predicts");
        require(heads >= 0, "model.attentionHeads", "must be 0 (no attention layer) or positive, got " + heads);
        require(
                heads == 0 || classify,
                "model.attentionHeads",
                "is for sequence classification (set input.labelColumn)");
        Cell cell = c.choice("model.cell", Cell.class, "lstm, graves, gru or mogrifier");
        int projection = c.integer("model.projection");
        require(projection >= 0, "model.projection", "must be 0 (no projection) or positive, got " + projection);
        require(
                projection == 0 || cell == Cell.LSTM,
                "model.projection",
                "is for model.cell=lstm (a projected LSTM), not " + cell.configName());
        require(
                projection == 0 || projection < Collections.min(layers),
                "model.projection",
                "must be smaller than each layer's units (it narrows the layer's output and recurrence), got "
                        + projection + " with model.layers=" + layers);
        int rounds = c.integer("model.mogrifierRounds");
        require(rounds >= 1 && rounds <= 16, "model.mogrifierRounds", "must be within 1..16, got " + rounds);
        ModelConfig model = new ModelConfig(
                name,
                layers,
                dropout,
                forgetBias,
                c.choice("model.weightInit", WeightInitKind.class),
                c.longInteger("model.seed"),
                cell,
                projection,
                rounds,
                bidirectional,
                heads,
                pooling);
        require(
                heads == 0 || model.lastLayerWidth() % heads == 0,
                "model.attentionHeads",
                "must divide the last LSTM layer's output width " + model.lastLayerWidth()
                        + (bidirectional ? " (both directions)" : "") + ", got " + heads);
        require(
                !(bidirectional && pooling == Pooling.LAST),
                "model.pooling",
                "last would read the backward direction after "
                        + "a single step; use mean or max with model.bidirectional=true");
        require(
                !(heads > 0 && pooling == Pooling.LAST),
                "model.pooling",
                "last would keep one step of the attention "
                        + "layer's output; use mean or max with model.attentionHeads");
        return model;
    }

    /** Units of the last LSTM layer's output: both directions side by side when bidirectional. */
    public int lastLayerWidth() {
        return outputWidth(layers.size() - 1) * (bidirectional ? 2 : 1);
    }

    /** Units of layer l's output in one direction: its projection's when projected. */
    public int outputWidth(int l) {
        return projection > 0 ? projection : layers.get(l);
    }
}
