"""The Derivation tab: every number it prints is the value it names, every equation holds as printed, every
comparing word is chosen by the numbers, and the gradient chart names the gradient it draws."""

from __future__ import annotations

import itertools
import math
import re
import string
from dataclasses import replace

import mpmath
import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from core import Config, schemes, simulate
from core.activations import apply, derivative
from core.config import INITS, resize, resized_size
from core.draws import bias_noise, draw, family
from core.initializers import scale_bias, scale_weights
from core.theory import predict
from views import derivation, summary, tour, urlstate
from views.number_writing import PERCENT, format_latex, format_value
from views.tabs import data as data_tab
from views.tabs import gradients as gradients_tab
from views.text import LANGUAGES, catalogue, join, t

from tests.app_support import as_read
from tests.test_urlstate import widget_states
from tests.written_numbers import WRITTEN, WRITTEN_LATEX, e_form, read_back

mpmath.mp.dps = 50

# Every tour step and the networks where the argument changes: biases, batch norm, saturation, an overflow,
# zero and constant weights, narrow layers, the other nonlinearities.
EXTRA = {
    "biased linear": Config(activation="linear", init="xavier_normal", bias=1.0),  # grows to √10
    "bias spread": Config(activation="tanh", init="xavier_normal", bias_std=0.5),
    "biased relu": Config(activation="relu", init="he_normal", bias=0.2, bias_std=0.3, depth=6, width=200),
    "batch norm, Xavier relu, biased": Config(activation="relu", init="xavier_normal", batch_norm=True, bias=0.5,
                                              bias_std=0.1, depth=8, width=200),
    "batch norm, tiny weights": Config(init="normal", std=1e-4, batch_norm=True, depth=5, width=100, batch=200),
    "saturated deep": Config(init="normal", std=1.0, depth=30, width=300),
    "overflow": Config(activation="relu", init="normal", std=1.0, depth=40),
    "underflow": Config(activation="linear", init="normal", std=1e-4, depth=30, width=50, batch=20),
    "overflow, huge theory": Config(activation="linear", init="normal", std=100.0, depth=100, width=64, batch=16),
    "zeros with bias spread": Config(init="zeros", bias_std=0.5, depth=3, width=20, batch=20),
    "constant": Config(init="constant", value=0.1, depth=3, width=20, batch=20),
    "narrow he uniform": Config(activation="relu", init="he_uniform", width=300, depth=12),
    "leaky": Config(activation="leaky_relu", slope=0.2, init="he_normal", gain=1.3, depth=7, width=128),
    "tanh gain 5/3": Config(activation="tanh", init="xavier_uniform", gain=5 / 3, width=256, depth=6),
    "orthogonal": Config(activation="tanh", init="orthogonal", width=128, depth=5, batch=256),
    "lecun selu": Config(activation="selu", init="lecun_normal", width=128, depth=6),
    "sigmoid": Config(activation="sigmoid", init="xavier_normal", width=128, depth=6),
    "float64 uniform input": Config(init="uniform", bound=0.1, input="uniform", dtype="float64", width=128),
    "torch default relu": Config(activation="relu", init="torch_default", depth=6, width=200),  # its own biases
    "trunc normal off centre": Config(init="trunc_normal", std=0.05, trunc_mean=0.01, depth=3, width=40, batch=50),
    "trunc normal tanh": Config(init="trunc_normal", std=0.08, trunc_a=-0.1, trunc_b=0.1, width=128, depth=5),
    "variance scaling relu": Config(activation="relu", init="variance_scaling", scale=2.0, mode="fan_avg",
                                    width=128, depth=6),
    # residual streams: pre-LN with its closed form, tanh (no closed form), constant branches
    "pre-LN relu": Config(activation="relu", init="he_normal", residual=True, layer_norm=True, depth=6, width=200),
    "residual tanh": Config(init="xavier_normal", residual=True, branch_scale=0.5, depth=5, width=128, batch=200),
    "residual constant": Config(init="constant", value=0.01, residual=True, depth=3, width=20, batch=20),
    # width profiles: which fan product the scheme holds at every layer
    "profile he fan_out relu": Config(activation="relu", init="he_normal", mode="fan_out", depth=3,
                                      widths=(784, 512, 256, 128), batch=200),
    "profile he fan_in linear": Config(activation="linear", init="he_uniform", gain=1.0, depth=4,
                                       widths=(300, 300, 100, 300, 100), batch=200),
    "profile xavier tanh": Config(activation="tanh", init="xavier_normal", depth=4, widths=(400, 400, 200, 100, 50),
                                  batch=200),
    # the MNIST-like preset: Xavier and He in either mode, ReLU and tanh, Keras's VarianceScaling in each mode
    "mnist xavier tanh": Config(init="xavier_normal", depth=3, widths=(784, 512, 256, 128), batch=200),
    "mnist he fan_out tanh": Config(init="he_normal", mode="fan_out", depth=3, widths=(784, 512, 256, 128), batch=200),
    "mnist he fan_out relu": Config(activation="relu", init="he_uniform", mode="fan_out", gain=1.2, depth=3,
                                    widths=(784, 512, 256, 128), batch=200),
    "mnist variance scaling fan_avg": Config(init="variance_scaling", mode="fan_avg", scale=2.0, depth=3,
                                             widths=(784, 512, 256, 128), batch=200),
    "mnist he fan_avg relu": Config(activation="relu", init="he_normal", mode="fan_avg", depth=3,
                                    widths=(784, 512, 256, 128), batch=200),
    "mnist variance scaling fan_out uniform": Config(activation="relu", init="variance_scaling", mode="fan_out",
                                                     distribution="uniform", depth=3, widths=(784, 512, 256, 128),
                                                     batch=200),
    "taper xavier relu": Config(activation="relu", init="xavier_uniform", depth=8,
                                widths=(512, 448, 384, 320, 256, 192, 128, 96, 64), batch=200),
    "torch default tanh": Config(init="torch_default", depth=4, width=300, batch=200),  # its biases' σ_b² in Var(s₁)
    # layer norm without a stream: the lecture's tiny weights, each nonlinearity and scheme, biases, a profile, digits
    "layer norm tanh": Config(init="normal", std=0.01, layer_norm=True),  # the lecture's network under LN
    "layer norm relu he": Config(activation="relu", init="he_normal", layer_norm=True, depth=6, width=200),
    "layer norm gelu xavier, biased": Config(activation="gelu", init="xavier_uniform", layer_norm=True, bias=0.3,
                                             bias_std=0.2, depth=5, width=200),
    "layer norm tanh he, two layers": Config(init="he_normal", layer_norm=True, depth=2, width=100, batch=200),
    "layer norm, one layer": Config(activation="relu", init="xavier_normal", layer_norm=True, depth=1, width=100,
                                    batch=200),
    "layer norm profile": Config(activation="relu", init="xavier_normal", layer_norm=True, depth=3,
                                 widths=(784, 512, 256, 128), batch=200),
    "batch norm profile": Config(activation="gelu", init="he_uniform", gain=1.3, batch_norm=True, depth=4,
                                 widths=(64, 48, 32, 48, 64), batch=200),
    "layer norm digits": Config(input="digits", init="xavier_normal", layer_norm=True, depth=3, width=100, batch=500),
    "layer norm torch default taper": Config(activation="relu", init="torch_default", layer_norm=True, depth=8,
                                             widths=(512, 448, 384, 320, 256, 192, 128, 96, 64), batch=200),
    "pre-LN gelu": Config(activation="gelu", init="he_normal", residual=True, layer_norm=True, depth=6, width=200),
    # torch's nn.Linear under a width profile: each layer's Var(b) = 1/(3 fan_in)
    "torch default profile relu": Config(activation="relu", init="torch_default", depth=3,
                                         widths=(784, 512, 256, 128), batch=200),
    # one layer: no "1 layers", no ratio from layer 1 to layer 1
    "one layer": Config(depth=1),
    "one layer, relu, widths": Config(activation="relu", init="he_normal", mode="fan_out", depth=1, widths=(300, 100),
                                      batch=200),
    "one layer, batch norm": Config(batch_norm=True, depth=1, width=100, batch=200),
    "one layer, zeros": Config(init="zeros", depth=1, width=20, batch=20),
    "profile zeros, bias spread": Config(init="zeros", bias_std=0.5, depth=3, widths=(64, 40, 20, 10), batch=20),
    "profile zeros": Config(init="zeros", depth=3, widths=(64, 40, 20, 10), batch=20),
    # the digits' 64 pixels into wider layers: layer 1's fan_in is 64, not the width
    "digits xavier tanh": Config(input="digits", init="xavier_normal", depth=3, width=200, batch=500),
    "digits he relu": Config(input="digits", activation="relu", init="he_normal", depth=8, width=128, batch=500),
    "digits zeros": Config(input="digits", init="zeros", depth=2, width=100, batch=100),
    # a residual stream of zero weights: every branch adds 0, the closed form's growth is 1
    "residual zeros relu": Config(activation="relu", init="zeros", residual=True, branch_scale="inv_sqrt_depth",
                                  depth=4, width=50, batch=50),
}


def as_conv_net(code: str) -> Config:
    """Tour step `code`'s network after the sidebar's switch to a conv net (step 11's channels, batch and image)."""
    state = urlstate.state_of(tour.step_config(code))
    there = {**state, **urlstate.switched_sizes(state, "conv"), "arch": "conv"}
    return urlstate.config_of({name: value for name, value in there.items()
                               if name not in urlstate.CONTROLS or urlstate.relevant(name, there)})[0]


# conv nets: every step's as the architecture switch makes it, and Custom ones where the pixels' populations differ
# (zero padding) or not (circular padding), with biases, a 5 x 5 kernel, batch norm
CONV = {f"step {code} as a conv net": as_conv_net(code) for code in tour.STEPS if code != tour.CONV_STEP} | {
    "conv xavier tanh": Config(init="xavier_normal", width=64, batch=50, arch="conv"),
    "conv he relu, biased": Config(activation="relu", init="he_normal", bias=0.1, bias_std=0.2, depth=4, width=16,
                                   batch=20, arch="conv", image=8),
    "conv linear, 5 x 5": Config(activation="linear", init="xavier_uniform", depth=3, width=16, batch=20, arch="conv",
                                 kernel=5, image=12),
    "conv circular": Config(activation="relu", init="he_normal", depth=4, width=16, batch=20, arch="conv",
                            padding="circular"),
    "conv selu": Config(activation="selu", init="lecun_normal", depth=4, width=16, batch=20, arch="conv", image=8),
    "conv saturated": Config(init="normal", std=0.2, depth=4, width=16, batch=20, arch="conv", image=8),
    "conv batch norm": Config(activation="relu", init="he_normal", batch_norm=True, depth=4, width=16, batch=20,
                              arch="conv", image=8),
}
# the digits as a conv net's input: one channel, however wide the layers (and whatever a profile's first entry)
CONV_DIGITS = {
    "conv digits": Config(input="digits", activation="relu", init="he_normal", depth=3, width=16, batch=20,
                          arch="conv"),
    "conv digits profile": Config(input="digits", activation="relu", init="he_normal", depth=2, widths=(64, 16, 16),
                                  batch=20, arch="conv"),
}
CONFIGS = {f"step {code}": config for code, config in tour.STEPS.items()} | EXTRA | CONV


def result_of(simulated, name: str):
    """The network CONFIGS names, computed once for the worker (the conftest's `simulated`)."""
    return simulated(CONFIGS[name])


# ---------- independent truth for every named value ----------

def closed_form_var_w(c: Config, fan_in: int | None = None, fan_out: int | None = None) -> float:
    """Var(w) from torch.nn.init's formulas, written out again, for a (fan_in, fan_out) layer (both n = width if not
    given)."""
    n_in, n_out = fan_in or c.width * c.receptive_field, fan_out or c.width * c.receptive_field  # conv: C k²
    n = {"fan_in": n_in, "fan_out": n_out, "fan_avg": (n_in + n_out) / 2}[c.mode]  # He's and Keras's fan
    gain = c.gain
    if c.init in ("zeros",) or (c.init == "constant" and c.value == 0):
        return 0.0
    if c.init == "normal":
        return c.std**2
    if c.init == "uniform":
        return c.bound**2 / 3
    if c.init in ("xavier_normal", "xavier_uniform"):
        return (1.0 if gain is None else gain) ** 2 * 2 / (n_in + n_out)
    if c.init in ("he_normal", "he_uniform"):
        return (2.0 if gain is None else gain**2) / n
    if c.init == "lecun_normal":
        return (1.0 if gain is None else gain) ** 2 / n_in
    if c.init == "orthogonal":
        return (1.0 if gain is None else gain) ** 2 / max(n_in, n_out)
    if c.init == "torch_default":  # U(+-1/sqrt(fan_in)): torch's nn.Linear
        return 1 / (3 * n_in)
    if c.init == "trunc_normal":
        return scipy.stats.truncnorm((c.trunc_a - c.trunc_mean) / c.std, (c.trunc_b - c.trunc_mean) / c.std,
                                     loc=c.trunc_mean, scale=c.std).var()
    if c.init == "variance_scaling":  # Keras: scale / fan
        return c.scale / n
    raise AssertionError(c.init)


