#!/usr/bin/env bash
# Time to accuracy on Fashion-MNIST, DAWNBench's way: ResNetSharp (`resnet train --config RECIPE`) and Debian's
# PyTorch 1.13 (bench/fashion_mnist_train.py: the same resnet20 and recipe, the data in memory) train one after the
# other on the same cores. PyTorch runs in its fastest configuration of fp32/bf16-autocast x NCHW/channels_last, picked
# by a short speed probe (bench/fashion_mnist_torch.py, STEPS steps each) unless CONFIG names one. Both write the wall
# time at each epoch end (metrics.jsonl's wall_seconds: since the first step, validation included); the script prints,
# for both, the wall time of the first epoch at or above 93% and 94% test top-1, the best top-1 and the mean training
# images/s with the ratios, and draws both curves in one PNG (bench/plot_time_to_accuracy.py). Both PyTorch scripts keep
# freed memory in the heap as ResNetSharp does (bench/heap.py).
# Usage: bench/time_to_accuracy.sh [RECIPE (recipes/fashion-mnist-resnet.yaml)] [CONFIG (best)] [OUT (runs/tta-<time>)]
# Env: STEPS (20) probe steps per PyTorch config; EPOCHS overrides the recipe's epochs on both sides (a quick check).
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPE=${1:-recipes/fashion-mnist-resnet.yaml}
CONFIG=${2:-best}
OUT=${3:-runs/tta-$(date -u +%Y%m%d-%H%M%S)}
STEPS=${STEPS:-20}
PY=/usr/bin/python3
DATA=/usr/share/datasets/fashion-mnist
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist; }
$PY -c "import torch, yaml" 2>/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-torch python3-yaml; }
dotnet build -c Release src/ResNetSharp.Cli -v q -nologo >/dev/null
RESNET=src/ResNetSharp.Cli/bin/Release/net10.0/resnet
mkdir -p "$OUT"
RECIPE=$(realpath "$RECIPE"); OUT=$(realpath "$OUT")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)" | tee "$OUT/machine.txt"
if [ "$CONFIG" = best ]; then
  for config in fp32-nchw fp32-cl bf16-nchw bf16-cl; do
    (cd bench && $PY fashion_mnist_torch.py "$config" --steps "$STEPS" --dir "$DATA")
  done | tee "$OUT/pytorch_probe.jsonl"
  CONFIG=$($PY -c 'import json,sys; print(max((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["images_per_sec"])["config"])' "$OUT/pytorch_probe.jsonl")
fi
echo "pytorch config: $CONFIG"
epochs=(); [ -z "${EPOCHS:-}" ] || epochs=(--epochs "$EPOCHS")
$RESNET train --config "$RECIPE" --out "$OUT/resnetsharp" "${epochs[@]}"
(cd bench && $PY fashion_mnist_train.py "$RECIPE" "$CONFIG" --out "$OUT/pytorch.jsonl" --dir "$DATA" "${epochs[@]}")
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)" | tee -a "$OUT/machine.txt"
$PY bench/plot_time_to_accuracy.py "$OUT/time_to_accuracy.png" "ResNetSharp=$OUT/resnetsharp/metrics.jsonl" "PyTorch $CONFIG=$OUT/pytorch.jsonl"
