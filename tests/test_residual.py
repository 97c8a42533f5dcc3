"""Residual streams and layer norm: the engine against a plain float64 re-computation and central differences, the
theory against the closed forms of issue 14 (He init, ReLU, no bias, width 500, depth 10), and Config's checks."""

import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config, estimate_memory, simulate
from core.activations import apply
from core.config import INV_SQRT_DEPTH
from core.draws import bias_noise, draw, family
from core.initializers import scale_bias, scale_weights
from core.network import COLUMNS
from core.theory import predict, theory_summary
from tests.gradcheck import central_differences
from tests.traced import traced_peak

ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid")


def normalized(z: np.ndarray, norm: str) -> np.ndarray:
    """N(z), written out: batch norm over axis 0, layer norm over axis 1, eps 1e-5, biased variance."""
    axis = {"batch": 0, "layer": 1}.get(norm)
    if axis is None:
        return z
    return (z - z.mean(axis, keepdims=True)) / np.sqrt(z.var(axis, keepdims=True) + 1e-5)


def reference_stream(config: Config, weights: list, x: np.ndarray) -> list[np.ndarray]:
    """x_0 .. x_depth of the pre-activation residual block, in plain float64 numpy."""
    noise = bias_noise(config.seed, [config.width] * config.depth)
    xs = [x]
    for layer, w in enumerate(weights):
        r = apply(config.activation, normalized(xs[-1], config.norm), config.slope) @ w
        b = scale_bias(config, noise[layer], config.width)
        xs.append(xs[-1] + config.alpha * (r if b is None else r + b))
    return xs


def network(config: Config) -> tuple[list, np.ndarray, np.ndarray]:
    d = draw(config.seed, config.depth, config.width, config.batch, config.input, family(config.init), "float64")
    weights = [scale_weights(config, unit, config.width, config.width) for unit in d.weights]
    return weights, d.x.copy(), d.readout


def residual_config(activation: str, norm: str, **changes) -> Config:
    return Config(depth=3, width=6, batch=10, activation=activation, init="xavier_normal", bias=0.1, bias_std=0.2,
                  dtype="float64", seed=3, residual=True, branch_scale=0.7, batch_norm=norm == "batch",
                  layer_norm=norm == "layer", **changes)


