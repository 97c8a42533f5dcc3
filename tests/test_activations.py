"""Activations: f and f' against mpmath over the whole float range in float32 and float64, the backward
passes against an independent float64 network and finite differences, dtype kept, no warnings."""

import functools
import math
import warnings
from dataclasses import replace

import mpmath
import numpy as np
import pytest
import scipy.special

from core import Config, activations, simulate
from core.activations import SELU_ALPHA, SELU_SCALE
from core.config import ACTIVATIONS
from core.draws import draw, family
from core.train import init_params, loss_and_gradients
from tests.gradcheck import central_differences

# The references: each activation's formula as its record writes it (its paper's definition), evaluated by
# mpmath, and f' as the difference quotient of that formula at 130 digits: independent of the code under test
# (f, f' in float arithmetic), and of any derivative worked out by hand.
SLOPE = 0.2
mpmath.mp.dps = 50


def reference_f(name: str, x):
    """f(x) from the record's formula in mpmath; x an mpf (exact) or a float."""
    return activations.get(name).formula(mpmath, mpmath.mpf(x), SLOPE)


def reference_df(name: str, x, floor=0):
    """f'(x) as the central difference (f(x + h) - f(x - h)) / 2h of the formula, h <= 1e-30 |x| and <= 1e-30 / |x|:
    within ~1e-60 of the exact value, and the step never reaches 0, where the kinks are (ReLU's, SELU's). At 0, the
    left difference (f(0) - f(-h)) / h: the left derivative, as torch's autograd has it (ReLU's 0 at s = 0).

    The difference is computed with 25 digits to spare: at 60 digits, or where f is near a constant (tanh's
    tails) at the precision that keeps 25 digits of any derivative above floor; below floor it is 0.
    """
    x = mpmath.mpf(x)
    digits = 60
    while True:
        with mpmath.workdps(digits):
            step = mpmath.mpf(10) ** -30 * (min(abs(x), 1 / (1 + abs(x))) if x else 1)
            here = reference_f(name, x + step) if x else reference_f(name, x)
            rise = here - reference_f(name, x - step)
            width = 2 * step if x else step
            lost = abs(here) * mpmath.mpf(10) ** (25 - digits)  # |rise| above this keeps 25 digits
            if abs(rise) > lost or here == rise == 0 or digits > 5000:  # (past 5000 digits f' is 0 to any float)
                return +(rise / width)  # rounded to the 50 digits of the rest of the file
            if lost / width < floor:  # |f'| is below floor
                return mpmath.mpf(0)
            needed = int(25 + mpmath.log10(abs(here) / (width * floor))) + 5 if floor else 2 * digits
        digits = max(needed, 2 * digits)


def reference(name: str, x: np.ndarray, which: str = "f") -> np.ndarray:
    fn = reference_f if which == "f" else reference_df
    return np.array([float(fn(name, v)) for v in x.tolist()])


