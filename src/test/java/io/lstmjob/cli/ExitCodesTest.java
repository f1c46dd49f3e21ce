package io.lstmjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.store.ModelStore;
import io.lstmjob.store.RunLock;
import io.lstmjob.testing.CapturedOutput;
import io.lstmjob.testing.SampleData;
import io.lstmjob.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every exit code of README's table through the command line's entry point, as a scheduler sees it. */
class ExitCodesTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedOutput stderr = CapturedOutput.stderr();

    private String lastLine() {
        return stderr.lastLine();
    }

    private int run(String command, Path input, Path output, String... extra) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(TestConfigs.sinesOverrides(input, output.toString(), "train.epochs=2", "spark.master=local[2]"));
        args.addAll(List.of(extra));
        return LstmJob.execute(args.toArray(String[]::new));
    }

    @Test
    void trainPublishesAndAKeptRetrainExits10OrWhatTheCallerAsks() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        assertEquals(LstmJob.OK, run("train", input, dir.resolve("models")));
        assertEquals(LstmJob.KEPT, run("retrain", input, dir.resolve("models"), "retrain.minImprovement=0.99"));
        assertEquals(
                LstmJob.OK,
                run("retrain", input, dir.resolve("models"), "retrain.minImprovement=0.99", "--kept-exit-code", "0"));
    }

    /** Without a validation split the gate has nothing to compare: its own message, not "kept" (10) every night. */
    @Test
    void aRetrainWithoutAValidationSplitExits3() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        assertEquals(LstmJob.OK, run("train", input, dir.resolve("models")));
        assertEquals(LstmJob.BAD_INPUT, run("retrain", input, dir.resolve("models"), "validation.fraction=0.001"));
        assertTrue(lastLine().startsWith("lstm-job: retrain: the input's validation split is empty"), lastLine());
    }

    @Test
    void anOutputPathThatCannotBeWrittenExits1() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        Path blocked = Files.writeString(dir.resolve("models"), "a file where the store would be");
        assertEquals(LstmJob.FAILED, run("train", input, blocked));
        assertTrue(lastLine().startsWith("lstm-job: ") && lastLine().contains(blocked.toString()), lastLine());
    }

    @Test
    void anObjectStoreOutputPathExits2BeforeAnythingRuns() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        assertEquals(
                LstmJob.BAD_CONFIG, LstmJob.execute("train", "input.path=" + input, "output.path=s3a://bucket/models"));
        assertTrue(lastLine().startsWith("lstm-job: output.path: s3a:// is an object store"), lastLine());
    }

    @Test
    void aBadInputExits3WithItsFileAndLine() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("bad.csv"), "id,t,value,cosine\ns0,0,0.5,0.1\ns0,1,oops,0.2\n");
        assertEquals(LstmJob.BAD_INPUT, run("train", bad, dir.resolve("models")));
        assertTrue(lastLine().startsWith("lstm-job: ") && lastLine().contains("bad.csv:3"), lastLine());
    }

    @Test
    void aDivergingRunExits4AndPublishesNothing() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        assertEquals(
                LstmJob.DIVERGED,
                run(
                        "train",
                        input,
                        dir.resolve("models"),
                        "train.updater=sgd",
                        "train.learningRate=1e12",
                        "train.gradientClipping=none"));
        assertTrue(lastLine().startsWith("lstm-job: training diverged"), lastLine());
        assertTrue(new ModelStore(dir.resolve("models").toString(), "sines", new Configuration())
                .versions()
                .isEmpty());
    }

    /** A live model that scores NaN (here: its parameters are) can never be beaten: exit 4 with its own line, not "kept" every night. */
    @Test
    void aRetrainAgainstALiveModelThatScoresNaNExits4() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        assertEquals(LstmJob.OK, run("train", input, dir.resolve("models")));
        ModelStore store = new ModelStore(dir.resolve("models").toString(), "sines", new Configuration());
        String live = store.liveVersion().orElseThrow();
        Path zip = dir.resolve("models/sines/versions/" + live + "/model.zip");
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork network =
                org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        network.params().assign(Float.NaN);
        org.deeplearning4j.util.ModelSerializer.writeModel(network, zip.toFile(), true);
        Files.delete(zip.resolveSibling(".model.zip.crc")); // else the store reports the changed file as corrupt

        assertEquals(LstmJob.DIVERGED, run("retrain", input, dir.resolve("models")), () -> lastLine());
        assertTrue(lastLine().startsWith("lstm-job: retrain: the live version " + live + " scores NaN"), lastLine());
        assertEquals(java.util.List.of(live), store.versions(), "nothing was published");
        assertEquals(live, store.liveVersion().orElseThrow());
    }

    @Test
    void aHeldLockExits5NamingTheHolder() throws Exception {
        Path input = SampleData.noisySines(dir.resolve("sines"), 6, 200, 3);
        try (RunLock held = new ModelStore(dir.resolve("models").toString(), "sines", new Configuration())
                .lock("other", 600, false)) {
            assertEquals(LstmJob.LOCKED, run("train", input, dir.resolve("models")));
        }
        assertTrue(lastLine().startsWith("lstm-job: sines is locked by run other"), lastLine());
    }
}
