#!/usr/bin/env bash
# Training images/s on Fashion-MNIST, ResNetSharp side by side with Debian's PyTorch 1.13 on the CPU: resnet20 with one
# input channel, batch 128, random crop (padding 4) + flip, data in memory, in three configs: fp32 NCHW, fp32
# channels_last, bf16 autocast + channels_last. Runs are interleaved (ours, theirs, per config, ROUNDS times) so that
# load from other processes hits both alike; prints every run and the median ratio (ours / PyTorch) per config.
# Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), installed when missing.
# Each run times STEPS steps after WARMUP untimed ones (default 100: .NET's tiered JIT recompiles hot code for the
# first hundred or so steps, which a run of 29,000 steps never sees; PyTorch gets the same warmup).
# Usage: bench/fashion_mnist_speed.sh [STEPS (100)] [ROUNDS (3)]   Env: WARMUP (100)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-100}
ROUNDS=${2:-3}
WARMUP=${WARMUP:-100}
PY=/usr/bin/python3
DATA=/usr/share/datasets/fashion-mnist
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist; }
$PY -c "import torch" 2>/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-torch; }
dotnet build -c Release bench/ResNetSharp.Bench -v q -nologo >/dev/null
OURS=bench/ResNetSharp.Bench/bin/Release/net10.0/ResNetSharp.Bench
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F); shared machines are noisy: compare the ratios of one run"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$ROUNDS"); do
  for config in fp32-nchw fp32-cl bf16-cl; do
    $OURS fashion-mnist "$config" --steps "$STEPS" --warmup "$WARMUP" | tee -a "$results"
    (cd bench && $PY fashion_mnist_torch.py "$config" --steps "$STEPS" --warmup "$WARMUP" --dir "$DATA") | tee -a "$results"
  done
done
$PY - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
for config in ["fp32-nchw", "fp32-cl", "bf16-cl"]:
    ours = [r["images_per_sec"] for r in runs if r["config"] == config and r["impl"] == "resnetsharp"]
    theirs = [r["images_per_sec"] for r in runs if r["config"] == config and r["impl"] != "resnetsharp"]
    ratios = [o / t for o, t in zip(ours, theirs)]
    print(f"{config}: resnetsharp median {statistics.median(ours):.0f} images/s, pytorch {statistics.median(theirs):.0f} images/s, "
          f"median ratio {statistics.median(ratios):.2f}x (per round: {', '.join(f'{r:.2f}' for r in ratios)})")
PY
