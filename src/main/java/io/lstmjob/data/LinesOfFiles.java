package io.lstmjob.data;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Lines of text files read split by split with Hadoop's TextInputFormat, so that every line keeps
 * its file and byte offset (for error messages and for ordering rows within a file). Nothing here
 * loads a whole file into memory.
 */
final class LinesOfFiles {
    private LinesOfFiles() {
    }

    /** Calls {@code parser} once per split with the split's file and an iterator of (offset, line). */
    static <T> JavaRDD<T> parse(SparkSession spark, List<Path> files, SplitParser<T> parser) {
        String joined = files.stream().map(Path::toString).collect(Collectors.joining(","));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // JavaSparkContext hands back a JavaNewHadoopRDD, the only Java view that exposes the split.
        JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>)
                sc.newAPIHadoopFile(joined, TextInputFormat.class, LongWritable.class, Text.class, sc.hadoopConfiguration());
        Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<T>> perSplit =
                (split, it) -> parser.parse(((FileSplit) split).getPath().toString(), it);
        return lines.mapPartitionsWithInputSplit(perSplit, true);
    }

    /** Parses the lines of one split; the Text objects are reused by Hadoop and must be copied. */
    interface SplitParser<T> extends java.io.Serializable {
        Iterator<T> parse(String file, Iterator<Tuple2<LongWritable, Text>> lines) throws Exception;
    }
}
