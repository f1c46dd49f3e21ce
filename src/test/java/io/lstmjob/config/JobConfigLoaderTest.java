package io.lstmjob.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobConfigLoaderTest {
    private final JobConfigLoader loader = new JobConfigLoader();

    private JobConfig load(String... overrides) {
        return loader.load(null, null, List.of(overrides));
    }

    private String rejection(String... overrides) {
        return assertThrows(InvalidConfigException.class, () -> load(overrides)).getMessage();
    }

    @Test
    void defaultsDescribeTheSampleRun() {
        JobConfig config = load();
        assertEquals("data-samples/weather", config.input().path());
        assertEquals(InputFormat.CSV, config.input().format());
        assertEquals(Task.FORECAST, config.task());
        assertEquals("local[*]", config.spark().master());
        assertEquals(1.0, config.model().forgetGateBias());
        assertEquals(
                new AveragingFrequency(true, 0, 128, 10),
                config.train().averagingFrequency(),
                "auto, 128 updater steps per round, 10 GFLOP at least");
    }

    @Test
    void overridesUseTheDocumentedKeyNames() {
        JobConfig config = load(
                "input.path=hdfs://nn:8020/data/text",
                "input.format=text",
                "output.path=/tmp/models",
                "model.name=chars",
                "train.epochs=3",
                "model.layers=[32, 16]");
        assertEquals("hdfs://nn:8020/data/text", config.input().path());
        assertEquals(Task.CHAR_LM, config.task());
        assertEquals("/tmp/models", config.outputPath());
        assertEquals("chars", config.model().name());
        assertEquals(3, config.train().epochs());
        assertEquals(List.of(32, 16), config.model().layers());
    }

    @Test
    void aConfigFileIsMergedOverTheDefaults() {
        JobConfig config = loader.load(
                "train { epochs = 7 }\ntbptt.forward = 10\ntbptt.backward = 5", "job.conf", List.of("train.epochs=9"));
        assertEquals(9, config.train().epochs());
        assertEquals(10, config.train().tbpttForward());
        assertEquals(5, config.train().tbpttBackward());
    }

    @Test
    void aForecastersSequencesNeedOneTbpttWindowAClassifiersOneStep() {
        assertEquals(
                20, load("tbptt.forward=20", "tbptt.backward=20").sharding().minPairs());
        JobConfig classifier =
                load("input.labelColumn=label", "input.targetColumns=[]", "tbptt.forward=20", "tbptt.backward=20");
        assertEquals(1, classifier.sharding().minPairs(), "a classifier's example is the whole sequence");
    }

    @Test
    void rejectsAZeroTbpttWindowNamingTheKey() {
        assertTrue(rejection("tbptt.forward=0").startsWith("tbptt.forward:"), rejection("tbptt.forward=0"));
    }

    @Test
    void rejectsANegativeLearningRate() {
        String message = rejection("train.learningRate=-0.1");
        assertTrue(message.startsWith("train.learningRate:"), message);
    }

    @Test
    void rejectsAnUnknownKeyAndSuggestsTheRightOne() {
        String message = rejection("train.epoch=3");
        assertTrue(message.contains("unknown config key 'train.epoch'"), message);
        assertTrue(message.contains("did you mean 'train.epochs'"), message);
    }

    @Test
    void rejectsAnUnknownKeyInAConfigFile() {
        String message = assertThrows(
                        InvalidConfigException.class, () -> loader.load("model { layer = [3] }", "job.conf", List.of()))
                .getMessage();
        assertTrue(message.contains("'model.layer'") && message.contains("job.conf"), message);
    }

    @Test
    void rejectsAMissingInputPath() {
        assertEquals("input.path: is required", rejection("input.path="));
    }

    @Test
    void rejectsValuesOfTheWrongType() {
        String message = rejection("train.epochs=many");
        assertTrue(message.contains("train.epochs"), message);
    }

    @Test
    void rejectsAnUnknownFormat() {
        assertEquals("input.format: must be one of [csv, text, parquet], got 'xml'", rejection("input.format=xml"));
    }

    @Test
    void rejectsModelNamesThatCouldLeaveTheOutputFolder() {
        assertTrue(rejection("model.name=../etc").startsWith("model.name:"));
        assertTrue(rejection("model.name=a/b").startsWith("model.name:"));
    }

    @Test
    void rejectsABackwardWindowLongerThanTheForwardOne() {
        assertTrue(rejection("tbptt.forward=10", "tbptt.backward=20").startsWith("tbptt.backward:"));
    }

    @Test
    void rejectsSegmentsShorterThanOneWindow() {
        assertTrue(rejection("segment.length=10", "tbptt.forward=20", "tbptt.backward=20")
                .startsWith("segment.length:"));
    }

    @Test
    void modelVariantsAndSchedulesAreValidated() {
        JobConfig config = load(
                "model.cell=graves",
                "train.learningRateSchedule=step",
                "train.learningRateDecay=0.1",
                "train.earlyStoppingPatience=3");
        assertEquals(Cell.GRAVES, config.model().cell());
        assertEquals(LearningRateSchedule.STEP, config.train().learningRateSchedule());
        assertEquals(3, config.train().earlyStoppingPatience());
        assertEquals(Cell.GRU, load("model.cell=gru").model().cell());
        JobConfig mogrifier = load("model.cell=mogrifier", "model.mogrifierRounds=4");
        assertEquals(Cell.MOGRIFIER, mogrifier.model().cell());
        assertEquals(4, mogrifier.model().mogrifierRounds());
        assertEquals(5, load().model().mogrifierRounds(), "Melis et al.'s five rounds by default");
        assertTrue(rejection("model.cell=mogrifier", "model.mogrifierRounds=0").startsWith("model.mogrifierRounds:"));
        assertTrue(rejection("model.cell=mogrifier", "model.projection=2").startsWith("model.projection:"));
        String unknownCell = rejection("model.cell=rnn");
        assertTrue(
                unknownCell.startsWith("model.cell:") && unknownCell.contains("lstm, graves, gru or mogrifier"),
                unknownCell);
        assertEquals(0, load().model().projection(), "no projection by default");
        JobConfig projected = load("model.layers=[16, 8]", "model.projection=4");
        assertEquals(4, projected.model().projection());
        assertEquals(4, projected.model().lastLayerWidth(), "the last layer's output is its projection");
        String onGru = rejection("model.cell=gru", "model.projection=4");
        assertTrue(onGru.startsWith("model.projection:") && onGru.contains("model.cell=lstm"), onGru);
        String tooWide = rejection("model.layers=[16, 8]", "model.projection=8");
        assertTrue(tooWide.startsWith("model.projection:") && tooWide.contains("[16, 8]"), tooWide);
        assertTrue(rejection("model.projection=-1").startsWith("model.projection:"));
        assertTrue(rejection("train.learningRateSchedule=cosine").startsWith("train.learningRateSchedule:"));
        assertTrue(rejection("train.learningRateDecay=0").startsWith("train.learningRateDecay:"));
        assertTrue(rejection("train.earlyStoppingPatience=-1").startsWith("train.earlyStoppingPatience:"));
    }

    @Test
    void rejectsAnOverrideWithoutValue() {
        assertTrue(rejection("train.epochs").contains("key=value"));
    }

    @Test
    void aLabelColumnMakesASequenceClassifierAndItsVariantsAreChecked() {
        JobConfig config = load(
                "input.labelColumn=city",
                "input.targetColumns=[]",
                "model.bidirectional=true",
                "model.pooling=mean",
                "model.layers=[8]",
                "model.attentionHeads=4");
        assertEquals(Task.CLASSIFY, config.task());
        assertEquals(16, config.model().lastLayerWidth());
        assertTrue(
                rejection("input.labelColumn=city").startsWith("input.targetColumns: must be empty"),
                rejection("input.labelColumn=city"));
        assertTrue(rejection("input.labelColumn=city", "input.format=text").startsWith("input.labelColumn:"));
        assertTrue(rejection("model.bidirectional=true", "model.pooling=mean")
                .startsWith("model.bidirectional: is for sequence classification"));
        assertTrue(
                rejection("model.attentionHeads=2").startsWith("model.attentionHeads: is for sequence classification"));
        assertTrue(rejection("input.labelColumn=city", "input.targetColumns=[]", "model.bidirectional=true")
                .startsWith("model.pooling: last would read the backward direction"));
        assertTrue(rejection(
                        "input.labelColumn=city",
                        "input.targetColumns=[]",
                        "model.layers=[8]",
                        "model.attentionHeads=3")
                .startsWith("model.attentionHeads: must divide the last LSTM layer's output width 8"));
        assertTrue(rejection("input.labelColumn=city", "input.targetColumns=[]", "model.pooling=median")
                .startsWith("model.pooling:"));
        assertTrue(rejection("input.labelColumn=city", "input.targetColumns=[]", "model.attentionHeads=1")
                .startsWith("model.pooling: last would keep one step of the attention layer's output"));
    }

    @Test
    void autoAveragingFrequencyCutsAWorkersEpochIntoEqualRoundsOfAtMostLocalStepsUpdaterSteps() {
        AveragingFrequency auto = load().train().averagingFrequency();
        // A minibatch of 1 TFLOP: localSteps decides.
        double large = 1e12;
        assertEquals(0, auto.minibatchesPerRound(2, 2, 64, large), "a 128-step epoch: once per epoch");
        assertEquals(
                33, auto.minibatchesPerRound(2, 2, 65, large), "two rounds of 33 and 32 minibatches, not 64 and 1");
        assertEquals(6, auto.minibatchesPerRound(8, 20, 60, large), "ten rounds of 6 minibatches of 20 windows");
        assertEquals(
                1, auto.minibatchesPerRound(2, 2000, 10, large), "a minibatch longer than localSteps: one per round");
        assertEquals(0, auto.minibatchesPerRound(1, 2, 100_000, large), "one worker: once per epoch");
        AveragingFrequency fewer = load("averaging.localSteps=64").train().averagingFrequency();
        assertEquals(32, fewer.minibatchesPerRound(2, 2, 320, large));
        assertEquals(
                3, load("averaging.frequency=3").train().averagingFrequency().minibatchesPerRound(2, 2, 320, 1e6));
        assertEquals(
                0, load("averaging.frequency=0").train().averagingFrequency().minibatchesPerRound(8, 2, 320, 1e6));
        assertTrue(rejection("averaging.frequency=-1").startsWith("averaging.frequency:"));
        assertTrue(rejection("averaging.frequency=often").startsWith("averaging.frequency:"));
        assertTrue(rejection("averaging.localSteps=0").startsWith("averaging.localSteps:"));
    }

    @Test
    void autoRoundsOfCheapStepsHoldAtLeastMinRoundGflopOfArithmetic() {
        AveragingFrequency auto = load().train().averagingFrequency();
        assertEquals(
                2 * 6.0 * 24_000 * 400, AveragingFrequency.trainingFlops(24_000, 800), 1e-3, "6 x parameters x tokens");
        // 0.1 GFLOP per minibatch: 100 minibatches make the default 10 GFLOP, more than 128 steps (64).
        assertEquals(80, auto.minibatchesPerRound(2, 2, 320, 1e8), "4 rounds of 80, not 5 of 64");
        assertEquals(0, auto.minibatchesPerRound(2, 2, 90, 1e8), "an epoch of 9 GFLOP: once per epoch");
        assertEquals(64, auto.minibatchesPerRound(2, 2, 320, 1e9), "1 GFLOP minibatches: 128 steps are more");
        AveragingFrequency stepsOnly = load("averaging.minRoundGflop=0").train().averagingFrequency();
        assertEquals(64, stepsOnly.minibatchesPerRound(2, 2, 320, 1e8));
        assertTrue(rejection("averaging.minRoundGflop=-1").startsWith("averaging.minRoundGflop:"));
    }

    @Test
    void averagingUsesBlockMomentumAndLandsOnTheMeanByDefaultAndBothAreChecked() {
        TrainConfig train = load().train();
        assertEquals(1.0, train.averagingStepScale().factor(4), 1e-12);
        assertEquals(0.75, train.averagingBlockMomentum().forWorkers(4), 1e-12);
        assertEquals(0.0, train.averagingBlockMomentum().forWorkers(1), 1e-12, "no momentum for a single worker");
        assertEquals(
                Math.sqrt(4),
                load("averaging.stepScale=sqrt-workers")
                        .train()
                        .averagingStepScale()
                        .factor(4),
                1e-12);
        assertEquals(
                3.0,
                load("averaging.stepScale=workers").train().averagingStepScale().factor(3),
                1e-12);
        assertEquals(
                0.9,
                load("averaging.blockMomentum=0.9")
                        .train()
                        .averagingBlockMomentum()
                        .forWorkers(2),
                1e-12);
        assertEquals(
                0.0,
                load("averaging.blockMomentum=0")
                        .train()
                        .averagingBlockMomentum()
                        .forWorkers(8),
                1e-12);
        assertTrue(rejection("averaging.stepScale=0").startsWith("averaging.stepScale:"));
        assertTrue(rejection("averaging.stepScale=double").startsWith("averaging.stepScale:"));
        assertTrue(rejection("averaging.blockMomentum=1").startsWith("averaging.blockMomentum:"));
        assertTrue(rejection("averaging.blockMomentum=-0.1").startsWith("averaging.blockMomentum:"));
        assertTrue(rejection("averaging.blockMomentum=heavy").startsWith("averaging.blockMomentum:"));
    }

    @Test
    void theStorageLevelIsOneOfThree() {
        assertEquals(CacheLevel.MEMORY_AND_DISK, load().sharding().cacheLevel());
        assertEquals(
                CacheLevel.DISK_ONLY,
                load("spark.storageLevel=disk-only").sharding().cacheLevel());
        assertEquals(
                CacheLevel.DISK_ONLY,
                load("spark.storageLevel=disk-only").sharding().whole().cacheLevel());
        assertTrue(rejection("spark.storageLevel=off-heap").startsWith("spark.storageLevel:"));
    }

    @Test
    void theHorizonIsForForecastingAndWithinASegment() {
        assertEquals(1, load().sharding().horizon());
        assertEquals(6, load("model.horizon=6").sharding().horizon());
        assertTrue(rejection("model.horizon=0").startsWith("model.horizon:"));
        assertTrue(rejection("model.horizon=101").startsWith("model.horizon: must be within 1..segment.length (100)"));
        assertTrue(rejection("model.horizon=3", "input.format=text").startsWith("model.horizon: is for forecasting"));
    }

    /** What evaluate, predict, export and retrain read a model's input with, and what still wins over it. */
    @Test
    void aPublishedModelsDataSettingsLieBetweenTheDefaultsAndTheUsersConfig() {
        JobConfig trained = load(
                "input.path=/data/train",
                "input.format=text",
                "input.sequenceIdColumn=",
                "input.orderColumn=",
                "input.featureColumns=[]",
                "input.targetColumns=[]",
                "tbptt.forward=10",
                "tbptt.backward=10",
                "segment.length=40",
                "model.layers=[7]",
                "train.epochs=9");
        String published = trained.resolvedJson().replace("\"input\":{", "\"input\":{\"retiredKey\":1,");
        JobConfigLoader asTrained = loader.withDataSettingsOf(published, "version v1 of chars");

        JobConfig config = asTrained.load(null, null, List.of("input.path=/data/new"));
        assertEquals(Task.CHAR_LM, config.task());
        assertEquals("/data/new", config.input().path());
        assertEquals(40, config.sharding().segmentLength());
        assertEquals(10, config.train().tbpttForward());
        assertEquals(
                load().model().layers(), config.model().layers(), "only how the data is read comes from the model");
        assertEquals(load().train().epochs(), config.train().epochs());

        assertEquals(
                "data-samples/weather",
                asTrained.load(null, null, List.of()).input().path(),
                "the path is never the model's");
        assertEquals(
                20,
                asTrained
                        .load("tbptt { forward = 20, backward = 20 }", "job.conf", List.of())
                        .train()
                        .tbpttForward(),
                "a config file wins over the model");
        assertEquals(
                InputFormat.CSV,
                asTrained
                        .load(null, null, List.of("input.format=csv", "input.featureColumns=[a]"))
                        .input()
                        .format(),
                "so does key=value");
    }
}
