package io.lstmjob.store;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;

class LocalModelStoreTest extends ModelStoreTest {
    @TempDir
    Path root;

    @Override
    protected String root() {
        return root.toUri().toString();
    }

    @Override
    protected Configuration conf() {
        return new Configuration();
    }
}
