#!/usr/bin/env bash
# int8 accuracy on real data (issue 21's target: at most 0.3 points of test top-1 lost, top-1 agreement with fp32 at
# least 99%): trains resnet20 on Fashion-MNIST with the recipe (fewer epochs by default), quantizes it with
# `resnet quantize` calibrated on the training split, and evaluates the fp32 checkpoint and the int8 model file on the
# 10,000 test images, the int8 file also for its top-1 agreement with the checkpoint.
# Data: Debian's dataset-fashion-mnist (installed when missing).
# Usage: bench/fashion_mnist_int8.sh [EPOCHS (10)] [RUN_DIR (runs/fashion-mnist-int8)] [METHOD (minmax)]
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-10}
RUN=${2:-runs/fashion-mnist-int8}
METHOD=${3:-minmax}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist; }
dotnet build -c Release src/ResNetSharp.Cli -v q -nologo >/dev/null
resnet() { dotnet src/ResNetSharp.Cli/bin/Release/net10.0/resnet.dll "$@"; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
[ -f "$RUN/best.safetensors" ] || resnet train --config recipes/fashion-mnist-resnet.yaml --epochs "$EPOCHS" --out "$RUN"
resnet quantize --checkpoint "$RUN/best.safetensors" --calibrate fashion-mnist --method "$METHOD" --out "$RUN/model.int8.onnx"
resnet eval --checkpoint "$RUN/best.safetensors" --data fashion-mnist
resnet eval --model-file "$RUN/model.int8.onnx" --data fashion-mnist --compare-to "$RUN/best.safetensors"
