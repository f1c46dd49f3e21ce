package io.lstmjob.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * The input files as Hadoop splits, one Spark partition each, with the splits' block locations: the
 * text and CSV readers open their split themselves ({@link SplitLines}) instead of taking records
 * from an input format, so that a line keeps its byte position and a bad one fails with file:line.
 * Splits are at most the input's size per core (4 MB to 128 MB, the sizes Spark SQL's file sources
 * pick), so that a single file is read by every core, unless the Hadoop configuration sets
 * mapreduce.input.fileinputformat.split.maxsize; compressed files are one split each.
 */
final class InputSplits {
    static final long MIN_SPLIT = 4L << 20;
    static final long MAX_SPLIT = 128L << 20;

    private final JavaNewHadoopRDD<NullWritable, NullWritable> splits;
    private final Map<String, Integer> fileIndex;
    private final Broadcast<SerializableConfiguration> conf;

    private InputSplits(
            JavaNewHadoopRDD<NullWritable, NullWritable> splits,
            Map<String, Integer> fileIndex,
            Broadcast<SerializableConfiguration> conf) {
        this.splits = splits;
        this.fileIndex = fileIndex;
        this.conf = conf;
    }

    /** @param bytes the files' size in all */
    static InputSplits of(JavaSparkContext sc, List<Path> files, long bytes) {
        Configuration conf = new Configuration(sc.hadoopConfiguration());
        if (conf.getLong(FileInputFormat.SPLIT_MAXSIZE, 0) <= 0) { // unless the user sets one (spark.hadoop.*)
            long perCore = bytes / Math.max(1, sc.defaultParallelism());
            conf.setLong(FileInputFormat.SPLIT_MAXSIZE, Math.max(MIN_SPLIT, Math.min(MAX_SPLIT, perCore)));
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            index.put(files.get(i).toString(), i);
        }
        String joined =
                files.stream().map(p -> p.toString().replace(",", "\\,")).collect(Collectors.joining(","));
        // JavaSparkContext hands back a JavaNewHadoopRDD, the Java view that passes each partition its split.
        JavaNewHadoopRDD<NullWritable, NullWritable> rdd = (JavaNewHadoopRDD<NullWritable, NullWritable>)
                sc.newAPIHadoopFile(joined, SplitsOnly.class, NullWritable.class, NullWritable.class, conf);
        return new InputSplits(rdd, index, sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration())));
    }

    /** What a reader gets for its split: which file (by index in the input's file list) and which bytes. */
    record Split(int fileIndex, Path file, long start, long length, Configuration conf) {
        /** The split's lines, their stored bytes counted into {@code bytesRead}. */
        SplitLines open(int maxLineBytes, LongAccumulator bytesRead) throws IOException {
            return SplitLines.open(conf, file, start, length, maxLineBytes).countingInto(bytesRead);
        }
    }

    /** Reads every split with {@code reader}: one call per split. */
    <T> JavaRDD<T> read(SplitReader<T> reader) {
        Map<String, Integer> index = fileIndex;
        Broadcast<SerializableConfiguration> hadoopConf = conf;
        Function2<InputSplit, Iterator<Tuple2<NullWritable, NullWritable>>, Iterator<T>> perSplit = (split, none) -> {
            FileSplit fileSplit = (FileSplit) split;
            Integer i = index.get(fileSplit.getPath().toString());
            if (i == null) {
                throw new IllegalStateException(
                        "split of " + fileSplit.getPath() + " is not one of the input files " + index.keySet());
            }
            return reader.read(new Split(
                    i,
                    fileSplit.getPath(),
                    fileSplit.getStart(),
                    fileSplit.getLength(),
                    hadoopConf.value().value()));
        };
        return splits.mapPartitionsWithInputSplit(perSplit, false);
    }

    /** Reads one split; the iterator may read lazily and must close what it opened at its end. */
    interface SplitReader<T> extends Serializable {
        Iterator<T> read(Split split) throws Exception;
    }

    /**
     * Splits of the input files with no records: the readers open the split themselves. A compressed
     * file is not split, so that its lines are read in one stream from its first byte.
     */
    public static final class SplitsOnly extends FileInputFormat<NullWritable, NullWritable> {
        @Override
        protected boolean isSplitable(JobContext context, Path file) {
            return !SplitLines.isCompressed(context.getConfiguration(), file);
        }

        @Override
        public RecordReader<NullWritable, NullWritable> createRecordReader(
                InputSplit split, TaskAttemptContext context) {
            return new RecordReader<>() {
                @Override
                public void initialize(InputSplit s, TaskAttemptContext c) {}

                @Override
                public boolean nextKeyValue() {
                    return false;
                }

                @Override
                public NullWritable getCurrentKey() {
                    return NullWritable.get();
                }

                @Override
                public NullWritable getCurrentValue() {
                    return NullWritable.get();
                }

                @Override
                public float getProgress() {
                    return 1f;
                }

                @Override
                public void close() {}
            };
        }
    }
}
