"""Weight initializers: one layer's W as torch.nn.init makes it, from the scheme's record in core.schemes.

The formulas (and their papers) are the records'; this module scales a unit draw of the scheme's family
(core.draws.unit_weights) by them. Draws are made at unit scale and then scaled, so two schemes with the
same seed share their random pattern and differ only in scale: dragging a slider changes the size of the
weights, not their signs. The simulation, the spectrum and the training all take a hidden layer's W from
hidden_weights, the training's read-out from layer_weights.
"""

from __future__ import annotations

import math

import numpy as np

from . import draws
from .activations import REGISTRY, recommended_gain
from .config import FLOAT_RANGES, Config, plain_number
from .draws import family
from .schemes import REGISTRY as SCHEMES
from .schemes import ndtr

DEFAULT_GAIN = {  # torch.nn.init's defaults, for the schemes that have a gain
    name: scheme.default_gain for name, scheme in SCHEMES.items() if scheme.default_gain is not None}

# The Config fields each scheme's formula reads besides the network's shape. The sidebar shows, a link keeps
# and the command line takes without a note only the fields that matter (views/urlstate.py, core/__main__.py).
SCHEME_FIELDS: dict[str, tuple[str, ...]] = {name: scheme.fields for name, scheme in SCHEMES.items()}
# The numbers some scheme reads (std, bound, value, trunc_mean, ...), in the registry's order: one number box,
# URL parameter and command-line flag each, shown or taken without a note where the scheme reads it.
SCHEME_NUMBERS: tuple[str, ...] = tuple(dict.fromkeys(field for s in SCHEMES.values() for field in s.parameters))
ACTIVATION_FIELDS: dict[str, tuple[str, ...]] = {  # the activation's own parameters (leaky_relu: slope)
    name: activation.parameters for name, activation in REGISTRY.items() if activation.parameters}


BIAS_FIELDS = ("bias", "bias_std")  # the Config's law of the biases, which a scheme with its own (bias_bound) ignores


def matters(field: str, init: str, activation: str) -> bool:
    """Whether a Config field changes the network under this init scheme and activation.

    A field no scheme (activation) reads always matters; one that some schemes read matters only under them.
    The bias fields matter unless the scheme draws its biases itself (torch_default).
    """
    if field in BIAS_FIELDS:
        return init not in SCHEMES or SCHEMES[init].bias_bound is None
    for owner, table in ((init, SCHEME_FIELDS), (activation, ACTIVATION_FIELDS)):
        if any(field in names for names in table.values()):
            return field in table.get(owner, ())
    return True


GAIN_WORDS = ("default", "recommended")  # torch.nn.init's default gain for the scheme, or calculate_gain(activation)


def parse_gain(text: str) -> str | float:
    """A gain as typed: one of GAIN_WORDS, or a finite number in FLOAT_RANGES["gain"]; ValueError otherwise."""
    text = text.strip()
    if text in GAIN_WORDS:
        return text
    number = plain_number(text)  # ValueError for text that is not a number
    low, high = FLOAT_RANGES["gain"]
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"gain {text!r} is out of range")
    return number


def resolve_gain(gain: str | float, init: str, activation: str, slope: float) -> tuple[float | None, str | None]:
    """Config.gain for a parsed gain (a word or a number), and a note when the gain is not what one may expect.

    A scheme without a gain gives (None, None), and so does a gain equal to the scheme's default, which draws the same
    weights (He's √2 recommended for ReLU; Xavier's 1 typed in): the command line and the page then build the step's
    own Config, not one that differs from it in its gain field alone. Notes: "none" (torch.nn.init.calculate_gain has
    no value for the activation: the scheme's default is used), "selu" (calculate_gain("selu") is 3/4, which trades
    self-normalization for steadier gradients; torch's documentation says self-normalizing networks,
    Klambauer et al. 2017, use nonlinearity="linear", gain 1).
    """
    if not matters("gain", init, activation) or gain == "default":
        return None, None
    if gain == "recommended":
        value = recommended_gain(activation, slope)
        if value is None:
            return None, "none"
        note = "selu" if activation == "selu" else None
    else:
        value, note = float(gain), None
    return (None if value == SCHEMES[init].default_gain else value), note


