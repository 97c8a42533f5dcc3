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
    np.minimum(ax, 10.0, out=ax)  # erf(10) = 1 to 44 digits; keeps ax * ax finite
    t = ax * _ERF_P
    t += 1.0
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * a5
    for coefficient in (a4, a3, a2, a1):
        poly += coefficient
        poly *= t
    np.multiply(ax, ax, out=ax)
    np.negative(ax, out=ax)
    np.exp(ax, out=ax)
    poly *= ax
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


# The hot paths below write into their own fresh arrays with out= and keep Python scalars on the
# right: numpy's generic paths (np.where, masked assignment, ufuncs fed a temporary) cost ~2 ms on
# a 1000x500 array, ten times the arithmetic itself.


def apply(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """h = f(s)."""
    if name == "tanh":
        return np.tanh(s)
    if name == "sigmoid":
        h = s * 0.5
        np.tanh(h, out=h)
        h *= 0.5
        h += 0.5
        return h
    if name == "relu":
        return np.maximum(s, 0.0)
    if name == "leaky_relu":
        h = s * slope
        return np.maximum(s, h, out=h)  # slope <= 1
    if name == "linear":
        return s.copy()
    if name == "elu":
        h = np.minimum(s, 0.0)
        np.expm1(h, out=h)
        return np.maximum(h, s, out=h)  # expm1(s) >= s
    if name == "selu":
        h = np.minimum(s, 0.0)
        np.expm1(h, out=h)
        h *= SELU_ALPHA
        h += np.maximum(s, 0.0)
        h *= SELU_SCALE
        return h
    if name == "gelu":
        h = erf(s * (1 / math.sqrt(2)))
        h += 1.0
        h *= 0.5  # Phi(s), before the product so that Phi(s) * s stays finite
        h *= s
        return h
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """f'(s)."""
    return derivative_from_output(name, apply(name, s, slope), slope, s)


def derivative_from_output(name: str, h: np.ndarray, slope: float = 0.01, s: np.ndarray | None = None) -> np.ndarray:
    """f'(s) written through h = f(s), so the backward pass need not keep s (GELU alone needs s)."""
    if name == "tanh":
        d = h * h
        return np.subtract(1.0, d, out=d)
    if name == "sigmoid":
        d = h * h
        return np.subtract(h, d, out=d)
    if name in ("relu", "leaky_relu"):
        d = (h > 0).astype(h.dtype)
        if name == "leaky_relu":
            d *= 1.0 - slope
            d += slope
        return d
    if name == "linear":
        return np.ones_like(h)
    if name == "elu":
        d = h + 1.0  # e^s where s <= 0
        return np.minimum(d, 1.0, out=d)
    if name == "selu":
        d = h + SELU_SCALE * SELU_ALPHA  # scale * alpha * e^s where s <= 0
        positive = (h > 0).astype(h.dtype)
        correction = np.subtract(SELU_SCALE - SELU_SCALE * SELU_ALPHA, h)
        correction *= positive  # turns d into SELU_SCALE where s > 0
        d += correction
        return d
    if name == "gelu":
        if s is None:
            raise ValueError("GELU's derivative needs the pre-activation s")
        d = erf(s * (1 / math.sqrt(2)))  # Phi(s) + s phi(s)
        d += 1.0
        d *= 0.5
        pdf = np.clip(s, -40.0, 40.0)  # the density is 0 beyond; keeps s * s finite
        pdf *= pdf
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        pdf *= s
        pdf *= 1 / math.sqrt(2 * math.pi)
        d += pdf
        return d
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
