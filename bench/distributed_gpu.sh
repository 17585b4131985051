#!/usr/bin/env bash
# NCCL checks on a CUDA machine (not yet run: no GPU was lent when this was written). With one GPU: NCCL at world size 1,
# `resnet train --distributed` end to end on the GPU (its summary reports the communication time) and
# `resnet bench --distributed`. With N GPUs (NGPUS=8): the scaling of the training step, N GPUs against one, at a fixed
# per-GPU batch. Needs torchrun (PyTorch), and libnccl.so.2 / libcudart on LD_LIBRARY_PATH (PyTorch's wheels:
# site-packages/nvidia/nccl/lib, nvidia/cuda_runtime/lib). Usage: bench/distributed_gpu.sh path/to/resnet [OUT_DIR]
set -euo pipefail
APP=$1
OUT=${2:-/tmp/resnet-dist}
NGPUS=${NGPUS:-1}
site=$(python3 -c "import site; print(site.getsitepackages()[0])")
export LD_LIBRARY_PATH="$site/nvidia/nccl/lib:$site/nvidia/cuda_runtime/lib:${LD_LIBRARY_PATH:-}"
mkdir -p "$OUT"
bench=(bench --distributed --model resnet50 --batch-size 256 --device cuda --precision bf16 --channels-last --mode train --steps 30 --json)

# World size 1: training end to end on NCCL, then the step benchmark.
torchrun --nproc-per-node 1 --no-python "$APP" train --distributed --device cuda --precision bf16 --epochs 2 --out "$OUT/train-1"
torchrun --nproc-per-node 1 --no-python "$APP" "${bench[@]}" | tee "$OUT/bench-1.json"

if [ "$NGPUS" -gt 1 ]; then
  torchrun --nproc-per-node "$NGPUS" --no-python "$APP" "${bench[@]}" | tee "$OUT/bench-$NGPUS.json"
  python3 - "$OUT/bench-1.json" "$OUT/bench-$NGPUS.json" "$NGPUS" <<'PY'
import json, sys
def rank0(path):   # rank 0's JSON document, after any terminal codes
    text = open(path).read()
    return json.loads(text[text.index("{"):])
one, many = rank0(sys.argv[1]), rank0(sys.argv[2])
n = int(sys.argv[3])
print(f"{n} GPUs: {many['train_images_per_sec'] / one['train_images_per_sec']:.2f}x one GPU (target {0.875 * n:.1f}x for 8: 7x); "
      f"communication {many['train_comm_ms']:.1f} of {many['train_step_ms']:.1f} ms per step")
PY
fi
