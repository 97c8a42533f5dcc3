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

import functools
import math
from collections.abc import Mapping
from types import MappingProxyType
from collections.abc import Callable

import numpy as np

from . import activations, conv, digits
from .batchnorm import BN_EPS
from .norms import LN_EPS
from .config import Config
from .initializers import bias_mean, bias_variance, weight_variance
from .schemes import REGISTRY as SCHEMES

LN_FLOAT_MAX = math.log(np.finfo(np.float64).max)  # e to more than this is past float64's range


def exp_or_inf(x: float) -> float:
    """e^x as a float: inf past float64's range (x above LN_FLOAT_MAX, about 709.78), where math.exp raises
    OverflowError. For a quantity carried in logarithms beyond 10³⁰⁸, whose log10 the theory keeps beside it
    (log10_pre_std, log10_act_std): std 100 weights on a ReLU network of width 500 pass it at layer 97."""
    return math.inf if x > LN_FLOAT_MAX else math.exp(x)  # NaN stays NaN


def power_or_inf(base: float, exponent: float) -> float:
    """base ** exponent as a float: inf past float64's range, where a float's power raises OverflowError (√χ₁ =
    2,236 over 100 layers, 10³³⁴; a predicted root of s² of 10^(log10 mean / 2))."""
    try:
        return base**exponent
    except OverflowError:
        return math.inf


_Z_MAX = 9.0  # P(|z| > 9) ~ 2e-19
_Z_BREAKS = np.linspace(-_Z_MAX, _Z_MAX, 37)  # panels 0.5 wide in z
_S_BREAKS = np.linspace(-12.0, 12.0, 49)  # panels 0.5 wide in s, where every f bends
_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)


# --- the input's moments: 1 (times input_scale^2) for the random draws, measured for the digits ---------------

def input_second_moment(config: Config) -> float:
    """q0 = E[x^2] of the input: input_scale^2 for the unit-variance draws; for digits the first batch images'
    measured mean square (below 1: three pixels are blank in every image). The theory assumes Gaussian
    pre-activations; with digits, layer 1's are sums of 64 non-Gaussian pixels, and only their q0 is used."""
    if config.input == "digits":
        return digits.second_moment(config.batch) * config.input_scale**2
    return config.input_scale**2


def input_unit_variance(config: Config) -> float:
    """Each input unit's variance over the batch, averaged over units (what batch norm's first layer sees)."""
    if config.input == "digits":
        return digits.unit_variance(config.batch) * config.input_scale**2
    return config.input_scale**2


def _read_only(table):
    """table's arrays made read-only, and a dict wrapped in a read-only view; returns the table.

    The module's constant arrays and its lru_caches' tables are shared by every caller, in every session's
    thread of the app: no caller may change what the others are given.
    """
    for value in table.values() if isinstance(table, dict) else table:
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return MappingProxyType(table) if isinstance(table, dict) else table


_read_only((_Z_BREAKS, _S_BREAKS, _GL_X, _GL_W))  # shared by every caller


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
    """E[f(s)], E[f(s)^2], E[f'(s)^2] for s ~ N(mean, var); NaN where mean or var is NaN (a forward theory that
    overflowed a layer before): ReLU's f'(NaN) = 0 had made its gradient's theory 0 there, a number, not a gap."""
    with np.errstate(invalid="ignore"):  # NaN in, NaN out (below); an infinite var's inf * 0 node is NaN too
        s, weights = quadrature(mean, var)
        h = activations.apply(name, s, slope)
        d = activations.derivative(name, s, slope)
    undefined = np.isnan(mean) | np.isnan(var)
    return tuple(np.where(undefined, np.nan, (values * weights).sum(axis=(-2, -1))) for values in (h, h * h, d * d))


def activation_variance(name: str, var, slope: float = 0.01) -> np.ndarray:
    """Var[f(s)] = E[f(s)^2] - E[f(s)]^2 for s ~ N(0, var), var >= 0; broadcasts over var.

    Computed as the variance of g = f(s) - f(0) in two passes, so it keeps its relative precision when var is
    tiny: sigmoid's E[f^2] - E[f]^2 would subtract two numbers near 1/4 to find one near var / 16. var = 0
    gives exactly 0.
    """
    s, weights = quadrature(0.0, var)
    g = activations.centered(name, s, slope)
    mean = (g * weights).sum(axis=(-2, -1), keepdims=True)
    return (np.square(g - mean) * weights).sum(axis=(-2, -1))


def predict(config: Config) -> dict[str, np.ndarray]:
    """Predicted pre-activation, activation and gradient std per layer (index 0 is the input).

    Returns {"pre_std", "act_std", "grad_std", "branch_std"}, each (depth + 1,); "pre_std" is the std of s (after
    batch norm, if on), "act_std" that of h = f(s), "grad_std" that of dL/dz for the sum z = h W + b (before batch
    norm; z = s without it), as network.simulate records it; "branch_std" that of what a residual block adds to its
    stream (predict_residual; NaN without a stream); NaN where the theory has no prediction (index 0 of "pre_std"
    and "grad_std"); and "log10_pre_std", "log10_act_std", "log10_grad_std", their base-10 logarithms, which hold
    a std below float64's smallest number (about 10⁻³²⁴) that the std itself holds as 0: -inf for an exact 0.

    Without batch norm, from dL/dh_depth ~ N(0, 1) (the read-out): Var(dL/ds_l) = Var(dL/dh_l) E[f'(s_l)^2]
    and Var(dL/dh_{l-1}) = sigma_w^2 Var(dL/ds_l) (Glorot & Bengio 2010; Schoenholz et al. 2017).

    Under batch norm (torch.nn.BatchNorm1d in training mode: each unit normalized over the batch with the
    biased batch variance and eps = BN_EPS, gamma = 1, beta = 0; Ioffe & Szegedy 2015) the batch mean takes
    each unit's bias with it, since the bias is the same for every sample, and what is divided by is the
    variance within a unit over the batch, v_l = sigma_w^2 Var(h_{l-1}), not sigma_w^2 E[h^2] + sigma_b^2:

        q_l = v_l / (v_l + eps),    Var(h_l) = Var[f(sqrt(q_l) z)] = E[f^2] - E[f]^2,    Var(h_0) = input_scale^2.

    With weights large enough that v_l >> eps, q_l = 1 at every layer whatever their scale; tiny weights
    (v_l comparable to or below eps = 1e-5) leave q_l ~ v_l / eps, which can shrink layer after layer;
    zero weights give v_l = 0 and s = 0 exactly. This is exact arithmetic: in float32, z = h W + b keeps ~7
    digits of b, so a unit whose spread over the batch falls below ~1e-7 of its bias measures mostly rounding.
    Backward, s = (z - mean) / sqrt(v_l + eps) is per unit a fixed affine map of z, so

        Var(dL/dz_l) = Var(dL/dh_l) E[f'(s_l)^2] / (v_l + eps),    Var(dL/dh_{l-1}) = sigma_w^2 Var(dL/dz_l),

    with s_l ~ N(0, q_l) and Var(dL/dh_depth) = 1. This is the per-unit mean field: it leaves out the two
    terms of batch norm's backward pass by which the batch mean and variance pass gradient between samples
    (they project dL/ds onto the complement of the constant and of s within each unit, removing a share
    O(1/batch) of its variance). Dividing by the variance v_l rather than the second moment is what makes the
    gradient grow toward the input: for ReLU, with v_l >> eps, by pi / (pi - 1) a layer in variance, ~1.21 in
    std (Yang et al. 2019 find the same rate).
    Constant (non-zero) init breaks the zero-mean premise: NaN everywhere past the input.

    A conv net (Config.arch "conv") uses its fans, fan_in = C_in k^2 and fan_out = C_out k^2 (Config.shapes): without
    a norm, pixel by pixel with its borders (predict_conv); under batch norm, as an interior pixel everywhere (the
    borders' lower variance is left out of the per-channel normalization).
    """
    # past float64's largest number a variance is inf, the right rounding (the page writes "—"), not a fault to warn of
    with np.errstate(over="ignore"):
        predicted = _predict(config)
    # each log10 where a recursion carried it; where none did (missing, or NaN), the float's own: -inf for an exact 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for key in ("pre_std", "act_std", "grad_std"):
            own = np.log10(predicted[key])
            carried = predicted.get(f"log10_{key}")
            predicted[f"log10_{key}"] = own if carried is None else np.where(np.isnan(carried), own, carried)
    return predicted


