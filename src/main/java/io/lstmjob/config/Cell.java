package io.lstmjob.config;

/** model.cell: the recurrent cell of every layer. */
public enum Cell implements ConfigChoice {
    /** The standard LSTM (computed by model.FusedLstm). */
    LSTM,
    /** DL4J's GravesLSTM: the standard cell with peephole connections. */
    GRAVES,
    /**
     * The gated recurrent unit in Cho et al.'s original form, the reset gate applied to the state
     * before its product (ONNX's GRU with linear_before_reset = 0); computed by model.FusedGru.
     */
    GRU,
    /**
     * The Mogrifier LSTM (Melis et al. 2019): the standard cell after model.mogrifierRounds rounds
     * in which the input and the previous output gate each other; computed by model.FusedLstm.
     */
    MOGRIFIER;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
