package io.lstmjob.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merges the built-in defaults (conf/default.conf, packaged in the jar), an optional job config
 * and command-line {@code key=value} overrides, then validates every value into a {@link JobConfig}.
 * Every rejection names the key, so a scheduler's log tells the user what to fix.
 */
public final class JobConfigLoader {

    static final String DEFAULTS_RESOURCE = "io/lstmjob/config/default.conf";

    /**
     * How a model reads and cuts its data: the input section but its path, and the segment and TBPTT
     * windows. A command that uses a published model reads its input this way unless told otherwise.
     */
    private static final List<String> DATA_SETTINGS = List.of("input.", "segment.", "tbptt.");

    private static final String NOT_A_DATA_SETTING = "input.path";

    private final Config defaults;

    public JobConfigLoader() {
        this(ConfigFactory.parseResources(
                JobConfigLoader.class.getClassLoader(),
                DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false)));
    }

    private JobConfigLoader(Config defaults) {
        this.defaults = defaults;
    }

    /**
     * A loader whose defaults are this one's with the data settings of a published version's
     * resolved config (metadata.json's config) laid over them; a job config and overrides still win.
     * Keys this version of the job does not know are left out, so an older model's config still reads.
     *
     * @param origin what the settings are, for messages (e.g. "version 20260101-120000 of sensors")
     */
    public JobConfigLoader withDataSettingsOf(String resolvedConfigJson, String origin) {
        Config published;
        try {
            published = ConfigFactory.parseString(
                    resolvedConfigJson, ConfigParseOptions.defaults().setOriginDescription(origin));
        } catch (ConfigException e) {
            throw new InvalidConfigException("the config of " + origin + " cannot be parsed: " + e.getMessage());
        }
        Config layered = defaults;
        for (Map.Entry<String, ConfigValue> entry : published.entrySet()) {
            String key = entry.getKey();
            if (isDataSetting(key) && defaults.hasPath(key)) {
                layered = layered.withValue(key, entry.getValue());
            }
        }
        return new JobConfigLoader(layered);
    }

    /** The built-in defaults (conf/default.conf) as concise JSON, the form of a run's resolved config. */
    public static String defaultsJson() {
        return new JobConfigLoader().defaults.resolve().root().render(ConfigRenderOptions.concise());
    }

    private static boolean isDataSetting(String key) {
        return !key.equals(NOT_A_DATA_SETTING) && DATA_SETTINGS.stream().anyMatch(key::startsWith);
    }

    /**
     * @param configText contents of the user's job config, or null for defaults only
     * @param origin     where configText came from, for messages
     * @param overrides  {@code key=value} strings, applied last
     */
    public JobConfig load(String configText, String origin, List<String> overrides) {
        Config merged = defaults;
        if (configText != null) {
            Config user;
            try {
                user = ConfigFactory.parseString(
                        configText, ConfigParseOptions.defaults().setOriginDescription(origin));
            } catch (ConfigException e) {
                throw new InvalidConfigException("config " + origin + " cannot be parsed: " + e.getMessage());
            }
            for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
                requireKnownKey(entry.getKey(), origin);
            }
            merged = user.withFallback(merged);
        }
        for (String override : overrides) {
            merged = applyOverride(merged, override);
        }
        try {
            merged = merged.resolve();
            return build(merged);
        } catch (ConfigException e) {
            throw new InvalidConfigException(describe(e));
        }
    }

    private Config applyOverride(Config config, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidConfigException("override '" + override + "' is not of the form key=value");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        requireKnownKey(key, "the command line");
        ConfigValue parsed;
        if (value.startsWith("[") || value.startsWith("{")) {
            try {
                parsed = ConfigFactory.parseString("v = " + value).getValue("v");
            } catch (ConfigException e) {
                throw new InvalidConfigException(key + ": cannot parse '" + value + "': " + e.getMessage());
            }
        } else {
            // Kept as a string: typed getters convert numbers and booleans, and paths such as
            // hdfs://nn/x survive (HOCON would read '//' as a comment).
            parsed = ConfigValueFactory.fromAnyRef(value, "command line");
        }
        return config.withValue(key, parsed);
    }

    private void requireKnownKey(String key, String origin) {
        if (defaults.hasPathOrNull(key)
                && !defaults.getValue(key).valueType().equals(com.typesafe.config.ConfigValueType.OBJECT)) {
            return;
        }
        String hint = closestKey(key);
        throw new InvalidConfigException("unknown config key '" + key + "' in " + origin
                + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
    }

    private String closestKey(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, ConfigValue> entry : defaults.entrySet()) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), entry.getKey().toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = entry.getKey();
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(ConfigException e) {
        // Typesafe's message names the key and the origin (file and line, or "command line").
        return "invalid config: " + e.getMessage();
    }

    /** Each section binds itself; a section whose rules read another's gets that section's record. */
    private JobConfig build(Config merged) {
        ConfigValues c = new ConfigValues(merged);
        InputConfig input = InputConfig.from(c);
        ModelConfig model = ModelConfig.from(c, input.task());
        TrainConfig train = TrainConfig.from(c);
        ShardingConfig sharding = ShardingConfig.from(c, train, input.task());
        return new JobConfig(
                input,
                c.required("output.path"),
                model,
                train,
                sharding,
                SparkSettings.from(c),
                StoreConfig.from(c),
                RetrainConfig.from(c),
                merged.root().render(ConfigRenderOptions.concise()));
    }
}