X = np.linspace(-6, 6, 1201)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_values_match_closed_form(name):
    np.testing.assert_allclose(activations.apply(name, X, 0.2), reference(name, X), atol=3e-7)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_matches_finite_differences(name):
    x = X[np.abs(X) > 1e-3]  # away from the kinks of relu-like functions
    eps = 1e-6
    numeric = (reference(name, x + eps) - reference(name, x - eps)) / (2 * eps)
    np.testing.assert_allclose(activations.derivative(name, x, 0.2), numeric, atol=2e-6)
    # the backward pass computes f' from what it kept (h, and s where f' needs it); it must agree with f'(s)
    h = activations.apply(name, x, 0.2)
    np.testing.assert_allclose(activations.derivative_from_output(name, h, 0.2, x),
                               activations.derivative(name, x, 0.2), atol=1e-12)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_keeps_float32_and_never_warns_on_extreme_inputs(name):
    s = np.array([-3e38, -1e4, -90.0, -1e-30, 0.0, 1e-30, 90.0, 1e4, 3e38], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = activations.apply(name, s)
        d = activations.derivative_from_output(name, h, 0.01, s)
    assert h.dtype == np.float32 and d.dtype == np.float32
    assert np.isfinite(d).all()


# --- f and f' within a few ulp of the exact value, everywhere -------------------------------------------
# The reference is mpmath at 50 digits, evaluated at the float input exactly. Error is counted in ulp of
# the exact value in the dtype, the smallest subnormal below the normal range (so an exact value that
# underflows is matched by 0). At a kink f' is the left derivative, as torch's autograd has it.

# Bounds in ulp: 4 in float32, each record's own in float64 (GELU rests on Cody's rational approximations
# evaluated in float64, up to ~4.6 ulp on their own, then a product and an exponential).
FLOAT32_ULPS = 4.0
ERF_FLOAT64_ULPS = 8.0  # Cody's erf, erfc and Phi, GELU's parts


def bound(name: str, dtype: str) -> float:
    return activations.get(name).ulps if dtype == "float64" else FLOAT32_ULPS


def ulp_errors(computed: np.ndarray, exact: list, dtype: str) -> np.ndarray:
    """|computed - exact| in ulp of the exact value (inf where computed is not finite)."""
    info = np.finfo(dtype)
    digits, emin = info.nmant + 1, info.minexp
    errors = []
    for c, e in zip(computed.tolist(), exact):
        if not math.isfinite(c):
            errors.append(math.inf)
            continue
        exponent = emin if e == 0 else max(mpmath.frexp(e)[1] - 1, emin)
        errors.append(float(abs(mpmath.mpf(c) - e) / mpmath.ldexp(1, exponent - digits + 1)))
    return np.array(errors)


@functools.cache
def extrema() -> tuple[float, ...]:
    """Every activation's zeros of f' in [-10, 10] (GELU's minimum at -0.7518, ...): where f' is a difference of
    two terms that cancel, the hardest place for its last digits."""
    roots = []
    for name in ACTIVATIONS:
        s = np.linspace(-10, 10, 401)
        slopes = reference(name, s, "df")
        for left, right, a, b in zip(s[:-1], s[1:], slopes[:-1], slopes[1:]):
            if a * b < 0:
                roots.append(float(mpmath.findroot(lambda x: reference_df(name, x), (left, right), solver="anderson")))
    return tuple(roots)


@functools.cache
def grid(dtype: str) -> np.ndarray:
    """|s| log-spaced from 1e-30 to 1e30 with both signs, 0, the smallest normal and subnormal numbers,
    the tails and the middle densely, every zero of an f' closely (to its nearest numbers), and random points."""
    rng = np.random.default_rng(2024)
    info = np.finfo(dtype)
    logs = np.logspace(-30, 30, 601)
    near = np.concatenate([-np.logspace(-12, -1, 12), [0.0], np.logspace(-12, -1, 12)])
    around = []
    for root in extrema():
        nearest = np.array(root, dtype)
        around += [root + near, [np.nextafter(nearest, -np.inf), nearest, np.nextafter(nearest, np.inf)]]
    s = np.concatenate([
        logs, -logs, [0.0, info.tiny, -info.tiny, info.smallest_subnormal, -info.smallest_subnormal],
        np.linspace(-50, 50, 501), *around, rng.uniform(-45, 45, 300), rng.uniform(-3, 3, 300),
        rng.choice([-1.0, 1.0], 200) * np.exp(rng.uniform(math.log(1e-30), math.log(1e30), 200)),
    ])
    return np.unique(s.astype(dtype))


@functools.cache
def exact(name: str, dtype: str, which: str) -> list:
    if which == "f":
        return [reference_f(name, v) for v in grid(dtype).tolist()]
    floor = mpmath.mpf(float(np.finfo(dtype).smallest_subnormal)) / 4  # an exact value below this is matched by 0
    return [reference_df(name, v, floor) for v in grid(dtype).tolist()]


def assert_within_ulps(name: str, dtype: str, computed: np.ndarray, which: str) -> None:
    s = grid(dtype)
    assert computed.dtype == np.dtype(dtype)
    errors = ulp_errors(computed, exact(name, dtype, which), dtype)
    worst = int(np.argmax(errors))
    assert errors[worst] <= bound(name, dtype), \
        f"{name} {which} in {dtype}: {errors[worst]:.2f} ulp at s = {s[worst]!r} (got {computed[worst]!r})"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_f_within_a_few_ulp_over_the_whole_range(name, dtype):
    assert_within_ulps(name, dtype, activations.apply(name, grid(dtype), SLOPE), "f")


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_within_a_few_ulp_over_the_whole_range(name, dtype):
    s = grid(dtype)
    d = activations.derivative(name, s, SLOPE)
    assert_within_ulps(name, dtype, d, "df")
    # the backward passes' entry point gives the very same numbers from what the forward pass keeps
    kept_s = s if activations.needs_pre_activation(name) else None
    np.testing.assert_array_equal(activations.derivative_from_output(name, activations.apply(name, s, SLOPE),
                                                                     SLOPE, kept_s), d)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_reference_derivatives_are_the_derivatives_of_the_reference_functions(name):
    # the difference quotient against mpmath's own numerical derivative (a central difference)
    for v in (-30.0, -7.5, -1.3, -0.75, -0.01, 0.02, 0.9, 4.0, 25.0):  # no kink within mpmath.diff's step
        x = mpmath.mpf(v)
        numeric = mpmath.diff(lambda t: reference_f(name, t), x)
        assert abs(numeric - reference_df(name, x)) <= mpmath.mpf(10) ** -25 * (1 + abs(numeric)), (name, v)


def test_the_reference_derivative_is_the_left_one_at_a_kink():
    # torch's autograd at s = 0: ReLU 0, leaky ReLU its slope, SELU scale * alpha (Klambauer et al. 2017)
    assert reference_df("relu", 0) == 0 and reference_df("relu", -1e-300) == 0
    assert abs(reference_df("relu", 1e-300) - 1) < mpmath.mpf(10) ** -25
    assert abs(reference_df("leaky_relu", 0) - mpmath.mpf(SLOPE)) < mpmath.mpf(10) ** -25
    assert abs(reference_df("selu", 0) - mpmath.mpf(SELU_SCALE) * mpmath.mpf(SELU_ALPHA)) < 1e-15


@pytest.mark.parametrize("name, s, dtype, value", [
    ("sigmoid", -20.0, "float32", 1 / (1 + math.exp(20))),  # through tanh it was exactly 0
    ("tanh", 10.0, "float32", 1 / math.cosh(10) ** 2),  # 1 - h^2 was 0 for |s| > 9
    ("elu", -20.0, "float32", math.exp(-20)),  # h + 1 was 0
    ("selu", 3e7, "float32", SELU_SCALE),  # h + scale * alpha + (...) gave 2.0
    ("selu", 1e8, "float32", SELU_SCALE),  # ... and 0 here
    ("selu", -30.0, "float64", SELU_SCALE * SELU_ALPHA * math.exp(-30)),
])
def test_the_tails_that_were_lost(name, s, dtype, value):
    """The backward pass's f' where it used to cancel: the numbers the issue names."""
    x = np.array([s], dtype)
    got = activations.derivative_from_output(name, activations.apply(name, x), 0.01, x)
    np.testing.assert_allclose(got, value, rtol=4 * np.finfo(dtype).eps)
    if name == "sigmoid":
        np.testing.assert_allclose(activations.apply(name, x), value, rtol=4 * np.finfo(dtype).eps)


def test_what_each_derivative_needs_is_one_record_per_activation():
    assert tuple(activations.REGISTRY) == ACTIVATIONS
    for name, record in activations.REGISTRY.items():
        assert record.name == name and activations.get(name) is record
        assert activations.needs_pre_activation(name) == (record.derivative_from == "s")
    with pytest.raises(ValueError, match="unknown activation 'swish': one of tanh, sigmoid"):
        activations.apply("swish", np.zeros(3))


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if activations.needs_pre_activation(n)])
def test_a_derivative_that_needs_s_refuses_to_guess_from_h(name):
    h = activations.apply(name, np.float32([3e7]))
    with pytest.raises(ValueError, match="pre-activation s: keep s in the forward pass"):
        activations.derivative_from_output(name, h)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_no_warning_and_no_nan_for_any_input(name, dtype):
    info = np.finfo(dtype)
    s = np.array([-np.inf, -info.max, -1e30, -1e4, -40.0, -1.0, -info.tiny, -info.smallest_subnormal, -0.0, 0.0,
                  info.smallest_subnormal, info.tiny, 1.0, 40.0, 1e4, 1e30, info.max, np.inf, np.nan], dtype)
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("error")
        h = activations.apply(name, s)
        d = activations.derivative(name, s)
        kept_s = s if activations.needs_pre_activation(name) else None
        d_backward = activations.derivative_from_output(name, h, 0.01, kept_s)
    assert h.dtype == d.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(np.isnan(h), np.isnan(s))
    assert np.isfinite(d[:-1]).all()  # (at nan, ReLU's f' is 0 as torch's, others nan)
    np.testing.assert_array_equal(d_backward, d)


