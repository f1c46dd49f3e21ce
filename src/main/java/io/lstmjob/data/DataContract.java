package io.lstmjob.data;

import io.lstmjob.config.Task;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model expects of its input and how raw values become network inputs: the channels, the
 * scaler (forecasting, classification), the vocabulary (character model) and the classes
 * (classification: the sorted labels of the training input; index = network output), and how many
 * steps ahead a forecaster predicts (output k * targets + c is target c at t+k+1). Saved beside the model.
 */
public record DataContract(
        Task task,
        List<String> featureNames,
        List<String> targetNames,
        FeatureScaler scaler,
        Vocabulary vocabulary,
        List<String> classes,
        int horizon)
        implements Serializable {

    public static DataContract forecast(List<String> features, List<String> targets, FeatureScaler scaler) {
        return forecast(features, targets, scaler, 1);
    }

    public static DataContract forecast(
            List<String> features, List<String> targets, FeatureScaler scaler, int horizon) {
        return new DataContract(
                Task.FORECAST, List.copyOf(features), List.copyOf(targets), scaler, null, null, horizon);
    }

    /** The single channel of a character model. */
    static final List<String> TEXT_CHANNEL = List.of("char");

    public static DataContract charModel(Vocabulary vocabulary) {
        return new DataContract(Task.CHAR_LM, TEXT_CHANNEL, TEXT_CHANNEL, null, vocabulary, null, 1);
    }

    public static DataContract classifier(List<String> features, List<String> classes, FeatureScaler scaler) {
        return new DataContract(Task.CLASSIFY, List.copyOf(features), List.of(), scaler, null, List.copyOf(classes), 1);
    }

    /**
     * The columns a segment holds for every step: the features, then the targets that are not also
     * features (a column read once however many parts it plays). A classifier's are its features.
     */
    public List<String> channels() {
        return channels(featureNames, targetNames);
    }

    static List<String> channels(List<String> features, List<String> targets) {
        List<String> channels = new ArrayList<>(features);
        for (String target : targets) {
            if (!channels.contains(target)) {
                channels.add(target);
            }
        }
        return List.copyOf(channels);
    }

    /** The channel of each feature (network input), in order. */
    public int[] featureChannels() {
        return indexes(featureNames);
    }

    /** The channel of each target, in order. */
    public int[] targetChannels() {
        return indexes(targetNames);
    }

    private int[] indexes(List<String> names) {
        List<String> channels = channels();
        int[] idx = new int[names.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = channels.indexOf(names.get(i));
        }
        return idx;
    }

    /** Steps ahead the outputs reach: 1 for next-step models (and for contracts saved before horizons existed). */
    public int stepsAhead() {
        return Math.max(1, horizon);
    }

    public int networkInputs() {
        return task == Task.CHAR_LM ? vocabulary.size() : featureNames.size();
    }

    public int networkOutputs() {
        return switch (task) {
            case CHAR_LM -> vocabulary.size();
            case CLASSIFY -> classes.size();
            case FORECAST -> targetNames.size() * stepsAhead();
        };
    }

    /** Names of the network's output classes (characters, with a newline as \n, or labels); forecasting has none. */
    public List<String> classNames() {
        if (task == Task.CLASSIFY) {
            return classes;
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; task == Task.CHAR_LM && c < vocabulary.size(); c++) {
            names.add(new String(Character.toChars(vocabulary.codePointAt(c))).replace("\n", "\\n"));
        }
        return names;
    }
}
