package io.lstmjob.config;

/** How gradients are kept from exploding; the names are the config values. */
public enum GradientClipping implements ConfigChoice {
    NONE("none"),
    CLIP_ELEMENT("clip-element"),
    CLIP_L2_PER_LAYER("clip-l2-per-layer"),
    CLIP_L2_PER_PARAM_TYPE("clip-l2-per-param-type");

    private final String configName;

    GradientClipping(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