def test_any_shape_and_plain_numbers():
    s = np.linspace(-3, 3, 24).reshape(2, 3, 4)
    for name in ACTIVATIONS:
        h, d = activations.apply(name, s), activations.derivative(name, s)
        assert h.shape == d.shape == (2, 3, 4)
        np.testing.assert_array_equal(h.ravel(), activations.apply(name, s.ravel()))
        np.testing.assert_array_equal(d.ravel(), activations.derivative(name, s.ravel()))
        assert float(activations.apply(name, 1.5)) == activations.apply(name, np.array([1.5]))[0]


# --- erf, erfc and Phi ---------------------------------------------------------------------------------

ERF_FUNCTIONS = {
    "erf": (activations.erf, mpmath.erf, scipy.special.erf),
    "erfc": (activations.erfc, mpmath.erfc, scipy.special.erfc),
    "normal_cdf": (activations.normal_cdf, mpmath.ncdf, scipy.special.ndtr),
}


def erf_grid(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    logs = np.logspace(-30, 2, 161)
    s = np.concatenate([logs, -logs, [0.0], np.linspace(-40, 40, 801), rng.uniform(-6, 6, 300),
                        [0.46875, 4.0, 0.46875 * math.sqrt(2), 4 * math.sqrt(2)]])
    return np.unique(s.astype(dtype))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ERF_FUNCTIONS)
