"""Writes the JPEG variants of TurboJpegTests with PIL (libjpeg-turbo's encoder, not SkiaSharp's), run with Debian's
python3 (python3-pil): /usr/bin/python3 make_jpeg_fixtures.py. Each is a 101x77 photo-like picture (odd sizes, so the
chroma planes have partial blocks): baseline 4:2:0, 4:2:2 and 4:4:4, progressive, with restart markers, grayscale, and
CMYK (which the TurboJPEG path cannot convert to RGBA: SkiaSharp decodes it)."""
import os
import numpy as np
from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jpeg")


def picture():
    y, x = np.mgrid[0:77, 0:101].astype(np.float64)
    rng = np.random.default_rng(7)
    r = 110 + 70 * np.sin(x / 9) + 30 * np.cos(y / 5)
    g = 90 + 80 * y / 77 + 25 * np.sin((x + y) / 4)
    b = 150 + 60 * np.cos(x / 13 - y / 7)
    rgb = np.stack([r, g, b], -1) + rng.normal(0, 6, (77, 101, 3))
    return Image.fromarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8))


def main():
    os.makedirs(HERE, exist_ok=True)
    im = picture()
    im.save(os.path.join(HERE, "s420.jpg"), quality=90, subsampling=2)
    im.save(os.path.join(HERE, "s422.jpg"), quality=90, subsampling=1)
    im.save(os.path.join(HERE, "s444.jpg"), quality=90, subsampling=0)
    im.save(os.path.join(HERE, "progressive.jpg"), quality=85, progressive=True)
    im.save(os.path.join(HERE, "restart.jpg"), quality=85, restart_marker_rows=1)
    im.convert("L").save(os.path.join(HERE, "gray.jpg"), quality=90)
    im.convert("CMYK").save(os.path.join(HERE, "cmyk.jpg"), quality=90)


if __name__ == "__main__":
    main()
