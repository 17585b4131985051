#!/usr/bin/env bash
# Runs `resnet bench` (TorchSharp) and bench/pytorch_reference.py (torchvision on PyTorch: eager AMP channels_last,
# and torch.compile) side by side on one GPU, with the same batch sizes, and prints the ratios.
#
#   bash bench/gpu_side_by_side.sh RESNET_DLL PYTORCH_REFERENCE [RESULTS_FILE]
#
# On the accelerator machine through the device bundle (see docs/benchmarks.md):
#   bash .gpu/on-device.sh bash .gpu/gpu_side_by_side.sh .gpu/app/resnet.dll .gpu/pytorch_reference.py $OUT/results.jsonl
# Each configuration runs in its own process, so its device memory is its own. Environment:
#   SECTIONS  which parts to run (default all four; each fits one 10-minute device call on its own):
#             train (training, both frameworks eager), compile (torch.compile training), infer (resnet50 inference,
#             fused TorchSharp against torch.compile, REPEATS interleaved rounds, medians), e2e (`resnet train` epochs)
#   STEPS     timed training steps (30); INFER_STEPS timed inference batches (100); REPEATS inference rounds (3)
set -uo pipefail
app=${1:?usage: gpu_side_by_side.sh RESNET_DLL PYTORCH_REFERENCE [RESULTS_FILE]}
ref=${2:?usage: gpu_side_by_side.sh RESNET_DLL PYTORCH_REFERENCE [RESULTS_FILE]}
results=${3:-results.jsonl}
steps=${STEPS:-30}
sections=" ${SECTIONS:-train compile infer e2e} "
: > "$results"
export PYTHONUNBUFFERED=1

run() {  # label, command...: appends {"label": ..., <the command's JSON>} to the results
  local label=$1; shift
  echo "== $label: $*" >&2
  local line
  line=$("$@" | tail -n 1) && [[ $line == \{* ]] && echo "{\"label\": \"$label\", ${line#\{}" >> "$results" || echo "   FAILED: $label" >&2
}
dn() { dotnet "$app" bench --device cuda --json --steps "$steps" --warmup 10 "$@" | tr -d '\n'; echo; }
py() { python3 "$ref" --steps "$steps" --warmup 10 "$@"; }
section() { [[ $sections == *" $1 "* ]]; }

r50="--model resnet50 --batch-size 256"
r18="--model resnet18_cifar --batch-size 512 --mode train --num-classes 10"
if section train; then
  run ts_r50_bf16_cl   dn $r50 --mode train --precision bf16 --channels-last
  run pt_r50_bf16_cl   py $r50 --mode train --precision bf16 --channels-last
  run ts_r18c_bf16_cl  dn $r18 --precision bf16 --channels-last
  run pt_r18c_bf16_cl  py $r18 --precision bf16 --channels-last
  run ts_r20_bf16_cl   dn --model resnet20 --batch-size 512 --mode train --precision bf16 --channels-last
  run ts_r50_fp32      dn $r50 --mode train
  run pt_r50_fp32      py $r50 --mode train --precision fp32
fi
if section compile; then
  run ptc_r50_bf16_cl  py $r50 --mode train --precision bf16 --channels-last --compile
  run ptc_r18c_bf16_cl py $r18 --precision bf16 --channels-last --compile
fi
# Inference: one batch takes ~9 ms, so single short runs differ by a few percent; rounds interleave the variants.
if section infer; then
  steps=${INFER_STEPS:-100}
  infer="$r50 --mode infer --precision bf16 --channels-last"
  for round in $(seq "${REPEATS:-3}"); do
    run ts_r50_infer_r$round       dn $infer
    run ts_r50_infer_stem4_r$round dn $infer --stem-channels 4
    run ts_r50_infer_stem8_r$round dn $infer --stem-channels 8
    run ptc_r50_infer_r$round      py $infer --compile
  done
  run pt_r50_infer py $infer
fi

# End to end: `resnet train` on 50,000 + 10,000 records in the official CIFAR-10 binary layout (random pixels and labels,
# so only the time counts), GPU-resident loader, evaluation every epoch; epoch times from the run's metrics.
if section e2e; then
  cifar=$(mktemp -d)
  python3 - "$cifar" <<'PY'
import os, sys
d = os.path.join(sys.argv[1], "cifar-10-batches-bin"); os.makedirs(d)
def write(name, n):  # records: 1 label byte + 3072 pixel bytes
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"".join(bytes([label % 10]) + os.urandom(3072) for label in os.urandom(n)))
for i in range(1, 6): write(f"data_batch_{i}.bin", 10000)
write("test_batch.bin", 10000)
open(os.path.join(d, "batches.meta.txt"), "w").write("".join(f"c{i}\n" for i in range(10)))
PY
  for m in resnet20 resnet18_cifar; do
    echo "== end to end: resnet train --model $m" >&2
    start=$EPOCHREALTIME
    dotnet "$app" train --model $m --data cifar10:"$cifar" --device cuda --precision bf16 --channels-last --epochs 3 \
      --batch-size 512 --out "$cifar/run-$m" > /dev/null || echo "   FAILED: end to end $m" >&2
    wall=$(python3 -c "print($EPOCHREALTIME - $start)")
    python3 - "$cifar/run-$m/metrics.jsonl" "$m" "$wall" >> "$results" <<'PY'