def test_erf_family_within_a_few_ulp_and_agrees_with_scipy(name, dtype):
    ours, exact_fn, scipys = ERF_FUNCTIONS[name]
    x = erf_grid(dtype)
    got = ours(x)
    assert got.dtype == np.dtype(dtype)
    errors = ulp_errors(got, [exact_fn(mpmath.mpf(v)) for v in x.tolist()], dtype)
    worst = int(np.argmax(errors))
    assert errors[worst] <= (ERF_FLOAT64_ULPS if dtype == "float64" else FLOAT32_ULPS), \
        f"{name} in {dtype}: {errors[worst]:.2f} ulp at {x[worst]!r}"
    # an independent implementation (scipy.special, Cephes) agrees; in the far tails it drifts itself
    # (5e-14 relative at erfc(25.3), 2e-13 at Phi(-37.3), where ours are within 1e-17), so there mpmath
    # alone is the judge
    core = np.abs(x) <= 3
    np.testing.assert_allclose(got[core], scipys(x[core].astype(np.float64)).astype(dtype),
                               rtol=16 * np.finfo(dtype).eps)


def test_old_erf_bound_still_holds():
    x = np.linspace(-5, 5, 2001)
    exact_values = np.array([math.erf(v) for v in x])
    assert np.abs(activations.erf(x) - exact_values).max() < 1.5e-7