def digits_second_moment(c: Config) -> float:
    """E[x²] over the first `batch` digit images, each pixel standardized over all 1,797 by scikit-learn's own data
    (a pixel constant over the set becomes 0), times input_scale²."""
    from sklearn.datasets import load_digits
    pixels = load_digits().data
    std = pixels.std(axis=0)
    standard = np.where(std > 0, (pixels - pixels.mean(axis=0)) / np.where(std > 0, std, 1), 0.0)
    return float(np.mean(standard[:c.batch] ** 2)) * c.input_scale**2


def closed_form_bias(c: Config) -> tuple[float, float]:
    """The biases' mean and variance: the Config's, or torch's U(+-1/sqrt(fan_in)), variance 1/(3 fan_in)."""
    return (0.0, 1 / (3 * c.units[0] * c.receptive_field)) if c.init == "torch_default" else (c.bias, c.bias_std**2)


def first_conv_layer(c: Config, interior: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A conv net's input and layer 1's sum, by core.conv.conv2d on the torch-shaped weight, float64, from the same
    draws: where the borders lose (zero padding) and `interior`, at its interior pixels only (k // 2 or more from the
    border, where the formulas hold), else at every pixel."""
    from core import conv
    from core.network import layer_biases, network_draws
    d = network_draws(c)
    x = d.x.astype(np.float64).reshape(c.batch, c.image, c.image, -1) * c.input_scale
    m = scale_weights(c, d.weights[0] if d.weights else None, *c.shapes[0], shape=c.matrices[0]).astype(np.float64)
    s = conv.conv2d(x, conv.weight(m, c.units[0], c.kernel), c.padding)
    bias = layer_biases(c)[0]
    if bias is not None:
        s = s + bias
    if not (interior and derivation.borders_lose(c)):  # every pixel, or every pixel an interior one
        return x, s
    p = c.kernel // 2
    return x, s[:, p:c.image - p, p:c.image - p]


def first_layer(c: Config) -> tuple[np.ndarray, np.ndarray]:
    """The input and layer 1's sum s₁ = x·W₁ + b, computed plainly in float64 from the same random draws."""
    if c.arch == "conv":
        return first_conv_layer(c)
    units = c.units
    d = draw(c.seed, c.depth, units, c.batch, c.input, family(c.init), c.dtype)
    x = d.x.astype(np.float64) * c.input_scale  # the input as the network sees it (Var = input_scale²)
    w = scale_weights(c, d.weights[0] if d.weights else None, units[0], units[1]).astype(np.float64)
    s = x @ w
    noise = bias_noise(c.seed, units[1:])[0]
    b = scale_bias(c, noise if c.bias_std else None, units[1])
    if c.init == "torch_default":  # U(+-1/sqrt(fan_in)) from the same N(0, 1) numbers, through Phi
        b = (2 * scipy.stats.norm.cdf(noise) - 1) / math.sqrt(units[0])
    return x, s if b is None else s + b


def bend_truth(theory: float, total: float, depth: int) -> dict[str, float]:
    """What tanh's bend takes off the straight-line product (theory / total) and its geometric mean a layer; none
    where the product is 0 or undefined."""
    if not (math.isfinite(theory) and math.isfinite(total) and total > 0 and theory > 0):
        return {}
    return {"bend": theory / total, "bend_layer": (theory / total) ** (1 / depth)}


def expected(result) -> dict[str, float]:
    """What each named value of the tab must be: closed forms, a plain recomputation, the headline, the theory."""
    c, s = result.config, result.stats
    fans = c.shapes[0] if c.arch == "conv" else c.units[:2]  # a conv layer's: (C_in k², C_out k²)
    ex2 = digits_second_moment(c) if c.input == "digits" else c.input_scale**2
    n, depth = fans[0], c.depth  # layer 1's fan_in: the input's width (the digits' 64 pixels), a conv layer's C_in k²
    h = summary.headline(result)
    x, s1 = first_layer(c)
    mean_w = c.value if c.init == "constant" else (scipy.stats.truncnorm(
        (c.trunc_a - c.trunc_mean) / c.std, (c.trunc_b - c.trunc_mean) / c.std, loc=c.trunc_mean, scale=c.std).mean()
        if c.init == "trunc_normal" else 0.0)
    var_w = closed_form_var_w(c, *fans) if abs(mean_w) < 1e-15 else math.nan
    mean_b, var_b = closed_form_bias(c)
    keep = {"relu": 0.5, "leaky_relu": (1 + c.slope**2) / 2}.get(c.activation, 1.0)
    hidden_units = s["distinct_units"][1:][np.isfinite(s["distinct_units"][1:])]
    pre = s["pre_std"][1:][np.isfinite(s["pre_std"][1:])]
    total = mpmath.sqrt(mpmath.mpf(keep) * n * mpmath.mpf(var_w)) ** depth if math.isfinite(var_w) else math.nan
    profile = {}
    if len(set(c.units)) > 1 and math.isfinite(var_w):  # each layer's own Var(w) from its fans
        shapes = list(zip(c.units[:-1], c.units[1:]))
        var = [closed_form_var_w(c, m, k) for m, k in shapes]
        total = mpmath.fprod(mpmath.sqrt(mpmath.mpf(keep) * m * mpmath.mpf(v)) for (m, _), v in zip(shapes, var))
        layer = next(i for i, (m, k) in enumerate(shapes) if m != k)
        (m, k), forward, backward = shapes[layer], [m * v for (m, _), v in zip(shapes, var)], \
            [k * v for (_, k), v in zip(shapes, var)]
        profile = {"fan_layer": layer + 1, "fan_in": m, "fan_out": k, "fan_var_w": var[layer],
                   "in_var": m * var[layer], "out_var": k * var[layer], "in_low": min(forward),
                   "in_high": max(forward), "out_low": min(backward), "out_high": max(backward),
                   # the way back from the last layer to layer 1 passes W_L ... W_2
                   **({"back_low": min(backward[1:]), "back_high": max(backward[1:])} if depth > 1 else {})}
        if depth > 1 and c.norm != "none":  # a norm divides fan_in·Var(w) of the layer below out of each step down
            steps = [backward[i] / forward[i - 1] for i in range(1, depth)]
            profile |= {"step_low": min(steps), "step_high": max(steps)}
    return profile | {
        "n": n, "units": c.units[1], "units_low": min(c.units[1:]), "units_high": max(c.units[1:]), "depth": depth,
        "reference": 1.0, "saturation_level": 0.97, "c": c.value,
        "distinct_low": hidden_units.min(), "distinct_high": hidden_units.max(),
        # E[x²] = input_scale² for the unit-variance draws (step 10's input is scaled to q0 = 1/64)
        "var_w": var_w, "nvar": n * var_w, "ex2": ex2, "var_b": var_b, "bias": mean_b, "mean_w": mean_w,
        "var_s": n * var_w * ex2 + var_b, "std_s": math.sqrt(n * var_w * ex2 + var_b),
        "measured_ex2": float(np.mean(x**2)),
        # a conv net's interior pixels: each pixel's spread over the batch and channels, pooled (views/tour.py's)
        "measured_std_s": float(np.sqrt(s1.var(axis=(0, 3)).mean()) if derivation.borders_lose(c) else s1.std()),
        "keep": keep, "slope": c.slope, "factor": math.sqrt(keep * n * var_w) if math.isfinite(var_w) else math.nan,
        "total": total,
        # layer 1's Var(w) under torch.nn.init's xavier_normal_ and kaiming_normal_ (He by the network's mode where its
        # scheme reads one, else torch's default fan_in), and the lecture's 1/n
        "xavier": 2 / (fans[0] + fans[1]), "he": 2 / he_fan(c, *fans), "lecture_xavier": 1 / fans[0],
        "he_leaky": 2 / ((1 + c.slope**2) * he_fan(c, *fans)),  # He et al. 2015's PReLU condition
        "fan_in_1": fans[0], "fan_out_1": fans[1], "tanh_reference": math.tanh(1),
        "theory_ratio": s["predicted_act_std"][depth] / s["predicted_act_std"][0],
        # what tanh's bend takes off the straight-line product over the network, and its geometric mean a layer
        **bend_truth(s["predicted_act_std"][depth] / s["predicted_act_std"][0], float(total), depth),
        "theory_act": s["predicted_act_std"][depth],
        "act_ratio": h.act_ratio, "act_last": h.act_last, "saturated": h.saturated, "grad_ratio": h.grad_ratio,
        "theory_grad_ratio": s["predicted_grad_std"][1] / s["predicted_grad_std"][depth],
        "bn_low": pre.min() if pre.size else math.nan, "bn_high": pre.max() if pre.size else math.nan,
    } | (stream_truth(c, s, keep * n * var_w) if c.residual else {}) | (conv_truth(c) if c.arch == "conv" else {}) \
        | (image_truth(result, var_b, s["predicted_act_std"][depth] / s["predicted_act_std"][0])
           if derivation.pixels_differ(c) else {}) \
        | mode_truth(c, *fans) | factors_truth(c, keep) | bias_truth(c) \
        | (layer_norm_truth(c, ex2) if c.layer_norm and not c.residual else {}) \
        | (batch_norm_truth(c) if c.batch_norm and not c.residual else {})


LN_EPS = 1e-5  # torch.nn.LayerNorm's default eps


def gaussian_mean(g, var: float) -> float:
    """E[g(s)] for s ~ N(0, var), by scipy's adaptive quadrature (split at 0, where ReLU bends)."""
    sd = math.sqrt(var)
    density = scipy.stats.norm(scale=sd).pdf
    return sum(scipy.integrate.quad(lambda x: float(g(np.array(x))) * density(x), a, b, epsabs=1e-14,
                                    epsrel=1e-12, limit=200)[0] for a, b in ((-12 * sd, 0.0), (0.0, 12 * sd)))


def layer_norm_truth(c: Config, ex2: float) -> dict[str, float]:
    """Layer norm's mean field written out again with scipy's quadrature: q_l = fan_in Var(w_l) E[h²] + Var(b_l),
    s_l ~ N(0, q_l/(q_l + ε)), and on the way down Var(∂L/∂z_l) = Var(∂L/∂h_l) E[f′(s_l)²]/(q_l + ε),
    Var(∂L/∂h_{l-1}) = fan_out Var(w_l) Var(∂L/∂z_l); each step's std factor from layer l to l - 1."""
    shapes = list(zip(c.units[:-1], c.units[1:]))
    second, q, slope2 = ex2, [], []
    for m, k in shapes:
        var_b = 1 / (3 * m) if c.init == "torch_default" else c.bias_std**2
        q.append(m * closed_form_var_w(c, m, k) * second + var_b)
        var_s = q[-1] / (q[-1] + LN_EPS)
        second = gaussian_mean(lambda x: apply(c.activation, x, c.slope) ** 2, var_s)
        slope2.append(gaussian_mean(lambda x: derivative(c.activation, x, c.slope) ** 2, var_s))
    grad_z, grad_h = [], 1.0
    for layer in range(c.depth, 0, -1):
        grad_z.insert(0, grad_h * slope2[layer - 1] / (q[layer - 1] + LN_EPS))
        m, k = shapes[layer - 1]
        grad_h = k * closed_form_var_w(c, m, k) * grad_z[0]
    steps = [math.sqrt(grad_z[layer - 1] / grad_z[layer]) for layer in range(1, c.depth)]  # z₂→z₁, z₃→z₂, ...
    truth = {"eps": LN_EPS, "ln_var_s": q[0] / (q[0] + LN_EPS), "ln_slope2": slope2[0]}
    if c.depth > 1:
        m, k = shapes[1]
        truth |= {"ln_out": k * closed_form_var_w(c, m, k), "ln_back_first": steps[0]}
    if c.depth > 2:
        truth |= {"ln_back_low": min(steps[1:]), "ln_back_high": max(steps[1:])}
    return truth


def batch_norm_truth(c: Config) -> dict[str, float]:
    """Batch norm's step down at equal widths, by scipy's quadrature: √(E[f′(u)²] / Var(f(u))) for u ~ N(0, 1), the
    weights' scale divided out with the batch std of the sum."""
    mean = gaussian_mean(lambda x: apply(c.activation, x, c.slope), 1.0)
    variance = gaussian_mean(lambda x: apply(c.activation, x, c.slope) ** 2, 1.0) - mean**2
    return {"bn_back": math.sqrt(gaussian_mean(lambda x: derivative(c.activation, x, c.slope) ** 2, 1.0) / variance)}


def bias_truth(c: Config) -> dict[str, float]:
    """torch's nn.Linear biases, U(±1/√fan_in): each layer's variance 1/(3 fan_in), and their range."""
    if c.init != "torch_default" or len(set(c.units[:-1])) == 1:
        return {}
    variances = [1 / (3 * m) for m in c.units[:-1]]
    return {f"var_b_{layer}": v for layer, v in enumerate(variances, start=1)} | {
        "var_b_low": min(variances), "var_b_high": max(variances)}


MODE_SCHEMES = ("he_normal", "he_uniform", "variance_scaling")  # the schemes whose Var(w) reads the fan mode


def he_fan(c: Config, fan_in: int, fan_out: int) -> float:
    """The fan of kaiming_normal_ (Keras's VarianceScaling) in the network's mode, where its scheme reads one."""
    mode = c.mode if c.init in MODE_SCHEMES else "fan_in"
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def mode_truth(c: Config, fan_in: int, fan_out: int) -> dict[str, float]:
    """A scheme that reads the mode: its fan and what it divides by it (torch's gain², Keras's scale)."""
    if c.init not in MODE_SCHEMES:
        return {}
    top = c.scale if c.init == "variance_scaling" else (2.0 if c.gain is None else c.gain**2)
    return {"mode_fan": he_fan(c, fan_in, fan_out), "mode_top": top}


def factors_truth(c: Config, keep: float) -> dict[str, float]:
    """Under a width profile, each layer's factor sqrt(keep fan_in Var(w_l)) from torch.nn.init's formulas, and their
    range."""
    if len(set(c.units)) == 1 or c.init in ("zeros", "constant"):
        return {}
    shapes = list(zip(c.units[:-1], c.units[1:]))
    factors = [math.sqrt(keep * m * closed_form_var_w(c, m, k)) for m, k in shapes]
    return {f"factor_{layer}": f for layer, f in enumerate(factors, start=1)} | {
        "factor_low": min(factors), "factor_high": max(factors)}


def image_truth(result, var_b: float, theory_ratio: float) -> dict[str, float]:
    """Where a conv net's populations of pixels differ, the whole image's values: layer 1's theory variance, the mean
    over the image of each pixel's window share of E[x²] (zero padding: taps outside count 0) times n Var(w), plus
    σ_b² (the Data tab's theory); its measured std, layer 1's sum in float64 over every pixel; and the theory's
    std(h_L)/std(x) without borders, by the dense recursion with the conv layers' fans (Xiao et al. 2018), which the
    borders multiply by theory_ratio's share."""
    import scipy.signal
    c = result.config
    s_full = first_conv_layer(c, interior=False)[1]
    second = np.full((c.image, c.image), c.input_scale**2)
    window = scipy.signal.convolve2d(second, np.ones((c.kernel, c.kernel)) / c.kernel**2, mode="same")
    n, var_w = c.shapes[0][0], closed_form_var_w(c, *c.shapes[0])
    if not var_w > 0:  # zero or constant weights: no variance, and the tab has no argument to follow
        return {}
    image_var = n * var_w * window.mean() + var_b
    dense = replace(c, arch="dense", padding="zeros", kernel=3, image=16,
                    widths=(c.shapes[0][0], *(fan_out for _, fan_out in c.shapes)))
    borderless = predict(dense)["act_std"]
    interior_ratio = borderless[c.depth] / borderless[0]
    return {"image_var_s": image_var, "image_std_s": math.sqrt(image_var),
            "image_kept": image_var / (n * var_w * c.input_scale**2 + var_b),
            "measured_image_std_s": float(s_full.std()), "interior_ratio": interior_ratio,
            "border_factor": theory_ratio / interior_ratio}


def conv_truth(c: Config) -> dict[str, float]:
    """A conv net's channels, kernel and image; under zero padding the share of the interior's variance a corner keeps
    after layer 1, ((k//2 + 1)² taps inside of k²), and the image's mean share (core.conv.taps_inside over k²)."""
    from core import conv
    p = c.kernel // 2
    return {"channels": c.width, "kernel": c.kernel, "image": c.image, "border_corner": (p + 1) ** 2 / c.kernel**2,
            "border_mean": float(conv.taps_inside(c.image, c.kernel).mean()) / c.kernel**2}


def stream_truth(c: Config, s: dict, branch_gain: float) -> dict[str, float]:
    """A residual stream's values: alpha, what a block adds (alpha^2 keep n Var(w)), the closed forms of issue 14
    (no norm: Var multiplied by 1 + that a block; pre-LN: that added a block), the gradient's growth x_L -> x_0."""
    alpha = 1 / math.sqrt(c.depth) if c.branch_scale == "inv_sqrt_depth" else c.branch_scale
    add = alpha**2 * branch_gain
    growth = (1 + add) ** (c.depth / 2) if c.norm == "none" else math.sqrt(1 + c.depth * add)
    return {"alpha": alpha, "res_add": add, "res_growth": growth,
            "res_grad_ratio": s["grad_std"][0] / s["grad_std"][c.depth],
            "res_theory_grad_ratio": s["predicted_grad_std"][0] / s["predicted_grad_std"][c.depth]}


# measured in float32, recomputed here in float64
RECOMPUTED = {"measured_ex2", "measured_std_s", "measured_image_std_s"}


# ---------- reading numbers back from the page ----------

NUMBER = WRITTEN  # a number as the page writes it: 0.224, 2.94 × 10⁻⁷ (LaTeX: WRITTEN_LATEX)


def number_of(text: str):
    """The number a printed value stands for (mpf), or None for a dash; percentages as fractions."""
    text = text.strip()
    if text.startswith("—"):
        return None
    if text.endswith("%"):
        return mpmath.mpf(text.removesuffix(PERCENT)) / 100
    return mpmath.mpf(e_form(text))


def half_unit(text: str):
    """Half a unit in the last printed digit; a number printed without its trailing zeros keeps three digits."""
    text = e_form(text)
    mantissa = text.partition("e")[0]
    value = abs(mpmath.mpf(text))
    if value == 0:
        return mpmath.mpf(0)
    digits = max(len(mantissa.lstrip("-").replace(".", "").lstrip("0")), 3)
    return mpmath.mpf(10) ** (int(mpmath.floor(mpmath.log10(value))) - digits + 1) / 2


def agrees(printed: str, value) -> bool:
    """Whether `printed` is `value` rounded to the digits shown (a dash only for an undefined value)."""
    number = number_of(printed)
    if number is None:
        return not (isinstance(value, mpmath.mpf) or math.isfinite(value))
    if not (isinstance(value, mpmath.mpf) or math.isfinite(value)):
        return False
    if printed.strip().endswith("%"):
        slack = mpmath.mpf("0.0005")  # one decimal of a percentage
    else:
        slack = half_unit(printed) * (mpmath.mpf(1) + mpmath.mpf(10) ** -12)
    return abs(number - mpmath.mpf(value)) <= slack


def latex_value(expr: str):
    """The value of a LaTeX expression of numbers, ×, +, √, fractions and powers; None if it holds a symbol."""
    e = re.sub(WRITTEN_LATEX, lambda m: f"N('{e_form(m.group(0))}')", expr.strip())
    e = e.replace(r"\times", "*")
    while True:
        reduced = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", e)
        reduced = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", reduced)
        reduced = re.sub(r"\^\{([^{}]*)\}", r"**(\1)", reduced)
        if reduced == e:
            break
        e = reduced
    if re.sub(r"N\('[^']*'\)|sqrt|[\s()+*/]", "", e):
        return None
    return eval(e, {"N": mpmath.mpf, "sqrt": mpmath.sqrt})  # our own LaTeX, reduced to arithmetic


def as_latex(printed: str) -> str:
    """A number as the notes print it, as the LaTeX prints it (number_writing.format_latex): 2.94 × 10⁻⁷ ->
    2.94 \\times\\nobreak 10^{-7}."""
    if not re.fullmatch(r"(?:-?\d+(?:\.\d+)?\s×\s)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", printed):
        return printed
    mantissa, exponent = e_form(printed).split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times\nobreak {power}"


def check_equations(latex: str) -> int:
    """Assert that every numeric equation a = b and comparison a ≫ b in `latex` holds as printed; return how many."""
    checked = 0
    for segment in re.split(r"\\;\\Rightarrow\\;|\\qquad|,\\quad", latex):
        sides = segment.split("=")
        for lhs, rhs in itertools.pairwise(sides):
            left, right = latex_value(lhs), latex_value(rhs)
            if left is None or right is None or not re.fullmatch(rf"\s*(?:{WRITTEN_LATEX})\s*", rhs):
                continue
            assert agrees(rhs, left), f"{lhs.strip()} = {rhs.strip()} does not hold: the left side is {left}"
            checked += 1
        for a, symbol, b in re.findall(rf"({WRITTEN_LATEX}) (\\gg|\\ll|\\approx) ({WRITTEN_LATEX})", segment):
            ratio = mpmath.mpf(e_form(a)) / mpmath.mpf(e_form(b))
            holds = {r"\gg": ratio >= 10, r"\ll": ratio <= 0.1, r"\approx": abs(ratio - 1) <= 0.1}[symbol]
            assert holds, f"{a} {symbol} {b}"
            checked += 1
    return checked


def static_numbers(lang: str) -> set[str]:
    """Numbers written into the tab's own sentences (years, ½-free fractions), not filled in from values."""
    found = set()
    for key, text in catalogue(lang).items():
        if key.startswith(("der_", "cmp_")):
            literal = "".join(part for part, _, _, _ in string.Formatter().parse(text))
            found |= set(re.findall(NUMBER, literal))
    return found


def missing_text(result, lang: str) -> str | None:
    if not result.breaks:
        return None
    b = result.breaks[0]
    return t(lang, f"der_missing_{b.kind}").format(layer=b.layer, dtype=result.config.dtype,
                                                    tiny=format_value(np.finfo(result.config.dtype).tiny))


# ---------- the tests ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", CONFIGS)
def test_every_printed_number_is_the_value_it_names(simulated, name, lang):
    result = result_of(simulated, name)
    truth = expected(result)
    blocks = derivation.blocks(result, lang)
    for block in blocks:
        text = " ".join(block.notes)
        for key, printed in block.shown.items():
            assert key in truth, f"{key} has no independent value in this test"
            value = block.values[key]
            if key in RECOMPUTED:  # float32 sums against a float64 recomputation
                assert value == pytest.approx(truth[key], rel=2e-4), key
            elif isinstance(truth[key], mpmath.mpf):
                assert mpmath.almosteq(mpmath.mpf(value), truth[key], rel_eps=1e-9), key
            elif math.isfinite(truth[key]):
                assert float(value) == pytest.approx(truth[key], rel=1e-9, abs=1e-300), key
            else:
                assert not math.isfinite(float(value)), key
            if printed.startswith("—"):
                assert not (isinstance(truth[key], mpmath.mpf) or math.isfinite(truth[key])), (key, printed)
            else:
                assert agrees(printed, value if key in RECOMPUTED else truth[key]), (key, printed, truth[key])
            latex = as_latex(printed)
            assert printed in text or latex in block.numbers, f"{key} = {printed} is not printed"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", CONFIGS)
def test_no_number_is_printed_that_is_not_a_named_value(simulated, name, lang):
    result = result_of(simulated, name)
    allowed = static_numbers(lang)
    missing = missing_text(result, lang)
    for block in derivation.blocks(result, lang):
        text = " ".join(block.notes)
        if missing:
            text = text.replace(missing, " ")
        # the network's init with the Config's own numbers (N(0, 0.01²), gain 5/3), tests/test_init_words.py's
        text = text.replace(summary.init_words(result.config, lang), " ")
        latex = block.numbers
        for printed in sorted(block.shown.values(), key=len, reverse=True):
            pattern = rf"(?<![\d.]){re.escape(printed)}(?![\d])"
            text = re.sub(pattern, " ", text)
            tex_form = as_latex(printed)
            latex = re.sub(rf"(?<![\d.]){re.escape(tex_form)}(?![\d])", " ", latex)
        assert set(re.findall(NUMBER, text)) <= allowed, (block.title, text)
        # what is left in the LaTeX: subscripts, Xavier's 1/n and He's 2/n, and saturation's |h| → 1, tanh′ → 0
        assert set(re.findall(NUMBER, latex)) <= {"0", "1", "2"}, (block.title, latex)


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIGS)
def test_every_printed_equation_holds_at_the_printed_precision(simulated, name):
    result = result_of(simulated, name)
    checked = sum(check_equations(block.numbers) for block in derivation.blocks(result, "en"))
    c = result.config
    off_centre = c.init == "trunc_normal" and c.trunc_mean != 0  # weights of non-zero mean: no argument to check
    symmetric = c.init in ("zeros", "constant") or off_centre or closed_form_var_w(c) == 0
    # Var(s₁), std(s₁), 1/n, 2/n, n·Var(w); and where the layers multiply by a constant factor, it and its power
    least = 0 if symmetric else 5
    if not symmetric and not c.batch_norm and closed_form_bias(c) == (0, 0) and c.activation in ("linear", "relu",
                                                                                                "leaky_relu"):
        least = 7
    if c.layer_norm and not symmetric:  # Var(s₁) = q₁/(q₁ + ε), and the gradient's step from layer 2 to layer 1
        least = 6 + (c.depth > 1)
    if c.residual:  # what a block adds and the growth over the depth, where the stream has a closed form
        closed = c.activation in ("linear", "relu", "leaky_relu") and closed_form_bias(c) == (0, 0) \
            and c.norm in ("none", "layer") and not symmetric
        least = 2 if closed else 0
    assert checked >= least, checked


