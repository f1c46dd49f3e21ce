package io.lstmjob.model;

import io.lstmjob.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generates text from a character model: the prompt sets the LSTM state, then each next character
 * is drawn from the softmax sharpened or flattened by the temperature (p^(1/T), renormalised)
 * and fed back in.
 */
public final class TextSampler {
    private final MultiLayerNetwork network;
    private final Vocabulary vocabulary;

    public TextSampler(MultiLayerNetwork network, Vocabulary vocabulary) {
        this.network = network;
        this.vocabulary = vocabulary;
    }

    public String sample(String prompt, int length, double temperature, long seed) {
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("the prompt must not be empty");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("the temperature must be positive, got " + temperature);
        }
        List<Integer> classes = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        prompt.codePoints().forEach(cp -> {
            int index = vocabulary.indexOf(cp);
            if (index < 0) {
                unknown.add(new String(Character.toChars(cp)));
            } else {
                classes.add(index);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "the prompt has characters the model never saw: " + String.join(" ", unknown));
        }
        network.rnnClearPreviousState();
        INDArray output = network.rnnTimeStep(oneHot(classes));
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            long steps = output.size(2);
            float[] probabilities = output.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(steps - 1))
                    .castTo(DataType.FLOAT)
                    .dup()
                    .data()
                    .asFloat();
            int next = draw(probabilities, temperature, random);
            text.appendCodePoint(vocabulary.codePointAt(next));
            output = network.rnnTimeStep(oneHot(List.of(next)));
        }
        return text.toString();
    }

    private INDArray oneHot(List<Integer> classes) {
        INDArray input = Nd4j.zeros(DataType.FLOAT, 1, vocabulary.size(), classes.size());
        for (int t = 0; t < classes.size(); t++) {
            input.putScalar(new long[] {0, classes.get(t), t}, 1f);
        }
        return input;
    }

    private static int draw(float[] probabilities, double temperature, Random random) {
        double[] weights = new double[probabilities.length];
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.pow(Math.max(probabilities[i], 1e-12), 1.0 / temperature);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u <= 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
