"""The Jacobian's spectrum (issue 15): each claim against a closed form, free probability or central differences.

Orthogonal linear networks are isometries times gain^L (Saxe et al. 2014); Gaussian ones keep the mean of s² while
the spread grows with depth; at tanh's edge of chaos orthogonal weights keep nearly every direction and Gaussian ones do
not (Pennington, Schoenholz & Ganguli 2017); WᵀW follows Marchenko & Pastur 1967.
"""

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest

from core import Config
from core.config import ACTIVATIONS
from core.activations import apply
from core.draws import draw, family
from core.initializers import layer_biases, scale_weights
from core.network import MemoryBudgetError, WorkLimitError
from core.conv import taps_inside
from core.spectrum import (
    CDF_POINTS, FLOAT64_COST, PATCH_COST, SVD_COST, border_effect, border_share, fuss_catalan_angles, check,
    estimate_memory, estimate_probe_memory, estimate_probe_work, estimate_work, fuss_catalan, fuss_catalan_cdf,
    jacobians, predicted_density, predicted_moments, probe_mean_squared, spectrum, summary,
)
from tests.marchenko_pastur import ks_distance, marchenko_pastur, weight_eigenvalues
from tests.traced import traced_peak

# tanh at the edge of chaos with q* = 1/64 (Pennington et al. 2017): chi_1 = 1 there; the input's q0 = 1/64 too
EDGE = dict(activation="tanh", gain=math.sqrt(1.03), bias_std=math.sqrt(4.6e-6), input_scale=0.125, width=128,
            depth=64, dtype="float64")


@pytest.mark.slow
def test_orthogonal_linear_network_is_gain_to_the_depth_in_every_direction():
    # Q_L ... Q_1 is orthogonal, so every singular value of gain^L Q is gain^L (Saxe et al. 2014)
    for depth, gain in ((1, 1.0), (7, 1.1), (20, 0.9)):
        config = Config(activation="linear", init="orthogonal", gain=gain, depth=depth, width=200, dtype="float64")
        values = spectrum(config).pooled
        np.testing.assert_allclose(values, gain**depth, rtol=1e-6)
        assert predicted_moments(config)["variance_squared"] == 0.0  # exactly: every s is gain^L


def test_a_jacobian_past_float64_s_range_is_refused_by_name_not_by_lapack():
    """std 100 weights on a ReLU residual stream of width 300 (input ×100): the stream passes float64's largest
    number, inf − inf leaves NaN in J, and LAPACK's SVD had raised "SVD did not converge" on the Spectrum tab. The
    same stream at width 200 stays in range and has its spectrum."""
    from core.spectrum import JacobianRangeError

    config = Config(init="normal", std=100.0, activation="relu", residual=True, depth=100, width=300, batch=10,
                    input_scale=100.0)
    with pytest.raises(JacobianRangeError):
        spectrum(config)
    assert np.isfinite(spectrum(replace(config, width=200)).pooled).all()


def test_singular_values_past_float64_s_range_are_refused_not_written_as_below_its_resolution():
    """A linear network of std 100 weights, width 200 and depth 100: J in range once scaled by 2^E (the forward's
    values are in range for float64), its singular values near √(200 · 10⁴)¹⁰⁰ = 10³¹⁵, past float64's largest
    number. Scaled back they were inf, and the tab had said "1,000 of the 1,000 values lie below what float64
    resolves here". At depth 90 the largest are near 10²⁸⁴: in range, and every one finite."""
    from core.spectrum import JacobianRangeError

    config = Config(init="normal", std=100.0, activation="linear", depth=100, width=200, batch=10)
    with pytest.raises(JacobianRangeError):
        spectrum(config)
    values = spectrum(replace(config, depth=90)).pooled
    assert np.isfinite(values).all() and values.max() > 1e280
    # ReLU at width 500: its pre-activations pass 10³⁰⁸ near layer 97, NaN beyond, whose f'(NaN) = 0 had made J
    # exactly 0 ("no change of the input reaches the output")
    with pytest.raises(JacobianRangeError):
        spectrum(replace(config, activation="relu", width=500))


