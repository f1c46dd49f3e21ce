package io.lstmjob.config;

/** model.cell: the recurrent cell of every layer. */
public enum Cell implements ConfigChoice {
    /** The standard LSTM (computed by model.FusedLstm). */
    LSTM,
    /** DL4J's GravesLSTM: the standard cell with peephole connections. */
    GRAVES;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
