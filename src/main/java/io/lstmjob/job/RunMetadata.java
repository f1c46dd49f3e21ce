package io.lstmjob.job;

import com.fasterxml.jackson.annotation.JsonRawValue;

import java.util.List;
import java.util.Map;

/**
 * metadata.json: enough to tell how a model came to be: the resolved config, the input files,
 * versions of the stack, the code's commit, when it ran and how many epochs it trained.
 */
public record RunMetadata(String modelName, String version, @JsonRawValue String config, List<String> inputFiles,
                          Map<String, String> versions, String gitCommit, String user,
                          String startedAt, String finishedAt, int epochs) {
}
