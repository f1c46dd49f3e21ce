package io.lstmjob.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Input files for a workload, shaped like the peer's data: W1 random text over 76 characters plus
 * the line end (77 classes), W2 and W3 noisy sines with random phases (16 and 6 channels). Each worker gets a whole number
 * of minibatches of whole segments per epoch.
 */
final class SyntheticData {
    private static final String ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"()[]{}-+*/=<>@#$%&_~^|";

    private SyntheticData() {}

    /**
     * @param minibatches         minibatches per worker per epoch (of sequences one segment long)
     * @param segmentsPerSequence how many segments long each sequence is (more data, same segment length)
     */
    static Path write(Workload workload, int workers, int minibatches, int segmentsPerSequence, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(12345);
        if (workload.isText()) {
            String alphabet = ALPHABET.substring(0, workload.channels - 1); // + '\n' = 77 classes
            // One file = one sequence: each worker's file holds its batch of segments, back to back.
            for (int w = 0; w < Math.max(1, workers); w++) {
                // N steps need N + 1 characters: the reader ends the last line with the '\n' left off here.
                long characters = (long) minibatches * workload.batch * workload.segment * segmentsPerSequence;
                try (BufferedWriter out =
                        Files.newBufferedWriter(dir.resolve("text-" + w + ".txt"), StandardCharsets.UTF_8)) {
                    for (long i = 1; i <= characters; i++) {
                        boolean lineEnd = i % 100 == 0 && i < characters;
                        out.write(lineEnd ? '\n' : alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
            }
            return dir;
        }
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("sensors.csv"), StandardCharsets.UTF_8)) {
            StringBuilder header = new StringBuilder("id");
            for (int c = 0; c < workload.channels; c++) {
                header.append(',').append(Workload.channelColumn(c));
            }
            out.write(header.append('\n').toString());
            for (int s = 0; s < Math.max(1, workers) * workload.batch * minibatches; s++) {
                double[] phase = new double[workload.channels];
                for (int c = 0; c < phase.length; c++) {
                    phase[c] = random.nextDouble() * 6.28;
                }
                for (long t = 0; t <= (long) workload.segment * segmentsPerSequence; t++) {
                    StringBuilder row = new StringBuilder("s").append(s);
                    for (int c = 0; c < workload.channels; c++) {
                        row.append(',')
                                .append(String.format(
                                        Locale.ROOT,
                                        "%.4f",
                                        Math.sin(t * 0.05 + phase[c]) + 0.1 * random.nextGaussian()));
                    }
                    out.write(row.append('\n').toString());
                }
            }
        }
        return dir;
    }
}
