package io.lstmjob.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads an order-column cell as a sortable number: plain numbers, or ISO-8601 dates and date-times. */
final class OrderValues {
    private OrderValues() {}

    /** {@link #parse(String)} of a CSV cell, numbers read from its bytes. */
    static double parse(CsvCells cells, int cell) {
        boolean dateLike = cells.length(cell) >= 10 && cells.byteAt(cell, 4) == '-';
        if (!dateLike && cells.isAscii(cell)) {
            try {
                return cells.decimal(cell);
            } catch (NumberFormatException e) {
                // a date, or not an order value at all
            }
        }
        return parse(cells.text(cell));
    }

    /** Seconds since the epoch (UTC) for dates, the number itself otherwise; NaN when unreadable. */
    static double parse(String cell) {
        String s = cell.trim();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        char first = s.charAt(0);
        boolean dateLike = s.length() >= 10 && s.charAt(4) == '-' && Character.isDigit(first);
        if (!dateLike) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).toEpochDay() * 86400.0;
            }
            if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return toSeconds(OffsetDateTime.parse(s).toInstant());
            }
            return toSeconds(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
    }

    private static double toSeconds(Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }
}