import json, sys
epochs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps({"label": f"e2e_{sys.argv[2]}", "model": sys.argv[2], "wall_seconds": float(sys.argv[3]), "epochs": epochs}))
PY
  done
fi

python3 - "$results" <<'PY'
import json, re, statistics, sys
rows = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
rounds = {}   # "ts_r50_infer_r2" -> rounds["ts_r50_infer"]: the rounds' results
for label, r in rows.items():
    if m := re.fullmatch(r"(.+)_r\d+", label): rounds.setdefault(m.group(1), []).append(r)
def get(label, key):   # a single run's value, or the median of the rounds'
    if label in rounds:
        values = [r[key] for r in rounds[label] if r.get(key)]
        return statistics.median(values) if values else None
    return rows.get(label, {}).get(key)
def line(what, ts, pt, key):
    a, b = get(ts, key), get(pt, key)
    ratio = f"{a / b:.2f}x" if a and b else "n/a"
    fmt = lambda v: "n/a" if v is None else (f"{v / 2**20:,.0f} MiB" if "memory" in key else f"{v:,.0f}")
    print(f"{what:58s} {fmt(a):>12s} {fmt(b):>12s} {ratio:>7s}")
print(f"{'':58s} {'TorchSharp':>12s} {'PyTorch':>12s} {'ratio':>7s}")
line("resnet50 train B=256 bf16 CL img/s vs eager AMP", "ts_r50_bf16_cl", "pt_r50_bf16_cl", "train_images_per_sec")
line("resnet50 train B=256 bf16 CL img/s vs torch.compile", "ts_r50_bf16_cl", "ptc_r50_bf16_cl", "train_images_per_sec")
line("resnet50 train B=256 bf16 device memory vs eager", "ts_r50_bf16_cl", "pt_r50_bf16_cl", "train_device_memory_bytes")
line("resnet18 CIFAR stem train B=512 bf16 CL img/s vs eager", "ts_r18c_bf16_cl", "pt_r18c_bf16_cl", "train_images_per_sec")
line("resnet18 CIFAR stem train B=512 bf16 CL vs torch.compile", "ts_r18c_bf16_cl", "ptc_r18c_bf16_cl", "train_images_per_sec")
line("resnet50 train B=256 fp32 NCHW img/s vs eager", "ts_r50_fp32", "pt_r50_fp32", "train_images_per_sec")
line("resnet50 infer B=256 bf16 CL fused img/s vs eager", "ts_r50_infer", "pt_r50_infer", "infer_images_per_sec")
line("resnet50 infer B=256 bf16 CL fused img/s vs torch.compile", "ts_r50_infer", "ptc_r50_infer", "infer_images_per_sec")
line("  same, input zero-padded to 4 channels, vs torch.compile", "ts_r50_infer_stem4", "ptc_r50_infer", "infer_images_per_sec")
line("  same, input zero-padded to 8 channels, vs torch.compile", "ts_r50_infer_stem8", "ptc_r50_infer", "infer_images_per_sec")
for label, runs in sorted(rounds.items()):
    print(f"  {label} rounds: " + ", ".join(f"{r.get('infer_images_per_sec') or 0:,.0f}" for r in runs) + " img/s")
for label, name in [("ts_r18c_bf16_cl", "resnet18 CIFAR stem"), ("ts_r20_bf16_cl", "resnet20")]:
    rate = get(label, "train_images_per_sec")
    if rate: print(f"TorchSharp {name} B=512 bf16 CL: {rate:,.0f} img/s = {50000 / rate:.2f} s of training steps per 50,000-image epoch")
for label in ("e2e_resnet20", "e2e_resnet18_cifar"):
    if label in rows:
        r = rows[label]
        print(f"resnet train {r['model']}, 50,000 CIFAR-format images, bf16 CL, B=512: " +
              ", ".join(f"epoch {e.get('epoch')} {e.get('seconds', 0):.1f} s" for e in r["epochs"]) + f"; whole command {r['wall_seconds']:.1f} s")
if "ts_r50_infer" in rounds:
    print(f"TorchSharp resnet50 unfused eval-mode inference: {get('ts_r50_infer', 'infer_unfused_images_per_sec') or 0:,.0f} img/s; "
          f"fused vs unfused relative difference {get('ts_r50_infer', 'infer_fused_relative_error')}")
PY
