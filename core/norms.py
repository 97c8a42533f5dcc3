"""Normalization by name, forward and backward: batch norm (each unit over the batch; Ioffe & Szegedy 2015) and
layer norm (each sample over its units; Ba et al. 2016, torch.nn.LayerNorm with gamma = 1, beta = 0, eps = 1e-5).

Layer norm is batch norm of the transpose: the same arithmetic over the other axis, so one implementation
(core.batchnorm) serves both.
"""

from __future__ import annotations

import numpy as np

from .batchnorm import BN_EPS, batch_norm, batch_norm_backward

LN_EPS = BN_EPS  # torch.nn.LayerNorm's default eps, 1e-5, like BatchNorm1d's


def normalize(norm: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """s = N(z) in place, and 1 / sqrt(var + eps): (width,) for "batch", (batch,) for "layer"; z, None for "none".
    z is (batch, width)."""
    if norm == "batch":
        return batch_norm(z)
    if norm == "layer":
        s, inv_std = batch_norm(z.T)  # each row (sample) normalized over its units
        return s.T, inv_std
    return z, None


def normalize_backward(norm: str, ds: np.ndarray, s: np.ndarray, inv_std: np.ndarray | None) -> np.ndarray:
    """dL/dz from dL/ds through s = N(z), in place in ds; ds and s (batch, width)."""
    if norm == "batch":
        return batch_norm_backward(ds, s, inv_std)
    if norm == "layer":
        return batch_norm_backward(ds.T, s.T, inv_std).T
    return ds