def gain_of(config: Config) -> float | None:
    """The gain the scheme uses, or None for schemes without one."""
    default = SCHEMES[config.init].default_gain
    if default is None:
        return None
    return default if config.gain is None else config.gain


def weight_std(config: Config, fan_in: int, fan_out: int) -> float:
    """Standard deviation of one weight of a (fan_in, fan_out) layer (for constant init: 0, every weight equals
    `value`), by the scheme's formula (core.schemes)."""
    return SCHEMES[config.init].std(config, fan_in, fan_out, gain_of(config))


def uniform_bound(config: Config, fan_in: int, fan_out: int) -> float:
    """The bound b of U(-b, b) for the uniform schemes: the scheme's own, or sqrt(3) * std (the same variance)."""
    scheme = SCHEMES[config.init]
    if scheme.bound is not None:
        return scheme.bound(config, fan_in, fan_out, gain_of(config))
    return math.sqrt(3.0) * weight_std(config, fan_in, fan_out)


def weight_mean(config: Config, fan_in: int, fan_out: int) -> float:
    """The mean of one weight: the constant's value, trunc_normal's truncated mean, else 0."""
    scheme = SCHEMES[config.init]
    if scheme.fill is not None:
        return scheme.fill(config)
    return 0.0 if scheme.mean is None else scheme.mean(config, fan_in, fan_out, gain_of(config))


def weight_variance(config: Config, fan_in: int, fan_out: int) -> float | None:
    """Var(w) for zero-mean schemes; None for weights of non-zero mean (a constant, trunc_normal off centre),
    which break the theory's zero-mean premise."""
    if weight_mean(config, fan_in, fan_out) != 0.0:
        return None
    return weight_std(config, fan_in, fan_out) ** 2


def scale_weights(config: Config, unit: np.ndarray | None, fan_in: int, fan_out: int,
                  shape: tuple[int, int] | None = None) -> np.ndarray:
    """One layer's W, shape (fan_in, fan_out), used as s = h @ W, from a unit-scale draw of its family
    (core.draws.unit_weights; None for a scheme without randomness). A new array. shape: the matrix's when it is not
    (fan_in, fan_out), as for a conv layer's (k^2 C_in, C_out) (Config.matrices)."""
    dtype = np.dtype(config.dtype)
    scheme = SCHEMES[config.init]
    if scheme.family is None:
        return np.full(shape or (fan_in, fan_out), scheme.fill(config), dtype)
    if scheme.warp is not None:
        return scheme.warp(config, unit, fan_in, fan_out, gain_of(config)).astype(dtype)
    if scheme.family == "normal":
        return unit * weight_std(config, fan_in, fan_out)
    if scheme.family == "uniform":
        return unit * uniform_bound(config, fan_in, fan_out)
    if scheme.family == "orthogonal" and scheme.centre and shape is not None and shape[0] != unit.shape[0]:
        # delta-orthogonal conv: the (C_in, C_out) draw at the centre tap's rows of (k^2 C_in, C_out), in (kh, kw,
        # c_in) order (core.conv.matrix): tap (k//2, k//2) is number k^2 // 2 of the k^2
        w = np.zeros(shape, unit.dtype)
        c_in, centre = unit.shape[0], shape[0] // unit.shape[0] // 2
        w[centre * c_in:(centre + 1) * c_in] = unit * gain_of(config)
        return w
    if scheme.family == "orthogonal":
        return unit * gain_of(config)
    raise ValueError(f"unknown weight family {scheme.family!r} of init {config.init!r}")


def layer_unit(config: Config, layer: int) -> np.ndarray | None:
    """Hidden layer `layer`'s (0 for the first) unit draw, Config.draw_shapes[layer], in blocks of Config.draw_taps
    (core.draws.unit_weights): the simulation's and the training's alike; None for a scheme without randomness."""
    return draws.unit_weights(config.seed, layer, *config.draw_shapes[layer], family(config.init), config.dtype,
                              taps=config.draw_taps)


