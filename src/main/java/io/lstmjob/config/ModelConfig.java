package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/**
 * The network's shape and initialisation.
 *
 * @param cell lstm (the standard cell) or graves (DL4J's GravesLSTM, with peephole connections)
 */
public record ModelConfig(
        String name,
        List<Integer> layers,
        double dropout,
        double forgetGateBias,
        String weightInit,
        long seed,
        String cell) implements Serializable {

    /** The standard LSTM cell. */
    public ModelConfig(String name, List<Integer> layers, double dropout, double forgetGateBias, String weightInit, long seed) {
        this(name, layers, dropout, forgetGateBias, weightInit, seed, "lstm");
    }
}
