package io.lstmjob.job;

import io.lstmjob.data.BadRecordException;
import io.lstmjob.data.InputDataException;
import io.lstmjob.data.InputErrors;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;

/**
 * Spark wraps executor failures in SparkException (checked, thrown undeclared from Scala); a bad
 * record found on an executor is reported as "file:line: reason" instead of a stack trace.
 */
final class InputErrorTranslation {
    private InputErrorTranslation() {}

    static <T> T readable(Configuration conf, Supplier<T> step) {
        try {
            return step.get();
        } catch (Exception e) {
            BadRecordException bad = InputErrors.findBadRecord(e);
            if (bad != null) {
                throw new InputDataException(InputErrors.describe(bad, conf));
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
