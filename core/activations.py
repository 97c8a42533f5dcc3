"""Nonlinearities: one record per activation in REGISTRY, which every other module and test reads.

A record keeps f and f' side by side, what f' is computed from, f's definition (the tests' 50-digit reference),
torch.nn.init.calculate_gain's value, the saturation and dead-unit rules, its histogram range and the Config
fields it reads. ACTIVATIONS (core.config) is REGISTRY's keys: adding an activation is adding its record here
and its display name in each language (locales/*.toml, key "act_<name>"). f' is written through the
output h = f(s) only where that is exact (ReLU, leaky ReLU, linear); elsewhere it takes the
pre-activation s, because h has lost what f' needs once f flattens: 1 - tanh(s)^2 is 0 in float32 for
|s| > 9 while the truth is 4e^(-2|s|), and SELU's h + scale * alpha cancels to noise once h is large.
The forward passes (core.network, core.train) keep s wherever needs_pre_activation(name) says so.

Every f and f' keeps the dtype of its input (float32 or float64), is within a few ulp of the exact value
at that input over the whole floating-point range, tails included (tests/test_activations.py checks
this against mpmath), never overflows and raises no numpy warning. GELU is the exact x * Phi(x), through
W. J. Cody's rational approximations of erf and erfc (1969).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np

_SELU_ALPHA_DIGITS = "1.6732632423543772848170429916717"  # Klambauer et al. 2017, as in torch.nn.SELU
_SELU_SCALE_DIGITS = "1.0507009873554804934193349852946"
SELU_ALPHA = float(_SELU_ALPHA_DIGITS)
SELU_SCALE = float(_SELU_SCALE_DIGITS)
_SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA  # one constant, one rounding


SATURATION = 0.97  # |tanh| above this, or sigmoid this close to 0 or 1, passes almost no gradient
HISTOGRAM_BINS = 50  # equal bins of a layer's histogram (core.network)


def saturation_histogram(center: float, half_width: float) -> tuple[float, float]:
    """The histogram range of an f that saturates where |h - center| > half_width: HISTOGRAM_BINS equal bins whose
    end bins start at the rule's edges, each one bin wide past it, so that the end bins hold the saturated values
    the page counts. tanh: ±1.0104, end bins from ±0.97 (over [−1, 1] they had started at ±0.96, and step 3's grey end
    bars added up to 93.0 % beside its 92.6 % saturated); sigmoid: 0.0104 to 0.9896, end bins from 0.03 and 0.97, the
    values beyond them counted in them (core.network)."""
    reach = half_width * HISTOGRAM_BINS / (HISTOGRAM_BINS - 2)
    return center - reach, center + reach


@dataclass(frozen=True)
class Activation:
    """One nonlinearity: h = f(s), its derivative f', and everything the engine, the views and the tests ask of it.

    slope below is Config.slope, leaky ReLU's negative slope; activations without it ignore it.
    """

    name: str  # the Config.activation value, the URL's and the command line's
    f: Callable[[np.ndarray, float], np.ndarray]  # (s, slope) -> h, same shape and dtype
    df: Callable[[np.ndarray, float], np.ndarray]  # (s or h, slope) -> f'(s), same shape and dtype
    derivative_from: str  # "s": the pre-activation; "h": the output h = f(s), where f' is exact from it
    # f as its paper defines it, written with the functions of a math module m (mpmath: exp, expm1, tanh, erf,
    # sqrt, erfc, mpf): (m, x, slope) -> f(x). The tests evaluate it with mpmath at 50 digits and hold f to it, and
    # f' to its numerical derivative.
    formula: Callable[[Any, Any, float], Any]
    # fixed edges of the histograms of h, so that layers compare (an f that saturates: saturation_histogram)
    histogram: tuple[float, float]
    gain: Callable[[float], float] | None = None  # slope -> torch.nn.init.calculate_gain(name); None: torch has none
    # (center, half_width): a value h is saturated, on a flat end of f, where |h - center| > half_width; f - center
    # is odd and increasing. None: f does not saturate.
    saturation: tuple[float, float] | None = None
    # the values a bounded f takes, (inf, sup), which its histogram's x axis names: its bins (saturation_histogram)
    # reach past them (tanh's ±1.0104) or hold the values beyond their ends (sigmoid's). None: f is unbounded, and the
    # axis names its histogram's range
    bounds: tuple[float, float] | None = None
    dead_units: bool = False  # the ReLU family: a unit with h <= 0 for every sample counts as dead
    # slope -> (a, b) for a positively homogeneous f, f(s) = a s for s < 0 and b s for s > 0; None for others
    half_lines: Callable[[float], tuple[float, float]] | None = None
    # (s, slope) -> f(s) - f(0) without cancellation, where f(0) != 0 (sigmoid); None: f(s) - f(0) is f(s) itself
    centered: Callable[[np.ndarray, float], np.ndarray] | None = None
    parameters: tuple[str, ...] = ()  # the Config fields f reads besides s
    ulps: float = 4.0  # f and f' within this many ulp of the exact value in float64 (4 in float32), tails included

    def __post_init__(self) -> None:
        if self.derivative_from not in ("s", "h"):
            raise ValueError(f"derivative_from={self.derivative_from!r}: 's' or 'h'")


# The hot paths below write into their own fresh arrays with out= and keep Python scalars on the
# right: numpy's generic paths (np.where, masked assignment, ufuncs fed a temporary) cost ~2 ms on
# a 1000x500 array, ten times the arithmetic itself.


def _tanh(s: np.ndarray, slope: float) -> np.ndarray:
    return np.tanh(s)


def _tanh_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    """sech(s)^2 = 4e / (1 + e (2 + e)) with e = exp(-2|s|) <= 1: one exp, nothing overflows or cancels,
    and 1 + e is never rounded on its own (squaring it would double that rounding)."""
    e = np.abs(s)
    with np.errstate(over="ignore"):  # -2|s| is -inf beyond half the largest float; exp makes it 0, right
        e *= -2.0
    np.exp(e, out=e)
    d = e + 2.0
    d *= e
    d += 1.0
    np.divide(e, d, out=d)
    d *= 4.0
    return d


def _sigmoid(s: np.ndarray, slope: float) -> np.ndarray:
    """1 / (1 + e) for s >= 0 and e / (1 + e) for s < 0, e = exp(-|s|): the left tail keeps its digits."""
    e = np.abs(s)
    np.negative(e, out=e)
    np.exp(e, out=e)
    h = np.maximum(e, s >= 0)  # e where s < 0, else 1 (e <= 1); a comparison, not np.where
    e += 1.0
    h /= e
    return h


def _sigmoid_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    """sigma(s) sigma(-s) = e / (1 + e (2 + e)) with e = exp(-|s|), as tanh's."""
    e = np.abs(s)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 2.0
    d *= e
    d += 1.0
    return np.divide(e, d, out=d)


