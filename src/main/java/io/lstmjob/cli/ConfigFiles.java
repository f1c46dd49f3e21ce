package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.job.PublishedConfig;
import io.lstmjob.store.ModelStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private ConfigFiles() {
    }

    static JobConfig load(String configFile, List<String> overrides) {
        return load(new JobConfigLoader(), configFile, overrides);
    }

    /**
     * The config again, over the data settings (input columns and policies, segment and TBPTT
     * windows) of the published version a command uses, so a model's input reads as it was trained
     * without repeating its settings; the config file and overrides still win. Unchanged when there
     * is no such version yet.
     *
     * @param version a version id, or null for the live one
     */
    static JobConfig overPublished(JobConfig config, String configFile, List<String> overrides, String version,
                                   Configuration hadoop) {
        String name = config.model().name();
        return PublishedConfig.read(new ModelStore(config.outputPath(), name, hadoop), version)
                .map(published -> {
                    LOG.info("Reading the input with the settings version {} of {} was trained with", published.version(), name);
                    return load(new JobConfigLoader().withDataSettingsOf(published.json(),
                            "the config of version " + published.version() + " of " + name), configFile, overrides);
                })
                .orElse(config);
    }

    private static JobConfig load(JobConfigLoader loader, String configFile, List<String> overrides) {
        if (configFile != null && configFile.startsWith("data:")) {
            return loadInline(loader, configFile, overrides);
        }
        String text = configFile == null ? null : read(configFile);
        return loader.load(text, configFile, overrides);
    }

    private static JobConfig loadInline(JobConfigLoader loader, String uri, List<String> overrides) {
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
        String text;
        try {
            text = new String(Base64.getDecoder().decode(m.group(3).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("--config " + name + ": not base64: " + e.getMessage());
        }
        return loader.load(text, name, overrides);
    }

    /** A path without a scheme is a local file when one exists (spark-submit --files puts it in the working folder). */
    private static String read(String file) {
        Path path = new Path(file);
        Configuration conf = new Configuration();
        try {
            FileSystem fs = path.toUri().getScheme() == null && new File(file).exists()
                    ? FileSystem.getLocal(conf) : path.getFileSystem(conf);
            try (FSDataInputStream in = fs.open(path)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new InvalidConfigException("--config " + file + " cannot be read: " + e.getMessage());
        }
    }
}
