"""Matrix products that keep identical units identical, as exact arithmetic does.

A BLAS kernel computes the last, partial block of columns with other instructions than the full blocks
(OpenBLAS's Haswell sgemm on an AMD EPYC, for one), so h @ W with every column of W equal can return
columns that differ in their last bit. For a random W that is invisible; for the lecture's constant
init it would count two or three "distinct" units where the lesson, and exact arithmetic, have one.

A large product is computed in ROW_BLOCKS blocks of rows (matmul_rows), two cores at once where the computation
holds a compute slot and a core is free (core.threads.each): on an idle 2-core machine the lecture's network
(10 x 500, batch 1000, float32) takes half the time in its products. Each block of the product is its own BLAS
call whether one thread or two compute it, so the result does not depend on the machine's load.
"""

from __future__ import annotations

import numpy as np

from . import threads


ROW_BLOCKS = 2  # Streamlit Community Cloud's cores
SPLIT_WORK = 2**25  # multiply-adds (about 0.6 ms of one core): below it a helper thread's start (~0.2 ms) costs as much
# as it saves (docs/performance.md, "A page's network on two cores")
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


def matmul_rows(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """matmul(a, b), (a.shape[0], b.shape[1]), computed in ROW_BLOCKS blocks of a's rows when it has SPLIT_WORK
    multiply-adds or more, side by side where a core is free (threads.each). The blocks are fixed by the shapes,
    so the result is the same on an idle machine and a busy one.

    out, if given, receives the product (same contract as np.matmul's out=).
    """
    rows = a.shape[0]
    if rows < ROW_BLOCKS or rows * a.shape[1] * b.shape[1] < SPLIT_WORK:
        return matmul(a, b, out=out)
    if out is None:
        out = np.empty((rows, b.shape[1]), np.result_type(a, b))
    step = -(-rows // ROW_BLOCKS)
    threads.each(lambda start: matmul(a[start:start + step], b, out=out[start:start + step]), range(0, rows, step))
    return out
