#!/usr/bin/python3
"""PyTorch 1.13's own int8 CPU inference, the reference for `resnet quantize` (bench/int8_side_by_side.sh).

torchvision.models.quantization.<model> (conv-bn-relu fused, QuantStub/DeQuantStub, quantized add) prepared with the
onednn backend's default post-training qconfig (Debian's build has no fbgemm), calibrated on a few random batches and
converted; resnet20 (bench/resnet20.py, He et al.'s CIFAR net with option A shortcuts, 32x32 inputs; torchvision has
no quantized version) through FX graph mode quantization with the same backend's default qconfig mapping (its
zero-padding shortcut stays fp32, as in the project's QDQ model); next to it the fp32 model under
torch.jit.optimize_for_inference. Random weights: speed does not depend
on the values. Timed in interleaved rounds (median ms per batch). Prints one JSON object per batch size:

    python3 bench/pytorch_int8_infer.py --model resnet50 --batch-sizes 1,16
"""
import argparse
import json
import statistics
import time

import torch
import torchvision
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

from heap import keep_freed_memory
from resnet20 import ResNet20


def per_batch_ms(step, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) * 1000 / steps


def quantized(model: str):
    """(int8 model, fp32 optimize_for_inference model, input size) for one of the benchmark's models."""
    if model == "resnet20":
        net = ResNet20().eval()
        example = torch.randn(8, 3, 32, 32)
        q = prepare_fx(net, get_default_qconfig_mapping("onednn"), example_inputs=(example,))
        for _ in range(2):
            q(torch.randn(8, 3, 32, 32))
        return convert_fx(q), torch.jit.optimize_for_inference(torch.jit.script(net)), 32
    q = getattr(torchvision.models.quantization, model)(weights=None, quantize=False).eval()
    q.fuse_model(is_qat=False)
    q.qconfig = torch.ao.quantization.get_default_qconfig("onednn")
    torch.ao.quantization.prepare(q, inplace=True)
    for _ in range(2):
        q(torch.randn(8, 3, 224, 224))
    torch.ao.quantization.convert(q, inplace=True)
    return q, torch.jit.optimize_for_inference(torch.jit.script(getattr(torchvision.models, model)().eval())), 224


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet50", choices=["resnet18", "resnet20", "resnet50"])
    p.add_argument("--batch-sizes", default="1,16")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (default: PyTorch's own choice)")
    a = p.parse_args()
    keep_freed_memory()   # the heap settings ResNetSharp uses (bench/heap.py)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    torch.backends.quantized.engine = "onednn"
    with torch.no_grad():
        q, fp32, size = quantized(a.model)
        for b in [int(s) for s in a.batch_sizes.split(",")]:
            x = torch.randn(b, 3, size, size)
            steps = 32 // b + 1
            q(x), fp32(x)  # warm-up
            times = {"int8": [], "fp32": []}
            for _ in range(a.rounds):
                times["int8"].append(per_batch_ms(lambda: q(x), steps))
                times["fp32"].append(per_batch_ms(lambda: fp32(x), steps))
            ms = {k: statistics.median(v) for k, v in times.items()}
            print(json.dumps({"model": a.model, "batch": b, "torch": torch.__version__, "engine": torch.backends.quantized.engine,
                              "threads": torch.get_num_threads(), "int8_ms": ms["int8"], "fp32_optimize_for_inference_ms": ms["fp32"],
                              "int8_img_s": b * 1000 / ms["int8"], "fp32_img_s": b * 1000 / ms["fp32"]}), flush=True)


if __name__ == "__main__":
    main()
