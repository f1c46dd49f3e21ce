package io.lstmjob.data;

import io.lstmjob.config.InputConfig;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Plain UTF-8 text for the character language model: every file is one sequence of characters
 * (Unicode code points), line ends included as '\n'. A character's order key is its line's byte
 * offset plus its index in the line, which is unique and increasing within the file.
 */
final class TextSequenceSource implements SequenceSource {

    static final List<String> CHANNEL = List.of("char");

    @Override
    public StepTable read(SparkSession spark, InputConfig input, List<Path> files, boolean labelOptional) {
        var steps = LinesOfFiles.parse(spark, files, TextSequenceSource::charactersOf);
        return new StepTable(steps, CHANNEL, CHANNEL);
    }

    private static Iterator<StepRecord> charactersOf(String file, Iterator<Tuple2<LongWritable, Text>> lines) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new Iterator<>() {
            private final List<StepRecord> buffer = new ArrayList<>();
            private int pos;

            @Override
            public boolean hasNext() {
                while (pos >= buffer.size() && lines.hasNext()) {
                    buffer.clear();
                    pos = 0;
                    Tuple2<LongWritable, Text> entry = lines.next();
                    long offset = entry._1().get();
                    Text text = entry._2();
                    String line;
                    try {
                        line = decoder.decode(ByteBuffer.wrap(text.getBytes(), 0, text.getLength())).toString();
                    } catch (CharacterCodingException e) {
                        throw new BadRecordException(file, offset, "the line is not valid UTF-8");
                    }
                    int index = 0;
                    for (int i = 0; i < line.length(); ) {
                        int cp = line.codePointAt(i);
                        buffer.add(step(file, offset, index++, cp));
                        i += Character.charCount(cp);
                    }
                    buffer.add(step(file, offset, index, '\n'));
                }
                return pos < buffer.size();
            }

            @Override
            public StepRecord next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return buffer.get(pos++);
            }
        };
    }

    private static StepRecord step(String file, long lineOffset, int index, int codePoint) {
        float[] value = {codePoint};
        return new StepRecord(file, lineOffset + index, value, value, null, file, lineOffset);
    }
}
