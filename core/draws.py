"""Every random number of a simulation, drawn at unit scale from the seed and kept for the next call.

The seed's generator is split into independent streams (input, weights, biases, read-out gradient),
so changing one part of the configuration never reshuffles another: a deeper network keeps the
layers it had, and a new bias leaves the weights alone. Initializers only scale these unit draws,
which is why a slider that changes std, gain, scheme, activation, bias or batch norm reruns the
network without drawing anything: the draws of the last few (seed, shape) pairs are kept.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

CACHE_ENTRIES = 4
CACHE_MAX_BYTES = 256 << 20  # larger draws are made afresh each time rather than pinned in memory


@dataclass(frozen=True)
class Draws:
    """Unit-scale random arrays for one (seed, depth, width, batch, input, family, dtype); read-only."""

    x: np.ndarray  # (batch, width), unit variance
    weights: tuple[np.ndarray, ...]  # depth x (width, width): N(0, 1), U(-1, 1) or orthogonal; () if none
    readout: np.ndarray  # (batch, width), the N(0, 1) gradient that seeds the backward pass


def family(init: str) -> str | None:
    """Which unit draw an init scheme scales; None for schemes without randomness."""
    if init in ("normal", "xavier_normal", "he_normal", "lecun_normal"):
        return "normal"
    if init in ("uniform", "xavier_uniform", "he_uniform"):
        return "uniform"
    if init == "orthogonal":
        return "orthogonal"
    return None


def draws_bytes(depth: int, width: int, batch: int, weight_family: str | None, dtype: str) -> int:
    n_weights = depth * width * width if weight_family else 0
    return np.dtype(dtype).itemsize * (2 * batch * width + n_weights)


def draw(seed: int, depth: int, width: int, batch: int, input: str, weight_family: str | None,
         dtype: str) -> Draws:
    """The unit draws, from the cache when the same ones were made recently."""
    key = (seed, depth, width, batch, input, weight_family, dtype)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    made = _make(*key)
    if draws_bytes(depth, width, batch, weight_family, dtype) <= CACHE_MAX_BYTES:
        with _lock:
            _cache[key] = made
            while len(_cache) > CACHE_ENTRIES:
                _cache.popitem(last=False)
    return made


_cache: OrderedDict[tuple, Draws] = OrderedDict()
_lock = threading.Lock()  # Streamlit serves sessions from several threads


def _make(seed, depth, width, batch, input, weight_family, dtype) -> Draws:
    input_rng, weight_rng, readout_rng, _ = _streams(seed)
    if input == "normal":
        x = input_rng.standard_normal((batch, width), dtype=dtype)
    else:  # U(-sqrt 3, sqrt 3) has unit variance
        x = input_rng.random((batch, width), dtype=dtype)
        x *= 2 * math.sqrt(3)
        x -= math.sqrt(3)
    weights = tuple(_unit_weights(weight_rng, weight_family, width, dtype) for _ in range(depth)) \
        if weight_family else ()
    readout = readout_rng.standard_normal((batch, width), dtype=dtype)
    for array in (x, *weights, readout):
        array.flags.writeable = False  # shared between calls and sessions
    return Draws(x, weights, readout)


def _unit_weights(rng: np.random.Generator, weight_family: str, width: int, dtype: str) -> np.ndarray:
    if weight_family == "normal":
        return rng.standard_normal((width, width), dtype=dtype)
    if weight_family == "uniform":
        w = rng.random((width, width), dtype=dtype)
        w *= 2.0
        w -= 1.0
        return w
    return orthogonal(rng, width, width).astype(dtype)


def orthogonal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A (rows, cols) matrix with orthonormal rows or columns, as torch.nn.init.orthogonal_ makes it."""
    flat = rng.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes the distribution uniform (Haar), not biased by QR's sign choice
    return q.T if rows < cols else q


def bias_noise(seed: int, depth: int, width: int) -> np.ndarray:
    """(depth, width) N(0, 1) numbers for the biases, from their own stream."""
    return _streams(seed)[3].standard_normal((depth, width))


def _streams(seed: int) -> list[np.random.Generator]:
    """Independent generators for the input, the weights, the read-out gradient and the biases."""
    return np.random.default_rng(seed).spawn(4)
