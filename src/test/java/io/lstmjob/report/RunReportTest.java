package io.lstmjob.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.train.EpochMetrics;
import io.lstmjob.train.ValidationMetrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** report.html tells what was published: which epoch, what the holdout counts, which sequence the forecast shows. */
class RunReportTest {
    private static final Pattern ROW = Pattern.compile("<tr( class=\"published\")?><td>(\\d+)</td>");

    private static List<EpochMetrics> epochs(double... validationLosses) {
        List<EpochMetrics> epochs = new java.util.ArrayList<>();
        for (int i = 0; i < validationLosses.length; i++) {
            epochs.add(new EpochMetrics(i + 1, 1.0 / (i + 1), validationLosses[i], 1, 1000, 0.01, 1000, 1));
        }
        return epochs;
    }

    private static ValidationMetrics holdout(long steps, double loss) {
        return new ValidationMetrics(steps, loss, null, null, null, null, 0.8, null, 0.8, 0.8, 0.8, null, null);
    }

    /** The epoch numbers of the epochs table's rows marked as published. */
    private static List<Integer> markedRows(String html) {
        List<Integer> marked = new java.util.ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            if (m.group(1) != null) {
                marked.add(Integer.parseInt(m.group(2)));
            }
        }
        return marked;
    }

    private static int redPixelsOfFirstChart(String html) throws Exception {
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "the loss chart is embedded");
        BufferedImage image =
                ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
        int red = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                red += (image.getRGB(x, y) & 0xFFFFFF) == 0xFF0000 ? 1 : 0;
            }
        }
        return red;
    }

    @Test
    void earlyStoppingsBestEpochIsTheOneMarkedAsPublished() throws Exception {
        MetricsDocument metrics = new MetricsDocument(
                "classify", epochs(0.31, 0.17, 0.71, 2.1), holdout(21, 0.69), holdout(21, 0.17), 2, null, null);
        String html = RunReport.html("weather-city v1", metrics, "{}", null);
        assertEquals(List.of(2), markedRows(html));
        assertTrue(html.contains("Published: the network after epoch 2 of 4, the best validation loss"), html);
        assertTrue(redPixelsOfFirstChart(html) > 10, "the loss chart marks the published epoch");
        assertTrue(
                html.contains("<tr><th>sequences</th><td>21</td><td>21</td></tr>"),
                "a classifier's holdout is counted in sequences");
        assertFalse(html.contains("<th>steps</th>"));
    }

    @Test
    void withoutEarlyStoppingTheLastEpochIsPublishedAndAForecastersHoldoutCountsSteps() throws Exception {
        MetricsDocument metrics = new MetricsDocument(
                "forecast", epochs(0.5, 0.3, 0.2), holdout(876, 0.9), holdout(876, 0.2), null, null, null);
        double[] values = new double[300];
        String html = RunReport.html(
                "hourly v1",
                metrics,
                "{}",
                new ForecastSample(
                        "file:/data/sensors/2026/seattle-weather-hourly-normals.csv", "temperature", values, values));
        assertEquals(List.of(3), markedRows(html));
        assertTrue(html.contains("Published: the network after epoch 3 of 3, the last."), html);
        assertTrue(html.contains("<tr><th>steps</th><td>876</td>"), html);
        assertTrue(html.contains("alt=\"Forecast on a holdout sequence\""), "the forecast chart is drawn");
        assertTrue(redPixelsOfFirstChart(html) > 10);
    }
}
