"""Writes an ImageFolder of photo-like JPEGs (smooth gradients + textures + noise, about 500x375, quality 90) for the
data-loading benchmark: DIR/{train,val}/cNN/*.jpg.
Usage: /usr/bin/python3 make_photo_folder.py DIR [--train 512] [--val 128] [--classes 8] [--size 500x375]"""
import argparse, os
import torch
from PIL import Image


def uniform(g, lo, hi, n=1):
    return (lo + (hi - lo) * torch.rand(n, generator=g)).tolist()


def photo(g, w, h):
    y, x = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    img = torch.zeros(h, w, 3)
    for c in range(3):
        a, b, p = uniform(g, -1, 1, 3)
        img[..., c] = 128 + 60 * torch.sin(a * x / w * 6 + b * y / h * 6 + p * 6)          # smooth gradient
        fx, fy = uniform(g, 0.02, 0.3, 2)
        img[..., c] += 25 * torch.sin(fx * x) * torch.cos(fy * y)                         # texture
    for _ in range(6):                                                                     # soft blobs
        (cx,), (cy,), (r,) = uniform(g, 0, w), uniform(g, 0, h), uniform(g, 15, 90)
        mask = torch.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))[..., None]
        img = img * (1 - mask) + mask * torch.tensor(uniform(g, 0, 255, 3))
    img += 6 * torch.randn(img.shape, generator=g)                                         # sensor noise
    return Image.frombytes("RGB", (w, h), img.clamp(0, 255).to(torch.uint8).numpy().tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--train", type=int, default=512)
    ap.add_argument("--val", type=int, default=128)
    ap.add_argument("--classes", type=int, default=8)
    ap.add_argument("--size", default="500x375", help="landscape WxH; 30%% of the images are portrait")
    a = ap.parse_args()
    g = torch.Generator().manual_seed(0)
    for split, n in (("train", a.train), ("val", a.val)):
        for i in range(n):
            folder = os.path.join(a.dir, split, f"c{i % a.classes:02d}")
            os.makedirs(folder, exist_ok=True)
            big, small = (int(v) for v in a.size.split("x"))
            w, h = (big, small) if uniform(g, 0, 1)[0] < 0.7 else (small, big)
            photo(g, w, h).save(os.path.join(folder, f"{i:05d}.jpg"), quality=90)


if __name__ == "__main__":
    main()
