"""The handwritten digits as a network's input: scikit-learn's 1,797 8x8 images, each pixel standardized.

Source: `sklearn.datasets.load_digits` (the UCI "Optical Recognition of Handwritten Digits" test set,
Alpaydin & Kaynak 1998), shipped inside scikit-learn, so nothing is downloaded. Each image is 64 pixels of
0..16; each pixel is standardized over the whole set (mean 0, variance 1). The pixels that are the same in
every image (3 of the 64: the left edge is always blank) have no spread to divide by and stay 0, so the
set's mean square is 61/64, not 1: the theory starts from this measured q0 (second_moment), not from 1.

scikit-learn (and the scipy it loads, with a BLAS library of its own) is imported on first use and the
array kept: importing it with the package would load that second BLAS before core.threads has set one
thread per computation.
"""

from __future__ import annotations

import threading

import numpy as np

IMAGES = 1797  # images in the set
PIXELS = 64  # 8 x 8: the input width of a network fed digits
CLASSES = 10

_lock = threading.Lock()
_kept: tuple[np.ndarray, np.ndarray] | None = None


def _load() -> tuple[np.ndarray, np.ndarray]:
    """(images (IMAGES, PIXELS) float64 standardized per pixel, labels (IMAGES,) int64), read-only, kept."""
    global _kept
    with _lock:
        if _kept is None:
            from sklearn.datasets import load_digits  # first use only: see the module's docstring

            from . import threads

            raw = load_digits()
            pixels = np.asarray(raw.data, np.float64)  # (IMAGES, PIXELS), 0..16
            mean, std = pixels.mean(axis=0), pixels.std(axis=0)
            spread = std > 0  # constant pixels: no spread, left at 0 after centring
            images = np.zeros_like(pixels)
            images[:, spread] = (pixels[:, spread] - mean[spread]) / std[spread]
            labels = np.asarray(raw.target, np.int64)
            for array in (images, labels):
                array.flags.writeable = False
            _kept = images, labels
            threads.configure()  # scipy's BLAS, just loaded, gets one thread like numpy's
        return _kept


def images(batch: int | None = None, dtype: str = "float64") -> np.ndarray:
    """The first batch standardized images, (batch, PIXELS); all IMAGES when batch is None."""
    batch = IMAGES if batch is None else batch
    if not 1 <= batch <= IMAGES:
        raise ValueError(f"batch={batch!r} is not allowed with input=digits: the set has {IMAGES:,} images")
    return _load()[0][:batch].astype(dtype)


def labels() -> np.ndarray:
    """The digit (0..9) of every image, (IMAGES,)."""
    return _load()[1]


def second_moment(batch: int) -> float:
    """E[x^2] over the first batch images and all pixels: the theory's q0 for a digits input (input_scale 1)."""
    return float(np.mean(np.square(images(batch))))


def unit_variance(batch: int) -> float:
    """Each pixel's variance over the first batch images, averaged over pixels: Var(h_0) under batch norm."""
    return float(np.mean(np.var(images(batch), axis=0)))
