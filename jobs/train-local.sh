#!/usr/bin/env bash
# Train on this machine with Spark local[*]: no Spark installation needed.
#   jobs/train-local.sh [--config FILE] [key=value ...]
# Builds the project on first use, then trains with conf/default.conf (built into the jar) on
# data-samples/, writing under ./output unless output.path says otherwise.
exec "$(dirname "$0")/lstm-job-local.sh" train "$@"
