"""Activations: f against closed forms, f' against finite differences, dtype kept, nothing overflows."""

import math
import warnings

import numpy as np
import pytest

from core import activations
from core.activations import SELU_ALPHA, SELU_SCALE
from core.config import ACTIVATIONS

REFERENCE = {
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "linear": lambda x: x,
    "elu": lambda x: np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(np.minimum(x, 0)) - 1)),
    "gelu": lambda x: 0.5 * x * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x])),
}
X = np.linspace(-6, 6, 1201)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_values_match_closed_form(name):
    np.testing.assert_allclose(activations.apply(name, X, 0.2), REFERENCE[name](X), atol=3e-7)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_matches_finite_differences(name):
    x = X[np.abs(X) > 1e-3]  # away from the kinks of relu-like functions
    eps = 1e-6
    numeric = (REFERENCE[name](x + eps) - REFERENCE[name](x - eps)) / (2 * eps)
    np.testing.assert_allclose(activations.derivative(name, x, 0.2), numeric, atol=2e-6)
    # the backward pass computes f' from h = f(s); it must agree with f'(s)
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


def test_erf_within_its_published_error():
    x = np.linspace(-5, 5, 2001)
    exact = np.array([math.erf(v) for v in x])
    assert np.abs(activations.erf(x) - exact).max() < 1.5e-7
