package io.lstmjob.data;

import io.lstmjob.config.Task;
import org.apache.spark.api.java.JavaRDD;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether new input fits an existing model's {@link DataContract}: the same task and channels,
 * and (text) no character outside the model's vocabulary. Checked before any training.
 */
final class ContractCheck {
    private ContractCheck() {
    }

    static void requireSameChannels(DataContract contract, Task task, StepTable table) {
        if (contract.task() != task) {
            throw new InputDataException("the input is for a " + task.name().toLowerCase() + " model but the model is a "
                    + contract.task().name().toLowerCase() + " model");
        }
        if (task == Task.CLASSIFY && !contract.featureNames().equals(table.featureNames())) {
            throw new InputDataException("the input's columns do not fit the model: it was trained on features "
                    + contract.featureNames() + ", the input gives " + table.featureNames());
        }
        if (task == Task.FORECAST && (!contract.featureNames().equals(table.featureNames())
                || !contract.targetNames().equals(table.targetNames()))) {
            throw new InputDataException("the input's columns do not fit the model: it was trained on features "
                    + contract.featureNames() + " -> targets " + contract.targetNames() + ", the input gives "
                    + table.featureNames() + " -> " + table.targetNames());
        }
    }

    static DataContract requireKnownCharacters(DataContract contract, JavaRDD<RankedStep> steps) {
        if (contract.task() != Task.CHAR_LM) {
            return contract;
        }
        Vocabulary vocabulary = contract.vocabulary();
        List<Integer> unknown = steps.map(s -> (int) s.features()[0]).filter(cp -> vocabulary.indexOf(cp) < 0)
                .distinct().take(20);
        if (!unknown.isEmpty()) {
            throw new InputDataException("the input has characters outside the model's vocabulary of "
                    + vocabulary.size() + ": " + unknown.stream().sorted()
                    .map(cp -> new String(Character.toChars(cp)).replace("\n", "\\n") + " (U+" + Integer.toHexString(cp).toUpperCase() + ")")
                    .collect(Collectors.joining(", ")) + "; train a new model to widen the vocabulary");
        }
        return contract;
    }
}
