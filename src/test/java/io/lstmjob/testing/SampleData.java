package io.lstmjob.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small datasets with a real learning signal, written into a test's temporary folder. */
public final class SampleData {
    private SampleData() {
    }

    /** Noisy sine waves, one sequence per id, in a CSV with id and order columns. */
    public static Path noisySines(Path dir, int sequences, int steps, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("id,t,value,cosine\n");
        for (int s = 0; s < sequences; s++) {
            double phase = random.nextDouble() * Math.PI * 2;
            double period = 20 + random.nextInt(10);
            for (int t = 0; t < steps; t++) {
                double angle = phase + 2 * Math.PI * t / period;
                csv.append("s").append(s).append(',').append(t).append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.5f", Math.sin(angle) + 0.05 * random.nextGaussian()))
                        .append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.5f", Math.cos(angle) + 0.05 * random.nextGaussian()))
                        .append('\n');
            }
        }
        Path file = dir.resolve("sines.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return dir;
    }

    /** A short text whose next character is mostly predictable. */
    public static Path shortText(Path dir) throws IOException {
        Files.createDirectories(dir);
        String[] lines = {"the cat sat on the mat.", "the dog sat on the log.", "a cat and a dog sat on a mat."};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append(lines[i % lines.length]).append('\n');
        }
        Files.writeString(dir.resolve("text.txt"), text, StandardCharsets.UTF_8);
        return dir;
    }
}
