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
public record DataContract(Task task, List<String> featureNames, List<String> targetNames,
                           FeatureScaler scaler, Vocabulary vocabulary, List<String> classes, int horizon)
        implements Serializable {

    public static DataContract forecast(List<String> features, List<String> targets, FeatureScaler scaler) {
        return forecast(features, targets, scaler, 1);
    }

    public static DataContract forecast(List<String> features, List<String> targets, FeatureScaler scaler, int horizon) {
        return new DataContract(Task.FORECAST, List.copyOf(features), List.copyOf(targets), scaler, null, null, horizon);
    }

    public static DataContract charModel(Vocabulary vocabulary) {
        return new DataContract(Task.CHAR_LM, TextSequenceSource.CHANNEL, TextSequenceSource.CHANNEL, null, vocabulary, null, 1);
    }

    public static DataContract classifier(List<String> features, List<String> classes, FeatureScaler scaler) {
        return new DataContract(Task.CLASSIFY, List.copyOf(features), List.of(), scaler, null, List.copyOf(classes), 1);
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