def _predict(config: Config) -> dict[str, np.ndarray]:
    nan = np.full(config.depth + 1, np.nan)
    forward, backward = layer_sigma_w2(config)
    if forward is None:  # only the input has a prediction
        act_std = nan.copy()
        act_std[0] = math.sqrt(input_second_moment(config))  # the input: unit variance times input_scale^2
        return {"pre_std": nan.copy(), "act_std": act_std, "grad_std": nan.copy(), "branch_std": nan}
    if config.residual:
        return predict_residual(config, forward, backward)
    return {**_predict_plain(config, forward, backward), "branch_std": nan}  # no branch without a residual stream


def _predict_plain(config: Config, forward: np.ndarray, backward: np.ndarray) -> dict[str, np.ndarray]:
    """predict() for a network without a residual stream: a conv net's, layer norm's, or the dense recursion."""
    if config.arch == "conv" and config.norm == "none":
        return predict_conv(config, forward, backward)
    if config.layer_norm:
        return _predict_layer_norm(config, forward, backward)
    depth = config.depth
    nan = np.full(depth + 1, np.nan)
    pre_std, act_std = nan.copy(), nan.copy()
    log10_pre, log10_act = nan.copy(), nan.copy()  # where carried in logarithms (the tiny layers); NaN: predict's own
    act_std[0] = math.sqrt(input_second_moment(config))  # the input: unit variance times input_scale^2
    sigma_b2 = [float("nan")] + [bias_variance(config, fan_in) for fan_in, _ in config.shapes]  # per layer
    # gain[l]: what dL/dh_l -> dL/dz_l does to the variance: E[f'(s_l)^2] (chi), divided by v_l + eps under BN
    gain = np.zeros(depth + 1)
    if config.batch_norm:
        var_h = input_unit_variance(config)  # Var(h_0) over the batch, for each unit
        for layer in range(1, depth + 1):
            within = forward[layer] * var_h  # each unit's variance over the batch; the bias is constant there
            var_s = within / (within + BN_EPS)
            var_h = float(activation_variance(config.activation, var_s, config.slope))
            pre_std[layer], act_std[layer] = math.sqrt(var_s), math.sqrt(var_h)
            gain[layer] = float(moments(config.activation, 0.0, var_s, config.slope)[2]) / (within + BN_EPS)
    else:
        second_moment = input_second_moment(config)  # E[x^2] of the input, q0
        kink = _slopes_at_0(config.activation, config.slope) if bias_mean(config) == 0 else None
        lines = activations.get(config.activation).half_lines is not None  # f(s) = f'(0±) s at every s
        log_second = math.log(second_moment) if second_moment > 0 else -math.inf
        for layer in range(1, depth + 1):
            log_q = math.log(forward[layer]) + log_second if forward[layer] > 0 else -math.inf
            if kink is not None and sigma_b2[layer] == 0 and -math.inf < log_q and (
                    log_q < LOG_TINY_Q or lines and log_q > LOG_HUGE_Q):
                # q below 10⁻²⁰⁰: f(sqrt(q) z) is f'(0±) sqrt(q) z to within q, so every moment is a power of q,
                # carried in logarithms (the variance passes float64's range long before the std does); so is q
                # above 10²⁰⁰ for an f of two half lines, exactly (uniform weights of bound 100 on a linear net of
                # width 10: a std of 10²²⁶ at layer 100, whose variance had overflowed to inf and the theory with it)
                (left, right), c2 = kink, (kink[0] ** 2 + kink[1] ** 2) / 2  # E[f^2] = c2 q, E[f'^2] = c2
                log_var_h = log_q + math.log(c2 - (right - left) ** 2 / (2 * math.pi))
                pre_std[layer], act_std[layer] = exp_or_inf(0.5 * log_q), exp_or_inf(0.5 * log_var_h)
                log10_pre[layer], log10_act[layer] = 0.5 * log_q / math.log(10), 0.5 * log_var_h / math.log(10)
                gain[layer] = c2
                log_second = log_q + math.log(c2)
                continue
            var_s = forward[layer] * second_moment + sigma_b2[layer]
            m1, m2, d2 = (float(x) for x in moments(config.activation, bias_mean(config), var_s, config.slope))
            pre_std[layer] = math.sqrt(var_s)
            act_std[layer] = math.sqrt(max(m2 - m1 * m1, 0.0))
            gain[layer] = d2
            second_moment = m2
            log_second = math.log(m2) if m2 > 0 else -math.inf
    grad_std, log10_grad = gradient_chain(gain, backward)
    return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std, "log10_pre_std": log10_pre,
            "log10_act_std": log10_act, "log10_grad_std": log10_grad}


LOG_TINY_Q = math.log(1e-200)  # below this pre-activation variance the dense recursion is carried in logarithms
LOG_HUGE_Q = math.log(1e200)  # and above this one, for an f of two half lines (linear, ReLU, leaky ReLU)


def _slopes_at_0(name: str, slope: float) -> tuple[float, float] | None:
    """(f'(0-), f'(0+)) for an activation with f(0) = 0, whose tiny pre-activations s give f(s) = f'(0±) s; None
    for one with f(0) != 0 (sigmoid: E[f^2] >= 1/4, its recursion never nears float64's smallest numbers)."""
    if float(activations.apply(name, np.zeros(1), slope)[0]) != 0:
        return None
    left, right = (float(x) for x in activations.derivative(name, np.array([-1e-300, 1e-300]), slope))
    return left, right


def gradient_chain(gain: np.ndarray, backward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The std of dL/dz_l and its log10, each (depth + 1,) with NaN at index 0, from the read-out's Var(dL/dh_depth) = 1
    down: Var(dL/dz_l) = Var(dL/dh_l) gain_l and Var(dL/dh_{l-1}) = backward_l Var(dL/dz_l), with gain and backward
    (depth + 1,).

    Summed in logarithms: a variance below float64's range whose std is not had made the std 0 (sigmoid at width 2
    under 0.01 randn: ×1.25 × 10⁻⁵ a layer in variance, 10⁻⁴⁸⁵ at layer 1 of 100, a std of 10⁻²⁴³). A gain or
    backward product of 0 gives 0 below it, inf gives inf, and 0 times inf is NaN, as the products would."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_gain, log_backward = np.log(gain[1:]), np.log(backward[1:])
        # log Var(dL/dz_l) = sum_{k >= l} log gain_k + sum_{k > l} log backward_k, from the top layer down
        log_var_z = np.concatenate([[np.nan], np.cumsum(log_gain[::-1])[::-1]
                                    + np.append(np.cumsum(log_backward[:0:-1])[::-1], 0.0)])
        return np.exp(0.5 * log_var_z), 0.5 * log_var_z / math.log(10)


