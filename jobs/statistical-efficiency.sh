#!/usr/bin/env bash
# Statistical efficiency: validation loss per epoch of K workers against one worker, on the same data.
#   jobs/statistical-efficiency.sh [--workers K] [--seed S] [--epochs E] [key=value ...]
# The data are docs/PERFORMANCE.md's W2-like sines: 32 sequences x 2,201 steps x 16 channels,
# sin(0.05 t + phase) + 0.1 N(0,1), drawn with numpy's default_rng(S) (python3-numpy, as for the
# PyTorch peer). key=value settings go to both runs (e.g. averaging.blockMomentum=0).
set -euo pipefail
cd "$(dirname "$0")/.."
workers=2 seed=7 epochs=8 extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
dir=$(mktemp -d -t lstm-stateff-XXXXXX)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$seed" "$dir/sines.csv" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1]))
t = np.arange(2201)
with open(sys.argv[2], "w") as f:
    f.write("id," + ",".join(f"c{i}" for i in range(16)) + "\n")
    for s in range(32):
        phase = rng.uniform(0, 2 * np.pi, 16)
        x = np.sin(0.05 * t[:, None] + phase) + 0.1 * rng.standard_normal((2201, 16))
        for row in x:
            f.write(f"s{s}," + ",".join(f"{v:.4f}" for v in row) + "\n")
PY
settings=(input.path="$dir/sines.csv" input.format=csv input.sequenceIdColumn=id input.orderColumn=
  "input.featureColumns=[]" "input.targetColumns=[]" model.name=sines "model.layers=[128]" train.epochs="$epochs"
  train.batchSize=8 train.learningRate=0.001 train.gradientClipping=none tbptt.forward=100 tbptt.backward=100
  segment.length=2000 validation.fraction=0.0909 output.path="$dir/out")
curve() {  # workers -> the validation losses of epochs 1..E
  jobs/lstm-job-local.sh train "${settings[@]}" spark.master="local[$1]" spark.numPartitions="$1" ${extra[@]+"${extra[@]}"} 2>&1 \
    | grep -o 'validation loss [0-9.]*,' | tr -d ',' | awk '{printf "%s ", $3}'
}
one=$(curve 1)
many=$(curve "$workers")
echo "1 worker:    $one"
echo "$workers workers:   $many"
last() { awk '{print $NF}' <<< "$1"; }
awk -v a="$(last "$one")" -v b="$(last "$many")" 'BEGIN { printf "after epoch %d: %+.1f%% against one worker\n", '"$epochs"', (b / a - 1) * 100 }'
