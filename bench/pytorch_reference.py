#!/usr/bin/env python3
"""PyTorch/torchvision reference for `resnet bench`: the same configurations, timed the same way.

One configuration per process (so device memory is the configuration's own), printed as one JSON object with the
field names of `resnet bench --json`. Examples:

    python3 bench/pytorch_reference.py --model resnet50 --batch-size 256 --precision bf16 --channels-last
    python3 bench/pytorch_reference.py --model resnet50 --batch-size 256 --precision bf16 --channels-last --compile
    python3 bench/pytorch_reference.py --model resnet18_cifar --batch-size 512 --precision bf16 --channels-last --mode train

Training step: forward, cross-entropy, backward, SGD (momentum 0.9, weight decay 5e-5), loss accumulated on the
device (no .item() per step); bf16 is torch.autocast(bfloat16) over fp32 weights; cudnn.benchmark on; synthetic data
on the GPU; warm-up steps, then `steps` timed steps between two torch.cuda.synchronize() calls.
Device memory is total minus free (torch.cuda.mem_get_info) after training: the CUDA context plus the caching
allocator's reserve, as `resnet bench` reports it; max_memory_allocated/reserved are printed too.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torchvision


def build(name: str, num_classes: int) -> tuple[nn.Module, int]:
    if name.endswith("_cifar"):  # torchvision net with the CIFAR stem: 3x3 stride-1 conv, no max-pool (ResNetSharp's StemKind.Cifar)
        model = getattr(torchvision.models, name[: -len("_cifar")])(num_classes=num_classes)
        model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
        return model, 32
    return getattr(torchvision.models, name)(num_classes=num_classes), 224


def timed(step, warmup: int, steps: int) -> float:
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet50")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="bf16")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (default mode)")
    p.add_argument("--mode", choices=["train", "infer", "both"], default="both")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--num-classes", type=int, default=1000)
    a = p.parse_args()

    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda")
    model, size = build(a.model, a.num_classes)
    model = model.to(device)
    memory_format = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    x = torch.randn(a.batch_size, 3, size, size, device=device).to(memory_format=memory_format)
    y = torch.randint(0, a.num_classes, (a.batch_size,), device=device)
    dtype = torch.bfloat16 if a.precision == "bf16" else torch.float32
    autocast = lambda: torch.autocast("cuda", dtype=torch.bfloat16, enabled=a.precision == "bf16")
    result = dict(model=a.model, batch_size=a.batch_size, image_size=size, device="cuda", precision=a.precision,
                  channels_last=a.channels_last, compile=a.compile, steps=a.steps, framework=f"torch {torch.__version__}",
                  gpu=torch.cuda.get_device_name())

    if a.mode != "infer":
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-5)
        fwd = torch.compile(model) if a.compile else model
        loss_sum = torch.zeros((), device=device)

        def train_step():
            opt.zero_grad(set_to_none=True)
            with autocast():
                loss = nn.functional.cross_entropy(fwd(x).float(), y)
            loss.backward()
            opt.step()
            loss_sum.add_(loss.detach())

        seconds = timed(train_step, a.warmup, a.steps)
        free, total = torch.cuda.mem_get_info()
        result.update(train_images_per_sec=a.batch_size * a.steps / seconds, train_step_ms=seconds * 1000 / a.steps,
                      train_device_memory_bytes=total - free, train_max_memory_allocated=torch.cuda.max_memory_allocated(),
                      train_max_memory_reserved=torch.cuda.max_memory_reserved())
        del opt

    if a.mode != "train":
        model.eval()
        fwd = torch.compile(model) if a.compile else model

        @torch.inference_mode()
        def infer_step():
            with autocast():
                fwd(x)

        seconds = timed(infer_step, a.warmup, a.steps)
        result.update(infer_images_per_sec=a.batch_size * a.steps / seconds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
