"""The handwritten digits as a network's input: scikit-learn's 1,797 8x8 images, each pixel standardized.

Source: `sklearn.datasets.load_digits` (the UCI "Optical Recognition of Handwritten Digits" test set,
Alpaydin & Kaynak 1998), shipped inside scikit-learn, so nothing is downloaded. Each image is 64 pixels of
0..16; each pixel is standardized over the whole set (mean 0, variance 1). The pixels that are the same in
every image (3 of the 64, blank in all: rows 0 and 4 of the left edge, row 4 of the right) have no spread to
divide by and stay 0, so the set's mean square is 61/64, not 1: the theory starts from this measured q0
(second_moment), not from 1.

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

            pixels = _pixels()
            images = standardize(pixels, pixels)  # over the whole set; constant pixels stay 0
            labels = np.asarray(load_digits().target, np.int64)
            for array in (images, labels):
                array.flags.writeable = False
            _kept = images, labels
            threads.configure()  # scipy's BLAS, just loaded, gets one thread like numpy's
        return _kept


TRAIN_IMAGES = 1500  # the training task's training images; the other 297 are held out


def _pixels() -> np.ndarray:
    from sklearn.datasets import load_digits  # first use only: see the module's docstring

    return np.asarray(load_digits().data, np.float64)  # (IMAGES, PIXELS), 0..16


def standardize(pixels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """pixels (n, PIXELS) centred and scaled by each pixel's mean and std over reference (m, PIXELS); a pixel
    constant over reference has no std to divide by and becomes 0."""
    mean, std = reference.mean(axis=0), reference.std(axis=0)
    spread = std > 0
    out = np.zeros_like(pixels)
    out[:, spread] = (pixels[:, spread] - mean[spread]) / std[spread]
    return out


def split(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training indices (TRAIN_IMAGES,), held-out indices (IMAGES - TRAIN_IMAGES,)): one shuffle from seed."""
    order = np.random.default_rng(seed).permutation(IMAGES)
    return order[:TRAIN_IMAGES], order[TRAIN_IMAGES:]


def task_arrays(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training task's (x_train, labels_train, x_test, labels_test), split by split(seed). Each pixel is
    standardized by the training images alone, so nothing of the held-out images reaches the network before
    they are tested; (TRAIN_IMAGES, PIXELS) and (IMAGES - TRAIN_IMAGES, PIXELS) float64."""
    pixels, target = _pixels(), labels()
    train, test = split(seed)
    return (standardize(pixels[train], pixels[train]), target[train],
            standardize(pixels[test], pixels[train]), target[test])


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
