"""Convolutional layers (core/conv.py and arch="conv"): fans as torch counts them, the variance rules at interior and
border pixels, the symmetry of filters, the products against torch and finite differences, delta-orthogonal isometry."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config, MemoryBudgetError, conv, estimate_memory, simulate, threads
from core.__main__ import main
from core.config import INITS
from core.draws import unit_weights
from core.initializers import gain_of, scale_weights, weight_std
from core.network import estimate_work, network_draws, work_terms
from core.schemes import REGISTRY
from core.theory import border_variance, predict
from tests.gradcheck import assert_directional, central_differences
from tests.test_cli import given_once
from tests.traced import traced_peak

SMALL = Config(arch="conv", depth=3, width=4, batch=10, image=4, init="he_normal", activation="tanh", dtype="float64")


def random(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --- Fans: C_in k^2 and C_out k^2, as torch.nn.init._calculate_fan_in_and_fan_out --------------------------------

@pytest.mark.parametrize("shape, expected", [((32, 16, 3, 3), (144, 288)), ((8, 1, 5, 5), (25, 200)),
                                             ((10, 20), (20, 10)), ((4, 3, 1, 1), (3, 4))])
def test_fans_count_the_kernel(shape, expected):
    assert conv.fans(shape) == expected  # fan_in = C_in k^2, fan_out = C_out k^2; a Linear (out, in) weight: (in, out)


def test_fans_agree_with_torch():
    torch = pytest.importorskip("torch")
    for shape in [(32, 16, 3, 3), (8, 1, 5, 5), (7, 3, 1, 1), (10, 20)]:
        assert conv.fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_config_fans_are_the_conv_weights_fans():
    """Config.shapes, which every scheme's variance and the theory read, is core.conv.fans of each torch weight."""
    c = Config(arch="conv", depth=3, widths=(3, 8, 16, 4), kernel=5, image=8)
    weights = [(c_out, c_in, 5, 5) for c_in, c_out in zip(c.units[:-1], c.units[1:])]
    assert c.shapes == tuple(conv.fans(shape) for shape in weights)
    assert c.matrices == tuple((25 * c_in, c_out) for c_out, c_in, _, _ in weights)  # the im2col products' W
    digits = Config(arch="conv", input="digits", depth=2, width=8)
    assert digits.units[0] == 1 and digits.image == 8 and digits.rows == digits.batch * 64  # one channel, 8 x 8


@pytest.mark.parametrize("init", [name for name in INITS if REGISTRY[name].family in ("normal", "uniform")])
def test_every_random_scheme_draws_conv_weights_with_conv_fans(init):
    """Each layer's measured weight std is the scheme's formula at fan_in = C_in k^2, fan_out = C_out k^2 (layers of
    unequal fans, so fan_in, fan_out and fan_avg formulas differ)."""
    c = Config(arch="conv", depth=2, widths=(16, 32, 8), batch=10, image=4, init=init, mode="fan_out")
    r = simulate(c)
    for layer, (fan_in, fan_out) in enumerate(c.shapes, start=1):
        n = c.matrices[layer - 1][0] * c.matrices[layer - 1][1]
        expected = weight_std(c, fan_in, fan_out)
        # the std of n draws strays from the law's by about 1/sqrt(2 n) relative (n >= 2,304 here)
        assert r.weight_std[layer] == pytest.approx(expected, rel=5 / math.sqrt(2 * n))
        assert fan_in == 9 * c.units[layer - 1] and fan_out == 9 * c.units[layer]


def test_orthogonal_conv_weights_are_torchs_flattened_qr():
    """torch.nn.init.orthogonal_ flattens a (C_out, C_in, k, k) weight to (C_out, C_in k^2): orthonormal rows or
    columns, mean square 1 / max(C_out, C_in k^2), which the scheme's variance gives from the conv fans."""
    for c in [Config(arch="conv", depth=2, widths=(4, 8, 8), batch=10, image=4, init="orthogonal", gain=1.5),
              Config(arch="conv", depth=2, width=32, input="digits", init="orthogonal", gain=1.5)]:
        units = c.units  # C_in k^2 = 36 > C_out = 8, and C_in k^2 = 9 < C_out = 32 (one channel of digits)
        m = 1.5 * unit_weights(c.seed, 0, *c.matrices[0], "orthogonal", "float64")  # (C_in k^2, C_out)
        gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        np.testing.assert_allclose(gram, 2.25 * np.eye(min(m.shape)), atol=1e-10)
        assert weight_std(c, *c.shapes[0]) ** 2 == pytest.approx(np.mean(m**2), rel=1e-12)
        assert weight_std(c, *c.shapes[0]) ** 2 == pytest.approx(2.25 / max(units[1], 9 * units[0]))


