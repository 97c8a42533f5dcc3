"""The init-scheme registry: every record's formula against its own draws, and every consumer reading the records."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
import pytest

from core import Config, schemes
from core.config import INITS, MODES
from core.draws import STREAMED, family
from core.initializers import DEFAULT_GAIN, SCHEME_FIELDS, gain_of, layer_weights, uniform_bound, weight_std, \
    weight_variance
from views import charts, tour

SHAPES = [(300, 200), (200, 300), (250, 250)]  # taller, wider, square: fan_in != fan_out tells the formulas apart


def test_inits_are_the_registry_and_every_record_names_its_source():
    assert INITS == tuple(schemes.REGISTRY) and len(set(INITS)) == len(INITS)
    config_fields = {f.name for f in fields(Config)}
    for name, scheme in schemes.REGISTRY.items():
        assert scheme.name == name
        assert scheme.family in (*STREAMED, "orthogonal", None)  # a unit draw core.draws makes
        assert set(scheme.fields) <= config_fields, name
        assert scheme.source.startswith(("torch.nn.init.", "tf.keras.initializers.")), name


def test_an_unknown_scheme_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown init 'kaiming': one of zeros, constant"):
        schemes.get("kaiming")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fan_in, fan_out", SHAPES)
@pytest.mark.parametrize("init", INITS)
def test_every_scheme_draws_the_variance_its_record_states(init, fan_in, fan_out, dtype):
    """The drawn W of every scheme, at fan_in != fan_out and both dtypes, against its record: the sample variance
    of 60,000 weights within 4 standard errors of Var(w) (a normal's variance has relative error sqrt(2/N), a
    uniform's sqrt(0.8/N)); a uniform scheme fills U(-b, b); an orthogonal one is gain times orthonormal columns
    (or rows); a scheme without randomness is its fill value throughout."""
    config = Config(init=init, dtype=dtype, mode="fan_in" if fan_in > fan_out else "fan_out", seed=5)
    w = layer_weights(config, 0, fan_in, fan_out).astype(np.float64)
    assert w.shape == (fan_in, fan_out) and w.dtype == np.float64
    scheme = schemes.get(init)
    var = weight_variance(config, fan_in, fan_out)
    if scheme.family is None:
        assert (w == np.float64(np.dtype(dtype).type(scheme.fill(config)))).all()
        assert var == (0.0 if scheme.fill(config) == 0 else None)
        return
    assert var == pytest.approx(weight_std(config, fan_in, fan_out) ** 2, rel=1e-15) and var > 0
    if scheme.family == "orthogonal":
        small = min(fan_in, fan_out)
        gram = w.T @ w if fan_in >= fan_out else w @ w.T
        np.testing.assert_allclose(gram, gain_of(config) ** 2 * np.eye(small), atol=1e-5)
        assert (w**2).mean() == pytest.approx(var * small * max(fan_in, fan_out) / w.size, rel=1e-5)
        return
    spread = math.sqrt(2.0 if scheme.family == "normal" else 0.8)
    assert (w**2).mean() == pytest.approx(var, rel=4 * spread / math.sqrt(w.size))
    assert abs(w.mean()) < 4 * math.sqrt(var / w.size)
    if scheme.family == "uniform":
        bound = uniform_bound(config, fan_in, fan_out)
        assert bound == pytest.approx(math.sqrt(3 * var), rel=1e-12)  # U(-b, b) has variance b²/3
        assert np.abs(w).max() <= bound * (1 + 1e-6) and np.abs(w).max() > 0.999 * bound


@pytest.mark.parametrize("init", schemes.with_gain())
def test_a_gain_scales_every_weight_and_the_default_is_the_records(init):
    """torch.nn.init multiplies the whole draw by the gain: twice the gain, twice every weight (the same draw)."""
    base = Config(init=init, gain=0.75, dtype="float64", seed=2)
    double = replace(base, gain=1.5)
    np.testing.assert_allclose(layer_weights(double, 1, 40, 30), 2 * layer_weights(base, 1, 40, 30), rtol=1e-14)
    assert gain_of(Config(init=init)) == DEFAULT_GAIN[init] == schemes.get(init).default_gain
    assert "gain" in SCHEME_FIELDS[init]


@pytest.mark.parametrize("init", [i for i in INITS if i not in schemes.with_gain()])
def test_a_scheme_without_a_gain_ignores_it(init):
    assert gain_of(Config(init=init, gain=3.0)) is None and "gain" not in SCHEME_FIELDS[init]
    np.testing.assert_array_equal(layer_weights(Config(init=init, gain=3.0), 0, 20, 30),
                                  layer_weights(Config(init=init), 0, 20, 30))


@pytest.mark.parametrize("init", INITS)
def test_the_mode_matters_exactly_where_the_record_reads_it(init):
    """fan_in and fan_out differ only on a rectangular layer, and there only for the schemes that read the mode."""
    a, b = (weight_std(Config(init=init, mode=mode), 300, 100) for mode in MODES)
    assert (a != b) == ("mode" in SCHEME_FIELDS[init])


# ---------- the Compare tab's colour, from the record ----------

@pytest.mark.parametrize("width", [10, 500, 2048])
@pytest.mark.parametrize("init", INITS)
def test_every_scheme_lands_in_the_colour_of_its_kind(init, width):
    """The colour says what the weights are: zeros' for weights without randomness, orthogonal's for an
    orthogonal draw, He's for n·Var(w) = 2 and Xavier's for 1 at the scheme's default gain, else small or
    large next to n·Var(w) = 1. Checked on each scheme's own default configuration."""
    config = Config(init=init, width=width)
    colour = tour.scheme_of(config)
    assert colour in charts.SCHEME_COLOURS
    kind = family(init)
    nvar = width * weight_variance(config, width, width) if weight_variance(config, width, width) is not None \
        else None
    if kind is None:
        assert colour == "zeros"
    elif kind == "orthogonal":
        assert colour == "orthogonal"
    elif init in schemes.with_gain() and math.isclose(nvar, 2.0):
        assert colour == "he_normal"
    elif init in schemes.with_gain() and math.isclose(nvar, 1.0):
        assert colour == "xavier_normal"
    else:
        assert colour == ("normal_0.01" if nvar < 1 else "normal_1")


def test_a_changed_gain_keeps_the_schemes_colour_and_batch_norm_has_its_own():
    assert tour.scheme_of(Config(init="he_uniform", gain=0.5)) == "he_normal"
    assert tour.scheme_of(Config(init="lecun_normal", gain=3.0)) == "xavier_normal"
    assert tour.scheme_of(Config(init="uniform", bound=1.0)) == "normal_1"  # n·Var(w) = 500/3
    assert tour.scheme_of(Config(init="xavier_uniform", batch_norm=True)) == "normal_0.01+bn"


def test_a_record_that_contradicts_itself_is_refused_when_written():
    std = lambda c, fan_in, fan_out, gain: 1.0  # noqa: E731
    with pytest.raises(ValueError, match="family 'truncated' is not one of normal, uniform, orthogonal"):
        schemes.Scheme("x", "truncated", std, "torch.nn.init.trunc_normal_")
    with pytest.raises(ValueError, match="only it has a fill"):
        schemes.Scheme("x", None, std, "torch.nn.init.zeros_")  # no randomness and no value
    with pytest.raises(ValueError, match="reads the gain exactly when it has a default gain"):
        schemes.Scheme("x", "normal", std, "torch.nn.init.normal_", ("gain",))
    assert set(schemes.FAMILIES) == {*STREAMED, "orthogonal"}  # every family is one core.draws draws