@pytest.mark.slow
@pytest.mark.parametrize("config", [c for c in CONFIGS.values() if c.arch == "conv"] + list(CONV_DIGITS.values()))
def test_a_conv_nets_n_is_its_first_layer_s_input_channels_times_k_squared(simulated, config):
    # der_conv_note prints n = Cᵢₙ·k² = {channels}·{kernel}² = {n}: a digits conv net had printed 64·3² = 9
    v = derivation.values_of(simulated(config), "en")
    assert v["channels"] * v["kernel"] ** 2 == v["n"] == config.shapes[0][0]
    notes = " ".join(note for block in derivation.blocks(simulated(config), "en") for note in block.notes)
    assert f"{v['channels']:.0f}·{v['kernel']:.0f}² = {v['n']:.0f}" in notes


def small(config: Config) -> Config:
    """config at a size that computes in milliseconds, its kind kept: depth 4, width 32, batch 16 and a conv net's
    images 8 x 8 at most (a profile keeps its shape, a digits input its 64 pixels: core.config.resize)."""
    for name, most in (("depth", 4), ("width", 32), ("batch", 16)):
        if resized_size(config, name) > most:  # a profile's widest
            config = resize(config, name, most)
    return replace(config, image=min(config.image, 8)) if config.arch == "conv" else config