def normalized_factors(name: str, norm: str, slope: float = 0.01) -> dict[str, float]:
    """What f alone does where a norm has reset every pre-activation to u ~ N(0, 1) (q >> eps in predict):
    {"std": std(f(u)), the activations' std at every layer, and "back": the factor by which a layer multiplies the
    gradient's std on its way down at equal widths, sqrt(E[f'(u)^2] / D)}. The norm divides dL/dz by the std it
    divided z by, which carries the weights' scale as fan_out Var(w) does, so that scale cancels and D is what the
    layer's sum was built from: E[f(u)^2] under layer norm (each sample's second moment over its units), Var(f(u))
    under batch norm (each unit's variance over the batch, which leaves out f's mean: ReLU's
    sqrt(pi / (pi - 1)) = 1.21, Yang et al. 2019)."""
    m1, m2, d2 = (float(x) for x in moments(name, 0.0, 1.0, slope))
    var = float(activation_variance(name, 1.0, slope))
    return {"std": math.sqrt(var), "back": math.sqrt(d2 / (var if norm == "batch" else m2))}


# --- residual streams and layer norm ------------------------------------------------------------------------
def _predict_layer_norm(config: Config, forward: np.ndarray, backward: np.ndarray) -> dict[str, np.ndarray]:
    """predict() for a plain network with s_l = LN(z_l): each sample's z_l normalized over its units (eps = LN_EPS).

    In a wide layer a sample's units are many draws of z: their mean is the bias mean (W has zero mean) and their
    variance q_l = sigma_w^2 E[h_{l-1}^2] + sigma_b^2, the plain network's (the bias varies across units, so unlike
    batch norm its spread stays in). So s_l ~ N(0, q_l / (q_l + eps)): the bias mean is taken away, and the next
    layer sees E[h_l^2] of that. Backward, per sample s = (z - mean) / sqrt(q_l + eps) is an affine map, so
    Var(dL/dz_l) = Var(dL/dh_l) E[f'(s_l)^2] / (q_l + eps), Var(dL/dh_{l-1}) = sigma_w^2 Var(dL/dz_l): the per-sample
    analogue of batch norm's mean field, leaving out, as there, the projection onto the complement of the constant
    and of s within each sample (a share O(1 / width) of the gradient's variance).
    """
    depth = config.depth
    pre_std, act_std = np.full(depth + 1, np.nan), np.full(depth + 1, np.nan)
    second_moment = input_second_moment(config)  # q0 = E[x^2]: input_scale^2, or the digits' measured one
    act_std[0] = math.sqrt(second_moment)
    gain = np.zeros(depth + 1)
    for layer, (fan_in, _) in enumerate(config.shapes, start=1):
        q = forward[layer] * second_moment + bias_variance(config, fan_in)
        var_s = q / (q + LN_EPS)
        m1, m2, d2 = (float(x) for x in moments(config.activation, 0.0, var_s, config.slope))
        pre_std[layer], act_std[layer] = math.sqrt(var_s), math.sqrt(max(m2 - m1 * m1, 0.0))
        gain[layer] = d2 / (q + LN_EPS)
        second_moment = m2
    grad_std, log10_grad = gradient_chain(gain, backward)
    return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std, "log10_grad_std": log10_grad}


def predict_residual(config: Config, forward: np.ndarray, backward: np.ndarray) -> dict[str, np.ndarray]:
    """predict() for the residual stream x_l = x_{l-1} + alpha (f(u_l) W_l + b_l), u_l = N(x_{l-1}) (core.residual).

    The branch's W_l is independent of x_{l-1} and has zero mean, so the branch is uncorrelated with the stream
    and their variances add. With q_l = E[x_l^2] (q_0 = input_scale^2):

        no norm:  q_l = q_{l-1} + alpha^2 (sigma_w^2 E[f(sqrt(q_{l-1}) z)^2] + sigma_b^2)
        pre-norm: q_l = q_{l-1} + alpha^2 (sigma_w^2 E[f(sqrt(v_l) z)^2] + sigma_b^2),  v_l = q_{l-1} / (q_{l-1} + eps)

    (for layer norm q_{l-1} is each sample's variance over its units; for batch norm each unit's over the batch,
    which leaves out the branches' biases: they are constant within a unit). He init with ReLU and no bias:
    q_l = 2 q_{l-1} (alpha = 1, std 2^(depth/2)); q_l = (1 + alpha^2) q_{l-1} (alpha = 1/sqrt(depth): std
    (1 + 1/depth)^(depth/2) -> e^(1/2)); q_l = q_{l-1} + alpha^2 under pre-norm (std sqrt(1 + depth) for alpha = 1).

    Backward, dL/dx_{l-1} = dL/dx_l + N'^T (f'(u_l) * (alpha dL/dx_l W_l^T)). With W_l independent of the
    gradient arriving from above (the gradient-independence assumption of mean-field theory, Schoenholz et al.
    2017; Yang & Schoenholz 2017) the two terms are uncorrelated and

        Var(dL/dx_{l-1}) = Var(dL/dx_l) (1 + alpha^2 sigma_w^2 E[f'(u_l)^2] / (q_{l-1} + eps) under a norm, or
                                          1 + alpha^2 sigma_w^2 E[f'(u_l)^2] without),

    sigma_w^2 here the backward fan_out Var(w). Under a norm this is approximate twice over: N is treated, per
    sample (layer) or per unit (batch), as the affine map u = (x - mean) / sqrt(q + eps), leaving out the projection
    that removes a share O(1 / width) (O(1 / batch)) of the gradient; and q_{l-1} is the mean-field variance, not
    each sample's own. Returns "act_std" the stream's std (its mean is 0: the biases' mean must be 0, else NaN
    past the input), "pre_std" that of u_l, "grad_std" that of dL/dx_l for l = 0..depth (dL/dx_depth ~ N(0, 1)),
    "branch_std" that of alpha r_l = alpha (f(u_l) W_l + b_l), the variance a block adds: q_l - q_{l-1}.
    """
    depth, norm, alpha2 = config.depth, config.norm, config.alpha**2
    pre_std, act_std, grad_std, branch_std = (np.full(depth + 1, np.nan) for _ in range(4))
    act_std[0] = config.input_scale
    if bias_mean(config) != 0:  # the stream would drift by alpha b a block; the Gaussian premise of f's input fails
        return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std, "branch_std": branch_std}
    q = within = config.input_scale**2  # E[x^2]; within: each unit's variance over the batch (biases left out)
    gain = np.zeros(depth + 1)  # what the branch adds to the gradient's variance, relative to the stream's
    for layer, (fan_in, _) in enumerate(config.shapes, start=1):
        spread = {"none": q, "layer": q, "batch": within}[norm]  # the variance N divides by
        var_u = spread if norm == "none" else spread / (spread + LN_EPS)
        m1, m2, d2 = (float(x) for x in moments(config.activation, 0.0, var_u, config.slope))
        branch = alpha2 * (forward[layer] * m2 + bias_variance(config, fan_in))  # E[(alpha r_l)^2], mean 0
        q += branch
        within += alpha2 * forward[layer] * (m2 - m1 * m1)  # a unit's mean E[f] is the same for every sample
        pre_std[layer], act_std[layer], branch_std[layer] = math.sqrt(var_u), math.sqrt(q), math.sqrt(branch)
        gain[layer] = alpha2 * backward[layer] * d2 / (1.0 if norm == "none" else spread + LN_EPS)
    grad_var = 1.0  # the read-out dL/dx_depth is N(0, 1)
    grad_std[depth] = 1.0
    for layer in range(depth, 0, -1):
        grad_var *= 1.0 + gain[layer]
        grad_std[layer - 1] = math.sqrt(grad_var)
    return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std, "branch_std": branch_std}


