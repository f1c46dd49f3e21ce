package io.lstmjob.report;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts as PNG data URIs, so the report is one file that opens in a browser without a server. */
final class Charts {
    /** Above this many points a series is drawn as a line without markers, on "nice" x ticks. */
    private static final int LONG_SERIES = 60;

    private Charts() {}

    /** A line, or with {@code highlight} a few large unconnected points (the published epoch). */
    record Series(String name, double[] x, double[] y, boolean highlight) {
        Series(String name, double[] x, double[] y) {
            this(name, x, y, false);
        }
    }

    static String png(String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(720)
                .height(400)
                .title(title)
                .xAxisTitle(xLabel)
                .yAxisTitle(yLabel)
                .build();
        chart.getStyler()
                .setChartBackgroundColor(java.awt.Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.OutsideS)
                .setLegendLayout(Styler.LegendLayout.Horizontal);
        for (Series s : series) {
            if (s.x().length > LONG_SERIES) {
                // XChart labels equally spaced x values at data points, by a fit test that lets
                // 3-digit step numbers run into each other; half a step of margin on the right makes
                // the axis values unequal, so it picks round ticks (0, 20, 40, ...) that it spaces well.
                chart.getStyler().setXAxisMax(s.x()[s.x().length - 1] + 0.5);
            }
        }
        for (Series s : series) {
            if (s.x().length == 0) {
                continue;
            }
            XYSeries added = chart.addSeries(s.name(), s.x(), s.y());
            if (s.highlight()) {
                added.setMarker(SeriesMarkers.DIAMOND);
                added.setMarkerColor(java.awt.Color.RED);
                added.setLineStyle(SeriesLines.NONE);
            } else {
                added.setMarker(s.x().length > LONG_SERIES ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            }
        }
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