def test_a_conv_net_s_border_effect_past_float64_s_range_is_refused_without_a_warning():
    """std 100 ReLU weights on a conv net of depth 100 (8 channels, 4 × 4 images, 7 × 7 kernels): the circular
    copy's ||J v||² passes float64's range, whose standard error had warned "invalid value encountered in subtract"
    (inf − inf) in the server's log. It is refused as a spectrum past the range is; at depth 10 every number of the
    border effect is finite."""
    from core.spectrum import JacobianRangeError

    config = Config(arch="conv", init="normal", std=100.0, activation="relu", depth=100, width=8, image=4, kernel=7,
                    batch=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(JacobianRangeError):
            border_effect(config)
        assert all(math.isfinite(value) for value in border_effect(replace(config, depth=10)).values())


@pytest.mark.slow
def test_a_jacobian_in_range_is_kept_though_the_forward_values_reach_inf():
    """A bias-free ReLU network is positively homogeneous, so its J does not depend on the input's scale: std 72 at
    width 500 over 100 layers, its input ×100, reaches inf on the way forward (f'(inf) = 1, ReLU's limit) while J
    stays in range (its largest singular value near 10³⁰⁷). Its spectrum is the one at the input's own scale, value
    for value, not a refusal."""
    config = Config(init="normal", std=72.0, activation="relu", depth=100, batch=10)
    scaled = spectrum(replace(config, input_scale=100.0)).pooled
    assert np.isfinite(scaled).all() and scaled.max() > 1e300
    np.testing.assert_array_equal(scaled, spectrum(config).pooled)


@pytest.mark.parametrize("power", [-30, -37, -40])
def test_a_jacobian_far_below_float64_s_range_is_the_in_range_one_scaled(power):
    """A linear network's J is the product of its weights': at std 2^p times another's, every singular value is 2^(p L)
    times that network's, exactly (powers of two). Carried as Ĵ 2^E, J keeps that at 2^-900, past the rescaling
    bound 2^-256, and at 2^-1110 and 2^-1200, below float64's smallest subnormal 2^-1074: its values come out
    rounded once from the in-range ones (mostly 0), where a product of subnormal numbers would round every layer."""
    base = Config(activation="linear", init="normal", std=2.0**-4, depth=30, width=64, batch=10, dtype="float64")
    tiny = replace(base, std=2.0 ** (-4 + power))
    reference = spectrum(base).values
    np.testing.assert_array_equal(spectrum(tiny).values, np.ldexp(reference, power * base.depth))
    np.testing.assert_array_equal(jacobians(tiny), np.ldexp(jacobians(base), power * base.depth))


@pytest.mark.slow
def test_gaussian_linear_network_keeps_the_mean_of_s_squared_while_the_spread_grows():
    # E tr(JᵀJ) / n = sigma_w^{2L} = 1 at any depth; p90 / p10 grows with depth, >= 10 at depth 10 (width 500)
    ratios = []
    for depth in range(1, 11):
        config = Config(activation="linear", init="lecun_normal", depth=depth, width=500, dtype="float64")
        result = spectrum(config, inputs=1).summary()
        assert result["mean_squared"] == pytest.approx(1.0, rel=0.05), depth
        ratios.append(result["ratio"])
    assert all(later > earlier for earlier, later in zip(ratios, ratios[1:]))
    assert ratios[-1] >= 10


def test_gaussian_linear_spread_matches_fuss_catalan_variance():
    # free probability: the variance of s² for a product of L Ginibre factors is L (Fuss–Catalan m2 = L + 1), plus
    # ~1/width a layer at finite width
    depth, width = 4, 400
    config = Config(activation="linear", init="lecun_normal", depth=depth, width=width, dtype="float64")
    squares = spectrum(config, inputs=1).pooled ** 2
    assert predicted_moments(config)["variance_squared"] == pytest.approx(depth)
    assert np.var(squares) == pytest.approx(depth, rel=0.15)


@pytest.mark.slow
def test_tanh_at_the_edge_of_chaos_orthogonal_keeps_every_direction_gaussian_does_not():
    orthogonal = spectrum(Config(init="orthogonal", **EDGE), inputs=4)
    gaussian = spectrum(Config(init="lecun_normal", **EDGE), inputs=4)
    kept, lost = orthogonal.summary(), gaussian.summary()
    # free probability gives the orthogonal spread: variance of s² = L (mu_2 / mu_1² - 1) ~ 0.10 at L = 64, so
    # p10 ~ 0.73 and p90 ~ 1.2 (the "about 0.8-1.25")
    assert 0.65 <= kept["p10"] and kept["p90"] <= 1.25
    predicted = predicted_moments(Config(init="orthogonal", **EDGE))
    assert np.var(orthogonal.pooled ** 2) == pytest.approx(predicted["variance_squared"], rel=0.3)
    assert kept["mean_squared"] == pytest.approx(predicted["mean_squared"], rel=0.1)
    # Gaussian weights: the same mean condition, but p10 collapses by many orders of magnitude
    assert lost["p10"] < 1e-6 * kept["p10"]
    assert lost["ratio"] > 1e6


def test_relu_under_he_reaches_no_isometry_with_either_scheme():
    for init in ("orthogonal", "he_normal"):
        config = Config(activation="relu", init=init, gain=math.sqrt(2.0), width=128, depth=64, dtype="float64")
        result = spectrum(config).summary()
        assert result["p10"] < 1e-10, init


@pytest.mark.parametrize("config", [
    Config(activation="relu", init="he_normal", depth=12, width=60, dtype="float64"),
    Config(activation="relu", init="orthogonal", gain=math.sqrt(2.0), depth=12, width=60, dtype="float64"),
    Config(arch="conv", width=4, depth=3, image=6, init="he_normal", activation="relu", batch=10),
], ids=["he", "orthogonal", "conv"])
def test_a_relu_networks_rank_is_its_fewest_units_on(config):
    """No change passes a unit ReLU switched off, so J's rank at an input is at most the fewest units on at any
    layer (units_on, counted from the forward pass); with random weights it is exactly that, and every direction
    beyond it is exactly 0 (zeros_bound, all of them below float64's resolution)."""
    result = spectrum(config)
    units = config.positions * np.array(config.units[1:])
    assert result.units_on.shape == (2, config.depth) and np.all((0 < result.units_on) & (result.units_on < units))
    assert [np.linalg.matrix_rank(j) for j in jacobians(config)] == result.units_on.min(axis=1).tolist()
    assert 0 < result.zeros_bound() == np.count_nonzero(result.pooled <= result.resolution)


def test_a_residual_streams_skip_keeps_every_direction_past_the_units_off():
    config = Config(activation="relu", init="he_normal", residual=True, depth=12, width=60, dtype="float64")
    result = spectrum(config)
    assert result.units_on.max() < 60 and result.zeros_bound() == 0
    assert [np.linalg.matrix_rank(j) for j in jacobians(config)] == [60, 60]


@pytest.mark.slow
def test_weight_eigenvalues_follow_marchenko_pastur():
    # Eigenvalues are rigid: each sits within O(log n / n) of its place under the law (Erdős, Yau & Yin 2012), far
    # closer than n i.i.d. samples would (DKW: ~0.09 at n = 500). Bound: 2 ln(n) / n = 0.025 at n = 500.
    def bound(n: int) -> float:
        return 2 * math.log(n) / n
    for init in ("he_normal", "xavier_uniform"):  # square Gaussian and uniform layers at width 500
        eigenvalues, law = weight_eigenvalues(Config(init=init, width=500, depth=2), 2)
        assert ks_distance(eigenvalues, law.cdf) < bound(500)
    # a tall layer (fan_in 500, fan_out 250: ratio 1/2) and a wide one (250 -> 500: half the eigenvalues are 0)
    for widths in ((500, 250, 250), (250, 500, 500)):
        eigenvalues, law = weight_eigenvalues(Config(init="he_normal", depth=2, widths=widths), 1)
        assert ks_distance(eigenvalues, law.cdf) < bound(250)
    # the wrong variance is far off: the test can fail
    eigenvalues, law = weight_eigenvalues(Config(init="he_normal", width=500, depth=2), 1)
    assert ks_distance(eigenvalues, marchenko_pastur(1.0, 1.5 * law.variance).cdf) > 0.05
    # orthogonal weights do not: every eigenvalue is gain²
    eigenvalues, law = weight_eigenvalues(Config(init="orthogonal", width=500, depth=2), 1)
    np.testing.assert_allclose(eigenvalues, 1.0, rtol=1e-5)
    assert ks_distance(eigenvalues, law.cdf) > 0.3


def test_marchenko_pastur_cdf_is_its_density_integrated():
    # the closed-form CDF against the density integrated numerically, for ratios below, at and above 1
    for ratio, variance in ((0.25, 1.0), (1.0, 2.0), (3.0, 0.5)):
        law = marchenko_pastur(ratio, variance)
        x = np.linspace(law.low, law.high, 200_001)
        density = law.density(x)
        integral = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(x))])
        points = slice(20_000, None, 20_000)  # away from the 1/sqrt(x) edge at 0 when ratio = 1
        np.testing.assert_allclose(law.cdf(x[points]) - law.cdf(x[20_000]),
                                   integral[points] - integral[20_000], atol=2e-4)
        assert law.cdf(law.high) == pytest.approx(1.0)
        assert law.cdf(-1.0) == 0.0
        assert law.cdf(0.0) == pytest.approx(max(0.0, 1 - 1 / ratio))