@pytest.mark.slow
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_residual_gradients_match_central_differences(activation, norm):
    """dW_l and the input's gradient dL/dx_0 through skips and branches, for the loss sum(read-out * x_depth)."""
    config = residual_config(activation, norm)
    r = simulate(config, keep_gradients=True)
    weights, x, readout = network(config)

    def loss() -> float:
        return float((readout * reference_stream(config, weights, x)[-1]).sum())

    for layer, w in enumerate(weights):  # the engine's dW is the batch-mean loss's
        numeric = central_differences(loss, w, lambda _: 1e-6) / config.batch
        np.testing.assert_allclose(r.weight_grads[layer], numeric, rtol=1e-5, atol=1e-8)
    dx0 = central_differences(loss, x, lambda _: 1e-6)
    assert r.grad_std[0] == pytest.approx(dx0.std(), rel=1e-6)
    assert r.grad_std[config.depth] == pytest.approx(readout.std(), rel=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_plain_layer_norm_gradients_match_central_differences(activation):
    """s_l = LN(z_l) in a plain network: each sample normalized over its units, forward and backward."""
    config = Config(depth=3, width=5, batch=12, activation=activation, init="xavier_normal", layer_norm=True,
                    bias=0.1, bias_std=0.2, dtype="float64", seed=3)
    r = simulate(config, keep_gradients=True)
    weights, x, readout = network(config)
    noise = bias_noise(config.seed, [5] * 3)

    def loss() -> float:
        h = x
        for layer, w in enumerate(weights):
            s = normalized(h @ w + scale_bias(config, noise[layer], 5), "layer")
            h = apply(activation, s, config.slope)
        return float((readout * h).sum() / config.batch)

    for layer, w in enumerate(weights):
        np.testing.assert_allclose(r.weight_grads[layer], central_differences(loss, w, lambda _: 1e-6),
                                   rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_residual_forward_statistics_match_the_plain_reference(norm):
    config = replace(residual_config("tanh", norm), depth=4, width=30, batch=50)
    r = simulate(config)
    weights, x, _ = network(config)
    xs = reference_stream(config, weights, x)
    for layer in range(1, config.depth + 1):
        u = normalized(xs[layer - 1], norm)
        assert r.pre_std[layer] == pytest.approx(u.std(), rel=1e-10)
        assert r.act_std[layer] == pytest.approx(xs[layer].std(), rel=1e-10)
        assert r.act_mean[layer] == pytest.approx(xs[layer].mean(), rel=1e-9, abs=1e-14)
        assert r.stats["branch_std"][layer] == pytest.approx((xs[layer] - xs[layer - 1]).std(), rel=1e-9)
        assert math.isnan(r.stats["saturated"][layer])
    assert (r.hist_edges[0], r.hist_edges[-1]) == (-3.0, 3.0)  # the stream spreads both ways, whatever f is
    counts, _ = np.histogram(np.clip(xs[-1], -3, 3), bins=r.hist_edges)
    np.testing.assert_array_equal(r.hist_counts[-1], counts)
    plain = simulate(replace(config, residual=False))
    assert np.isnan(plain.stats["branch_std"]).all()


# Issue 14's closed forms: He init, ReLU, no bias, width 500, depth 10, std(x_10) / std(x_0) and the gradient's
# std(dL/dx_0) / std(dL/dx_10). One draw of W moves the stream's variance by several % a block (W is shared by
# the batch, so a larger batch does not help), so the measurement is the variance averaged over 8 seeds, each of a
# batch of 200: the batch's own share of the spread, about 1 / sqrt(batch x width) = 0.3 %, stays far below W's
# (the ratios land where they do at the default batch of 1,000, 1.7 % from the closed form at the most).
CLOSED_FORMS = [
    (dict(branch_scale=1.0), 2 ** (10 / 2)),
    (dict(branch_scale=INV_SQRT_DEPTH), math.sqrt(1.1**10)),
    (dict(branch_scale=0.0), 1.0),
    (dict(branch_scale=1.0, layer_norm=True), math.sqrt(11)),
]


@pytest.mark.parametrize("changes, expected", CLOSED_FORMS)
def test_theory_gives_the_closed_forms(changes, expected):
    config = Config(depth=10, width=500, activation="relu", init="he_normal", residual=True, **changes)
    p = predict(config)  # layer norm's eps = 1e-5 moves sqrt(11) by about 1e-6
    assert p["act_std"][10] / p["act_std"][0] == pytest.approx(expected, rel=1e-5)
    assert p["grad_std"][0] / p["grad_std"][10] == pytest.approx(expected, rel=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("changes, expected", CLOSED_FORMS)
def test_simulation_gives_the_closed_forms(changes, expected):
    forward, backward = [], []
    for seed in range(8):
        r = simulate(Config(depth=10, width=500, batch=200, activation="relu", init="he_normal", residual=True,
                            seed=seed, **changes))
        forward.append((r.act_std[10] / r.act_std[0]) ** 2)
        backward.append((r.grad_std[0] / r.grad_std[10]) ** 2)
        np.testing.assert_allclose(r.act_std, r.stats["predicted_act_std"], rtol=0.25)  # each seed: near theory
    assert math.sqrt(np.mean(forward)) == pytest.approx(expected, rel=0.05)
    assert math.sqrt(np.mean(backward)) == pytest.approx(expected, rel=0.05)


def test_simulation_follows_the_theory_layer_by_layer():
    """Pre-LayerNorm with 1/sqrt(depth) branches, tanh and biases: the dashed curves on the simulated ones."""
    config = Config(depth=8, width=400, batch=400, activation="tanh", init="xavier_normal", bias_std=0.1,
                    residual=True, layer_norm=True, branch_scale=INV_SQRT_DEPTH)
    r = simulate(config)
    np.testing.assert_allclose(r.act_std, r.stats["predicted_act_std"], rtol=0.03)
    np.testing.assert_allclose(r.pre_std[1:], r.stats["predicted_pre_std"][1:], rtol=0.01)
    np.testing.assert_allclose(r.grad_std, r.stats["predicted_grad_std"], rtol=0.05)


# The branch's std in block l, closed forms for ReLU, He, no bias, width 500 (the variance a block adds):
# alpha = 1: q_{l-1} = 2^(l-1); alpha^2 = 1/10: (1/10)(1.1)^(l-1); pre-LayerNorm, alpha = 1: E[ReLU(u)^2] sigma_w^2 = 1.
BRANCH_CLOSED_FORMS = [
    (dict(branch_scale=1.0), lambda block: 2.0 ** ((block - 1) / 2)),
    (dict(branch_scale=INV_SQRT_DEPTH), lambda block: math.sqrt(0.1 * 1.1 ** (block - 1))),
    (dict(branch_scale=1.0, layer_norm=True), lambda block: 1.0),
    (dict(branch_scale=0.0), lambda block: 0.0),
]


@pytest.mark.parametrize("changes, closed_form", BRANCH_CLOSED_FORMS)
def test_the_branch_theory_gives_the_closed_forms(changes, closed_form):
    p = predict(Config(depth=10, width=500, activation="relu", init="he_normal", residual=True, **changes))
    expected = [closed_form(layer) for layer in range(1, 11)]
    np.testing.assert_allclose(p["branch_std"][1:], expected, rtol=1e-5, atol=1e-12)  # LN's eps: ~1e-6
    assert math.isnan(p["branch_std"][0])  # the input is no block's


@pytest.mark.slow
def test_the_branch_theory_follows_the_simulation():
    """Every norm, tanh and biases: the dashed branch curve on the measured one, and the stream's variance its sum."""
    for norm in ("none", "batch", "layer"):
        config = Config(depth=6, width=400, batch=400, activation="tanh", init="xavier_normal", bias_std=0.1,
                        residual=True, batch_norm=norm == "batch", layer_norm=norm == "layer", branch_scale=0.8)
        r = simulate(config)
        np.testing.assert_allclose(r.stats["branch_std"][1:], r.stats["predicted_branch_std"][1:], rtol=0.04)
        predicted = r.stats["predicted_branch_std"]
        np.testing.assert_allclose(np.diff(r.stats["predicted_act_std"] ** 2), predicted[1:] ** 2, rtol=1e-9)


def test_a_plain_network_predicts_no_branch():
    for changes in (dict(), dict(layer_norm=True), dict(batch_norm=True), dict(init="constant")):
        assert np.isnan(predict(Config(depth=3, width=20, **changes))["branch_std"]).all()


def test_plain_layer_norm_theory_follows_the_simulation():
    config = Config(depth=8, width=400, batch=400, activation="tanh", init="normal", std=0.1, bias=0.3,
                    bias_std=0.2, layer_norm=True)
    r = simulate(config)
    np.testing.assert_allclose(r.act_std, r.stats["predicted_act_std"], rtol=0.03)
    np.testing.assert_allclose(r.grad_std[1:], r.stats["predicted_grad_std"][1:], rtol=0.06)


def test_config_refuses_what_the_stream_cannot_be():
    with pytest.raises(ValueError, match="residual=True needs equal widths, not 20-30-20"):
        Config(depth=2, widths=(20, 30, 20), residual=True)
    for bad in (-0.5, "sqrt", float("nan"), True, 101.0):
        with pytest.raises(ValueError, match="branch_scale=.* is not allowed: a number from 0 to 100 or "
                                             "inv_sqrt_depth"):
            Config(branch_scale=bad)
    with pytest.raises(ValueError, match="not allowed together"):
        Config(batch_norm=True, layer_norm=True)
    assert Config(depth=16, branch_scale=INV_SQRT_DEPTH).alpha == 0.25
    switches = ((False, False), (True, False), (False, True))
    assert [Config(batch_norm=b, layer_norm=n).norm for b, n in switches] == ["none", "batch", "layer"]
    assert Config.from_dict(Config(layer_norm=True, residual=True).to_dict()) == Config(layer_norm=True,
                                                                                        residual=True)


@pytest.mark.slow
def test_memory_estimate_bounds_a_residual_run():
    config = Config(depth=6, width=300, batch=400, residual=True, layer_norm=True, seed=7, dtype="float64")
    assert set(COLUMNS) >= {"branch_std"}
    peak = traced_peak(lambda: simulate(config))
    assert 0.5 * estimate_memory(config) < peak <= estimate_memory(config)


@pytest.mark.parametrize("changes", [dict(residual=True), dict(layer_norm=True)])
def test_the_plain_maps_fixed_point_is_not_claimed_for_streams_or_layer_norm(changes):
    plain = theory_summary(Config(activation="relu", init="he_normal"))
    assert plain["q_star"] is not None and plain["chi1"] == pytest.approx(1.0)
    summary = theory_summary(Config(activation="relu", init="he_normal", **changes))
    assert summary["sigma_w2"] == pytest.approx(2.0) and summary["q_star"] is summary["chi1"] is None


@pytest.mark.slow
def test_a_link_with_a_residual_stream_over_the_digits_opens_without_one():
    """The digits' 64 pixels into 500-wide layers have no stream to add to: the link opens, residual off, and the
    sidebar offers no Residual toggle there (urlstate.relevant); at width 64 the stream is there."""
    from tests.app_support import open_app
    from views import urlstate
    at = open_app(step="custom", input="digits", residual="true")
    assert not at.exception
    assert "residual" not in {w.key for w in at.toggle}
    state, _ = urlstate.normalize({"step": "custom", "input": "digits", "residual": "true"}, ("activations",))
    assert urlstate.config_of(state)[0].residual is False
    state, _ = urlstate.normalize({"step": "custom", "input": "digits", "residual": "true", "width": "64"},
                                  ("activations",))
    assert urlstate.config_of(state)[0].residual is True
