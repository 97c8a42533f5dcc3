"""Initializers against the torch.nn.init formulas, worked out here by hand (no torch needed)."""

import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config
from core.activations import recommended_gain
from core.config import ACTIVATIONS
from core.draws import orthogonal
from core.initializers import (gain_of, hidden_weights, layer_unit, layer_weights, uniform_bound, weight_std,
                               weight_variance)


@pytest.mark.parametrize(
    "init, gain, mode, fan_in, fan_out, expected_std",
    [
        # xavier_normal_: std = gain * sqrt(2 / (fan_in + fan_out))
        ("xavier_normal", None, "fan_in", 500, 500, math.sqrt(2 / 1000)),
        ("xavier_normal", 5 / 3, "fan_in", 300, 100, 5 / 3 * math.sqrt(2 / 400)),
        # kaiming_normal_(a=0, nonlinearity="leaky_relu"): gain sqrt(2), std = gain / sqrt(fan)
        ("he_normal", None, "fan_in", 500, 500, math.sqrt(2 / 500)),
        ("he_normal", None, "fan_out", 300, 100, math.sqrt(2 / 100)),
        ("he_normal", 1.0, "fan_in", 300, 100, 1 / math.sqrt(300)),
        # LeCun: 1 / sqrt(fan_in)
        ("lecun_normal", None, "fan_in", 400, 100, 1 / math.sqrt(400)),
    ],
)
def test_normal_schemes_std_matches_torch_formula(init, gain, mode, fan_in, fan_out, expected_std):
    config = Config(init=init, gain=gain, mode=mode, dtype="float64")
    assert weight_std(config, fan_in, fan_out) == pytest.approx(expected_std, rel=1e-12)
    w = layer_weights(config, 0, fan_in, fan_out)
    assert w.shape == (fan_in, fan_out)
    assert w.std() == pytest.approx(expected_std, rel=0.02)  # 30k-40k draws: 1% sampling error
    assert abs(w.mean()) < 4 * expected_std / math.sqrt(w.size)


@pytest.mark.parametrize(
    "init, gain, mode, fan_in, fan_out, expected_bound",
    [
        # xavier_uniform_: a = gain * sqrt(6 / (fan_in + fan_out))
        ("xavier_uniform", None, "fan_in", 500, 500, math.sqrt(6 / 1000)),
        # kaiming_uniform_(a=0): bound = gain * sqrt(3 / fan) = sqrt(6 / fan)
        ("he_uniform", None, "fan_in", 500, 200, math.sqrt(6 / 500)),
        ("he_uniform", None, "fan_out", 500, 200, math.sqrt(6 / 200)),
        ("uniform", None, "fan_in", 100, 100, 0.05),
    ],
)
def test_uniform_schemes_bound_matches_torch_formula(init, gain, mode, fan_in, fan_out, expected_bound):
    config = Config(init=init, gain=gain, mode=mode, dtype="float64")
    assert uniform_bound(config, fan_in, fan_out) == pytest.approx(expected_bound, rel=1e-12)
    w = layer_weights(replace(config, seed=1), 0, fan_in, fan_out)
    assert np.abs(w).max() <= expected_bound
    assert np.abs(w).max() > 0.99 * expected_bound  # the whole interval is used
    assert w.std() == pytest.approx(expected_bound / math.sqrt(3), rel=0.02)  # bound = sqrt(3) * std


def test_orthogonal_is_orthonormal_times_gain_with_torch_sign_correction():
    q = orthogonal(np.random.default_rng(2), 64, 64)
    np.testing.assert_allclose(q.T @ q, np.eye(64), atol=1e-12)
    # torch multiplies Q by sign(diag(R)), so re-factoring Q gives an R with positive diagonal
    _, r = np.linalg.qr(np.random.default_rng(2).standard_normal((64, 64)))
    flat = np.random.default_rng(2).standard_normal((64, 64))
    q_plain, r_plain = np.linalg.qr(flat)
    np.testing.assert_allclose(q, q_plain * np.sign(np.diag(r_plain)), atol=1e-12)
    wide = orthogonal(np.random.default_rng(3), 8, 20)  # rows < cols: orthonormal rows
    np.testing.assert_allclose(wide @ wide.T, np.eye(8), atol=1e-12)
    config = Config(init="orthogonal", gain=2.0, dtype="float64")
    w = layer_weights(replace(config, seed=4), 0, 50, 50)
    np.testing.assert_allclose(w.T @ w, 4.0 * np.eye(50), atol=1e-10)
    assert weight_variance(config, 50, 50) == pytest.approx(4.0 / 50)


def test_zero_and_constant_init():
    assert not layer_weights(Config(init="zeros"), 0, 5, 5).any()
    w = layer_weights(Config(init="constant", value=0.3), 0, 5, 7)
    assert w.shape == (5, 7) and (w == np.float32(0.3)).all()
    assert weight_variance(Config(init="zeros"), 5, 5) == 0.0
    assert weight_variance(Config(init="constant", value=0.3), 5, 5) is None  # not zero-mean


def test_default_gains_are_torchs():
    assert gain_of(Config(init="xavier_normal")) == 1.0
    assert gain_of(Config(init="he_uniform")) == pytest.approx(math.sqrt(2))
    assert gain_of(Config(init="orthogonal")) == 1.0
    assert gain_of(Config(init="normal")) is None  # plain normal has no gain
    assert gain_of(Config(init="he_normal", gain=0.5)) == 0.5


def calculate_gain(name: str, slope: float) -> float | None:
    """torch.nn.init.calculate_gain's whole table of nonlinearities (its source and documentation); for any other
    name torch raises ValueError: no recommendation."""
    table = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2),
             "leaky_relu": math.sqrt(2 / (1 + slope**2)), "selu": 3 / 4}
    return table.get(name)


@pytest.mark.parametrize("slope", [0.01, 0.2])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_recommended_gain_is_calculate_gain(name, slope):
    expected = calculate_gain(name, slope)
    assert recommended_gain(name, slope) == (None if expected is None else pytest.approx(expected))



@pytest.mark.parametrize("config", [
    Config(init="he_normal", widths=(30, 60, 40), depth=2, batch=10, dtype="float64"),
    Config(arch="conv", init="he_normal", width=16, depth=2, batch=50, image=8, dtype="float64"),
], ids=["dense profile", "conv"])
def test_a_hidden_layer_s_weights_are_its_matrix_at_the_scheme_s_std_for_its_fans(config):
    # kaiming_normal_: std sqrt(2 / fan_in); a conv layer's W is (k^2 C_in, C_out) and its fan_in C_in k^2 = 144
    for layer, (matrix, (fan_in, _)) in enumerate(zip(config.matrices, config.shapes)):
        w = hidden_weights(config, layer, layer_unit(config, layer))
        assert w.shape == matrix
        assert abs(np.std(w) / math.sqrt(2.0 / fan_in) - 1.0) < 0.1  # 1,800-2,400 entries: a std within about 2 %


def test_a_delta_orthogonal_layer_holds_an_orthonormal_block_at_its_centre_tap():
    config = Config(arch="conv", init="delta_orthogonal", width=16, depth=2, batch=50, image=8, dtype="float64")
    w = hidden_weights(config, 1, layer_unit(config, 1))  # (9 x 16, 16): taps in (kh, kw, c_in) order
    assert w.shape == config.matrices[1]
    centre = w[4 * 16:5 * 16]  # tap (1, 1), number 4 of 9
    np.testing.assert_allclose(centre.T @ centre, np.eye(16), atol=1e-12)
    assert not np.delete(w, np.s_[4 * 16:5 * 16], axis=0).any()