def has_every_value_its_equations_read(config: Config, lang: str = "en") -> None:
    result = simulate(config)
    values = derivation.values_of(result, lang)
    for equation in derivation.equations(config):
        assert {equation.result, *equation.operands} <= values.numbers.keys(), (config, equation.result)
    assert derivation.blocks(result, lang)


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("init", INITS)
def test_every_scheme_s_argument_has_every_value_its_equations_read(init, residual):
    # a residual stream of zero weights had its closed form's n·Var(w) read and never written: a KeyError where the
    # tab should be. Every scheme, with and without the stream, under each norm and a flat and a curved f.
    for activation, norm in itertools.product(("relu", "tanh"), ("none", "batch", "layer")):
        has_every_value_its_equations_read(Config(init=init, residual=residual, activation=activation, depth=3,
                                                  width=16, batch=10, batch_norm=norm == "batch",
                                                  layer_norm=norm == "layer"))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(widget_states(), st.sampled_from(LANGUAGES))
def test_the_argument_is_written_for_every_network_a_link_can_hold(state, lang):
    # Every value the tab's equations read or write is one the tab has, whatever the network a link holds (a conv net
    # on the digits under a profile had raised in resize), at a small size.
    has_every_value_its_equations_read(small(urlstate.config_of(state)[0]), lang)


def test_the_equation_checker_catches_the_old_mistakes():
    """The faults the tab used to print fail the check: it is not vacuous."""
    for wrong in (r"500 \times 1 \times 1 = 501", r"0.224^{10} = 3.12 \times\nobreak 10^{-7}", r"1 \gg 1",
                  r"\sqrt{0.5 \times 1} = 0.707 \;\Rightarrow\; 0.707^{10} = 0.0313"):
        with pytest.raises(AssertionError):
            check_equations(wrong)
    assert check_equations(r"500 \times 1 \times 1.002 = 501 \;\Rightarrow\; \sqrt{501} = 22.4") == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_4_does_not_call_1_far_above_1(simulated, lang):
    """Xavier's point: std(s₁) = 1 keeps tanh near its straight part; the tab must not say saturation."""
    result = result_of(simulated, "step 4")
    text = " ".join(n for b in derivation.blocks(result, lang) for n in b.notes)
    latex = " ".join(b.numbers for b in derivation.blocks(result, lang))
    assert r"\gg" not in latex and t(lang, "cmp_much_greater") not in text
    assert t(lang, "cmp_close") in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("std, expected_relation", [
    (0.002, "much_less"), (0.02, "less"), (0.045, "close"), (0.1, "greater"), (1.0, "much_greater"),
])
def test_the_comparing_word_follows_std_s1(std, expected_relation, lang):
    """std(s₁) = √500 · std: 0.045, 0.45, 1.006, 2.24, 22.4 against 1."""
    result = simulate(Config(init="normal", std=std, depth=3))
    std_s = math.sqrt(500) * std
    assert derivation.relation(std_s, 1.0) == expected_relation
    blocks = derivation.blocks(result, lang)
    text = " ".join(n for b in blocks for n in b.notes)
    words = {r: t(lang, f"cmp_{r}") for r in derivation.RELATIONS}
    assert words[expected_relation] in text
    for other, word in words.items():
        if other != expected_relation and word not in words[expected_relation]:
            assert word not in text, (other, word)
    latex = " ".join(b.numbers for b in blocks)
    assert (r"\gg" in latex) == (expected_relation == "much_greater")


@pytest.mark.parametrize("ratio, expected_relation", [
    (0.0, "much_less"), (0.05, "much_less"), (0.1, "much_less"), (0.1001, "less"), (0.5, "less"),
    (0.8999, "less"), (0.9, "close"), (1.0, "close"), (1.1, "close"), (1.1001, "greater"), (9.99, "greater"),
    (10.0, "much_greater"), (1e6, "much_greater"),
])
def test_relation_thresholds(ratio, expected_relation):
    """≫ from a ratio of 10, ≪ up to 1/10, ≈ within 10 %."""
    assert derivation.relation(ratio, 1.0) == expected_relation
    assert derivation.relation(ratio * 4, 4.0) == expected_relation  # a power of two scales exactly


@pytest.mark.slow
@given(st.floats(0, 1e6), st.floats(1e-6, 1e6))
def test_relation_across_the_range(value, reference):
    ratio = value / reference
    relation = derivation.relation(value, reference)
    if ratio >= 10:
        assert relation == "much_greater"
    elif ratio <= 0.1:
        assert relation == "much_less"
    elif 0.9 <= ratio <= 1.1:
        assert relation == "close"
    else:
        assert relation == ("greater" if ratio > 1 else "less")


def test_relation_is_undefined_without_numbers():
    for value, reference in ((math.nan, 1.0), (1.0, math.nan), (math.inf, 1.0), (1.0, 0.0), (1.0, -1.0), (-1, 1)):
        assert derivation.relation(value, reference) is None


def test_every_relation_has_its_word_in_both_languages():
    for relation in derivation.RELATIONS:
        assert t("en", f"cmp_{relation}") and t("zh", f"cmp_{relation}")
    assert len({t("en", f"cmp_{r}") for r in derivation.RELATIONS}) == len(derivation.RELATIONS)
    assert len({t("zh", f"cmp_{r}") for r in derivation.RELATIONS}) == len(derivation.RELATIONS)
    assert derivation.RELATIONS["much_greater"] == r"\gg" and derivation.RELATIONS["close"] == r"\approx"


# ---------- a conv net's two populations of pixels ----------

# which pixels each value is over where a conv net's borders lose (zero padding), and the words that name them
INTERIOR = ("std_s", "var_s", "measured_std_s")  # an interior pixel's, where the formulas hold
BORDERLESS = ("interior_ratio",)  # the chain of factors, on an image without borders (circular padding)
IMAGE = ("image_var_s", "image_std_s", "measured_image_std_s", "theory_ratio", "act_ratio", "theory_act", "act_last",
         "grad_ratio", "theory_grad_ratio")  # pooled over the whole image, as the Data tab and the curves
POPULATION_WORDS = {"en": {INTERIOR: "interior pixel", BORDERLESS: "without borders", IMAGE: "whole image"},
                    "zh": {INTERIOR: "内部像素", BORDERLESS: "无边界", IMAGE: "整幅图像"}}


def printed_in(note: str, printed: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(printed)}(?![\d])", note) is not None


def telling(block, key: str) -> str | None:
    """key's value as the block prints it, where it tells which value a note prints: not a whole number ("1" is also
    "layer 1"), and no other value of the block printed alike (tanh's factor √(n·Var(w)) is std(s₁) at E[x²] = 1)."""
    printed = block.shown.get(key)
    if not printed or "." not in printed:
        return None
    return None if any(other != key and text == printed for other, text in block.shown.items()) else printed


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["step 11", *CONV])
def test_a_conv_nets_numbers_name_the_pixels_they_are_over(simulated, name, lang):
    """Under zero padding the formulas hold at an interior pixel, while the Data tab and the curves pool the whole
    image (its borders keep less): every note that prints a value of one population names it, and the chain of
    factors (an image without borders) reaches the whole image's theory only through the borders' factor, which
    multiplies at the printed digits. Without borders (circular padding, or a norm's theory) no words are added."""
    result = result_of(simulated, name)
    c = result.config
    blocks = derivation.blocks(result, lang)
    notes = [(block, note) for block in blocks for note in block.notes]
    words = POPULATION_WORDS[lang]
    if not derivation.borders_lose(c):
        assert not any(word in note for _, note in notes for word in words.values())
        return
    checked, telling_keys = set(), set()
    for block, note in notes:
        for population, word in words.items():
            if population is INTERIOR or derivation.pixels_differ(c):
                for key in population:
                    printed = telling(block, key)
                    telling_keys |= {key} if printed else set()
                    if printed and printed_in(note, printed):
                        assert word in note, (key, printed, note)
                        checked.add(key)
    assert telling_keys <= checked  # each one found in a note
    assert checked or derivation.case(c) in ("zero", "constant", "off_centre")  # no variance, no argument
    if not derivation.pixels_differ(c) or derivation.case(c) == "zero":  # zero weights: no variance to follow
        return
    shown = {key: value for block in blocks for key, value in block.shown.items()}
    values = {key: value for block in blocks for key, value in block.values.items()}
    assert {"measured_std_s", "measured_image_std_s", "image_std_s"} <= set(shown)
    # the whole image's layer 1 is the Data tab's: its theory and measured pre-activation std
    assert values["image_std_s"] == pytest.approx(result.stats["predicted_pre_std"][1], rel=1e-12)
    assert values["measured_image_std_s"] == pytest.approx(result.stats["pre_std"][1], rel=1e-12)
    if "interior_ratio" in shown:  # the chain, then the borders' factor to the whole image's theory
        chain = next(note for block, note in notes if "interior_ratio" in block.shown
                     and printed_in(note, shown["border_factor"]))
        assert words[BORDERLESS] in chain and words[IMAGE] in chain
        assert f"{shown['interior_ratio']} × {shown['border_factor']} = {shown['theory_ratio']}" in chain
        product = number_of(shown["interior_ratio"]) * number_of(shown["border_factor"])
        assert agrees(shown["theory_ratio"], product)
        if c.activation == "relu" and not (c.bias or c.bias_std):  # closed form: E[h]² = E[h²]/π for ReLU of N(0, q)
            keep_total = (0.5 * values["nvar"]) ** (c.depth / 2)
            assert values["interior_ratio"] == pytest.approx(keep_total * math.sqrt(1 - 1 / math.pi), rel=1e-9)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["step 5", "step 6", "narrow he uniform", "leaky"])
def test_the_measured_ratio_is_the_headlines_std_ratio(simulated, name, lang):
    """Steps 5 and 6 used to print √E[h²] ratios (0.0339, 1.08) where the headline's std ratio is 0.0277, 0.888."""
    result = result_of(simulated, name)
    h = summary.headline(result)
    assert h.act_ratio == pytest.approx(result.act_std[-1] / result.act_std[0])
    rms = math.hypot(result.act_std[-1], result.act_mean[-1]) / math.hypot(result.act_std[0], result.act_mean[0])
    text = " ".join(n for b in derivation.blocks(result, lang) for n in b.notes)
    assert format_value(h.act_ratio) in text
    assert format_value(rms) not in text  # the ratio of √E[h²] is not what the headline measures