@pytest.mark.slow
def test_gelu_minimum_and_its_series():
    """The root of GELU' and the Taylor coefficients the code computes there, against mpmath."""
    def gelu_prime(s):
        return mpmath.ncdf(s) + s * mpmath.npdf(s)

    root = mpmath.findroot(gelu_prime, -0.75)
    hi, lo = activations._GELU_ROOT
    assert abs(mpmath.mpf(hi) + mpmath.mpf(lo) - root) < mpmath.mpf(10) ** -32
    series = mpmath.taylor(gelu_prime, root, len(activations._GELU_ROOT_TAYLOR))
    for k, coefficient in enumerate(activations._GELU_ROOT_TAYLOR, start=1):
        assert abs(coefficient - series[k]) <= 1e-13 * abs(series[k]) + 1e-30, k


# --- end to end: the simulation's and the training's gradients ----------------------------------------


def selu_network_gradient_std(config: Config) -> np.ndarray:
    """std of dL/ds per layer (1..depth) for simulate()'s network, recomputed in float64 from the same
    draws with SELU written out independently (np.where, exp, expm1)."""
    draws = draw(config.seed, config.depth, config.width, config.batch, config.input, family(config.init),
                 config.dtype)
    weights = [unit.astype(np.float64) * config.std for unit in draws.weights]
    h, slopes = draws.x.astype(np.float64), []
    for w in weights:
        s = h @ w
        h = SELU_SCALE * np.where(s > 0, s, SELU_ALPHA * np.expm1(np.minimum(s, 0)))
        slopes.append(SELU_SCALE * np.where(s > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(s, 0))))
    dh, stds = draws.readout.astype(np.float64), [0.0] * config.depth
    for layer in range(config.depth, 0, -1):
        ds = dh * slopes[layer - 1]
        stds[layer - 1] = ds.std()
        dh = ds @ weights[layer - 1].T
    return np.array(stds)


@pytest.mark.slow
@pytest.mark.parametrize("std, depth", [(1.0, 8), (10.0, 6)])
def test_selu_gradients_in_float32_match_float64(std, depth):
    """The issue's networks: float32 lost layer 1's gradient (22x too small at std 1, 0 at std 10)."""
    config = Config(depth=depth, width=500, batch=500, activation="selu", init="normal", std=std)
    result = simulate(config)
    assert not result.breaks
    np.testing.assert_allclose(result.grad_std[1:], selu_network_gradient_std(config), rtol=1e-3)


def test_selu_training_gradient_matches_finite_differences_at_large_pre_activations():
    """float32 backprop through SELU units whose pre-activations reach ~1e6 (where h + scale * alpha
    used to cancel) against central differences of the same network's loss in float64."""
    config = Config(depth=3, width=4, batch=10, activation="selu", init="normal", std=100.0, dtype="float32")
    rng = np.random.default_rng(3)
    params = init_params(config, 3)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 8)
    h = x
    for layer in range(1, 4):
        h = activations.apply("selu", h @ params[f"W{layer}"] + params[f"b{layer}"])
    assert np.abs(h).max() > 1e5  # large enough for the old cancellation to show
    params["head_W"] = (rng.standard_normal((4, 3)) / np.abs(h).max()).astype(np.float32)  # logits O(1)
    _, grads = loss_and_gradients(params, x, labels, config)

    config64 = replace(config, dtype="float64")
    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    x64 = x.astype(np.float64)
    for name in ("W1", "W2", "W3"):
        numeric = central_differences(lambda: loss_and_gradients(params64, x64, labels, config64)[0],
                                      params64[name], step=lambda value: 1e-7 * max(abs(value), 1.0))
        scale = np.abs(numeric).max()
        assert scale > 0
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-3, atol=1e-3 * scale, err_msg=name)
