"""The init-scheme registry: every record's formula against its own draws, and every consumer reading the records."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
import pytest
import scipy.special
import scipy.stats

from core import Config, schemes
from core.activations import REGISTRY as ACTIVATION_LAWS
from core.config import CHOICES, INITS, MODES
from core.draws import STREAMED, bias_noise
from core.initializers import DEFAULT_GAIN, SCHEME_FIELDS, bias_variance, gain_of, layer_biases, layer_weights, \
    matters, uniform_bound, weight_std, weight_variance
from core.network import simulate
from core.train import scheme_name
from core.theory import predict
from views import charts, export, tour

SHAPES = [(300, 200), (200, 300), (250, 250)]  # taller, wider, square: fan_in != fan_out tells the formulas apart


def test_inits_are_the_registry_and_every_record_names_its_source():
    assert INITS == tuple(schemes.REGISTRY) and len(set(INITS)) == len(INITS)
    config_fields = {f.name for f in fields(Config)}
    for name, scheme in schemes.REGISTRY.items():
        assert scheme.name == name
        assert scheme.family in (*STREAMED, "orthogonal", None)  # a unit draw core.draws makes
        assert set(scheme.fields) <= config_fields, name
        assert scheme.source.startswith(("torch.nn.init.", "torch.nn.Linear.", "tf.keras.initializers.",
                                          "jax.nn.initializers.")), name


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
    config = replace(config, std=1.0) if init == "trunc_normal" else config  # std 1: the bounds +-2 cut the law
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
    # the sample variance's relative error: sqrt(2/N) for a normal law, sqrt(0.8/N) for a uniform one, and in
    # between for a truncated one (its kurtosis is lower than the normal's)
    spread = math.sqrt(0.8 if scheme.family == "uniform" and scheme.warp is None else 2.0)
    assert (w**2).mean() == pytest.approx(var, rel=4 * spread / math.sqrt(w.size))
    assert abs(w.mean()) < 4 * math.sqrt(var / w.size)
    if scheme.family == "uniform" and scheme.warp is None:
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
    stds = [weight_std(Config(init=init, mode=mode), 300, 100) for mode in MODES]
    assert (len(set(stds)) == len(MODES)) == ("mode" in SCHEME_FIELDS[init])
    assert (len(set(stds)) == 1) == ("mode" not in SCHEME_FIELDS[init])


@pytest.mark.parametrize("init", [name for name in INITS if "mode" in SCHEME_FIELDS[name]])
def test_every_scheme_with_a_mode_reads_fan_avg_as_the_mean_of_the_fans(init):
    """fan_avg = (fan_in + fan_out)/2 (Keras): Var(w) is what the scheme gives a square layer of that width."""
    fan_in, fan_out = 1000, 250
    avg = weight_variance(Config(init=init, mode="fan_avg"), fan_in, fan_out)
    square = weight_variance(Config(init=init, mode="fan_in"), 625, 625)
    assert schemes.fan(Config(mode="fan_avg"), fan_in, fan_out) == 625
    assert avg == pytest.approx(square, rel=1e-12)


# ---------- the Compare tab's colour, from the record ----------

def _law(config: Config) -> tuple:
    """The law of the page's weights and biases from torch.nn.init's and Keras's documented formulas, written out
    apart from the registry: (kind of draw, batch norm, per layer (mean, Var(w), bias mean, Var(b)))."""
    def variance(fan_in: int, fan_out: int) -> tuple[float, float]:
        gain = config.gain
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[config.mode]
        if config.init in ("zeros", "constant"):
            return (config.value if config.init == "constant" else 0.0), 0.0
        if config.init == "trunc_normal":
            a, b = (config.trunc_a - config.trunc_mean) / config.std, (config.trunc_b - config.trunc_mean) / config.std
            law = scipy.stats.truncnorm(a, b, loc=config.trunc_mean, scale=config.std)
            return float(law.mean()), float(law.var())
        he = (gain or math.sqrt(2)) ** 2 / fan
        return 0.0, {"normal": lambda: config.std ** 2, "uniform": lambda: config.bound ** 2 / 3,
                     "xavier_normal": lambda: (gain or 1) ** 2 * 2 / (fan_in + fan_out),
                     "xavier_uniform": lambda: (gain or 1) ** 2 * 2 / (fan_in + fan_out),
                     "he_normal": lambda: he, "he_uniform": lambda: he,
                     "lecun_normal": lambda: (gain or 1) ** 2 / fan_in,
                     "lecun_uniform": lambda: (gain or 1) ** 2 / fan_in,
                     "orthogonal": lambda: (gain or 1) ** 2 / max(fan_in, fan_out),
                     "delta_orthogonal": lambda: (gain or 1) ** 2 / max(fan_in, fan_out),
                     "torch_default": lambda: 1 / (3 * fan_in),
                     "variance_scaling": lambda: config.scale / fan}[config.init]()
    # delta-orthogonal puts an orthogonal matrix at a conv kernel's centre tap alone; a dense layer is all centre tap
    kind = {"zeros": "constant", "constant": "constant", "orthogonal": "orthogonal",
            "delta_orthogonal": "delta" if config.arch == "conv" else "orthogonal"}.get(config.init, "iid")
    biases = [(0.0, 1 / (3 * fan_in)) if config.init == "torch_default" else (config.bias, config.bias_std ** 2)
              for fan_in, _ in config.shapes]
    return kind, config.batch_norm, [(*variance(*shape), *bias) for shape, bias in zip(config.shapes, biases)]


def _same(a: tuple, b: tuple) -> bool:
    return a[:2] == b[:2] and all(math.isclose(x, y, rel_tol=1e-6) for p, q in zip(a[2], b[2]) for x, y in zip(p, q))


PROFILES = {"square 500": dict(width=500), "square 10": dict(width=10),
            "784-512-256-128": dict(depth=3, widths=(784, 512, 256, 128)),
            "64-256-64": dict(depth=2, widths=(64, 256, 64)),
            "conv": dict(arch="conv", width=16, depth=3, batch=10, image=8)}
VARIANTS = [{}, dict(gain=0.5), dict(gain=math.sqrt(2)), dict(mode="fan_out"), dict(mode="fan_avg"), dict(scale=2.0),
            dict(scale=2.0, distribution="untruncated_normal"), dict(scale=2.0, distribution="uniform"),
            dict(scale=2.0, mode="fan_avg"), dict(std=1.0), dict(std=0.5), dict(bound=math.sqrt(3) / 100),
            dict(value=0.0), dict(bias_std=0.1), dict(batch_norm=True)]


@pytest.mark.slow
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("init", INITS)
def test_a_network_is_drawn_as_a_lecture_scheme_only_when_it_is_one(init, profile):
    """The colour and the Compare tab's thick line are a lecture scheme's exactly when that scheme, on the same
    network, has the same law of weights and biases at every layer (torch's and Keras's formulas, written out here);
    otherwise the network is its own (charts.OWN), never "small" or "large". Every init, its settings, every
    activation and width profile."""
    for variant in VARIANTS:
        for activation in ACTIVATION_LAWS:
            config = Config(init=init, activation=activation, **PROFILES[profile], **variant)
            law = _law(config)
            matches = [name for name in tour.SCHEMES if _same(law, _law(tour.scheme_config(config, name)))]
            assert len(matches) <= 1
            assert tour.scheme_of(config) == (matches[0] if matches else charts.OWN), (variant, activation)


@pytest.mark.parametrize("config, scheme", [
    # Keras VarianceScaling(scale=2, fan_in) is He's 2/fan_in, whatever its law; scale=1, fan_avg is Xavier's
    (Config(init="variance_scaling", scale=2.0, activation="relu"), "he_normal"),
    (Config(init="variance_scaling", scale=2.0, distribution="uniform"), "he_normal"),
    (Config(init="variance_scaling", scale=1.0, mode="fan_avg", depth=3, widths=(784, 512, 256, 128)),
     "xavier_normal"),
    # 1/fan_in is Xavier's 2/(fan_in + fan_out) on square layers only
    (Config(init="variance_scaling", scale=1.0), "xavier_normal"),
    (Config(init="variance_scaling", scale=1.0, depth=3, widths=(784, 512, 256, 128)), charts.OWN),
    (Config(init="lecun_uniform", width=64), "xavier_normal"),
    # torch's nn.Linear: 1/(3 fan_in) and biases of its own, neither N(0, 0.01²) nor anything else
    (Config(init="torch_default", depth=3, widths=(784, 512, 256, 128), activation="relu"), charts.OWN),
    (Config(init="he_uniform", gain=0.5), charts.OWN),
    (Config(init="he_normal", bias_std=0.1), charts.OWN),
    (Config(init="xavier_uniform", batch_norm=True), charts.OWN),
    (Config(init="normal", std=0.01, batch_norm=True), "normal_0.01+bn"),
    (Config(init="normal", std=0.5), charts.OWN),
    (Config(init="uniform", bound=math.sqrt(3)), "normal_1"),  # U(±√3): Var(w) = 1
    (Config(init="trunc_normal"), "normal_0.01"),  # N(0, 0.01²) cut at ±2 = ±200 std
    (Config(init="constant", value=0.0), "zeros"),
    (Config(init="constant", value=0.3), charts.OWN),
    (Config(init="delta_orthogonal"), "orthogonal"),  # a dense layer is all centre tap
    (Config(init="delta_orthogonal", arch="conv", width=16, depth=3, batch=10, image=8), charts.OWN),
    (tour.step_config("10"), charts.OWN),  # gain 1.015 and biases: not the orthogonal of the Compare tab
])
def test_what_each_network_is_drawn_as(config, scheme):
    assert tour.scheme_of(config) == scheme


def test_a_record_that_contradicts_itself_is_refused_when_written():
    std = lambda c, fan_in, fan_out, gain: 1.0  # noqa: E731
    with pytest.raises(ValueError, match="family 'truncated' is not one of normal, uniform, orthogonal"):
        schemes.Scheme("x", "truncated", std, "torch.nn.init.trunc_normal_")
    with pytest.raises(ValueError, match="only it has a fill"):
        schemes.Scheme("x", None, std, "torch.nn.init.zeros_")  # no randomness and no value
    with pytest.raises(ValueError, match="reads the gain exactly when it has a default gain"):
        schemes.Scheme("x", "normal", std, "torch.nn.init.normal_", ("gain",))
    assert set(schemes.FAMILIES) == {*STREAMED, "orthogonal"}  # every family is one core.draws draws


# ---------- the defaults people get: torch's nn.Linear, trunc_normal_, Keras's VarianceScaling ----------

FANS = [(500, 500), (1000, 250), (128, 512)]


@pytest.mark.parametrize("fan_in, fan_out", FANS)
def test_torch_default_is_nn_linears_reset_parameters(fan_in, fan_out):
    """kaiming_uniform_(a=sqrt 5): gain sqrt(2/(1 + 5)), bound gain sqrt(3/fan_in) = 1/sqrt(fan_in), Var 1/(3 fan_in);
    the biases U(+-1/sqrt(fan_in)) from the seed's bias stream, the same for the same seed (torch #15314, #57109)."""
    config = Config(init="torch_default", dtype="float64", seed=3, depth=1, widths=(fan_in, fan_out))
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    bound = gain * math.sqrt(3.0 / fan_in)
    assert uniform_bound(config, fan_in, fan_out) == pytest.approx(bound, rel=1e-12)
    assert weight_variance(config, fan_in, fan_out) == pytest.approx(1 / (3 * fan_in), rel=1e-12)
    w = layer_weights(config, 0, fan_in, fan_out)
    assert np.abs(w).max() <= bound and w.var() == pytest.approx(1 / (3 * fan_in), rel=4 * math.sqrt(0.8 / w.size))
    (b,) = layer_biases(config)
    assert b.shape == (fan_out,) and np.abs(b).max() <= 1 / math.sqrt(fan_in)
    expected = 1 / math.sqrt(fan_in) * (2 * scipy.stats.norm.cdf(bias_noise(config.seed, [fan_out])[0]) - 1)
    np.testing.assert_allclose(b, expected, rtol=1e-12)  # the bias stream's numbers, through Phi
    assert bias_variance(config, fan_in) == pytest.approx(bound**2 / 3, rel=1e-12)  # Var of U(-b, b)
    assert matters("bias", "torch_default", "relu") is False and matters("bias_std", "torch_default", "tanh") is False
    assert matters("bias", "he_normal", "relu") is True


