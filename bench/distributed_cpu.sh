#!/usr/bin/env bash
# Data-parallel CPU throughput, side by side: resnet20, 128 images per step overall, 1 process with 2 threads against
# 2 Open MPI ranks of 1 thread each (64 images per rank), alternating for ROUNDS rounds; prints each run's JSON line and
# the ratio of the medians (2 ranks / 1 process). Usage: bench/distributed_cpu.sh [path/to/resnet.dll]
set -euo pipefail
DLL=${1:-src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll}
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-10}
common=(bench --model resnet20 --mode train --device cpu --channels-last --steps "$STEPS" --warmup 3 --json)
one=(); two=()
for r in $(seq "$ROUNDS"); do
  a=$(OMP_NUM_THREADS=2 dotnet "$DLL" "${common[@]}" --batch-size 128)
  b=$(mpirun --allow-run-as-root --oversubscribe -np 2 -x OMP_NUM_THREADS=1 dotnet "$DLL" "${common[@]}" --distributed --batch-size 64 \
    | python3 -c 'import sys; s = sys.stdin.read(); print(s[s.index("{"):].replace("\n", ""))')   # rank 0's JSON, after any terminal codes
  echo "round $r  1 process x 2 threads: $(echo "$a" | tr -d '\n')"
  echo "round $r  2 ranks x 1 thread:    $b"
  one+=("$(echo "$a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_images_per_sec"])')")
  two+=("$(echo "$b" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["train_images_per_sec"], d["train_comm_ms"] / d["train_step_ms"])')")
done
python3 - "${one[@]}" -- "${two[@]}" <<'PY'
import statistics, sys
args = sys.argv[1:]; cut = args.index("--")
one = [float(x) for x in args[:cut]]
pairs = [[float(v) for v in x.split()] for x in args[cut + 1:]]
two = [p[0] for p in pairs]; comm = [p[1] for p in pairs]
m1, m2 = statistics.median(one), statistics.median(two)
print(f"median img/s: 1 process x 2 threads {m1:.0f}, 2 ranks x 1 thread {m2:.0f}; ratio {m2 / m1:.2f}x; communication {statistics.median(comm):.1%} of the step")
PY
