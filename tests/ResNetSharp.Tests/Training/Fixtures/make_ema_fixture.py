"""Reference for WeightAverageTests: torchvision's EMA of a model's weights and batch-norm buffers, computed by
PyTorch 1.13's own torch.optim.swa_utils.AveragedModel(use_buffers=True) with the avg_fn of torchvision 0.14's
references/classification/utils.py (ExponentialMovingAverage) and the update loop of its train.py (an update every
step, ema_steps = 1; the average reset during the lr warmup), written as ema_reference.json.
Usage: /usr/bin/python3 make_ema_fixture.py > ema_reference.json

The model is a module with the state_dict of ResNetSharp's tiny ResNet (Cifar stem, Layers [1], Widths [2],
InChannels 1, NumClasses 2, ZeroPad shortcut): the averaging reads only names, shapes and dtypes, so the values are
set by hand before every step (a fixed formula) instead of by training. num_batches_tracked is an integer buffer:
AveragedModel would average it and truncate into int64; ResNetSharp copies it (timm's ModelEmaV3), so its expected
value is the live one.
"""
import json
import math

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

# name -> (shape, kind): "param", "buffer" (float) or "count" (int64)
STATE = [
    ("conv1.weight", [2, 1, 3, 3], "param"),
    ("bn1.weight", [2], "param"), ("bn1.bias", [2], "param"),
    ("bn1.running_mean", [2], "buffer"), ("bn1.running_var", [2], "buffer"), ("bn1.num_batches_tracked", [], "count"),
    ("layer1.0.conv1.weight", [2, 2, 3, 3], "param"),
    ("layer1.0.bn1.weight", [2], "param"), ("layer1.0.bn1.bias", [2], "param"),
    ("layer1.0.bn1.running_mean", [2], "buffer"), ("layer1.0.bn1.running_var", [2], "buffer"),
    ("layer1.0.bn1.num_batches_tracked", [], "count"),
    ("layer1.0.conv2.weight", [2, 2, 3, 3], "param"),
    ("layer1.0.bn2.weight", [2], "param"), ("layer1.0.bn2.bias", [2], "param"),
    ("layer1.0.bn2.running_mean", [2], "buffer"), ("layer1.0.bn2.running_var", [2], "buffer"),
    ("layer1.0.bn2.num_batches_tracked", [], "count"),
    ("fc.weight", [2, 2], "param"), ("fc.bias", [2], "param"),
]


def build():
    """A module whose state_dict has STATE's names, shapes and dtypes (submodules made along the dotted names)."""
    root = nn.Module()
    for name, shape, kind in STATE:
        *path, leaf = name.split(".")
        module = root
        for part in path:
            if not hasattr(module, part):
                module.add_module(part, nn.Module())
            module = getattr(module, part)
        if kind == "param":
            module.register_parameter(leaf, nn.Parameter(torch.zeros(shape)))
        else:
            module.register_buffer(leaf, torch.zeros(shape, dtype=torch.int64 if kind == "count" else torch.float32))
    return root


def live_value(index, shape, kind, step):
    """The model's value of tensor `index` before update `step` (0: the initial weights the average starts from)."""
    if kind == "count":
        return torch.tensor(7 * step + index, dtype=torch.int64)
    n = math.prod(shape)
    v = [math.sin(0.37 * j + 1.3 * step + 0.71 * index) + 0.05 * step for j in range(n)]
    if kind == "buffer" and "running_var" in STATE[index][0]:
        v = [1.0 + 0.5 * x for x in v]  # a variance stays positive
    return torch.tensor(v, dtype=torch.float32).reshape(shape)


def set_live(model, step):
    state = model.state_dict()
    with torch.no_grad():
        for index, (name, shape, kind) in enumerate(STATE):
            state[name].copy_(live_value(index, shape, kind, step))


# torchvision's train.py: adjust = world_size * batch_size * model_ema_steps / epochs; alpha = 1 - model_ema_decay;
# alpha = min(1.0, alpha * adjust); ExponentialMovingAverage(model, decay=1.0 - alpha).
WORLD_SIZE, BATCH_SIZE, EMA_STEPS, EPOCHS, EMA_DECAY = 1, 4, 1, 8, 0.9
alpha = min(1.0, (1.0 - EMA_DECAY) * (WORLD_SIZE * BATCH_SIZE * EMA_STEPS / EPOCHS))
decay = 1.0 - alpha


def values(t):
    """A tensor's values, flattened; float32 values with 9 significant digits (enough to round-trip)."""
    return [v if isinstance(v, int) else float(f"{v:.9g}") for v in t.reshape(-1).tolist()]


def ema_avg(avg_model_param, model_param, num_averaged):  # torchvision's ExponentialMovingAverage.ema_avg
    return decay * avg_model_param + (1 - decay) * model_param


out = {"torch": torch.__version__, "decay": decay, "cases": []}
for warmup_steps in (0, 2):
    torch.manual_seed(0)
    model = build()
    set_live(model, 0)
    # torchvision builds the average from the initial model: AveragedModel deep-copies it (values of step 0).
    ema = AveragedModel(model, device=None, avg_fn=ema_avg, use_buffers=True)
    steps = []
    for step in range(1, 7):  # step = the optimizer step just taken (1-based); here the lr warmup has warmup_steps
        set_live(model, step)
        ema.update_parameters(model)
        if step <= warmup_steps:  # train.py: if epoch < args.lr_warmup_epochs: model_ema.n_averaged.fill_(0)
            ema.n_averaged.fill_(0)
        live = model.state_dict()
        expected = {}
        for name, tensor in ema.module.state_dict().items():
            kind = dict((n, k) for n, _, k in STATE)[name]
            value = live[name] if kind == "count" else tensor  # integer buffers: copied (see the docstring)
            expected[name] = values(value)
        steps.append({"step": step, "live": {n: values(t) for n, t in live.items()}, "expected": expected})
    out["cases"].append({"warmup_steps": warmup_steps, "initial": {n: values(live_value(i, s, k, 0)) for i, (n, s, k) in enumerate(STATE)}, "steps": steps})
out["shapes"] = {n: s for n, s, _ in STATE}
print(json.dumps(out))