@pytest.mark.slow
@pytest.mark.parametrize("bias, bias_std", [(1.0, 0.0), (0.5, 0.3), (0.0, 0.5), (-1.0, 0.2)])
def test_a_biased_linear_network_is_predicted_with_its_bias(bias, bias_std):
    """q_l = n·Var(w)·(q_{l−1} + b²) + σ_b² for the identity: at n·Var(w) = 1, b = 1 the std grows to √10."""
    config = Config(activation="linear", init="xavier_normal", bias=bias, bias_std=bias_std, depth=10)
    result = simulate(config)
    q, mean = 1.0, 0.0  # the input: variance 1, mean 0
    for _ in range(config.depth):
        q = 1.0 * (q + mean**2) + bias_std**2
        mean = bias
    blocks = derivation.blocks(result, "en")
    text = " ".join(n for b in blocks for n in b.notes)
    assert f"std(h₁₀) / std(x) = {format_value(math.sqrt(q))}" in text  # the theory, bias included
    assert "after 10 layers" not in text  # no constant factor per layer is claimed
    block = next(b for b in blocks if "theory_ratio" in b.values)
    assert block.values["theory_ratio"] == pytest.approx(math.sqrt(q), rel=1e-6)
    assert "total" not in block.values
    if (bias, bias_std) == (1.0, 0.0):  # the same bias in every unit: one network follows the theory closely
        assert math.sqrt(q) == pytest.approx(math.sqrt(10))
        assert summary.headline(result).act_ratio == pytest.approx(math.sqrt(10), rel=0.02)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("activation, slope", [("relu", 0.2), ("leaky_relu", 0.01), ("leaky_relu", 0.2),
                                               ("leaky_relu", 0.5)])
def test_the_relu_family_s_step_3_states_the_share_its_activation_keeps(activation, slope, lang):
    """E[f(s)²] / Var(s) for a zero-mean Gaussian s, by Gauss–Hermite quadrature of the activation itself (exact:
    f² is a² z² below 0 and z² above, and the nodes are symmetric): ReLU ½, leaky ReLU ½(1 + a²), in the formula,
    the title and the note. Leaky ReLU's step 3 had shown ReLU's ½, its title "half the variance" and its note
    "zeros the rest"."""
    result = simulate(Config(activation=activation, slope=slope, init="he_normal", depth=3, width=64, batch=64))
    block = next(b for b in derivation.blocks(result, lang) if "keep" in b.values)
    z, weights = np.polynomial.hermite_e.hermegauss(40)
    keep = float(weights @ apply(activation, z, slope) ** 2 / weights.sum())
    leaky = activation == "leaky_relu"
    assert keep == pytest.approx(0.5 * (1 + slope**2) if leaky else 0.5, rel=1e-12)
    assert block.values["keep"] == pytest.approx(keep, rel=1e-12)
    assert (r"\tfrac12(1+a^2)" in block.formula) == leaky and (r"\tfrac12\," in block.formula) == (not leaky)
    assert ("½(1 + a²)" in as_read(block.title)) == leaky
    notes = " ".join(block.notes)
    assert (t(lang, "der_relu_note") in notes) == (not leaky)
    if leaky:  # its slope and its share as printed, 0.50005 at a = 0.01 (ReLU's 0.5 at three digits)
        assert f"a = {format_value(slope)}" in notes and f"= {block.shown['keep']}·Var(s)" in notes
        assert read_back(block.shown["keep"]) == pytest.approx(keep, rel=1e-6)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("activation, slope", [("relu", 0.2), ("leaky_relu", 0.01), ("leaky_relu", 0.2)])
def test_leaky_relu_s_condition_is_he_s_for_its_slope(activation, slope, lang):
    """He et al. 2015 (PReLU): ½(1 + a²)·n·Var(w) = 1, Var(w) = 2/((1 + a²)·n), what torch's gain √(2/(1 + a²))
    gives: the Derivation's step 4 says so for leaky ReLU beside ReLU's 2/n, and not for ReLU."""
    n, gain = 80, math.sqrt(2 / (1 + slope**2))
    result = simulate(Config(activation=activation, slope=slope, init="he_normal", gain=gain, depth=3, width=n,
                             batch=64))
    block = next(b for b in derivation.blocks(result, lang) if "he" in b.values)
    leaky = activation == "leaky_relu"
    assert ("he_leaky" in block.values) == leaky
    if leaky:
        assert block.values["he_leaky"] == pytest.approx(2 / ((1 + slope**2) * n), rel=1e-12)
        assert block.values["he_leaky"] == pytest.approx(block.values["var_w"], rel=1e-12)  # the gain gives it
        assert block.shown["he_leaky"] == block.shown["var_w"]


@pytest.mark.parametrize("bias_std", [0.0, 0.3])
def test_every_member_of_the_variance_chain_is_var_s(bias_std):
    """Var(s) = Σ Var(wᵢxᵢ) + σ_b² = Σ E[wᵢ²]E[xᵢ²] + σ_b² = n·Var(w)·E[x²] + σ_b²: with biases each member after
    Var(s) carries σ_b², without them none does (the chain had added σ_b² to its last member only, so that its first
    equalities were false). Its numbers add the same σ_b² and come to the measured first layer's variance."""
    config = Config(activation="tanh", init="xavier_normal", bias_std=bias_std, depth=3, width=400, batch=2000)
    result = simulate(config)
    block = next(b for b in derivation.blocks(result, "en") if "var_s" in b.values)
    members = block.formula.split(" = ")
    assert len(members) == 4 and members[0].endswith(r"\mathrm{Var}(s)")
    assert [r"+ \sigma_b^2" in member for member in members[1:]] == [bias_std > 0] * 3
    n, var_w, ex2 = (block.values[name] for name in ("n", "var_w", "ex2"))
    assert block.values["var_s"] == pytest.approx(n * var_w * ex2 + bias_std**2, rel=1e-9)
    assert math.sqrt(block.values["var_s"]) == pytest.approx(result.stats["pre_std"][1], rel=0.05)


@pytest.mark.parametrize("activation, keep", [("linear", 1.0), ("relu", 0.5), ("leaky_relu", 0.5 * (1 + 0.2**2))])
@pytest.mark.parametrize("std", [0.02, 0.0447, 0.0632, 0.1])
def test_the_factor_per_layer_is_the_closed_form(activation, keep, std):
    """√(keep·n·Var(w)) a layer on √E[h²]: for the identity it is the theory's std ratio exactly."""
    result = simulate(Config(activation=activation, slope=0.2, init="normal", std=std, depth=6, width=200,
                             batch=100))
    block = next(b for b in derivation.blocks(result, "en") if "factor" in b.values)
    factor = math.sqrt(keep * 200 * std**2)
    assert block.values["factor"] == pytest.approx(factor, rel=1e-12)
    assert float(block.values["total"]) == pytest.approx(factor**6, rel=1e-9)
    if activation == "linear":
        assert block.values["theory_ratio"] == pytest.approx(factor**6, rel=1e-6)


def test_batch_norm_relabels_the_sum_z_and_its_gradient(simulated):
    """Under batch norm the sum is z and s = BN(z); the measured gradient ratio is that of ∂L/∂z."""
    blocks = derivation.blocks(result_of(simulated, "step 7"), "en")
    variance, backward = blocks[1], next(b for b in blocks if "grad_ratio" in b.values)
    assert r"\mathrm{Var}(z_1)" in variance.numbers and "s_1" not in variance.numbers
    assert r"\partial z_1" in backward.numbers and r"\partial z_{10}" in backward.numbers
    assert r"\partial s" not in backward.numbers
    assert "std(∂L/∂z)" in as_read(" ".join(backward.notes))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_batch_norm_backward_step_prints_the_theory_ratio(simulated, lang):
    """core.theory now predicts ∂L/∂z under batch norm: step 5 prints its ratio next to the measured one."""
    result = result_of(simulated, "step 7")
    backward = next(b for b in derivation.blocks(result, lang) if "grad_ratio" in b.values)
    predicted = result.predicted_grad_std
    assert math.isfinite(predicted[1] / predicted[10])
    assert backward.values["theory_grad_ratio"] == pytest.approx(predicted[1] / predicted[10], rel=1e-12)
    # the lecture's network (width 500, batch 1000): every layer within 2.5 %, the ratio within 1.5 %
    assert backward.values["theory_grad_ratio"] == pytest.approx(result.grad_std[1] / result.grad_std[10], rel=0.05)
    note = backward.notes[-1]
    assert "√(v + ε)" in note and ("theory" in note or "理论" in note)


def reference_gradients(config: Config) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """∂L/∂z (before the norm) and ∂L/∂s (after it) per layer by central differences, L = Σ readout·h_L; batch norm
    normalizes each unit over the batch, layer norm each sample over its units."""
    axis = 0 if config.batch_norm else 1
    d = draw(config.seed, config.depth, config.width, config.batch, config.input, family(config.init), "float64")
    weights = [scale_weights(config, unit, config.width, config.width) for unit in d.weights]

    def loss(layer: int, where: str, delta: np.ndarray) -> float:
        h = d.x
        for index, w in enumerate(weights, start=1):
            z = h @ w
            if index == layer and where == "z":
                z = z + delta
            s = (z - z.mean(axis, keepdims=True)) / np.sqrt(z.var(axis, keepdims=True) + 1e-5)
            if index == layer and where == "s":
                s = s + delta
            h = apply(config.activation, s, config.slope)
        return float((d.readout * h).sum())

    eps = 1e-6
    grads = {"z": [], "s": []}
    for layer in range(1, config.depth + 1):
        for where in ("z", "s"):
            g = np.zeros((config.batch, config.width))
            for i in range(config.batch):
                for j in range(config.width):
                    delta = np.zeros_like(g)
                    delta[i, j] = eps
                    g[i, j] = (loss(layer, where, delta) - loss(layer, where, -delta)) / (2 * eps)
            grads[where].append(g)
    return grads["z"], grads["s"]


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["batch_norm", "layer_norm"])
def test_under_a_norm_the_gradient_drawn_is_dl_dz_not_dl_ds(norm):
    """The Gradients tab plots result.grad_std; under batch or layer norm that is std(∂L/∂z), several times
    std(∂L/∂s), and its title and the Derivation's measured ratio say ∂L/∂z (under layer norm they said ∂L/∂s)."""
    config = Config(depth=3, width=6, batch=16, init="normal", std=0.01, dtype="float64", seed=2, **{norm: True})
    result = simulate(config)
    dz, ds = reference_gradients(config)
    for layer in range(1, 4):
        assert result.grad_std[layer] == pytest.approx(dz[layer - 1].std(), rel=1e-5)
        assert ds[layer - 1].std() != pytest.approx(dz[layer - 1].std(), rel=0.2)
    for lang in ("en", "zh"):
        title = gradients_tab.grad_title(config, lang)
        assert title.count("∂L/∂z") == 1 and "∂L/∂s" not in title
        said = " ".join([*(note for block in derivation.blocks(result, lang) for note in block.notes),
                         *(block.numbers for block in derivation.blocks(result, lang))])
        assert "std(∂L/∂z)" in as_read(said)  # the Derivation's measured ratio (section 5 too)
        assert norm == "layer_norm" or r"\partial L/\partial z_1" in said
        assert "∂L/∂s" not in said and r"\partial L/\partial s_1" not in said


def test_saturated_is_a_share_of_activation_values_and_labelled_so():
    """stats["saturated"] counts values |h| > 0.97 over batch × units, so no label may call it units."""
    config = Config(depth=2, width=30, batch=40, init="normal", std=0.3, dtype="float64", seed=1)
    result = simulate(config)
    d = draw(config.seed, 2, 30, 40, "normal", "normal", "float64")
    h = d.x
    for layer, unit in enumerate(d.weights, start=1):
        h = np.tanh(h @ scale_weights(config, unit, 30, 30))
        values = np.mean(np.abs(h) > 0.97)
        units = np.mean((np.abs(h) > 0.97).all(axis=0))
        assert result.saturated[layer] == pytest.approx(values)
        assert values != pytest.approx(units)  # the two readings differ here
    assert "values" in t("en", "metric_saturated") and "units" not in t("en", "metric_saturated")
    assert "激活值" in t("zh", "metric_saturated") and "神经元" not in t("zh", "metric_saturated")
    assert "values" in t("en", "column_saturated") and "units" in t("en", "column_dead")
    assert "激活值" in t("zh", "column_saturated") and "神经元" in t("zh", "column_dead")
    for lang in LANGUAGES:  # the Data tab's caption explains the two columns under the names they carry
        saturated, dead = t(lang, "column_saturated"), t(lang, "column_dead")
        caption = data_tab.caption(lang, "float32")
        assert saturated in caption and dead in caption


@pytest.mark.slow
def test_the_data_tab_says_where_the_saturated_column_counts_a_value():
    """The Data tab's caption said "on tanh's or sigmoid's flat ends" and no threshold. It gives the thresholds the
    column counts with, core.activations.SATURATION's: |tanh| > 0.97, sigmoid below 0.03 or above 0.97, and the
    column is that count of numpy's own values: 3.722 % of layer 1's at ?depth=5&width=200&init=xavier_normal&
    bias_std=0.1&seed=7."""
    from core.activations import SATURATION
    from core.network import layer_biases, network_draws

    for lang in LANGUAGES:
        caption = data_tab.caption(lang, "float32")
        low, high = format_value(1 - SATURATION), format_value(SATURATION)
        assert f"|tanh| > {high}" in caption and (low, high) == ("0.03", "0.97")
        assert re.search(rf"sigmoid \D*{re.escape(low)}\D*{re.escape(high)}", caption), caption
    for config, f, edge in [
            (Config(depth=5, width=200, init="xavier_normal", bias_std=0.1, seed=7), np.tanh,
             lambda h: np.abs(h) > 0.97),
            (Config(depth=2, width=30, batch=400, activation="sigmoid", init="normal", std=3.0, dtype="float64"),
             lambda z: 1 / (1 + np.exp(-z)), lambda h: (h < 0.03) | (h > 0.97))]:
        draws, bias = network_draws(config), layer_biases(config)[0]
        h = f(draws.x @ scale_weights(config, draws.weights[0], *config.shapes[0], shape=config.matrices[0])
              + (0 if bias is None else bias))
        assert simulate(config).saturated[1] == pytest.approx(np.mean(edge(h)), abs=1e-9)
        if config.activation == "tanh":
            assert np.mean(edge(h)) == pytest.approx(0.03722, abs=5e-6)