# --- convolutions: the recursion pixel by pixel ------------------------------------------------------------------
def box(maps: np.ndarray, kernel: int, padding: str) -> np.ndarray:
    """The mean over each pixel's k x k window of a (size, size) map, pixels outside the image counting 0 (zero
    padding) or wrapped around (circular): how a layer of i.i.d. taps averages the second moments it sums."""
    ones = np.full((1, 1, kernel, kernel), 1.0 / (kernel * kernel))
    return conv.conv2d(np.asarray(maps, float)[None, :, :, None], ones, padding)[0, :, :, 0]


def border_variance(size: int, kernel: int, depth: int, padding: str = "zeros") -> np.ndarray:
    """(depth + 1, size, size): each pixel's pre-activation variance relative to an interior pixel's in a linear conv
    net with i.i.d. zero-mean weights, on images of equal variance at every pixel.

    Layer l's pixel p sums its window's taps, Var z_l(p) = sigma_w^2 / k^2 sum_{t inside} Var z_{l-1}(p + t), so the
    ratio to the interior's is r_l = box(r_{l-1}), r_0 = 1: a border pixel keeps (taps inside) / k^2 of it at layer 1
    (6/9 on an edge, 4/9 at a corner for k = 3), and the loss spreads k // 2 pixels inward a layer. Circular padding
    has no borders: r_l = 1.
    """
    maps = np.ones((depth + 1, size, size))
    for layer in range(1, depth + 1):
        maps[layer] = box(maps[layer - 1], kernel, padding)
    return maps


def input_second_moments(config: Config) -> np.ndarray:
    """(image, image): E[x^2] of each input pixel (over channels), q0 pixel by pixel: input_scale^2 for the random
    draws; for digits the first batch images' mean square at each pixel (0 at the three pixels blank in every image)."""
    if config.input == "digits":
        side = config.image
        return np.mean(np.square(digits.images(config.batch)), axis=0).reshape(side, side) * config.input_scale**2
    return np.full((config.image, config.image), config.input_scale**2)


def predict_conv(config: Config, forward: np.ndarray, backward: np.ndarray) -> dict[str, np.ndarray]:
    """predict() for a conv net without a norm: the mean-field recursion at every pixel, then pooled over pixels.

    With sigma_w^2 = fan_in Var(w) = C_in k^2 Var(w) and box() the mean over a pixel's window (border_variance),

        q_l(p) = sigma_w^2 box(E[f(s_{l-1})^2])(p) + sigma_b^2,   s_l(p) ~ N(b, q_l(p)),

    and backward, from dL/dh_depth ~ N(0, 1) at every pixel, with the fan_out sigma_w^2 = C_out k^2 Var(w):

        Var dL/dz_l(p) = Var dL/dh_l(p) E[f'(s_l(p))^2],   Var dL/dh_{l-1} = sigma_w^2 box(Var dL/dz_l).

    The simulation pools each channel over batch and positions, so "pre_std" is sqrt(mean_p q_l(p)), "act_std"
    sqrt(mean_p E[f^2] - (mean_p E[f])^2), "grad_std" sqrt(mean_p Var dL/dz_l(p)). In the interior (or with circular
    padding) this is predict()'s dense recursion with conv fans (Xiao et al. 2018, section 2). Delta-orthogonal weights
    (every tap but the centre 0) read a pixel's own value only: its window is the pixel (kernel 1), no border loss.
    """
    depth, kernel, padding = config.depth, config.kernel, config.padding
    if SCHEMES[config.init].centre:  # delta-orthogonal: a pixel sees its own centre tap only, no border loss
        kernel = 1
    pre_std, act_std, grad_std = np.full(depth + 1, np.nan), np.full(depth + 1, np.nan), np.full(depth + 1, np.nan)
    log10 = {key: np.full(depth + 1, np.nan) for key in ("pre_std", "act_std", "grad_std")}
    second = input_second_moments(config)  # E[h_0^2] per pixel
    act_std[0] = math.sqrt(second.mean())
    gains = [None]
    kink = _slopes_at_0(config.activation, config.slope) if bias_mean(config) == 0 else None
    log_scale = 0.0  # second holds E[h^2] / e^log_scale once the variances pass below 10⁻²⁰⁰ (as the dense recursion)
    for layer, (fan_in, _) in enumerate(config.shapes, start=1):
        var_s = forward[layer] * box(second, kernel, padding)  # without the bias, over e^log_scale
        top = float(var_s.max())
        tiny = kink is not None and bias_variance(config, fan_in) == 0 and 0 < top
        if tiny and math.log(top) + log_scale < LOG_TINY_Q:  # every pixel's q below 10⁻²⁰⁰: f(s) = f'(0±) s
            (left, right), c2 = kink, (kink[0] ** 2 + kink[1] ** 2) / 2  # E[f^2] = c2 q, E[f'^2] = c2
            var_s, log_scale = var_s / top, log_scale + math.log(top)  # the largest pixel's q is 1 again
            scale, mean_h = math.exp(0.5 * log_scale), (right - left) / math.sqrt(2 * math.pi) * np.sqrt(var_s)
            pre, act = math.sqrt(var_s.mean()), math.sqrt(max(c2 * var_s.mean() - mean_h.mean() ** 2, 0.0))
            pre_std[layer], act_std[layer] = pre * scale, act * scale
            with np.errstate(divide="ignore"):
                log10["pre_std"][layer], log10["act_std"][layer] = np.log10([pre, act]) + 0.5 * log_scale / math.log(10)
            second = c2 * var_s
            gains.append(np.full(var_s.shape, c2))
            continue
        # in range: the scale back in (the recursion only falls, so it is 1 here) and the bias added
        var_s, log_scale = var_s * math.exp(log_scale) + bias_variance(config, fan_in), 0.0
        # the quadrature once per distinct variance: the map's symmetry repeats most of them
        values, where = np.unique(var_s, return_inverse=True)
        m1, second, d2 = (m[where].reshape(var_s.shape)
                          for m in moments(config.activation, bias_mean(config), values, config.slope))
        pre_std[layer] = math.sqrt(var_s.mean())
        act_std[layer] = math.sqrt(max(second.mean() - m1.mean() ** 2, 0.0))
        gains.append(d2)
    # Var dL/dh_depth = 1; carried as grad times e^log_scale, grad rescaled to a largest pixel of 1 after each layer
    # (as gradient_chain sums logarithms): a variance below float64's range whose std is not is not made 0
    grad, log_scale = np.ones((config.image, config.image)), 0.0
    for layer in range(depth, 0, -1):
        grad_z = grad * gains[layer]
        with np.errstate(divide="ignore", over="ignore"):  # log 0 = -inf: a std of 0; past float64's range, inf
            log_var = log_scale + np.log(grad_z.mean())
            grad_std[layer], log10["grad_std"][layer] = np.exp(0.5 * log_var), 0.5 * log_var / math.log(10)
        grad = backward[layer] * box(grad_z, kernel, padding)
        top = float(grad.max())
        if 0 < top < math.inf:
            grad, log_scale = grad / top, log_scale + math.log(top)
    return {"pre_std": pre_std, "act_std": act_std, "grad_std": grad_std,
            **{f"log10_{key}": values for key, values in log10.items()}}