def reference_output(config: Config, x: np.ndarray, stats_batch: np.ndarray) -> np.ndarray:
    """h_L for one input x (units[0],), plain float64 numpy, written out from the model's definition; batch norm
    normalizes with stats_batch's statistics, run alongside and held fixed."""
    d = draw(config.seed, config.depth, config.units, config.batch, config.input, family(config.init), config.dtype)
    biases = layer_biases(config)
    h, ref = x[None, :], stats_batch
    for layer, (fan_in, fan_out) in enumerate(config.shapes, start=1):
        w = scale_weights(config, d.weights[layer - 1], fan_in, fan_out).astype(np.float64)
        b = 0.0 if biases[layer - 1] is None else biases[layer - 1]

        def norm(z, z_ref):
            if config.norm == "layer":
                return (z - z.mean(1, keepdims=True)) / np.sqrt(z.var(1, keepdims=True) + 1e-5)
            if config.norm == "batch":
                return (z - z_ref.mean(0)) / np.sqrt(z_ref.var(0) + 1e-5)
            return z
        if config.residual:
            h, ref = (a + config.alpha * (apply(config.activation, norm(a, ref), config.slope) @ w + b)
                      for a in (h, ref))
        else:
            z, z_ref = h @ w + b, ref @ w + b
            h, ref = apply(config.activation, norm(z, z_ref), config.slope), \
                apply(config.activation, norm(z_ref, z_ref), config.slope)
    return h[0]


@pytest.mark.parametrize("settings", [
    dict(activation="tanh", init="xavier_normal", bias_std=0.1),
    dict(activation="gelu", init="he_uniform"),
    dict(activation="sigmoid", init="orthogonal", layer_norm=True),
    dict(activation="elu", init="lecun_normal", batch_norm=True),
    dict(activation="tanh", init="he_normal", residual=True, layer_norm=True, branch_scale=0.5),
    dict(activation="silu", init="xavier_normal", residual=True),
    dict(activation="tanh", init="he_normal", widths=(6, 9, 5, 7)),
])
def test_jacobian_matches_central_differences(settings):
    config = Config(depth=3, width=7, batch=10, dtype="float64", seed=3, **settings)
    x_batch = draw(config.seed, config.depth, config.units, config.batch, config.input, family(config.init),
                   config.dtype).x.astype(np.float64)
    jac = jacobians(config, inputs=2)
    for sample in range(2):
        x = x_batch[sample].copy()
        numeric = np.empty_like(jac[sample])
        for i in range(x.size):
            step = np.zeros_like(x)
            step[i] = 1e-6
            numeric[:, i] = (reference_output(config, x + step, x_batch) -
                             reference_output(config, x - step, x_batch)) / 2e-6
        np.testing.assert_allclose(jac[sample], numeric, atol=1e-7, rtol=1e-6)


def test_summary_percentiles_and_mean_of_squares():
    values = np.array([0.1, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0])
    result = summary(values)
    assert result["p50"] == pytest.approx(4.5)
    assert result["p10"] == pytest.approx(0.1 + 0.9 * 0.9)  # numpy's linear interpolation between order statistics
    assert result["ratio"] == pytest.approx(result["p90"] / result["p10"])
    assert result["mean_squared"] == pytest.approx(np.mean(values**2))
    assert math.isnan(summary(np.zeros(10))["ratio"])  # 0 / 0


def test_sizes_over_the_limits_are_refused_clearly():
    big = Config(depth=10, width=2048)  # within the memory budget, about three times the work limit
    with pytest.raises(WorkLimitError, match="spectrum of this configuration needs about .* fits") as refused:
        check(big)
    assert 0 < refused.value.fits["width"] < 2048 and estimate_work(Config(depth=10, width=refused.value.fits[
        "width"])) <= refused.value.limit < estimate_work(Config(depth=10, width=refused.value.fits["width"] + 1))
    with pytest.raises(MemoryBudgetError, match="MiB, over the budget of 1 MiB"):
        spectrum(Config(), memory_budget=1 << 20)
    with pytest.raises(ValueError, match="inputs=0 is not allowed"):
        spectrum(Config(), inputs=0)
    with pytest.raises(ValueError, match="inputs=12 is not allowed: at most the batch, 10"):
        spectrum(Config(batch=10, width=20, depth=2), inputs=12)
    assert estimate_work(Config(), inputs=4) > estimate_work(Config(), inputs=2)


def test_cancel_stops_between_layers():
    from core.threads import Cancelled
    with pytest.raises(Cancelled):
        spectrum(Config(depth=3, width=20), cancel=lambda: True)


def test_per_layer_spectra_of_orthogonal_linear_layers_are_the_gain():
    config = Config(activation="linear", init="orthogonal", gain=1.3, depth=3, width=50, dtype="float64")
    result = spectrum(config, per_layer=True)
    assert len(result.layers) == 3
    for values in result.layers:
        np.testing.assert_allclose(values, 1.3, rtol=1e-9)


