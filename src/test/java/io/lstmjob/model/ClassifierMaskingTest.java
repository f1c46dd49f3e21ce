package io.lstmjob.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lstmjob.config.JobConfig;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.FeatureScaler;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.Segment;
import io.lstmjob.testing.TestConfigs;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Variable-length sequences of a classifier share minibatches: what a sequence is batched with
 * must not change its answer, whatever the variant. One-directional networks pad and mask; a
 * bidirectional one is given equal lengths only (DL4J's Bidirectional layer lets padding reach the
 * backward direction's state). A short sequence is scored alone and in its minibatch; the class
 * probabilities must agree.
 */
class ClassifierMaskingTest {
    private static final int FEATURES = 3;
    private static final List<String> CLASSES = List.of("a", "b", "c");

    @ParameterizedTest(name = "bidirectional={0}, attention heads={1}, pooling={2}, cell={3}")
    @CsvSource({
        "false, 0, last, lstm",
        "false, 0, mean, lstm",
        "true, 0, mean, lstm",
        "true, 0, max, lstm",
        "true, 2, mean, lstm",
        "false, 2, max, lstm",
        "false, 0, last, gru",
        "true, 0, max, gru",
        "false, 0, last, mogrifier",
        "true, 0, max, mogrifier"
    })
    void paddingAShortSequenceDoesNotChangeItsClassProbabilities(
            boolean bidirectional, int heads, String pooling, String cell) {
        JobConfig config = TestConfigs.classifier(
                "model.layers=[6, 4]",
                "model.seed=7",
                "model.bidirectional=" + bidirectional,
                "model.attentionHeads=" + heads,
                "model.pooling=" + pooling,
                "model.cell=" + cell,
                "train.epochs=1",
                "train.batchSize=2",
                "train.gradientClipping=none",
                "tbptt.forward=5",
                "tbptt.backward=5");
        MultiLayerNetwork network =
                NetworkFactory.create(config.model(), config.train(), Task.CLASSIFY, FEATURES, CLASSES.size());
        DataContract contract = DataContract.classifier(
                List.of("x", "y", "z"),
                CLASSES,
                new FeatureScaler(new double[] {0, 0, 0}, new double[] {1, 1, 1}, new double[0], new double[0]));
        // As the job builds minibatches for this network: padded and masked, or (bidirectional) by equal length.
        MinibatchAssembler assembler = new MinibatchAssembler(contract, 2, NetworkFactory.minibatchGroupSteps(network));
        assertEquals(bidirectional ? 1 : Integer.MAX_VALUE, NetworkFactory.minibatchGroupSteps(network));
        Random random = new Random(11);
        Segment shortOne = sequence(random, 5, 1);
        Segment longOne = sequence(random, 12, 2);
        Segment alsoShort = sequence(random, 5, 0);

        List<List<Segment>> batches = new java.util.ArrayList<>();
        assembler.batches(List.of(shortOne, longOne, alsoShort).iterator()).forEachRemaining(batches::add);
        List<Segment> withShort = batches.get(0);
        assertEquals(shortOne, withShort.get(0));
        DataSet batch = assembler.assemble(withShort);
        if (bidirectional) {
            assertEquals(List.of(shortOne, alsoShort), withShort, "a backwards-reading network gets no padding");
            assertNull(batch.getFeaturesMaskArray());
        } else {
            assertEquals(List.of(shortOne, longOne), withShort);
            assertEquals(12, batch.getFeatures().size(2));
            assertEquals(
                    5.0 + 12.0, batch.getFeaturesMaskArray().sumNumber().doubleValue(), "mask marks the real steps");
        }
        float[] expected = probabilities(network, assembler.assemble(List.of(shortOne)), 0);
        float[] actual = probabilities(network, batch, 0);
        // Float32 arithmetic on the same numbers; only the summation order of batched products may differ.
        assertArrayEquals(expected, actual, 1e-5f);
        float sum = 0;
        for (float p : actual) {
            sum += p;
        }
        assertEquals(1f, sum, 1e-5f);
        assertTrue(
                batch.getLabels().rank() == 2 && batch.getLabels().getFloat(0, 1) == 1f, "one-hot label per sequence");
    }

    private static float[] probabilities(MultiLayerNetwork network, DataSet data, int example) {
        return network.output(data.getFeatures(), false, data.getFeaturesMaskArray(), null)
                .getRow(example)
                .castTo(DataType.FLOAT)
                .dup()
                .data()
                .asFloat();
    }

    private static Segment sequence(Random random, int steps, int cls) {
        float[] inputs = new float[steps * FEATURES];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) random.nextGaussian();
        }
        return Segment.ofSequence(cls, "s" + cls, steps, false, cls, FEATURES, inputs);
    }
}
