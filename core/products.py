"""Matrix products that keep identical units identical, as exact arithmetic does.

A BLAS kernel computes the last, partial block of columns with other instructions than the full blocks
(OpenBLAS's Haswell sgemm on an AMD EPYC, for one), so h @ W with every column of W equal can return
columns that differ in their last bit. For a random W that is invisible; for the lecture's constant
init it would count two or three "distinct" units where the lesson, and exact arithmetic, have one.

A large product is computed in ROW_BLOCKS blocks of rows (matmul_rows), two cores at once where the computation
holds a compute slot and a core is free (core.threads.each): on an idle 2-core machine the lecture's network
(10 x 500, batch 1000, float32) takes half the time in its products. Each block of the product is its own BLAS
call whether one thread or two compute it, so the result does not depend on the machine's load.

A product whose terms a_ik b_kj fall below the float type's smallest normal number (subnormal: a network at gain
10⁻⁶, a few layers before its values underflow) costs the CPU about a hundred times a normal one's time: 0.4 s
for one 500 x 500 x 500 float32 block instead of 3 ms. Such a product is computed on a and b scaled by powers of
two to about 1, and its result scaled back (_scales). Scaling by a power of two is exact, so where no term was
subnormal the result is bit for bit the unscaled one; where terms were, it is nearer the exact product, each term
kept whole and only the sum rounded into the subnormal range.

A few subnormal entries among normal ones cost as much: a saturated tanh unit's slope sech²(s) is subnormal for
44 < |s| < 52 in float32, and at the lecture's N(0, 1) step (step 3) 1-3 % of the backward pass's dL/ds are,
which made its products 15 times slower (88 ms for a 250 x 1000 x 500 block). A large product (SPOT_WORK) looks at
a sample of each operand, and where it finds subnormal entries computes a @ b on that operand lifted by a power of
two 2^k that makes every entry normal while no sum of the product can overflow (_lift; k = 113 or 114 at step 3 in
float32), and scales the result back: one product at normal speed, bit for bit the unscaled one wherever
no term was subnormal. Where the operand's entries span too much of the exponent range for such a k, the product is
that of its normal entries plus that of its subnormal ones scaled by 2^-minexp, scaled back (_split): two products
at normal speed, equal to the one within the rounding of their sums.
"""

from __future__ import annotations

import math

import numpy as np

from . import threads


ROW_BLOCKS = 2  # Streamlit Community Cloud's cores
SPLIT_WORK = 2**25  # multiply-adds (about 0.6 ms of one core): below it a helper thread's start (~0.2 ms) costs as much
# as it saves (docs/performance.md, "A page's network on two cores")
SAMPLE = 8  # about this many rows and columns, evenly spaced, are looked at before a full comparison
# A product is scaled where its operands' magnitudes multiply to less than the smallest normal number times this: the
# terms of random 1000 x 1000 matrices lie within about 2^40 below the product of their typical sizes
RANGE_MARGIN = 2.0**64
TINY = {np.dtype(t): float(np.finfo(t).tiny) for t in (np.float16, np.float32, np.float64)}
SPOT_WORK = 2**24  # multiply-adds: from here a product samples its operands for subnormal entries (about 15 µs;
# 128 x 500 x 500, the lecture race's, takes 410 µs); below it a few subnormal entries cost little in time
SPOT = 16  # about this many rows and columns of an operand, evenly spaced, are sampled


