#!/usr/bin/env bash
# Time to accuracy: epochs (and one worker's updater steps) that K workers need to reach the validation
# loss one worker reaches after E epochs, for K = 1, 2, 4, ..., 32, with the projected wall time.
#   jobs/time-to-accuracy.sh [--workers "1 2 4 8 16 32"] [--target-epochs E] [--max-epochs M]
#                            [--sequences N] [--seed S] [key=value ...]
# The data are docs/PERFORMANCE.md's W2-like sines (sin(0.05 t + phase) + 0.1 N(0,1), 16 channels,
# 2,201 steps), N sequences (default 512) drawn with numpy's default_rng(S), cut into segments of 200
# steps, so that at 32 workers every worker still has 20 minibatches of 8 per epoch. local[K] on this
# machine counts epochs and steps; wall time at K executors is projected from one worker's measured
# speed and the rounds' measured cost (see docs/PERFORMANCE.md). key=value settings go to every run
# (e.g. averaging.frequency=0 for the old per-epoch default).
set -euo pipefail
cd "$(dirname "$0")/.."
workers="1 2 4 8 16 32" target_epochs=2 max_epochs=8 sequences=512 seed=7 extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --target-epochs) target_epochs=$2; shift 2 ;;
    --max-epochs) max_epochs=$2; shift 2 ;;
    --sequences) sequences=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
dir=$(mktemp -d -t lstm-tta-XXXXXX)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$seed" "$sequences" "$dir/sines.csv" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1]))
t = np.arange(2201)
with open(sys.argv[3], "w") as f:
    f.write("id," + ",".join(f"c{i}" for i in range(16)) + "\n")
    for s in range(int(sys.argv[2])):
        phase = rng.uniform(0, 2 * np.pi, 16)
        x = np.sin(0.05 * t[:, None] + phase) + 0.1 * rng.standard_normal((2201, 16))
        np.savetxt(f, np.column_stack([np.full(2201, s), x]), fmt=["%d"] + ["%.4f"] * 16, delimiter=",")
PY
settings=(input.path="$dir/sines.csv" input.format=csv input.sequenceIdColumn=id input.orderColumn=
  "input.featureColumns=[]" "input.targetColumns=[]" model.name=sines "model.layers=[128]" train.batchSize=8
  train.learningRate=0.001 train.gradientClipping=none tbptt.forward=100 tbptt.backward=100 segment.length=200
  validation.fraction=0.0909)
# One run: K workers for E epochs; prints its metrics.json's path.
run() {
  local out="$dir/out-$1-$2"
  jobs/lstm-job-local.sh train "${settings[@]}" spark.master="local[$1]" spark.numPartitions="$1" \
    train.epochs="$2" output.path="$out" ${extra[@]+"${extra[@]}"} > "$dir/log-$1" 2>&1 \
    || { cat "$dir/log-$1" >&2; exit 1; }
  find "$out" -name metrics.json -path '*/v*' | head -1
}
echo "one worker, $max_epochs epochs ..." >&2
one=$(run 1 "$max_epochs")
report=("$one")
for k in $workers; do
  [[ $k == 1 ]] && continue
  echo "$k workers, $max_epochs epochs ..." >&2
  report+=("$(run "$k" "$max_epochs")")
done
/usr/bin/python3 - "$target_epochs" "${report[@]}" <<'PY'
import json, math, sys
target_epochs = int(sys.argv[1])
runs = [json.load(open(p)) for p in sys.argv[2:]]
one = runs[0]["epochs"]
target = one[target_epochs - 1]["validationLoss"]
# One worker's speed (tokens/s, averaging excluded) is what each of K executors would run at.
speed = sum(e["tokens"] for e in one) / sum(e["seconds"] - e["averagingSeconds"] for e in one)
print(f"target: validation loss {target:.5f} (one worker after {target_epochs} epochs); one worker {speed:,.0f} tokens/s")
print("| workers | epochs to target | one worker's updater steps | rounds | averaging s / round | projected wall s | loss after the last epoch |")
print("|---|---|---|---|---|---|---|")
for m in runs:
    k = m["dataset"]["partitions"]
    es = m["epochs"]
    # Updater steps of one worker per epoch: its minibatches x the 2 TBPTT windows of a 200-step segment.
    steps = math.ceil(m["dataset"]["trainSegments"] / k / 8) * 2
    reached = next((i for i, e in enumerate(es) if e["validationLoss"] <= target), None)
    last = es[-1]["validationLoss"]
    if reached is None:
        print(f"| {k} | > {len(es)} | > {steps * len(es):,} | | | | {last:.5f} |")
        continue
    before = es[reached - 1]["validationLoss"] if reached > 0 else m["initialValidation"]["loss"]
    after = es[reached]["validationLoss"]
    # The crossing epoch counts fractionally, by linear interpolation of its loss.
    frac = reached + (before - target) / (before - after) if before > after else reached + 1
    done = es[: reached + 1]
    rounds = sum(e["averagingRounds"] for e in done)
    averaging = sum(e["averagingSeconds"] for e in done)
    wall = sum(e["tokens"] for e in done) / k / speed + averaging
    print(f"| {k} | {frac:.2f} | {steps * frac:,.0f} | {rounds} | {averaging / rounds:.3f} | {wall:.1f} | {last:.5f} |")
PY