def layer_sigma_w2(config: Config) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """(forward, backward), each (depth + 1,) with index 0 unused (NaN): layer l's fan_in Var(w_l) and
    fan_out Var(w_l), W_l of shape (fan_in, fan_out) = (units[l-1], units[l]) (Config.units).

    z_l sums fan_in products h w, so Var(z_l) = fan_in Var(w_l) E[h^2]: the forward sigma_w^2. dL/dh_{l-1} sums
    fan_out products w dL/dz_l, so Var(dL/dh_{l-1}) = fan_out Var(w_l) Var(dL/dz_l): the backward one (Glorot &
    Bengio 2010, eqs. 5 and 6; He et al. 2015, section 2.2). Equal widths make the two one sigma_w^2 = n Var(w).
    (None, None) for constant init (no zero-mean weights).
    """
    forward, backward = np.full(config.depth + 1, np.nan), np.full(config.depth + 1, np.nan)
    for layer, (fan_in, fan_out) in enumerate(config.shapes, start=1):
        var_w = weight_variance(config, fan_in, fan_out)
        if var_w is None:
            return None, None
        forward[layer], backward[layer] = fan_in * var_w, fan_out * var_w
    return forward, backward


# ---------------------------------------------------------------------------------------------------
# The order-to-chaos map: where a deep, wide network sends the length q and the correlation c of its
# inputs, for sigma_w^2 = n Var(w), sigma_b^2 = Var(b) and a mean bias b (Poole et al. 2016; Schoenholz
# et al. 2017):
#
#   q*    = sigma_w^2 E[f(b + sqrt(q*) z)^2] + sigma_b^2     the length every layer settles to
#   chi_1 = sigma_w^2 E[f'(b + sqrt(q*) z)^2]                slope of the correlation map at c = 1, and the
#                                                            factor by which gradient variance shrinks a layer
#   xi_c  = -1 / ln chi_c                                    layers over which input correlations are forgotten
#
# chi_1 < 1: ordered phase, c* = 1, chi_c = chi_1, inputs merge and gradients vanish. chi_1 > 1: chaotic
# phase, c = 1 is unstable, correlations settle at c* < 1 with slope chi_c < 1 there, gradients explode.
# chi_1 = 1 is the edge of chaos, xi_c = inf. Networks train up to about 6 xi_c layers (Schoenholz et al.
# 2017, an empirical rule from tanh networks trained on MNIST and CIFAR-10).
#
# E[f^2] and E[f'^2] depend on q alone, so they are tabulated once per activation on a grid of q (with
# the composite rule above) and interpolated: every (sigma_w^2, sigma_b^2) is then a 1-D root search on
# the table, and a whole 60 x 41 map costs tens of milliseconds (benchmarks/bench_theory.py).

TRAINABLE_DEPTH_PER_XI = 6.0  # Schoenholz et al. 2017: depth up to about 6 xi_c trains
# ... measured on tanh networks: for another activation the rule is not stated (trainable_depth)
TRAINABLE_RULE_ACTIVATIONS = frozenset({"tanh"})
# chi_1 or the length map's slope within this of 1 is 1: sigma_w^2 is kept to 12 digits (theory_summary) and the
# moments come from quadrature, so a setting exactly on the edge (leaky ReLU at torch's gain sqrt(2 / (1 + a^2)))
# lands up to a few 1e-12 off it, to either side
EDGE_RTOL = 1e-9

Q_MAX = 1e12  # a length beyond this counts as divergent: q* = inf
DEFAULT_SIGMA_W2 = np.geomspace(0.1, 5.0, 60)  # the map's x axis (log)
DEFAULT_SIGMA_B2 = np.linspace(0.0, 1.0, 41)  # the map's y axis
_Q_NODES = np.concatenate([[0.0], np.logspace(-8, 12, 20 * 32 + 1)])  # 32 a decade: interpolation error < 1e-7
_Q_TINY = 1e-30  # q* = 0 is the limit q -> 0+: ReLU's kink then counts each side half
_HERMITE_TERMS = 64  # orders kept in the correlation map's series; the rest is lumped into one term
_Q_HERMITE = _Q_NODES[(_Q_NODES >= 1e-6) & (_Q_NODES <= 1e8)][::4]  # 8 a decade; cubic interpolation, ~1e-6
_read_only((DEFAULT_SIGMA_W2, DEFAULT_SIGMA_B2, _Q_NODES, _Q_HERMITE))  # phase_map's defaults: shared by every caller


def _on_edge(chi_1):
    """chi_1 with every value within EDGE_RTOL of 1 made exactly 1 (arrays elementwise)."""
    return np.where(np.abs(np.asarray(chi_1, float) - 1.0) <= EDGE_RTOL, 1.0, chi_1)


def _cache_key(slope: float, name: str, bias_mean: float) -> tuple[float, float]:
    """slope only matters to an activation that reads it (leaky_relu); -0.0 and 0.0 are one cache entry."""
    return (float(slope) if "slope" in activations.get(name).parameters else 0.01), float(bias_mean) + 0.0


@functools.lru_cache(maxsize=32)
def _length_table(name: str, slope: float, bias_mean: float) -> Mapping[str, np.ndarray]:
    """E[f^2] / q and E[f'^2] on _Q_NODES, with their slopes in ln q, for cubic Hermite interpolation in ln q.

    E[f^2] / q rather than E[f^2]: it is constant for ReLU, leaky ReLU and linear, so they interpolate exactly.
    """
    q = _Q_NODES
    s, weights = quadrature(bias_mean, q)  # (nodes, panels, points)
    sd = np.sqrt(q)[:, None, None]
    z = (s - bias_mean) / np.where(sd > 0, sd, 1.0)
    h = activations.apply(name, s, slope)
    d = activations.derivative(name, s, slope)

    def expect(g):
        return (g * weights).sum(axis=(-2, -1))

    # d/d(ln q) E[g(b + sqrt(q) z)] = E[g (z^2 - 1)] / 2, the Gaussian's own derivative: kinks in g do no harm
    m2, d2 = expect(h * h), expect(d * d)
    dm2, dd2 = 0.5 * expect(h * h * (z * z - 1.0)), 0.5 * expect(d * d * (z * z - 1.0))
    d2[0] = moments(name, bias_mean, _Q_TINY, slope)[2]
    positive = q[1:]
    return _read_only({
        "u": np.log(positive), "m2_0": m2[0], "d2_0": d2[0],
        "ratio": m2[1:] / positive, "ratio_slope": (dm2[1:] - m2[1:]) / positive,
        "d2": d2[1:], "d2_slope": dd2[1:],
        "m2_nodes": m2,  # (len(_Q_NODES),) for bracketing
    })


def _interpolate(u_nodes, values, slopes, u):
    """Cubic Hermite interpolation in u with values and du-slopes at the nodes; clamped beyond the ends."""
    segment = np.clip(np.searchsorted(u_nodes, u) - 1, 0, len(u_nodes) - 2)
    u0, step = u_nodes[segment], u_nodes[segment + 1] - u_nodes[segment]
    t = np.minimum(np.maximum((u - u0) / step, 0.0), 1.0)
    t2, t3 = t * t, t * t * t
    return ((2 * t3 - 3 * t2 + 1) * values[segment] + (t3 - 2 * t2 + t) * step * slopes[segment]
            + (3 * t2 - 2 * t3) * values[segment + 1] + (t3 - t2) * step * slopes[segment + 1])


def _second_moment(table: dict, q: np.ndarray) -> np.ndarray:
    """E[f(b + sqrt(q) z)^2] from the table, linear in q below its first positive node."""
    q = np.asarray(q, float)
    q_first = _Q_NODES[1]
    safe = np.maximum(q, q_first)
    above = safe * _interpolate(table["u"], table["ratio"], table["ratio_slope"], np.log(safe))
    below = table["m2_0"] + (table["ratio"][0] * q_first - table["m2_0"]) * (q / q_first)
    return np.where(q >= q_first, above, below)