def _relu(s: np.ndarray, slope: float) -> np.ndarray:
    return np.maximum(s, 0.0)


def _relu_derivative(h: np.ndarray, slope: float) -> np.ndarray:
    """1 where h > 0, else 0 (0 at s = 0, as torch)."""
    return (h > 0).astype(h.dtype)


def _leaky_relu(s: np.ndarray, slope: float) -> np.ndarray:
    h = s * slope
    return np.maximum(s, h, out=h)  # slope <= 1


def _leaky_relu_derivative(h: np.ndarray, slope: float) -> np.ndarray:
    """1 where h > 0, else slope (slope at s = 0, as torch); max(True, slope) = 1 as slope <= 1."""
    return np.maximum(h > 0, h.dtype.type(slope))


def _linear(s: np.ndarray, slope: float) -> np.ndarray:
    return s.copy()


def _linear_derivative(h: np.ndarray, slope: float) -> np.ndarray:
    return np.ones_like(h)


def _elu(s: np.ndarray, slope: float) -> np.ndarray:
    h = np.minimum(s, 0.0)
    np.expm1(h, out=h)
    return np.maximum(h, s, out=h)  # expm1(s) >= s


def _elu_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    """e^min(s, 0): e^s for s <= 0, 1 above (alpha = 1)."""
    d = np.minimum(s, 0.0)
    return np.exp(d, out=d)


