package io.lstmjob.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions and git commit baked into the jar at build time (see pom.xml). */
final class BuildInfo {
    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    static String get(String key) {
        return PROPERTIES.getProperty(key, "unknown");
    }

    private static Properties load() {
        Properties properties = new Properties();
        for (String resource : new String[] {"io/lstmjob/build-info.properties", "io/lstmjob/git.properties"}) {
            try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException ignored) {
                // Build information is informative only.
            }
        }
        return properties;
    }
}
