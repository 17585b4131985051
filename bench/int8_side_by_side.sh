#!/usr/bin/env bash
# int8 inference side by side on this machine's CPU: ResNetSharp's QDQ int8 models (U8S8 and S8S8) against the
# project's fp32 ONNX Runtime engine (C#, bench/ResNetSharp.Bench int8), and PyTorch 1.13's own int8
# (torchvision.models.quantization, and FX graph mode for resnet20; onednn) against its fp32 optimize_for_inference (bench/pytorch_int8_infer.py).
# The two runs alternate model by model, twice, so that load drifts hit both; compare ratios within one run.
# Usage: bench/int8_side_by_side.sh [OUT.jsonl]   (default bench/results/int8-<host>-<date>.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/int8-$(hostname)-$(date +%F).jsonl}"
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $sudo apt-get install -y python3-torch python3-torchvision
fi
dotnet build -c Release bench/ResNetSharp.Bench >/dev/null
mkdir -p "$(dirname "$out")"
{
  echo "{\"date\":\"$(date -Iseconds)\",\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"cores\":$(nproc),\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
  for pass in 1 2; do
    for model in resnet20 resnet18 resnet50; do
      dotnet run -c Release --no-build --project bench/ResNetSharp.Bench -- int8 --models "$model" --batches 1,16
      /usr/bin/python3 bench/pytorch_int8_infer.py --model "$model" --batch-sizes 1,16 --threads "$(nproc)"
    done
  done
} | tee "$out"
