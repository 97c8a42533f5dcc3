"""Initializers against the torch.nn.init formulas, worked out here by hand (no torch needed)."""

import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config
from core.activations import recommended_gain
from core.config import ACTIVATIONS
from core.draws import orthogonal
from core.initializers import gain_of, layer_weights, uniform_bound, weight_std, weight_variance


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
