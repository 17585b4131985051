#!/usr/bin/python3
"""PyTorch's side of bench/time_to_accuracy.sh: trains resnet20 (bench/resnet20.py, one input channel) on Fashion-MNIST
with the recipe of a ResNetSharp recipe file (the keys model, epochs, batch-size, lr, momentum, nesterov, weight-decay,
schedule onecycle|cosine, warmup-epochs, label-smoothing, augment crop[=PAD]/flip, ema, tta, seed), the way
`resnet train` does it: data in memory as uint8, the last partial training batch dropped, random crop after zero
padding + horizontal flip, normalised by the training set's mean and std (0.2860, 0.3530), SGD without weight decay on
batch-norm parameters and biases, the learning rate set per step (PyTorch's OneCycleLR formula, no momentum cycling),
an exponential moving average of the parameters and batch-norm statistics (torchvision's EMA: the batch counts copied,
a plain copy until `warmup-epochs` end) validated instead of the weights when `ema` is set, and with `tta: flip` the
validation averaging each test image's and its mirror image's probabilities.
The heap keeps freed memory as ResNetSharp's does (bench/heap.py). CONFIG picks precision and layout: fp32-nchw, fp32-cl, bf16-nchw, bf16-cl (torch.autocast bfloat16).
Appends one JSON line per epoch to --out: epoch, val_top1, train_loss, seconds (training), wall_seconds (since the
first step, validation included), images_per_s.
Usage: fashion_mnist_train.py RECIPE CONFIG --out FILE [--dir DIR] [--epochs N] [--train-images N]"""
import argparse
import copy
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
import yaml

from heap import keep_freed_memory
from resnet20 import ResNet20

MEAN, STD = 0.2860, 0.3530


def idx(path: str, offset: int) -> np.ndarray:
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load(folder: str, prefix: str):
    images = torch.from_numpy(idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), 16).copy()).view(-1, 1, 28, 28)
    labels = torch.from_numpy(idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), 8).astype(np.int64))
    return images, labels


def lr_at(r: dict, step: int, total: int, per_epoch: int) -> float:
    base = float(r["lr"])
    warm = float(r.get("warmup-epochs", 0)) * per_epoch
    if r.get("schedule", "onecycle") == "cosine":
        if step < warm:
            return base * (step + 1) / warm
        return base / 2 * (math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm))) + 1)
    initial = base / 25
    final = initial / 1e4
    end1 = (warm / total if warm > 0 else 0.3) * total - 1
    cos = lambda a, b, pct: b + (a - b) / 2 * (math.cos(math.pi * min(1.0, pct)) + 1)
    return cos(initial, base, step / end1 if end1 > 0 else 1) if step <= end1 else cos(base, final, (step - end1) / (total - 1 - end1))


