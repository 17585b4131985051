#!/usr/bin/python3
"""Time to accuracy, DAWNBench's way, from metrics.jsonl files (one JSON object per epoch with val_top1 and
wall_seconds, as `resnet train` and bench/fashion_mnist_train.py write them): prints, for each run, the wall time of
the first epoch at or above 93% and 94% test top-1, the best top-1 and the mean training images/s of the epochs, with
the ratios of the first run's time to 94% and training speed to the others' (the epoch at which a run first crosses a
line varies by a few epochs between runs; the speed ratio does not); draws test top-1 against wall time for all runs
in one PNG (Pillow: matplotlib is not in Debian's minimal install here).
Usage: plot_time_to_accuracy.py OUT.png LABEL=metrics.jsonl [LABEL=metrics.jsonl ...]"""
import json
import math
import sys

from PIL import Image, ImageDraw

TARGETS = (0.93, 0.94)
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def first_at(rows, target):
    return next((r["wall_seconds"] for r in rows if r["val_top1"] >= target), None)


def speed(rows) -> float:
    """Mean training images/s over the epochs (`images_per_s` as both writers name it)."""
    return sum(r["images_per_s"] for r in rows) / len(rows)


def summary(runs) -> None:
    for label, rows in runs:
        times = ", ".join(f"{t:.0%}: " + (f"{s:.0f} s" if (s := first_at(rows, t)) is not None else "not reached") for t in TARGETS)
        best = max(r["val_top1"] for r in rows)
        print(f"{label}: {len(rows)} epochs in {rows[-1]['wall_seconds']:.0f} s; time to {times}; best top-1 {best:.2%}; "
              f"training {speed(rows):.0f} images/s (mean of epochs)")
    ours = first_at(runs[0][1], TARGETS[-1])
    for label, rows in runs[1:]:
        theirs = first_at(rows, TARGETS[-1])
        if ours is not None and theirs is not None:
            print(f"time to {TARGETS[-1]:.0%}: {runs[0][0]} {theirs / ours:.2f}x faster than {label}")
        print(f"training images/s: {runs[0][0]} {speed(runs[0][1]) / speed(rows):.2f}x {label}'s")


def plot(path: str, runs) -> None:
    w, h, left, right, top, bottom = 900, 560, 70, 20, 30, 50
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    tmax = max(r["wall_seconds"] for _, rows in runs for r in rows) * 1.05
    best = max(r["val_top1"] for _, rows in runs for r in rows)
    hi = min(1.0, math.ceil(best * 100 + 0.5) / 100)
    lo = max(0.0, hi - 0.1)   # the last ten points of accuracy, where the targets are; lower points sit on the bottom edge
    x = lambda t: left + (w - left - right) * t / tmax
    y = lambda a: top + (h - top - bottom) * (hi - max(lo, a)) / (hi - lo)
    d.rectangle([left, top, w - right, h - bottom], outline="black")
    for i in range(11):
        a = lo + (hi - lo) * i / 10
        d.line([left, y(a), w - right, y(a)], fill="#e0e0e0")
        d.text((5, y(a) - 6), f"{a:.0%}", fill="black")
    for i in range(6):
        t = tmax * i / 5
        d.text((x(t) - 12, h - bottom + 6), f"{t:.0f} s", fill="black")
    for target in TARGETS:
        d.line([left, y(target), w - right, y(target)], fill="#888888", width=1)
    d.text((w // 2 - 120, h - 22), "wall time (s, validation included)", fill="black")
    d.text((left, 8), f"Fashion-MNIST test top-1 against wall time ({lo:.0%} and below on the bottom edge)", fill="black")
    for k, (label, rows) in enumerate(runs):
        color = COLORS[k % len(COLORS)]
        points = [(x(r["wall_seconds"]), y(r["val_top1"])) for r in rows]
        if len(points) > 1:
            d.line(points, fill=color, width=2)
        for px, py in points:
            d.ellipse([px - 3, py - 3, px + 3, py + 3], fill=color)
        d.text((w - right - 260, h - bottom - 20 * (len(runs) - k)), label, fill=color)
    img.save(path)


def main() -> None:
    runs = []
    for arg in sys.argv[2:]:
        label, _, path = arg.partition("=")
        rows = [json.loads(line) for line in open(path) if line.strip()]
        if not rows:
            raise SystemExit(f"{path} has no epochs")
        runs.append((label, rows))
    if not runs:
        raise SystemExit(__doc__)
    summary(runs)
    plot(sys.argv[1], runs)
    print(f"wrote {sys.argv[1]}")


if __name__ == "__main__":
    main()
