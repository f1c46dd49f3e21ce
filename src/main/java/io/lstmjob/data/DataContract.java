package io.lstmjob.data;

import io.lstmjob.config.Task;

import java.io.Serializable;
import java.util.List;

/**
 * What a model expects of its input and how raw values become network inputs: the channels, and
 * either the scaler (forecasting) or the vocabulary (character model). Saved beside the model.
 */
public record DataContract(Task task, List<String> featureNames, List<String> targetNames,
                           FeatureScaler scaler, Vocabulary vocabulary) implements Serializable {

    public static DataContract forecast(List<String> features, List<String> targets, FeatureScaler scaler) {
        return new DataContract(Task.FORECAST, List.copyOf(features), List.copyOf(targets), scaler, null);
    }

    public static DataContract charModel(Vocabulary vocabulary) {
        return new DataContract(Task.CHAR_LM, TextSequenceSource.CHANNEL, TextSequenceSource.CHANNEL, null, vocabulary);
    }

    public int networkInputs() {
        return task == Task.CHAR_LM ? vocabulary.size() : featureNames.size();
    }

    public int networkOutputs() {
        return task == Task.CHAR_LM ? vocabulary.size() : targetNames.size();
    }
}
