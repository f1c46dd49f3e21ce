package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.data.BadRecordException;
import io.lstmjob.data.InputDataException;
import io.lstmjob.store.ModelLockedException;
import io.lstmjob.train.TrainingDivergedException;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Log levels of one command line run, whatever log config the JVM has (ours in the local scripts,
 * Spark's or the cluster's under spark-submit): by default the job's own INFO lines (an epoch's
 * line, a phase's time) and everyone's warnings, and none of Spark's lines about a task that failed
 * with one of the job's expected failures (a bad record, a divergence, ...): that failure ends the
 * run with its one line on stderr, and Spark's copies of it with their stack traces read like a
 * crash. --verbose shows Spark's INFO and those lines; --quiet only warnings and errors.
 */
final class Logging {
    private static final List<Class<? extends Throwable>> EXPECTED = List.of(
            InputDataException.class,
            BadRecordException.class,
            InvalidConfigException.class,
            TrainingDivergedException.class,
            ModelLockedException.class);

    private static final String NATIVE_CODE_LOADER = "org.apache.hadoop.util.NativeCodeLoader";
    private static final String TASK_SET_MANAGER = "org.apache.spark.scheduler.TaskSetManager";
    /** How long after an expected failure's task report Spark's "aborting job" line for it is left out. */
    private static final long ABORT_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    /** When an expected failure's task report was last left out (the filters of all loggers share it). */
    private static final java.util.concurrent.atomic.AtomicLong LAST_EXPECTED_FAILURE =
            new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

    private Logging() {}

    static void configure(boolean verbose, boolean quiet) {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return; // another logging backend: leave it as it is configured
        }
        Configurator.setRootLevel(verbose ? Level.INFO : Level.WARN);
        Configurator.setLevel("io.lstmjob", quiet ? Level.WARN : Level.INFO);
        // Hadoop's pure-Java code paths are what this job runs on; the warning says nothing to act on.
        Configurator.setLevel(NATIVE_CODE_LOADER, verbose ? Level.WARN : Level.ERROR);
        // On every logger config (a context-wide filter would see the message, not the exception).
        for (LoggerConfig logger : context.getConfiguration().getLoggers().values()) {
            Filter installed = logger.getFilter();
            if (!verbose && !(installed instanceof ExpectedFailures)) {
                ExpectedFailures filter = new ExpectedFailures();
                filter.start();
                logger.addFilter(filter);
            } else if (verbose && installed instanceof ExpectedFailures) {
                logger.removeFilter(installed);
            }
        }
        context.updateLoggers();
    }

    /** Drops other loggers' events about one of the job's expected failures; the job reports those itself. */
    static final class ExpectedFailures extends AbstractFilter {
        ExpectedFailures() {
            super(Filter.Result.NEUTRAL, Filter.Result.NEUTRAL);
        }

        @Override
        public Result filter(LogEvent event) {
            if (event.getLoggerName() != null && event.getLoggerName().startsWith("io.lstmjob")) {
                return Result.NEUTRAL;
            }
            String message =
                    event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
            if (aboutAnExpectedFailure(event.getThrown(), message)) {
                LAST_EXPECTED_FAILURE.set(System.nanoTime());
                return Result.DENY;
            }
            // The stage's abort follows the task's report, without the exception: it is the same failure.
            if (TASK_SET_MANAGER.equals(event.getLoggerName())
                    && message.endsWith("aborting job")
                    && System.nanoTime() - LAST_EXPECTED_FAILURE.get() < ABORT_WINDOW_NANOS) {
                return Result.DENY;
            }
            return Result.NEUTRAL;
        }

        private static boolean aboutAnExpectedFailure(Throwable thrown, String message) {
            for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (isExpected(t.getClass())) {
                    return true;
                }
            }
            // A retried task's loss, or one reported from another JVM, names the class in its message.
            return EXPECTED.stream().anyMatch(type -> message.contains(type.getName()));
        }

        private static boolean isExpected(Class<?> type) {
            return EXPECTED.stream().anyMatch(expected -> expected.isAssignableFrom(type));
        }
    }
}
