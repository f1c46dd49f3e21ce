package io.lstmjob.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the command line printed on stdout or stderr during a test:
 * {@code @RegisterExtension CapturedOutput stderr = CapturedOutput.stderr();}. The tests' log
 * appender keeps the stream it started with, so log lines are not captured: what is, is what the
 * command itself printed.
 */
public final class CapturedOutput implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final Supplier<PrintStream> current;
    private final Consumer<PrintStream> replace;
    private PrintStream original;

    private CapturedOutput(Supplier<PrintStream> current, Consumer<PrintStream> replace) {
        this.current = current;
        this.replace = replace;
    }

    public static CapturedOutput stdout() {
        return new CapturedOutput(() -> System.out, System::setOut);
    }

    public static CapturedOutput stderr() {
        return new CapturedOutput(() -> System.err, System::setErr);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        original = current.get();
        captured.reset();
        replace.accept(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        replace.accept(original);
    }

    public String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed so far: the next command's output starts here. */
    public void reset() {
        captured.reset();
    }

    /** The last line printed. */
    public String lastLine() {
        String[] lines = text().strip().split("\\R");
        return lines[lines.length - 1];
    }
}