def _slope_moment(table: dict, q: np.ndarray) -> np.ndarray:
    """E[f'(b + sqrt(q) z)^2] from the table; q = 0 gives the limit q -> 0+, q = inf the value at Q_MAX."""
    q = np.asarray(q, float)
    q_first = _Q_NODES[1]
    safe = np.clip(q, q_first, Q_MAX)
    above = _interpolate(table["u"], table["d2"], table["d2_slope"], np.log(safe))
    below = table["d2_0"] + (table["d2"][0] - table["d2_0"]) * (np.minimum(q, q_first) / q_first)
    return np.where(q >= q_first, above, below)


def _fixed_point(table: dict, sigma_w2: np.ndarray, sigma_b2: np.ndarray) -> np.ndarray:
    """The length q* that q_1 = sigma_w^2 + sigma_b^2 (a unit-variance input) settles to; inf if it grows past Q_MAX.

    The length map T(q) = sigma_w^2 E[f^2] + sigma_b^2 is increasing, so the lengths move monotonically
    to the nearest fixed point on the side where T(q_1) - q_1 points.
    """
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
    shape = sw.shape
    sw, sb = sw.reshape(-1), sb.reshape(-1)  # (cells,)

    def gap(q):  # T(q) - q
        return sw * _second_moment(table, q) + sb - q

    q1 = sw + sb
    gap1 = gap(q1)
    nodes = _Q_NODES  # (nodes,)
    gap_nodes = sw[:, None] * table["m2_nodes"] + sb[:, None] - nodes  # (cells, nodes)
    start = np.searchsorted(nodes, q1, side="right")  # first node above q1
    index = np.arange(len(nodes))
    # growing: the first node above q1 where T(q) <= q; shrinking: the last node below q1 where T(q) >= q
    up = (index >= start[:, None]) & (gap_nodes <= 0)
    down = (index < start[:, None]) & (gap_nodes >= 0)
    first_up = np.where(up.any(axis=1), up.argmax(axis=1), -1)
    last_down = len(nodes) - 1 - down[:, ::-1].argmax(axis=1)  # node 0 always qualifies: T(0) >= 0
    grows = gap1 > 0
    above_down = nodes[np.minimum(last_down + 1, len(nodes) - 1)]
    lo = np.where(grows, np.maximum(nodes[np.maximum(first_up - 1, 0)], q1), nodes[last_down])
    hi = np.where(grows, nodes[np.maximum(first_up, 0)], np.minimum(above_down, q1))
    diverges = grows & (first_up < 0)  # no fixed point below Q_MAX: the lengths grow without bound
    lo, hi = np.where(diverges, q1, lo), np.where(diverges, q1, hi)
    q_star = _false_position(gap, lo, hi, iterations=60)
    q_star = np.where(diverges, np.inf, q_star)
    # T(0) = 0 and falling all the way (tanh, sigma_b^2 = 0, sigma_w^2 <= 1): exactly zero, not 1e-30
    q_star = np.where(~grows & (last_down == 0) & (gap_nodes[:, 0] == 0), 0.0, q_star)
    # q1 itself is fixed (ReLU at sigma_w^2 = 2, sigma_b^2 = 0, where every q is): the network stays there
    q_star = np.where(np.abs(gap1) <= EDGE_RTOL * q1, q1, q_star)
    return q_star.reshape(shape)


