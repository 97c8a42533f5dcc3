"""The Marchenko–Pastur law (Marchenko & Pastur 1967) and each layer's WᵀW against it: a reference the tests hold
the weight draws to (i.i.d. entries of the scheme's variance give its eigenvalues), and a Kolmogorov–Smirnov distance
that counts an atom as one step."""

import math
from dataclasses import dataclass

import numpy as np

from core import Config
from core.initializers import hidden_weights, layer_unit, weight_variance


@dataclass(frozen=True)
class MarchenkoPastur:
    """The Marchenko–Pastur law (Marchenko & Pastur 1967) of the eigenvalues of X = (variance / N) Y Yᵀ, Y a p x N
    matrix of i.i.d. zero-mean unit-variance entries, as p, N -> inf with p / N -> ratio. For ratio > 1 a share
    1 - 1/ratio of the eigenvalues is 0 (the atom); the rest lie in [low, high] = variance (1 ± sqrt(ratio))²."""

    ratio: float
    variance: float

    @property
    def low(self) -> float:
        return self.variance * (1.0 - math.sqrt(self.ratio)) ** 2

    @property
    def high(self) -> float:
        return self.variance * (1.0 + math.sqrt(self.ratio)) ** 2

    @property
    def atom(self) -> float:
        """The share of eigenvalues exactly 0: 1 - 1/ratio above ratio 1, else 0."""
        return max(0.0, 1.0 - 1.0 / self.ratio)

    def density(self, x) -> np.ndarray:
        """The continuous part's density, sqrt((high - x)(x - low)) / (2 pi variance ratio x) on [low, high]."""
        x = np.asarray(x, float)
        inside = (x > self.low) & (x < self.high)
        safe = np.where(inside, x, 1.0)
        value = np.sqrt(np.maximum((self.high - safe) * (safe - self.low), 0.0)) \
            / (2.0 * math.pi * self.variance * self.ratio * safe)
        return np.where(inside, value, 0.0)

    def cdf(self, x) -> np.ndarray:
        """P(eigenvalue <= x), the atom included, in closed form: with x = c - d cos θ (c = variance (1 + ratio),
        d = 2 variance sqrt(ratio)), the density's integral from low is
        d² / (2 pi variance ratio) [sin θ / d + c θ / d² - 2 sqrt(c² - d²) / d² atan2(sqrt(c + d) sin(θ/2),
        sqrt(c - d) cos(θ/2))]."""
        x = np.asarray(x, float)
        c, d = self.variance * (1.0 + self.ratio), 2.0 * self.variance * math.sqrt(self.ratio)
        theta = np.arccos(np.clip((c - x) / d, -1.0, 1.0))
        gap = math.sqrt(max(c * c - d * d, 0.0))
        part = d * d / (2.0 * math.pi * self.variance * self.ratio) * (
            np.sin(theta) / d + c * theta / d**2
            - 2.0 * gap / d**2 * np.arctan2(math.sqrt(c + d) * np.sin(theta / 2), math.sqrt(c - d) * np.cos(theta / 2)))
        return np.where(x < 0.0, 0.0, self.atom + np.clip(part, 0.0, 1.0 - self.atom))


def marchenko_pastur(ratio: float, variance: float) -> MarchenkoPastur:
    """The Marchenko–Pastur law for this aspect ratio p / N (> 0) and entry variance (> 0)."""
    if not (ratio > 0 and variance > 0 and math.isfinite(ratio) and math.isfinite(variance)):
        raise ValueError(f"ratio={ratio!r}, variance={variance!r}: both must be positive and finite")
    return MarchenkoPastur(float(ratio), float(variance))


def weight_eigenvalues(config: Config, layer: int) -> tuple[np.ndarray, MarchenkoPastur | None]:
    """The eigenvalues of W_lᵀW_l (fan_out x fan_out, ascending), W_l the simulation's (fan_in, fan_out) weights of
    layer l = 1..depth, and the Marchenko–Pastur law they follow for i.i.d. zero-mean weights: W_lᵀW_l =
    (sigma_w² / fan_in) AᵀA for a unit-variance A, so ratio fan_out / fan_in and variance sigma_w² = fan_in Var(w)
    (the field's convention: He and LeCun init give variance 1 for linear layers). None for the law where weights
    have a non-zero mean (constant init). Orthogonal weights do not follow it: every eigenvalue of a square one is
    gain². Values within rounding of 0 (at most the largest x fan_out x float64's eps) are set to 0."""
    if not (isinstance(layer, int) and 1 <= layer <= config.depth):
        raise ValueError(f"layer={layer!r} is not allowed: a whole number from 1 to depth, {config.depth}")
    fan_in, fan_out = config.shapes[layer - 1]
    w = hidden_weights(config, layer - 1, layer_unit(config, layer - 1)).astype(np.float64)
    eigenvalues = np.linalg.eigvalsh(w.T @ w)
    # WᵀW is positive semi-definite, of rank min(fan_in, fan_out): what lies within rounding of 0 is 0
    eigenvalues[eigenvalues <= eigenvalues[-1] * fan_out * np.finfo(np.float64).eps] = 0.0
    var_w = weight_variance(config, fan_in, fan_out)
    law = marchenko_pastur(fan_out / fan_in, fan_in * var_w) if var_w else None
    return eigenvalues, law


def ks_distance(values: np.ndarray, cdf) -> float:
    """The Kolmogorov–Smirnov distance sup_x |F_n(x) - F(x)| between the values' empirical CDF and cdf (a
    callable), both sides of every jump: ties and an atom (Marchenko–Pastur's at 0) count as one step each."""
    x = np.sort(np.asarray(values, float))
    points = np.unique(x)
    right = np.searchsorted(x, points, side="right") / x.size  # F_n(x), and F_n just below x
    left = np.searchsorted(x, points, side="left") / x.size
    return float(max(np.max(np.abs(right - cdf(points))), np.max(np.abs(left - cdf(np.nextafter(points, -np.inf))))))
