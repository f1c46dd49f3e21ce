package io.lstmjob.job;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.store.ModelStoreException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** What predict, export and evaluate write goes to a path that does not exist yet: nothing is written over. */
public final class NewOutputPath {
    private NewOutputPath() {}

    public static Path require(String output, Configuration conf) {
        Path path = new Path(output);
        try {
            if (path.getFileSystem(conf).exists(path)) {
                throw new InvalidConfigException("--output " + output
                        + " already exists; nothing is written over existing data: choose a new path");
            }
            return path;
        } catch (IOException e) {
            throw new ModelStoreException("cannot check --output " + output + ": " + e.getMessage(), e);
        }
    }
}