def _selu(s: np.ndarray, slope: float) -> np.ndarray:
    h = np.minimum(s, 0.0)
    np.expm1(h, out=h)
    h *= _SELU_SCALE_ALPHA
    positive = np.maximum(s, 0.0)
    with np.errstate(over="ignore"):  # scale * s above the largest float is inf, correctly rounded
        positive *= SELU_SCALE
    h += positive  # one of the two terms is exactly 0
    return h


def _selu_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    """scale * alpha * e^s for s <= 0 (scale * alpha at s = 0, as torch), scale above."""
    d = np.minimum(s, 0.0)
    np.exp(d, out=d)
    d *= _SELU_SCALE_ALPHA
    d *= s <= 0  # 0 where s > 0 ...
    positive = np.multiply(s > 0, s.dtype.type(SELU_SCALE))
    return np.maximum(d, positive, out=d)  # ... where the scale takes over: exact selection, no np.where


def _gelu(s: np.ndarray, slope: float) -> np.ndarray:
    return _in_float64(_gelu64, s)


def _gelu_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    return _in_float64(_gelu_derivative64, s)


def _silu(s: np.ndarray, slope: float) -> np.ndarray:
    return _in_float64(_silu64, s)


def _silu_derivative(s: np.ndarray, slope: float) -> np.ndarray:
    return _in_float64(_silu_derivative64, s)


def _sigmoid_centered(s: np.ndarray, slope: float) -> np.ndarray:
    """sigmoid(s) - 1/2 = tanh(s / 2) / 2, exactly: the subtraction would lose every digit below 1e-17."""
    return 0.5 * np.tanh(0.5 * s)


REGISTRY: dict[str, Activation] = {a.name: a for a in (
    Activation("tanh", _tanh, _tanh_derivative, "s", lambda m, x, a: m.tanh(x), saturation_histogram(0.0, SATURATION),
               gain=lambda slope: 5.0 / 3.0, saturation=(0.0, SATURATION), bounds=(-1.0, 1.0)),
    Activation("sigmoid", _sigmoid, _sigmoid_derivative, "s", lambda m, x, a: 1 / (1 + m.exp(-x)),
               saturation_histogram(0.5, SATURATION - 0.5),
               gain=lambda slope: 1.0, saturation=(0.5, SATURATION - 0.5), bounds=(0.0, 1.0),
               centered=_sigmoid_centered),
    Activation("relu", _relu, _relu_derivative, "h", lambda m, x, a: x if x > 0 else 0 * x, (0.0, 3.0),
               gain=lambda slope: math.sqrt(2.0), dead_units=True, half_lines=lambda slope: (0.0, 1.0)),
    Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative, "h", lambda m, x, a: x if x > 0 else a * x,
               (-1.0, 3.0), gain=lambda slope: math.sqrt(2.0 / (1.0 + slope**2)), dead_units=True,
               half_lines=lambda slope: (slope, 1.0), parameters=("slope",)),
    Activation("linear", _linear, _linear_derivative, "h", lambda m, x, a: x, (-3.0, 3.0),
               gain=lambda slope: 1.0, half_lines=lambda slope: (1.0, 1.0)),
    Activation("elu", _elu, _elu_derivative, "s", lambda m, x, a: x if x > 0 else m.expm1(x), (-1.0, 3.0)),
    Activation("selu", _selu, _selu_derivative, "s",
               lambda m, x, a: m.mpf(_SELU_SCALE_DIGITS) * (x if x > 0 else m.mpf(_SELU_ALPHA_DIGITS) * m.expm1(x)),
               (-1.8, 3.0), gain=lambda slope: 3.0 / 4.0),
    Activation("gelu", _gelu, _gelu_derivative, "s", lambda m, x, a: x * m.erfc(-x / m.sqrt(2)) / 2,
               (-0.2, 3.0), ulps=8.0),  # Cody's erf in float64 is within ~4.6 ulp on its own
    Activation("silu", _silu, _silu_derivative, "s", lambda m, x, a: x / (1 + m.exp(-x)), (-0.3, 3.0)),
)}


