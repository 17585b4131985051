"""torchvision's ImageFolder + DataLoader on DIR with the reference transforms, timed like `resnet bench --mode data`:
one warm-up epoch, then EPOCHS timed epochs; prints one JSON line (data_images_per_sec, cpu_seconds_per_image, workers).
train: RandomResizedCrop(224) + RandomHorizontalFlip + ToTensor + Normalize; val: Resize(256) + CenterCrop(224) + ToTensor + Normalize.
Usage: /usr/bin/python3 torchvision_loader.py DIR [--split train|val] [--batch-size 32] [--workers N] [--epochs 3]"""
import argparse, json, os, resource, time
import torch
from torchvision import datasets, transforms


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--split", default="train")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args()
    norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    t = (transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor(), norm])
         if a.split == "train" else
         transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), norm]))
    ds = datasets.ImageFolder(os.path.join(a.dir, a.split), t)
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch_size, shuffle=a.split == "train", num_workers=a.workers,
                                         drop_last=a.split == "train", persistent_workers=a.workers > 0)
    for _ in loader:  # warm-up epoch (starts the workers)
        pass
    start, cpu, n = time.perf_counter(), cpu_seconds(), 0
    for _ in range(a.epochs):
        for images, _labels in loader:
            n += images.shape[0]
    wall = time.perf_counter() - start
    # Persistent workers' CPU time only reaches RUSAGE_CHILDREN when they exit: end them first.
    del loader
    cpu = cpu_seconds() - cpu
    print(json.dumps({"loader": "torchvision", "split": a.split, "images": n, "seconds": wall,
                      "data_images_per_sec": n / wall, "cpu_seconds_per_image": cpu / n, "workers": a.workers}))


if __name__ == "__main__":
    main()
