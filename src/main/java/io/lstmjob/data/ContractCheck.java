package io.lstmjob.data;

import io.lstmjob.config.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether new input fits an existing model's {@link DataContract}: the same task and channels,
 * and (text) no character outside the model's vocabulary. Checked before any training.
 */
final class ContractCheck {
    private ContractCheck() {}

    static void requireSameTask(DataContract contract, Task task) {
        if (contract.task() != task) {
            throw new InputDataException("the input is for a " + task.name().toLowerCase()
                    + " model but the model is a " + contract.task().name().toLowerCase() + " model");
        }
    }

    /** The same feature and target columns; the task is {@link #requireSameTask}'s to check, first. */
    static void requireSameChannels(DataContract contract, Task task, List<String> features, List<String> targets) {
        if (task == Task.CLASSIFY && !contract.featureNames().equals(features)) {
            throw new InputDataException("the input's columns do not fit the model: it was trained on features "
                    + contract.featureNames() + ", the input gives " + features);
        }
        if (task == Task.FORECAST
                && (!contract.featureNames().equals(features)
                        || !contract.targetNames().equals(targets))) {
            throw new InputDataException("the input's columns do not fit the model: it was trained on features "
                    + contract.featureNames() + " -> targets " + contract.targetNames() + ", the input gives "
                    + features + " -> " + targets);
        }
    }

    /** @param codePoints the characters of the input, sorted */
    static void requireKnownCharacters(DataContract contract, int[] codePoints) {
        Vocabulary vocabulary = contract.vocabulary();
        List<Integer> unknown = new ArrayList<>();
        for (int cp : codePoints) {
            if (vocabulary.indexOf(cp) < 0 && unknown.size() < 20) {
                unknown.add(cp);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InputDataException("the input has characters outside the model's vocabulary of "
                    + vocabulary.size() + ": "
                    + unknown.stream()
                            .map(cp -> new String(Character.toChars(cp)).replace("\n", "\\n") + " (U+"
                                    + Integer.toHexString(cp).toUpperCase() + ")")
                            .collect(Collectors.joining(", "))
                    + "; train a new model to widen the vocabulary");
        }
    }
}
