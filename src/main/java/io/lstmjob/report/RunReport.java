package io.lstmjob.report;

import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * report.html of a published version: loss curves (training and validation per epoch), throughput
 * per epoch, the validation metrics before and after, for forecasting the forecast against the
 * actual values on a holdout sequence, and the config. Charts are PNGs (XChart) embedded in the page.
 */
public final class RunReport {
    private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);
    private static final int MAX_CLASSES_SHOWN = 20;

    private RunReport() {}

    public static String html(String title, MetricsDocument metrics, String configJson, ForecastSample sample) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title))
                .append("</title>")
                .append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
                .append(
                        "th{background:#f4f4f4}tr.published td{font-weight:bold;background:#fff3cd}pre{background:#f8f8f8;padding:1em;overflow:auto}</style></head><body>")
                .append("<h1>")
                .append(escape(title))
                .append("</h1>");
        List<EpochMetrics> epochs = metrics.epochs();
        double[] x = new double[epochs.size()];
        double[] train = new double[epochs.size()];
        List<Double> validationX = new ArrayList<>();
        List<Double> validationY = new ArrayList<>();
        double[] throughput = new double[epochs.size()];
        for (int i = 0; i < epochs.size(); i++) {
            EpochMetrics e = epochs.get(i);
            x[i] = e.epoch();
            train[i] = e.trainLoss();
            throughput[i] = e.tokensPerSecond();
            if (e.validationLoss() != null) {
                validationX.add((double) e.epoch());
                validationY.add(e.validationLoss());
            }
        }
        int published = publishedEpoch(metrics);
        if (published > 0) {
            page.append("<p>Published: the network after epoch ")
                    .append(published)
                    .append(" of ")
                    .append(epochs.size())
                    .append(
                            metrics.bestEpoch() != null
                                    ? ", the best validation loss (early stopping)."
                                    : ", the last.")
                    .append("</p>");
        }
        List<Charts.Series> losses = new ArrayList<>(List.of(
                new Charts.Series("training", x, train),
                new Charts.Series("validation", toArray(validationX), toArray(validationY))));
        epochs.stream()
                .filter(e -> e.epoch() == published)
                .findFirst()
                .ifPresent(e -> losses.add(new Charts.Series(
                        "published (epoch " + published + ")",
                        new double[] {published},
                        new double[] {e.validationLoss() != null ? e.validationLoss() : e.trainLoss()},
                        true)));
        image(page, "Loss per epoch", () -> Charts.png("Loss per step", "epoch", "loss", losses));
        image(
                page,
                "Throughput",
                () -> Charts.png(
                        "Training throughput",
                        "epoch",
                        "time steps per second",
                        List.of(new Charts.Series("steps/s", x, throughput))));
        if (sample != null) {
            double[] steps = new double[sample.actual().length];
            for (int t = 0; t < steps.length; t++) {
                steps[t] = t + 1;
            }
            image(
                    page,
                    "Forecast on a holdout sequence",
                    () -> Charts.png(
                            sample.target() + " of " + shortName(sample.sequence()) + " (holdout)",
                            "holdout step",
                            sample.target(),
                            List.of(
                                    new Charts.Series("actual", steps, sample.actual()),
                                    new Charts.Series("next-step forecast", steps, sample.predicted()))));
        }
        page.append(
                "<h2>Validation metrics</h2><table><tr><th>metric</th><th>before training</th><th>published</th></tr>");
        Map<String, Object> before = metricsMap(metrics.initialValidation());
        Map<String, Object> after = metricsMap(metrics.finalValidation());
        boolean classifier = "classify".equals(metrics.task());
        for (String key : after.keySet()) {
            if (key.equals("perClass") || key.equals("confusion")) {
                continue; // tables of their own below
            }
            // A classifier's holdout counts whole sequences, one prediction each.
            String label = key.equals("steps") && classifier ? "sequences" : key;
            page.append("<tr><th>")
                    .append(escape(label))
                    .append("</th><td>")
                    .append(format(before.get(key)))
                    .append("</td><td>")
                    .append(format(after.get(key)))
                    .append("</td></tr>");
        }
        page.append("</table>");
        classTables(page, metrics.finalValidation());
        page.append("<h2>Epochs</h2><table><tr><th>epoch</th><th>training loss</th><th>validation loss</th>")
                .append("<th>seconds</th><th>steps/s</th><th>averaging s</th><th>published</th></tr>");
        for (EpochMetrics e : epochs) {
            boolean isPublished = e.epoch() == published;
            page.append(isPublished ? "<tr class=\"published\">" : "<tr>")
                    .append("<td>")
                    .append(e.epoch())
                    .append("</td><td>")
                    .append(format(e.trainLoss()))
                    .append("</td><td>")
                    .append(format(e.validationLoss()))
                    .append("</td><td>")
                    .append(format(e.seconds()))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.0f", e.tokensPerSecond()))
                    .append("</td><td>")
                    .append(format(e.averagingSeconds()))
                    .append("</td><td>")
                    .append(isPublished ? "&#10003;" : "")
                    .append("</td></tr>");
        }
        page.append("</table><h2>Config</h2><pre>")
                .append(escape(prettyJson(configJson)))
                .append("</pre></body></html>");
        return page.toString();
    }

    /** The epoch whose network was published: early stopping's best, else the last; 0 without epochs. */
    private static int publishedEpoch(MetricsDocument metrics) {
        if (metrics.bestEpoch() != null) {
            return metrics.bestEpoch();
        }
        List<EpochMetrics> epochs = metrics.epochs();
        return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch();
    }

    /** A sequence named by its file (input without an id column) is called by the file's name, not its URL. */
    private static String shortName(String sequence) {
        String name = sequence.substring(sequence.lastIndexOf('/') + 1);
        return name.length() <= 40 ? name : name.substring(0, 37) + "...";
    }

    /** Per-class precision/recall/F1 and the confusion matrix, when there are few enough classes to read (not characters). */
    private static void classTables(StringBuilder page, ValidationMetrics metrics) {
        if (metrics == null
                || metrics.confusion() == null
                || metrics.confusion().labels().size() > MAX_CLASSES_SHOWN) {
            return;
        }
        page.append("<h2>Per class (holdout)</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>")
                .append("<th>support</th></tr>");
        metrics.perClass()
                .forEach((label, m) -> page.append("<tr><th>")
                        .append(escape(label))
                        .append("</th><td>")
                        .append(format(m.precision()))
                        .append("</td><td>")
                        .append(format(m.recall()))
                        .append("</td><td>")
                        .append(format(m.f1()))
                        .append("</td><td>")
                        .append(m.support())
                        .append("</td></tr>"));
        page.append("</table><h2>Confusion matrix (rows: actual, columns: predicted)</h2><table><tr><th></th>");
        List<String> labels = metrics.confusion().labels();
        labels.forEach(label -> page.append("<th>").append(escape(label)).append("</th>"));
        page.append("</tr>");
        for (int a = 0; a < labels.size(); a++) {
            page.append("<tr><th>").append(escape(labels.get(a))).append("</th>");
            for (long count : metrics.confusion().counts()[a]) {
                page.append("<td>").append(count).append("</td>");
            }
            page.append("</tr>");
        }
        page.append("</table>");
    }

    @FunctionalInterface
    private interface Image {
        String dataUri() throws IOException;
    }

    /** A chart that cannot be drawn (no fonts on a bare machine, say) costs its picture, not the run. */
    private static void image(StringBuilder page, String heading, Image image) {
        page.append("<h2>").append(escape(heading)).append("</h2>");
        try {
            page.append("<img alt=\"")
                    .append(escape(heading))
                    .append("\" src=\"")
                    .append(image.dataUri())
                    .append("\">");
        } catch (IOException | RuntimeException | Error e) {
            LOG.warn("report.html: the chart '{}' could not be drawn: {}", heading, e.toString());
            page.append("<p>(chart not available: ")
                    .append(escape(e.toString()))
                    .append(")</p>");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metricsMap(ValidationMetrics metrics) {
        if (metrics == null) {
            return new java.util.LinkedHashMap<>();
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().convertValue(metrics, java.util.LinkedHashMap.class);
    }

    private static String prettyJson(String json) {
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(json));
        } catch (IOException e) {
            return json;
        }
    }

    private static String format(Object value) {
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.5g", d);
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder();
            map.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ")
                    .append(escape(String.valueOf(k)))
                    .append(' ')
                    .append(format(v)));
            return text.toString();
        }
        return value == null ? "–" : escape(String.valueOf(value));
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