@pytest.mark.parametrize("order", [1, 2, 4, 10, 34, 64, 100])
def test_fuss_catalan_density_has_the_fuss_catalan_numbers_as_moments(order):
    # the parametric density (Haagerup & Möller 2012) integrated over phi: its k-th moment is C(k(L+1), k)/(kL + 1);
    # from order 34 on (a depth-100 linear network's) the grid's smallest x lie below float64's range, and the law
    # is still whole: every point a number, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_x, log_rho, rate = fuss_catalan(order, CDF_POINTS)
    assert np.isfinite(log_x).all() and np.isfinite(log_rho).all() and np.isfinite(rate).all()
    x = np.exp(log_x)
    step = -np.diff(fuss_catalan_angles(order, CDF_POINTS))
    for k in range(4):
        moment = np.sum(0.5 * (rate[1:] * x[1:] ** k + rate[:-1] * x[:-1] ** k) * step)
        assert moment == pytest.approx(math.comb(k * (order + 1), k) / (k * order + 1), rel=1e-6), k
    assert x.max() == pytest.approx((order + 1) ** (order + 1) / order**order, rel=1e-9)  # the support's edge
    # order 1 is Marchenko–Pastur at ratio 1, whose CDF is in closed form
    if order == 1:
        points = np.linspace(0.01, 3.99, 50)
        np.testing.assert_allclose(fuss_catalan_cdf(1)(points), marchenko_pastur(1.0, 1.0).cdf(points), atol=1e-6)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_a_simulated_linear_gaussian_network_follows_the_fuss_catalan_law(depth):
    # width 300, sigma_w² = 1.21: s² / 1.21^L against the law of order L; measured KS 0.008-0.012 over 6 seeds. The
    # neighbouring orders are far off, so the bound tells the laws apart
    config = Config(activation="linear", init="lecun_normal", gain=1.1, depth=depth, width=300, dtype="float64")
    predicted = predicted_density(config)
    assert predicted.kind == "density" and predicted.mean_squared == pytest.approx(1.21**depth)
    squares = spectrum(config, inputs=1).pooled ** 2 / 1.21**depth
    assert ks_distance(squares, fuss_catalan_cdf(depth)) < 0.02
    assert ks_distance(squares, fuss_catalan_cdf(depth + 1)) > 0.05
    # the drawn density of log10 s integrates to 1 (the cut-off tails hold < 1e-3) and peaks inside the sample
    u, density = predicted.log10_s, predicted.density
    assert np.sum(0.5 * (density[1:] + density[:-1]) * np.diff(u)) == pytest.approx(1.0, abs=1e-3)
    logs = np.log10(np.sqrt(squares * 1.21**depth))
    assert logs.min() < u[np.argmax(density)] < logs.max()
    assert u.max() == pytest.approx(0.5 * math.log10(1.21**depth * (depth + 1) ** (depth + 1) / depth**depth))


def test_predicted_density_is_a_point_for_orthogonal_and_moments_only_for_nonlinear_networks():
    point = predicted_density(Config(activation="linear", init="orthogonal", gain=1.1, depth=3, width=50))
    assert point.kind == "point" and point.s == pytest.approx(1.1**3) and point.density is None
    tanh = Config(activation="tanh", init="xavier_normal", depth=3, width=50)
    mean = predicted_density(tanh)
    assert mean.kind == "mean" and mean.s**2 == pytest.approx(predicted_moments(tanh)["mean_squared"])
    digits = predicted_density(Config(activation="linear", input="digits", depth=3, width=100))
    assert digits.kind == "mean"  # a 64-pixel input into width 100: not a product of square Ginibre matrices
    assert predicted_density(Config(residual=True, depth=3, width=50)) is None


# --- conv nets: J over (pixels, channels) ------------------------------------------------------------------------

def conv_reference(config, x, fixed=None):
    """h_L of one image x (image, image, C_0) by core.conv.conv2d layer by layer (NHWC, not the spectrum's column
    batches); batch norm at the statistics `fixed` ((mean, inv_std) per layer, from conv_statistics)."""
    from core import conv
    from core.network import network_draws
    draws, h = network_draws(config), x[None]
    for layer, b in enumerate(layer_biases(config)):
        c_in = config.units[layer]
        m = scale_weights(config, draws.weights[layer], *config.shapes[layer], shape=config.matrices[layer])
        h = conv.conv2d(h, conv.weight(m.astype(np.float64), c_in, config.kernel), config.padding)
        if b is not None:
            h = h + b
        if fixed is not None:
            mean, inv_std = fixed[layer]
            h = (h - mean) * inv_std
        h = apply(config.activation, h, config.slope)
    return h[0].reshape(-1)  # (P C_L) in (pixel, channel) order


def conv_statistics(config, images):
    """Each layer's per-channel mean and 1/sqrt(var + eps) over the whole batch and every pixel (BatchNorm2d)."""
    from core import conv
    from core.batchnorm import BN_EPS
    from core.network import network_draws
    draws, h, stats = network_draws(config), images, []
    for layer, b in enumerate(layer_biases(config)):
        m = scale_weights(config, draws.weights[layer], *config.shapes[layer], shape=config.matrices[layer])
        h = conv.conv2d(h, conv.weight(m.astype(np.float64), config.units[layer], config.kernel), config.padding)
        if b is not None:
            h = h + b
        mean, var = h.mean(axis=(0, 1, 2)), h.var(axis=(0, 1, 2))
        stats.append((mean, 1.0 / np.sqrt(var + BN_EPS)))
        h = apply(config.activation, (h - mean) * stats[-1][1], config.slope)
    return stats


