"""Weight initializers with the formulas of torch.nn.init.

Glorot & Bengio 2010 (Xavier): Var(w) = gain^2 * 2 / (fan_in + fan_out).
He et al. 2015 (Kaiming):      Var(w) = gain^2 / fan, gain sqrt(2) for ReLU.
LeCun et al. 1998:             Var(w) = gain^2 / fan_in.
Saxe et al. 2014 (orthogonal): QR of a Gaussian matrix with the signs of diag(R) fixed, times gain.
Uniform variants have bound = sqrt(3) * std, the uniform law with the same variance.

Draws are made at unit scale and then scaled, so two schemes with the same seed share their random
pattern and differ only in scale: dragging a slider changes the size of the weights, not their signs.
"""

from __future__ import annotations

import math

import numpy as np

from .activations import REGISTRY, recommended_gain
from .config import FLOAT_RANGES, Config
from .draws import family, orthogonal

DEFAULT_GAIN = {  # torch.nn.init's defaults
    "xavier_normal": 1.0,
    "xavier_uniform": 1.0,
    "he_normal": math.sqrt(2.0),  # kaiming_*(a=0, nonlinearity="leaky_relu")
    "he_uniform": math.sqrt(2.0),
    "lecun_normal": 1.0,
    "orthogonal": 1.0,
}

# The Config fields each scheme's formula reads besides the network's shape. The sidebar shows, a link keeps
# and the command line takes without a note only the fields that matter (views/urlstate.py, core/__main__.py).
SCHEME_FIELDS: dict[str, tuple[str, ...]] = {
    "zeros": (),
    "constant": ("value",),
    "normal": ("std",),
    "uniform": ("bound",),
    "xavier_normal": ("gain",),
    "xavier_uniform": ("gain",),
    "he_normal": ("gain", "mode"),  # torch's kaiming_*: fan_in or fan_out
    "he_uniform": ("gain", "mode"),
    "lecun_normal": ("gain",),  # always fan_in
    "orthogonal": ("gain",),
}
ACTIVATION_FIELDS: dict[str, tuple[str, ...]] = {  # the activation's own parameters (leaky_relu: slope)
    name: activation.parameters for name, activation in REGISTRY.items() if activation.parameters}


def matters(field: str, init: str, activation: str) -> bool:
    """Whether a Config field changes the network under this init scheme and activation.

    A field no scheme (activation) reads always matters; one that some schemes read matters only under them.
    """
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
    number = float(text)  # ValueError for text that is not a number
    low, high = FLOAT_RANGES["gain"]
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"gain {text!r} is out of range")
    return number


def resolve_gain(gain: str | float, init: str, activation: str, slope: float) -> tuple[float | None, str | None]:
    """Config.gain for a parsed gain (a word or a number), and a note when the gain is not what one may expect.

    A scheme without a gain gives (None, None). Notes: "none" (torch.nn.init.calculate_gain has no value for the
    activation: the scheme's default is used), "selu" (calculate_gain("selu") is 3/4, which trades
    self-normalization for steadier gradients; torch's documentation says self-normalizing networks,
    Klambauer et al. 2017, use nonlinearity="linear", gain 1).
    """
    if not matters("gain", init, activation) or gain == "default":
        return None, None
    if gain == "recommended":
        value = recommended_gain(activation, slope)
        if value is None:
            return None, "none"
        return value, ("selu" if activation == "selu" else None)
    return float(gain), None


def gain_of(config: Config) -> float | None:
    """The gain the scheme uses, or None for schemes without one."""
    if config.init not in DEFAULT_GAIN:
        return None
    return DEFAULT_GAIN[config.init] if config.gain is None else config.gain


def weight_std(config: Config, fan_in: int, fan_out: int) -> float:
    """Standard deviation of one weight (for constant init: 0, every weight equals `value`)."""
    gain = gain_of(config)
    fan = fan_in if config.mode == "fan_in" else fan_out
    if config.init in ("zeros", "constant"):
        return 0.0
    if config.init == "normal":
        return config.std
    if config.init == "uniform":
        return config.bound / math.sqrt(3.0)
    if config.init in ("xavier_normal", "xavier_uniform"):
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    if config.init in ("he_normal", "he_uniform"):
        return gain / math.sqrt(fan)
    if config.init == "lecun_normal":
        return gain / math.sqrt(fan_in)
    if config.init == "orthogonal":
        return gain / math.sqrt(max(fan_in, fan_out))  # each entry of an orthogonal matrix
    raise ValueError(f"unknown init {config.init!r}")


def uniform_bound(config: Config, fan_in: int, fan_out: int) -> float:
    """The bound b of U(-b, b) for the uniform schemes."""
    if config.init == "uniform":
        return config.bound
    return math.sqrt(3.0) * weight_std(config, fan_in, fan_out)


def weight_variance(config: Config, fan_in: int, fan_out: int) -> float | None:
    """Var(w) for zero-mean schemes; None for constant init, which breaks the theory's zero-mean premise."""
    if config.init == "constant" and config.value != 0.0:
        return None
    return weight_std(config, fan_in, fan_out) ** 2


def scale_weights(config: Config, unit: np.ndarray | None, fan_in: int, fan_out: int) -> np.ndarray:
    """One layer's W, shape (fan_in, fan_out), used as s = h @ W, from a unit-scale draw of its family."""
    dtype = np.dtype(config.dtype)
    shape = (fan_in, fan_out)
    kind = family(config.init)
    if config.init == "zeros":
        return np.zeros(shape, dtype)
    if config.init == "constant":
        return np.full(shape, config.value, dtype)
    if kind == "normal":
        return unit * weight_std(config, fan_in, fan_out)
    if kind == "uniform":
        return unit * uniform_bound(config, fan_in, fan_out)
    if kind == "orthogonal":
        return unit * gain_of(config)
    raise ValueError(f"unknown init {config.init!r}")


def sample_weights(config: Config, rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """One layer's W drawn from rng: N(0, 1), U(-1, 1) or orthogonal, then scaled by the scheme."""
    dtype = np.dtype(config.dtype)
    kind = family(config.init)
    if kind == "normal":
        unit = rng.standard_normal((fan_in, fan_out), dtype=dtype)
    elif kind == "uniform":
        unit = rng.random((fan_in, fan_out), dtype=dtype) * 2.0 - 1.0
    elif kind == "orthogonal":
        unit = orthogonal(rng, fan_out, fan_in).T.astype(dtype)  # torch's (out, in) layout, transposed
    else:
        unit = None
    return scale_weights(config, unit, fan_in, fan_out)


def sample_bias(config: Config, rng: np.random.Generator, units: int) -> np.ndarray | None:
    """Each unit's bias from N(bias, bias_std^2); None when every bias is zero (skips the add)."""
    return scale_bias(config, rng.standard_normal(units) if config.bias_std else None, units)


def scale_bias(config: Config, unit: np.ndarray | None, units: int) -> np.ndarray | None:
    """bias + bias_std * unit, from N(0, 1) numbers; None when every bias is zero (skips the add)."""
    dtype = np.dtype(config.dtype)
    if config.bias_std == 0.0:
        return None if config.bias == 0.0 else np.full(units, config.bias, dtype)
    return (config.bias + config.bias_std * unit).astype(dtype)

