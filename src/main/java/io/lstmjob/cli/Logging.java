package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.data.BadRecordException;
import io.lstmjob.data.InputDataException;
import io.lstmjob.store.ModelLockedException;
import io.lstmjob.train.TrainingDivergedException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;

import java.util.List;

/**
 * Log levels of one command line run, whatever log config the JVM has (ours in the local scripts,
 * Spark's or the cluster's under spark-submit): by default the job's own INFO lines (an epoch's
 * line, a phase's time) and everyone's warnings, and none of Spark's lines about a task that failed
 * with one of the job's expected failures (a bad record, a divergence, ...): that failure ends the
 * run with its one line on stderr, and Spark's copies of it with their stack traces read like a
 * crash. --verbose shows Spark's INFO and those lines; --quiet only warnings and errors.
 */
final class Logging {
    private static final List<Class<? extends Throwable>> EXPECTED = List.of(InputDataException.class,
            BadRecordException.class, InvalidConfigException.class, TrainingDivergedException.class, ModelLockedException.class);

    private Logging() {
    }

    static void configure(boolean verbose, boolean quiet) {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return; // another logging backend: leave it as it is configured
        }
        Configurator.setRootLevel(verbose ? Level.INFO : Level.WARN);
        Configurator.setLevel("io.lstmjob", quiet ? Level.WARN : Level.INFO);
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
            for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (isExpected(t.getClass())) {
                    return Result.DENY;
                }
            }
            // A retried task's loss is logged without the exception, naming its class.
            String message = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
            for (Class<? extends Throwable> type : EXPECTED) {
                if (message.contains(type.getName())) {
                    return Result.DENY;
                }
            }
            return Result.NEUTRAL;
        }

        private static boolean isExpected(Class<?> type) {
            return EXPECTED.stream().anyMatch(expected -> expected.isAssignableFrom(type));
        }
    }
}
