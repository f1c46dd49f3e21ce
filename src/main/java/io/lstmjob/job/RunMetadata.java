package io.lstmjob.job;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;
import java.util.Map;

/**
 * metadata.json: the lineage of a version: the run, the version it was warm-started from (null for
 * a fresh model), the resolved config, the input files with sizes and modification times, versions
 * of the stack, the code's commit, who ran it and when, and whether it went live when published.
 */
public record RunMetadata(
        String modelName,
        String version,
        String runId,
        String parentVersion,
        @JsonRawValue String config,
        List<InputFileInfo> inputFiles,
        Map<String, String> versions,
        String gitCommit,
        String user,
        String startedAt,
        String finishedAt,
        int epochs,
        boolean live) {}
