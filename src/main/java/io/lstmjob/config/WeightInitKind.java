package io.lstmjob.config;

/** model.weightInit: how the weights are drawn before training. */
public enum WeightInitKind implements ConfigChoice {
    XAVIER,
    RELU,
    UNIFORM,
    NORMAL,
    LECUN_NORMAL;

    @Override
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
