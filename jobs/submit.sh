#!/usr/bin/env bash
# Submit the job to a cluster (YARN, Kubernetes or a standalone master) and exit with its exit code.
#
#   MASTER=yarn jobs/submit.sh conf/my-job.conf [options] [key=value ...]
#   MASTER=yarn DEPLOY_MODE=cluster COMMAND=retrain jobs/submit.sh conf/my-job.conf --run-id nightly-20261124
#   MASTER=yarn COMMAND=validate jobs/submit.sh conf/my-job.conf     # check and plan the input only (exit 0 or 3)
#   MASTER=spark://host:7077 jobs/submit.sh conf/default.conf input.path=hdfs://nn/data/sensors output.path=hdfs://nn/models
#   MASTER=k8s://https://host:6443 DEPLOY_MODE=cluster K8S_IMAGE=registry.example.com/lstm-job:0.1.0 \
#     APP_JAR=local:///opt/lstm-job/lstm-job.jar jobs/submit.sh conf/my-job.conf output.path=s3a://models
#
# The exit code is the job's (README, "Exit codes") in both deploy modes. In client mode the driver is
# this spark-submit. In cluster mode spark-submit waits for the application, but cannot see the
# driver's exit code, so a train or retrain records its outcome in the model store under the run id
# this script passes (yours, or a new one) and this script then reads it back (`lstm-job outcome`,
# through spark-submit --master local, so with this machine's Hadoop config and credentials). No
# outcome from this submission is a failure (exit 1). Other commands in cluster mode exit 0 or 1.
#
# spark-submit comes from SPARK_HOME (or PATH); `SPARK_HOME=$(jobs/spark-home.sh)` makes one from the
# pom's Spark jars. The cluster jar is built on first use (Spark, Scala and Hadoop are left to the
# cluster); JAR names another one, APP_JAR the jar as the cluster sees it (Kubernetes: in the image).
# A local config goes inline (a data: URI) in cluster mode, so the driver reads it wherever it runs; a
# config already on hdfs://, s3a://, ... is passed as is. Every variable can be set from the
# environment. DRY_RUN=1 prints the spark-submit command instead of running it.
# EXTRA_SUBMIT_ARGS goes to spark-submit as is, e.g. "--principal etl@EXAMPLE.COM --keytab etl.keytab"
# on a kerberized cluster (Spark then obtains and renews the HDFS delegation tokens).
# OPENBLAS_CORETYPE, if set, goes to the executors: SKYLAKEX on AMD Zen 4 (or later) executors, whose
# AVX-512 the bundled OpenBLAS does not detect (see jobs/openblas-core.sh).
set -euo pipefail
config=${1:?usage: jobs/submit.sh CONFIG [options] [key=value ...]}
shift
if [[ $config != *://* && $config != /* && -e $config ]]; then
  config=$PWD/$config   # relative to where it was called from, not to the project folder below
fi
cd "$(dirname "$0")/.."

MASTER=${MASTER:?set MASTER, e.g. yarn, k8s://https://host:6443 or spark://host:7077}
DEPLOY_MODE=${DEPLOY_MODE:-client}
COMMAND=${COMMAND:-train}
NUM_EXECUTORS=${NUM_EXECUTORS:-4}
EXECUTOR_CORES=${EXECUTOR_CORES:-2}
# An executor's container holds the heap, ND4J's arrays (off the heap, bounded by javacpp.maxbytes)
# and the JVM's own memory: memoryOverhead = off-heap + 1g unless set. The defaults make 8 GB
# containers, YARN's default yarn.scheduler.maximum-allocation-mb.
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-4g}
EXECUTOR_OFFHEAP=${EXECUTOR_OFFHEAP:-3g}
DRIVER_MEMORY=${DRIVER_MEMORY:-2g}

megabytes() {
  local v=${1,,}
  case $v in
    *g) echo $(( ${v%g} * 1024 )) ;;
    *m) echo "${v%m}" ;;
    *) echo "jobs/submit.sh: memory sizes are whole numbers with m or g, not '$1'" >&2; exit 2 ;;
  esac
}
heap_mb=$(megabytes "$EXECUTOR_MEMORY")
offheap_mb=$(megabytes "$EXECUTOR_OFFHEAP")
overhead_mb=$(megabytes "${EXECUTOR_OVERHEAD:-$(( offheap_mb + 1024 ))m}")
if (( overhead_mb < offheap_mb + 384 )); then
  echo "jobs/submit.sh: EXECUTOR_OVERHEAD (${overhead_mb} MB) must hold EXECUTOR_OFFHEAP (${offheap_mb} MB) plus the JVM's own memory" >&2
  exit 2
fi
# io.lstmjob.maxProcessBytes bounds the whole process (heap included): the container's size, so a worker
# frees memory or fails its task with the figures before the cluster manager kills the container.
# JavaCPP's own maxphysicalbytes check is off: it costs a system call per allocation under one lock.
container_mb=$(( heap_mb + overhead_mb ))

