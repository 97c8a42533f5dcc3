"""Batch norm in training mode (Ioffe & Szegedy 2015; torch.nn.BatchNorm1d with gamma = 1, beta = 0), forward and
backward."""

from __future__ import annotations

import numpy as np

BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default


def batch_norm(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalize each unit (column of z, (batch, width)) over the batch, in place; returns z and 1 / sqrt(var + eps),
    (width,), with the biased batch variance."""
    mean = z.mean(axis=0, dtype=np.float64)
    var = z.var(axis=0, dtype=np.float64)
    inv_std = (1.0 / np.sqrt(var + BN_EPS)).astype(z.dtype)
    z -= mean.astype(z.dtype)
    z *= inv_std
    return z, inv_std


def batch_norm_backward(ds: np.ndarray, s: np.ndarray, inv_std: np.ndarray) -> np.ndarray:
    """dL/dz from dL/ds through s = (z - mean) * inv_std, in place; ds and s (batch, width), inv_std (width,)."""
    mean_ds = ds.mean(axis=0)
    mean_ds_s = np.einsum("ij,ij->j", ds, s) / ds.shape[0]
    ds -= mean_ds
    ds -= s * mean_ds_s
    ds *= inv_std
    return ds
