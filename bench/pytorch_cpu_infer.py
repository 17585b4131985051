#!/usr/bin/python3
"""CPU inference reference for `resnet bench --mode infer --engine onnxruntime`: Debian's PyTorch (python3-torch)
on the same configuration, timed the same way (warm-up steps, then `steps` timed forward passes, no grad).

Prints one JSON object: images/s of eager channels_last and of torch.jit.optimize_for_inference (frozen TorchScript,
conv-bn folding, MKLDNN where available), with the heap settings ResNetSharp uses (bench/heap.py), on every core:

    python3 bench/pytorch_cpu_infer.py --model resnet50 --batch-size 16
"""
import argparse
import json
import os
import time

import torch
import torchvision

from heap import keep_freed_memory


def timed(step, warmup: int, steps: int) -> float:
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet50")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    keep_freed_memory()   # the heap settings ResNetSharp uses (bench/heap.py)
    torch.set_num_threads(os.cpu_count() or 1)   # as TorchSharp and ONNX Runtime use every core (Debian's build starts at 1)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.model)().eval()
    x = torch.randn(a.batch_size, 3, 224, 224)
    with torch.no_grad():
        cl = model.to(memory_format=torch.channels_last)
        xc = x.to(memory_format=torch.channels_last)
        eager = a.batch_size * a.steps / timed(lambda: cl(xc), a.warmup, a.steps)
        optimized = torch.jit.optimize_for_inference(torch.jit.script(model.eval()))
        jit = a.batch_size * a.steps / timed(lambda: optimized(xc), a.warmup, a.steps)
    print(json.dumps({"model": a.model, "batch_size": a.batch_size, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "eager_channels_last_images_per_sec": eager, "optimize_for_inference_images_per_sec": jit}))


if __name__ == "__main__":
    main()
