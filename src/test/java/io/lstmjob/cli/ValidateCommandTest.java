package io.lstmjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate as a pipeline's gate: the summary train would see and exit 0, or exit 3 and file:line; nothing written. */
class ValidateCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private int validate(Path input, String... extra) {
        List<String> args = new ArrayList<>(List.of("validate", "spark.master=local[2]"));
        args.addAll(TestConfigs.sinesOverrides(input, dir.resolve("models").toString(), extra));
        return LstmJob.execute(args.toArray(new String[0]));
    }

    @Test
    void aGoodInputPrintsItsSummaryAndWritesNothing() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("in"), 3, 120, 5);
        int code = validate(input);
        assertEquals(LstmJob.OK, code, err.toString(StandardCharsets.UTF_8));
        // The local log configuration writes log lines to stdout too; the report is the JSON after them.
        String stdout = out.toString(StandardCharsets.UTF_8);
        JsonNode report = new ObjectMapper().readTree(stdout.substring(stdout.indexOf("\n{") + 1));
        JsonNode dataset = report.get("dataset");
        assertEquals(3, dataset.get("sequences").asInt());
        assertEquals(360, dataset.get("steps").asLong());
        // 119 pairs a sequence, 12 of them (round(119 x 0.1)) held out; segments of 50: 50, 50, 7 and 12
        assertEquals(3 * 107, dataset.get("trainPairs").asLong());
        assertEquals(9, dataset.get("trainSegments").asInt());
        assertEquals(3, dataset.get("validationSegments").asInt());
        assertEquals(2, dataset.get("trainStepsPerPartition").size());
        assertTrue(dataset.get("cachedBytes").asLong() > 0);
        assertTrue(dataset.get("phases").size() >= 2, dataset.toString());
        assertEquals(1, report.get("files").asInt());
        assertFalse(Files.exists(dir.resolve("models")), "validate writes nothing");
    }

    @Test
    void aBadInputExitsWith3AndNamesTheLine() throws IOException {
        Path input = SampleData.noisySines(dir.resolve("bad"), 2, 60, 5);
        Path file = input.resolve("sines.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(30, lines.get(30).replaceFirst(",[^,]*$", ",n/a"));
        Files.write(file, lines);
        int code = validate(input);
        assertEquals(LstmJob.BAD_INPUT, code);
        String[] stderr = err.toString(StandardCharsets.UTF_8).strip().split("\\R");
        String last = stderr[stderr.length - 1];
        assertTrue(
                last.startsWith("lstm-job: ")
                        && last.endsWith("sines.csv:31: column 'cosine' holds 'n/a', not a number"),
                last);
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("\"dataset\""), "no summary for a bad input");
    }
}
