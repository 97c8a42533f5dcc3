"""The simulation's work: its estimate against the work actually done, the limit, orthogonal draws, cancelling."""

import math
import re
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import Config, cache, draws, network, products, schemes, simulate, threads
from core.config import ACTIVATIONS, INITS, INT_RANGES, mib_apart
from core.config import DEFAULT_MEMORY_BUDGET, resize
from core.network import WORK_LIMIT, WorkLimitError, check_work, estimate_memory, estimate_work, memory_terms, \
    work_fits, work_terms
from views import summary, tour, urlstate
from views.urlstate import LANGUAGES
from views.text import t
from views.number_writing import power_of_ten

EPS32 = float(np.finfo(np.float32).eps)


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with no draws or results kept, as a new process would."""
    def clear():
        draws.forget()
        cache.RESULTS.clear()
    clear()
    yield
    clear()


# ---------- orthogonal draws ----------

@pytest.mark.parametrize("rows, cols", [(40, 40), (8, 20), (20, 8)])
def test_orthogonal_in_float32_is_the_float64_one_rounded(rows, cols):
    # the same N(0, 1) numbers, the same float64 QR: the float32 matrix is the float64 one rounded
    q32 = draws.orthogonal(np.random.default_rng(5), rows, cols, "float32")
    q64 = draws.orthogonal(np.random.default_rng(5), rows, cols, "float64")
    assert q32.dtype == np.float32 and q64.dtype == np.float64
    np.testing.assert_allclose(q32, q64, atol=1e-5)
    small = min(rows, cols)
    gram = q32.T @ q32 if rows >= cols else q32 @ q32.T
    np.testing.assert_allclose(gram, np.eye(small), atol=20 * math.sqrt(max(rows, cols)) * EPS32)


def count_qrs(monkeypatch) -> list:
    """Count the orthogonal matrices made (each is one QR)."""
    made, real = [], draws.orthogonal

    def orthogonal(*args, **kwargs):
        made.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(draws, "orthogonal", orthogonal)
    return made


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_gain_change_reuses_the_orthogonal_matrices_too_large_to_keep_assembled(monkeypatch, dtype):
    monkeypatch.setattr(draws, "ASSEMBLED_BYTES", 0)  # as a network whose draws exceed it
    made = count_qrs(monkeypatch)
    config = Config(depth=4, width=96, batch=20, init="orthogonal", dtype=dtype)
    first = simulate(config)
    assert len(made) == 4
    second = simulate(replace(config, gain=2.0))
    assert len(made) == 4  # no QR again: the unscaled matrices were kept
    np.testing.assert_allclose(second.weight_std[1:], 2 * first.weight_std[1:], rtol=1e-6)
    simulate(replace(config, depth=6))
    assert len(made) == 6  # a deeper network adds only its new layers


def test_kept_orthogonal_matrices_stay_within_their_bytes(monkeypatch):
    layer = 64 * 64 * 4
    monkeypatch.setattr(draws, "ASSEMBLED_BYTES", 0)
    monkeypatch.setattr(draws, "ORTHOGONAL_BYTES", 3 * layer)
    made = count_qrs(monkeypatch)
    shape = dict(depth=5, width=64, batch=10, input="normal", weight_family="orthogonal", dtype="float32")
    draws.draw(seed=1, **shape)
    assert len(made) == 5 and draws._orthogonals.nbytes == 3 * layer  # the first three layers kept
    draws.draw(seed=1, **shape)
    assert len(made) == 7  # only the two that did not fit are made again, not all five
    draws.draw(seed=2, **shape)  # another network takes the room of the least recently used
    assert draws._orthogonals.nbytes <= draws.ORTHOGONAL_BYTES
    assert {key[0] for key in draws._orthogonals} == {2}


# ---------- the work estimate ----------

CASES = [Config(depth=3, width=24, batch=16, activation=a, init=i, std=0.3, bound=0.5)
         for a in ACTIVATIONS for i in schemes.drawn()]  # random weights (symmetric ones: products skip work)
CASES += [Config(depth=4, width=20, batch=12, batch_norm=True, init="he_normal"),
          Config(depth=1, width=10, batch=30, init="xavier_uniform", dtype="float64")]


@pytest.mark.parametrize("config", CASES, ids=lambda c: f"{c.activation}-{c.init}-{c.depth}")
def test_the_estimate_counts_the_matmuls_and_qrs_simulate_does(monkeypatch, config):
    flops, qrs = [0.0], count_qrs(monkeypatch)
    real = products.matmul

    def matmul(a, b, out=None):
        flops[0] += 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        return real(a, b, out=out)

    monkeypatch.setattr(products, "matmul", matmul)
    result = simulate(config)
    assert not result.breaks  # a network that runs to the end does all its work
    terms = work_terms(config)
    assert flops[0] == terms["matmuls"]
    assert len(qrs) * 8 / 3 * config.width**3 == pytest.approx(terms["qrs"])
    assert terms["elements"] == config.batch * config.width * config.depth


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(depth=st.integers(*INT_RANGES["depth"]), width=st.integers(*INT_RANGES["width"]),
       batch=st.integers(*INT_RANGES["batch"]), init=st.sampled_from(INITS),
       dtype=st.sampled_from(["float32", "float64"]))
def test_the_depth_and_width_named_are_the_largest_that_fit(depth, width, batch, init, dtype):
    config = Config(depth=depth, width=width, batch=batch, init=init, dtype=dtype)
    fits = work_fits(config)
    for name, value in fits.items():
        if value:
            assert value <= getattr(config, name)
            assert estimate_work(replace(config, **{name: value})) <= WORK_LIMIT
        if value < getattr(config, name):  # the next one up is over the limit
            assert estimate_work(replace(config, **{name: value + 1})) > WORK_LIMIT
    assert (estimate_work(config) <= WORK_LIMIT) == (fits == {"depth": depth, "width": width})


def test_the_lectures_network_with_any_one_slider_at_its_largest_is_allowed():
    # The limit was chosen so: width 2048 is the largest of them (10 x 2048 x 1000, ~6 s of one core)
    for name in ("depth", "width", "batch"):
        assert estimate_work(replace(Config(), **{name: INT_RANGES[name][1]})) <= WORK_LIMIT, name


def test_orthogonal_at_width_2048_is_refused_naming_what_fits():
    config = Config(init="orthogonal", width=2048, depth=30, batch=98)
    with pytest.raises(WorkLimitError) as refused:
        check_work(config)
    fits = work_fits(config)
    assert 0 < fits["depth"] < 30 and 2 <= fits["width"] < 2048
    assert f"a depth up to {fits['depth']:,}" in str(refused.value)
    assert f"a width up to {fits['width']:,}" in str(refused.value)
    with pytest.raises(WorkLimitError):  # the engine refuses it before drawing anything
        simulate(replace(config, depth=fits["depth"] + 1), work_limit=WORK_LIMIT)
    assert not draws._orthogonals


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pages_refusal_names_the_work_the_limit_and_what_fits(lang):
    config = Config(init="orthogonal", width=2048, depth=8, batch=98)
    fits, work = work_fits(config), estimate_work(config)
    text = summary.refusal(config, lang)
    assert text == t(lang, "work", work=power_of_ten(work), limit=power_of_ten(WORK_LIMIT),
                     seconds=f"{WORK_LIMIT / network.WORK_RATE:.0f}", **fits)
    for number in (power_of_ten(work), power_of_ten(WORK_LIMIT), f"{fits['depth']:,}", f"{fits['width']:,}"):
        assert number in text
    assert summary.refusal(Config(), lang) is None
    # where no depth fits, only the width is named
    heavy = Config(init="orthogonal", width=2048, depth=3, batch=98, dtype="float64")
    assert work_fits(heavy, 1e11)["depth"] == 0
    assert summary.refusal(heavy, lang, work_limit=1e11) == t(
        lang, "work_width", work=power_of_ten(estimate_work(heavy)), limit=power_of_ten(1e11),
        seconds=f"{1e11 / network.WORK_RATE:.0f}", width=work_fits(heavy, 1e11)["width"])


# ---------- cancelling ----------

@pytest.mark.parametrize("config", [
    Config(depth=10, width=500, batch=1000),  # the lecture's
    Config(depth=30, width=256, batch=98, init="orthogonal"),
    Config(arch="conv", depth=10, width=32, batch=50, image=16, kernel=5, padding="circular",
           activation="relu", init="he_normal"),
    Config(arch="conv", depth=6, width=16, batch=20, image=8, init="orthogonal")],
    ids=["dense", "orthogonal", "conv", "conv-orthogonal"])
def test_the_refusals_law_of_growth_is_the_estimates(config):
    """The refusal says the work grows with width² (the products), width (each value's own work) and, for orthogonal
    init, width³ (the QRs): over four widths (channels) the estimate is exactly such a cubic with its width³ term
    only under orthogonal init, and the width term is no rounding error beside the width² one at these settings
    (a student who scales by width² alone expected 21 channels of a 32-channel conv net's refusal to fit)."""
    widths = np.array([config.width // 2 + k for k in (0, 3, 7, 12)], float)
    work = np.array([estimate_work(replace(config, width=int(w))) for w in widths])
    coefficients = np.polyfit(widths, work, 3)  # width^3, width^2, width, 1
    np.testing.assert_allclose(np.polyval(coefficients, widths), work, rtol=1e-9)
    cubic, square, linear, _ = coefficients
    assert (abs(cubic) * config.width**3 > 1e-3 * work.max()) == (config.init == "orthogonal")
    assert square > 0 and linear * config.width > 0.05 * square * config.width**2
    for lang in LANGUAGES:
        words = t(lang, "work_conv" if config.arch == "conv" else "work", work="x", limit="y", seconds=1, depth=1,
                  width=1)
        assert words.count("²") >= 1 and words.count("³") == 1
        if config.arch == "conv":
            assert ("channels" if lang == "en" else "通道数") in words
        assert ("each value's own work" if lang == "en" else "每个值自身的运算") in words


def test_the_cancel_signal_is_an_event_or_a_callable():
    threads.check(None)
    event = threading.Event()
    threads.check(event)
    threads.check(lambda: False)
    event.set()
    with pytest.raises(threads.Cancelled):
        threads.check(event)
    with pytest.raises(threads.Cancelled):
        threads.check(lambda: True)


@pytest.mark.parametrize("after", [1, 3, 5])  # forward layers 1 and 3, backward layer 5 (of 8 matmuls in all)
def test_a_cancelled_simulation_stops_within_a_layer_and_keeps_nothing(monkeypatch, after):
    config = Config(depth=3, width=32, batch=16, init="he_normal", activation="relu")
    calls, real = [0], products.matmul
    stop = threading.Event()

    def matmul(a, b, out=None):
        calls[0] += 1
        if calls[0] == after:
            stop.set()  # cancelled while this layer is computed
        return real(a, b, out=out)

    monkeypatch.setattr(products, "matmul", matmul)
    with pytest.raises(threads.Cancelled):
        cache.simulate_cached(config, cancel=stop)
    assert calls[0] == after  # the layer under way ends, no other starts
    assert len(cache.RESULTS) == 0
    monkeypatch.setattr(products, "matmul", real)
    again = cache.simulate_cached(config)  # computed afresh, and the same as without a cancel signal
    np.testing.assert_array_equal(again.act_std, simulate(config).act_std)


def test_a_cancelled_orthogonal_draw_stops_within_a_layer(monkeypatch):
    stop, made, real = threading.Event(), [], draws.orthogonal

    def orthogonal(rng, rows, cols, dtype="float64"):
        made.append(rows)
        stop.set()  # the page goes while the first QR runs
        return real(rng, rows, cols, dtype)

    monkeypatch.setattr(draws, "orthogonal", orthogonal)
    config = Config(depth=12, width=64, batch=10, init="orthogonal")
    with pytest.raises(threads.Cancelled):
        cache.simulate_cached(config, cancel=stop)
    assert 1 <= len(made) <= threads.usable_cores()  # each computing thread ends its layer, then stops
    assert len(cache.RESULTS) == 0 and not draws._assembled


# ---------- the page and the command line ----------

ROOT = Path(__file__).parent.parent
HEAVY = dict(init="orthogonal", width=2048, depth=8, batch=98)  # ~8 s of one core before the limit


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_refuses_a_network_over_the_work_limit_with_what_fits(lang):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params.update(step="custom", lang=lang, **{k: str(v) for k, v in HEAVY.items()})
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [summary.refusal(Config(**HEAVY), lang)]
    assert at.slider(key="depth").value == 8  # the sidebar still works
    at.slider(key="width").set_value(64).run()
    assert not at.exception and not at.error
    assert len(at.metric) == 4


@pytest.mark.slow
def test_the_command_line_refuses_a_network_over_the_work_limit_in_one_line():
    out = subprocess.run([sys.executable, "-m", "core", *(f"--{k}={v}" for k, v in HEAVY.items())], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    fits = work_fits(Config(**HEAVY))
    assert out.returncode == 2 and not out.stdout
    assert len(out.stderr.strip().splitlines()) == 1
    assert f"a depth up to {fits['depth']:,} or a width up to {fits['width']:,}" in out.stderr


# ---------- the memory refusal: what most of the memory is, and what fits ----------

@pytest.mark.parametrize("init", ["zeros", "normal", "orthogonal", "he_uniform"])
@pytest.mark.parametrize("depth, width", [(1, 2), (10, 500), (100, 2048), (3, 1024)])
@pytest.mark.parametrize("batch", [10, 4096])
def test_the_memory_terms_add_up_to_the_estimate(init, depth, width, batch):
    """memory_terms splits estimate_memory in two, to the byte: the weights' part does not change with the batch
    (the larger of the QRs' phase and the simulation's is the same at both batches for these networks), and the
    batch's part is 0 at no batch."""
    config = Config(init=init, depth=depth, width=width, batch=batch, activation="relu")
    terms = memory_terms(config)
    assert sum(terms.values()) == estimate_memory(config) and min(terms.values()) > 0
    other = memory_terms(replace(config, batch=10 if batch == 4096 else 4096))
    assert other["weights"] == terms["weights"] and (other["batch"] > terms["batch"]) == (batch == 10)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("config, most", [
    (Config(init="normal", depth=100, width=2048, batch=10), "weights"),  # 5.2 GB of weights, 17 MB of values
    (Config(init="normal", depth=100, width=500, batch=4096), "batch"),  # 1.7 GB over the batch, 0.3 GB of weights
    # a student's: "a depth up to 15 or a width up to 751" fitted the memory, and both were refused for their work
    (Config(init="he_normal", activation="relu", depth=100, width=2048), "weights"),
    (Config(depth=15, width=2048), "weights"),
])
def test_the_memory_refusal_names_what_most_of_it_is_and_what_fits(config, most, lang):
    """The refusal said "memory grows with depth × batch × width. Lower the depth, the width or the batch size."
    where the weights (depth × width²) are nearly all of it: it names the larger of memory_terms with its size,
    and the largest depth, width and batch that fit one at a time, each checked by the estimate itself (it fits,
    one more does not), and that no batch does where none does. "Fits" is the page's own test (summary.refusal): the
    work limit too, or following the advice met a second refusal."""
    budget = DEFAULT_MEMORY_BUDGET
    terms = memory_terms(config)
    assert max(terms, key=terms.get) == most
    said = summary.refusal(config, lang, budget)
    assert t(lang, f"memory_{most}", part=terms[most] / 2**20) in said
    named = 0
    for name in ("depth", "width", "batch"):
        def fits(value: int) -> bool:
            return summary.refusal(resize(config, name, value), lang, budget) is None

        found = re.search(re.escape(t(lang, f"memory_fit_{name}", value=0)).replace("0", r"([\d,]+)"), said)
        if not fits(INT_RANGES[name][0]):
            assert found is None and (name != "batch" or t(lang, "memory_no_batch") in said)
            continue
        value = int(found.group(1).replace(",", ""))
        assert fits(value) and not fits(value + 1), (name, value)
        assert name != "batch" or t(lang, "memory_no_batch") not in said
        named += 1
    assert named >= 2
    # each size fits alone: alternatives ("a depth up to 19 or a width up to 902"; zh 或, not 和)
    assert t(lang, "join_or").strip() in said.split(t(lang, "memory_fits", sizes="|").split("|")[0])[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("query", [
    {"arch": "conv"},  # a teacher's link: the lecture's 500 channels and batch 1,000 as a conv net, 17 GB
    {"arch": "conv", "init": "delta_orthogonal", "activation": "tanh", "depth": 50, "width": 32},
    {"arch": "conv", "input": "digits", "width": 2048, "depth": 100},
    {"arch": "conv", "depth": 100, "width": 64, "batch": 4096},
])
def test_a_conv_nets_memory_refusal_names_the_sizes_that_fit(query, lang):
    """"/?arch=conv" was refused with "Lower the depth, the channels, the image or the batch size" and no size that
    would do, where a dense net's refusal names them. A conv net's names the largest batch, depth and channel count
    that fit one at a time, each checked by the page's own test (it fits, one more does not), where one does."""
    config = urlstate.config_of({**urlstate.state_of(tour.STEPS["1"]), **query})[0]
    assert config.arch == "conv"
    budget = DEFAULT_MEMORY_BUDGET
    said = summary.refusal(config, lang, budget)
    key = "memory_conv_digits" if config.input == "digits" else "memory_conv"
    assert said is not None and said.startswith(
        t(lang, key, **mib_apart(estimate_memory(config), budget), fits="").rstrip())
    named = 0
    for name, key in (("batch", "memory_fit_batch"), ("depth", "memory_fit_depth"), ("width", "memory_fit_channels")):
        def fits(value: int) -> bool:
            return summary.refusal(resize(config, name, value), lang, budget) is None

        found = re.search(re.escape(t(lang, key, value=0)).replace("0", r"([\d,]+)"), said)
        if not fits(INT_RANGES[name][0]):
            assert found is None, (name, said)
            continue
        value = int(found.group(1).replace(",", ""))
        assert fits(value) and not fits(value + 1), (name, value)
        named += 1
    assert named >= 1 and (named == 1 or t(lang, "join_or").strip() in said)
