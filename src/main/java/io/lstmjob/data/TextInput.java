package io.lstmjob.data;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * Plain UTF-8 text for the character model, every file one sequence of characters (code points),
 * each line followed by '\n'. No record per character and no sort: a file's Hadoop splits are
 * already contiguous, ordered ranges of it. A census pass counts the characters of every split (and
 * collects the vocabulary), which gives every split's first position in its file; the cut pass then
 * writes each split's characters, as class indices, into the pieces of the plan that they fall in,
 * a piece that crosses a split's end leaving as two parts that the join puts together.
 */
final class TextInput implements Serializable {
    private final transient InputSplits splits;
    private final List<String> files;
    private final int maxLineBytes;
    private final LongAccumulator bytesRead;

    TextInput(InputSplits splits, List<Path> files, int maxLineBytes, LongAccumulator bytesRead) {
        this.splits = splits;
        this.files = files.stream().map(Path::toString).toList();
        this.maxLineBytes = maxLineBytes;
        this.bytesRead = bytesRead;
    }

    /** A split's characters: which file, its first byte, how many characters, and which. */
    record SplitCount(int file, long start, long steps, int[] codePoints) implements Serializable {}

    /**
     * What the census learns: every file's length in characters, the characters every split holds
     * (from, to; keyed by {@link #splitKey}), and which characters occur.
     */
    record Census(long[] fileSteps, Map<String, long[]> splitRanges, int[] codePoints) implements Serializable {}

    private static String splitKey(int file, long start) {
        return file + ":" + start;
    }

    Census census() {
        List<SplitCount> counts = splits.read(split -> {
                    long steps = 0;
                    boolean[] ascii = new boolean[128];
                    BitSet seen = new BitSet();
                    try (Lines lines = new Lines(split)) {
                        while (lines.next()) {
                            int[] codePoints = lines.codePoints();
                            for (int i = 0; i < lines.count(); i++) {
                                int cp = codePoints[i];
                                if (cp < 128) {
                                    ascii[cp] = true;
                                } else {
                                    seen.set(cp);
                                }
                            }
                            steps += lines.count() + 1; // and the line end
                        }
                    }
                    ascii['\n'] = true;
                    for (int cp = 0; cp < 128; cp++) {
                        if (ascii[cp]) {
                            seen.set(cp);
                        }
                    }
                    return List.of(new SplitCount(
                                    split.fileIndex(),
                                    split.start(),
                                    steps,
                                    seen.stream().toArray()))
                            .iterator();
                })
                .collect();
        long[] fileSteps = new long[files.size()];
        Map<String, long[]> ranges = new HashMap<>();
        BitSet all = new BitSet();
        List<SplitCount> ordered = new ArrayList<>(counts);
        ordered.sort(java.util.Comparator.comparingInt(SplitCount::file).thenComparingLong(SplitCount::start));
        for (SplitCount count : ordered) {
            long from = fileSteps[count.file()];
            ranges.put(splitKey(count.file(), count.start()), new long[] {from, from + count.steps()});
            fileSteps[count.file()] += count.steps();
            for (int cp : count.codePoints()) {
                all.set(cp);
            }
        }
        return new Census(fileSteps, ranges, all.stream().toArray());
    }

    /** Every split's characters as class indices, in the parts of the pieces they fall in. */
    JavaPairRDD<Long, Object> cut(Broadcast<? extends CutPlan> plan, Census census, Vocabulary vocabulary) {
        Map<String, long[]> ranges = census.splitRanges();
        CharacterClasses classes = new CharacterClasses(vocabulary);
        return splits.read(split -> {
                    CutPlan p = plan.value();
                    long[] range = ranges.get(splitKey(split.fileIndex(), split.start()));
                    return new Parts(
                            split, p, p.catalog().indexOf(files.get(split.fileIndex())), range[0], range[1], classes);
                })
                .mapToPair(t -> t);
    }

    /** The parts of one split's pieces, cut while its lines are read. */
    private final class Parts implements Iterator<Tuple2<Long, Object>> {
        private final Lines lines;
        private final PieceCutter cutter;
        private final CharacterClasses classes;
        private final ArrayDeque<Tuple2<Long, Object>> ready = new ArrayDeque<>();
        private char[] line = new char[256];
        private boolean done;

        Parts(InputSplits.Split split, CutPlan plan, int seq, long from, long to, CharacterClasses classes)
                throws IOException {
            this.lines = new Lines(split);
            this.cutter = new PieceCutter(
                    plan, seq, from, to, 1, true, (key, values) -> ready.add(new Tuple2<>(key, values)));
            this.classes = classes;
        }

        @Override
        public boolean hasNext() {
            try {
                while (ready.isEmpty() && !done) {
                    if (lines.next()) {
                        int[] codePoints = lines.codePoints();
                        int n = lines.count();
                        if (line.length < n + 1) {
                            line = new char[Math.max(n + 1, line.length * 2)];
                        }
                        for (int i = 0; i < n; i++) {
                            line[i] = classes.of(codePoints[i]);
                        }
                        line[n] = classes.of('\n');
                        cutter.steps(line, 0, n + 1);
                    } else {
                        cutter.end();
                        lines.close();
                        done = true;
                    }
                }
                return !ready.isEmpty();
            } catch (IOException e) {
                throw new InputDataException("cannot read " + lines.file + ": " + e.getMessage());
            }
        }

        @Override
        public Tuple2<Long, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }

    /**
     * A split's lines as code points, read from UTF-8 (ASCII lines, the common case, without a
     * decoder); bytes that are not UTF-8 fail with the line.
     */
    private final class Lines implements AutoCloseable {
        private final SplitLines lines;
        private final String file;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private CharBuffer chars = CharBuffer.allocate(1024);
        private int[] codePoints = new int[1024];
        private int count;

        Lines(InputSplits.Split split) throws IOException {
            this.lines = split.open(maxLineBytes, bytesRead);
            this.file = split.file().toString();
        }

        boolean next() throws IOException {
            if (!lines.next()) {
                return false;
            }
            byte[] b = lines.bytes();
            int from = lines.from();
            int n = lines.to() - from;
            if (codePoints.length < n) {
                codePoints = new int[Math.max(n, codePoints.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                int v = b[from + i];
                if (v < 0) {
                    decode(b, from, n);
                    return true;
                }
                codePoints[i] = v;
            }
            count = n;
            return true;
        }

        private void decode(byte[] b, int from, int n) {
            if (chars.capacity() < n) {
                chars = CharBuffer.allocate(Math.max(n, chars.capacity() * 2));
            }
            chars.clear();
            decoder.reset();
            CoderResult result = decoder.decode(ByteBuffer.wrap(b, from, n), chars, true);
            if (!result.isError()) {
                result = decoder.flush(chars);
            }
            if (result.isError()) {
                throw new BadRecordException(file, lines.position(), "the line is not valid UTF-8");
            }
            chars.flip();
            count = 0;
            for (int i = 0; i < chars.remaining(); ) {
                int cp = Character.codePointAt(chars, i);
                codePoints[count++] = cp;
                i += Character.charCount(cp);
            }
        }

        /** The current line's code points, {@link #count()} of them. */
        int[] codePoints() {
            return codePoints;
        }

        int count() {
            return count;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }
}
