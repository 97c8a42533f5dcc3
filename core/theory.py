"""Wide-network theory: what a layer does to the variance of activations and gradients.

For s = h @ W + b with zero-mean i.i.d. weights, Var(s) = sum_i Var(w_i h_i) = n Var(w) E[h^2]
(Glorot & Bengio 2010; He et al. 2015). Carried through the nonlinearity for a wide layer, where s is
Gaussian (Poole et al. 2016; Schoenholz et al. 2017):

    q_l   = sigma_w^2 * E[f(sqrt(q_{l-1}) z)^2] + sigma_b^2,     sigma_w^2 = n Var(w), sigma_b^2 = Var(b)
    chi_l = sigma_w^2 * E[f'(sqrt(q_l) z)^2]                     (gradient variance gain per layer)

Gaussian expectations use composite Gauss-Legendre quadrature whose panels follow both z (where the
Gaussian lives) and s (where the nonlinearity bends). Plain Gauss-Hermite is far off once sqrt(q) is
large: f'(s)^2 of a saturated tanh is a spike of width ~1/sqrt(q) in z that its nodes step over.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import activations
from .config import Config
from .initializers import weight_variance

BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default
_Z_MAX = 9.0  # P(|z| > 9) ~ 2e-19
_Z_BREAKS = np.linspace(-_Z_MAX, _Z_MAX, 37)  # panels 0.5 wide in z
_S_BREAKS = np.linspace(-12.0, 12.0, 49)  # panels 0.5 wide in s, where every f bends
_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)


def quadrature(mean, var) -> tuple[np.ndarray, np.ndarray]:
    """Nodes s and weights for E[g(s)], s ~ N(mean, var): E = (g(s) * weights).sum((-2, -1)).

    mean and var broadcast; the result has their shape plus (panels, nodes).
    """
    mean, var = np.broadcast_arrays(np.asarray(mean, float), np.asarray(var, float))
    sd = np.sqrt(var)[..., None]
    safe_sd = np.where(sd > 0, sd, 1.0)
    s_breaks = np.where(sd > 0, (_S_BREAKS - mean[..., None]) / safe_sd, 0.0)
    z_breaks = np.broadcast_to(_Z_BREAKS, s_breaks.shape[:-1] + _Z_BREAKS.shape)
    breaks = np.sort(np.concatenate([z_breaks, np.clip(s_breaks, -_Z_MAX, _Z_MAX)], axis=-1), axis=-1)
    lo, hi = breaks[..., :-1, None], breaks[..., 1:, None]  # (..., panels, 1)
    z = 0.5 * (hi + lo) + 0.5 * (hi - lo) * _GL_X  # (..., panels, nodes)
    weights = 0.5 * (hi - lo) * _GL_W * np.exp(-0.5 * z * z)
    weights /= weights.sum(axis=(-2, -1), keepdims=True)  # the Gaussian's mass beyond |z| = 9 is ~2e-19
    return mean[..., None, None] + sd[..., None] * z, weights


def gaussian_expectation(g: Callable[[np.ndarray], np.ndarray], mean, var) -> np.ndarray:
    """E[g(mean + sqrt(var) z)] for z ~ N(0, 1); mean and var broadcast, var >= 0."""
    s, weights = quadrature(mean, var)
    return (g(s) * weights).sum(axis=(-2, -1))


def moments(name: str, mean, var, slope: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E[f(s)], E[f(s)^2], E[f'(s)^2] for s ~ N(mean, var)."""
    s, weights = quadrature(mean, var)
    h = activations.apply(name, s, slope)
    d = activations.derivative(name, s, slope)
    return tuple((values * weights).sum(axis=(-2, -1)) for values in (h, h * h, d * d))


def predict(config: Config) -> dict[str, np.ndarray]:
    """Predicted pre-activation, activation and gradient std per layer (index 0 is the input).

    Under batch norm each unit's pre-activation is normalized, so q = Var/(Var + eps) whatever the
    weights. Its backward pass couples the samples of a batch, which this theory leaves out (Yang et
    al. 2019 find gradients growing by sqrt(pi/(pi - 1)) ~ 1.21 a layer for ReLU), so the gradient
    prediction is NaN there. Constant (non-zero) init breaks the zero-mean premise: NaN as well.
    """
    n, depth = config.width, config.depth
    nan = np.full(depth + 1, np.nan)
    pre_std, act_std, grad_std = nan.copy(), nan.copy(), nan.copy()
    var_w = weight_variance(config, n, n)
    act_std[0] = 1.0  # the input has unit variance
    if var_w is None:
        return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std}
    sigma_w2, sigma_b2 = n * var_w, config.bias_std**2
    second_moment = 1.0  # E[x^2] of the input
    chi = np.zeros(depth + 1)  # E[f'(s_l)^2]
    for layer in range(1, depth + 1):
        var_z = sigma_w2 * second_moment + sigma_b2
        mean_z = config.bias
        if config.batch_norm:
            mean_z, var_s = 0.0, var_z / (var_z + BN_EPS)
        else:
            var_s = var_z
        m1, m2, d2 = (float(x) for x in moments(config.activation, mean_z, var_s, config.slope))
        pre_std[layer] = math.sqrt(var_s)
        act_std[layer] = math.sqrt(max(m2 - m1 * m1, 0.0))
        chi[layer] = d2
        second_moment = m2
    if config.batch_norm:
        return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std}
    grad_var = 1.0  # the read-out gradient dL/dh_L is N(0, 1)
    for layer in range(depth, 0, -1):
        grad_var_s = grad_var * chi[layer]
        grad_std[layer] = math.sqrt(grad_var_s)
        grad_var = sigma_w2 * grad_var_s
    return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std}
