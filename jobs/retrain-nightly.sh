#!/usr/bin/env bash
# Nightly warm-start retrain, for cron. Idempotent: the run id is the date (or RUN_ID), so
#  - a rerun after a crash resumes that night's run from its last checkpoint,
#  - a rerun after it published does nothing and reports the same outcome.
#
#   jobs/retrain-nightly.sh CONFIG [key=value ...]
#   crontab:  15 2 * * *  /opt/lstm-job/jobs/retrain-nightly.sh /opt/lstm-job/conf/sensors.conf >> /var/log/lstm-nightly.log 2>&1
#
# Exit code, for the scheduler:
#   0  the candidate beat the live model and is live now
#   10 the live model was better and stays live (the candidate is kept as a non-live version)
#   5  another run holds the model's lock (a stale one needs --break-stale-lock)
#   2  bad config, 3 bad input, 4 training diverged, 1 other failure: the live model is untouched
# in client and in cluster deploy mode alike (jobs/submit.sh reads a cluster-mode run's recorded outcome).
#
# RUNNER=local runs Spark in-process (jobs/lstm-job-local.sh); otherwise jobs/submit.sh with MASTER
# (and DEPLOY_MODE, resources: see jobs/submit.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=${1:?usage: retrain-nightly.sh CONFIG [key=value ...]}
shift
run_id=${RUN_ID:-nightly-$(date -u +%Y%m%d)}

if [[ ${RUNNER:-cluster} == local ]]; then
  "$here/lstm-job-local.sh" retrain --config "$config" --run-id "$run_id" "$@"
else
  COMMAND=retrain "$here/submit.sh" "$config" --run-id "$run_id" "$@"
fi
code=$?
case $code in
  0) echo "$(date -u +%FT%TZ) $run_id: promoted" ;;
  10) echo "$(date -u +%FT%TZ) $run_id: kept the live model" ;;
  5) echo "$(date -u +%FT%TZ) $run_id: model locked by another run" ;;
  *) echo "$(date -u +%FT%TZ) $run_id: failed with exit code $code; the live model is untouched" ;;
esac
exit $code
