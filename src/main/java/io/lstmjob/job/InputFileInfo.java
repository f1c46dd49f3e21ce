package io.lstmjob.job;

/** An input file as it was when the run read it, for lineage. */
public record InputFileInfo(String path, long bytes, String modifiedAt) {}
