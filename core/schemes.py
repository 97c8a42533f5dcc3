"""Init schemes: one record per scheme in REGISTRY, which every other module and test reads.

A record says which unit draw the scheme scales (its family: "normal" N(0, 1), "uniform" U(-1, 1), "orthogonal"
a Haar-random orthogonal matrix, or None for no randomness), the std of one weight as a function of the layer's
fan_in, fan_out, the gain and the Config's own fields (std, bound, value, mode, ...), the torch.nn.init (or Keras)
function the formula comes from, the Config fields it reads and its default gain; where the scheme needs them, the
mean of one weight (non-zero: no theory), a warp (the inverse CDF that turns its unit draw into weights of another
law) and the law of its biases (torch's nn.Linear draws them from the fan_in, not from the Config's bias fields).
INITS (core.config) is REGISTRY's keys: adding a scheme is adding its record here and its formula in each language
(locales/*.toml, key "formula_<name>"; its own Config fields: a range, a label and a help text). Everything else
follows from the record: the draw (core.draws), the scaling and Var(w) (core.initializers), the theory, the
controls the sidebar shows and the command line takes, and the scheme's colour on the Compare tab
(views.tour.scheme_of: from the law of its weights, so a new scheme needs no entry).

Glorot & Bengio 2010 (Xavier): Var(w) = gain^2 * 2 / (fan_in + fan_out).
He et al. 2015 (Kaiming):      Var(w) = gain^2 / fan, fan_in or fan_out by the mode, gain sqrt(2) for ReLU.
LeCun et al. 1998:             Var(w) = gain^2 / fan_in.
Saxe et al. 2014 (orthogonal): QR of a Gaussian matrix with the signs of diag(R) fixed, times gain.
Xiao et al. 2018 (delta-orthogonal, "Dynamical isometry and a mean field theory of CNNs", Algorithm 2): a conv
                               kernel's centre tap an orthogonal C_in x C_out matrix times gain, every other tap 0
                               (Scheme.centre); a dense layer is its own centre tap, so there it is plain orthogonal.
Uniform variants have bound = sqrt(3) * std, the uniform law with the same variance.
torch.nn.Linear (torch #15314, #57109): kaiming_uniform_(a=sqrt 5) weights, U(+-1/sqrt(fan_in)), Var = 1/(3 fan_in),
                               and U(+-1/sqrt(fan_in)) biases (Linear.reset_parameters).
torch.nn.init.trunc_normal_:   N(mean, std^2) cut to the absolute bounds [a, b] (default -2, 2: not +-2 std), drawn
                               as torch draws it, by the inverse CDF of a uniform number.
Keras VarianceScaling:         std = sqrt(scale / fan) for fan_in, fan_out or fan_avg = (fan_in + fan_out) / 2;
                               "truncated_normal" divides it by 0.87962566, the std of N(0, 1) cut at +-2, and
                               cuts at +-2 of its std, so that Var(w) = scale / fan again (TF #16344, keras #8048);
                               glorot_*, he_* and lecun_* are its (scale, mode, distribution) instances.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np

# The unit draws core.draws makes; None: the weights are a constant (no randomness).
FAMILIES = ("normal", "uniform", "orthogonal")

# Config fields that are a choice among words, not a number (core.config.CHOICES): no file name or legend prints them
# as a number (Scheme.parameters).
CHOICE_FIELDS = ("mode", "distribution")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")  # Keras VarianceScaling's
# Keras's truncated_normal correction: the std of N(0, 1) cut at +-2 (computed from the closed form in the tests)
KERAS_TRUNCATION = 0.87962566103423978

# (config, fan_in, fan_out, gain) -> a number; config is a core.config.Config (its std, bound, value, mode),
# gain the scheme's gain (Config.gain or the default), None for schemes without one.
Formula = Callable[[Any, int, int, "float | None"], float]


# (config, unit draw of the family, fan_in, fan_out, gain) -> the weights, float64, the unit draw's shape
Warp = Callable[[Any, np.ndarray, int, int, "float | None"], np.ndarray]


def fan(config: Any, fan_in: int, fan_out: int) -> float:
    """The fan for the mode: fan_in keeps the forward variance, fan_out the backward one (torch.nn.init), fan_avg
    (fan_in + fan_out) / 2 is Keras's and Glorot's compromise between them."""
    if config.mode == "fan_in":
        return fan_in
    if config.mode == "fan_out":
        return fan_out
    return (fan_in + fan_out) / 2


def ndtr(x):
    """Phi, the standard normal CDF, elementwise (scipy.special.ndtr). scipy is imported on first use: it brings a
    BLAS library of its own, which the schemes that do not need it (and the command line's start) do without."""
    from scipy.special import ndtr as phi_cdf

    return phi_cdf(x)


def ndtri(p):
    """Phi's inverse, elementwise (scipy.special.ndtri): -inf at 0, inf at 1."""
    from scipy.special import ndtri as phi_inverse

    return phi_inverse(p)


def _phi(x: float) -> float:
    """The standard normal density."""
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def truncated_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    """Mean and variance of N(mean, std^2) cut to [a, b] (closed form, e.g. Johnson, Kotz & Balakrishnan 1994):
    with alpha = (a - mean)/std, beta = (b - mean)/std and Z = Phi(beta) - Phi(alpha),

        E = mean + std (phi(alpha) - phi(beta)) / Z
        Var = std^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2].

    std = 0, or [a, b] so far in a tail that Z rounds to 0: every number is mean moved into [a, b], variance 0."""
    alpha, beta = (a - mean) / std if std else 0.0, (b - mean) / std if std else 0.0
    # Phi's upper tail in the upper half: Phi(beta) - Phi(alpha) = Phi(-alpha) - Phi(-beta) keeps its digits
    z = float(ndtr(-alpha) - ndtr(-beta)) if alpha > 0 else float(ndtr(beta) - ndtr(alpha))
    if std == 0 or z <= 0:
        return min(max(mean, a), b), 0.0
    shift = (_phi(alpha) - _phi(beta)) / z
    variance = std * std * (1.0 + (alpha * _phi(alpha) - beta * _phi(beta)) / z - shift * shift)
    return mean + std * shift, max(variance, 0.0)


def truncated_from_uniform(p: np.ndarray, mean: float, std: float, a: float, b: float) -> np.ndarray:
    """N(mean, std^2) cut to [a, b] from U[0, 1) numbers p, as torch.nn.init.trunc_normal_ draws it: the inverse
    CDF of a uniform number between Phi(alpha) and Phi(beta), clamped to [a, b]. float64, p's shape; monotone in p,
    so the pattern of the draw (which weight is larger) is p's."""
    if std == 0:
        return np.full(np.shape(p), min(max(mean, a), b))
    low, high = ndtr((a - mean) / std), ndtr((b - mean) / std)
    return np.clip(mean + std * ndtri(low + np.asarray(p, np.float64) * (high - low)), a, b)


@dataclass(frozen=True)
class Scheme:
    """One init scheme: how one layer's W, shape (fan_in, fan_out), is drawn."""

    name: str  # the Config.init value, the URL's and the command line's
    family: str | None  # which unit draw it scales (FAMILIES), None: every weight is fill(config)
    std: Formula  # the std of one weight; its square is the theory's Var(w)
    source: str  # the function whose formula this is
    fields: tuple[str, ...] = ()  # the Config fields the formula reads besides the layer's shape
    default_gain: float | None = None  # torch.nn.init's default; None: the scheme has no gain
    bound: Formula | None = None  # uniform family: b of U(-b, b); None: sqrt(3) * std, the same variance
    fill: Callable[[Any], float] | None = None  # family None: every weight's value
    mean: Formula | None = None  # the mean of one weight where it may be non-zero; None: 0 (or fill)
    warp: Warp | None = None  # turns the unit draw into the weights (an inverse CDF); None: times std or bound
    # b of the biases' U(-b, b) from the layer's fan_in (torch's nn.Linear); None: the Config's bias and bias_std
    bias_bound: Callable[[Any, int], float] | None = None
    # the weights sit at a conv kernel's centre tap only (delta-orthogonal): the unit draw is (C_in, C_out), every
    # other tap 0 (core.initializers.scale_weights); a dense layer (receptive field 1) is all centre tap
    centre: bool = False

    def __post_init__(self) -> None:
        if self.family not in (*FAMILIES, None):
            raise ValueError(f"{self.name}: family {self.family!r} is not one of {', '.join(FAMILIES)} or None")
        if (self.family is None) != (self.fill is not None):
            raise ValueError(f"{self.name}: a scheme without randomness (family None) and only it has a fill")
        if ("gain" in self.fields) != (self.default_gain is not None):
            raise ValueError(f"{self.name}: a scheme reads the gain exactly when it has a default gain")
        if self.warp is not None and self.family not in ("normal", "uniform"):
            raise ValueError(f"{self.name}: only a normal or uniform unit draw can be warped")
        if self.centre and self.family != "orthogonal":
            raise ValueError(f"{self.name}: only an orthogonal draw sits at the centre tap (delta-orthogonal)")

    @property
    def parameters(self) -> tuple[str, ...]:
        """The Config fields that set the weights' own scale or value (std, bound, value, ...): the numbers among its
        fields but the gain, which every scheme with a fan shares."""
        return tuple(field for field in self.fields if field not in ("gain", *CHOICE_FIELDS))

    def settings(self, config: Any) -> tuple[tuple[str, Any], ...]:
        """(field, value) of what sets this scheme's weights in config, for a name: each of its numbers (parameters),
        then each choice (mode, distribution) and the gain that config sets away from its default (the mode only where
        a layer's fan_in and fan_out differ). Two configs that draw different W get different names."""
        defaults = {f.name: f.default for f in dataclasses.fields(config)}
        square = all(fan_in == fan_out for fan_in, fan_out in config.shapes)  # every fan mode gives the same W
        numbers = tuple((field, getattr(config, field)) for field in self.parameters)
        others = tuple((field, getattr(config, field)) for field in self.fields
                       if field not in self.parameters and getattr(config, field) != defaults[field]
                       and not (field == "mode" and square))
        return numbers + others

    @property
    def formula_key(self) -> str:
        """The text key of the scheme's formula (locales/*.toml), one per scheme in every language."""
        return f"formula_{self.name}"


_SQRT3 = math.sqrt(3.0)


@functools.cache
def _cut_at_two_variance() -> float:
    """Var of N(0, 1) cut at +-2 (about 0.774): what Keras's truncated_normal keeps of sqrt(scale / fan)'s square."""
    return truncated_moments(0.0, 1.0, -2.0, 2.0)[1]


def _trunc_moments(c: Any) -> tuple[float, float]:
    return truncated_moments(c.trunc_mean, c.std, c.trunc_a, c.trunc_b)


def _trunc_normal(c: Any, unit: np.ndarray, fan_in: int, fan_out: int, gain: float | None) -> np.ndarray:
    # torch's own recipe: U(2 Phi(alpha) - 1, 2 Phi(beta) - 1), erfinv, times std sqrt 2, plus mean, clamp to [a, b]
    return truncated_from_uniform((unit.astype(np.float64) + 1.0) / 2.0, c.trunc_mean, c.std, c.trunc_a, c.trunc_b)


def _keras_std(c: Any, fan_in: int, fan_out: int) -> float:
    """Keras VarianceScaling's std before any correction: sqrt(scale / fan)."""
    return math.sqrt(c.scale / fan(c, fan_in, fan_out))


def _variance_scaling_std(c: Any, fan_in: int, fan_out: int, gain: float | None) -> float:
    """The std of one weight as Keras draws it: sqrt(scale / fan) for every distribution, the truncated one
    up to the rounding of KERAS_TRUNCATION (its own std, times the std of N(0, 1) cut at +-2)."""
    if c.distribution != "truncated_normal":
        return _keras_std(c, fan_in, fan_out)
    return _keras_std(c, fan_in, fan_out) / KERAS_TRUNCATION * math.sqrt(_cut_at_two_variance())


def uncorrected_variance(c: Any, fan_in: int, fan_out: int) -> float:
    """Var(w) that variance_scaling's truncated_normal would give without Keras's correction: N(0, scale/fan) cut
    at +-2 of its std keeps the variance of N(0, 1) cut at +-2 (about 0.774) of it (TF #16344, keras #8048)."""
    return c.scale / fan(c, fan_in, fan_out) * _cut_at_two_variance()


def _variance_scaling(c: Any, unit: np.ndarray, fan_in: int, fan_out: int, gain: float | None) -> np.ndarray:
    # From the N(0, 1) draw, through Phi(z), which is U(0, 1): monotone, so all three distributions keep the
    # pattern of the normal schemes' draw of the same seed, and the untruncated one is that draw scaled.
    std = _keras_std(c, fan_in, fan_out)
    if c.distribution == "untruncated_normal":
        return std * unit.astype(np.float64)
    if c.distribution == "uniform":  # Keras's limit sqrt(3 scale / fan)
        return _SQRT3 * std * _standard_law(unit, "uniform")
    cut = std / KERAS_TRUNCATION  # tf.random.truncated_normal's stddev, cut at +-2 of it
    return cut * _standard_law(unit, "truncated_normal")


WARPED_BYTES = 24 << 20  # the standard laws of recent unit draws: a default network's ten layers take 20 MiB
_warped: OrderedDict[tuple[int, str], tuple[weakref.ref, np.ndarray]] = OrderedDict()
_warped_lock = threading.Lock()


def _standard_law(unit: np.ndarray, distribution: str) -> np.ndarray:
    """The unit draw z warped to the distribution at std 1, float64: 2 Phi(z) - 1 (uniform, times sqrt(3 scale /
    fan) next) or N(0, 1) cut at +-2 by the inverse CDF of Phi(z) (truncated_normal, times its cut std next).

    Both laws scale with the std (the cut is at +-2 of it), so a scale or mode change reuses them, and the weights
    are bitwise those computed at the std: Phi and its inverse cost ~25 ms a 500 x 500 layer, ten times the scaling.
    Kept for read-only draws only (core.draws keeps its draws so, unchanged while they live), by the draw's
    identity, the least recently used first out past WARPED_BYTES.
    """
    key = (id(unit), distribution)
    with _warped_lock:
        kept = _warped.get(key)
        if kept is not None and kept[0]() is unit:
            _warped.move_to_end(key)
            return kept[1]
    z = ndtr(unit.astype(np.float64))
    if distribution == "uniform":
        law = 2.0 * z - 1.0
    else:
        law = truncated_from_uniform(z, 0.0, 1.0, -2.0, 2.0)
    if not unit.flags.writeable:
        law.flags.writeable = False
        with _warped_lock:
            for gone in [k for k, (ref, _) in _warped.items() if ref() is None]:  # their draws were let go
                del _warped[gone]
            _warped[key] = (weakref.ref(unit), law)
            while sum(entry[1].nbytes for entry in _warped.values()) > WARPED_BYTES:
                _warped.popitem(last=False)
    return law


REGISTRY: dict[str, Scheme] = {s.name: s for s in (
    Scheme("zeros", None, lambda c, fan_in, fan_out, gain: 0.0, "torch.nn.init.zeros_", fill=lambda c: 0.0),
    Scheme("constant", None, lambda c, fan_in, fan_out, gain: 0.0, "torch.nn.init.constant_", ("value",),
           fill=lambda c: c.value),
    Scheme("normal", "normal", lambda c, fan_in, fan_out, gain: c.std, "torch.nn.init.normal_", ("std",)),
    Scheme("uniform", "uniform", lambda c, fan_in, fan_out, gain: c.bound / _SQRT3, "torch.nn.init.uniform_",
           ("bound",), bound=lambda c, fan_in, fan_out, gain: c.bound),
    Scheme("xavier_normal", "normal", lambda c, fan_in, fan_out, gain: gain * math.sqrt(2.0 / (fan_in + fan_out)),
           "torch.nn.init.xavier_normal_", ("gain",), default_gain=1.0),
    Scheme("xavier_uniform", "uniform", lambda c, fan_in, fan_out, gain: gain * math.sqrt(2.0 / (fan_in + fan_out)),
           "torch.nn.init.xavier_uniform_", ("gain",), default_gain=1.0),
    # kaiming_*(a=0, nonlinearity="leaky_relu"): gain sqrt(2)
    Scheme("he_normal", "normal", lambda c, fan_in, fan_out, gain: gain / math.sqrt(fan(c, fan_in, fan_out)),
           "torch.nn.init.kaiming_normal_", ("gain", "mode"), default_gain=math.sqrt(2.0)),
    Scheme("he_uniform", "uniform", lambda c, fan_in, fan_out, gain: gain / math.sqrt(fan(c, fan_in, fan_out)),
           "torch.nn.init.kaiming_uniform_", ("gain", "mode"), default_gain=math.sqrt(2.0)),
    # Keras's lecun_normal truncates at two std; this is the untruncated law of kaiming_normal_(nonlinearity="linear")
    Scheme("lecun_normal", "normal", lambda c, fan_in, fan_out, gain: gain / math.sqrt(fan_in),
           "torch.nn.init.kaiming_normal_(nonlinearity='linear')", ("gain",), default_gain=1.0),
    # LeCun et al. 1998 as Keras draws it: U(±gain·sqrt(3/fan_in)), Var(w) = gain^2 / fan_in
    Scheme("lecun_uniform", "uniform", lambda c, fan_in, fan_out, gain: gain / math.sqrt(fan_in),
           "tf.keras.initializers.LecunUniform", ("gain",), default_gain=1.0),
    # each entry of a (semi-)orthogonal matrix times gain: Var(w) = gain^2 / max(rows, cols). torch flattens a conv
    # weight to (C_out, C_in k^2) = (fan_out / k^2, fan_in) first (receptive_field k^2; 1 for a dense layer)
    Scheme("orthogonal", "orthogonal",
           lambda c, fan_in, fan_out, gain: gain / math.sqrt(max(fan_in, fan_out // c.receptive_field)),
           "torch.nn.init.orthogonal_", ("gain",), default_gain=1.0),
    # delta-orthogonal: the centre tap's orthogonal (C_in, C_out) block times gain, the other k^2 - 1 taps 0. Var(w)
    # over all the kernel's weights: gain^2 min(C_in, C_out) / (k^2 C_in C_out) = gain^2 / max(fan_in, fan_out)
    Scheme("delta_orthogonal", "orthogonal",
           lambda c, fan_in, fan_out, gain: gain / math.sqrt(max(fan_in, fan_out)),
           "jax.nn.initializers.delta_orthogonal", ("gain",), default_gain=1.0,
           centre=True),
    # what nn.Linear does when nobody initializes it: kaiming_uniform_(a=sqrt 5), gain sqrt(1/3), bound 1/sqrt(fan_in)
    Scheme("torch_default", "uniform", lambda c, fan_in, fan_out, gain: 1.0 / math.sqrt(3.0 * fan_in),
           "torch.nn.Linear.reset_parameters", bound=lambda c, fan_in, fan_out, gain: 1.0 / math.sqrt(fan_in),
           bias_bound=lambda c, fan_in: 1.0 / math.sqrt(fan_in)),
    Scheme("trunc_normal", "uniform", lambda c, fan_in, fan_out, gain: math.sqrt(_trunc_moments(c)[1]),
           "torch.nn.init.trunc_normal_", ("std", "trunc_mean", "trunc_a", "trunc_b"),
           mean=lambda c, fan_in, fan_out, gain: _trunc_moments(c)[0], warp=_trunc_normal),
    Scheme("variance_scaling", "normal", _variance_scaling_std, "tf.keras.initializers.VarianceScaling",
           ("scale", "mode", "distribution"), warp=_variance_scaling),
)}


def get(name: str) -> Scheme:
    """The record of a scheme; ValueError naming the schemes there are."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown init {name!r}: one of {', '.join(REGISTRY)}") from None


def mode_outside_torch(init: str, mode: str) -> bool:
    """Whether the scheme is torch's but the fan mode is not one its function takes: torch.nn.init's kaiming_normal_
    and kaiming_uniform_ take fan_in or fan_out (_calculate_correct_fan raises for fan_avg, Keras's VarianceScaling
    mode). False for a scheme that does not read the mode."""
    scheme = get(init)
    return mode == "fan_avg" and "mode" in scheme.fields and scheme.source.startswith("torch.")


def with_gain() -> tuple[str, ...]:
    """The schemes that have a gain (torch.nn.init's gain argument)."""
    return tuple(name for name, scheme in REGISTRY.items() if scheme.default_gain is not None)


def drawn() -> tuple[str, ...]:
    """The schemes whose weights are random (a family to draw from)."""
    return tuple(name for name, scheme in REGISTRY.items() if scheme.family is not None)
