"""Nonlinearities f, their derivatives f', and the gain torch.nn.init.calculate_gain recommends for each.

Every function keeps the dtype of its input and never overflows: sigmoid goes through tanh, ELU's
exponential only sees non-positive arguments.
"""

from __future__ import annotations

import math

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. 2017, as in torch.nn.SELU
SELU_SCALE = 1.0507009873554804934193349852946

# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32 resolution, numpy only.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf(x: np.ndarray) -> np.ndarray:
    """Error function, accurate to 1.5e-7."""
    ax = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * ax)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    return np.copysign(1.0 - poly * np.exp(-ax * ax), x).astype(x.dtype, copy=False)


def apply(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """h = f(s)."""
    dt = s.dtype.type
    if name == "tanh":
        return np.tanh(s)
    if name == "sigmoid":
        return dt(0.5) * np.tanh(dt(0.5) * s) + dt(0.5)
    if name == "relu":
        return np.maximum(s, dt(0))
    if name == "leaky_relu":
        return np.where(s > 0, s, dt(slope) * s)
    if name == "linear":
        return s.copy()
    if name == "elu":
        return np.where(s > 0, s, np.expm1(np.minimum(s, dt(0))))
    if name == "selu":
        neg = dt(SELU_SCALE * SELU_ALPHA) * np.expm1(np.minimum(s, dt(0)))
        return np.where(s > 0, dt(SELU_SCALE) * s, neg)
    if name == "gelu":
        return dt(0.5) * s * (dt(1) + erf(s * dt(1 / math.sqrt(2))))
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """f'(s)."""
    return derivative_from_output(name, apply(name, s, slope), slope, s)


def derivative_from_output(name: str, h: np.ndarray, slope: float = 0.01, s: np.ndarray | None = None) -> np.ndarray:
    """f'(s) written through h = f(s), so the backward pass need not keep s (GELU alone needs s)."""
    dt = h.dtype.type
    if name == "tanh":
        return dt(1) - h * h
    if name == "sigmoid":
        return h * (dt(1) - h)
    if name == "relu":
        return (h > 0).astype(h.dtype)
    if name == "leaky_relu":
        return np.where(h > 0, dt(1), dt(slope))
    if name == "linear":
        return np.ones_like(h)
    if name == "elu":
        return np.where(h > 0, dt(1), h + dt(1))
    if name == "selu":
        return np.where(h > 0, dt(SELU_SCALE), h + dt(SELU_SCALE * SELU_ALPHA))
    if name == "gelu":
        if s is None:
            raise ValueError("GELU's derivative needs the pre-activation s")
        cdf = dt(0.5) * (dt(1) + erf(s * dt(1 / math.sqrt(2))))
        pdf = np.exp(dt(-0.5) * s * s) * dt(1 / math.sqrt(2 * math.pi))
        return cdf + s * pdf
    raise ValueError(f"unknown activation {name!r}")


def needs_pre_activation(name: str) -> bool:
    """Whether f'(s) cannot be recovered from h = f(s)."""
    return name == "gelu"


def recommended_gain(name: str, slope: float = 0.01) -> float | None:
    """torch.nn.init.calculate_gain(name); None where torch has no recommendation (ELU, GELU)."""
    return {
        "linear": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3.0,
        "relu": math.sqrt(2.0),
        "leaky_relu": math.sqrt(2.0 / (1.0 + slope**2)),
        "selu": 3.0 / 4.0,
    }.get(name)


# Where each activation's values live; the histograms use these fixed edges so layers compare.
HISTOGRAM_RANGE = {
    "tanh": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "relu": (0.0, 3.0),
    "leaky_relu": (-1.0, 3.0),
    "linear": (-3.0, 3.0),
    "elu": (-1.0, 3.0),
    "selu": (-1.8, 3.0),
    "gelu": (-0.2, 3.0),
}
