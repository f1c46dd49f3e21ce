package io.lstmjob.cli;

import io.lstmjob.config.InvalidConfigException;
import io.lstmjob.data.InputDataException;
import io.lstmjob.store.ModelLockedException;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the jar: {@code lstm-job train [--config FILE] [key=value ...]}.
 * A failure prints one line on stderr and exits with a code a scheduler can act on.
 */
@Command(
        name = "lstm-job",
        mixinStandardHelpOptions = true,
        subcommands = {
            TrainCommand.class,
            RetrainCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            SampleCommand.class,
            ExportCommand.class,
            ValidateCommand.class,
            BenchCommand.class,
            BenchDataCommand.class,
            OutcomeCommand.class
        },
        description = "Trains LSTM sequence models on Spark with truncated BPTT and parameter averaging.")
public final class LstmJob implements Runnable {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_CONFIG = 2;
    public static final int BAD_INPUT = 3;
    public static final int DIVERGED = 4;
    public static final int LOCKED = 5;
    /** retrain: the candidate did not beat the live model, which stays live. */
    public static final int KEPT = 10;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "Log Spark's INFO lines too, and Spark's own reports (with stack traces) of an expected failure.")
    boolean verbose;

    @CommandLine.Option(
            names = "--quiet",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Log warnings and errors only (no epoch lines).")
    boolean quiet;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "a command is required (train, retrain, evaluate, predict, sample, export, validate, bench)");
    }

    public static void main(String[] args) throws org.apache.spark.SparkUserAppException {
        int code = execute(args);
        if (returnsItsOutcome(System.getProperty("spark.master"), System.getProperty("spark.submit.deployMode"))) {
            end(code);
            return;
        }
        System.exit(code);
    }

    /**
     * Whether main must return instead of exiting: in YARN cluster mode the ApplicationMaster runs it
     * in a thread and reports the application's final status when it returns; System.exit there runs
     * the AM's shutdown hook first, so YARN sees FAILED ("Shutdown hook called before final status
     * was reported") and starts a second attempt, which trains and publishes again.
     */
    static boolean returnsItsOutcome(String master, String deployMode) {
        return master != null && master.startsWith("yarn") && "cluster".equals(deployMode);
    }

    /** Returns for success; any other code reaches the AM as the application's exit status. */
    static void end(int code) throws org.apache.spark.SparkUserAppException {
        if (code != OK) {
            throw new org.apache.spark.SparkUserAppException(code);
        }
    }

    public static int execute(String... args) {
        LstmJob root = new LstmJob();
        CommandLine commandLine = new CommandLine(root);
        commandLine.setExecutionStrategy(parsed -> {
            Logging.configure(root.verbose, root.quiet);
            return new CommandLine.RunLast().execute(parsed);
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("lstm-job: " + oneLine(e));
            return exitCodeOf(e);
        });
        return commandLine.execute(args);
    }

    /** A recorded outcome as the run printed it: its summary on stdout, or its failure on stderr; its exit code. */
    static int printed(io.lstmjob.job.RunOutcome outcome) {
        if (outcome.version() != null) {
            System.out.println(outcome.message());
        } else {
            System.err.println("lstm-job: " + outcome.message());
        }
        return outcome.exitCode();
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof InvalidConfigException) {
            return BAD_CONFIG;
        }
        if (e instanceof InputDataException) {
            return BAD_INPUT;
        }
        if (e instanceof TrainingDivergedException) {
            return DIVERGED;
        }
        if (e instanceof ModelLockedException) {
            return LOCKED;
        }
        return FAILED;
    }

    /** The failure in one line: our own exceptions say it all; others are named with their root cause. */
    static String oneLine(Throwable e) {
        String text;
        if (e instanceof InvalidConfigException
                || e instanceof InputDataException
                || e instanceof TrainingDivergedException
                || e instanceof ModelStoreException
                || e instanceof ModelLockedException) {
            text = e.getMessage();
        } else {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text = "failed: " + root.getClass().getSimpleName() + ": " + root.getMessage();
        }
        return io.lstmjob.job.Redaction.credentials(text.replaceAll("\\s*\\R\\s*", " "));
    }
}