def test_zero_weights_say_what_the_distinct_units_show(simulated):
    """The note on zero weights says what the simulation measures: units of a layer alike, and a gradient of 0 in
    every layer below the last, whose gradient (the made-up one at the top) differs from unit to unit (step 1's
    Derivation had said every unit gets the same gradient, beside a story whose layer-10 gradient has std 1)."""
    zeros = simulate(Config(init="zeros", depth=3, width=20, batch=20))
    same = derivation.blocks(zeros, "en")
    assert t("en", "der_zero_note").format(sym="s") in [n for b in same for n in b.notes]
    for result in (zeros, simulate(tour.step_config("1"))):
        depth = result.config.depth
        assert (result.stats["grad_std"][1:depth] == 0).all() and result.stats["grad_std"][depth] > 0.5
    spread = derivation.blocks(result_of(simulated, "zeros with bias spread"), "en")
    notes = [n for b in spread for n in b.notes]
    assert t("en", "der_zero_bias_note").format(sym="s") in notes
    assert t("en", "der_zero_note").format(sym="s") not in notes
    assert "from 1 to 20 of 20" not in " ".join(notes) and "20 of 20" in " ".join(notes)
    # batch norm subtracts each unit's constant sum z = b: every unit outputs 0, one distinct unit a layer
    normed = simulate(replace(CONFIGS["zeros with bias spread"], batch_norm=True))
    assert (normed.distinct_units[1:] == 1).all()
    assert t("en", "der_zero_note").format(sym="z") in [n for b in derivation.blocks(normed, "en") for n in b.notes]


@pytest.mark.slow
def test_a_network_that_overflowed_says_where_instead_of_a_number(simulated):
    result = result_of(simulated, "overflow")
    text = " ".join(n for b in derivation.blocks(result, "en") for n in b.notes)
    assert f"— (the values overflowed float32 at layer {result.breaks[0].layer})" in text
    huge = derivation.blocks(result_of(simulated, "overflow, huge theory"), "en")
    block = next(b for b in huge if "total" in b.values)
    # √(64 · 100²) = 800 a layer; 800^100 = 2.04 × 10²⁹⁰, still a float, and so is the theory's, whose variance
    # (10⁵⁸⁰) is not: carried in logarithms (it had said "beyond float64's range")
    assert block.shown["total"] == block.shown["theory_ratio"] == "2.04\u00a0×\u00a010²⁹⁰"
    wider = replace(CONFIGS["overflow, huge theory"], width=128, batch=10)  # 1131^100 = 10^305: beyond float
    block = next(b for b in derivation.blocks(simulate(wider), "en") if "total" in b.values)
    assert block.shown["total"].endswith("\u00a0×\u00a010³⁰⁵")
    assert agrees(block.shown["total"], mpmath.sqrt(mpmath.mpf(128) * 100**2) ** 100)
    assert check_equations(block.numbers) == 2


@pytest.mark.slow
@pytest.mark.parametrize("init", INITS)
def test_every_scheme_gets_its_derivation_with_the_variance_it_draws(init):
    """Each registry scheme, at its defaults: the tab's blocks in both languages, every printed equation holding,
    and the Var(w) it prints within sampling error (4 standard errors of a normal's or a uniform's variance) of
    the variance of the weights the simulation drew (its measured std(W₁))."""
    result = simulate(Config(init=init, depth=3, width=200, batch=100))
    for lang in LANGUAGES:
        blocks = derivation.blocks(result, lang)
        assert blocks and all(block.title for block in blocks)
        for block in blocks:
            check_equations(block.numbers)
    printed = [block.values["var_w"] for block in derivation.blocks(result, "en") if "var_w" in block.values]
    measured = result.weight_std[1] ** 2
    if family(init) is None:
        assert printed == [] and (measured == 0)
        return
    assert printed, "a random scheme's derivation prints its Var(w)"
    assert float(printed[0]) == pytest.approx(measured, rel=4 * math.sqrt(2 / 200**2))


MACHINE_NUMBER = re.compile(r"\d[eE][+-]?\d|\\times(?:\\nobreak)? ?10\^\{[^}]*\}\^")  # 1.00e-04, and a power of a power


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", CONFIGS)
def test_numbers_are_written_as_a_person_writes_them(simulated, name, lang):
    """No 1.00e-04 in the notes or the LaTeX, and no power of a power: the page's own writer
    (number_writing.format_value, format_latex). Each number read back (tests/written_numbers.py) is its value at three
    digits or more."""
    result = result_of(simulated, name)
    for block in derivation.blocks(result, lang):
        text, latex = " ".join(block.notes), block.numbers
        assert not MACHINE_NUMBER.search(text) and not MACHINE_NUMBER.search(latex), (block.title, text, latex)
        for key, printed in block.shown.items():
            value = block.values[key]
            if printed.startswith("—") or printed.endswith("%") or not 1e-300 < abs(float(value)) < 1e300:
                continue  # a dash, a share (format_share), 0, or a value beyond float's range (the test above)
            assert read_back(printed) == pytest.approx(float(value), rel=5e-3), (key, printed, value)


@pytest.mark.parametrize("config", [Config(init="zeros", depth=2, width=20, batch=10),
                                    Config(init="constant", value=0.3, depth=2, width=20, batch=10),
                                    Config(init="trunc_normal", std=1.0, trunc_mean=0.5, depth=2, width=20, batch=10)],
                         ids=["zeros", "constant", "off_centre"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_words_inside_a_formula_are_the_page_s_language(config, lang):
    """Text inside LaTeX (\\text{...}) is the page's language, from the catalogue: no English on the Chinese page."""
    words = [w for b in derivation.blocks(simulate(config), lang) for w in re.findall(r"\\text\{([^}]*)\}", b.formula)]
    assert words
    other = [language for language in LANGUAGES if language != lang]
    for word in words:
        assert word.strip() in {t(lang, "der_every_input"), t(lang, "der_every_unit")}
        assert all(word.strip() not in {t(o, "der_every_input"), t(o, "der_every_unit")} for o in other)


# ---------- the schemes' own formulas, per-layer factors, the bias term, one layer ----------

def block_with(blocks, name: str):
    return next(b for b in blocks if name in b.values)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["step 4", "step 6", "mnist xavier tanh", "mnist he fan_out tanh",
                                  "mnist he fan_out relu", "mnist variance scaling fan_avg",
                                  "mnist variance scaling fan_out uniform", "mnist he fan_avg relu",
                                  "taper xavier relu"])
def test_step_4_gives_each_scheme_its_own_var_w_for_layer_1(simulated, name, lang):
    """Xavier's Var(w) is Glorot's 2/(fan_in + fan_out) of layer 1 and He's 2/fan by the network's mode, as
    torch.nn.init computes them; at unequal widths the network drawn by either prints the same Var(w) as the scheme,
    and a scheme that reads the mode names it with its own formula (kaiming_*: gain²/fan, Keras: scale/fan)."""
    result = result_of(simulated, name)
    c = result.config
    fan_in, fan_out = c.units[:2]
    block = block_with(derivation.blocks(result, lang), "xavier")
    text = " ".join(block.notes)
    assert block.values["xavier"] == pytest.approx(2 / (fan_in + fan_out), rel=1e-12)
    assert block.values["he"] == pytest.approx(2 / he_fan(c, fan_in, fan_out), rel=1e-12)
    assert block.values["var_w"] == pytest.approx(closed_form_var_w(c, fan_in, fan_out), rel=1e-9)
    if c.init.startswith("xavier") and c.gain is None:  # the network is Xavier: the tab says so with one number
        assert block.shown["xavier"] == block.shown["var_w"]
    if c.init.startswith("he") and c.gain is None:
        assert block.shown["he"] == block.shown["var_w"]
    if fan_in == fan_out:
        assert "lecture_xavier" not in block.shown and "mode_fan" not in block.shown
        return
    assert block.shown["lecture_xavier"] in text  # 1/n, said to hold only for equal widths
    assert block.shown["lecture_xavier"] != block.shown["xavier"]
    mode = c.mode if c.init in MODE_SCHEMES else "fan_in"
    assert t(lang, f"der_he_{mode}") in text
    if c.init in MODE_SCHEMES:
        top, fan = block.shown["mode_top"], block.shown["mode_fan"]
        assert f"{top}/{fan} = {block.shown['var_w']}" in text
        assert agrees(block.shown["var_w"], number_of(top) / number_of(fan))  # the equation holds as printed
        if c.init == "variance_scaling":
            assert t(lang, f"options.distribution_{c.distribution}") in text
        # torch's kaiming_* take fan_in or fan_out only: fan_avg is named Keras's, not credited to them
        torch_avg = c.init.startswith("he") and c.mode == "fan_avg"
        assert (t(lang, "mode_not_torch", source=schemes.get(c.init).source) in text) == torch_avg
        assert ("kaiming_uniform_" in text) == (c.init.startswith("he") and not torch_avg)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [name for name, c in CONFIGS.items() if c.widths] + ["step 6", "one layer"])
def test_the_factor_sentence_holds_layer_by_layer(simulated, name, lang):
    """One factor "a layer" only where every layer has it (its power is the total); under a width profile whose
    layers differ, each layer's factor from torch.nn.init's formulas (or their range) and their product."""
    result = result_of(simulated, name)
    c = result.config
    blocks = derivation.blocks(result, lang)
    if not any("total" in b.values for b in blocks):
        return  # biases, batch norm, saturation: no factor is claimed
    block = block_with(blocks, "total")
    keep = {"relu": 0.5, "leaky_relu": (1 + c.slope**2) / 2}.get(c.activation, 1.0)
    factors = list(factors_truth(c, keep).get(f"factor_{layer}", math.sqrt(keep * c.width * closed_form_var_w(c)))
                   for layer in range(1, c.depth + 1))
    text = " ".join(block.notes)
    total = mpmath.fprod(mpmath.mpf(f) for f in factors)
    assert agrees(block.shown["total"], total)
    if max(factors) - min(factors) <= 1e-9 * max(factors):
        assert not any(key.startswith("factor_") for key in block.shown)
        assert agrees(block.shown["total"], mpmath.mpf(factors[0]) ** c.depth)
    elif c.depth <= derivation.LISTED_FACTORS:
        shown = [block.shown[f"factor_{layer}"] for layer in range(1, c.depth + 1)]
        assert join(lang, shown) in text
        for printed, value in zip(shown, factors):
            assert agrees(printed, value)
        assert check_equations(block.numbers) >= 2  # layer 1's factor, and the product written out
    else:
        assert block.shown["factor_low"] in text and block.shown["factor_high"] in text
        assert agrees(block.shown["factor_low"], min(factors)) and agrees(block.shown["factor_high"], max(factors))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["torch default tanh", "torch default relu", "bias spread", "biased relu", "step 4"])
def test_the_variance_line_adds_every_term_its_formula_sums(simulated, name, lang):
    """Var(s₁) = n·Var(w)·E[x²] + σ_b²: the sentence names σ_b² wherever the formula adds it (torch's nn.Linear
    draws its biases from U(±1/√fan_in), σ_b² = 1/(3 fan_in)), and its printed terms add up to its Var(s₁)."""
    result = result_of(simulated, name)
    block = block_with(derivation.blocks(result, lang), "var_s")
    line = block.notes[1]
    values = {key: read_back(block.shown[key]) for key in ("n", "var_w", "ex2", "var_s")}
    var_b = closed_form_bias(result.config)[1]
    assert (block.shown.get("var_b", "") in line) == (var_b > 0) or var_b == 0
    printed_b = read_back(block.shown["var_b"]) if var_b > 0 else 0.0
    assert ("sigma_b" in line) == (var_b > 0)
    assert values["n"] * values["var_w"] * values["ex2"] + printed_b == pytest.approx(values["var_s"], rel=5e-3)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["step 4", "step 2", "one layer", "mnist xavier tanh"])
