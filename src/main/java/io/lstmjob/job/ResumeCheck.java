package io.lstmjob.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.config.JobConfigLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A resumed run goes on with the config it started with: what shapes the network, the data, its
 * split and the updater may not change, or the published version would describe a model it is not
 * (and a retrain's gate would compare scores from different splits). train.epochs may: a resume
 * can train longer. Output, store, retrain and Spark settings other than the partition count may too.
 */
final class ResumeCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIXED =
            List.of("input", "model", "train", "tbptt", "segment", "validation", "averaging", "spark.numPartitions");
    private static final List<String> MAY_CHANGE = List.of("train.epochs");

    private ResumeCheck() {}

    /** @param checkpointed the resolved config the checkpoint recorded; null for a checkpoint that recorded none */
    static void requireSameConfig(String runId, String checkpointed, String now) {
        if (checkpointed == null) {
            return;
        }
        Map<String, String> before = fixedKeys(checkpointed);
        Map<String, String> after = fixedKeys(now);
        Map<String, String> defaults = fixedKeys(JobConfigLoader.defaultsJson());
        List<String> changed = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(union(before, after))) {
            String was = before.getOrDefault(key, "(unset)");
            String is = after.getOrDefault(key, "(unset)");
            // A key the job gained after the checkpoint was written, left at its default, changes nothing
            // the run chose: its checkpoint still resumes on the upgraded job.
            boolean addedSince = !before.containsKey(key) && is.equals(defaults.get(key));
            if (!was.equals(is) && !addedSince) {
                changed.add(key + " " + was + " -> " + is);
            }
        }
        if (!changed.isEmpty()) {
            throw new InvalidConfigException("run " + runId + " resumes from a checkpoint made with another config: "
                    + String.join(", ", changed)
                    + "; resume with the run's own settings, or start a new run (another --run-id)");
        }
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> keys = new java.util.HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static Map<String, String> fixedKeys(String json) {
        Map<String, String> leaves = new TreeMap<>();
        try {
            flatten("", JSON.readTree(json), leaves);
        } catch (IOException e) {
            throw new IllegalStateException("a resolved config is not JSON: " + e.getMessage(), e);
        }
        leaves.keySet()
                .removeIf(key -> MAY_CHANGE.contains(key)
                        || FIXED.stream().noneMatch(fixed -> key.equals(fixed) || key.startsWith(fixed + ".")));
        return leaves;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> leaves) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(field -> flatten(
                            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
                            field.getValue(),
                            leaves));
        } else {
            leaves.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }
}
