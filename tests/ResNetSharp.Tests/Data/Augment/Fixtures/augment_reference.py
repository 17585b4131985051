"""Reference outputs of torchvision 0.14's AutoAugment-family ops on uint8 tensors, for AugmentOpsTests.

Each op goes through torchvision.transforms.autoaugment._apply_op (the dispatch AutoAugment, RandAugment and
TrivialAugmentWide use: magnitude semantics, NEAREST interpolation, fill None) with FIXED (op, signed magnitude) on two
deterministic images: a 3x24x32 colour image (non-square, so width/height mix-ups show) and a 1x28x28 grey one.
Usage: /usr/bin/python3 augment_reference.py > augment_reference.json
"""
import base64
import json

import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms.autoaugment import _apply_op


def image(channels, height, width, seed):
    """Smooth gradients, a bright square, a dark disc and noise, within [20, 220] (so AutoContrast has work)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(height, dtype=torch.float32).view(-1, 1)
    x = torch.arange(width, dtype=torch.float32).view(1, -1)
    planes = []
    for c in range(channels):
        p = 60 + 50 * torch.sin(x / (3 + c) + y / 7) + 40 * (y / height) + 30 * c
        p[height // 4:height // 2, width // 4:width // 2] += 70
        p[((y - 2 * height / 3) ** 2 + (x - 2 * width / 3) ** 2) < (min(height, width) / 5) ** 2] -= 50
        p += torch.randint(-12, 13, (height, width), generator=g).float()
        planes.append(p.clamp(20, 220))
    return torch.stack(planes).round().to(torch.uint8)


CASES = [
    ("Identity", [0.0]),
    ("ShearX", [0.3, -0.5, 0.99]),
    ("ShearY", [0.2, -0.99]),
    ("TranslateX", [9.0, -14.5, 32.0]),
    ("TranslateY", [5.7, -32.0]),
    ("Rotate", [30.0, -135.0, 17.5]),
    ("Brightness", [0.5, -0.9, 0.99]),
    ("Color", [0.66, -0.99]),
    ("Contrast", [0.4, -0.7, 0.99]),
    ("Sharpness", [0.9, -0.5]),
    ("Posterize", [2.0, 4.0, 6.0, 8.0]),
    ("Solarize", [255.0, 128.0, 8.5]),
    ("AutoContrast", [0.0]),
    ("Equalize", [0.0]),
    ("Invert", [0.0]),
]


def b64(t):
    return base64.b64encode(t.contiguous().numpy().tobytes()).decode()


images = [image(3, 24, 32, 1), image(1, 28, 28, 2)]
out = {"torchvision": __import__("torchvision").__version__, "images": [], "cases": []}
for img in images:
    out["images"].append({"shape": list(img.shape), "pixels": b64(img)})
for index, img in enumerate(images):
    for op, magnitudes in CASES:
        for m in magnitudes:
            result = _apply_op(img, op, m, interpolation=InterpolationMode.NEAREST, fill=None)
            out["cases"].append({"image": index, "op": op, "magnitude": m, "pixels": b64(result)})
print(json.dumps(out, indent=0))