def test_the_tanh_regime_says_what_std_s1_is_compared_with(simulated, name, lang):
    """Step 4 used to say "std(s₁) = 1 is close to 1": the sentence names the reference, where tanh leaves its
    straight part (tanh(1) = 0.762), and the measured std(s₁) beside the theory's."""
    result = result_of(simulated, name)
    block = block_with(derivation.blocks(result, lang), "factor")
    regime = block.notes[1]  # after the tanh note: where std(s₁) sits
    assert format_value(math.tanh(1.0)) in regime
    assert block.shown["measured_std_s"] in regime
    assert agrees(block.shown["measured_std_s"], first_layer(result.config)[1].std())


ONE_LAYER_WORDS = {"en": ["1 layers", "1 conv layers", "at layer 1 / at layer 1", "back to layer 1", "after 1 ",
                          "1 to 1", "layers 1 to 1", "across the layers"],
                   "zh": ["第 1 层传回第 1 层", "第 1 层与第 1 层", "第 1 层到第 1 层", "1 层之后"]}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["one layer", "one layer, relu, widths", "one layer, batch norm", "one layer, zeros"])
def test_one_layer_is_one_layer_in_every_sentence(simulated, name, lang):
    """Depth 1: "1 layer", no gradient ratio from layer 1 to itself, no range from a number to itself, in the
    derivation, the network line, the verdict, the update size and the fans' sentences."""
    from views import describe
    result = result_of(simulated, name)
    texts = [n for b in derivation.blocks(result, lang) for n in b.notes]
    texts += [describe.network(result.config, lang), summary.explain(result, lang), summary.update_note(result, lang)]
    texts += [summary.scale_line(result, lang, direction) for direction in ("forward", "backward")]
    for text in filter(None, texts):
        for words in ONE_LAYER_WORDS[lang]:
            assert words not in text, (words, text)
    latex = " ".join(b.numbers for b in derivation.blocks(result, lang))
    assert "^{1}" not in latex and r"\partial s_{1}" not in latex and r"\partial z_{1}" not in latex
    assert describe.layers(result.config, lang) == t(lang, "net_dense_widths_one" if result.config.widths
                                                     else "net_dense_one", depth=1, width=result.config.width,
                                                     widths="-".join(map(str, result.config.units)))


def test_the_network_line_counts_layers_as_english_does():
    from views import describe
    assert describe.layers(Config(depth=1), "en") == "1 layer × 500 units"
    assert describe.layers(Config(depth=2), "en") == "2 layers × 500 units"
    assert describe.layers(Config(depth=1, arch="conv", width=8), "en").startswith("1 conv layer × 8 channels")
    assert describe.layers(Config(depth=1, widths=(300, 100)), "en") == "1 layer, widths 300-100"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["profile zeros", "profile zeros, bias spread", "zeros with bias spread"])
def test_zero_weights_count_the_units_of_the_layers_they_name(simulated, name, lang):
    """"1 of 40" for layers of 40, 20 and 10 units said too much: under a profile the sentence gives the layers'
    range of units; at equal widths their one count."""
    result = result_of(simulated, name)
    c = result.config
    note = derivation.blocks(result, lang)[-1].notes[-1]
    shown = derivation.blocks(result, lang)[-1].shown
    hidden = c.units[1:]
    if min(hidden) == max(hidden):
        assert shown["units"] in note and agrees(shown["units"], hidden[0])
    else:
        assert "units" not in shown
        assert agrees(shown["units_low"], min(hidden)) and agrees(shown["units_high"], max(hidden))
        assert shown["units_low"] in note and shown["units_high"] in note


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("init, mode, activation, expected", [
    ("xavier_normal", "fan_in", "tanh", [2 * 256 / (512 + 256), 2 * 128 / (256 + 128)]),  # Glorot: 2/(in + out)
    ("he_normal", "fan_out", "relu", [2.0, 2.0]),  # torch kaiming_normal_(mode="fan_out"): Var(w) = 2/fan_out
    ("he_normal", "fan_in", "relu", [2 * 256 / 512, 2 * 128 / 256]),  # 2/fan_in, times fan_out
])
def test_the_way_back_shows_fan_out_var_w_of_the_layers_it_passes(init, mode, activation, expected, lang):
    """784-512-256-128: the gradient from layer 3 down to layer 1 passes W_3 and W_2, each multiplying its variance
    by fan_out·Var(w) (Glorot & Bengio 2010, eq. 6): section 5 had shown layer 1's forward n·Var(w) = 1.21 (Xavier)
    and 3.06 (He, fan_out) beside that ratio. Their values here from torch.nn.init's formulas, written out."""
    config = Config(widths=(784, 512, 256, 128), depth=3, init=init, mode=mode, activation=activation, batch=200)
    (back,) = [b for b in derivation.blocks(simulate(config), lang) if b.title == t(lang, "der_back_title")]
    low, high = min(expected), max(expected)
    assert back.values["back_low"] == pytest.approx(low)
    assert back.values.get("back_high", low) == pytest.approx(high)  # printed only where the layers differ
    assert r"\mathrm{fan\_out}\,\mathrm{Var}(w) = " + format_latex(low) in back.numbers
    assert "nvar" not in back.values  # layer 1's forward product is not the way back's
    key = "der_back_fans_same" if math.isclose(low, high) else "der_back_fans"
    assert any(t(lang, key, back_low=format_value(low), back_high=format_value(high), depth=3) in note
               for note in back.notes)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_layer_norm_gets_its_own_argument(simulated, lang):
    """Under layer norm (no stream) step 2 is the sum z₁'s variance, n·Var(w)·E[x²] = 500 × 10⁻⁴ × 1 = 0.05, not the
    1 that layer norm makes of it; no straight-line factor is raised to the depth; the spread after tanh is tanh's own,
    std(tanh(u)) for a unit-variance u, and section 6 says Var(s) = q/(q + ε)."""
    result = result_of(simulated, "layer norm tanh")
    blocks = derivation.blocks(result, lang)
    titles = [block.title for block in blocks]
    assert t(lang, "der_ln_title") in titles and t(lang, "der_back_ln_title") in titles
    assert t(lang, "der_ln_act_title", activation=t(lang, "act_tanh")) in titles
    variance = blocks[1]
    assert variance.values["var_s"] == pytest.approx(500 * 0.01**2, rel=1e-12)
    assert r"\mathrm{Var}(z_1)" in variance.numbers and "= 0.05 " in variance.numbers
    assert not any("total" in block.values or "factor" in block.values for block in blocks)
    def second(var):  # E[tanh(s)²], s ~ N(0, var); tanh's mean is 0
        return gaussian_mean(lambda x: np.tanh(x) ** 2, var)

    var_s = 0.05 / (0.05 + LN_EPS)
    for _ in range(9):  # q_l = 0.05 E[h²] ≈ 0.0197 from layer 2 on, still far above ε
        q = 0.05 * second(var_s)
        var_s = q / (q + LN_EPS)
    own = math.sqrt(second(var_s))
    assert own == pytest.approx(0.628, abs=5e-4)
    forward = blocks[2]
    assert forward.values["theory_act"] == pytest.approx(own, rel=1e-6)
    assert forward.values["ln_var_s"] == pytest.approx(0.05 / (0.05 + LN_EPS), rel=1e-12)
    text = " ".join(note for block in blocks for note in block.notes)
    for old in ("der_tanh_regime_close", "der_back_note", "der_factor_numbers"):  # the plain network's sentences
        longest = max((part for part, _, _, _ in string.Formatter().parse(t(lang, old))), key=len)
        assert longest.strip() not in text, old


@pytest.mark.parametrize("lang", LANGUAGES)
def test_layer_norm_backward_step_says_where_relu_he_loses_its_root_two(simulated, lang):
    """ReLU with He under layer norm: layer 1's q₁ = n·Var(w)·E[x²] = 2, the layers above q = 2·½ = 1, so the
    gradient's std is multiplied by √(2·½/(2 + ε)) ≈ 1/√2 from layer 2 to layer 1 and by √(2·½/(1 + ε)) ≈ 1 above:
    the theory's 0.707, printed with the step that makes it."""
    result = result_of(simulated, "layer norm relu he")
    back = next(block for block in derivation.blocks(result, lang) if block.title == t(lang, "der_back_ln_title"))
    values = back.values
    assert values["ln_back_first"] == pytest.approx(math.sqrt(1 / (2 + LN_EPS)), rel=1e-6)
    assert values["ln_back_low"] == pytest.approx(1, rel=1e-5)  # q = 2·E[relu(s)²] = Var(s) = 1 - O(ε)
    assert values["theory_grad_ratio"] == pytest.approx(math.sqrt(0.5), rel=1e-4)
    assert back.shown["ln_back_first"] == back.shown["theory_grad_ratio"] == "0.707"
    assert back.shown["var_s"] == "2" and back.shown["ln_back_low"] == "1"
    assert t(lang, "der_ln_above_same").split("{")[0] in back.notes[-1]
    assert "ln_back_high" not in back.shown  # one value where low and high print alike


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [name for name, c in CONFIGS.items() if c.layer_norm and not c.residual])
def test_every_layer_norm_network_names_the_norm_in_each_step(simulated, name, lang):
    """Every layer-normed network (each nonlinearity, scheme, biases, a profile, digits, one and two layers): the sum is
    z, its variance is step 2's closed form, and the backward step divides by q + ε."""
    result = result_of(simulated, name)
    c = result.config
    blocks = derivation.blocks(result, lang)
    assert blocks[1].values["var_s"] == pytest.approx(expected(result)["var_s"], rel=1e-9)
    assert blocks[0].formula.startswith("z_j")
    titles = [block.title for block in blocks]
    assert t(lang, "der_ln_title") in titles
    back = blocks[titles.index(t(lang, "der_back_ln_title"))]
    assert r"q_{l-1} + \varepsilon" in back.formula
    if c.depth > 1:
        assert "ln_back_first" in back.values and "theory_grad_ratio" in back.values
    if c.bias or c.bias_std:
        assert t(lang, "der_bias_ln_note").split("，")[0].split(",")[0] in " ".join(blocks[1].notes)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["torch default profile relu", "layer norm torch default taper"])
def test_torch_default_biases_are_given_layer_by_layer(simulated, name, lang):
    """torch's nn.Linear draws each layer's biases from U(±1/√fan_in): Var(b) = 1/(3·fan_in), 4.25 × 10⁻⁴, 6.51 × 10⁻⁴
    and 1.30 × 10⁻³ for 784-512-256-128, not layer 1's for every layer; step 4 says torch's default is neither He
    nor Xavier, and calls He's fan_in mode kaiming_normal_'s default, not torch's."""
    result = result_of(simulated, name)
    c = result.config
    blocks = derivation.blocks(result, lang)
    variance = blocks[1]
    note = " ".join(variance.notes)
    fans = c.units[:-1]
    listed = c.depth <= derivation.LISTED_FACTORS
    for layer, fan_in in enumerate(fans, start=1):
        if listed:
            assert variance.values[f"var_b_{layer}"] == pytest.approx(1 / (3 * fan_in), rel=1e-12)
            assert variance.shown[f"var_b_{layer}"] in note
    if not listed:  # deeper: their range
        assert variance.values["var_b_low"] == pytest.approx(1 / (3 * max(fans)), rel=1e-12)
        assert variance.values["var_b_high"] == pytest.approx(1 / (3 * min(fans)), rel=1e-12)
        assert variance.shown["var_b_high"] in note
    if c.widths == (784, 512, 256, 128):
        assert [variance.shown[f"var_b_{layer}"].replace("\xa0", " ") for layer in (1, 2, 3)] == [
            "4.25 × 10⁻⁴", "6.51 × 10⁻⁴", "0.0013"]
    condition = " ".join(blocks[3].notes)
    assert "1/(3·fan_in)" in condition and "a = √5" in condition
    assert "kaiming_normal_" in condition and t(lang, "der_he_fan_in") in condition
    assert "torch's default)" not in condition and "torch 的默认）" not in condition


@pytest.mark.slow
@pytest.mark.parametrize("config", [
    Config(depth=6, widths=(64, 512, 128, 256, 32, 300, 100), init="he_normal", activation="relu", batch=200),
    Config(depth=6, widths=(64, 512, 128, 256, 32, 300, 100), init="torch_default", activation="tanh", batch=200),
    Config(depth=11, widths=(300, *range(290, 180, -10)), init="xavier_normal", activation="relu", batch=200),
    tour.step_config("7")], ids=["he-profile", "torch-profile", "taper", "step-7"])
