"""The page's headline: last-layer and first-layer numbers, and a one-word verdict on the network."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

VERDICTS = ("healthy", "vanishing", "exploding", "saturated", "symmetric")
# A tenfold change of the signal over the network's depth is where the lecture's plots stop looking healthy:
# step 5 (Xavier + ReLU) ends at x0.03, step 4 (Xavier + tanh) at x0.23.
SHRINK, GROW = 0.1, 10.0
SATURATED_SHARE = 0.5  # more than half the units of some layer on tanh's or sigmoid's flat ends


@dataclass(frozen=True)
class Headline:
    """What the metrics row shows; NaN where a value is undefined or lies beyond a break."""

    act_input: float  # std of the input
    act_last: float  # std of the last layer's activations
    grad_first: float  # gradient std at layer 1
    grad_last: float  # gradient std at the last layer
    saturated: float  # share of saturated values in the last layer (tanh, sigmoid), else NaN
    dead: float  # share of dead units in the last layer (relu, leaky_relu), else NaN
    verdict: str

    @property
    def act_ratio(self) -> float:
        return _ratio(self.act_last, self.act_input)

    @property
    def grad_ratio(self) -> float:
        return _ratio(self.grad_first, self.grad_last)


def _ratio(a: float, b: float) -> float:
    return a / b if math.isfinite(a) and math.isfinite(b) and b > 0 else math.nan


def headline(result) -> Headline:
    """The headline numbers and verdict of a simulated network."""
    depth = result.config.depth
    stats = result.stats
    return Headline(
        act_input=float(stats["act_std"][0]),
        act_last=float(stats["act_std"][depth]),
        grad_first=float(stats["grad_std"][1]),
        grad_last=float(stats["grad_std"][depth]),
        saturated=float(stats["saturated"][depth]),
        dead=float(stats["dead"][depth]),
        verdict=verdict(result),
    )


def verdict(result) -> str:
    """healthy, vanishing, exploding, saturated or symmetric: the first that applies, in the order below."""
    stats, width = result.stats, result.config.width
    if any(b.kind == "overflow" for b in result.breaks):
        return "exploding"
    hidden = stats["distinct_units"][1:]
    if width > 1 and np.any(hidden[np.isfinite(hidden)] == 1):
        return "symmetric"
    saturated = stats["saturated"][1:]
    if np.any(saturated[np.isfinite(saturated)] > SATURATED_SHARE):
        return "saturated"
    depth = result.config.depth
    act = _ratio(float(stats["act_std"][depth]), float(stats["act_std"][0]))
    grad = _ratio(float(stats["grad_std"][1]), float(stats["grad_std"][depth]))
    if any(b.kind == "underflow" for b in result.breaks) or act < SHRINK or grad < SHRINK \
            or float(stats["act_std"][depth]) == 0.0:
        return "vanishing"
    if act > GROW or grad > GROW:
        return "exploding"
    return "healthy"


def format_value(value: float, digits: int = 3) -> str:
    """A number as the page prints it: 0.213, 3.04e-07, 1.15e+04; a dash when undefined."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    return f"{value:.{digits - 1}e}"


def format_share(value: float) -> str:
    """A fraction as a percentage; a dash when undefined."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f}%"
