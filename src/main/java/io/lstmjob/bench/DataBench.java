package io.lstmjob.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.config.JobConfig;
import io.lstmjob.config.JobConfigLoader;
import io.lstmjob.job.InputValidation;
import io.lstmjob.train.SparkSessions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The data-path benchmark ({@code jobs/bench-data.sh}): for each input, the job's own preparation
 * ({@code validate}: read, check, plan, cut and cache, as train does) and Spark's own read of the same
 * file (text: {@code read.text} and the sum of the line lengths; CSV: {@code read.csv}, the columns
 * cast, {@code repartition} by id and {@code sortWithinPartitions} by id and order, written to Spark's
 * no-op sink so that every row is parsed and sorted), each a fresh JVM, the two alternating so that
 * the machine's drift falls on both. Times are measured inside the JVM from the started Spark
 * session to the end of the work; peak RSS is the process's.
 */
public final class DataBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] VALUES = {"a", "b", "c", "d", "e", "f"};

    private DataBench() {}

    /** An input of the benchmark. */
    public enum Input {
        TEXT_25MB("text", 25),
        TEXT_250MB("text", 250),
        CSV_1M("csv", 1),
        CSV_10M("csv", 10);

        final String format;
        final int size;

        Input(String format, int size) {
            this.format = format;
            this.size = size;
        }

        String fileName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-') + (format.equals("text") ? ".txt" : ".csv");
        }
    }

    /** One measurement, in this JVM: {@code ours} or {@code spark}. */
    public static Map<String, Object> measure(String what, String format, String input, List<String> extra) {
        List<String> overrides = new ArrayList<>(overrides(format, input));
        overrides.addAll(extra);
        JobConfig config = new JobConfigLoader().load(null, null, overrides);
        SparkSession spark = SparkSessions.start(config.spark());
        try {
            long start = System.nanoTime();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("what", what);
            result.put("input", input);
            if (what.equals("ours")) {
                InputValidation.Report report = InputValidation.run(spark, config);
                result.put("steps", report.dataset().steps());
                result.put("cached_mb", Math.round(report.dataset().cachedBytes() / 1048576.0 * 10) / 10.0);
                result.put("phases", report.dataset().phases());
            } else if (format.equals("text")) {
                Object chars = spark.read()
                        .text(input)
                        .select(functions.sum(functions.length(functions.col("value"))))
                        .first()
                        .get(0);
                result.put("characters", chars);
            } else {
                Dataset<Row> frame = spark.read().option("header", "true").csv(input);
                List<Column> columns = new ArrayList<>(List.of(
                        functions.col("id"), functions.col("t").cast("double").as("t")));
                for (String v : VALUES) {
                    columns.add(functions.col(v).cast("float").as(v));
                }
                frame.select(columns.toArray(new Column[0]))
                        .repartition(functions.col("id"))
                        .sortWithinPartitions("id", "t")
                        .write()
                        .format("noop")
                        .mode("overwrite")
                        .save();
            }
            result.put("seconds", Math.round((System.nanoTime() - start) / 1e6) / 1000.0);
            result.put("peak_rss_mb", BenchRunner.peakRssMb());
            return result;
        } finally {
            spark.stop();
        }
    }

    private static List<String> overrides(String format, String input) {
        if (format.equals("text")) {
            return List.of(
                    "input.path=" + input,
                    "input.format=text",
                    "input.sequenceIdColumn=",
                    "input.orderColumn=",
                    "input.featureColumns=[]",
                    "input.targetColumns=[]");
        }
        return List.of(
                "input.path=" + input,
                "input.sequenceIdColumn=id",
                "input.orderColumn=t",
                "input.featureColumns=[" + String.join(",", VALUES) + "]",
                "input.targetColumns=[]");
    }

    /** Generates what is missing in {@code dir}, then measures every input {@code runs} times each way, alternating. */
    public static void run(Path dir, List<Input> inputs, int runs, Path sample, List<String> extra)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> rows = new ArrayList<>();
        rows.add(
                "| input | size | steps | lstm-job validate (s) | Spark's own read (s) | ratio of medians | peak RSS ours / Spark (MB) "
                        + "| cached segments (MB, bytes a step) |");
        rows.add("|---|---|---|---|---|---|---|---|");
        for (Input input : inputs) {
            Path file = dir.resolve(input.fileName());
            if (!Files.exists(file)) {
                System.err.println("generating " + file);
                generate(input, file, sample);
            }
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Long> oursRss = new ArrayList<>();
            List<Long> theirsRss = new ArrayList<>();
            long steps = 0;
            double cached = 0;
            for (int r = 0; r < runs; r++) {
                JsonNode a = child("ours", input.format, file, extra);
                JsonNode b = child("spark", input.format, file, List.of());
                System.out.println(a);
                System.out.println(b);
                ours.add(a.get("seconds").asDouble());
                theirs.add(b.get("seconds").asDouble());
                oursRss.add(a.get("peak_rss_mb").asLong());
                theirsRss.add(b.get("peak_rss_mb").asLong());
                steps = a.get("steps").asLong();
                cached = a.get("cached_mb").asDouble();
            }
            rows.add(String.format(
                    Locale.ROOT,
                    "| %s | %.1f MB | %d | %s | %s | %.2fx | %d / %d | %.1f, %.2f |",
                    input.fileName(),
                    Files.size(file) / 1048576.0,
                    steps,
                    list(ours),
                    list(theirs),
                    median(ours) / median(theirs),
                    oursRss.stream().mapToLong(Long::longValue).max().orElse(-1),
                    theirsRss.stream().mapToLong(Long::longValue).max().orElse(-1),
                    cached,
                    cached * 1048576.0 / steps));
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    private static String list(List<Double> values) {
        List<String> texts = new ArrayList<>();
        for (double v : values) {
            texts.add(String.format(Locale.ROOT, "%.1f", v));
        }
        return String.join(" / ", texts);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One measurement in a fresh JVM with this JVM's options and class path; its JSON line. */
    private static JsonNode child(String what, String format, Path file, List<String> extra)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.lstmjob.cli.LstmJob",
                "bench-data",
                "--measure",
                what,
                "--format",
                format,
                "--input",
                file.toString()));
        for (String set : extra) {
            command.addAll(List.of("--set", set));
        }
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String last = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int code = process.waitFor();
        if (code != 0 || last == null) {
            throw new IOException(what + " on " + file + " exited with " + code);
        }
        return JSON.readTree(last);
    }

    /**
     * Text: the sample repeated to the size. CSV: rows of 400 sequences per million (id, t and six
     * value columns), time-major, so the rows of a sequence are spread over the whole file.
     */
    static void generate(Input input, Path file, Path sample) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        if (input.format.equals("text")) {
            byte[] text = Files.readAllBytes(sample);
            long target = (long) input.size << 20;
            try (var out = Files.newOutputStream(partial)) {
                for (long written = 0; written < target; written += text.length) {
                    out.write(text);
                }
            }
        } else {
            int sequences = 400 * input.size;
            int steps = 2500;
            Random random = new Random(7);
            try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                out.write("id,t," + String.join(",", VALUES) + "\n");
                StringBuilder row = new StringBuilder();
                for (int t = 0; t < steps; t++) {
                    for (int s = 0; s < sequences; s++) {
                        row.setLength(0);
                        row.append('s').append(s).append(',').append(t);
                        row.append(',').append(String.format(Locale.ROOT, "%.4f", Math.sin(t * 0.05 + s)));
                        row.append(',').append(String.format(Locale.ROOT, "%.4f", Math.cos(t * 0.03 + s)));
                        row.append(',').append(String.format(Locale.ROOT, "%.3f", random.nextDouble()));
                        row.append(',').append(String.format(Locale.ROOT, "%.3f", random.nextDouble() * 10));
                        row.append(',').append(String.format(Locale.ROOT, "%.2f", random.nextDouble() * 100));
                        row.append(',').append(String.format(Locale.ROOT, "%.2f", -random.nextDouble() * 50));
                        out.write(row.append('\n').toString());
                    }
                }
            }
        }
        Files.move(partial, file);
    }
}