def get(name: str) -> Activation:
    """The activation's record; ValueError naming the known ones if there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}: one of {', '.join(REGISTRY)}") from None


def apply(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """h = f(s) elementwise; s a float32 or float64 array of any shape (others become float64).

    slope is leaky ReLU's negative slope, 0 <= slope <= 1 (torch.nn.LeakyReLU's negative_slope).
    """
    s, shape = _floats(s)
    return get(name).f(s, slope).reshape(shape)


def derivative(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """f'(s) elementwise, from the pre-activation s; at a kink the left derivative, as torch's autograd."""
    activation = get(name)
    s, shape = _floats(s)
    arg = s if activation.derivative_from == "s" else activation.f(s, slope)
    return activation.df(arg, slope).reshape(shape)


def derivative_from_output(name: str, h: np.ndarray, slope: float = 0.01, s: np.ndarray | None = None) -> np.ndarray:
    """f'(s) in a backward pass, from what its forward pass kept: h = f(s), and s itself wherever
    needs_pre_activation(name). ValueError if s is needed and missing."""
    activation = get(name)
    if activation.derivative_from == "h":
        h, shape = _floats(h)
        return activation.df(h, slope).reshape(shape)
    if s is None:
        raise ValueError(f"{name}'s derivative is computed from the pre-activation s: keep s in the forward pass")
    s, shape = _floats(s)
    return activation.df(s, slope).reshape(shape)


def needs_pre_activation(name: str) -> bool:
    """Whether f' is computed from s, so that a backward pass must keep s (not only h = f(s))."""
    return get(name).derivative_from == "s"


def _floats(a) -> tuple[np.ndarray, tuple[int, ...]]:
    """a as a float32 or float64 array of at least one dimension (in-place ufuncs need arrays), and its shape."""
    a = np.asarray(a)
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    return (a if a.ndim else a.reshape(1)), a.shape


def _in_float64(fn: Callable[[np.ndarray, bool], np.ndarray], s: np.ndarray) -> np.ndarray:
    """fn(x, precise) on flat float64 copies x of s, _CHUNK numbers at a time, in s's shape and dtype.

    precise is False for float32 input: then the float64 arithmetic has 29 bits to spare and fn may skip
    the steps that only float64 results need (the exact split of the exponent, the series at GELU's
    minimum). Chunks keep fn's temporaries small and in cache whatever the size of s.
    """
    flat = s.reshape(-1)
    out = np.empty(flat.shape, s.dtype)
    precise = s.dtype == np.float64
    for start in range(0, flat.size, _CHUNK):
        out[start:start + _CHUNK] = fn(flat[start:start + _CHUNK].astype(np.float64), precise)
    return out.reshape(s.shape)


_CHUNK = 1 << 15  # 256 KiB per float64 temporary: they stay in cache (2^17 is three times slower)


# --- erf, erfc, Phi and GELU ------------------------------------------------------------------------------
# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-638,
# with the coefficients of his CALERF (netlib specfun), evaluated in float64. Three intervals of |x|:
# erf(x) = x P(x^2) / Q(x^2) below 0.46875; erfc(x) e^(x^2) = P(x) / Q(x) up to 4;
# erfc(x) e^(x^2) = (1/sqrt(pi) - P(1/x^2) / (x^2 Q(1/x^2))) / x beyond. e^(-x^2) itself is computed
# from x exactly (_times_exp_neg_square), so the tails keep their relative precision.

_ERF_SMALL = 0.46875
_ERF_MID = 4.0
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
          1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
           8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
           2.15311535474403846e-8)
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
           3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
           6.58749161529837803e-4, 1.63153871373020978e-2)
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
           2.33520497626869185e-3)
_INV_SQRT_PI = 0.56418958354775628695
_INV_SQRT_2PI = 0.39894228040143267794
_SQRT_HALF = 0.70710678118654752440