def augmentation(spec: str):
    parts = dict((p.split("=") + [""])[:2] for p in str(spec).replace(" ", "").split(",") if p)
    if "standard" in parts:
        parts.setdefault("crop", "4")
        parts.setdefault("flip", "")
    unknown = set(parts) - {"crop", "flip", "standard", "none"}
    if unknown:
        raise SystemExit(f"fashion_mnist_train.py: augment {sorted(unknown)} not mirrored here; use crop[=PAD] and flip")
    return (int(parts["crop"] or 4) if "crop" in parts else 0), "flip" in parts


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("recipe")
    p.add_argument("config", choices=["fp32-nchw", "fp32-cl", "bf16-nchw", "bf16-cl"])
    p.add_argument("--out", required=True)
    p.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int)
    p.add_argument("--train-images", type=int, help="train on the first N images only (a smoke test)")
    a = p.parse_args()
    r = yaml.safe_load(open(a.recipe))
    if r.get("model", "resnet20") != "resnet20":
        raise SystemExit("fashion_mnist_train.py mirrors resnet20 only")
    epochs = a.epochs if a.epochs is not None else int(r["epochs"])
    b = int(r.get("batch-size", 128))
    pad, flip = augmentation(r.get("augment", "flip"))
    torch.set_num_threads(os.cpu_count() or 1)   # as TorchSharp uses every core
    keep_freed_memory()   # as ResNetSharp keeps its own (bench/heap.py)
    torch.manual_seed(int(r.get("seed", 42)))
    images, labels = load(a.dir, "train")
    images, labels = images[:a.train_images], labels[:a.train_images]
    test_x, test_y = load(a.dir, "t10k")
    fmt = torch.channels_last if a.config.endswith("-cl") else torch.contiguous_format
    bf16 = a.config.startswith("bf16")
    model = ResNet20(10, in_chans=1).to(memory_format=fmt).train()
    decay = [q for n, q in model.named_parameters() if q.ndim > 1]
    no_decay = [q for n, q in model.named_parameters() if q.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": float(r.get("weight-decay", 5e-4))},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=0.0, momentum=float(r.get("momentum", 0.9)), nesterov=bool(r.get("nesterov", True)))
    ema_decay = r.get("ema")
    ema = copy.deepcopy(model).eval() if ema_decay else None
    if ema is not None:   # parameters and batch-norm statistics are averaged, the batch counts copied
        ema_state, model_state = ema.state_dict(keep_vars=True), model.state_dict(keep_vars=True)
        ema_floats = [ema_state[k].data for k, v in model_state.items() if v.is_floating_point()]
        model_floats = [v.data for v in model_state.values() if v.is_floating_point()]
        ema_counts = [ema_state[k].data for k, v in model_state.items() if not v.is_floating_point()]
        model_counts = [v.data for v in model_state.values() if not v.is_floating_point()]
    tta_flip = str(r.get("tta", "none")) == "flip"
    smoothing = float(r.get("label-smoothing", 0))
    per_epoch = len(images) // b
    total = per_epoch * epochs
    first_averaged = int(float(r.get("warmup-epochs", 0)) * per_epoch) + 2
    test = ((test_x.float() / 255 - MEAN) / STD).contiguous(memory_format=fmt)

    def batch(idxs):
        x = images[idxs]
        n = len(idxs)
        if pad:
            x = F.pad(x, (pad, pad, pad, pad))
            dy, dx = torch.randint(0, 2 * pad + 1, (2, n))
            rows = (dy[:, None] + torch.arange(28))[:, None, :, None]
            cols = (dx[:, None] + torch.arange(28))[:, None, None, :]
            x = x[torch.arange(n)[:, None, None, None], 0, rows, cols]
        if flip:
            x = torch.where((torch.rand(n) < 0.5)[:, None, None, None], x.flip(3), x)
        return ((x.float() / 255 - MEAN) / STD).contiguous(memory_format=fmt), labels[idxs]

    def evaluate(net) -> float:
        net.eval()
        correct = 0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for i in range(0, len(test), 500):
                x = test[i:i + 500]
                scores = net(x).float().log_softmax(1)
                if tta_flip:   # the mean of the image's and its mirror image's probabilities
                    scores = torch.stack([scores, net(x.flip(3)).float().log_softmax(1)]).logsumexp(0)
                correct += (scores.argmax(1) == test_y[i:i + 500]).sum().item()
        return correct / len(test)

    step = 0
    wall = 0.0
    with open(a.out, "w") as out:
        for epoch in range(epochs):
            model.train()
            start = time.perf_counter()
            order = torch.randperm(len(images))
            loss_sum = 0.0
            for i in range(per_epoch):
                x, y = batch(order[i * b:(i + 1) * b])
                for g in opt.param_groups:
                    g["lr"] = lr_at(r, step, total, per_epoch)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    loss = F.cross_entropy(model(x), y, label_smoothing=smoothing)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                loss_sum += loss.item()
                if ema is not None:
                    with torch.no_grad():   # a copy until warmup ends, then decay * average + (1 - decay) * model
                        if step < first_averaged:
                            for e, m in zip(ema_floats, model_floats):
                                e.copy_(m)
                        else:   # PyTorch 1.13 has no _foreach_lerp_
                            torch._foreach_mul_(ema_floats, float(ema_decay))
                            torch._foreach_add_(ema_floats, model_floats, alpha=1 - float(ema_decay))
                        for e, m in zip(ema_counts, model_counts):
                            e.copy_(m)
            seconds = time.perf_counter() - start
            top1 = evaluate(ema if ema is not None else model)
            wall += time.perf_counter() - start
            out.write(json.dumps({"epoch": epoch + 1, "val_top1": top1, "train_loss": loss_sum / per_epoch,
                                  "seconds": seconds, "wall_seconds": wall, "images_per_s": per_epoch * b / seconds,
                                  "impl": "pytorch " + torch.__version__, "config": a.config}) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
