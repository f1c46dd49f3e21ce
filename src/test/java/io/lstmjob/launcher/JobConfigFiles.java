package io.lstmjob.launcher;

import io.lstmjob.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A job config file, as a user hands one to jobs/submit.sh. */
final class JobConfigFiles {
    private JobConfigFiles() {}

    /** {@link TestConfigs#sinesOverrides} as a HOCON file in {@code dir}; the paths quoted. */
    static Path sines(Path dir, Path input) throws IOException {
        List<String> lines = TestConfigs.sinesOverrides(input, "unused").stream()
                .map(line -> line.startsWith("input.path=") || line.startsWith("output.path=")
                        ? line.replaceFirst("=(.*)", " = \"$1\"")
                        : line)
                .toList();
        return Files.write(dir.resolve("sines.conf"), lines);
    }
}
