"""Matrix products that keep identical units identical, as exact arithmetic does.

A BLAS kernel computes the last, partial block of columns with other instructions than the full blocks
(OpenBLAS's Haswell sgemm on an AMD EPYC, for one), so h @ W with every column of W equal can return
columns that differ in their last bit. For a random W that is invisible; for the lecture's constant
init it would count two or three "distinct" units where the lesson, and exact arithmetic, have one.
"""

from __future__ import annotations

import numpy as np


SAMPLE = 8  # about this many rows and columns, evenly spaced, are looked at before a full comparison


def _columns_equal(a: np.ndarray) -> bool:
    """Whether every column of a (rows, cols) equals the first; O(1) for a random matrix."""
    # Two scalar reads settle a dense random matrix: each product of a training step pays only those.
    if a.shape[1] < 2 or a.shape[0] == 0 or a[0, 0] != a[0, -1] or a[-1, 0] != a[-1, -1]:
        return False
    # Matrices with many exact zeros (ReLU's outputs, zero-padded im2col patches) often tie there: an 8 x 8 sample
    # spread over a settles them before the full comparison, which costs as much as a small product.
    rows = a[::max(1, a.shape[0] // SAMPLE)]  # views: a product of a conv chunk pays microseconds for them
    if not (rows[:, ::max(1, a.shape[1] // SAMPLE)] == rows[:, :1]).all():
        return False
    return bool((a == a[:, :1]).all())


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b, shape (a.shape[0], b.shape[1]), with equal columns of b giving exactly equal columns of the
    product and equal rows of a exactly equal rows (the symmetric case is computed once and repeated).

    out, if given, receives the product (same contract as np.matmul's out=).
    """
    if _columns_equal(b):
        small = a @ b[:, :1]  # (rows, 1)
    elif _columns_equal(a.T):
        small = a[:1] @ b  # (1, cols)
    else:
        return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    np.copyto(out, small)
    return out
