#!/usr/bin/env bash
# The data path against Spark's own read of the same files: text of 25 and 250 MB, CSV of 1M and 10M rows.
#   jobs/bench-data.sh [--dir DIR] [--inputs TEXT_25MB,TEXT_250MB,CSV_1M,CSV_10M] [--runs N]
# Generates the inputs once (about 800 MB in DIR), then runs `validate` and Spark's read alternately, each in a
# fresh JVM, and prints every run's JSON line and a table (times, ratio of the medians, peak RSS). Logs on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_OPTS=${JAVA_OPTS:--Xmx4g -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dio.lstmjob.maxProcessBytes=10G}
exec jobs/lstm-job-local.sh bench-data "$@"
