#!/usr/bin/env bash
# Submit the training job to a cluster (YARN, Kubernetes or a standalone master).
#
#   MASTER=yarn jobs/submit.sh conf/my-job.conf [options] [key=value ...]
#   MASTER=yarn COMMAND=retrain jobs/submit.sh conf/my-job.conf --run-id nightly-20261124
#   MASTER=yarn COMMAND=validate jobs/submit.sh conf/my-job.conf     # check and plan the input only (exit 0 or 3)
#   MASTER=spark://host:7077 jobs/submit.sh conf/default.conf input.path=hdfs://nn/data/sensors output.path=hdfs://nn/models
#
# Builds the cluster jar on first use (Spark, Scala and Hadoop are left to the cluster). The config
# file is shipped with --files, so it works in client and cluster deploy mode alike. Edit the
# resources below to your cluster; every variable can be set from the environment.
# EXTRA_SUBMIT_ARGS goes to spark-submit as is, e.g. "--principal etl@EXAMPLE.COM --keytab etl.keytab"
# on a kerberized cluster (Spark then obtains and renews the HDFS delegation tokens).
# OPENBLAS_CORETYPE, if set, goes to the executors: SKYLAKEX on AMD Zen 4 (or later) executors, whose
# AVX-512 the bundled OpenBLAS does not detect (see jobs/openblas-core.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

config=${1:?usage: jobs/submit.sh CONFIG [key=value ...]}
shift

MASTER=${MASTER:?set MASTER, e.g. yarn, k8s://https://host:6443 or spark://host:7077}
DEPLOY_MODE=${DEPLOY_MODE:-client}
NUM_EXECUTORS=${NUM_EXECUTORS:-4}
EXECUTOR_CORES=${EXECUTOR_CORES:-2}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-6g}
# ND4J keeps arrays off the JVM heap: memoryOverhead must hold them (javacpp.maxbytes) plus the
# usual JVM overhead, or YARN/Kubernetes kill the executor for exceeding its container.
EXECUTOR_OFFHEAP=${EXECUTOR_OFFHEAP:-4G}
EXECUTOR_OVERHEAD=${EXECUTOR_OVERHEAD:-5g}
DRIVER_MEMORY=${DRIVER_MEMORY:-4g}

jar=$(ls target/spark-lstm-job-*-cluster.jar 2>/dev/null | head -1 || true)
if [[ -z $jar ]]; then
  mvn -q -B -Pcluster -DskipTests package
  jar=$(ls target/spark-lstm-job-*-cluster.jar | head -1)
fi

config_arg=$config
if [[ $DEPLOY_MODE == cluster ]]; then
  config_arg=$(basename "$config")   # shipped into the driver's working directory by --files
fi

exec spark-submit \
  --master "$MASTER" \
  --deploy-mode "$DEPLOY_MODE" \
  --class io.lstmjob.cli.LstmJob \
  --name "lstm-job $(basename "$config" .conf)" \
  --num-executors "$NUM_EXECUTORS" \
  --executor-cores "$EXECUTOR_CORES" \
  --executor-memory "$EXECUTOR_MEMORY" \
  --driver-memory "$DRIVER_MEMORY" \
  --files "$config" \
  --conf spark.executor.memoryOverhead="$EXECUTOR_OVERHEAD" \
  --driver-java-options "--add-modules=jdk.incubator.vector" \
  --conf "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=$EXECUTOR_OFFHEAP -Dorg.bytedeco.javacpp.maxphysicalbytes=$EXECUTOR_OVERHEAD" \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  ${OPENBLAS_CORETYPE:+--conf spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE} \
  --conf spark.task.cpus=1 \
  ${EXTRA_SUBMIT_ARGS:-} \
  "$jar" "${COMMAND:-train}" --config "$config_arg" "$@"
