package io.lstmjob.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
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

    private JobConfig build(Config c) {
        InputFormat format = choice(c, "input.format", InputFormat.class);
        String delimiter = c.getString("input.csv.delimiter");
        require(
                delimiter.length() == 1 && delimiter.charAt(0) < 128 && delimiter.charAt(0) != '"',
                "input.csv.delimiter",
                "must be a single ASCII character other than '\"', got '" + delimiter + "'");
        long maxLineBytes = c.getBytes("input.maxLineBytes");
        require(
                maxLineBytes >= 1024 && maxLineBytes <= (1L << 30),
                "input.maxLineBytes",
                "must be within 1k..1g bytes, got " + maxLineBytes);
        String order = c.getString("input.order").trim();
        require(
                order.equals("sort") || order.equals("strict"),
                "input.order",
                "must be sort or strict, got '" + order + "'");
        InputConfig input = new InputConfig(
                nonEmpty(c, "input.path"),
                format,
                delimiter,
                c.getString("input.sequenceIdColumn").trim(),
                c.getString("input.orderColumn").trim(),
                List.copyOf(c.getStringList("input.featureColumns")),
                List.copyOf(c.getStringList("input.targetColumns")),
                choice(c, "input.invalidValues", InvalidValuePolicy.class),
                choice(c, "input.shortSequences", ShortSequencePolicy.class),
                order.equals("strict"),
                c.getInt("tbptt.forward"),
                c.getString("input.labelColumn").trim(),
                (int) maxLineBytes);
        if (input.hasLabelColumn()) {
            require(
                    format != InputFormat.TEXT,
                    "input.labelColumn",
                    "labels whole sequences of csv or parquet input; " + "text input trains a character model");
            require(
                    input.targetColumns().isEmpty(),
                    "input.targetColumns",
                    "must be empty when input.labelColumn is set "
                            + "(a classifier predicts the label, not next-step values)");
            require(
                    !input.featureColumns().contains(input.labelColumn()),
                    "input.featureColumns",
                    "must not contain the label column '" + input.labelColumn() + "'");
            // A whole sequence is one example: any length of at least one step will do.
            input = new InputConfig(
                    input.path(),
                    format,
                    delimiter,
                    input.sequenceIdColumn(),
                    input.orderColumn(),
                    input.featureColumns(),
                    input.targetColumns(),
                    input.invalidValues(),
                    input.shortSequences(),
                    input.strictOrder(),
                    1,
                    input.labelColumn(),
                    input.maxLineBytes());
        }

        String name = c.getString("model.name");
        require(PlainName.isPlain(name), "model.name", "'" + name + "' " + PlainName.RULE);
        List<Integer> layers = new ArrayList<>();
        try {
            layers.addAll(c.getIntList("model.layers"));
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException("model.layers: must be a list of unit counts such as [64, 64]");
        }
        require(!layers.isEmpty(), "model.layers", "needs at least one LSTM layer");
        for (int units : layers) {
            require(units >= 1 && units <= 8192, "model.layers", "unit counts must be within 1..8192, got " + units);
        }
        double dropout = c.getDouble("model.dropout");
        require(dropout >= 0 && dropout < 1, "model.dropout", "must be in [0, 1), got " + dropout);
        double forgetBias = c.getDouble("model.forgetGateBias");
        require(Double.isFinite(forgetBias), "model.forgetGateBias", "must be a finite number");
        WeightInitKind weightInit =
                choice(c, "model.weightInit", WeightInitKind.class, "one of " + names(WeightInitKind.class));
        Cell cell = choice(c, "model.cell", Cell.class, "lstm or graves");
        boolean bidirectional = c.getBoolean("model.bidirectional");
        int heads = c.getInt("model.attentionHeads");
        Pooling pooling = choice(c, "model.pooling", Pooling.class, "one of " + names(Pooling.class));
        boolean classify = input.task() == Task.CLASSIFY;
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
        ModelConfig model = new ModelConfig(
                name,
                List.copyOf(layers),
                dropout,
                forgetBias,
                weightInit,
                c.getLong("model.seed"),
                cell,
                bidirectional,
                heads,
                pooling);
        require(
                heads == 0 || model.lastLayerWidth() % heads == 0,
                "model.attentionHeads",
                "must divide the last LSTM layer's " + "output width " + model.lastLayerWidth()
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

        int epochs = c.getInt("train.epochs");
        require(epochs >= 1, "train.epochs", "must be at least 1, got " + epochs);
        int batchSize = c.getInt("train.batchSize");
        require(batchSize >= 1, "train.batchSize", "must be at least 1, got " + batchSize);
        double lr = c.getDouble("train.learningRate");
        require(lr > 0 && Double.isFinite(lr), "train.learningRate", "must be a positive number, got " + lr);
        double l2 = c.getDouble("train.l2");
        require(l2 >= 0 && Double.isFinite(l2), "train.l2", "must be zero or positive, got " + l2);
        GradientClipping clipping = choice(c, "train.gradientClipping", GradientClipping.class);
        double threshold = c.getDouble("train.gradientClippingThreshold");
        require(
                threshold > 0 && Double.isFinite(threshold),
                "train.gradientClippingThreshold",
                "must be positive, got " + threshold);
        int forward = c.getInt("tbptt.forward");
        require(forward >= 1, "tbptt.forward", "must be at least 1, got " + forward);
        int backward = c.getInt("tbptt.backward");
        require(
                backward >= 1 && backward <= forward,
                "tbptt.backward",
                "must be within 1..tbptt.forward (" + forward + "), got " + backward);
        int frequency = c.getInt("averaging.frequency");
        require(
                frequency >= 0,
                "averaging.frequency",
                "must be 0 (once per epoch) or a number of minibatches, got " + frequency);
        LearningRateSchedule schedule =
                choice(c, "train.learningRateSchedule", LearningRateSchedule.class, "none, step or exponential");
        double decay = c.getDouble("train.learningRateDecay");
        require(decay > 0 && decay <= 1, "train.learningRateDecay", "must be within (0, 1], got " + decay);
        int stepEpochs = c.getInt("train.learningRateStepEpochs");
        require(stepEpochs >= 1, "train.learningRateStepEpochs", "must be at least 1, got " + stepEpochs);
        int patience = c.getInt("train.earlyStoppingPatience");
        require(patience >= 0, "train.earlyStoppingPatience", "must be 0 (off) or positive, got " + patience);
        TrainConfig train = new TrainConfig(
                epochs,
                batchSize,
                choice(c, "train.updater", UpdaterKind.class),
                lr,
                l2,
                clipping,
                threshold,
                forward,
                backward,
                frequency,
                schedule,
                decay,
                stepEpochs,
                patience,
                StepScale.parse(c.getString("averaging.stepScale")),
                BlockMomentum.parse(c.getString("averaging.blockMomentum")));

        int length = c.getInt("segment.length");
        require(length >= forward, "segment.length", "must be at least tbptt.forward (" + forward + "), got " + length);
        int overlap = c.getInt("segment.overlap");
        require(
                overlap >= 0 && overlap < length,
                "segment.overlap",
                "must be within 0..segment.length-1, got " + overlap);
        double fraction = c.getDouble("validation.fraction");
        require(fraction >= 0 && fraction <= 0.5, "validation.fraction", "must be within 0..0.5, got " + fraction);
        int partitions = c.getInt("spark.numPartitions");
        require(partitions >= 0, "spark.numPartitions", "must be 0 (executors x cores) or positive, got " + partitions);
        CacheLevel cacheLevel =
                choice(c, "spark.storageLevel", CacheLevel.class, "memory-and-disk, memory-and-disk-ser or disk-only");
        int horizon = c.getInt("model.horizon");
        require(
                horizon >= 1 && horizon <= length,
                "model.horizon",
                "must be within 1..segment.length (" + length + "), got " + horizon);
        require(
                horizon == 1 || input.task() == Task.FORECAST,
                "model.horizon",
                "is for forecasting (csv or parquet without " + "input.labelColumn), got " + horizon);
        ShardingConfig sharding = new ShardingConfig(length, overlap, fraction, partitions, cacheLevel, horizon);

        SparkSettings spark = new SparkSettings(nonEmpty(c, "spark.master"), nonEmpty(c, "spark.appName"));
        int keep = c.getInt("store.keepVersions");
        require(keep >= 0, "store.keepVersions", "must be 0 (keep all) or positive, got " + keep);
        long lockTimeout = c.getLong("store.lockTimeoutSeconds");
        // The heartbeat comes every timeout / 4: below 30 s one slow file-system call or GC pause would break the lock.
        require(
                lockTimeout >= 30,
                "store.lockTimeoutSeconds",
                "must be at least 30 (the heartbeat is every timeout / 4), got " + lockTimeout);
        String promote = c.getString("retrain.promote").trim();
        require(
                promote.equals("if-better") || promote.equals("always"),
                "retrain.promote",
                "must be if-better or always, got '" + promote + "'");
        double minImprovement = c.getDouble("retrain.minImprovement");
        require(
                minImprovement >= 0 && minImprovement < 1,
                "retrain.minImprovement",
                "must be within [0, 1), got " + minImprovement);

        String json = c.root().render(ConfigRenderOptions.concise());
        return new JobConfig(
                input,
                nonEmpty(c, "output.path"),
                model,
                train,
                sharding,
                spark,
                new StoreConfig(keep, lockTimeout),
                new RetrainConfig(promote.equals("always"), minImprovement),
                json);
    }

    /** Every choice of the config, parsed the same way: its config name, trimmed, in any case. */
    private static <E extends Enum<E> & ConfigChoice> E choice(Config c, String key, Class<E> type, String expected) {
        String value = c.getString(key).trim();
        for (E constant : type.getEnumConstants()) {
            if (constant.configName().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new InvalidConfigException(key + ": must be " + expected + ", got '" + value + "'");
    }

    private static <E extends Enum<E> & ConfigChoice> E choice(Config c, String key, Class<E> type) {
        return choice(c, key, type, "one of " + names(type));
    }

    private static <E extends Enum<E> & ConfigChoice> List<String> names(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.configName());
        }
        return names;
    }

    private static String nonEmpty(Config c, String key) {
        String value = c.getString(key).trim();
        require(!value.isEmpty(), key, "is required");
        return value;
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new InvalidConfigException(key + ": " + problem);
        }
    }
}