def _false_position(f, lo, hi, iterations: int, tolerance: float = 1e-15) -> np.ndarray:
    """A root of f in [lo, hi] where f(lo) >= 0 >= f(hi), elementwise, by the Illinois method (superlinear, bracketed).

    Stops when no estimate moves by more than tolerance * (|x| + tolerance).
    """
    f_lo, f_hi = f(lo), f(hi)
    last = np.zeros(lo.shape, int)  # which end moved last: -1 lo, +1 hi
    x = lo
    for _ in range(iterations):
        span = f_lo - f_hi
        previous, x = x, np.where(span > 0, lo + (hi - lo) * f_lo / np.where(span > 0, span, 1.0), lo)
        f_x = f(x)
        move_lo = f_x > 0
        # Illinois: an end that stays put twice in a row has its value halved, so it does not stall
        f_hi = np.where(move_lo & (last == -1), 0.5 * f_hi, f_hi)
        f_lo = np.where(~move_lo & (last == 1), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(move_lo, x, lo), np.where(move_lo, f_x, f_lo)
        hi, f_hi = np.where(move_lo, hi, x), np.where(move_lo, f_hi, f_x)
        last = np.where(move_lo, -1, 1)
        if np.all(np.abs(x - previous) <= tolerance * (np.abs(x) + tolerance)):
            break
    return x


def fixed_point(name: str, sigma_w2, sigma_b2, slope: float = 0.01, bias_mean: float = 0.0) -> np.ndarray:
    """q*, the pre-activation variance deep layers settle to (Poole et al. 2016); inf where it diverges.

    sigma_w2 and sigma_b2 broadcast. The iteration starts from a unit-variance input, q_1 = sigma_w^2 +
    sigma_b^2, which picks the fixed point a network actually reaches where there are several: tanh at
    sigma_b^2 = 0, sigma_w^2 > 1 never returns to the unstable q = 0; ReLU at sigma_w^2 = 2, sigma_b^2 = 0
    keeps any q, here q_1 = 2.
    """
    return _fixed_point(_length_table(name, *_cache_key(slope, name, bias_mean)), sigma_w2, sigma_b2)


def chi1(name: str, q_star, sigma_w2, slope: float = 0.01, bias_mean: float = 0.0) -> np.ndarray:
    """chi_1 = sigma_w^2 E[f'(b + sqrt(q*) z)^2] by quadrature (Poole et al. 2016; Schoenholz et al. 2017).

    At q* = 0 this is the limit q -> 0+: sigma_w^2 f'(b)^2, or for ReLU at b = 0 sigma_w^2 / 2 (either side
    of the kink half the time). At q* = inf, the limit q -> inf (taken at Q_MAX): ReLU sigma_w^2 / 2, tanh 0.
    """
    q = np.clip(np.asarray(q_star, float), _Q_TINY, Q_MAX)
    return np.asarray(sigma_w2, float) * moments(name, bias_mean, q, slope)[2]


@functools.lru_cache(maxsize=32)
def _hermite_table(name: str, slope: float, bias_mean: float) -> tuple[np.ndarray, np.ndarray]:
    """ln q and beta_k(q) = E[g He_k]^2 / (k! E[g^2]) for g(z) = f(b + sqrt(q) z), k < _HERMITE_TERMS.

    By Mehler's formula E[g(z1) g(z2)] = E[g^2] sum_k beta_k c^k for standard normals of correlation c, so
    the correlation map is a power series in c with non-negative coefficients summing to 1.
    """
    q = _Q_HERMITE
    s, weights = quadrature(bias_mean, q)  # (nodes, panels, points)
    z = (s - bias_mean) / np.sqrt(q)[:, None, None]
    g = activations.apply(name, s, slope) * weights
    coefficients = np.empty((len(q), _HERMITE_TERMS))
    previous, hermite = np.zeros_like(z), np.ones_like(z)  # He_k(z) / sqrt(k!), by its three-term recurrence
    for k in range(_HERMITE_TERMS):
        coefficients[:, k] = (g * hermite).sum(axis=(-2, -1))
        previous, hermite = hermite, (z * hermite - math.sqrt(k) * previous) / math.sqrt(k + 1)
    m2 = (g * activations.apply(name, s, slope)).sum(axis=(-2, -1))
    beta = np.divide(coefficients**2, m2[:, None], out=np.zeros_like(coefficients), where=m2[:, None] > 0)
    return _read_only((np.log(q), beta))


def _correlation_slope(name, slope, bias_mean, q_star, sigma_b2, chi_1) -> np.ndarray:
    """chi_c, the correlation map's slope at its stable fixed point c*, for cells in the chaotic phase.

    The map c -> (sigma_w^2 E[g^2] P(c) + sigma_b^2) / q* with P(c) = sum_k beta_k c^k (Mehler) is convex
    on [0, 1], equals 1 at c = 1 with slope chi_1 > 1 there, so Newton's method from c = 0 climbs to c*
    without overshooting. The orders past _HERMITE_TERMS are lumped into one term rho c^p chosen so that
    P(1) = 1 and the slope at c = 1 is exactly chi_1: chaotic and ordered phases meet where chi_1 = 1.
    """
    u, beta_nodes = _hermite_table(name, slope, bias_mean)
    at = np.clip(np.log(np.maximum(q_star, _Q_TINY)), u[0], u[-1])
    j = np.clip(np.searchsorted(u, at) - 2, 0, len(u) - 4)  # the 4 nodes j .. j+3 around q*
    t = ((at - u[j]) / (u[1] - u[0]))[:, None]  # in node steps, 1 <= t <= 2 inside the table
    # cubic Lagrange interpolation on equally spaced nodes (cells, terms)
    beta = (-(t - 1) * (t - 2) * (t - 3) / 6 * beta_nodes[j] + t * (t - 2) * (t - 3) / 2 * beta_nodes[j + 1]
            - t * (t - 1) * (t - 3) / 2 * beta_nodes[j + 2] + t * (t - 1) * (t - 2) / 6 * beta_nodes[j + 3])
    beta = np.maximum(beta, 0.0)
    orders = np.arange(_HERMITE_TERMS)
    a = (q_star - sigma_b2) / q_star  # sigma_w^2 E[g^2] / q*, so that the map is 1 at c = 1
    b = sigma_b2 / q_star
    rest = np.maximum(1.0 - beta.sum(axis=1), 0.0)
    power = np.divide(chi_1 / a - beta @ orders, rest, out=np.zeros_like(rest), where=rest > 1e-12)
    power = np.clip(power, _HERMITE_TERMS, 1e9)
    series = beta[:, ::-1].T  # (terms, cells), highest order first for Horner
    derivative = (beta * orders)[:, 1:][:, ::-1].T

    def step(c):
        value = a * (_horner(series, c) + rest * c**power) + b - c
        slope_c = a * (_horner(derivative, c) + rest * power * c ** (power - 1))
        return value, slope_c

    c = np.zeros_like(q_star)
    for _ in range(100):  # ~15 steps; rounding keeps the last digits of c* near 1 from settling exactly
        value, slope_c = step(c)
        new = np.clip(c - value / np.minimum(slope_c - 1.0, -1e-300), 0.0, 1.0)
        converged = np.all(np.abs(new - c) <= 1e-12)
        c = new
        if converged:
            break
    return step(c)[1]


def _horner(coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_k coefficients[-1 - k] x^k per column: (terms, cells), (cells,) -> (cells,)."""
    total = np.zeros_like(x)
    for row in coefficients:
        total = total * x + row
    return total


def _depth_scale(name, slope, bias_mean, q_star, sigma_b2, chi_1) -> np.ndarray:
    """xi_c from q* and chi_1, flat arrays (cells,): chi_c = chi_1 when ordered, the slope at c* when chaotic; at
    q* = 0 (no bias, a fading signal) -1/ln chi_1 is the gradient's depth scale, the correlations' being undefined."""
    chi_1 = _on_edge(chi_1)  # on the edge: inf, whichever side rounding fell
    chi_c = np.where(np.isfinite(q_star), np.minimum(chi_1, 1.0), np.nan)
    chaotic = np.isfinite(q_star) & (chi_1 > 1.0)
    if chaotic.any():
        chi_c[chaotic] = np.minimum(
            _correlation_slope(name, slope, bias_mean, q_star[chaotic], sigma_b2[chaotic], chi_1[chaotic]), 1.0)
    chi_c = _on_edge(chi_c)  # Xavier's 1.0 may come out as 0.9999999999999999
    with np.errstate(divide="ignore"):
        return 1.0 / np.abs(np.log(chi_c))  # chi_c = 1: inf; 0: 0; nan (q* = inf) stays nan


def depth_scale(name: str, sigma_w2, sigma_b2, slope: float = 0.01, bias_mean: float = 0.0) -> np.ndarray:
    """xi_c = -1/ln chi_c, the correlation depth scale (Schoenholz et al. 2017); about 6 xi_c layers train.

    inf at the edge of chaos (chi_1 = 1); nan where q* = inf, since the theory then has no fixed point to
    expand around (ReLU with sigma_w^2 > 2: every layer multiplies the variance by sigma_w^2 / 2).
    """
    slope, bias_mean = _cache_key(slope, name, bias_mean)
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
    table = _length_table(name, slope, bias_mean)
    q_star = _fixed_point(table, sw, sb).reshape(-1)
    chi_1 = sw.reshape(-1) * _slope_moment(table, q_star)
    return _depth_scale(name, slope, bias_mean, q_star, sb.reshape(-1), chi_1).reshape(sw.shape)


def trainable_depth(name: str, xi: float) -> float | None:
    """About how many layers train at depth scale xi (Schoenholz et al. 2017's 6 xi_c, TRAINABLE_DEPTH_PER_XI), for
    the activations their experiments measured it on (TRAINABLE_RULE_ACTIVATIONS, tanh); None for the others."""
    return TRAINABLE_DEPTH_PER_XI * xi if name in TRAINABLE_RULE_ACTIVATIONS else None


def phase_map(name: str, sigma_w2=DEFAULT_SIGMA_W2, sigma_b2=DEFAULT_SIGMA_B2, slope: float = 0.01,
              bias_mean: float = 0.0) -> Mapping[str, np.ndarray]:
    """q*, chi_1, ln chi_1 and xi_c over the grid sigma_b2 (rows) x sigma_w2 (columns), cached; read-only.

    Returns "sigma_w2" (nw,), "sigma_b2" (nb,), "critical_sigma_w2" (nb,): the edge of chaos on each row,
    and "q_star", "chi1", "log_chi1", "depth_scale" (nb, nw).
    """
    slope, bias_mean = _cache_key(slope, name, bias_mean)
    grid_w = tuple(float(x) for x in np.ravel(sigma_w2))
    grid_b = tuple(float(x) for x in np.ravel(sigma_b2))
    return _phase_map(name, grid_w, grid_b, slope, bias_mean)


@functools.lru_cache(maxsize=64)
def _phase_map(name, grid_w: tuple, grid_b: tuple, slope: float, bias_mean: float) -> Mapping[str, np.ndarray]:
    table = _length_table(name, slope, bias_mean)
    sw = np.array(grid_w)[None, :]  # (1, nw)
    sb = np.array(grid_b)[:, None]  # (nb, 1)
    sw, sb = np.broadcast_arrays(sw, sb)  # (nb, nw)
    q_star = _fixed_point(table, sw, sb).reshape(-1)
    chi_1 = sw.reshape(-1) * _slope_moment(table, q_star)
    xi = _depth_scale(name, slope, bias_mean, q_star, sb.reshape(-1), chi_1)
    with np.errstate(divide="ignore"):
        out = {
            "sigma_w2": np.array(grid_w), "sigma_b2": np.array(grid_b),
            "critical_sigma_w2": _critical_line(name, grid_b, slope, bias_mean).copy(),
            "q_star": q_star.reshape(sw.shape), "chi1": chi_1.reshape(sw.shape),
            "log_chi1": np.log(chi_1).reshape(sw.shape), "depth_scale": xi.reshape(sw.shape),
        }
    return _read_only(out)


@functools.lru_cache(maxsize=64)
def _critical_line(name: str, grid_b: tuple, slope: float, bias_mean: float) -> np.ndarray:
    table = _length_table(name, slope, bias_mean)
    sb = np.array(grid_b)

    def excess(log_sw):  # chi_1 - 1
        sw = np.exp(log_sw)
        return sw * _slope_moment(table, _fixed_point(table, sw, sb)) - 1.0

    lo, hi = np.full(sb.shape, math.log(1e-3)), np.full(sb.shape, math.log(1e6))
    bracketed = (excess(lo) < 0) & (excess(hi) > 0)
    root = _false_position(lambda x: -excess(x), lo, hi, iterations=80, tolerance=1e-12)
    critical = np.where(bracketed, np.exp(root), np.nan)
    critical.flags.writeable = False
    return critical


def critical_sigma_w2(name: str, sigma_b2, slope: float = 0.01, bias_mean: float = 0.0) -> np.ndarray:
    """The sigma_w^2 where chi_1 crosses 1 for each sigma_b^2 (the edge of chaos); nan if not in [1e-3, 1e6].

    ReLU: 2 (He et al. 2015); tanh at sigma_b^2 = 0: 1 (Glorot & Bengio 2010); tanh at 0.05: ~1.76. Where
    chi_1 jumps across 1 instead (GELU at small sigma_b^2, from q* = 0 to q* = inf), this is the jump.
    """
    slope, bias_mean = _cache_key(slope, name, bias_mean)
    grid_b = np.asarray(sigma_b2, float)
    return _critical_line(name, tuple(float(x) for x in grid_b.reshape(-1)), slope, bias_mean).reshape(grid_b.shape)


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def theory_summary(config: Config) -> dict[str, float | list[float | None] | None]:
    """{"sigma_w2", "sigma_b2", "q_star", "chi1", "chi1_backward", "depth_scale"} for the command line's JSON; None
    where undefined.

    chi1 = sigma_w2 E[f'^2] at q*: the correlation map's slope at c = 1, and the gradient's variance factor a layer
    where fan_in = fan_out. chi1_backward, one a layer (1 to depth): fan_out Var(w_l) E[f'^2], the factor by which
    layer l scales the gradient's variance on its way down (Glorot & Bengio 2010, eq. 6); chi1 at every layer of
    equal widths, chi1 fan_out / fan_in under a profile (784-512-256-128, ReLU under He's fan_in: chi1 = 1,
    chi1_backward 512/784, 1/2, 1/2).

    sigma_w2 = width Var(w), sigma_b2 = Var(b) (bias_std^2, or 1/(3 fan_in) for torch_default). Under a width
    profile sigma_w2 is fan_in Var(w) and sigma_b2 Var(b) when each is the same at every layer (the forward map is
    then the same map layer after layer), else None with the rest. None: for weights of non-zero mean (a
    constant); under batch or layer norm, since the layer map is then normalised (Var(s) = v / (v + eps), see
    predict), and for a residual stream, whose variance grows by what each block adds (predict_residual): the
    fixed-point and depth-scale theory of the un-normalised map (Poole et al. 2016; Schoenholz et al. 2017)
    does not apply as is; q* = inf; and xi_c at the edge of chaos (inf).
    """
    forward, backward = layer_sigma_w2(config)
    biases = [bias_variance(config, fan_in) for fan_in, _ in config.shapes]
    sigma_b2 = biases[0] if all(b == biases[0] for b in biases) else None
    summary = {"sigma_w2": None, "sigma_b2": sigma_b2, "q_star": None, "chi1": None, "chi1_backward": None,
               "depth_scale": None}
    if forward is None or sigma_b2 is None or not np.allclose(forward[1:], forward[1], rtol=1e-12, atol=0.0):
        return summary
    # fan_in Var(w) carries Var(w) = gain^2 / fan_in's rounding (2 + 4e-16 for He at fan_in 576), and the depth
    # scale jumps at the edge of chaos (ReLU's sigma_w^2 = 2: inf, then 1e8, then nan): 12 digits, far finer than
    # any setting, put a scheme that is on the edge on it
    sigma_w2 = float(f"{forward[1]:.12g}")
    summary["sigma_w2"] = sigma_w2
    if config.norm != "none" or config.residual:  # the un-normalised plain map's fixed point does not apply
        return summary
    name, slope, mean = config.activation, config.slope, bias_mean(config)
    q_star = fixed_point(name, sigma_w2, sigma_b2, slope, mean)
    summary["q_star"] = _finite_or_none(q_star)
    summary["chi1"] = _finite_or_none(_on_edge(chi1(name, q_star, sigma_w2, slope, mean)))
    if summary["chi1"] is not None:  # the gradient meets fan_out Var(w_l), not fan_in's: E[f'^2] times that
        summary["chi1_backward"] = [_finite_or_none(_on_edge(chi1(name, q_star, float(f"{b:.12g}"), slope, mean)))
                                    for b in backward[1:]]
    summary["depth_scale"] = _finite_or_none(depth_scale(name, sigma_w2, sigma_b2, slope, mean))
    return summary


def large_init_paradox(config: Config) -> dict[str, float]:
    """Saturated yet exploding: the numbers behind tanh (or sigmoid) with large weights, at the fixed point q*.

    "saturated": share of units past the activation's saturation rule (core.activations; |tanh| > 0.97);
    "unsaturated_share": the share of E[f'^2]
    that the other units carry; "mean_slope2": E[f'^2]; "chi1" = sigma_w^2 E[f'^2], the gradient variance
    gain a layer toward the input; "growth" = sqrt(chi1), the same for the gradient's std. With 1.0 * randn
    at width 500, f' ~ 0 for most units, but sigma_w^2 = 500 multiplies what the few others pass on.
    """
    name, mean_b = config.activation, bias_mean(config)
    if activations.get(name).saturation is None:
        raise ValueError(f"{name!r} does not saturate; the paradox is about saturating activations (tanh, sigmoid)")
    edge = activations.saturation_edge(name)  # a value is saturated where |s| > edge
    var_w = weight_variance(config, config.width, config.width)
    if var_w is None:
        raise ValueError("constant init has no zero-mean weights; the theory does not apply")
    sigma_w2, sigma_b2 = config.width * var_w, bias_variance(config, config.width)
    q_star = float(fixed_point(name, sigma_w2, sigma_b2, config.slope, mean_b))
    q = max(q_star, _Q_TINY)
    spread = math.sqrt(2.0 * q)
    inside = 0.5 * (math.erf((edge - mean_b) / spread) + math.erf((edge + mean_b) / spread))  # P(|s| < edge)
    mean_slope2 = float(moments(name, mean_b, q, config.slope)[2])
    unsaturated = float(gaussian_expectation(
        lambda s: activations.derivative(name, s, config.slope) ** 2 * (np.abs(s) < edge), mean_b, q))
    chi_1 = sigma_w2 * mean_slope2
    return {
        "sigma_w2": sigma_w2, "q_star": q_star, "saturated": 1.0 - inside, "mean_slope2": mean_slope2,
        "unsaturated_share": unsaturated / mean_slope2 if mean_slope2 > 0 else 0.0,
        "chi1": chi_1, "growth": math.sqrt(chi_1),
    }
