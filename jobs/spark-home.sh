#!/usr/bin/env bash
# Lays out a Spark distribution from the Spark jars at the pom's versions, without downloading one:
#
#   jobs/spark-home.sh [DIR]          # default target/spark-home; prints DIR
#   SPARK_HOME=$(jobs/spark-home.sh) MASTER=spark://host:7077 jobs/submit.sh conf/my-job.conf
#
# A distribution is jars/, a RELEASE file and bin/spark-class, which runs Spark's launcher library
# (org.apache.spark.launcher.Main) to build the java command line and then runs it; bin/spark-submit
# is spark-class with SparkSubmit. The tests run the real launcher through this; so can anyone
# without a Spark install (standalone Master/Worker: bin/spark-class org.apache.spark.deploy.master.Master).
# Rerunning is cheap: nothing is rebuilt while RELEASE names the same versions.
set -euo pipefail
cd "$(dirname "$0")/.."
home=${1:-target/spark-home}

version() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
spark=$(version spark.version)
scala=$(version scala.binary)
hadoop=$(version hadoop.version)
jackson=$(version jackson.version)
slf4j=$(version slf4j.version)
release="Spark $spark built for Hadoop $hadoop (Scala $scala, Jackson $jackson, SLF4J $slf4j), laid out by lstm-job's jobs/spark-home.sh"

if [[ ! -f $home/RELEASE || $(head -1 "$home/RELEASE") != "$release" ]]; then
  rm -rf "$home"
  mkdir -p "$home/jars" "$home/bin" "$home/conf"
  mvn -q -B -Dstyle.color=never -f jobs/spark-home/pom.xml dependency:copy-dependencies \
    -Dspark.version="$spark" -Dscala.binary="$scala" -Dhadoop.version="$hadoop" -Djackson.version="$jackson" -Dslf4j.version="$slf4j" \
    -DoutputDirectory="$(cd "$home/jars" && pwd)" >&2

  cat > "$home/bin/spark-class" <<'SCRIPT'
#!/usr/bin/env bash
# What a distribution's bin/spark-class does. Spark's launcher prints its messages line by line, then
# an empty line (a NUL byte, which bash drops), then the java command, NUL-separated, to which the
# exit code of the launcher itself is added here.
set -uo pipefail
export SPARK_HOME=${SPARK_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
export SPARK_SCALA_VERSION=${SPARK_SCALA_VERSION:-2.12}
export SPARK_CONF_DIR=${SPARK_CONF_DIR:-$SPARK_HOME/conf}
[[ -f $SPARK_CONF_DIR/spark-env.sh ]] && . "$SPARK_CONF_DIR/spark-env.sh"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
command=()
in_command=false
delimiter=$'\n'
while IFS= read -r -d "$delimiter" part; do
  if $in_command; then
    command+=("$part")
  elif [[ -z $part ]]; then
    in_command=true
    delimiter=''
  else
    echo "$part"
  fi
done < <("$java" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"; printf '%d\0' $?)
last=$((${#command[@]} - 1))
code=${command[$last]}
if [[ $code != 0 ]]; then
  exit "$code"
fi
exec "${command[@]:0:$last}"
SCRIPT
  cat > "$home/bin/spark-submit" <<'SCRIPT'
#!/usr/bin/env bash
exec "$(dirname "$0")/spark-class" org.apache.spark.deploy.SparkSubmit "$@"
SCRIPT
  chmod +x "$home/bin/spark-class" "$home/bin/spark-submit"
  echo "$release" > "$home/RELEASE"
fi
cd "$home" && pwd
