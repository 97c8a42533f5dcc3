"""Wide-network theory: the Gaussian quadrature against closed forms and brute-force integration."""

import math
import warnings

import numpy as np
import pytest

from core import Config, theory
from core.activations import apply, derivative
from core.config import ACTIVATIONS


def brute_force(name: str, mean: float, var: float, slope: float = 0.01) -> tuple[float, float, float]:
    """E[f], E[f^2], E[f'^2] by the trapezoid rule on a grid far finer than any feature of f.

    The grid is split at s = 0, where ReLU-like f' jumps, and each piece takes f' from its own side.
    """
    sd = math.sqrt(var)
    lo, hi = mean - 10 * sd, mean + 10 * sd
    pieces = [(lo, 0.0), (0.0, hi)] if lo < 0 < hi else [(lo, hi)]
    total = np.zeros(3)
    for a, b in pieces:
        s = np.linspace(a, b, 1_000_001)
        s[0], s[-1] = (1e-300 if a == 0 else a), (-1e-300 if b == 0 else b)
        density = np.exp(-0.5 * ((s - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        h, d = apply(name, s, slope), derivative(name, s, slope)
        total += [np.trapezoid(v * density, s) for v in (h, h * h, d * d)]
    return tuple(total)


@pytest.mark.parametrize("q", [0.01, 1.0, 2.0, 30.0, 500.0])
def test_relu_moments_are_the_closed_forms(q):
    m1, m2, d2 = theory.moments("relu", 0.0, q)
    assert m1 == pytest.approx(math.sqrt(q / (2 * math.pi)), rel=1e-10)
    assert m2 == pytest.approx(q / 2, rel=1e-10)  # the factor 1/2 behind He's 2/n
    assert d2 == pytest.approx(0.5, rel=1e-10)


def test_linear_moments_are_the_gaussians_own():
    m1, m2, d2 = theory.moments("linear", 0.7, 2.5)
    assert (m1, m2, d2) == (pytest.approx(0.7), pytest.approx(2.5 + 0.49), pytest.approx(1.0))


@pytest.mark.slow
@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("mean, var", [(0.0, 1e-4), (0.0, 0.05), (0.0, 1.0), (0.3, 2.0), (0.0, 500.0)])
def test_moments_match_brute_force_integration(name, mean, var):
    np.testing.assert_allclose(theory.moments(name, mean, var), brute_force(name, mean, var), rtol=1e-6, atol=1e-9)


@pytest.mark.slow
def test_saturated_tanh_needs_more_than_gauss_hermite():
    # tanh with 1.0 * randn at width 500: q ~ 490, and f'(s)^2 is a spike of width 1/22 in z
    q = 490.0
    exact = brute_force("tanh", 0.0, q)[2]
    z, w = np.polynomial.hermite_e.hermegauss(64)
    naive = float((derivative("tanh", math.sqrt(q) * z) ** 2 * w).sum() / w.sum())
    assert abs(naive - exact) / exact > 0.3  # plain Gauss-Hermite is far off ...
    assert theory.moments("tanh", 0.0, q)[2] == pytest.approx(exact, rel=1e-6)  # ... the composite rule is not


def test_vectorized_over_arrays():
    q = np.array([[0.1, 1.0], [10.0, 100.0]])
    m1, m2, d2 = theory.moments("tanh", 0.0, q)
    assert m2.shape == (2, 2)
    for index in np.ndindex(q.shape):
        assert m2[index] == pytest.approx(theory.moments("tanh", 0.0, q[index])[1], rel=1e-12)


def test_zero_variance_is_the_point_mass():
    assert theory.moments("tanh", 0.5, 0.0)[0] == pytest.approx(math.tanh(0.5))


def test_variance_recursion_by_hand_for_the_lecture():
    # Var(s_1) = n Var(w) Var(x) = 500 * 1e-4 * 1 = 0.05; tanh is almost linear there
    p = theory.predict(Config())
    assert p["pre_std"][1] == pytest.approx(math.sqrt(0.05))
    q2 = 500 * 1e-4 * theory.moments("tanh", 0.0, 0.05)[1]
    assert p["pre_std"][2] == pytest.approx(math.sqrt(q2))
    # the read-out gradient has unit variance; at the last layer it is multiplied by f'(s_10)
    last = theory.moments("tanh", 0.0, p["pre_std"][10] ** 2)[2]
    assert p["grad_std"][10] == pytest.approx(math.sqrt(last))


def test_batch_norm_and_constant_init_predictions():
    bn = theory.predict(Config(batch_norm=True, std=1.0))
    assert bn["pre_std"][1:] == pytest.approx(1.0, abs=1e-4)
    # the read-out gradient's unit variance, times f'(s_10)^2, divided by the unit's variance v_10 + eps
    var_s10 = bn["pre_std"][10] ** 2
    v10 = 500 * 1.0**2 * bn["act_std"][9] ** 2  # n Var(w) Var(h_9), the unit's variance over the batch
    last = theory.moments("tanh", 0.0, var_s10)[2] / (v10 + 1e-5)
    assert bn["grad_std"][10] == pytest.approx(math.sqrt(last), rel=1e-4)
    constant = theory.predict(Config(init="constant", value=0.1))
    assert np.isnan(constant["act_std"][1:]).all()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_variance_that_is_not_a_number_gives_moments_that_are_not_numbers(activation):
    """Past a layer where the forward theory overflowed, q is NaN: ReLU's f'(NaN) = 0 had made E[f'(s)^2] 0 there,
    and the gradient's theory 0 at every layer below (the page printed it beside a measured 0.587). Every moment of
    every activation is NaN where the mean or the variance is, and a number where both are."""
    for mean, var in ((0.0, math.nan), (math.nan, 1.0)):
        assert all(np.isnan(value) for value in theory.moments(activation, mean, var)), (mean, var)
    mixed = theory.moments(activation, np.zeros(2), np.array([1.0, math.nan]))
    assert all(np.isfinite(value[0]) and np.isnan(value[1]) for value in mixed)


@pytest.mark.parametrize("activation", ["gelu", "elu"])
def test_the_gradient_s_theory_past_an_overflowed_forward_theory_is_no_number(activation):
    """std 100 at width 64: the forward theory's q grows about ×(64 · 10⁴ / 2) a layer and passes float64's range
    near layer 57; for a curved f, whose moments at such q the recursion computes by quadrature, the gradient's
    theory, read from the top down through E[f'(s)^2] at those layers, has no number to give below them (it had read 0
    at every layer). An f of two half lines carries q in logarithms instead (below)."""
    config = Config(init="normal", std=100.0, activation=activation, depth=60, width=64, batch=10, dtype="float64")
    predicted = theory.predict(config)
    overflowed = ~np.isfinite(predicted["pre_std"][1:])
    assert overflowed.any()
    assert not (predicted["grad_std"][1:] == 0).any()
    assert np.isnan(predicted["grad_std"][1:]).all()  # each layer's is read through the layers above it


@pytest.mark.slow
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", [{}, {"residual": True}, {"layer_norm": True}, {"batch_norm": True},
                                   {"arch": "conv", "width": 8}])
def test_a_theory_past_float64s_range_is_inf_or_no_number_without_a_warning(activation, shape):
    """std 100 at width 50 over 100 layers takes the forward theory's variance past float64's largest number (ReLU:
    ×(50 · 10⁴ / 2) a layer, past it near layer 57). That inf is the right rounding, not a fault: predict() and
    theory_summary() warn of nothing (the server's log had read "overflow encountered in multiply"), no std is
    negative, and a layer past the range stays past it. ReLU's and the linear network's stds are their closed forms
    where they are in range, and not a number where the closed form is past it."""
    config = Config(**{"init": "normal", "std": 100.0, "activation": activation, "depth": 100, "width": 50,
                       "batch": 10, **shape})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = theory.predict(config)
        theory.theory_summary(config)
    for name, values in predicted.items():
        assert name.startswith("log10_") or not (values < 0).any(), name
    out_of_range = np.flatnonzero(~np.isfinite(predicted["pre_std"][1:]))
    if out_of_range.size:
        assert (out_of_range == np.arange(out_of_range[0], config.depth)).all()  # from the first such layer on
    if activation in ("relu", "linear") and not shape:
        sigma_w2 = config.width * 100.0**2
        factor = 0.5 if activation == "relu" else 1.0  # E[f(s)^2] / Var(s)
        layers = np.arange(1, config.depth + 1)
        log10_var = np.log10(sigma_w2) * layers + np.log10(factor) * (layers - 1)  # from E[x^2] = 1
        # the std wherever float64 holds it, its variance carried in logarithms past 10²⁰⁰ (theory.LOG_HUGE_Q)
        in_range = log10_var / 2 < np.log10(np.finfo(float).max)
        assert in_range.any() and (log10_var[in_range] > 308).any()  # here every std, variances past 10³⁰⁸
        np.testing.assert_allclose(np.log10(predicted["pre_std"][1:][in_range]), log10_var[in_range] / 2, rtol=1e-9)
        assert not np.isfinite(predicted["pre_std"][1:][~in_range]).any()
        np.testing.assert_allclose(predicted["log10_pre_std"][1:], log10_var / 2, rtol=1e-9)  # past it too


def test_exp_or_inf_is_math_exp_within_float64_s_range_and_inf_past_it():
    for x in (-1000.0, -1.0, 0.0, 1.0, 700.0, theory.LN_FLOAT_MAX):
        assert theory.exp_or_inf(x) == math.exp(x)
    assert math.isfinite(theory.exp_or_inf(theory.LN_FLOAT_MAX))  # the last e^x float64 holds
    for x in (np.nextafter(theory.LN_FLOAT_MAX, math.inf), 710.0, 1e6, math.inf):
        assert theory.exp_or_inf(x) == math.inf
    with pytest.raises(OverflowError):  # where math.exp itself stops
        math.exp(np.nextafter(theory.LN_FLOAT_MAX, math.inf))
    assert math.isnan(theory.exp_or_inf(math.nan))  # not a number stays one, not inf


@pytest.mark.parametrize("activation, c2", [("linear", 1.0), ("relu", 0.5), ("leaky_relu", (0.01**2 + 1) / 2)])
@pytest.mark.parametrize("init, var_w, width", [({"init": "normal", "std": 100.0}, 100.0**2, 500),
                                                ({"init": "uniform", "bound": 100.0}, 100.0**2 / 3, 2048)])
def test_a_std_past_float64s_range_is_inf_beside_its_logarithm(activation, c2, init, var_w, width):
    """std 100 weights at width 500 (U(±100) at 2048) over 100 layers: the std itself passes float64's largest number
    (a linear network's ×√(500 · 10⁴) = ×2,236 a layer, past 10³⁰⁸ at layer 92), where math.exp had raised
    OverflowError and the page with it (`?init=normal&std=100&activation=relu&depth=97`). predict() gives inf there
    and the closed form's log10 beside it, q_l = σ_w² c2 q_{l-1} from q_1 = σ_w² (E[x²] = 1), and the std wherever
    float64 holds it."""
    config = Config(activation=activation, **init, width=width, depth=100, batch=10)
    predicted = theory.predict(config)
    layers = np.arange(1, config.depth + 1)
    log10_std = (layers * math.log10(width * var_w) + (layers - 1) * math.log10(c2)) / 2
    past = log10_std > math.log10(np.finfo(np.float64).max)
    assert past.any() and not past.all()  # the case in question: the std leaves the range within the network
    np.testing.assert_allclose(predicted["log10_pre_std"][1:], log10_std, rtol=1e-9)
    np.testing.assert_allclose(np.log10(predicted["pre_std"][1:][~past]), log10_std[~past], rtol=1e-9)
    assert (predicted["pre_std"][1:][past] == math.inf).all() and (predicted["act_std"][1:][past] == math.inf).all()


@pytest.mark.parametrize("activation, slopes", [("linear", (1.0, 1.0)), ("relu", (0.0, 1.0)),
                                                 ("leaky_relu", (0.01, 1.0)), ("tanh", (1.0, 1.0)),
                                                 ("gelu", (0.5, 0.5)), ("selu", (1.0507 * 1.67326, 1.0507))])
def test_a_forward_variance_below_float64s_range_keeps_its_std(activation, slopes):
    """std 0.001 at width 50 over 100 layers: the pre-activation variance falls ×5·10⁻⁵ a layer (times E[f²]/q), below
    10⁻³⁰⁸ near layer 70, while its std (10⁻²¹⁵ at layer 100 for a linear network) is still a float64 number, as a
    float64 network measures it: the theory had said 0 there. Near 0 f(s) = f'(0±) s, so q_l = sigma_w² q_{l-1}
    (a² + b²)/2 and Var(h) = q ((a² + b²)/2 - (b - a)²/(2 pi)) with a, b = f'(0-), f'(0+): exact for the piecewise
    linear ones, within the first layers' q for the smooth ones (their quadrature there, this power law below)."""
    config = Config(activation=activation, init="normal", std=0.001, width=50, depth=100, batch=10, dtype="float64")
    predicted = theory.predict(config)
    a, b = slopes
    c2, spread = (a * a + b * b) / 2, (a * a + b * b) / 2 - (b - a) ** 2 / (2 * math.pi)
    layers = np.arange(1, config.depth + 1)
    log10_q = layers * math.log10(50 * 1e-6) + (layers - 1) * math.log10(c2)  # q_0 = 1
    assert log10_q[-1] < -330  # past float64's smallest variance
    tolerance = 1e-9 if activation in ("linear", "relu", "leaky_relu") else 2e-3  # smooth: O(q) at the first layers
    np.testing.assert_allclose(np.log10(predicted["pre_std"][1:]), log10_q / 2, rtol=tolerance)
    np.testing.assert_allclose(np.log10(predicted["act_std"][1:]), (log10_q + math.log10(spread)) / 2, rtol=tolerance)
    if activation in ("linear", "relu", "leaky_relu"):  # the gradient: c2^(L - l + 1) (50 · 10⁻⁶)^(L - l) in variance
        log10_grad = (config.depth - layers + 1) * math.log10(c2) + (config.depth - layers) * math.log10(50 * 1e-6)
        np.testing.assert_allclose(np.log10(predicted["grad_std"][1:]), log10_grad / 2, rtol=1e-9)


@pytest.mark.parametrize("activation, slopes", [("linear", (1.0, 1.0)), ("relu", (0.0, 1.0)),
                                                 ("leaky_relu", (0.01, 1.0))])
def test_a_conv_nets_variance_below_float64s_range_keeps_its_std(activation, slopes):
    """The conv recursion pixel by pixel, circular padding (no border): q_l = sigma_w,l² q_{l-1} (a² + b²)/2 with the
    conv fans' sigma_w² = C k² Var(w), whatever the variance's size. Past 10⁻³⁰⁸ it had been 0, and ReLU's gradient with
    it (f'(0) = 0 at a variance of exactly 0), leaky ReLU's a ten-thousandth of its value (f'(0) = 0.01)."""
    config = Config(arch="conv", activation=activation, init="normal", std=0.001, width=8, kernel=3, image=4,
                    padding="circular", depth=100, batch=10, dtype="float64")
    predicted = theory.predict(config)
    forward, backward = theory.layer_sigma_w2(config)
    c2 = (slopes[0] ** 2 + slopes[1] ** 2) / 2
    log10_q = np.cumsum(np.log10(forward[1:])) + np.arange(config.depth) * math.log10(c2)  # q_0 = 1
    assert log10_q[-1] < -330
    np.testing.assert_allclose(np.log10(predicted["pre_std"][1:]), log10_q / 2, rtol=1e-9)
    # the gradient: Var(dL/dz_l) = c2^(L - l + 1) prod_{k > l} sigma_w,k² (backward)
    layers = np.arange(1, config.depth + 1)
    log10_grad = np.array([(config.depth - layer + 1) * math.log10(c2) + np.log10(backward[layer + 1:]).sum()
                           for layer in layers])
    np.testing.assert_allclose(np.log10(predicted["grad_std"][1:]), log10_grad / 2, rtol=1e-9)


@pytest.mark.slow
def test_a_float64_network_measures_what_the_theory_keeps_past_float64s_variances():
    """The measurement is the independent check: a float64 linear network of std 0.001, width 200, depth 100, whose
    activations' std reaches 10⁻¹⁸⁵ (a variance of 10⁻³⁷⁰), is within a factor of 3 of the theory at every layer (a
    product of 100 random layers strays from it by e^(±sqrt(L / width)) or so), and so is its gradient."""
    from core import network

    config = Config(activation="linear", init="normal", std=0.001, width=200, depth=100, batch=10, dtype="float64")
    result = network.simulate(config)
    for measured, predicted in ((result.stats["act_std"], result.stats["predicted_act_std"]),
                                (result.stats["grad_std"], result.stats["predicted_grad_std"])):
        ratio = measured[1:] / predicted[1:]
        assert np.all((ratio > 1 / 3) & (ratio < 3)), ratio
    assert result.stats["act_std"][-1] < 1e-180


@pytest.mark.parametrize("shape, sigma_w2", [
    ({"width": 50}, 50 * 1e-6),
    ({"arch": "conv", "width": 8, "kernel": 3, "image": 4, "padding": "circular"}, 8 * 9 * 1e-6),
])
def test_a_gradient_whose_variance_passes_float64s_range_keeps_its_std(shape, sigma_w2):
    """A linear network of std 0.001 over 100 layers: Var(dL/dz_l) = sigma_w^{2(L - l)}, 10⁻⁴²⁶ at layer 1 for the
    dense one, below float64's range, while the std sigma_w^{L - l}, 10⁻²¹³, is not: the theory had written it 0 from
    layer 37 down ("Exactly 0 at layers 1–36 (theory)"), beside a float64 network's measured 10⁻²¹³. A conv net with
    circular padding has no border, so its pixels follow the same chain with the conv fan_out C k² Var(w)."""
    config = Config(**{"init": "normal", "std": 0.001, "activation": "linear", "depth": 100, "batch": 10,
                       "dtype": "float64", **shape})
    predicted = theory.predict(config)["grad_std"]
    layers = np.arange(1, config.depth + 1)
    expected_log10 = 0.5 * (config.depth - layers) * math.log10(sigma_w2)
    assert expected_log10[0] < -150  # its variance is below 10⁻³⁰⁰
    np.testing.assert_allclose(np.log10(predicted[1:]), expected_log10, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("widths, init, mode, activation", [
    ((784, 512, 256, 128), "he_normal", "fan_in", "relu"),
    ((800, 400, 200, 100), "he_uniform", "fan_out", "relu"),  # forward x2 a layer (chi1 = 2), backward kept
    ((100, 300, 50, 200), "xavier_normal", "fan_in", "linear"),
    (None, "he_normal", "fan_in", "relu"),
])
def test_chi1_backward_is_each_layers_gradient_factor(widths, init, mode, activation):
    """The gradient's variance meets fan_out·Var(w_l)·E[f'²] at layer l (Glorot & Bengio 2010, eq. 6): under a width
    profile that is not χ₁ (the JSON had given χ₁ = 1 alone for 784-512-256-128 under He, whose gradient's variance
    halves a layer). Var(w) from torch.nn.init's formulas; E[f'²] is 1/2 for ReLU, 1 for the identity."""
    shape = {"widths": widths, "depth": len(widths) - 1} if widths else {"depth": 4, "width": 64}
    config = Config(**shape, init=init, mode=mode, activation=activation)
    summary = theory.theory_summary(config)
    units = config.units
    mean_slope2 = {"relu": 0.5, "linear": 1.0}[activation]
    expected = []
    for fan_in, fan_out in zip(units[:-1], units[1:]):
        var_w = {"he_normal": 2 / fan_in, "he_uniform": 2 / fan_out, "xavier_normal": 2 / (fan_in + fan_out)}[init]
        expected.append(fan_out * var_w * mean_slope2)
    if summary["chi1"] is None:  # a forward map that differs layer by layer (xavier's profile): no chi1 to scale
        assert summary["chi1_backward"] is None
        return
    assert summary["chi1_backward"] == pytest.approx(expected, rel=1e-12)
    if widths is None:
        assert summary["chi1_backward"] == pytest.approx([summary["chi1"]] * config.depth, rel=1e-12)


@pytest.mark.parametrize("activation, slopes", [("linear", (1.0, 1.0)), ("relu", (0.0, 1.0)),
                                                 ("leaky_relu", (0.2, 1.0))])
def test_a_forward_variance_past_float64s_range_keeps_its_std_and_the_gradient_its_theory(activation, slopes):
    """U(±100) weights at width 10 over 100 layers: the variance grows ×(10 · 100²/3) c2 a layer and passes 10³⁰⁸ near
    layer 70, while the std (10²²⁶ at layer 100 for a linear net) is a float64 number that a float64 network
    measures: the theory had said "beyond float64's range" there and had no gradient theory at any layer. For an f of
    two half lines every moment is a power of q at any q: q_l = sigma_w² c2 q_{l-1}, c2 = (a² + b²)/2."""
    config = Config(activation=activation, init="uniform", bound=100.0, slope=slopes[0] or 0.01, width=10,
                    depth=100, batch=10, dtype="float64")
    predicted = theory.predict(config)
    a, b = slopes
    c2, spread = (a * a + b * b) / 2, (a * a + b * b) / 2 - (b - a) ** 2 / (2 * math.pi)
    sigma_w2 = 10 * 100.0**2 / 3
    layers = np.arange(1, config.depth + 1)
    log10_q = layers * math.log10(sigma_w2) + (layers - 1) * math.log10(c2)  # q_0 = 1
    assert log10_q[-1] > 400  # the variance past float64's range
    in_range = log10_q / 2 < np.log10(np.finfo(float).max)
    np.testing.assert_allclose(np.log10(predicted["pre_std"][1:][in_range]), log10_q[in_range] / 2, rtol=1e-9)
    np.testing.assert_allclose(predicted["log10_act_std"][1:], (log10_q + math.log10(spread)) / 2, rtol=1e-9)
    # the gradient: c2^(L - l + 1) sigma_w2^(L - l) in variance, a number at every layer where float64 holds it
    log10_grad = (config.depth - layers + 1) * math.log10(c2) + (config.depth - layers) * math.log10(sigma_w2)
    np.testing.assert_allclose(predicted["log10_grad_std"][1:], log10_grad / 2, rtol=1e-9)
    assert predicted["grad_std"][config.depth] == pytest.approx(math.sqrt(c2))