def _spaced(a: np.ndarray, count: int) -> np.ndarray:
    """A view of about `count` evenly spaced entries along each axis of a, its first row and column among them."""
    return a[tuple(slice(None, None, max(1, n // count)) for n in a.shape)]


def _columns_equal(a: np.ndarray) -> bool:
    """Whether every column of a (rows, cols) equals the first; O(1) for a random matrix."""
    # Two scalar reads settle a dense random matrix: each product of a training step pays only those.
    if a.shape[1] < 2 or a.shape[0] == 0 or a[0, 0] != a[0, -1] or a[-1, 0] != a[-1, -1]:
        return False
    # Matrices with many exact zeros (ReLU's outputs, zero-padded im2col patches) often tie there: an 8 x 8 sample
    # spread over a settles them before the full comparison, which costs as much as a small product.
    sample = _spaced(a, SAMPLE)  # a view: a product of a conv chunk pays microseconds for it
    if not (sample == sample[:, :1]).all():
        return False
    return bool((a == a[:, :1]).all())


def magnitude(a: np.ndarray) -> float:
    """About the size of a's entries: the largest |value| of its first, middle and last, or of an evenly spaced
    sample of about SAMPLE along each axis where those are 0 (ReLU's zeros); 0 for an empty array or an all-zero
    sample. At most a's largest |value|, and no bound on it (largest() is); three reads (0.3 µs) for a dense matrix."""
    if a.size == 0:
        return 0.0
    size = max(abs(a.item(0)), abs(a.item(a.size // 2)), abs(a.item(-1)))
    if size == 0:
        size = np.abs(_spaced(a, SAMPLE)).max()
    return float(size)


def largest(a: np.ndarray) -> float:
    """a's largest |value| (nan if a holds nan), read in two passes without a copy; 0 for an empty array."""
    return float(max(a.max(), -a.min())) if a.size else 0.0


def _scales(a: np.ndarray, b: np.ndarray) -> tuple[int, int] | None:
    """Powers of two e_a, e_b with a 2^-e_a and b 2^-e_b at most 1, where a @ b's terms may come near the subnormal
    range (the operands' largest |values| multiply to within RANGE_MARGIN of the smallest normal number); None where
    they do not, or where an operand is all 0 or holds nan (a run that diverged).

    magnitude()'s three reads screen a product first, and only a product they find tiny pays the two full passes of
    largest(): they are no bound, and a GELU layer's h held 10⁻⁴⁰ at the entries read and 40 elsewhere, which a
    scaling by the read size took past float32's largest number (inf, then nan: a network seen as overflowed)."""
    tiny = TINY.get(np.result_type(a, b))
    if tiny is None:
        return None
    for size in (magnitude, largest):  # largest's passes only where magnitude's reads find the product tiny
        size_a = size(a)
        if not size_a > 0:  # all 0, or nan: b is not read
            return None
        size_b = size(b)
        if not size_b > 0 or not size_a * size_b < tiny * RANGE_MARGIN:  # not "<": nan
            return None
    return math.frexp(size_a)[1], math.frexp(size_b)[1]


def _has_subnormal(x: np.ndarray) -> bool:
    """Whether an evenly spaced sample of the 2-D x, about SPOT x SPOT entries, holds a subnormal number (it finds
    a share of 1 % with a probability of 92 %; fewer cost little)."""
    tiny = TINY.get(x.dtype)
    if tiny is None:
        return False
    sample = np.abs(_spaced(x, SPOT))
    return bool(np.any((sample < tiny) & (sample > 0)))


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(x's normal entries, 0 in place of its subnormal ones; its subnormal entries times 2^shift, 0 elsewhere;
    shift = -minexp, which takes the smallest normal number to 1): x = normal + scaled 2^-shift, exactly."""
    info = np.finfo(x.dtype)
    small = np.abs(x) < info.tiny  # the zeros too, which either part may hold
    scaled = np.where(small, x, 0)
    return np.where(small, 0, x), np.ldexp(scaled, -info.minexp, out=scaled), -info.minexp


def _lift(x: np.ndarray, other: np.ndarray, inner: int) -> int | None:
    """The power of two k for which x 2^k holds no subnormal entry and neither it nor a sum of its `inner` products
    with `other`'s entries can overflow: the largest k with max|x 2^k| x max(1, inner x max|other|) four times below
    the type's largest number, where it is at least the mantissa's bits (which take the smallest subnormal number to
    the smallest normal one); None where there is no such k (x's entries span the exponent range, or an operand holds
    inf or nan)."""
    info = np.finfo(x.dtype)
    bound = float(np.abs(x).max()) * max(1.0, inner * float(np.abs(other).max()))
    if not (0 < bound < math.inf):
        return None
    k = math.frexp(float(info.max) / bound)[1] - 3  # 2^k <= max / bound / 4
    return k if k >= info.nmant else None


def _product(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """np.matmul(a, b, out=out), at a normal product's speed where its terms would be subnormal: on operands scaled
    by powers of two (_scales); where an operand of a large one holds subnormal entries among normal ones, on that
    operand lifted by 2^k (_lift), or else in two parts (_split)."""
    scales = _scales(a, b)
    if scales is not None:
        product = _product(np.ldexp(a, -scales[0]), np.ldexp(b, -scales[1]), out=out)
        return np.ldexp(product, sum(scales), out=product)
    if a.shape[0] * a.shape[1] * b.shape[1] >= SPOT_WORK:
        for x in (a, b):
            if _has_subnormal(x):
                other = b if x is a else a
                k = _lift(x, other, a.shape[1])
                if k is not None:  # one product at normal speed, and exact scalings around it
                    lifted = np.ldexp(x, k)
                    product = _product(lifted, b, out=out) if x is a else _product(a, lifted, out=out)
                    return np.ldexp(product, -k, out=product)
                normal, scaled, shift = _split(x)
                head, tail = ((normal, b), (scaled, b)) if x is a else ((a, normal), (a, scaled))
                product = _product(*head, out=out)
                rest = _product(*tail)
                product += np.ldexp(rest, -shift, out=rest)
                return product
    return np.matmul(a, b, out=out)


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b, shape (a.shape[0], b.shape[1]), with equal columns of b giving exactly equal columns of the
    product and equal rows of a exactly equal rows (the symmetric case is computed once and repeated); at a
    normal product's speed where its terms would be subnormal (module docstring).

    out, if given, receives the product (same contract as np.matmul's out=).
    """
    if _columns_equal(b):
        small = _product(a, b[:, :1])  # (rows, 1)
    elif _columns_equal(a.T):
        small = _product(a[:1], b)  # (1, cols)
    else:
        return _product(a, b, out=out)
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