JAR=${JAR:-$(ls target/spark-lstm-job-*-cluster.jar 2>/dev/null | head -1 || true)}
if [[ -z $JAR ]]; then
  mvn -q -B -Pcluster -DskipTests package >&2
  JAR=$(ls target/spark-lstm-job-*-cluster.jar | head -1)
fi
APP_JAR=${APP_JAR:-$JAR}
spark_submit=${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit
# A driver that a standalone Worker starts (cluster deploy mode) does not get the module options
# spark-submit gives a client-mode driver: the JVM flags Spark needs on Java 17, from conf/java17.args.
driver_java_options=$(grep -v '^#' conf/java17.args | paste -sd ' ')

# The run id and the config overrides, for reading the outcome back.
args=("$@")
run_id=
overrides=()
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --run-id) run_id=${args[i + 1]:-}; i=$((i + 1)) ;;
    --run-id=*) run_id=${args[i]#--run-id=} ;;
    --kept-exit-code|--submission) i=$((i + 1)) ;;
    -*) ;;
    *=*) overrides+=("${args[i]}") ;;
  esac
done
records_outcome=false
if [[ $COMMAND == train || $COMMAND == retrain ]]; then
  records_outcome=true
  if [[ -z $run_id ]]; then
    run_id=$COMMAND-$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM
    args+=(--run-id "$run_id")
  fi
  submission=$(date -u +%Y%m%dT%H%M%SZ)-$$-$RANDOM
  args+=(--submission "$submission")
fi

config_arg=$config
if [[ $DEPLOY_MODE == cluster && $config != *://* ]]; then
  [[ -r $config ]] || { echo "jobs/submit.sh: cannot read the config $config" >&2; exit 2; }
  config_arg="data:application/hocon;name=$(basename "$config");base64,$(base64 -w0 < "$config")"
fi

submit=("$spark_submit"
  --master "$MASTER"
  --deploy-mode "$DEPLOY_MODE"
  --class io.lstmjob.cli.LstmJob
  --name "lstm-job $COMMAND $(basename "$config" .conf)"
  --executor-cores "$EXECUTOR_CORES"
  --executor-memory "${heap_mb}m"
  --driver-memory "$DRIVER_MEMORY"
  --conf spark.executor.memoryOverhead="${overhead_mb}m"
  --driver-java-options "$driver_java_options"
  --conf "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=${offheap_mb}m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dio.lstmjob.maxProcessBytes=${container_mb}m"
  --conf spark.executorEnv.OMP_NUM_THREADS=1
  --conf spark.task.cpus=1)
case $MASTER in
  spark://*)
    # Standalone counts cores, not executors; in cluster mode spark-submit returns at submission unless told to wait.
    submit+=(--total-executor-cores "$(( NUM_EXECUTORS * EXECUTOR_CORES ))"
      --conf spark.standalone.submit.waitAppCompletion=true) ;;
  yarn*)
    submit+=(--num-executors "$NUM_EXECUTORS" --conf spark.yarn.submit.waitAppCompletion=true
      --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1) ;;
  k8s://*)
    submit+=(--num-executors "$NUM_EXECUTORS" --conf spark.kubernetes.submission.waitAppCompletion=true
      --conf "spark.kubernetes.container.image=${K8S_IMAGE:?set K8S_IMAGE: an image with the cluster jar (jobs/k8s/Dockerfile)}"
      --conf "spark.kubernetes.namespace=${K8S_NAMESPACE:-default}"
      --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${K8S_SERVICE_ACCOUNT:-spark}"
      --conf spark.kubernetes.driverEnv.OMP_NUM_THREADS=1) ;;
  *)
    submit+=(--num-executors "$NUM_EXECUTORS") ;;
esac
[[ -n ${OPENBLAS_CORETYPE:-} ]] && submit+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE")
# EXTRA_SUBMIT_ARGS is split into words on purpose, but never globbed (spark.yarn.jars=hdfs:///spark/*.jar).
set -f
# shellcheck disable=SC2206
extra=(${EXTRA_SUBMIT_ARGS:-})
set +f
submit+=(${extra[@]+"${extra[@]}"})
submit+=("$APP_JAR" "$COMMAND" --config "$config_arg" ${args[@]+"${args[@]}"})

if [[ ${DRY_RUN:-0} == 1 ]]; then
  printf '%q ' "${submit[@]}"
  echo
  exit 0
fi

if [[ $DEPLOY_MODE != cluster || $records_outcome == false ]]; then
  exec "${submit[@]}"
fi

set +e
"${submit[@]}"
submitted=$?
# The driver ran elsewhere: its outcome, as it recorded it under the run id.
"$spark_submit" --master 'local[1]' --deploy-mode client --class io.lstmjob.cli.LstmJob --driver-memory 512m \
  --conf spark.ui.enabled=false ${extra[@]+"${extra[@]}"} \
  "$JAR" outcome --config "$config" --run-id "$run_id" --submission "$submission" ${overrides[@]+"${overrides[@]}"}
code=$?
if (( code == 1 && submitted != 0 )); then
  code=$submitted
fi
exit $code