def test_the_derivation_writes_each_range_s_ends_with_their_significant_digits(config):
    """The notes' ranges ("from {factor_low} to {factor_high}", measured std(s) "{bn_low} to {bn_high}", each layer's
    σ_b², fan_in·Var(w) and fan_out·Var(w)) write each end with its significant digits, trailing zeros kept, both in
    one notation (number_writing.format_range), each the rounding of its own value; where the two print alike the notes
    write one value."""
    from decimal import Decimal

    from tests.test_number_writing import read_written

    result = simulate(config)
    ranges = 0
    for lang in LANGUAGES:
        for block in derivation.blocks(result, lang):
            for stem in derivation.RANGES:
                ends = (f"{stem}_low", f"{stem}_high")
                if not all(end in block.shown for end in ends):
                    continue
                (low, low_decimals, low_power), (high, high_decimals, high_power) = (
                    read_written(block.shown[end]) for end in ends)
                assert low_power == high_power, (stem, block.shown)  # both with a power of ten, or neither
                if not low_power and min(low_decimals, high_decimals) > 0:
                    # one number of significant digits, at least three, trailing zeros kept (0.628 to 0.630)
                    digits = {written.adjusted() + decimals + 1 for written, decimals in ((low, low_decimals),
                                                                                           (high, high_decimals))}
                    assert len(digits) == 1 and min(digits) >= 3, (stem, block.shown)
                for end, written, decimals in ((ends[0], low, low_decimals), (ends[1], high, high_decimals)):
                    value = Decimal(block.values[end])
                    unit = Decimal(1).scaleb((written.adjusted() if low_power else 0) - decimals)  # last digit's
                    assert abs(written - value) <= unit / 2 * Decimal("1.000001"), (end, written, value)
                ranges += 1
    assert ranges >= 2


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("config, said", [
    (tour.STEPS["4"], True),  # Xavier + tanh: factor 1 a layer, the theory 0.228: the bend takes ×0.228
    (Config(init="xavier_normal", input="digits"), True),  # "a little smaller" a layer beside 0.476 and 0.213
    (tour.STEPS["2"], False),  # 0.01·randn: the values stay where tanh is straight, the product holds
], ids=["step 4", "digits", "step 2"])
@pytest.mark.slow
def test_the_tanh_block_says_what_the_bend_takes_over_the_network_where_the_product_misses(config, said, lang):
    """The tanh block named each layer's factor and their product, then a theory more than ten per cent off it with no
    word between: where the theory's ratio is not close to the straight-line product (derivation.CLOSE), a sentence
    gives the bend's share of the whole network and of a layer, product × share = theory."""
    result = simulate(config)
    tanh = next(block for block in derivation.blocks(result, lang) if block.title == t(lang, "der_tanh_title"))
    text = " ".join(tanh.notes)
    start = t(lang, "der_tanh_bend").split("{")[0]
    assert (start in text) == said, text
    theory, total = tanh.values["theory_ratio"], float(tanh.values["total"])
    assert (derivation.relation(theory, total) != "close") == said
    if said:
        bend = tanh.values["bend"]
        assert bend * total == pytest.approx(theory, rel=1e-12)
        assert tanh.values["bend_layer"] ** config.depth == pytest.approx(bend, rel=1e-12)
        assert format_value(bend) in text and format_value(tanh.values["bend_layer"]) in text


# A ReLU net whose layer 1 has unequal fans under He's fan_avg: its Var(w) = 2/648 = 0.00308642 had been printed
# "0.00308642" in one sentence and "0.00309" in the next (the kept share's own 6 digits, which leaky ReLU's 0.50005
# needs, raised every operand printed beside it); and leaky ReLU at torch's gain, whose Var(w) is He's condition for
# its slope: both numbers one value, printed alike
ALIKE = {"fan_avg": Config(activation="relu", init="he_normal", mode="fan_avg", widths=(784, 512, 256, 128),
                           depth=3, batch=64),
         "leaky at torch's gain": Config(activation="leaky_relu", slope=0.01, init="he_normal",
                                         gain=math.sqrt(2 / (1 + 0.01**2)), depth=3, width=80, batch=64),
         "relu": Config(activation="relu", init="he_normal", depth=3, width=80, batch=64)}


@pytest.mark.parametrize("name", ALIKE)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_number_prints_alike_under_every_name_and_with_no_more_digits_than_an_equation_needs(name, lang):
    blocks = derivation.blocks(simulate(ALIKE[name]), lang)
    printed = {}  # the number, to 12 significant digits -> how the blocks print it
    for block in blocks:
        for key, value in block.values.items():
            if isinstance(value, float) and math.isfinite(value) and value != 0 and key in block.shown:
                printed.setdefault(float(f"{value:.11e}"), set()).add(block.shown[key])
    assert {number: shown for number, shown in printed.items() if len(shown) > 1} == {}
    var_w = {block.shown["var_w"] for block in blocks if "var_w" in block.shown}
    expected = {"fan_avg": "0.00309", "leaky at torch's gain": "0.024998", "relu": "0.025"}[name]
    assert var_w == {expected}  # 3 digits unless the sentence needs more: leaky's 2/((1 + a²)·n) beside ReLU's 2/n
    # a value the tab does not print lends no digits: batch norm's range of factors, unprinted here, equals the measured
    # std(s₁), which had come out as 1.5531
    measured = {block.shown["measured_std_s"] for block in blocks if "measured_std_s" in block.shown}
    assert [len(re.sub(r"\D|^[0.]+", "", shown.replace(".", ""))) for shown in measured] == [3]


# The Derivation tab's own parts, as its notes point to them: "section 3", "第 3 节"; a "step" is the tour's
SECTION = {"en": re.compile(r"\bsection (\d+)"), "zh": re.compile(r"第 ?(\d+) ?节")}
TOUR_STEP = {"en": re.compile(r"\bsteps? \d"), "zh": re.compile(r"第 ?\d+ ?步")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_derivation_points_to_its_own_sections_never_to_a_step(lang):
    """Step 7's Derivation had said "the factor of step 3 no longer builds up", meaning its own section 3, where on a
    tour page "step 3" is the tour's N(0, 1): every Derivation message that points to one of its parts says "section"
    ("第 N 节"), never "step" ("第 N 步"), and every section it points to is one its titles number."""
    from views.text import catalogue
    messages = {key: text for key, text in catalogue(lang).items() if key.startswith("der_")}
    numbered = {int(text.split(" · ")[0]) for key, text in messages.items()
                if key.endswith("_title") and text.split(" · ")[0].isdigit()}
    assert numbered == set(range(1, 7))
    assert {key: text for key, text in messages.items() if TOUR_STEP[lang].search(text)} == {}
    pointed = {key: {int(n) for n in SECTION[lang].findall(text)} for key, text in messages.items()}
    assert {key: sections - numbered for key, sections in pointed.items() if sections - numbered} == {}
    assert sum(len(sections) for sections in pointed.values()) >= 8  # the notes that point to a section


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("kernel", "image"), [(3, 2), (5, 4), (7, 3), (7, 6), (7, 7), (5, 5)])
def test_an_image_without_interior_pixels_is_said_to_have_none(kernel, image, lang):
    """Under zero padding the formulas hold at pixels k // 2 or more from every border; a 6 x 6 image under 7 x 7
    kernels has none. The tab had printed "std(s₁) = — at the interior pixels" (and numpy's "Mean of empty slice")
    without a word on why; an image of 2 k//2 + 1 pixels has exactly one such pixel, and is measured there."""
    import warnings

    config = Config(arch="conv", kernel=kernel, image=image, width=6, depth=2, batch=10, init="he_normal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        blocks = derivation.blocks(simulate(config), lang)
    notes = [note for block in blocks for note in block.notes]
    inside = image > 2 * (kernel // 2)
    assert derivation.has_interior(config) == inside
    none = [note for note in notes if "—" in note and f"{image} × {image}" in note]  # the sentence that says so
    assert bool(none) == (not inside)
    values = next(block.values for block in blocks if "measured_std_s" in block.values)
    assert math.isnan(values["measured_std_s"]) == (not inside)
    if not inside:
        assert f"{image} × {image}" in none[0] and f"{kernel} × {kernel}" in none[0] and str(kernel // 2) in none[0]
    # the formulas' numbers name the pixels they are over: an interior pixel, or where there is none an image without
    # borders (the newcomer's check read "std(s₁) (interior pixels) = 1.4142" on a 3 x 3 image under 7 x 7 kernels)
    named = t(lang, "der_pixels_interior" if inside else "der_pixels_borderless")
    other = t(lang, "der_pixels_borderless" if inside else "der_pixels_interior")
    text = " ".join([*notes, *(block.numbers for block in blocks)])
    assert named.strip() in text and other.strip() not in text
    measured = next(note for note in notes if note.startswith(t(lang, "der_measured_input", measured_ex2="",
                                                                   measured_std_s="")[:8]))
    assert ("—" in measured) is False


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("step", ["2", "4", "5"])
def test_section_5_s_factor_is_the_variance_s_and_its_root_gives_the_printed_theory_ratio(steps, step, lang):
    """Section 5 says each layer multiplies the gradient's variance by n·Var(w)·E[f′(s)²] and its std by the root of
    that (it had said "the backward factor per layer is n·Var(w)·E[f′(s)²]" beside a std ratio, and 0.05⁹ is not
    step 2's 1.3 × 10⁻⁶). That rule, with E[f′(s_l)²] over s_l ~ N(0, q_l) from the mean-field recursion
    q_l = n·Var(w)·E[f(s_{l-1})²] (q_1 = n·Var(w)·E[x²]) by 80-point Gauss-Hermite quadrature here, multiplied over
    layers 1 to L − 1, is the theory's ratio the block prints."""
    result = steps[step]
    c = result.config
    # n·Var(w) by the lecture's laws: N(0, 0.01²) on 500 units; Xavier's Var(w) = 2 / (fan_in + fan_out) = 1/n
    nvar = {"2": 500 * 0.01**2, "4": 1.0, "5": 1.0}[step]
    assert (c.init, c.width, c.activation) == {"2": ("normal", 500, "tanh"), "4": ("xavier_normal", 500, "tanh"),
                                               "5": ("xavier_normal", 500, "relu")}[step]
    z, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    q, root = nvar * float(np.mean(result.stats["act_std"][0] ** 2 + result.stats["act_mean"][0] ** 2)), 1.0
    for _ in range(1, c.depth):  # the gradient's way from layer L down to layer 1 crosses L - 1 layers
        s = math.sqrt(q) * z
        root *= math.sqrt(nvar * float(w @ derivative(c.activation, s) ** 2))
        q = nvar * float(w @ apply(c.activation, s) ** 2)
    block = next(b for b in derivation.blocks(result, lang) if b.title == t(lang, "der_back_title"))
    assert float(block.values["theory_grad_ratio"]) == pytest.approx(root, rel=2e-3)
    rule = "n·Var(w)·E[f′\u2060(s)²]"
    assert rule in block.notes[0] and ("variance" if lang == "en" else "方差") in block.notes[0].split(rule)[0]


@pytest.mark.slow
@pytest.mark.parametrize("alpha, std, depth", [(1.0, 1.0, 100), (100.0, 1.0, 100), (100.0, 10.0, 100),
                                              (100.0, 10.0, 2)])
@pytest.mark.parametrize("norm", ["none", "layer"])
def test_a_residual_stream_s_closed_form_growth_is_its_value_or_beyond_float64_never_an_error(simulated, alpha, std,
                                                                                              depth, norm):
    """(1 + add)^(depth/2) for a stream without a norm, √(1 + depth·add) with pre-LN: α = 100 on 100 linear blocks had
    raised OverflowError on the Derivation tab. The growth is the closed form, computed exactly (mpmath), wherever
    float64 holds it, and inf (written "beyond float64's range") where it does not."""
    config = Config(residual=True, branch_scale=alpha, init="normal", std=std, activation="linear", depth=depth,
                    width=50, batch=100, layer_norm=norm == "layer", dtype="float64")
    v = derivation.values_of(simulated(config), "en")
    blocks = derivation.blocks(simulated(config), "en")  # the tab's text, built without an error
    add = mpmath.mpf(alpha) ** 2 * 50 * mpmath.mpf(std) ** 2
    exact = (1 + add) ** (mpmath.mpf(depth) / 2) if norm == "none" else mpmath.sqrt(1 + depth * add)
    if exact < np.finfo(np.float64).max:
        assert v["res_growth"] == pytest.approx(float(exact), rel=1e-12)
    else:
        assert v["res_growth"] == math.inf
        assert any(t("en", "der_beyond_float64") in note for block in blocks for note in block.notes)


def test_an_equation_is_written_for_katex_to_break_at_its_relations_and_its_quads():
    """The Derivation tab writes each equation in display style inside a line of its own (KaTeX breaks a line only
    there, after a relation or an operator) and lets it break after each \\quad too: equations side by side, apart
    by a \\qquad outside braces, each get a line (He's had been broken in two beside Xavier's on a phone), a \\text
    after one staying with it; every other command is left whole."""
    from views.derivation import as_markdown

    assert as_markdown(r"a = 1,\quad b = \frac{2}{n} \qquad c = {x \qquad y} \qquad\text{(interior)}") == (
        r"$\displaystyle a = 1,\quad\allowbreak b = \frac{2}{n}$",
        r"$\displaystyle c = {x \qquad y} \qquad\text{(interior)}$")
    assert as_markdown(r"\quadrature = \mathrm{Var}(s)") == (r"$\displaystyle \quadrature = \mathrm{Var}(s)$",)
    assert as_markdown("") == ()
