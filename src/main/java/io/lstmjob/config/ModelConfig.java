package io.lstmjob.config;

import java.io.Serializable;
import java.util.List;

/** The network's shape and initialisation. */
public record ModelConfig(
        String name,
        List<Integer> layers,
        double dropout,
        double forgetGateBias,
        String weightInit,
        long seed) implements Serializable {
}
