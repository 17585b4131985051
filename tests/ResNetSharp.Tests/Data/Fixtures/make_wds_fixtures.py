"""Writes the WebDataset fixtures of WebDatasetTests with Python's tarfile (not ResNetSharp's writer), run with Debian's
python3 (PIL from python3-pil): /usr/bin/python3 make_wds_fixtures.py.
wds/train-000000.tar: PAX format, samples 0-2 (sample 1 a PNG, sample 2 with an extra .json member);
wds/train-000001.tar: GNU format, samples 3-5, sample 5 under a >100-character path (a GNU long-name member).
Sample i is a 20x16 image of the solid colour (40 i, 200 label, 100) with labels 0 1 0 1 1 0."""
import io, os, tarfile
from PIL import Image

LABELS = [0, 1, 0, 1, 1, 0]
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wds")


def member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 0
    tar.addfile(info, io.BytesIO(data))


def image(i, fmt):
    out = io.BytesIO()
    Image.new("RGB", (20, 16), (40 * i, 200 * LABELS[i], 100)).save(out, fmt, **({"quality": 100} if fmt == "JPEG" else {}))
    return out.getvalue()


def main():
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, "classes.txt"), "w") as f:
        f.write("cat\ndog\n")
    with tarfile.open(os.path.join(HERE, "train-000000.tar"), "w", format=tarfile.PAX_FORMAT) as tar:
        for i in range(3):
            key = f"s{i:04d}"
            member(tar, key + (".png" if i == 1 else ".jpg"), image(i, "PNG" if i == 1 else "JPEG"))
            member(tar, key + ".cls", str(LABELS[i]).encode())
            if i == 2:
                member(tar, key + ".json", b'{"source": "fixture"}')
    with tarfile.open(os.path.join(HERE, "train-000001.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
        for i in range(3, 6):
            key = ("deep/" + "d" * 110 + "/" if i == 5 else "") + f"s{i:04d}"
            member(tar, key + ".jpg", image(i, "JPEG"))
            member(tar, key + ".cls", str(LABELS[i]).encode())


if __name__ == "__main__":
    main()
