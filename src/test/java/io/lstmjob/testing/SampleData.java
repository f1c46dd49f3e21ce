package io.lstmjob.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small datasets with a real learning signal, written into a test's temporary folder. */
public final class SampleData {
    private SampleData() {}

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
                csv.append("s")
                        .append(s)
                        .append(',')
                        .append(t)
                        .append(',')
                        .append(String.format(
                                java.util.Locale.ROOT, "%.5f", Math.sin(angle) + 0.05 * random.nextGaussian()))
                        .append(',')
                        .append(String.format(
                                java.util.Locale.ROOT, "%.5f", Math.cos(angle) + 0.05 * random.nextGaussian()))
                        .append('\n');
            }
        }
        Path file = dir.resolve("sines.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return dir;
    }

    /**
     * Like {@link #noisySines} but the first {@code corruptFraction} of every sequence is random noise:
     * training data gone bad while the tail (the validation holdout) is still the clean signal.
     */
    public static Path corruptedSines(Path dir, int sequences, int steps, double corruptFraction, long seed)
            throws IOException {
        noisySines(dir, sequences, steps, seed);
        Path file = dir.resolve("sines.csv");
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        Random random = new Random(seed);
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            if (Integer.parseInt(cells[1]) < steps * corruptFraction) {
                lines.set(
                        i,
                        cells[0] + "," + cells[1] + ","
                                + String.format(
                                        java.util.Locale.ROOT,
                                        "%.5f,%.5f",
                                        random.nextDouble() * 2 - 1,
                                        random.nextDouble() * 2 - 1));
            }
        }
        Files.write(file, lines);
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
