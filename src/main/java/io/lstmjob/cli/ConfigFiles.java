package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads the --config file (any Hadoop path) and merges it with the overrides. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static JobConfig load(String configFile, List<String> overrides) {
        String text = configFile == null ? null : read(configFile);
        return new JobConfigLoader().load(text, configFile, overrides);
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
