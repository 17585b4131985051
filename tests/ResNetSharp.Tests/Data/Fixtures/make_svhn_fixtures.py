#!/usr/bin/python3
"""Writes the SVHN .mat fixtures with Debian's scipy (python3-scipy), in the format of the real train_32x32.mat:
X is uint8 [32, 32, 3, N] (row, column, channel, image; MATLAB's column-major order), y is double [N, 1] with the
label 10 meaning the digit 0. Pixel X[r, c, ch, n] = (r + 2c + 5ch + 7n) % 256; y = 1, 10, 5, 3 (N = 4).

svhn/plain.mat:      uncompressed elements (scipy's default), y as miDOUBLE.
svhn/compressed.mat: every variable in a zlib miCOMPRESSED element, as MATLAB writes them; y stored as uint8.
Run: /usr/bin/python3 tests/ResNetSharp.Tests/Data/Fixtures/make_svhn_fixtures.py
"""
import os
import numpy as np
import scipy.io

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "svhn")
os.makedirs(here, exist_ok=True)
r, c, ch, n = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(4), indexing="ij")
X = ((r + 2 * c + 5 * ch + 7 * n) % 256).astype(np.uint8)
y = np.array([[1], [10], [5], [3]], dtype=np.float64)
scipy.io.savemat(os.path.join(here, "plain.mat"), {"X": X, "y": y, "note": "extra variables are skipped"})
scipy.io.savemat(os.path.join(here, "compressed.mat"), {"X": X, "y": y.astype(np.uint8)}, do_compression=True)
