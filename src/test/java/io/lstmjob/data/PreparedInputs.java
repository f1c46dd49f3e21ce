package io.lstmjob.data;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lstmjob.config.InputConfig;
import io.lstmjob.config.ShardingConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** What the reading tests look at: the inputs the training segments hold, or the message a bad input gets. */
final class PreparedInputs {
    private PreparedInputs() {}

    /** Channel 0 of every training pair's input, in the order of the segments' starts. */
    static List<Float> inputs(PreparedData data) {
        List<Segment> segments = new ArrayList<>(data.train().collect());
        segments.sort(Comparator.comparingLong(Segment::start));
        List<Float> values = new ArrayList<>();
        for (Segment s : segments) {
            for (int t = 0; t < s.length(); t++) {
                values.add(s.value(t, 0));
            }
        }
        return values;
    }

    /**
     * The message the user sees: "file:line: reason" for a bad record, the message otherwise. Only a
     * bad record (however Spark wraps it) or an {@link InputDataException} counts: those are what the
     * command line reports as bad input (exit 3); any other exception is a bug and fails the test.
     */
    static String failure(SparkSession spark, InputConfig input, ShardingConfig sharding) {
        Exception e = assertThrows(
                Exception.class,
                () -> DatasetPreparer.prepare(spark, input, sharding).release());
        BadRecordException bad = InputErrors.findBadRecord(e);
        if (bad != null) {
            return InputErrors.describe(bad, spark.sparkContext().hadoopConfiguration());
        }
        assertInstanceOf(InputDataException.class, e, "bad input is an InputDataException (exit 3), not " + e);
        return e.getMessage();
    }
}
