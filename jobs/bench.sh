#!/usr/bin/env bash
# Training throughput on the canonical workloads, one JSON line per workload (fields as the PyTorch peer's).
#   jobs/bench.sh [--workload W1|W2|W3|all] [--workers N] [--seconds S] [--warmup-seconds S] [--averaging-frequency auto|N|0] [--minibatches M]
# --workers 0 trains with MultiLayerNetwork.fit alone (no Spark). JSON on stdout, logs on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_OPTS=${JAVA_OPTS:--Xmx6g -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dio.lstmjob.maxProcessBytes=14G}
exec jobs/lstm-job-local.sh bench "$@"
