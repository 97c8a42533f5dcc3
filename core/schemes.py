"""Init schemes: one record per scheme in REGISTRY, which every other module and test reads.

A record says which unit draw the scheme scales (its family: "normal" N(0, 1), "uniform" U(-1, 1), "orthogonal"
a Haar-random orthogonal matrix, or None for no randomness), the std of one weight as a function of the layer's
fan_in, fan_out, the gain and the Config's own fields (std, bound, value, mode), the torch.nn.init (or Keras)
function the formula comes from, the Config fields it reads and its default gain. INITS (core.config) is
REGISTRY's keys: adding a scheme is adding its record here and its formula in each language (locales/*.toml,
key "formula_<name>"). Everything else follows from the record: the draw (core.draws), the scaling and
Var(w) (core.initializers), the theory, the controls the sidebar shows and the command line takes, and the
scheme's colour on the Compare tab (views.tour.scheme_of: from its variance, so a new scheme needs no entry).

Glorot & Bengio 2010 (Xavier): Var(w) = gain^2 * 2 / (fan_in + fan_out).
He et al. 2015 (Kaiming):      Var(w) = gain^2 / fan, fan_in or fan_out by the mode, gain sqrt(2) for ReLU.
LeCun et al. 1998:             Var(w) = gain^2 / fan_in.
Saxe et al. 2014 (orthogonal): QR of a Gaussian matrix with the signs of diag(R) fixed, times gain.
Uniform variants have bound = sqrt(3) * std, the uniform law with the same variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

# The unit draws core.draws makes; None: the weights are a constant (no randomness).
FAMILIES = ("normal", "uniform", "orthogonal")

# (config, fan_in, fan_out, gain) -> a number; config is a core.config.Config (its std, bound, value, mode),
# gain the scheme's gain (Config.gain or the default), None for schemes without one.
Formula = Callable[[Any, int, int, "float | None"], float]


def fan(config: Any, fan_in: int, fan_out: int) -> int:
    """torch.nn.init's fan for the mode: fan_in keeps the forward variance, fan_out the backward one."""
    return fan_in if config.mode == "fan_in" else fan_out


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

    def __post_init__(self) -> None:
        if self.family not in (*FAMILIES, None):
            raise ValueError(f"{self.name}: family {self.family!r} is not one of {', '.join(FAMILIES)} or None")
        if (self.family is None) != (self.fill is not None):
            raise ValueError(f"{self.name}: a scheme without randomness (family None) and only it has a fill")
        if ("gain" in self.fields) != (self.default_gain is not None):
            raise ValueError(f"{self.name}: a scheme reads the gain exactly when it has a default gain")

    @property
    def parameters(self) -> tuple[str, ...]:
        """The Config fields that set the weights' own scale or value (std, bound, value): its fields but the gain
        and the mode, which every scheme with a fan shares."""
        return tuple(field for field in self.fields if field not in ("gain", "mode"))

    @property
    def formula_key(self) -> str:
        """The text key of the scheme's formula (locales/*.toml), one per scheme in every language."""
        return f"formula_{self.name}"


_SQRT3 = math.sqrt(3.0)

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
    # each entry of a (semi-)orthogonal matrix times gain: Var(w) = gain^2 / max(fan_in, fan_out)
    Scheme("orthogonal", "orthogonal", lambda c, fan_in, fan_out, gain: gain / math.sqrt(max(fan_in, fan_out)),
           "torch.nn.init.orthogonal_", ("gain",), default_gain=1.0),
)}


def get(name: str) -> Scheme:
    """The record of a scheme; ValueError naming the schemes there are."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown init {name!r}: one of {', '.join(REGISTRY)}") from None


def with_gain() -> tuple[str, ...]:
    """The schemes that have a gain (torch.nn.init's gain argument)."""
    return tuple(name for name, scheme in REGISTRY.items() if scheme.default_gain is not None)


def drawn() -> tuple[str, ...]:
    """The schemes whose weights are random (a family to draw from)."""
    return tuple(name for name, scheme in REGISTRY.items() if scheme.family is not None)
