#!/usr/bin/env bash
# Run any lstm-job command on this machine with Spark local[*]: no Spark installation needed.
#   jobs/lstm-job-local.sh train|retrain|evaluate|predict|sample [options] [key=value ...]
# Builds the project on first use (and when sources changed).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=target/local-classpath.txt
if [[ ! -f $stamp || -n "$(find src conf pom.xml -newer "$stamp" -print -quit)" ]]; then
  echo "Building (first run or sources changed)..." >&2
  mkdir -p target
  if ! mvn -q -B -DskipTests package > target/build.log 2>&1; then
    cat target/build.log >&2
    echo "lstm-job: the build failed (see above)" >&2
    exit 1
  fi
  touch "$stamp"   # the classpath file is not rewritten when unchanged
fi

export SPARK_LOCAL_IP=127.0.0.1
# One BLAS thread per Spark core: ND4J's default of one per hardware thread oversubscribes the cores.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
source jobs/openblas-core.sh
exec java ${JAVA_OPTS:--Xmx4g -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dio.lstmjob.maxProcessBytes=10G} \
  @conf/java17.args -Dlog4j2.configurationFile="${LOG_CONFIG:-conf/log4j2.properties}" \
  -cp "target/classes:$(cat "$stamp")" io.lstmjob.cli.LstmJob "$@"
