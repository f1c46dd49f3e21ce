package io.lstmjob.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * The preparation's phases, one after the other: each names the Spark jobs it runs (the Spark UI
 * shows "prepare data: PHASE"), is timed for the summary, and while it runs a log line every
 * {@code PROGRESS_SECONDS} says how far it is: tasks done and input bytes read, of how many. The
 * readers count their bytes in an accumulator; running tasks report it with their heartbeats, which
 * a listener sums with that of finished tasks.
 */
final class PreparationPhases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreparationPhases.class);
    static final long PROGRESS_SECONDS = 30;

    private final JavaSparkContext sc;
    private final long inputBytes;
    private final Consumer<String> log;
    private final LongAccumulator bytesRead;
    private final ReadBytes listener;
    private final ScheduledExecutorService ticker;
    private final List<DatasetSummary.Phase> done = new ArrayList<>();
    private volatile String phase;
    private volatile long phaseStart;
    private volatile long phaseBytesStart;

    PreparationPhases(JavaSparkContext sc, long inputBytes) {
        this(sc, inputBytes, PROGRESS_SECONDS * 1000, LOG::info);
    }

    /** @param log where the progress lines go, every {@code periodMillis} */
    PreparationPhases(JavaSparkContext sc, long inputBytes, long periodMillis, Consumer<String> log) {
        this.sc = sc;
        this.inputBytes = inputBytes;
        this.log = log;
        this.bytesRead = sc.sc().longAccumulator("lstm-job input bytes read");
        this.listener = new ReadBytes(bytesRead.id());
        sc.sc().addSparkListener(listener);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lstm-job preparation progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::report, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** The readers add the bytes they read here. */
    LongAccumulator bytesRead() {
        return bytesRead;
    }

    <T> T run(String name, Supplier<T> work) {
        phase = name;
        phaseStart = System.nanoTime();
        phaseBytesStart = listener.total();
        sc.setJobDescription("prepare data: " + name);
        try {
            return work.get();
        } finally {
            double seconds = (System.nanoTime() - phaseStart) / 1e9;
            done.add(new DatasetSummary.Phase(name, Math.round(seconds * 1000) / 1000.0));
            LOG.info(String.format(Locale.ROOT, "prepare data: %s took %.1f s", name, seconds));
            phase = null;
        }
    }

    List<DatasetSummary.Phase> timings() {
        return List.copyOf(done);
    }

    private void report() {
        String current = phase;
        if (current == null) {
            return;
        }
        long seconds = (System.nanoTime() - phaseStart) / 1_000_000_000L;
        int tasks = 0;
        int finished = 0;
        for (int stage : sc.statusTracker().getActiveStageIds()) {
            SparkStageInfo info = sc.statusTracker().getStageInfo(stage);
            if (info != null) {
                tasks += info.numTasks();
                finished += info.numCompletedTasks();
            }
        }
        long read = listener.total() - phaseBytesStart;
        log.accept(String.format(
                Locale.ROOT,
                "prepare data: %s, %d s so far: %s%s",
                current,
                seconds,
                tasks > 0 ? finished + " of " + tasks + " tasks done" : "working on the driver",
                read > 0 ? String.format(Locale.ROOT, ", %s of %s read", bytes(read), bytes(inputBytes)) : ""));
    }

    static String bytes(long n) {
        if (n < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
        }
        if (n < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MB", n / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GB", n / 1073741824.0);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        sc.sc().removeSparkListener(listener);
        sc.setJobDescription(null);
    }

    /** The accumulator's value over finished tasks plus the last one each running task reported. */
    private static final class ReadBytes extends SparkListener {
        private final long accumulator;
        private final AtomicLong finished = new AtomicLong();
        private final Map<Long, Long> running = new ConcurrentHashMap<>();

        ReadBytes(long accumulator) {
            this.accumulator = accumulator;
        }

        long total() {
            long sum = finished.get();
            for (long v : running.values()) {
                sum += v;
            }
            return sum;
        }

        @Override
        public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task :
                    JavaConverters.seqAsJavaList(update.accumUpdates())) {
                Long value = valueOf(task._4());
                if (value != null) {
                    running.put((Long) task._1(), value);
                }
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            running.remove(end.taskInfo().taskId());
            if (end.taskInfo().successful()) {
                Long value = valueOf(end.taskInfo().accumulables());
                if (value != null) {
                    finished.addAndGet(value);
                }
            }
        }

        private Long valueOf(scala.collection.Seq<AccumulableInfo> infos) {
            for (AccumulableInfo info : JavaConverters.seqAsJavaList(infos)) {
                if (info.id() == accumulator && info.update().isDefined()) {
                    return ((Number) info.update().get()).longValue();
                }
            }
            return null;
        }
    }
}