def _rational(x: np.ndarray, p: tuple, q: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of one of Cody's rational approximations, in Horner form.

    p has one coefficient more than q; the denominator is monic: x^n + q[0] x^(n-1) + ... + q[n-1].
    """
    n = len(q)
    num, den = p[n] * x, x.copy()
    for a, b in zip(p[:n - 1], q[:n - 1]):
        num += a
        num *= x
        den += b
        den *= x
    num += p[n - 1]
    den += q[n - 1]
    return num, den


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf(x) for |x| < 0.46875."""
    num, den = _rational(x * x, _ERF_A, _ERF_B)
    num *= x
    return np.divide(num, den, out=num)


def _erfcx(y: np.ndarray) -> np.ndarray:
    """erfc(y) e^(y^2), the scaled complementary error function, for y >= 0.46875."""
    out = np.empty_like(y)
    mid, tail = _split(y <= _ERF_MID)
    num, den = _rational(y[mid], _ERFC_C, _ERFC_D)
    out[mid] = np.divide(num, den, out=num)
    x = y[tail]
    z = 1.0 / x
    z *= z  # 1/x^2; (1/x)^2 cannot overflow for huge x
    num, den = _rational(z, _ERFC_P, _ERFC_Q)
    num *= z
    num /= den
    np.subtract(_INV_SQRT_PI, num, out=num)
    out[tail] = np.divide(num, x, out=num)
    return out


def _times_exp_neg_square(factor: np.ndarray, a: np.ndarray, c: float, precise: bool) -> np.ndarray:
    """factor * exp(-c a^2) for 0 <= a <= _A_MAX and c = 1 or 1/2, to about an ulp.

    Not precise: a is a float32 number, so a^2 is exact in float64 and so is the argument of exp.
    Precise: a = hi + lo with hi on a 2^-20 grid, so c hi^2 is exact (at most 52 significant bits) and only
    exp(-c (a - hi)(a + hi)), within 1.2e-4 of 1, is approximated, by three terms of its series:
    exp(-c a^2) from a rounded a^2 would lose ~c a^2 ulp, 700 in the far tail. exp(-c hi^2) is taken
    as exp(-600) exp(-(c hi^2 - 600)) where c hi^2 > 600, so a product below the smallest normal number
    rounds once, at the end.
    """
    if not precise:
        e = a * a
        e *= -c
        np.exp(e, out=e)
        e *= factor
        return e
    hi = a * 1048576.0
    np.trunc(hi, out=hi)
    hi *= 1.0 / 1048576.0
    x = a - hi  # exact
    x *= a + hi
    x *= -c
    out = x * (1.0 / 6.0)  # exp(x) = 1 + x (1 + x (1/2 + x / 6)) + O(x^4), x^4 < 1e-17
    out += 0.5
    out *= x
    out += 1.0
    out *= x
    out += 1.0
    out *= factor
    np.square(hi, out=hi)
    hi *= -c  # exact
    beyond = np.flatnonzero(hi < -_EXP_SPLIT)
    rest = hi[beyond] + _EXP_SPLIT  # exact
    hi[beyond] = -_EXP_SPLIT
    out *= np.exp(hi, out=hi)
    out[beyond] *= np.exp(rest)
    return out


_A_MAX = 40.0  # exp(-40^2 / 2) is 0 in float64 already; below 64, hi^2 stays exact
_EXP_SPLIT = 600.0  # exp(-600) = 2.7e-261: a product with it stays a normal float64


def _split(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices where mask holds and where not (take and put by index beat boolean indexing threefold)."""
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def erf(x: np.ndarray) -> np.ndarray:
    """Error function elementwise, within a few ulp of the exact value (Cody 1969); float32 or float64."""
    x, shape = _floats(x)
    return _in_float64(_erf64, x).reshape(shape)


def erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function 1 - erf(x) elementwise, within a few ulp, tail included (Cody 1969)."""
    x, shape = _floats(x)
    return _in_float64(_erfc64, x).reshape(shape)


def normal_cdf(s: np.ndarray) -> np.ndarray:
    """Phi(s) = (1 + erf(s / sqrt 2)) / 2 elementwise, within a few ulp, left tail included."""
    s, shape = _floats(s)
    return _in_float64(_normal_cdf64, s).reshape(shape)


def _erf64(x: np.ndarray, precise: bool) -> np.ndarray:
    out = np.empty_like(x)
    small, large = _split(np.abs(x) < _ERF_SMALL)
    out[small] = _erf_small(x[small])
    x = x[large]
    a = np.minimum(np.abs(x), _A_MAX)
    out[large] = np.copysign(1.0 - _times_exp_neg_square(_erfcx(a), a, 1.0, precise), x)
    return out


def _erfc64(x: np.ndarray, precise: bool) -> np.ndarray:
    out = np.empty_like(x)
    small, large = _split(np.abs(x) < _ERF_SMALL)
    out[small] = 1.0 - _erf_small(x[small])
    x = x[large]
    a = np.minimum(np.abs(x), _A_MAX)
    tail = _times_exp_neg_square(_erfcx(a), a, 1.0, precise)
    out[large] = np.where(x > 0, tail, 2.0 - tail)
    return out


def _phi_intervals(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Indices where s / sqrt 2 lies in Cody's first interval and where beyond; s and min(|s|, 40) there."""
    small, large = _split(np.abs(s) < _ERF_SMALL / _SQRT_HALF)
    x = s[large]
    return small, large, x, np.minimum(np.abs(x), _A_MAX)


def _normal_cdf64(s: np.ndarray, precise: bool) -> np.ndarray:
    """Phi(s); for s < 0 through erfc(|s| / sqrt 2) / 2, so the left tail keeps relative precision."""
    out = np.empty_like(s)
    small, large, x, a = _phi_intervals(s)
    out[small] = 0.5 + 0.5 * _erf_small(s[small] * _SQRT_HALF)
    tail = _times_exp_neg_square(0.5 * _erfcx(a * _SQRT_HALF), a, 0.5, precise)  # Phi(-a)
    out[large] = np.where(x < 0, tail, 1.0 - tail)
    return out


def _gelu64(s: np.ndarray, precise: bool) -> np.ndarray:
    """s Phi(s) (Hendrycks & Gimpel 2016, torch.nn.GELU(approximate="none"))."""
    out = np.empty_like(s)
    small, large, x, a = _phi_intervals(s)
    y = s[small]
    out[small] = y * (0.5 + 0.5 * _erf_small(y * _SQRT_HALF))
    half_erfcx = 0.5 * _erfcx(a * _SQRT_HALF)
    tail = _times_exp_neg_square(half_erfcx, a, 0.5, precise)  # Phi(-|s|)
    h = np.where(x < 0, tail, 1.0 - tail)
    h *= np.maximum(x, -_A_MAX)  # the same product, and 0 (not 0 * -inf) for s = -inf
    if precise:
        # Below s = -37 Phi(s) is no longer a normal float64 and s Phi(s) would multiply its rounding
        # by |s|: there |s| goes into the factor before the exponential.
        far = np.flatnonzero(x < -37.0)
        h[far] = -_times_exp_neg_square(half_erfcx[far] * a[far], a[far], 0.5, precise)
    out[large] = h
    return out


def _gelu_derivative64(s: np.ndarray, precise: bool) -> np.ndarray:
    """Phi(s) + s phi(s); near its zero s0 = -0.7518 (GELU's minimum) a Taylor series in s - s0 where
    precise (float32 results lose nothing to the cancellation there: float64 has 29 bits to spare)."""
    out = np.empty_like(s)
    small, large, x, a = _phi_intervals(s)
    y = s[small]
    pdf = y * y
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= _INV_SQRT_2PI
    pdf *= y
    pdf += 0.5
    pdf += 0.5 * _erf_small(y * _SQRT_HALF)
    out[small] = pdf
    # Phi(-a) - a phi(a) = e^(-a^2/2) (erfcx(a / sqrt 2) / 2 - a / sqrt(2 pi)); for s > 0 it is 1 minus that
    factor = 0.5 * _erfcx(a * _SQRT_HALF)
    factor -= a * _INV_SQRT_2PI
    tail = _times_exp_neg_square(factor, a, 0.5, precise)
    out[large] = np.where(x < 0, tail, 1.0 - tail)
    if not precise:
        return out
    near, series = _near_root(s, _GELU_ROOT, _GELU_ROOT_WINDOW, _GELU_ROOT_TAYLOR)
    out[near] = series
    return out


def _near_root(s: np.ndarray, root: tuple[float, float], window: tuple[float, float],
               taylor: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Where s - root lies in the open window, and there sum_k taylor[k-1] (s - root)^k (Horner), for a
    derivative that cancels to noise near its zero. root is (hi, lo): the zero to twice float64's digits."""
    t = s - root[0]
    near = np.flatnonzero((t > window[0]) & (t < window[1]))
    t = t[near]  # exact within a factor 2 of the root (Sterbenz), where it matters
    t -= root[1]
    series = np.full_like(t, taylor[-1])
    for coefficient in taylor[-2::-1]:
        series *= t
        series += coefficient
    series *= t
    return near, series


def _gelu_root_taylor(root: float, terms: int) -> tuple[float, ...]:
    """Taylor coefficients c_1 .. c_terms of GELU'(s) = Phi(s) + s phi(s) at s = root.

    GELU''(s) = phi(s) (2 - s^2), and the n-th derivative of phi is (-1)^n He_n(s) phi(s), so with
    u_n = (-1)^n He_n(s) / n!  (u_0 = 1, u_1 = -s, u_{n+1} = -(s u_n + u_{n-1}) / (n + 1)), Leibniz's rule gives
    c_{k+1} = phi(s) (u_k (2 - s^2) - 2 s u_{k-1} - u_{k-2}) / (k + 1).
    """
    u = [1.0, -root]
    while len(u) < terms:
        n = len(u) - 1
        u.append(-(root * u[n] + u[n - 1]) / (n + 1))
    pdf = math.exp(-0.5 * root * root) * _INV_SQRT_2PI
    coefficients = []
    for k in range(terms):
        term = u[k] * (2.0 - root * root)
        if k >= 1:
            term -= 2.0 * root * u[k - 1]
        if k >= 2:
            term -= u[k - 2]
        coefficients.append(pdf * term / (k + 1))
    return tuple(coefficients)


# The zero of GELU' as a sum of two doubles (-0.751791524693564457457904946779524...), and the
# series that replaces Phi(s) + s phi(s) for s - s0 in _GELU_ROOT_WINDOW, where the two terms cancel
# (s from -1.50 to -0.25); 30 terms leave less than 1e-18 of the value at the window's ends.
_GELU_ROOT = (-0.7517915246935645, 1.4956759177009883e-17)
_GELU_ROOT_WINDOW = (-0.75, 0.5)
_GELU_ROOT_TAYLOR = _gelu_root_taylor(_GELU_ROOT[0], 30)


def zero_floor(name: str, slope: float = 0.01) -> bool:
    """Whether f is exactly 0 with slope 0 for every negative pre-activation (ReLU; leaky ReLU of slope 0): a unit
    that is ≤ 0 for every sample is dead, passing no gradient; a leaky one passes its slope's share."""
    half_lines = get(name).half_lines
    return half_lines is not None and half_lines(slope)[0] == 0


def leaky_floor(name: str, slope: float = 0.01) -> bool:
    """Whether a unit ≤ 0 for every sample still passes a gradient though it counts as off (the dead-unit rule's):
    leaky ReLU of a slope other than 0, which passes that slope's share."""
    return get(name).dead_units and not zero_floor(name, slope)


def recommended_gain(name: str, slope: float = 0.01) -> float | None:
    """torch.nn.init.calculate_gain(name, slope); None where torch has no recommendation (the records whose gain is
    None: ELU, GELU, SiLU, which calculate_gain refuses)."""
    gain = get(name).gain
    return None if gain is None else gain(slope)


def centered(name: str, s: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """f(s) - f(0) elementwise, with f's relative precision however small s is."""
    activation = get(name)
    if activation.centered is not None:
        s, shape = _floats(s)
        return activation.centered(s, slope).reshape(shape)
    return apply(name, s, slope) - apply(name, np.zeros(1), slope)[0]


@functools.cache
def saturation_edge(name: str) -> float:
    """The |s| beyond which f(s) is saturated, for an activation with a saturation rule: |f(s) - center| > half_width.

    tanh: atanh(SATURATION); sigmoid: 2 atanh(2 SATURATION - 1). Found by bisection on f in float64 to the last
    bit, so it holds for any f that is increasing with f(s) - center odd (f(0) = center). ValueError without a rule.
    """
    activation = get(name)
    if activation.saturation is None:
        raise ValueError(f"{name} does not saturate")
    center, half_width = activation.saturation

    def excess(s: float) -> float:
        return float(activation.f(np.array([s]), 0.01)[0]) - center - half_width

    lo, hi = 0.0, 1.0
    while excess(hi) <= 0:
        hi *= 2.0
    while True:
        middle = 0.5 * (lo + hi)
        if middle in (lo, hi):
            return hi  # the smallest float64 s whose f(s) is past the rule
        lo, hi = (middle, hi) if excess(middle) <= 0 else (lo, middle)


# --- SiLU ------------------------------------------------------------------------------------------------
# s sigmoid(s) (Elfwing et al. 2018, "sigmoid-weighted linear unit"; Ramachandran et al. 2017, "swish";
# torch.nn.SiLU), and f'(s) = sigmoid(s) (1 + s sigmoid(-s)), both from e = exp(-|s|) <= 1:
#   s >= 0:  f = s / (1 + e),        f' = (1 + e (1 + s)) / (1 + e (2 + e))
#   s <  0:  f = s e / (1 + e),      f' = e ((1 + s) + e) / (1 + e (2 + e))
# (1 + s) + e cancels at f's minimum s0 = -1 - W(1/e) = -1.2785: there a Taylor series in s - s0 takes over, as
# for GELU. Below s = -700 e is subnormal and s e would multiply its rounding by |s|: there the product is
# taken as (s e^(s + 600)) e^-600, s + 600 being exact.

_SILU_FAR = 800.0  # |s| beyond which f is s or 0 and f' 1 or 0 in float64: clipping there keeps inf * 0 away
_SILU_TAIL = -700.0  # below this exp(s) is no longer a normal float64


def _silu64(s: np.ndarray, precise: bool) -> np.ndarray:
    x = np.clip(s, -_SILU_FAR, np.inf)  # nan stays nan
    e = np.exp(-np.abs(x))
    h = np.where(x < 0, np.minimum(x, 0.0) * e, x)  # (min: no inf * 0 where s = inf)
    h /= 1.0 + e
    if precise:
        far = np.flatnonzero(x < _SILU_TAIL)
        h[far] = x[far] * np.exp(x[far] + _EXP_SPLIT) * math.exp(-_EXP_SPLIT)
    return h


def _silu_derivative64(s: np.ndarray, precise: bool) -> np.ndarray:
    x = np.clip(s, -_SILU_FAR, _SILU_FAR)
    e = np.exp(-np.abs(x))
    d = e + 2.0
    d *= e
    d += 1.0  # (1 + e)^2, rounded once
    num = np.where(x < 0, e * ((1.0 + x) + e), 1.0 + e * (1.0 + x))
    num /= d
    if precise:
        far = np.flatnonzero(x < _SILU_TAIL)
        num[far] = (1.0 + x[far]) * np.exp(x[far] + _EXP_SPLIT) * math.exp(-_EXP_SPLIT)
    near, series = _near_root(x, _SILU_ROOT, _SILU_ROOT_WINDOW, _SILU_ROOT_TAYLOR)
    num[near] = series
    return num


def _silu_root_taylor(root: float, terms: int) -> tuple[float, ...]:
    """Taylor coefficients c_1 .. c_terms of SiLU'(s) at s = root.

    With sigmoid(root + t) = sum a_k t^k, sigmoid' = sigmoid - sigmoid^2 gives
    (k + 1) a_{k+1} = a_k - sum_j a_j a_{k-j};
    s sigmoid(s) = sum (root a_k + a_{k-1}) t^k, so c_k = (k + 1) (root a_{k+1} + a_k).
    """
    a = [1.0 / (1.0 + math.exp(-root))]
    while len(a) < terms + 2:
        k = len(a) - 1
        a.append((a[k] - sum(a[j] * a[k - j] for j in range(k + 1))) / (k + 1))
    return tuple((k + 1) * (root * a[k + 1] + a[k]) for k in range(1, terms + 1))


# The zero of SiLU' as a sum of two doubles (-1.27846454276107379510935873902298...), and the series that
# replaces the closed form for |s - s0| < 0.5; sigmoid's poles at +-i pi put the series' radius at 3.39, so
# 26 terms leave less than 1e-21 of the value at the window's ends.
_SILU_ROOT = (-1.2784645427610737, -1.0946994183093437e-16)
_SILU_ROOT_WINDOW = (-0.5, 0.5)
_SILU_ROOT_TAYLOR = _silu_root_taylor(_SILU_ROOT[0], 26)