# --- The products: torch, finite differences --------------------------------------------------------------------

@pytest.mark.parametrize("padding", conv.PADDINGS)
@pytest.mark.parametrize("kernel", [1, 3, 5])
def test_forward_and_backward_agree_with_torch(padding, kernel):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x, w, dz = random((2, 6, 6, 3), 1), random((4, 3, kernel, kernel), 2), random((2, 6, 6, 4), 3)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)  # NCHW
    wt = torch.tensor(w, requires_grad=True)
    p = kernel // 2
    zt = functional.conv2d(functional.pad(xt, (p, p, p, p), mode="circular"), wt) if padding == "circular" \
        else functional.conv2d(xt, wt, padding="same")
    zt.backward(torch.tensor(dz.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(conv.conv2d(x, w, padding), zt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-12)
    dx, dw = conv.conv2d_backward(x, w, dz, padding)
    np.testing.assert_allclose(dx, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("padding", conv.PADDINGS)
def test_forward_is_the_correlation_sum(padding):
    """z[n, i, j, o] = sum x[n, i + a - 1, j + b - 1, c] w[o, c, a, b], written out pixel by pixel (no torch)."""
    x, w = random((2, 4, 5, 2), 4), random((3, 2, 3, 3), 5)
    z = conv.conv2d(x[:, :, :4], w, padding)  # square images
    x = x[:, :, :4]
    expected = np.zeros((2, 4, 4, 3))
    for i in range(4):
        for j in range(4):
            for a in range(3):
                for b in range(3):
                    u, v = i + a - 1, j + b - 1
                    if padding == "circular":
                        u, v = u % 4, v % 4
                    elif not (0 <= u < 4 and 0 <= v < 4):
                        continue
                    expected[:, i, j] += x[:, u, v] @ w[:, :, a, b].T
    np.testing.assert_allclose(z, expected, atol=1e-12)


@pytest.mark.parametrize("padding", conv.PADDINGS)
def test_backward_matches_finite_differences(padding):
    x, w, g = random((2, 5, 5, 2), 6), random((3, 2, 3, 3), 7), random((2, 5, 5, 3), 8)

    def loss() -> float:  # L = sum g * conv(x, w): dL/dz = g
        return float(np.sum(g * conv.conv2d(x, w, padding)))

    dx, dw = conv.conv2d_backward(x, w, g, padding)
    np.testing.assert_allclose(dw, central_differences(loss, w, lambda v: 1e-6), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(dx, central_differences(loss, x, lambda v: 1e-6), rtol=1e-7, atol=1e-8)


def shifted_sum(x: np.ndarray, w: np.ndarray, padding: str) -> np.ndarray:
    """The correlation as k^2 shifted copies of x, each times one tap's (C_in, C_out) matrix: no patches, no chunks.
    x (N, H, W, C_in), w (C_out, C_in, k, k) -> (N, H, W, C_out)."""
    p = w.shape[-1] // 2
    mode = "wrap" if padding == "circular" else "constant"
    padded = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode=mode)
    n, size = x.shape[0], x.shape[1]
    z = np.zeros((n, size, size, w.shape[0]))
    for a in range(w.shape[-1]):
        for b in range(w.shape[-1]):
            z += padded[:, a:a + size, b:b + size] @ w[:, :, a, b].T
    return z


@pytest.mark.parametrize("padding", conv.PADDINGS)
@pytest.mark.parametrize("kernel", [1, 3, 5])
@pytest.mark.parametrize("size", [5, 6])
def test_chunked_products_agree_with_shifted_sums_and_finite_differences(monkeypatch, padding, kernel, size):
    """core.conv's products split into parts of chunks of 2 images (7 images: 4 chunks, 3 parts, one chunk short),
    C_in = 3 != C_out = 4, odd and even sizes: forward = the shifted-copy sum, the gradients = finite differences of
    L = sum(g * conv(x, w)), and the same bits whether a free core computes some parts or not."""
    monkeypatch.setattr(conv, "CHUNK_BYTES", 2 * size * size * 8 * kernel * kernel * 4)  # 2 images of 4 channels
    monkeypatch.setattr(conv, "PARTS", 3)
    x, w, g = random((7, size, size, 3), 9), random((4, 3, kernel, kernel), 10), random((7, size, size, 4), 11)
    geometry = conv.Geometry(7, size, kernel, padding)
    row_bytes = 8 * kernel * kernel * 4  # float64 patches of dL/dz, 4 channels
    assert [len(geometry.chunks(*part, row_bytes)) for part in geometry.parts(row_bytes)] == [2, 1, 1]
    assert geometry.chunk_images(row_bytes) == 2 and geometry.chunk_images(row_bytes * 3 // 4) == 2  # x: 3 channels
    rows = geometry.rows
    m, x_rows, g_rows = conv.matrix(w), x.reshape(rows, 3), g.reshape(rows, 4)
    np.testing.assert_allclose(geometry.forward(x_rows, m), shifted_sum(x, w, padding).reshape(rows, 4), atol=1e-12)

    def loss() -> float:  # linear in w and in x: central differences are exact but for rounding, less at a large step
        return float(np.sum(g * shifted_sum(x, w, padding)))

    # Along random unit directions (tests/gradcheck.py): float64 round-off of L, |terms| summed (A) times u sqrt(K),
    # K the roundings on a term's way (k^2 C_in products a pre-activation, then the sum over rows x C_out), twice
    # over 2h; L is linear, so no truncation error.
    terms = np.abs(g * shifted_sum(x, w, padding)).sum()
    tolerance = 2 * math.sqrt(kernel**2 * 3 + rows * 4) * np.finfo(np.float64).eps / 2 * terms / 1e-2
    dw = geometry.weight_grad(x_rows, g_rows)  # (k^2 C_in, C_out)
    assert_directional(conv.weight(dw, 3, kernel), loss, w, 1e-2, tolerance, seed=12)
    dx = geometry.input_grad(g_rows, m)
    assert_directional(dx.reshape(x.shape), loss, x, 1e-2, tolerance, seed=13)
    monkeypatch.setattr(threads, "machine_has_a_free_core", lambda: True)  # whatever else runs on this machine
    with threads.compute_slot():  # the parts on a free core too, as the app computes
        both = geometry.forward(x_rows, m), geometry.weight_grad(x_rows, g_rows), geometry.input_grad(g_rows, m)
    alone = geometry.forward(x_rows, m), geometry.weight_grad(x_rows, g_rows), geometry.input_grad(g_rows, m)
    for shared, single in zip(both, alone):
        np.testing.assert_array_equal(shared, single)


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_chunked_products_keep_one_filter_per_layer(monkeypatch, init):
    """Split into chunks and parts, on two cores, a constant init still gives one distinct channel and gradient."""
    monkeypatch.setattr(conv, "CHUNK_BYTES", 3 * 36 * 9 * 8 * 4)  # 3 images of 8 float32 channels
    c = Config(arch="conv", depth=3, width=8, batch=20, image=6, init=init, activation="tanh")
    assert len(conv.Geometry(c.batch, c.image, c.kernel).parts(9 * 8 * 4)) == conv.PARTS
    monkeypatch.setattr(threads, "machine_has_a_free_core", lambda: True)
    with threads.compute_slot():
        r = simulate(c)
    np.testing.assert_array_equal(r.distinct_units[1:], 1)
    np.testing.assert_array_equal(r.distinct_grad_units[1:-1], 1)


def reference_terms(config: Config, weights: list[np.ndarray]) -> np.ndarray:
    """The terms readout * h_depth / batch of the simulation's batch-mean loss, (rows, C_out), with torch-layout
    weights and conv2d."""
    d = network_draws(config)
    h = d.x.reshape(config.batch, config.image, config.image, -1)
    for w in weights:
        z = conv.conv2d(h, w, config.padding)
        if config.batch_norm:  # BatchNorm2d: per channel over batch and positions
            z = (z - z.mean((0, 1, 2))) / np.sqrt(z.var((0, 1, 2)) + 1e-5)
        h = np.tanh(z)
    return d.readout * h.reshape(config.rows, -1) / config.batch


def reference_loss(config: Config, weights: list[np.ndarray]) -> float:
    """The simulation's batch-mean loss sum(readout * h_depth) / batch."""
    return float(reference_terms(config, weights).sum())


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("padding", conv.PADDINGS)
def test_simulated_conv_gradients_match_finite_differences(batch_norm, padding):
    """Each layer's weight gradient against central differences along 4 random unit directions v: <g, v> =
    (L(w + h v) - L(w - h v)) / 2h. An error e in g moves <g, v> by about |e| / sqrt(144) (a 4 x 4 x 3 x 3 layer),
    so the check sees an error of norm above about 12 times the tolerance, as the entry-by-entry check (rtol 1e-5
    of entries about 0.3) did, with 8 evaluations of L a layer instead of 288."""
    c = replace(SMALL, batch_norm=batch_norm, padding=padding)
    r = simulate(c, keep_gradients=True)
    d = network_draws(c)
    weights = [conv.weight(weight_std(c, *fans) * unit, c_in, 3)
               for unit, fans, c_in in zip(d.weights, c.shapes, c.units)]
    # Float64 round-off of L: its |terms| summed (A) times u sqrt(K), K the roundings on a term's way (each layer's
    # sum over C_in k^2 taps and batch norm's over the positions, then the loss's sum): the probabilistic bound of
    # Higham & Mary 2019. The difference quotient divides two such errors by 2h. The truncation error, h^2 / 6
    # times the third derivative along a unit v, is about 1e-13 here, far below.
    h, u = 1e-6, np.finfo(np.float64).eps / 2
    roundings = sum(9 * c_in + c.rows * c.batch_norm for c_in in c.units[:-1]) + c.rows * c.width
    tolerance = 2 * math.sqrt(roundings) * u * np.abs(reference_terms(c, weights)).sum() / h
    for layer, c_in in enumerate(c.units[:-1]):
        assert_directional(conv.weight(r.weight_grads[layer], c_in, 3), lambda: reference_loss(c, weights),
                           weights[layer], h, tolerance, seed=layer)


def test_simulated_statistics_are_over_batch_positions_and_channels():
    c = replace(SMALL, bias_std=0.2)
    r = simulate(c)
    d = network_draws(c)
    h = d.x.reshape(c.batch, c.image, c.image, -1)
    from core.initializers import layer_biases
    for layer, (unit, b) in enumerate(zip(d.weights, layer_biases(c)), start=1):
        z = conv.conv2d(h, conv.weight(weight_std(c, *c.shapes[layer - 1]) * unit, c.units[layer - 1], 3)) + b
        h = np.tanh(z)
        assert r.pre_std[layer] == pytest.approx(z.std(), rel=1e-10)
        assert r.act_std[layer] == pytest.approx(h.std(), rel=1e-10)
        assert r.act_mean[layer] == pytest.approx(h.mean(), rel=1e-9, abs=1e-14)


# --- Variance at interior and border pixels ----------------------------------------------------------------------

def test_layer_one_std_is_sigma_sqrt_fan_in_inside_and_less_at_the_borders():
    """Linear conv, N(0, sigma^2) weights, unit-variance images: Var(z) = sigma^2 C_in (taps inside) per pixel:
    sigma sqrt(C_in k^2) in the interior, sqrt(6/9) of it on an edge and sqrt(4/9) at a corner for k = 3."""
    c = Config(arch="conv", depth=1, width=64, batch=200, image=6, init="normal", std=0.05, activation="linear")
    d = network_draws(c)
    z = conv.Geometry(c.batch, c.image, 3).forward(d.x, 0.05 * d.weights[0])
    per_pixel = z.reshape(c.batch, 6, 6, -1).std(axis=(0, 3))  # (6, 6) over images and channels
    interior = 0.05 * math.sqrt(64 * 9)
    assert per_pixel[1:-1, 1:-1].mean() == pytest.approx(interior, rel=0.03)
    assert per_pixel[0, 1:-1].mean() == pytest.approx(interior * math.sqrt(6 / 9), rel=0.03)  # edges
    assert per_pixel[::5, ::5].mean() == pytest.approx(interior * math.sqrt(4 / 9), rel=0.03)  # the 4 corners
    np.testing.assert_allclose(per_pixel / interior, np.sqrt(conv.taps_inside(6, 3) / 9), rtol=0.05)
    # the simulation pools the pixels: its layer-1 std is the interior's times sqrt(mean taps inside / k^2)
    pooled = interior * math.sqrt(conv.taps_inside(6, 3).mean() / 9)
    assert simulate(c).pre_std[1] == pytest.approx(pooled, rel=0.02)
    circular = simulate(replace(c, padding="circular"))  # no borders: every pixel is interior
    assert circular.pre_std[1] == pytest.approx(interior, rel=0.02)


def ratios(init: str, seeds: int = 4) -> float:
    """The mean layer-to-layer ratio of the pre-activations' second moment in 20-layer ReLU conv nets (circular
    padding: every pixel interior), over a few seeds."""
    config = Config(arch="conv", depth=20, width=64, batch=32, image=8, padding="circular", init=init,
                    activation="relu")
    runs = threads.parallel_map(simulate, [replace(config, seed=seed) for seed in range(seeds)])
    return float(np.mean([np.mean(r.pre_std[2:] ** 2 / r.pre_std[1:-1] ** 2) for r in runs]))


@pytest.mark.slow
def test_he_keeps_and_xavier_halves_the_variance_through_20_relu_conv_layers():
    """He et al. 2015: Var(w) = 2 / (C k^2) keeps E[z^2] layer after layer; Xavier's 1 / (C k^2) halves it, as for
    dense layers."""
    assert ratios("he_normal") == pytest.approx(1.0, abs=0.04)
    assert ratios("xavier_normal") == pytest.approx(0.5, abs=0.02)


# --- Symmetry: filters that cannot differ ------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_zero_or_constant_init_gives_one_distinct_filter_per_layer(init):
    r = simulate(Config(arch="conv", depth=4, width=8, batch=10, image=6, init=init, activation="tanh"))
    np.testing.assert_array_equal(r.distinct_units[1:], 1)  # every channel the same map
    np.testing.assert_array_equal(r.distinct_grad_units[1:-1], 1)  # and the same gradient below the read-out
    random_init = simulate(Config(arch="conv", depth=4, width=8, batch=10, image=6, init="he_normal"))
    np.testing.assert_array_equal(random_init.distinct_units[1:], 8)


# --- Delta-orthogonal: an exact isometry ---------------------------------------------------------------------------

def jacobian(weights: list[np.ndarray], size: int, padding: str) -> np.ndarray:
    """The Jacobian of a linear conv net, (C size^2, C size^2), built column by column: one basis image each."""
    channels = weights[0].shape[1]
    n = channels * size * size
    h = np.eye(n).reshape(n, size, size, channels)  # image i is the i-th basis vector
    for w in weights:
        h = conv.conv2d(h, w, padding)
    return h.reshape(n, -1).T


def test_delta_orthogonal_linear_circular_net_is_an_isometry():
    """Xiao et al. 2018: centre tap orthogonal, others 0; with circular padding every singular value of the
    input-output Jacobian is 1."""
    kernel, channels, size = 3, 4, 5
    weights = [conv.delta_orthogonal(unit_weights(0, layer, channels, channels, "orthogonal", "float64"), kernel)
               for layer in range(6)]
    assert all((w[:, :, 1, 1] != 0).all() and np.count_nonzero(w) == channels**2 for w in weights)
    singular = np.linalg.svd(jacobian(weights, size, "circular"), compute_uv=False)
    np.testing.assert_allclose(singular, 1.0, atol=1e-6)
    # He-normal kernels of the same fans are no isometry: their singular values spread
    he = [random((channels, channels, kernel, kernel), layer) * math.sqrt(2 / (channels * 9)) for layer in range(6)]
    spread = np.linalg.svd(jacobian(he, size, "circular"), compute_uv=False)
    assert spread.max() / spread.min() > 10


@pytest.mark.parametrize("widths", [(4, 4, 4), (3, 8, 5)])
def test_delta_orthogonal_scheme_puts_an_orthogonal_matrix_on_the_centre_tap(widths):
    """The registry's delta_orthogonal draws each conv layer's weight as core.conv.delta_orthogonal of a (C_in, C_out)
    orthogonal draw: the centre tap gain x an orthogonal matrix, every other tap exactly 0; Var(w) over the whole
    kernel is the scheme's formula, gain^2 / max(fan_in, fan_out)."""
    c = Config(arch="conv", depth=2, widths=widths, batch=10, image=5, kernel=3, init="delta_orthogonal", gain=1.5,
               dtype="float64")
    draws = network_draws(c)
    for layer, (fan_in, fan_out) in enumerate(c.shapes):
        c_in, c_out = c.units[layer], c.units[layer + 1]
        w = conv.weight(scale_weights(c, draws.weights[layer], fan_in, fan_out, shape=c.matrices[layer]), c_in, 3)
        unit = unit_weights(c.seed, layer, c_in, c_out, "orthogonal", "float64")
        np.testing.assert_array_equal(w, conv.delta_orthogonal(unit, 3, 1.5))
        centre = w[:, :, 1, 1]  # (C_out, C_in)
        gram = centre @ centre.T if c_out <= c_in else centre.T @ centre
        np.testing.assert_allclose(gram, 2.25 * np.eye(min(c_in, c_out)), atol=1e-12)
        assert np.count_nonzero(w) == np.count_nonzero(centre)  # nothing off the centre tap
        assert weight_std(c, fan_in, fan_out) ** 2 == pytest.approx(np.mean(w**2), rel=1e-12)


def test_delta_orthogonal_is_plain_orthogonal_for_dense_layers():
    """A dense layer is all centre tap: the same W as the orthogonal scheme, draw for draw."""
    for c in [Config(depth=3, width=20, init="delta_orthogonal", gain=1.2),
              Config(depth=2, widths=(12, 30, 7), init="delta_orthogonal", gain=1.2)]:
        twin = simulate(replace(c, init="orthogonal"))
        r = simulate(c)
        np.testing.assert_array_equal(r.weight_std, twin.weight_std)
        np.testing.assert_array_equal(r.stats["pre_std"], twin.stats["pre_std"])


def test_delta_orthogonal_keeps_every_pixels_variance_even_with_zero_padding():
    """Only the centre tap is non-zero, so no pixel reads the padding: a linear delta-orthogonal net keeps the
    variance pooled over pixels at 1 with zero padding too (i.i.d. taps would lose border_variance's share, about
    21 % at layer 1 on 6 x 6 images), the same numbers as with circular padding, and the theory says so exactly."""
    c = Config(arch="conv", depth=4, width=16, batch=20, image=6, init="delta_orthogonal", activation="linear",
               dtype="float64")
    r, wrapped = simulate(c), simulate(replace(c, padding="circular"))
    assert border_variance(6, 3, 1)[1].mean() < 0.8  # what i.i.d. taps would keep at layer 1
    np.testing.assert_allclose(r.stats["pre_std"][1:], 1.0, rtol=0.05)
    np.testing.assert_allclose(r.stats["pre_std"], wrapped.stats["pre_std"], rtol=1e-12)
    np.testing.assert_allclose(r.stats["predicted_pre_std"][1:], 1.0, rtol=1e-12)


# --- Config, memory and work -----------------------------------------------------------------------------------------

def test_conv_settings_are_validated():
    with pytest.raises(ValueError, match="kernel=4 is not allowed: it must be an odd number"):
        Config(arch="conv", kernel=4)
    with pytest.raises(ValueError, match="image=0 is not allowed"):
        Config(arch="conv", image=0)
    with pytest.raises(ValueError, match="residual=True is not allowed with arch=conv"):
        Config(arch="conv", residual=True)
    with pytest.raises(ValueError, match="padding='reflect' is not allowed"):
        Config(arch="conv", padding="reflect")
    assert Config(kernel=5, image=9, padding="circular") == Config()  # a dense net has no kernel: one form
    assert Config(arch="conv", input="digits", image=16).image == 8  # digits are their own 8 x 8


def test_conv_memory_estimate_covers_the_kept_arrays_and_refuses_above_the_budget():
    c = Config(arch="conv", depth=10, width=32, batch=256, image=8, init="he_normal", activation="relu")
    rows = 256 * 64
    kept = 4 * (11 * rows * 32 + 10 * rows * 32 + 10 * 288 * 32)  # activations, pre-activations, weights
    patches = 4 * conv.PARTS * conv.CHUNK_BYTES // (4 * 288 * 64) * 64 * 288  # a chunk of whole images a part
    assert patches < 4 * rows * 288  # less than one whole layer's im2col
    assert kept + patches < estimate_memory(c) < 4 * (kept + patches)
    big = replace(c, depth=100, width=256, batch=1000, image=32)
    # a conv net's refusal names what its memory grows with: image² and channels, not a dense net's width
    with pytest.raises(MemoryBudgetError, match=r"lower depth, channels, image or batch \(memory grows as depth x "
                                                r"batch x image\^2 x channels\)"):
        simulate(big)
    with pytest.raises(MemoryBudgetError, match=r"lower depth, channels or batch \(memory grows as depth x batch x "
                                                r"channels\)"):  # the digits' image is theirs, 8 x 8
        simulate(replace(big, input="digits", image=8, batch=1797, width=2048))
    assert estimate_work(replace(c, kernel=5)) > estimate_work(c)  # a larger kernel is more work


MEMORY_FACTOR = 2.5  # the estimate is an upper bound, and at most this many times what a conv net of some size
# allocates (1.6 to 2.4 times for these; a tiny net's fixed overheads make it 3 times its few MiB)


# Batches at which each layer's im2col patches (9 to 100 MiB) still exceed conv.PARTS chunks of conv.CHUNK_BYTES
# (6 MiB), so the estimate's one-chunk-a-part term is the one a run meets: every term is exercised, at a quarter to
# a half of the batches first measured (where the ratios were 1.5 to 2.3).
@pytest.mark.slow
@pytest.mark.parametrize("config", [
    Config(arch="conv", depth=10, width=32, batch=128, image=8, init="he_normal", activation="relu"),
    Config(arch="conv", depth=6, width=64, batch=50, image=16, init="xavier_normal", activation="tanh"),
    Config(arch="conv", depth=4, width=16, batch=500, image=16, kernel=5, init="orthogonal", activation="tanh"),
    Config(arch="conv", depth=4, width=32, batch=25, image=16, padding="circular", batch_norm=True, dtype="float64"),
], ids=["relu-32", "tanh-64", "k5-orthogonal", "float64-bn"])
def test_conv_memory_estimate_bounds_what_a_run_allocates(config):
    """estimate_memory against tracemalloc's peak over simulate(): never below it (the admission refuses what would
    not fit), never MEMORY_FACTOR times above it (a network that fits is not refused). The im2col patches count
    one chunk a part (conv.CHUNK_BYTES), as conv.Geometry allocates them, not a whole layer's."""
    simulate(config)  # the first run's caches (the digits, the shell orders) are not the run's own
    peak = traced_peak(lambda: simulate(config))
    assert peak <= estimate_memory(config) < MEMORY_FACTOR * peak


def test_dense_networks_ignore_the_conv_path():
    """A dense Config's fans and products are the matrices' own: shapes equal matrices, one receptive field."""
    c = Config(depth=3, widths=(64, 128, 32, 16))
    assert c.shapes == c.matrices == ((64, 128), (128, 32), (32, 16)) and c.receptive_field == 1 and c.rows == c.batch
    assert gain_of(replace(c, init="orthogonal")) == 1.0


# --- Theory: conv fans, and the borders ------------------------------------------------------------------------------

def test_border_variance_counts_the_taps_inside():
    maps = border_variance(5, 3, 2)
    np.testing.assert_allclose(maps[1], conv.taps_inside(5, 3) / 9)  # 4/9 at a corner, 6/9 on an edge, 1 inside
    assert maps[2][0, 0] == pytest.approx((4 + 6 + 6 + 9) / 81)  # the corner averages its 4 neighbours' layer-1 share
    assert maps[2][2, 2] == 1.0  # k // 2 pixels inward a layer: the centre of 5 x 5 is still interior at layer 2
    np.testing.assert_allclose(border_variance(5, 3, 4, "circular"), 1.0, rtol=1e-12)  # no borders


@pytest.mark.slow
def test_border_pixels_lose_the_predicted_variance_layer_after_layer():
    """Measured per-pixel variance of a linear conv net with sigma_w^2 = C k^2 Var(w) = 1, against border_variance."""
    c = Config(arch="conv", depth=3, width=64, batch=100, image=9, init="normal", std=1 / math.sqrt(64 * 9),
               activation="linear", dtype="float64")
    d = network_draws(c)
    geometry, h = conv.Geometry(c.batch, c.image, 3), d.x
    predicted = border_variance(9, 3, 3)
    for layer, unit in enumerate(d.weights, start=1):
        h = geometry.forward(h, c.std * unit)
        measured = np.mean(h.reshape(c.batch, 9, 9, -1) ** 2, axis=(0, 3))  # (9, 9): each pixel's second moment
        np.testing.assert_allclose(measured, predicted[layer], rtol=0.08)
        assert measured[0, 0] / measured[4, 4] == pytest.approx(predicted[layer][0, 0], rel=0.06)


@pytest.mark.slow
@pytest.mark.parametrize("padding", conv.PADDINGS)
def test_theory_matches_a_tanh_conv_net_at_every_layer(padding):
    c = Config(arch="conv", depth=8, width=64, batch=64, image=8, init="xavier_normal", activation="tanh",
               padding=padding)
    r = simulate(c)
    for name in ("pre_std", "act_std", "grad_std"):
        np.testing.assert_allclose(r.stats[name][1:], r.stats[f"predicted_{name}"][1:], rtol=0.04)


@pytest.mark.slow
def test_theory_reads_the_digits_pixel_by_pixel():
    """Layer 1 of a conv net on the digits: Var z(p) = Var(w) sum of E[x^2] over the window (sigma_w^2 box(E[x^2])(p)),
    the blank left edge included. Only
    64 x 9 weights set the scale: their mean square strays by about sqrt(2 / 576) = 6 % (3 % in std)."""
    c = Config(arch="conv", depth=2, width=64, batch=500, input="digits", init="xavier_normal", activation="tanh")
    r = simulate(c)
    second = np.mean(np.square(network_draws(c).x.reshape(500, 8, 8)), axis=0)
    var_w = weight_std(c, *c.shapes[0]) ** 2
    pooled = math.sqrt(var_w * np.mean(conv.conv2d(second[None, :, :, None], np.ones((1, 1, 3, 3)))))
    assert r.predicted_pre_std[1] == pytest.approx(pooled, rel=1e-6)  # the theory's own sum (float32 images here)
    assert r.pre_std[1] == pytest.approx(pooled, rel=0.06)


def test_circular_conv_theory_is_the_dense_recursion_with_conv_fans():
    """No borders: every pixel follows the dense recursion of a layer with fan_in = fan_out = C k^2."""
    conv_net = Config(arch="conv", depth=6, width=16, batch=10, image=4, padding="circular", init="xavier_normal",
                      activation="tanh", bias_std=0.2)
    dense = Config(depth=6, width=16 * 9, init="xavier_normal", activation="tanh", bias_std=0.2)
    got, expected = predict(conv_net), predict(dense)
    for name in ("pre_std", "act_std", "grad_std"):
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-12)
    zeros = predict(replace(conv_net, padding="zeros"))
    assert (zeros["pre_std"][1:] < got["pre_std"][1:]).all()  # the borders lose variance


# --- The command line ---------------------------------------------------------------------------------------------

def cli(*args: str, capsys) -> tuple[int, str, str]:
    try:
        code = main(given_once({"--depth": "2", "--batch": "10"}, args))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow
def test_the_command_line_runs_a_conv_net_and_its_json_carries_the_settings(capsys):
    code, out, err = cli("--arch", "conv", "--channels", "6", "--kernel", "5", "--image", "7", "--padding",
                         "circular", "--init", "he_normal", "--json", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    config = Config.from_dict(data["config"])
    assert (config.arch, config.width, config.kernel, config.image, config.padding) == ("conv", 6, 5, 7, "circular")
    assert [(row["fan_in"], row["fan_out"]) for row in data["layers"][1:]] == [(6 * 25, 6 * 25)] * 2
    expected = simulate(config)
    assert [row["pre_std"] for row in data["layers"][1:]] == pytest.approx(expected.pre_std[1:].tolist(), rel=1e-12)
    code, out, err = cli("--arch", "conv", "--channels", "6", "--image", "7", capsys=capsys)
    assert code == 0 and "6 channels of 3x3 convolutions on 7x7 images (zeros padding)" in out.splitlines()[0]


@pytest.mark.slow
def test_the_command_line_writes_a_conv_nets_jacobian_spectrum(capsys):
    """--spectrum on a conv net: J over every pixel's channels, (P C, P C) a sample; delta-orthogonal + linear +
    circular padding writes every percentile 1, and the JSON holds every singular value, 1 to 1e-6."""
    args = ("--arch", "conv", "--channels", "4", "--image", "5", "--depth", "6", "--init", "delta_orthogonal",
            "--activation", "linear", "--padding", "circular", "--spectrum")
    code, out, err = cli(*args, capsys=capsys)
    assert code == 0, err
    assert "Jacobian singular values (2 inputs, 200 values): p10 1, median 1, p90 1, p90/p10 1" in out
    code, out, err = cli(*args, "--json", capsys=capsys)
    values = json.loads(out)["spectrum"]["singular_values"]
    assert len(values) == 200 and np.allclose(values, 1.0, atol=1e-6)


@pytest.mark.parametrize("args, named", [
    (("--channels", "6"), "--channels counts a conv net's channels; give --arch conv"),
    (("--arch", "conv", "--kernel", "4"), "--kernel 4 is not allowed: it must be an odd number"),
    (("--arch", "conv", "--image", "65"), "argument --image: '65' is out of range: allowed 1 to 64"),
    (("--arch", "conv", "--channels", "6", "--width", "8"), "--channels is a conv net's width"),
    (("--arch", "conv", "--channels", "500", "--depth", "10", "--train", "5", "--task", "digits"),
     "simulating and training this configuration needs about"),
    (("--arch", "conv", "--residual"), "--residual is not allowed with --arch conv"),
])
def test_bad_conv_arguments_exit_2_with_one_line(args, named, capsys):
    code, out, err = cli(*args, capsys=capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and named in err


def test_conv_flags_with_a_dense_net_are_noted_and_ignored(capsys):
    code, out, err = cli("--width", "8", "--kernel", "5", "--padding", "circular", "--json", capsys=capsys)
    assert code == 0
    assert err.splitlines() == [f"note: --{name} has no effect with --arch dense (it is for --arch conv); ignored"
                                for name in ("kernel", "padding")]
    assert Config.from_dict(json.loads(out)["config"]) == Config(depth=2, width=8, batch=10)


@pytest.mark.parametrize("config", [
    Config(arch="conv", depth=3, widths=(4, 8, 16, 6), batch=10, image=5, init="he_normal"),
    Config(arch="conv", depth=2, width=8, batch=12, input="digits", kernel=5, init="xavier_uniform"),
], ids=["profile", "digits"])
def test_the_work_estimate_counts_the_products_and_patches_simulate_does(monkeypatch, config):
    flops, copied = [0.0], [0.0]
    real_matmul, real_copy = conv.matmul, conv.copy_windows

    # the theory's variance maps (core.theory.box) are one-image, one-channel convolutions: not the net's work
    def matmul(a, b, out=None):
        if a.shape[0] != config.image**2:
            flops[0] += 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        return real_matmul(a, b, out=out)

    def copy_windows(view, out=None):  # view: (images, H, W, k, k, C) of the chunk's images
        patches = real_copy(view, out)
        copied[0] += patches.size if view.shape[0] > 1 else 0
        return patches

    monkeypatch.setattr(conv, "matmul", matmul)
    monkeypatch.setattr(conv, "copy_windows", copy_windows)
    assert not simulate(config).breaks
    terms = work_terms(config)
    assert (flops[0], copied[0]) == (terms["matmuls"], terms["patches"])
    assert terms["elements"] == config.rows * sum(config.units[1:])
