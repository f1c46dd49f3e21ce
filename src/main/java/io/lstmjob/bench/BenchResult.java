package io.lstmjob.bench;

/**
 * One JSON line of jobs/bench.sh; workload and tokens_per_s are named as in the PyTorch peer's output.
 * A token is one time step of one sequence, trained (forward, backward, update).
 * openblas_coretype is the kernel set OpenBLAS was told to use (jobs/openblas-core.sh), "auto" when
 * it chose by itself.
 */
public record BenchResult(
        String workload,
        double tokens_per_s,
        int workers,
        String averaging_frequency,
        double averaging_seconds,
        double epoch_seconds,
        int epochs_measured,
        long peak_rss_mb,
        String openblas_coretype) {}
