package io.lstmjob.data;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import ch.randelshofer.fastdoubleparser.JavaFloatParser;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The cells of one CSV line, read from its UTF-8 bytes as RFC 4180 has them: a cell may be quoted,
 * and a quoted cell may hold the delimiter and doubled quotes ({@code "a ""b"", c"}). Spaces around a
 * cell are dropped. A quoted cell must close on its line (line breaks inside cells are not
 * supported: the file's splits are cut at line ends). Bytes that are not UTF-8 are an error, never a
 * replacement character. Numbers are parsed from the bytes (FastDoubleParser: the same values as
 * Float.parseFloat, without a String per cell). One instance is reused for every line of a split.
 */
final class CsvCells {
    private final byte delimiter;
    private byte[] text = new byte[256];
    private int[] start = new int[16];
    private int[] end = new int[16];
    private int count;

    CsvCells(char delimiter) {
        if (delimiter > 127) {
            throw new IllegalArgumentException("the delimiter must be an ASCII character");
        }
        this.delimiter = (byte) delimiter;
    }

    /**
     * Reads the cells of {@code line[from, to)}.
     *
     * @param names the columns' names, for messages (null: a header line)
     * @return null, or what is wrong with the line
     */
    String read(byte[] line, int from, int to, List<String> names) {
        count = 0;
        boolean ascii = true;
        if (text.length < to - from) {
            text = new byte[Math.max(to - from, text.length * 2)];
        }
        int out = 0;
        int i = from;
        while (true) {
            while (i < to && isSpace(line[i])) {
                i++;
            }
            int cellStart = out;
            if (i < to && line[i] == '"') {
                i++;
                boolean closed = false;
                while (i < to) {
                    byte b = line[i++];
                    if (b == '"') {
                        if (i < to && line[i] == '"') {
                            text[out++] = '"';
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        ascii &= b >= 0;
                        text[out++] = b;
                    }
                }
                if (!closed) {
                    return field(count, names) + " opens a quote that is not closed on its line (a line break inside a "
                            + "quoted field is not supported)";
                }
                while (i < to && isSpace(line[i])) {
                    i++;
                }
                if (i < to && line[i] != delimiter) {
                    return field(count, names) + " has characters after its closing quote";
                }
                add(cellStart, out);
            } else {
                int lastNonSpace = out;
                while (i < to && line[i] != delimiter) {
                    byte b = line[i++];
                    ascii &= b >= 0;
                    text[out++] = b;
                    if (!isSpace(b)) {
                        lastNonSpace = out;
                    }
                }
                add(cellStart, lastNonSpace);
                out = lastNonSpace;
            }
            if (i >= to) {
                break;
            }
            i++; // the delimiter
        }
        if (!ascii && !isUtf8(line, from, to)) {
            return "the line is not valid UTF-8";
        }
        return null;
    }

    private static String field(int index, List<String> names) {
        return names != null && index < names.size() ? "column '" + names.get(index) + "'" : "field " + (index + 1);
    }

    private boolean isSpace(byte b) {
        return (b == ' ' || b == '\t') && b != delimiter;
    }

    private void add(int s, int e) {
        if (count == start.length) {
            start = java.util.Arrays.copyOf(start, count * 2);
            end = java.util.Arrays.copyOf(end, count * 2);
        }
        start[count] = s;
        end[count] = e;
        count++;
    }

    private static boolean isUtf8(byte[] line, int from, int to) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    int count() {
        return count;
    }

    int length(int cell) {
        return end[cell] - start[cell];
    }

    byte byteAt(int cell, int i) {
        return text[start[cell] + i];
    }

    boolean isEmpty(int cell) {
        return start[cell] == end[cell];
    }

    String text(int cell) {
        return new String(text, start[cell], end[cell] - start[cell], StandardCharsets.UTF_8);
    }

    /** The cell as a float; NumberFormatException when it is not a number. NaN and Infinity parse as such. */
    float number(int cell) {
        return JavaFloatParser.parseFloat(text, start[cell], end[cell] - start[cell]);
    }

    /** The cell as a double (order values); NumberFormatException when it is not a number. */
    double decimal(int cell) {
        return JavaDoubleParser.parseDouble(text, start[cell], end[cell] - start[cell]);
    }

    /** Whether the cell could be a number at all: ASCII only, so that parsing can be tried. */
    boolean isAscii(int cell) {
        for (int i = start[cell]; i < end[cell]; i++) {
            if (text[i] < 0) {
                return false;
            }
        }
        return true;
    }

    List<String> all() {
        List<String> cells = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            cells.add(text(c));
        }
        return cells;
    }

    /** A cell's text for an error message: quoted, and cut to a readable length. */
    static String quote(String cell) {
        final int shown = 40;
        if (cell.length() <= shown) {
            return "'" + cell + "'";
        }
        return "'" + cell.substring(0, shown) + "...' (" + cell.length() + " characters)";
    }
}