@pytest.mark.slow
@pytest.mark.parametrize("settings", [
    dict(activation="tanh", init="he_normal", bias_std=0.1, padding="zeros"),
    dict(activation="gelu", init="xavier_uniform", padding="circular", kernel=5),
    dict(activation="tanh", init="delta_orthogonal", gain=1.2, padding="zeros", widths=(2, 3, 4, 2)),
    dict(activation="elu", init="lecun_normal", batch_norm=True, padding="zeros"),
])
def test_conv_jacobian_matches_central_differences(settings):
    """J of a conv net, (P C_L, P C_0), against central differences of a conv2d forward pass of one image."""
    from core.network import network_draws
    config = Config(arch="conv", depth=3, width=2, batch=10, image=4, dtype="float64", seed=5, **settings)
    images = (network_draws(config).x.astype(np.float64) * config.input_scale).reshape(
        config.batch, config.image, config.image, -1)
    fixed = conv_statistics(config, images) if config.batch_norm else None
    jac = jacobians(config, inputs=2)
    assert jac.shape == (2, 16 * config.units[-1], 16 * config.units[0])
    for sample in range(2):
        x = images[sample]
        numeric = np.empty_like(jac[sample])
        for i in range(x.size):
            step = np.zeros(x.size)
            step[i] = 1e-6
            step = step.reshape(x.shape)
            numeric[:, i] = (conv_reference(config, x + step, fixed) - conv_reference(config, x - step, fixed)) / 2e-6
        np.testing.assert_allclose(jac[sample], numeric, atol=1e-7, rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_delta_orthogonal_linear_circular_conv_net_is_an_exact_isometry(dtype):
    """Xiao et al. 2018: every singular value of J is 1 (to 1e-6), each layer's too; He + zero padding spreads them
    over decades, and so would He with circular padding (a conv's K_l is no orthogonal matrix)."""
    config = Config(arch="conv", init="delta_orthogonal", activation="linear", padding="circular", depth=8,
                    width=6, image=6, batch=10, dtype=dtype)
    result = spectrum(config, per_layer=True)
    assert result.values.shape == (2, 36 * 6)
    np.testing.assert_allclose(result.pooled, 1.0, atol=1e-6)
    for values in result.layers:
        np.testing.assert_allclose(values, 1.0, atol=1e-6)
    for padding in ("zeros", "circular"):
        he = spectrum(Config(arch="conv", init="he_normal", activation="linear", padding=padding, depth=8, width=6,
                             image=6, batch=10)).summary()
        assert he["ratio"] > 100 and he["p10"] < 0.5 < 2 < he["p90"]


@pytest.mark.slow
def test_delta_orthogonal_conv_theory_is_the_orthogonal_one_and_other_kernels_get_none():
    config = Config(arch="conv", init="delta_orthogonal", activation="linear", gain=1.1, depth=5, width=6, image=6,
                    batch=10, dtype="float64")
    np.testing.assert_allclose(spectrum(config).pooled, 1.1**5, rtol=1e-9)
    moments = predicted_moments(config)
    assert (moments["mean_squared"], moments["variance_squared"]) == pytest.approx((1.1**10, 0.0))
    assert predicted_moments(Config(arch="conv", init="he_normal", activation="linear")) is None


def test_conv_spectra_over_the_limits_are_refused_with_what_fits():
    # a conv net's sizes named as it names them: channels and image, not a width (the digits' image is fixed)
    with pytest.raises(MemoryBudgetError, match=r"lower depth, channels or image \(it grows as inputs x \(image² x "
                                                r"channels\)²\)"):
        check(Config(arch="conv", depth=10, width=32, image=16))  # J of 8,192 x 8,192 per image: 2 GiB
    with pytest.raises(MemoryBudgetError, match=r"lower depth or width \(it grows as inputs x width²\)"):
        check(Config(depth=100, width=2048, batch=100))
    big = Config(arch="conv", depth=10, width=16, image=12)  # J of 2,304 x 2,304: its SVDs alone are over the limit
    with pytest.raises(WorkLimitError, match="spectrum of this configuration needs about .* fits") as refused:
        check(big)
    fits = refused.value.fits["width"]
    assert 0 < fits < 16 and estimate_work(Config(arch="conv", depth=10, width=fits, image=12)) <= refused.value.limit
    small = Config(arch="conv", depth=10, width=8, image=8)
    assert estimate_work(small) < estimate_work(Config(arch="conv", depth=10, width=8, image=12))


# --- a conv net's mean of s² by random directions, zero padding's borders, and what the estimates count ----------
def frobenius_mean(config: Config) -> float:
    """The mean of s² from the full J: ||J||_F² / min(m, n), pooled over spectrum()'s two inputs."""
    jac = jacobians(config)
    return float(np.sum(jac**2) / (jac.shape[0] * min(jac.shape[1:])))


@pytest.mark.slow
def test_random_directions_estimate_the_mean_of_s_squared_of_the_full_jacobian():
    """Hutchinson's estimate against ||J||_F² of the J spectrum() decomposes: within 3 of its standard errors, and
    the error shrinks as 1/sqrt(probes)."""
    config = Config(arch="conv", depth=3, width=3, batch=10, image=6, init="he_normal", activation="relu", seed=2)
    exact = frobenius_mean(config)
    assert exact == pytest.approx(spectrum(config).summary()["mean_squared"], rel=1e-9)
    few, many = probe_mean_squared(config, probes=16), probe_mean_squared(config, probes=256, seed=1)
    for mean, error in (few, many):
        assert abs(mean - exact) <= 3 * error
    assert many[1] < few[1] / 2


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_border_share_is_what_zero_padding_keeps_of_circular_paddings_mean(activation):
    """Independent truth: with circular padding He keeps the mean of s² at chi^L = 1 in expectation (E over the
    weights of ||D K v||² is ||v||² at every pixel, exactly, for ReLU and linear layers); zero padding's expectation
    is border_share of it. The full J's mean of s² over 40 draws, each padding within 3 standard errors."""
    base = Config(arch="conv", depth=4, width=6, batch=10, image=5, init="he_normal", activation=activation)
    gain = 1.0 if activation == "relu" else 1 / math.sqrt(2)  # He's gain √2 keeps a ReLU; a linear net wants 1
    share = border_share(base)
    assert 0.3 < share < 0.7  # 4 layers of 5 x 5: most pixels are near a border
    for padding, expected in (("circular", 1.0), ("zeros", share)):
        means = np.array([frobenius_mean(replace(base, padding=padding, seed=seed, gain=gain * math.sqrt(2)))
                          for seed in range(40)])
        assert abs(means.mean() - expected) <= 3 * means.std(ddof=1) / math.sqrt(means.size), padding


def test_border_share_is_one_without_borders_and_falls_with_depth():
    conv = Config(arch="conv", depth=10, width=4, image=16, init="he_normal", activation="relu")
    assert border_share(replace(conv, padding="circular")) == 1.0
    assert border_share(replace(conv, init="delta_orthogonal")) == 1.0  # the centre tap only: no window
    assert border_share(Config()) == 1.0
    shares = [border_share(replace(conv, depth=depth)) for depth in (1, 5, 10)]
    assert shares[0] == pytest.approx(np.mean(taps_inside(16, 3)) / 9)  # layer 1: the taps inside, on average
    assert 1 > shares[0] > shares[1] > shares[2] > 0.5


@pytest.mark.slow
def test_border_effect_measures_both_paddings_on_the_same_weights():
    config = Config(arch="conv", depth=6, width=8, batch=10, image=8, init="he_normal", activation="relu", seed=3)
    effect = border_effect(config, probes=16)
    assert effect["zeros"] == pytest.approx(probe_mean_squared(config, probes=16)[0], rel=1e-12)
    assert effect["circular"] == pytest.approx(
        probe_mean_squared(replace(config, padding="circular"), probes=16)[0], rel=1e-12)
    assert effect["kept"] == pytest.approx(effect["zeros"] / effect["circular"])
    assert effect["share"] == border_share(config) and effect["count"] == 32
    with pytest.raises(ValueError, match="probes=1 is not allowed"):
        probe_mean_squared(config, probes=1)
    with pytest.raises(ValueError, match="a conv net's"):
        probe_mean_squared(Config())
    with pytest.raises(WorkLimitError, match="mean of s²"):
        probe_mean_squared(config, work_limit=1e6)


WORK_CONFIGS = [
    Config(arch="conv", depth=10, width=3, batch=50, image=16, init="he_normal", activation="relu"),
    Config(arch="conv", depth=3, width=16, batch=64, image=8, init="orthogonal", activation="tanh", batch_norm=True),
    Config(arch="conv", depth=2, width=8, batch=10, image=8, kernel=5, padding="circular"),
]
WORK_FACTOR = 1.05  # the estimate counts the products, patches and SVDs the code runs: equal up to rounding


@pytest.mark.slow
@pytest.mark.parametrize("config", WORK_CONFIGS, ids=["step-11-narrow", "batch-norm", "k5-circular"])
def test_conv_work_estimate_is_the_work_counted_as_it_runs(config, monkeypatch):
    """estimate_work and estimate_probe_work against what spectrum() and probe_mean_squared() run, counted by kind as
    they run it: every conv product's flops (float64, FLOAT64_COST each) and im2col patch values (PATCH_COST each),
    every SVD's m n min(m, n) (SVD_COST), and the draws as work_terms counts them. Nothing is timed."""
    from core import conv
    from core.network import DRAW_COST, QR_COST, work_terms
    counted = {"flops": 0.0, "patches": 0.0, "svd": 0.0}
    product, windows, svd = conv.matmul, conv.copy_windows, np.linalg.svd

    def counting_product(a, b, out=None):
        counted["flops"] += 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        return product(a, b, out=out)

    def counting_windows(view, out=None):
        patches = windows(view, out)
        counted["patches"] += patches.size
        return patches

    def counting_svd(a, *args, **kwargs):
        m, n = a.shape[-2:]
        counted["svd"] += math.prod(a.shape[:-2]) * m * n * min(m, n)
        return svd(a, *args, **kwargs)
    monkeypatch.setattr(conv, "matmul", counting_product)
    monkeypatch.setattr(conv, "copy_windows", counting_windows)
    monkeypatch.setattr(np.linalg, "svd", counting_svd)
    terms = work_terms(config)
    draws = DRAW_COST * terms["draws"] + QR_COST * terms["qrs"]
    for run, estimate in ((lambda: spectrum(config), estimate_work(config)),
                          (lambda: probe_mean_squared(config), estimate_probe_work(config))):
        counted.update(flops=0.0, patches=0.0, svd=0.0)
        run()
        work = FLOAT64_COST * counted["flops"] + PATCH_COST * counted["patches"] + SVD_COST * counted["svd"] + draws
        assert counted["patches"] > 0 and work / WORK_FACTOR <= estimate <= WORK_FACTOR * work


MEMORY_FACTOR = 2.5  # the spectrum's estimate is an upper bound, at most this many times what it allocates (1.3 to
# 2 times for these; a narrow net's draws and streams are counted in whole blocks of units)


@pytest.mark.slow
@pytest.mark.parametrize("config", WORK_CONFIGS + [
    Config(arch="conv", depth=3, width=32, batch=10, image=6),
], ids=["step-11-narrow", "batch-norm", "k5-circular", "32-channels"])
def test_conv_spectrum_memory_estimate_bounds_what_it_allocates(config):
    """estimate_memory against tracemalloc's peak over spectrum(): never below it, never MEMORY_FACTOR times above
    it. The pushes' im2col patches count one chunk a part (conv.Geometry.held_patches), not COLUMNS whole images."""
    spectrum(config)  # the first run's caches are not the run's own
    peak = traced_peak(lambda: spectrum(config))
    assert peak <= estimate_memory(config) < MEMORY_FACTOR * peak


@pytest.mark.slow
def test_probe_memory_estimate_bounds_what_it_allocates_at_step_elevens_width():
    """The random directions at the conv step's own 64 channels: an upper bound, within 3.5 times (the draws of 50
    images are counted though a later run finds them made)."""
    from views.tour import CONV_STEP, STEPS
    config = STEPS[CONV_STEP]
    probe_mean_squared(config)
    peak = traced_peak(lambda: probe_mean_squared(config))
    assert peak <= estimate_probe_memory(config) < 3.5 * peak


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
@pytest.mark.parametrize("widths", [(12, 9, 5, 9, 12), (6, 6, 6), (10, 4, 7)])
@pytest.mark.parametrize("activation", ["gelu", "tanh", "relu"])
def test_the_rank_bound_is_the_rank_of_the_page_s_own_jacobian(norm, widths, activation):
    """A layer norm's centering maps a change equal at every unit to 0: J's rank is at most n - 1 at each layer after
    one (500-...-62-...-500 under layer norm has 61 non-zero values an input, not 62). Batch norm at the batch's
    statistics scales each unit and keeps every direction. The rank numpy finds in the page's own J at each input
    is the bound, with ReLU's off units the fewest any layer passes on (zeros_bound); the values numerically 0 are
    as many. (Three or more layer norms of one width shrink one more direction below float64's resolution:
    test_layer_norms_of_one_width_shrink_one_more_direction.)"""
    config = Config(widths=widths, depth=len(widths) - 1, activation=activation, init="xavier_normal", batch=32,
                    dtype="float64", batch_norm=norm == "batch", layer_norm=norm == "layer")
    result = spectrum(config, inputs=3)
    per = min(widths[0], widths[-1])
    centred = norm == "layer"
    assert result.ranks() == [widths[0], *(n - centred for n in widths[1:])]
    rank = min(widths[0], *(n - centred for n in widths[1:]))
    assert result.narrowest()[1] == rank and result.shape_bound() == 3 * (per - min(per, rank))
    for i, jac in enumerate(jacobians(config, inputs=3)):
        found = np.linalg.matrix_rank(jac, tol=result.resolution)
        # ReLU's off units pass nothing: at most the units on, and a layer norm's n - 1 only with every unit on
        allowed = min(per, rank, *np.minimum(result.units_on[i], result.ranks()[1:]))
        assert found == allowed, (i, found, allowed)
        assert (result.values[i] < result.resolution).sum() == per - found
    assert result.zeros_bound() == sum(per - min(per, *np.minimum(on, result.ranks()[1:])) for on in result.units_on)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_layer_norms_of_one_width_shrink_one_more_direction(depth):
    """Each layer norm keeps the direction along its normalized values only at eps / (var + eps), ~10⁻⁵, and through
    layer norms of one width those shrinks multiply: J's second smallest value is ~10⁻⁵ᐧdepth, numerically 0 from
    three layers on. The bound stays n - 1 (an upper bound: that value is not 0), and the rank numpy finds is at most
    it, n - 1 through two layers."""
    config = Config(widths=(8,) * (depth + 1), depth=depth, activation="tanh", init="xavier_normal", batch=32,
                    dtype="float64", layer_norm=True)
    result = spectrum(config, inputs=2)
    assert result.narrowest()[1] == 7 and result.shape_bound() == 2
    second = result.values[:, -2] / result.values[:, 0]
    assert np.all((1e-6 ** depth < second) & (second < 1e-4 ** depth))
    for jac in jacobians(config, inputs=2):
        assert np.linalg.matrix_rank(jac, tol=result.resolution) == (7 if depth < 3 else 6)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu", "leaky_relu", "gelu", "sigmoid", "selu"])
@pytest.mark.parametrize("init", ["orthogonal", "normal"])
def test_the_slope_s_normalized_variance_is_never_below_0_and_exactly_0_for_a_linear_layer(activation, init):
    """A linear orthogonal network's variance of s² is exactly 0 (every s = gain^L), and the Spectrum tab had printed
    2.22 × 10⁻¹⁶, mu_2 / mu_1² - 1's rounding: the variance of f'² is taken in two passes, never negative, 0 where f' is
    constant, and equal to E[f'⁴] / E[f'²]² - 1 elsewhere (checked here by Monte Carlo over 10⁶ draws)."""
    from core.spectrum import slope_moments
    from core.activations import derivative

    config = Config(depth=3, width=20, activation=activation, init=init)
    mu1, excess = slope_moments(config, 0.7)
    assert excess >= 0
    if activation == "linear":
        assert (mu1, excess) == (1.0, 0.0)
        moments = predicted_moments(config)
        assert moments["variance_squared"] == (0.0 if init == "orthogonal" else moments["mean_squared"] ** 2 * 3)
        return
    u = np.sqrt(0.7) * np.random.default_rng(0).standard_normal(1_000_000)
    slope2 = derivative(activation, u, config.slope) ** 2
    assert mu1 == pytest.approx(slope2.mean(), rel=5e-3)
    assert excess == pytest.approx((slope2**2).mean() / slope2.mean() ** 2 - 1, rel=2e-2, abs=2e-3)


@pytest.mark.parametrize(("activation", "c", "k"), [("tanh", 16.0, 4.0), ("sigmoid", 1.0, 2.0)])
@pytest.mark.parametrize("bias", [30.0, 96.0, -96.0, 100.0])
@pytest.mark.parametrize("q", [0.0, 0.01, 0.25])
def test_a_saturated_units_slope_moments_match_their_exponential_tail(activation, c, k, bias, q):
    """Far out on tanh's or sigmoid's flat, f'(u)² = c e^{-k|u|} (tanh: 16 e^{-4|u|}, sigmoid: e^{-2|u|}; both
    slopes are even functions), so for u ~ N(b, q): mu_1 = c e^{-k|b| + k² q / 2} and E[f'⁴] / mu_1² - 1 =
    e^{k² q} - 1, the lognormal's. At a mean bias of 96, tanh's mu_1 is 10⁻¹⁶⁵, whose square underflows: the
    Spectrum tab of the orthogonal twin of such a network had raised a ZeroDivisionError."""
    from core.spectrum import slope_moments

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mu1, excess = slope_moments(Config(activation=activation, bias=bias), q)
    assert mu1 == pytest.approx(c * math.exp(-k * abs(bias) + k * k * q / 2), rel=1e-9)
    assert excess == pytest.approx(math.expm1(k * k * q), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("activation, slope2", [("relu", (0.0, 1.0)), ("leaky_relu", (0.01**2, 1.0)),
                                                ("linear", (1.0, 1.0))])
def test_the_mean_of_s2_holds_where_the_forward_theory_passes_float64s_range(activation, slope2):
    """std 100 at width 50 over 100 layers: the mean-field q passes 10³⁰⁸ near layer 57 (inf there, not a number
    after). With f'² taking two values (slope2: below and above 0) with probability 1/2 each at every q, the mean of
    s² is (sigma_w² mu_1)^L, 10^539.8 for ReLU, and its spread L (mu_2 / mu_1² - 1 + 1) whatever q is; the layers
    past the range had made them no number, and then "a mean of 0"."""
    config = Config(activation=activation, init="normal", std=100.0, width=50, depth=100, batch=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moments = predicted_moments(config)
    mu1, mu2 = np.mean(slope2), np.mean(np.square(slope2))
    assert moments["log10_mean_squared"] == pytest.approx(config.depth * math.log10(50 * 100.0**2 * mu1), rel=1e-12)
    assert moments["mean_squared"] == math.inf  # float64 holds its logarithm only
    assert moments["spread"] == pytest.approx(config.depth * (mu2 / mu1**2 - 1 + 1), rel=1e-9)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear", "elu", "selu", "gelu", "silu"])
@pytest.mark.parametrize("bias", [-100.0, 0.0, 100.0])
def test_a_slope_past_float64s_range_is_its_limit_at_either_infinity(activation, bias):
    """q = inf (or NaN after it): u is ±inf with probability 1/2 whatever the mean bias, so mu_1 = (f'(-inf)² +
    f'(inf)²) / 2; and a very large finite q is already within rounding of that limit."""
    from core.activations import derivative
    from core.spectrum import slope_moments

    config = Config(activation=activation, bias=bias)
    ends = derivative(activation, np.array([-np.inf, np.inf]), config.slope) ** 2
    limit = ends.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for q in (math.inf, math.nan):
            mu1, excess = slope_moments(config, q)
            assert mu1 == pytest.approx(limit, rel=1e-15)
            assert excess == pytest.approx((ends**2).mean() / limit**2 - 1, rel=1e-12, abs=1e-15)
        assert slope_moments(config, 1e300)[0] == pytest.approx(limit, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("bias", [-100.0, -96.0, -30.0, 0.0, 30.0, 96.0, 100.0])
@pytest.mark.parametrize("init", ["orthogonal", "normal"])
def test_the_theorys_moments_of_any_mean_bias_are_numbers(activation, bias, init):
    """The free-probability moments at any mean bias the page allows, at depth 1 and 100 (where 1.0 randn's chi_1 of
    hundreds takes the mean of s² past float64's range): no warning, no NaN, never negative; the mean prod_l chi_l
    as the sum of the layers' logarithms gives it wherever float64 holds it; a mean of 0 (ReLU under -96: every slope
    0) has variance 0, not 0 times inf."""
    from core.spectrum import slope_moments
    from core.theory import layer_sigma_w2, predict

    for depth in (1, 100):
        config = Config(activation=activation, bias=bias, init=init, std=1.0, depth=depth)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            moments = predicted_moments(config)
        assert moments["mean_squared"] >= 0 and moments["variance_squared"] >= 0 and moments["spread"] >= 0, moments
        q = predict(config)["pre_std"] ** 2
        chi = [float(layer_sigma_w2(config)[0][layer]) * slope_moments(config, float(q[layer]))[0]
               for layer in range(1, depth + 1)]
        if 0.0 in chi:
            assert (moments["mean_squared"], moments["variance_squared"]) == (0.0, 0.0)
            assert moments["log10_mean_squared"] == -math.inf
            continue
        log10_mean = math.fsum(math.log10(c) for c in chi)  # what float64 cannot hold is still said in its log
        assert moments["log10_mean_squared"] == pytest.approx(log10_mean, rel=1e-12, abs=1e-9)
        if -300 < log10_mean < 300:
            assert math.log10(moments["mean_squared"]) == pytest.approx(log10_mean, rel=1e-9, abs=1e-9)
        else:
            assert moments["mean_squared"] == (math.inf if log10_mean > 0 else pytest.approx(0.0, abs=1e-290))


@pytest.mark.parametrize("depth", [34, 64, 100])
def test_a_deep_linear_networks_density_is_a_number_everywhere_and_integrates_to_1(depth):
    # a linear He network of depth 100: the overlay had held NaN and inf where x = s² / mean underflowed
    config = Config(activation="linear", init="he_normal", depth=depth, width=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = predicted_density(config)
    assert predicted.kind == "density"
    assert np.isfinite(predicted.log10_s).all() and np.isfinite(predicted.density).all()
    assert np.all(np.diff(predicted.log10_s) > 0)
    area = np.sum(0.5 * (predicted.density[1:] + predicted.density[:-1]) * np.diff(predicted.log10_s))
    assert area == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("exponent", [-218, -160, -1, 0, 150, 300])
def test_the_mean_and_variance_of_s2_are_exact_past_float64s_range(exponent):
    """square_moments against the same sums in exact decimal arithmetic: s of 10⁻²¹⁸ (a linear network of depth
    100 at std 0.001) has s² of 10⁻⁴³⁶, which float64's np.mean(s**2) gives as 0 and the page had written "0"."""
    from decimal import Decimal, localcontext

    from core.spectrum import square_moments

    values = np.random.default_rng(exponent + 1000).uniform(0.1, 3.0, 100) * 10.0**exponent
    mean, variance = square_moments(values)
    with localcontext() as context:
        context.prec = 60
        squares = [Decimal(v) ** 2 for v in values]
        exact_mean = sum(squares) / len(squares)
        exact_variance = sum((q - exact_mean) ** 2 for q in squares) / len(squares)
    assert abs(mean / exact_mean - 1) < Decimal("1e-12") and abs(variance / exact_variance - 1) < Decimal("1e-9")
    assert square_moments(np.zeros(4)) == (0, 0) and square_moments(np.array([]))[0] == 0


def test_the_ratio_of_two_zero_percentiles_is_no_number_and_of_a_zero_p10_alone_inf():
    """Zero weights' J is exactly 0: p90 / p10 is 0 / 0, which the command line had printed as inf."""
    zero = spectrum(Config(init="zeros", depth=3, width=10, batch=10))
    assert zero.summary()["p90"] == 0 and math.isnan(zero.summary()["ratio"])
    assert summary(np.array([0.0] * 20 + [1.0] * 80))["ratio"] == math.inf  # p10 0, p90 1
