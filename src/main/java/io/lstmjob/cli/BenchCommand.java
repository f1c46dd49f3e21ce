package io.lstmjob.cli;

import io.lstmjob.bench.BenchResult;
import io.lstmjob.bench.BenchRunner;
import io.lstmjob.bench.Workload;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Training throughput on the canonical workloads (shared/bench/WORKLOADS.md), one JSON line each.",
            "--workers N: Spark local[N] through the real sharding and averaging; 0: MultiLayerNetwork.fit alone."
        })
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--workload", defaultValue = "all", paramLabel = "W1|W2|W3|all")
    String workload;

    @Option(names = "--workers", defaultValue = "2")
    int workers;

    @Option(names = "--seconds", defaultValue = "30", description = "Measured time per workload, after the warm-up.")
    double seconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "60",
            description = "Epochs before measuring, until this much time has passed (at least one): the JIT compiler "
                    + "shares the cores with the workers until it is done.")
    double warmupSeconds;

    @Option(
            names = "--averaging-frequency",
            defaultValue = "auto",
            description = "averaging.frequency: auto (the job's default), minibatches per averaging, or 0 = once per"
                    + " epoch.")
    String averagingFrequency;

    @Option(names = "--minibatches", defaultValue = "1", description = "Minibatches per worker per epoch.")
    int minibatches;

    @Option(
            names = "--segments-per-sequence",
            defaultValue = "1",
            description = "Sequences this many segments long: more data at the same segment length (memory scaling).")
    int segmentsPerSequence;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A job config override, e.g. spark.storageLevel=disk-only.")
    List<String> overrides = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Workload> workloads =
                workload.equals("all") ? List.of(Workload.values()) : List.of(Workload.valueOf(workload));
        for (Workload w : workloads) {
            BenchResult result = BenchRunner.run(
                    w,
                    workers,
                    new BenchRunner.Options(
                            seconds, warmupSeconds, averagingFrequency, minibatches, segmentsPerSequence, overrides));
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(result));
        }
        return LstmJob.OK;
    }
}
