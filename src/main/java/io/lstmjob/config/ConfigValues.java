package io.lstmjob.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The merged configuration as the sections' bindings read it: one way to read each kind of value,
 * and every rejection as "key: problem", so a scheduler's log tells the user what to fix.
 */
final class ConfigValues {
    private final Config config;

    ConfigValues(Config config) {
        this.config = config;
    }

    public int integer(String key) {
        return config.getInt(key);
    }

    public long longInteger(String key) {
        return config.getLong(key);
    }

    public double number(String key) {
        return config.getDouble(key);
    }

    public boolean flag(String key) {
        return config.getBoolean(key);
    }

    public long bytes(String key) {
        return config.getBytes(key);
    }

    /** The value as written. */
    public String untrimmed(String key) {
        return config.getString(key);
    }

    /** The value trimmed; empty means "not set". */
    public String text(String key) {
        return config.getString(key).trim();
    }

    /** The value trimmed, refused when empty. */
    public String required(String key) {
        String value = text(key);
        require(!value.isEmpty(), key, "is required");
        return value;
    }

    public List<String> strings(String key) {
        return List.copyOf(config.getStringList(key));
    }

    /** A list of whole numbers; {@code expected} says what the list is when it is something else. */
    public List<Integer> integers(String key, String expected) {
        try {
            return List.copyOf(config.getIntList(key));
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key + ": must be " + expected);
        }
    }

    /** One of an enum's config names, trimmed, in any case; the message lists them all. */
    public <E extends Enum<E> & ConfigChoice> E choice(String key, Class<E> type) {
        return choice(key, type, "one of " + names(type));
    }

    /** As {@link #choice(String, Class)}, with {@code expected} saying what the choices are. */
    public <E extends Enum<E> & ConfigChoice> E choice(String key, Class<E> type, String expected) {
        String value = text(key);
        for (E constant : type.getEnumConstants()) {
            if (constant.configName().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new InvalidConfigException(key + ": must be " + expected + ", got '" + value + "'");
    }

    private static <E extends Enum<E> & ConfigChoice> List<String> names(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.configName());
        }
        return names;
    }

    /** Refuses the value of {@code key} with {@code problem} unless {@code ok}. */
    public static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new InvalidConfigException(key + ": " + problem);
        }
    }
}
