#!/usr/bin/env bash
# resnet serve with an int8 ONNX model file against its fp32 model file (CPU, ONNX Runtime), side by side: two servers
# on loopback, hey at concurrency 16 against each in turn, ROUNDS times, so that load drifts hit both; images/s and
# the int8/fp32 ratio per round. Random weights (speed does not depend on the values), U8S8 QDQ calibrated on 16
# random images by bench/ResNetSharp.Bench (the library's Int8Quantizer). Results: docs/benchmarks.md.
#   bench/serve_int8.sh [MODEL] [N] [ROUNDS] [MAX_BATCH]     (defaults: resnet18 400 3 16)
# Needs: hey, python3-torch (for the test image); builds the CLI and the bench project in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-resnet18} n=${2:-400} rounds=${3:-3} max_batch=${4:-16}
work=$(mktemp -d) pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

dotnet build src/ResNetSharp.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/ResNetSharp.Bench -c Release -v q -nologo >/dev/null
resnet=src/ResNetSharp.Cli/bin/Release/net10.0/resnet
dotnet run -c Release --no-build --project bench/ResNetSharp.Bench -- int8 --models "$model" --batches "$max_batch" --rounds 1 --steps 1 --no-s8s8 --save "$work" > "$work/engine.jsonl"
/usr/bin/python3 -c "import torch, torchvision; torch.manual_seed(1); torchvision.io.write_png((torch.rand(3, 300, 400) * 255).to(torch.uint8), '$work/img.png')"

port=18110
for kind in fp32 int8; do
  port=$((port + 1))
  : > "$work/$kind.out"
  "$resnet" serve --model-file "$work/$model-$kind.onnx" --name "$kind" --port $port --max-batch "$max_batch" > "$work/$kind.out" 2>&1 &
  pids+=($!)
  until grep -q "^listening on" "$work/$kind.out"; do sleep 1; kill -0 "${pids[-1]}"; done
  echo "# $kind: $(cat "$work/$kind.out")"
  echo "$kind http://127.0.0.1:$port/v1/models/$kind/classify" >> "$work/urls"
done
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
rate() { hey -n "$1" -c 16 -m POST -T image/png -D "$work/img.png" "$2" | awk '/Requests\/sec/ {print $2} /^  \[[0-9]+\]/ && $1 != "[200]" {bad=1} END {if (bad) print "errors" > "/dev/stderr"}'; }
while read -r kind url; do rate 48 "$url" > /dev/null; done < "$work/urls"   # warm-up
echo "| round | fp32 images/s | int8 images/s | int8 / fp32 |"
echo "|---|---|---|---|"
for r in $(seq "$rounds"); do
  fp32=$(rate "$n" "$(awk '$1 == "fp32" {print $2}' "$work/urls")")
  int8=$(rate "$n" "$(awk '$1 == "int8" {print $2}' "$work/urls")")
  echo "| $r | $fp32 | $int8 | $(awk -v a="$int8" -v b="$fp32" 'BEGIN {printf "%.2f", a / b}') |"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
