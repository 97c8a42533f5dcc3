"""Residual streams at initialization, forward and backward: the pre-activation residual block (He et al. 2016,
"Identity mappings in deep residual networks"), with the norm N in front of the branch (pre-norm; Xiong et al. 2020)

    x_l = x_{l-1} + alpha r_l,    r_l = f(u_l) W_l + b_l,    u_l = N(x_{l-1})  (u_l = x_{l-1} without a norm),

x_0 the input (batch, width), alpha = Config.alpha (1; 1/sqrt(depth) as GPT-2 scales its residual projections,
Radford et al. 2019; 0 as SkipInit and ReZero start, De & Smith 2020, Bachlechner et al. 2020). Every layer has
the input's width (Config checks it).

What network.simulate records per layer l in this mode:
    pre_mean, pre_std   of u_l, what f sees (about 1 under a norm)
    act_mean, act_std   of the stream x_l (with its histogram and distinct units)
    branch_std          of alpha r_l, what the block adds to the stream
    grad_std            of dL/dx_l for l = 0..depth (index 0: the input's gradient; depth: the read-out)
    weight_grad_std     of dW_l = f(u_l)^T dL/dr_l / batch, with dL/dr_l = alpha dL/dx_l
    saturated, dead     NaN: the stream is not an activation's output
Backward, the skip passes dL/dx_l on unchanged and the branch adds its own:
    dL/dx_{l-1} = dL/dx_l + N'^T ((alpha dL/dx_l W_l^T) * f'(u_l)).
"""

from __future__ import annotations

import numpy as np

from . import activations, threads
from .initializers import hidden_weights, layer_biases, rounded_to_zero
from .norms import normalize, normalize_backward
from .products import matmul_rows


def run(config, draws, x: np.ndarray, stats: dict, record, stop, weight_grads: list | None,
        cancel: threads.Cancel = None, *, mean_std, distinct) -> None:
    """Forward and backward through the residual blocks; fills stats (network.COLUMNS) layer by layer.

    record(layer, values) -> bool records the stream's statistics (network._record_activations), False on overflow;
    stop(kind, layer, stage, weights=False) marks a break (weights: the layer's W itself rounded to 0). weight_grads,
    if a list, receives dW_depth .. dW_1. mean_std and distinct are network's measures (mean_std, distinct), passed
    in: core.network imports this module.
    """
    alpha, norm, name, slope = config.alpha, config.norm, config.activation, config.slope
    biases = layer_biases(config)
    xs, us, hs, inv_stds, weights = [x], [None], [None], [None], [None]
    for layer in range(1, config.depth + 1):
        threads.check(cancel)
        w = hidden_weights(config, layer - 1, draws.weights[layer - 1] if draws.weights else None)
        weights.append(w)
        stats["weight_std"][layer] = mean_std(w)[1]
        if rounded_to_zero(config, layer - 1, w):  # the weights themselves fell below the dtype's range
            stop("underflow", layer, "forward", weights=True)
            return
        u, inv_std = normalize(norm, xs[-1].copy()) if norm != "none" else (xs[-1], None)
        h = activations.apply(name, u, slope)  # (batch, width), a new array
        r = matmul_rows(h, w)
        if biases[layer - 1] is not None:
            r += biases[layer - 1]
        r *= np.asarray(alpha, r.dtype)
        mean_u, std_u = mean_std(u)
        stats["pre_mean"][layer], stats["pre_std"][layer] = mean_u, std_u
        stats["branch_std"][layer] = mean_std(r)[1]
        r += xs[-1]  # the stream x_l
        if not record(layer, r):
            stop("overflow", layer, "forward")
            return
        stats["saturated"][layer] = stats["dead"][layer] = np.nan
        xs.append(r)
        us.append(u)
        hs.append(h)
        inv_stds.append(inv_std)

    dx = draws.readout  # dL/dx_depth (read-only)
    stats["grad_std"][config.depth] = mean_std(dx)[1]
    stats["distinct_grad_units"][config.depth] = distinct(dx)
    for layer in range(config.depth, 0, -1):
        threads.check(cancel)
        dr = dx * np.asarray(alpha, dx.dtype)  # dL/dr_l
        dw = matmul_rows(hs[layer].T, dr)
        dw *= 1.0 / config.batch  # the batch-mean loss's gradient, as frameworks report it
        if weight_grads is not None:
            weight_grads.append(dw)
        stats["weight_grad_std"][layer] = mean_std(dw)[1]
        if stats["weight_std"][layer] > 0:
            stats["grad_data_ratio"][layer] = stats["weight_grad_std"][layer] / stats["weight_std"][layer]
        du = matmul_rows(dr, weights[layer].T)
        du *= activations.derivative_from_output(name, hs[layer], slope, us[layer])
        dx = dx + normalize_backward(norm, du, us[layer], inv_stds[layer])  # skip + branch
        std = mean_std(dx)[1]
        if not np.isfinite(std):
            stop("overflow", layer - 1, "backward")
            return
        stats["grad_std"][layer - 1] = std
        stats["distinct_grad_units"][layer - 1] = distinct(dx)