def _relu_std_after(var_s: float) -> float:
    """std of ReLU(s), s ~ N(0, var_s): sqrt(var_s (1/2 - 1/(2 pi)))."""
    return math.sqrt(var_s * (0.5 - 0.5 / math.pi))


@pytest.mark.slow
def test_torch_default_shrinks_a_relu_net_by_sqrt_6_a_layer_without_biases():
    """The claim of torch #15314: ReLU, 10 layers of 500, weights only. Var(s_l) = fan_in Var(w) E[h^2] =
    (1/3)(1/2) Var(s_{l-1}) = Var(s_{l-1}) / 6 from Var(s_1) = 1/3: std(h) from ~0.34 to ~1e-4."""
    config = Config(init="torch_default", activation="relu", depth=10, width=500, batch=1000, seed=0)
    h = np.random.default_rng(11).standard_normal((config.batch, config.width))
    measured = []
    for layer in range(config.depth):
        h = np.maximum(h @ layer_weights(config, layer, 500, 500).astype(np.float64), 0.0)
        measured.append(h.std())
    expected = [_relu_std_after((1 / 3) * 6.0 ** -layer) for layer in range(config.depth)]
    assert expected[0] == pytest.approx(0.34, abs=0.005) and expected[-1] == pytest.approx(1e-4, rel=0.2)
    # a layer of 500 multiplies the std by 1/sqrt(6) up to ~1/sqrt(500) of sampling error, compounding over layers:
    # each layer's factor within a few %, their geometric mean within 1 %, the ends within 15 %
    factors = np.array(measured[1:]) / np.array(measured[:-1])
    np.testing.assert_allclose(factors, 1 / math.sqrt(6), rtol=0.06)
    assert (measured[-1] / measured[0]) ** (1 / 9) == pytest.approx(1 / math.sqrt(6), rel=0.01)
    np.testing.assert_allclose([measured[0], measured[-1]], [expected[0], expected[-1]], rtol=0.15)


