#!/usr/bin/python3
"""PyTorch's side of bench/fashion_mnist_speed.sh: training images/s of resnet20 (bench/resnet20.py, one input
channel) on Fashion-MNIST held in memory as a uint8 tensor, batches of 128 drawn from a shuffled order with a random
crop (zero padding 4) and a horizontal flip, normalised, then forward, cross-entropy, backward and SGD (momentum 0.9,
weight decay 5e-5) on the CPU, with ResNetSharp's heap settings (bench/heap.py). Configs: fp32-nchw, fp32-cl
(channels_last), bf16-nchw, bf16-cl (torch.autocast bfloat16 + channels_last). Prints one JSON line with the fields of the C# side.
Usage: fashion_mnist_torch.py CONFIG [--steps N] [--warmup N] [--batch-size N] [--dir DIR]"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from heap import keep_freed_memory
from resnet20 import ResNet20


def idx(path: str, offset: int) -> np.ndarray:
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("config", choices=["fp32-nchw", "fp32-cl", "bf16-nchw", "bf16-cl"])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)   # as TorchSharp uses every core
    keep_freed_memory()   # as ResNetSharp keeps its own (bench/heap.py)
    images = torch.from_numpy(idx(os.path.join(a.dir, "train-images-idx3-ubyte.gz"), 16).copy()).view(-1, 1, 28, 28)
    labels = torch.from_numpy(idx(os.path.join(a.dir, "train-labels-idx1-ubyte.gz"), 8).astype(np.int64))
    channels_last = a.config.endswith("-cl")
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = ResNet20(10, in_chans=1).to(memory_format=fmt).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-5)
    g = torch.Generator().manual_seed(0)
    order = torch.randperm(len(images), generator=g)
    b = a.batch_size

    def batch(i: int):
        idxs = order[(i * b) % (len(order) - b):][:b]
        x = F.pad(images[idxs], (4, 4, 4, 4))
        dy, dx = torch.randint(0, 9, (2, b), generator=g)
        rows = (dy[:, None] + torch.arange(28))[:, None, :, None]
        cols = (dx[:, None] + torch.arange(28))[:, None, None, :]
        x = x[torch.arange(b)[:, None, None, None], 0, rows, cols]   # [b, 1, 28, 28]: one crop per image
        flip = torch.rand(b, generator=g) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        x = (x.float() / 255 - 0.2860) / 0.3530
        return x.contiguous(memory_format=fmt), labels[idxs]

    def step(i: int) -> None:
        x, y = batch(i)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.config.startswith("bf16")):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(a.warmup):
        step(i)
    start = time.perf_counter()
    for i in range(a.steps):
        step(a.warmup + i)
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": "pytorch " + torch.__version__, "config": a.config, "batch_size": b, "steps": a.steps,
                      "threads": torch.get_num_threads(), "images_per_sec": b * a.steps / seconds}))


if __name__ == "__main__":
    main()
