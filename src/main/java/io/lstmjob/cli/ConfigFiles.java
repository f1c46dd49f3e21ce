package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.job.PublishedConfig;
import io.lstmjob.store.ModelStore;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the --config file and merges it with the overrides. The file is any Hadoop path, or a
 * base64 data: URI (RFC 2397) that carries the file itself: jobs/submit.sh passes a local config so
 * in cluster deploy mode, where the driver runs on a machine that has no copy of it (standalone's
 * --files does not reach the driver's folder; Kubernetes needs an upload path for it).
 */
final class ConfigFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
    /** data:[media type][;name=FILE];base64,TEXT; the name is what messages call the config. */
    private static final Pattern DATA_URI = Pattern.compile("data:([^;,]*)((?:;[^;,]*)*);base64,(.*)", Pattern.DOTALL);

    private ConfigFiles() {}

    static JobConfig load(String configFile, List<String> overrides) {
        return Source.of(configFile).load(overrides);
    }

    /** A --config read once (its text and what messages call it), for commands that load it twice. */
    record Source(String text, String origin) {
        /** @param configFile a Hadoop path, a data: URI, or null for the defaults only */
        static Source of(String configFile) {
            if (configFile == null) {
                return new Source(null, null);
            }
            return configFile.startsWith("data:") ? inline(configFile) : new Source(read(configFile), configFile);
        }

        JobConfig load(List<String> overrides) {
            return new JobConfigLoader().load(text, origin, overrides);
        }

        /**
         * The config again, over the data settings (input columns and policies, segment and TBPTT
         * windows) of the published version a command uses, so a model's input reads as it was
         * trained without repeating its settings; the config file and overrides still win. The
         * given config when there is no such version yet.
         *
         * @param version a version id, or null for the live one
         */
        JobConfig overPublished(JobConfig given, List<String> overrides, String version, Configuration hadoop) {
            String name = given.model().name();
            return PublishedConfig.read(new ModelStore(given.outputPath(), name, hadoop), version)
                    .map(published -> {
                        LOG.info(
                                "Reading the input with the settings version {} of {} was trained with",
                                published.version(),
                                name);
                        return new JobConfigLoader()
                                .withDataSettingsOf(
                                        published.json(),
                                        "the config of version " + published.version() + " of " + name)
                                .load(text, origin, overrides);
                    })
                    .orElse(given);
        }
    }

    private static Source inline(String uri) {
        Matcher m = DATA_URI.matcher(uri);
        if (!m.matches()) {
            throw new InvalidConfigException("--config: a data: URI must be data:[TYPE][;name=FILE];base64,TEXT");
        }
        String name = "inline config";
        for (String parameter : m.group(2).split(";")) {
            if (parameter.startsWith("name=")) {
                name = parameter.substring("name=".length()) + " (passed inline)";
            }
        }
        try {
            return new Source(new String(Base64.getDecoder().decode(m.group(3).strip()), StandardCharsets.UTF_8), name);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("--config " + name + ": not base64: " + e.getMessage());
        }
    }

    /** A path without a scheme is a local file when one exists (spark-submit --files puts it in the working folder). */
    private static String read(String file) {
        Path path = new Path(file);
        Configuration conf = new Configuration();
        try {
            FileSystem fs = path.toUri().getScheme() == null && new File(file).exists()
                    ? FileSystem.getLocal(conf)
                    : path.getFileSystem(conf);
            try (FSDataInputStream in = fs.open(path)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new InvalidConfigException("--config " + file + " cannot be read: " + e.getMessage());
        }
    }
}