def hidden_weights(config: Config, layer: int, unit: np.ndarray | None) -> np.ndarray:
    """Hidden layer `layer`'s W (0 for the first), shape Config.matrices[layer]: (fan_in, fan_out) for a dense layer,
    (k^2 C_in, C_out) for a conv one, scaled by the scheme at the layer's fans (Config.shapes) from its unit draw
    (layer_unit, or the one a network's kept draws hold: core.network.network_draws). The simulation's, the
    spectrum's and the training's W alike."""
    return scale_weights(config, unit, *config.shapes[layer], shape=config.matrices[layer])


def rounded_to_zero(config: Config, layer: int, w: np.ndarray) -> bool:
    """Whether hidden layer `layer`'s W (0 for the first; hidden_weights) is all 0 though its scheme asks for weights
    that are not: a std, bound or value below the dtype's smallest subnormal number (float32's 1.4e-45; std=1e-46)
    rounds every weight to 0, and the network would pass for one of zero weights, symmetric."""
    if np.any(w):
        return False
    fan_in, fan_out = config.shapes[layer]
    return weight_mean(config, fan_in, fan_out) != 0.0 or (weight_variance(config, fan_in, fan_out) or 0.0) > 0.0


def layer_weights(config: Config, layer: int, fan_in: int, fan_out: int) -> np.ndarray:
    """A dense W of shape (fan_in, fan_out) drawn from the seed's stream of layer `layer` (0 for the first;
    core.draws.unit_weights) and scaled by the scheme at those fans: the training's read-out (layer depth, fans
    (units[depth], K)), which is no hidden layer. A hidden layer's W is hidden_weights'."""
    unit = draws.unit_weights(config.seed, layer, fan_in, fan_out, family(config.init), config.dtype)
    return scale_weights(config, unit, fan_in, fan_out)


def bias_mean(config: Config) -> float:
    """The mean of each bias: the Config's, or 0 for a scheme with its own zero-mean law (torch_default)."""
    return config.bias if SCHEMES[config.init].bias_bound is None else 0.0


def bias_variance(config: Config, fan_in: int) -> float:
    """The theory's sigma_b^2 = Var(b) for a layer of this fan_in: bias_std^2, or b^2/3 for U(-b, b) biases."""
    bound = SCHEMES[config.init].bias_bound
    return config.bias_std**2 if bound is None else bound(config, fan_in) ** 2 / 3.0


def layer_biases(config: Config) -> list[np.ndarray | None]:
    """Each hidden layer's bias, (units[l],) for l = 1..depth, from N(bias, bias_std^2), or U(-b, b) with the scheme's
    b of the layer's fan_in (torch's nn.Linear), through the seed's bias stream (core.draws.bias_noise); None for a
    layer whose biases are all zero (skips the add)."""
    bound = SCHEMES[config.init].bias_bound
    fan_ins, units = [fan_in for fan_in, _ in config.shapes], config.units[1:]  # a conv layer's: C_in k^2
    noise = draws.bias_noise(config.seed, units) if config.bias_std or bound else [None] * len(units)
    if bound is not None:  # U(-b, b) as 2 Phi(z) - 1 of the stream's N(0, 1) numbers: the same stream, deterministic
        dtype = np.dtype(config.dtype)
        return [(bound(config, fan_in) * (2.0 * ndtr(z) - 1.0)).astype(dtype) for z, fan_in in zip(noise, fan_ins)]
    return [scale_bias(config, unit, n) for unit, n in zip(noise, units)]


def scale_bias(config: Config, unit: np.ndarray | None, units: int) -> np.ndarray | None:
    """bias + bias_std * unit, from N(0, 1) numbers; None when every bias is zero (skips the add)."""
    dtype = np.dtype(config.dtype)
    if config.bias_std == 0.0:
        return None if config.bias == 0.0 else np.full(units, config.bias, dtype)
    return (config.bias + config.bias_std * unit).astype(dtype)