@pytest.mark.slow
def test_torch_default_biases_set_a_floor_the_theory_follows():
    """With nn.Linear's own biases (sigma_b^2 = 1/(3 fan_in)) the shrinking stops where Var(s) = Var(s)/6 + sigma_b^2:
    Var(s*) = sigma_b^2 / (1 - 1/6). The simulation follows the theory's curve and settles there."""
    config = Config(init="torch_default", activation="relu", depth=10, width=500)
    result = simulate(config)
    sigma_b2 = 1 / (3 * 500)
    floor = _relu_std_after(sigma_b2 / (1 - 1 / 6))
    assert result.stats["predicted_act_std"][-1] == pytest.approx(floor, rel=1e-3)
    np.testing.assert_allclose(result.stats["act_std"][1:], result.stats["predicted_act_std"][1:], rtol=0.1)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.5, 1.0, -2.0, 2.0), (0.0, 0.01, -2.0, 2.0),
                                             (-1.0, 2.0, -0.5, 3.0), (0.0, 1.0, 1.0, 4.0)])
def test_truncated_moments_are_scipys(mean, std, a, b):
    """The closed form with phi and Phi against scipy.stats.truncnorm (bounds in std units from the mean)."""
    law = scipy.stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    m, v = schemes.truncated_moments(mean, std, a, b)
    assert m == pytest.approx(law.mean(), rel=1e-9, abs=1e-15) and v == pytest.approx(law.var(), rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("fan_in, fan_out", FANS)
def test_trunc_normal_draws_as_torch_with_absolute_bounds(fan_in, fan_out):
    """torch.nn.init.trunc_normal_: uniform_(2 Phi(alpha) - 1, 2 Phi(beta) - 1), erfinv, times std sqrt 2, plus mean,
    clamp(a, b), worked out here with erfinv from the uniform family's unit draw; a, b are absolute: std 0.01 is not
    cut by +-2, std 1 is."""
    for std, trunc_mean in ((1.0, 0.0), (1.0, 0.5), (0.01, 0.0)):
        config = Config(init="trunc_normal", std=std, trunc_mean=trunc_mean, dtype="float64", seed=4)
        unit = layer_weights(Config(init="uniform", bound=1.0, dtype="float64", seed=4), 0, fan_in, fan_out)
        low, high = (scipy.stats.norm.cdf((x - trunc_mean) / std) for x in (-2.0, 2.0))
        p = (unit + 1) / 2
        torch_way = np.clip(scipy.special.erfinv(2 * low - 1 + p * (2 * high - 2 * low)) * std * math.sqrt(2)
                            + trunc_mean, -2.0, 2.0)
        w = layer_weights(config, 0, fan_in, fan_out)
        np.testing.assert_allclose(w, torch_way, rtol=1e-9, atol=1e-12)
        law = scipy.stats.truncnorm((-2 - trunc_mean) / std, (2 - trunc_mean) / std, loc=trunc_mean, scale=std)
        assert weight_std(config, fan_in, fan_out) == pytest.approx(law.std(), rel=1e-9)
        assert w.std() == pytest.approx(law.std(), rel=4 * math.sqrt(2 / w.size))
        assert (np.abs(w).max() < 0.1) == (std == 0.01)  # +-2 is 200 std away from a std of 0.01
        assert (weight_variance(config, fan_in, fan_out) is None) == (trunc_mean != 0)


def test_trunc_normal_off_centre_has_no_theory_and_centred_keeps_the_uniform_pattern():
    off = Config(init="trunc_normal", std=1.0, trunc_mean=0.5)
    assert np.isnan(predict(off)["act_std"][1:]).all()  # the zero-mean premise fails, as for a constant
    centred = layer_weights(Config(init="trunc_normal", std=1.0, seed=9), 2, 60, 40)
    uniform = layer_weights(Config(init="uniform", seed=9), 2, 60, 40)
    np.testing.assert_array_equal(np.sign(centred), np.sign(uniform))  # same seed, same pattern


def test_keras_truncation_constant_is_the_std_of_a_normal_cut_at_two():
    """0.87962566 = std of N(0, 1) cut at +-2; without dividing by it, Var(w) n = 0.774 scale (TF #16344)."""
    cut = scipy.stats.truncnorm(-2, 2).var()
    assert schemes.KERAS_TRUNCATION == pytest.approx(math.sqrt(cut), rel=1e-9)
    assert round(cut, 3) == 0.774
    config = Config(init="variance_scaling", scale=1.0)
    assert 500 * schemes.uncorrected_variance(config, 500, 500) == pytest.approx(cut, rel=1e-9)


@pytest.mark.parametrize("fan_in, fan_out", FANS)
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("mode", MODES)
def test_variance_scaling_gives_scale_over_fan_for_every_distribution(distribution, mode, fan_in, fan_out):
    """Keras's VarianceScaling: Var(w) = scale / fan, measured; truncated at +-2 of its std (std/0.8796), the
    uniform within sqrt(3 scale / fan); the N(0, 1) cut at +-2 without the correction measures 0.774 of it."""
    config = Config(init="variance_scaling", scale=2.0, mode=mode, distribution=distribution, dtype="float64", seed=1)
    n = schemes.fan(config, fan_in, fan_out)
    w = layer_weights(config, 0, fan_in, fan_out)
    spread = math.sqrt(0.8 if distribution == "uniform" else 2.0)
    assert weight_variance(config, fan_in, fan_out) * n == pytest.approx(2.0, rel=1e-8)
    assert w.var() * n == pytest.approx(2.0, rel=4 * spread / math.sqrt(w.size))
    limit = {"truncated_normal": 2 * math.sqrt(2.0 / n) / schemes.KERAS_TRUNCATION,
             "untruncated_normal": math.inf, "uniform": math.sqrt(3 * 2.0 / n)}[distribution]
    assert np.abs(w).max() <= limit
    if distribution == "truncated_normal":  # the same cut at +-2 std of sqrt(scale / fan), uncorrected
        uncorrected = np.clip(w * schemes.KERAS_TRUNCATION, -2 * math.sqrt(2 / n), 2 * math.sqrt(2 / n))
        cut = scipy.stats.truncnorm(-2, 2).var()
        assert uncorrected.var() * n / 2.0 == pytest.approx(cut, rel=4 * spread / math.sqrt(w.size))


@pytest.mark.parametrize("keras, scale, mode, distribution", [
    ("xavier_uniform", 1.0, "fan_avg", "uniform"), ("he_uniform", 2.0, "fan_in", "uniform"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"), ("xavier_normal", 1.0, "fan_avg", "truncated_normal"),
    ("he_normal", 2.0, "fan_in", "untruncated_normal"), ("lecun_normal", 1.0, "fan_in", "truncated_normal")])
def test_glorot_he_lecun_are_instances_of_variance_scaling(keras, scale, mode, distribution):
    """Keras's glorot_*, he_*, lecun_* are VarianceScaling(scale, mode, distribution): the same Var(w)."""
    config = Config(init="variance_scaling", scale=scale, mode=mode, distribution=distribution)
    for fan_in, fan_out in FANS:
        assert weight_variance(config, fan_in, fan_out) == pytest.approx(
            weight_variance(Config(init=keras), fan_in, fan_out), rel=1e-8)


def test_variance_scaling_keeps_the_normal_schemes_pattern():
    """Through Phi(z), monotone: the untruncated law is he_normal's draw (gain sqrt(scale)), the others its ranks."""
    he = layer_weights(Config(init="he_normal", gain=math.sqrt(2.0), dtype="float64"), 1, 50, 70)
    for distribution in ("untruncated_normal", "truncated_normal", "uniform"):
        w = layer_weights(Config(init="variance_scaling", scale=2.0, distribution=distribution, dtype="float64"),
                          1, 50, 70)
        np.testing.assert_array_equal(np.argsort(w, axis=None), np.argsort(he, axis=None))
        if distribution == "untruncated_normal":
            np.testing.assert_allclose(w, he, rtol=1e-12)


@pytest.mark.parametrize("distribution", ["truncated_normal", "uniform"])
def test_variance_scaling_reuses_its_standard_law_and_gives_the_weights_of_the_direct_formula(distribution):
    """A scale or mode change reuses Phi's work on a kept draw; the weights are bitwise those of Keras's formula
    applied at the layer's own std (truncated: N(0, cut²) cut at +-2 cut, cut = std / KERAS_TRUNCATION)."""
    unit = np.random.default_rng(3).standard_normal((40, 30)).astype(np.float32)
    unit.flags.writeable = False  # as core.draws keeps its draws
    warp = schemes.get("variance_scaling").warp
    laws = []
    for scale, mode in ((1.0, "fan_in"), (2.0, "fan_avg"), (0.3, "fan_out")):
        config = Config(init="variance_scaling", scale=scale, mode=mode, distribution=distribution)
        std = math.sqrt(scale / {"fan_in": 40, "fan_out": 30, "fan_avg": 35}[mode])
        z = scipy.special.ndtr(unit.astype(np.float64))
        if distribution == "uniform":
            direct = math.sqrt(3.0) * std * (2.0 * z - 1.0)
        else:
            cut = std / schemes.KERAS_TRUNCATION
            low, high = scipy.special.ndtr(-2.0), scipy.special.ndtr(2.0)
            direct = np.clip(cut * scipy.special.ndtri(low + z * (high - low)), -2.0 * cut, 2.0 * cut)
        np.testing.assert_array_equal(warp(config, unit, 40, 30, None), direct)
        laws.append(schemes._standard_law(unit, distribution))
    assert laws[0] is laws[1] is laws[2]  # computed once for the kept draw
    fresh = unit.copy()  # a writeable draw may change: nothing is kept for it
    assert schemes._standard_law(fresh, distribution) is not schemes._standard_law(fresh, distribution)


@pytest.mark.parametrize("init", INITS)
def test_every_setting_that_changes_the_weights_changes_the_names(init):
    """Two configs of one scheme that draw different W never share a legend name or a file name: each of the
    record's fields (a number, the mode, the distribution) moved off its default shows in both."""
    base = Config(init=init, std=1.0, widths=(20, 30), depth=1, batch=10)  # trunc_normal: bounds within reach
    names = {scheme_name(base)}
    files = {export.csv_name(base)}
    for field in schemes.get(init).fields:
        if field == "gain":
            changed = replace(base, gain=0.5)
        elif field in CHOICES:
            changed = replace(base, **{field: next(v for v in CHOICES[field] if v != getattr(base, field))})
        else:
            changed = replace(base, **{field: getattr(base, field) + 0.25})  # inside every range, a < b kept
        assert not np.array_equal(layer_weights(changed, 0, 20, 30), layer_weights(base, 0, 20, 30)), field
        names.add(scheme_name(changed))
        files.add(export.csv_name(changed))
    assert len(names) == len(files) == 1 + len(schemes.get(init).fields)


# torch.nn.init._calculate_correct_fan's valid_modes: any other mode raises ValueError("Mode ... not supported")
TORCH_MODES = ("fan_in", "fan_out")


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("mode", MODES)
def test_a_mode_outside_torch_is_one_torchs_function_would_refuse(init, mode):
    """mode_outside_torch, read by the sidebar's note, the derivation and the command line: a torch scheme that
    reads the mode with one torch's kaiming_* refuse; never a Keras scheme, nor a scheme the mode does not reach."""
    scheme = schemes.get(init)
    torch_reads_mode = scheme.source in ("torch.nn.init.kaiming_normal_", "torch.nn.init.kaiming_uniform_")
    assert schemes.mode_outside_torch(init, mode) == (torch_reads_mode and mode not in TORCH_MODES)
