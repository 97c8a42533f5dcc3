"""The pure view modules: URL state, the tour, UI text, headline verdicts, the derivation and the chart specs."""

from __future__ import annotations

import colorsys
import json
import math
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert
from colorspacious import cspace_convert
from hypothesis import given
from hypothesis import strategies as st

from core import Config, schemes, simulate, theory
from core.config import ACTIVATIONS, INITS
from core.activations import get
from core.train import lecture_schemes
from tests.app_support import as_read
from views import charts, derivation, export, summary, tour, urlstate
from views.number_writing import PERCENT, format_share, format_value, scientific
from views.tabs import CODES as TABS  # the app's one list of tabs
from views.tabs import gradients as gradients_tab
from views.text import LANGUAGES, catalogue, join, t

from tests.vega_specs import encodings, scene_marks
from tests.written_numbers import read_back

ROOT = Path(__file__).resolve().parent.parent


# ---------- the tour ----------

def test_every_step_is_the_lecture_network():
    for code, config in tour.STEPS.items():
        if code not in (tour.ISOMETRY_STEP, tour.CONV_STEP):  # the edge of chaos (64 x 128) and the conv net
            assert (config.depth, config.width, config.batch) == (10, 500, 1000), code
    assert tour.STEPS["1"].init == "zeros"
    assert (tour.STEPS["2"].init, tour.STEPS["2"].std, tour.STEPS["2"].activation) == ("normal", 0.01, "tanh")
    assert (tour.STEPS["3"].init, tour.STEPS["3"].std) == ("normal", 1.0)
    assert (tour.STEPS["4"].init, tour.STEPS["4"].activation) == ("xavier_normal", "tanh")
    assert (tour.STEPS["5"].init, tour.STEPS["5"].activation) == ("xavier_normal", "relu")
    assert (tour.STEPS["6"].init, tour.STEPS["6"].activation) == ("he_normal", "relu")
    assert tour.STEPS["7"].batch_norm and tour.STEPS["7"].std == 0.01
    # step 10: tanh at the edge of chaos, q* ~ 1/64 and chi_1 = 1 (Pennington et al. 2017), orthogonal weights
    edge = tour.STEPS[tour.ISOMETRY_STEP]
    assert (edge.init, edge.activation, edge.depth, edge.width) == ("orthogonal", "tanh", 64, 128)
    sigma_w2, sigma_b2 = edge.gain**2, edge.bias_std**2
    q_star = theory.fixed_point("tanh", sigma_w2, sigma_b2)
    assert q_star == pytest.approx(1 / 64, rel=0.02) and edge.input_scale**2 == 1 / 64
    assert theory.chi1("tanh", q_star, sigma_w2) == pytest.approx(1.0, abs=1e-4)


def test_a_new_seed_keeps_the_lesson_and_any_other_change_leaves_it():
    two = tour.step_config("2")
    assert tour.same_lesson(two, replace(two, seed=7))
    assert not tour.same_lesson(two, replace(two, std=0.02))


def test_compare_keeps_the_network_and_changes_only_the_init():
    network = Config(depth=20, width=300, batch=200, activation="relu", seed=3, bias=0.5, batch_norm=True)
    he = tour.scheme_config(network, "he_normal")
    assert (he.depth, he.width, he.batch, he.activation, he.seed) == (20, 300, 200, "relu", 3)
    assert he.init == "he_normal" and he.bias == 0.0 and not he.batch_norm
    assert tour.scheme_config(network, "normal_0.01+bn").batch_norm


def test_each_scheme_has_its_own_colour_and_each_step_one_of_them():
    assert set(charts.SCHEME_COLOURS) == {*tour.SCHEMES, charts.OWN}
    assert len(set(charts.SCHEME_COLOURS.values())) == len(charts.SCHEME_COLOURS)
    assert set(tour.LECTURE_FIVE) <= set(tour.SCHEMES)
    # step 10's orthogonal weights have gain 1.015 and biases of std 0.002145: not the Compare tab's orthogonal
    expected = {"1": "zeros", "2": "normal_0.01", "3": "normal_1", "4": "xavier_normal", "5": "xavier_normal",
                "6": "he_normal", "7": "normal_0.01+bn", "8": "he_normal", "9": "he_normal", "10": charts.OWN,
                "11": "he_normal"}
    assert {code: tour.scheme_of(c) for code, c in tour.STEPS.items()} == expected
    # a scheme's own configuration is drawn in its own colour
    for scheme in tour.SCHEMES:
        assert tour.scheme_of(tour.scheme_config(Config(), scheme)) == scheme


# The lecture's race at each step in the order its runs start: the step's own scheme, the one its lesson is contrasted
# with, then the rest in the race's order (step 6: He, then Xavier; step 4: Xavier, then N(0, 1))
STEP_RACE_ORDER = {
    "1": ("zeros", "xavier_normal", "normal_0.01", "normal_1", "he_normal"),
    "2": ("normal_0.01", "xavier_normal", "zeros", "normal_1", "he_normal"),
    "3": ("normal_1", "xavier_normal", "zeros", "normal_0.01", "he_normal"),
    "4": ("xavier_normal", "normal_1", "zeros", "normal_0.01", "he_normal"),
    "5": ("xavier_normal", "he_normal", "zeros", "normal_0.01", "normal_1"),
    "6": ("he_normal", "xavier_normal", "zeros", "normal_0.01", "normal_1"),
    "7": ("normal_0.01+bn", "normal_0.01", "zeros", "normal_1", "xavier_normal", "he_normal"),
    "8": ("he_normal", "xavier_normal", "zeros", "normal_0.01", "normal_1"),
    "9": ("he_normal", "xavier_normal", "zeros", "normal_0.01", "normal_1"),
    "10": ("xavier_normal", "zeros", "normal_0.01", "normal_1", "he_normal"),  # its orthogonal draw is not raced
    "11": ("he_normal", "xavier_normal", "zeros", "normal_0.01", "normal_1"),
}


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("code", tour.STEPS)
def test_a_tour_step_s_race_starts_with_the_step_s_own_scheme_then_its_contrast(code, seed):
    """Run at the lecture's size trains whole runs one a core at a time: step 6's room watched zeros and N(0, 0.01²)
    sit at ln 3 for half a minute before He appeared. The race starts with the step's own scheme, whatever the seed."""
    step = tour.step_config(code, seed)
    race = lecture_schemes(step.batch_norm)
    order = tour.race_order(step, race)
    assert order == STEP_RACE_ORDER[code]
    assert sorted(order) == sorted(race)  # every run, once: only when each trains changes
    if code != tour.ISOMETRY_STEP:  # the first run is the step's own network (step 10's gain and biases are not raced)
        assert tour.scheme_config(step, order[0]) == step
    assert tour.race_order(step, (*race, "orthogonal"))[0] == ("orthogonal" if code == tour.ISOMETRY_STEP else order[0])
    # a race without the step's own scheme or its contrast starts with what it has of them, the rest in its order
    rest = tuple(s for s in race if s != order[0])
    assert tour.race_order(step, rest) == order[1:]
    assert tour.race_order(step, tuple(s for s in race if s != order[1])) == (order[0], *order[2:])
    assert tour.race_order(step, ()) == ()


@pytest.mark.parametrize("config", [Config(width=100), Config(init="he_normal", activation="tanh"),
                                    Config(init="xavier_normal", activation="relu", depth=12)])
def test_a_custom_race_starts_its_runs_in_its_own_order(config):
    assert tour.step_of(config) == tour.CUSTOM
    for race in (lecture_schemes(), tuple(reversed(tour.SCHEMES))):
        assert tour.race_order(config, race) == race


# ---------- URL state ----------

@pytest.mark.parametrize("name, raw, value", [
    ("depth", "20", 20), ("depth", "20.0", 20), ("std", "0.5", 0.5), ("std", "1e-3", 0.001),
    ("activation", "relu", "relu"), ("bn", "TRUE", True), ("bn", "false", False), ("bn", "yes", True),
    ("gain", "recommended", "recommended"),
    ("gain", "1.5", "1.5"), ("step", "custom", "custom"), ("lang", "zh", "zh"),
    ("compare", ["zeros", "he_normal", "zeros"], ["zeros", "he_normal"]),
    ("compare", "normal_0.01 bn", ["normal_0.01+bn"]),  # a "+" typed into the address bar
])
def test_parse_reads_valid_values(name, raw, value):
    assert urlstate.parse(name, raw) == value


@pytest.mark.parametrize("name, raw", [
    ("depth", "0"), ("depth", "101"), ("depth", "2.5"), ("depth", "ten"), ("width", "1"), ("std", "-1"),
    ("std", "nan"), ("std", "inf"), ("std", "abc"), ("activation", "swish"), ("init", "kaiming"), ("bn", "maybe"),
    ("gain", "0"), ("gain", "big"), ("step", str(len(tour.STEPS) + 1)), ("lang", "fr"), ("seed", "-1"),
    ("seed", str(2**32)),
    ("compare", ["zeros", "nope"]),
])
def test_parse_refuses_invalid_values(name, raw):
    with pytest.raises(ValueError):
        urlstate.parse(name, raw)


def test_a_bare_link_is_the_first_step_in_english():
    state, problems = urlstate.normalize({}, TABS)
    assert problems == []
    assert state == urlstate.defaults(TABS)
    assert urlstate.config_of(state)[0] == tour.step_config(tour.FIRST)
    assert urlstate.to_query(state, TABS) == {}


@pytest.mark.parametrize("code", tour.STEPS)
def test_a_step_fills_in_its_controls_and_round_trips(code):
    state, problems = urlstate.normalize({"step": code}, TABS)
    assert problems == [] and state["step"] == code
    assert urlstate.config_of(state)[0] == tour.step_config(code)
    again, _ = urlstate.normalize(urlstate.to_query(state, TABS), TABS)
    assert again == state


def test_controls_that_leave_the_step_make_it_custom_and_a_seed_does_not():
    state, _ = urlstate.normalize({"step": "3", "std": "0.5"}, TABS)
    assert state["step"] == tour.CUSTOM and state["std"] == 0.5
    state, _ = urlstate.normalize({"step": "3", "seed": "9"}, TABS)
    assert state["step"] == "3" and state["seed"] == 9
    # controls without a step are the step they equal (He + ReLU is step 6), and Custom when they equal none
    state, _ = urlstate.normalize({"init": "he_normal", "activation": "relu"}, TABS)
    assert state["step"] == "6"
    state, _ = urlstate.normalize({"init": "he_normal", "activation": "sigmoid"}, TABS)
    assert state["step"] == tour.CUSTOM


def test_invalid_values_become_problems_and_defaults():
    state, problems = urlstate.normalize({"depth": "999", "std": "abc", "init": "normal", "tab": "nope"}, TABS)
    assert [(p.name, p.raw) for p in problems] == [("depth", "999"), ("std", "abc"), ("tab", "nope")]
    assert state["depth"] == 10 and state["std"] == 0.01 and state["init"] == "normal" and state["tab"] == TABS[0]
    assert {p.name: p.default for p in problems} == {"depth": 10, "std": 0.01, "tab": TABS[0]}


def test_hidden_controls_stay_out_of_the_url_and_the_config():
    state, _ = urlstate.normalize({"init": "xavier_normal", "std": "0.5", "activation": "tanh"}, TABS)
    assert "std" not in urlstate.to_query(state, TABS)
    assert urlstate.config_of(state)[0].std == Config().std  # irrelevant fields keep their defaults


def test_only_a_complete_clean_link_is_canonical():
    def canonical(query):
        state, _ = urlstate.normalize(query, TABS)
        return urlstate.is_canonical(query, state, TABS)

    assert canonical({}) and canonical({"step": "3", "init": "normal", "std": "1"})
    assert not canonical({"step": "3", "init": "normal", "std": "1.0"})  # the same number, rewritten as std=1
    assert not canonical({"step": "3"})  # the controls it implies must be in the address
    assert not canonical({"step": "3", "init": "normal", "std": "0.5"})  # leaves the step: custom
    assert not canonical({"step": "custom", "init": "xavier_normal", "std": "0.5"})  # std is not drawn
    assert not canonical({"depth": "999"})
    assert canonical({"compare": ["zeros", "he_normal"]})
    assert not canonical({"compare": "normal_0.01 bn"})  # must be written as the widget names it
    state, _ = urlstate.normalize({"compare": "normal_0.01 bn"}, TABS)
    assert state["compare"] == ["normal_0.01+bn"]


def test_gain_words_numbers_and_mistakes():
    base = {"init": "xavier_normal", "activation": "tanh", "slope": 0.01}
    assert urlstate.resolve_gain({**base, "gain": "default"}) == (None, None)
    assert urlstate.resolve_gain({**base, "gain": "recommended"}) == (pytest.approx(5 / 3), None)
    assert urlstate.resolve_gain({**base, "gain": "2"}) == (2.0, None)
    assert urlstate.resolve_gain({**base, "gain": "abc"}) == (None, "unknown")
    assert urlstate.resolve_gain({**base, "activation": "elu", "gain": "recommended"}) == (None, "none")
    assert urlstate.resolve_gain({**base, "init": "normal", "gain": "2"}) == (None, None)  # normal has no gain


# ---------- text ----------
# The catalogue's own rules (every language has every key and placeholder, Chinese punctuation, a new language
# is one file) are in tests/test_locale.py.

def test_every_activation_has_a_name_in_every_language_and_no_name_is_left_over():
    for lang in LANGUAGES:
        words = catalogue(lang)
        names = {key for key in words if key.startswith("act_")}
        assert names == {f"act_{a}" for a in ACTIVATIONS}, lang
        assert len({words[key] for key in names}) == len(names), lang  # no two activations read the same


def test_every_scheme_has_a_formula_in_every_language_and_no_formula_is_left_over():
    for lang in LANGUAGES:
        formulas = {key for key in catalogue(lang) if key.startswith("formula_")}
        assert formulas == {schemes.get(i).formula_key for i in INITS}, lang


def test_a_chinese_title_breaks_between_words_only():
    """On a phone, zh headings broke inside words ("权 / 重全为零", "批归 / 一化", "（共 11 / 步）"): the page breaks
    its titles and the tour's list only where keep-all lets it (spaces, punctuation, a zero-width space), so the step
    count is one unbreakable unit and every step title whose run of Chinese is longer than a phone's line of heading
    (RUN characters) marks its word boundaries."""
    from views import present

    assert "keep-all" in present.PAGE_CSS
    for code in tour.STEPS:
        heading = tour.heading(code, "zh")
        count = heading[:heading.index("·") + 1]
        assert " " not in count and count.endswith("\u2060·"), count  # no break inside "第 n 步（共 N 步）·"
        assert " " not in t("zh", "step_option", n=code, title="x").split("·")[0]
        for run in re.findall(r"[\u4e00-\u9fff\u200b\u2060√/]+", t("zh", f"step_{code}")):
            words = [w for w in run.split("\u200b")]
            assert max(len(w) for w in words) <= RUN, (code, run)


RUN = 9  # Chinese characters of a heading in a phone's line (28 px type in 350 px)


def test_chinese_text_is_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    names_only = {"step_4", "step_5", "step_6", "reference_entry", "reference_notes", "metric_missing",  # names, a dash
                  "join_list", "join_clause", "join_sentence", "join_drawn_as_one",  # 、, ；, nothing and " / "
                  "drawn_as_one",  # “names”
                  "net_separator", "net_pair",  # a " · ", a label's "："
                  "compare_scheme_note",  # a scheme's name, then a message after the colon "："
                  "column_fan_in", "column_fan_out",  # the field's terms, as the rest of the Chinese text writes them
                  "url_case_code", "url_case_named"}  # a link's code, and its control's name in brackets
    missing = [k for k, v in catalogue("zh").items() if not cjk.search(v) and not k.startswith(("formula_", "act_"))
               and "." not in k and k not in names_only]  # act_: the activations' names, most written the same
    assert missing == []


def test_every_key_the_code_uses_exists():
    used = set()
    for path in [ROOT / "streamlit_app.py", *sorted((ROOT / "views").rglob("*.py"))]:  # views/tabs/ too
        lang = r"""(?:lang|self\.lang|c|"en"|"zh"|st\.session_state[^,]*|state\["lang"\])"""
        used |= set(re.findall(rf"""\bt\({lang}, "([\w.]+)\"""", path.read_text()))
        used |= set(re.findall(r"""page\.t\("([\w.]+)\"""", path.read_text()))
        used |= set(re.findall(r"""\bfill\("(\w+)\"""", path.read_text()))  # views/derivation.py's Values.fill
    assert used, "the pattern found no uses"
    # a tab's own words, read through t() in its view module and through page.t() in its tab
    assert {"training_tab.loss_title", "training_tab.run", "theory_tab.map_title", "theory_tab.colour_xi"} <= used
    assert sorted(used - set(catalogue("en"))) == []
    # keys built at run time
    dynamic = [f"step_{c}" for c in tour.STEP_CODES] + [f"story_{c}" for c in tour.STEP_CODES] + \
        [f"verdict_{v}" for v in summary.VERDICTS] + [f"verdict_{v}_why" for v in summary.VERDICTS] + \
        [f"tab_{c}" for c in TABS] + [f"formula_{i}" for i in INITS] + [f"act_{a}" for a in ACTIVATIONS] + \
        [f"cmp_{r}" for r in derivation.RELATIONS] + \
        [f"der_tanh_regime_{r}" for r in derivation.RELATIONS if r != "much_greater"] + \
        [f"der_missing_{kind}" for kind in ("overflow", "underflow")] + \
        [f"join_{kind}" for kind in ("list", "last", "clause")]
    assert [k for k in dynamic if k not in catalogue("en")] == []


def test_t_fills_in_values_and_falls_back_to_english():
    assert as_read(t("zh", "step_heading", n=3, steps=7, title="x")) == "第 3 步（共 7 步）· x"
    assert t("fr", "tab_data") == "Data"
    assert t("zh", "tab_data") == "数据"


def test_the_heading_counts_the_tours_steps():
    """"Step n of N": N is the number of tour steps, whatever it is."""
    for code in tour.STEPS:
        assert tour.heading(code, "en") == f"Step {code} of {len(tour.STEPS)} · {t('en', f'step_{code}')}"
        assert f"（共 {len(tour.STEPS)} 步）" in as_read(tour.heading(code, "zh"))
    assert tour.heading(tour.CUSTOM, "zh") == t("zh", "custom_heading")


# ---------- headline ----------

@pytest.mark.slow
def test_the_verdicts_tell_the_lecture_story(steps):
    verdicts = {code: summary.verdict(r) for code, r in steps.items()}
    assert verdicts == {"1": "symmetric", "2": "vanishing", "3": "saturated", "4": "healthy", "5": "vanishing",
                        "6": "healthy", "7": "healthy", "8": "exploding", "9": "healthy", "10": "healthy",
                        "11": "healthy"}


@pytest.mark.slow
def test_an_overflow_is_overflowed_and_an_underflow_vanishing():
    big = simulate(Config(depth=30, activation="linear", init="normal", std=100.0))
    assert big.breaks and big.breaks[0].kind == "overflow"
    assert summary.verdict(big) == "overflowed"
    small = simulate(Config(depth=30, activation="linear", init="normal", std=1e-4, width=50, batch=20))
    assert summary.verdict(small) == "vanishing"


@pytest.mark.slow  # its module fixture computes every network the module reads
def test_headline_numbers(steps):
    h = summary.headline(steps["2"])
    assert h.act_ratio == pytest.approx(0.224**10, rel=0.5)
    assert h.grad_ratio == pytest.approx(0.224**9, rel=0.5)
    assert h.saturated == 0.0 and np.isnan(h.dead)
    he = summary.headline(steps["6"])
    assert np.isnan(he.saturated)  # ReLU does not saturate: a share of dead units instead
    dead = steps["6"].stats["dead"]
    assert he.dead == dead[steps["6"].config.depth]  # the headline's share is the last layer's
    # Layer 1 sees 1000 independent samples, so no unit is of one sign for all of them; deeper, ReLU makes the
    # samples' representations ever more alike, and a tenth of layer 10's units are 0 for every one of them.
    assert dead[1] == 0.0 and 0.05 < he.dead < 0.5


def test_numbers_are_written_as_a_person_writes_them():
    assert format_value(0.2134) == "0.213"
    assert format_value(2.94e-7, 2) == scientific("2.9", -7) == "2.9\u00a0×\u00a010⁻⁷"
    assert format_value(1.15e4, 2) == "1.2\u00a0×\u00a010⁴" and format_value(1e-5) == "10⁻⁵"
    assert format_value(1234, 4) == "1,234" and format_value(float("nan")) == "—"
    assert format_share(0.924) == "92.4" + PERCENT
    assert format_share(0.00031) == "0.031" + PERCENT  # small shares keep their digits


@pytest.mark.slow
@given(st.floats(min_value=-300, max_value=300), st.integers(min_value=1, max_value=4),
       st.sampled_from([1.0, -1.0]))
def test_a_written_number_reads_back_as_its_value(exponent, digits, sign):
    value = sign * 10.0**exponent
    written = format_value(value, digits)
    assert "e" not in written  # never 2.94e-07
    assert read_back(written) == pytest.approx(value, rel=0.5 * 10.0 ** (1 - digits) * (1 + 1e-9))


@given(st.floats(min_value=1e-12, max_value=1.0, exclude_max=True))
def test_a_written_share_reads_back_as_its_value_never_as_0_or_100(share):
    written = format_share(share)
    percent = 100 * share
    if percent < 0.01:  # a share a student need not count the zeros of
        assert written == "<\u00a00.01" + PERCENT
    elif percent >= 99.95:  # one decimal would say 100 %
        assert written == ">\u00a099.9" + PERCENT
    else:
        assert 0 < read_back(written) < 100  # a share above 0 and below 1 is neither 0 % nor 100 %
        # two significant digits below 1 %, one decimal above: at most half a unit of the last digit off
        last = 10.0 ** (math.floor(math.log10(percent)) - 1) if percent < 1 else 0.1
        assert abs(read_back(written) - percent) <= 0.5 * last * (1 + 1e-9)
        digits = written.removesuffix(PERCENT).replace(".", "").lstrip("0")
        assert len(digits) <= (2 if percent < 1 else 3)  # never 0.00020 %


def test_shares_are_written_with_a_students_precision():
    assert [format_share(v) for v in (0.0014, 2e-6, 0.5, 0.9999, 0.0, 1.0)] == [
        f"{w}{PERCENT}" for w in ("0.14", "<\u00a00.01", "50", ">\u00a099.9", "0", "100")]


# ---------- derivation ----------

@pytest.mark.slow
def test_the_derivation_puts_this_networks_numbers_in(steps):
    blocks = derivation.blocks(steps["2"], "en")
    text = " ".join(b.numbers for b in blocks)
    assert "500 \\times 10^{-4}" in text  # n Var(w), Var(w) = 0.01² written as a person writes it
    assert "\\sqrt{0.05} = 0.2236" in text  # the factor a layer, printed as std(s₁), the same √0.05, is printed
    # 0.224^10 would be 3.16e-07: the factor needs 4 digits
    assert "0.2236^{10} = 3.12 \\times\\nobreak 10^{-7}" in text
    notes = " ".join(n for b in blocks for n in b.notes)
    assert "Measured" in notes and "0.05" in notes


def test_the_derivation_fits_each_step(steps):
    titles = lambda code: [b.title for b in derivation.blocks(steps[code], "en")]  # noqa: E731
    assert any("Zero weights" in x for x in titles("1"))
    assert any("ReLU" in x for x in titles("5"))
    assert any("Batch norm" in x for x in titles("7"))
    assert any("saturated" in n for b in derivation.blocks(steps["3"], "en") for n in b.notes)
    constant = simulate(Config(init="constant", value=0.1, depth=3, width=20, batch=20))
    assert any("Constant" in b.title for b in derivation.blocks(constant, "en"))


def test_the_derivation_is_the_same_in_both_languages_and_its_latex_is_balanced(steps):
    for result in steps.values():
        en, zh = derivation.blocks(result, "en"), derivation.blocks(result, "zh")
        # the same mathematics; only the words inside \text{...} are the page's language
        assert [re.sub(r"\\text\{[^}]*\}", "", b.formula) for b in en] == \
            [re.sub(r"\\text\{[^}]*\}", "", b.formula) for b in zh]
        for block in en:
            for latex in (block.formula, block.numbers):
                assert latex.count("{") == latex.count("}"), latex


# ---------- charts ----------

NAMES = {"measured": "measured", "theory": "theory"}


def _line(result, log=True):
    frame = charts.series_frame(charts.layer_frame(result), "act_std", "predicted_act_std", NAMES)
    return frame, charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=log, names=NAMES,
                                    layer_title="layer")


@pytest.mark.slow
def test_line_chart_draws_measured_and_dashed_theory_on_a_log_axis(steps):
    frame, chart = _line(steps["2"])
    spec = chart.to_dict()
    layers = spec["layer"]
    assert layers[0]["encoding"]["y"]["scale"]["type"] == "log"
    dash = layers[0]["encoding"]["strokeDash"]["scale"]
    assert dash["domain"] == ["measured", "theory"] and dash["range"][1] != [1, 0]  # theory is dashed
    assert layers[0]["encoding"]["color"]["legend"]["symbolType"] == "stroke"  # and so is its legend entry
    assert any("tooltip" in layer["encoding"] for layer in layers)
    data = list(spec["datasets"].values())[0]
    assert len(data) == len(frame) and {"layer", "value", "series"} <= set(data[0])
    ticks = layers[0]["encoding"]["y"]["axis"]["values"]
    assert all(np.log10(v) == round(np.log10(v)) for v in ticks)  # ticks at whole powers of ten
    assert spec["config"]["axis"]["labelFontSize"] >= 15  # readable from the back row


@pytest.mark.slow
def test_line_chart_linear_axis(steps):
    _, chart = _line(steps["4"], log=False)
    y = chart.to_dict()["layer"][0]["encoding"]["y"]
    assert "type" not in y["scale"] and "domain" not in y["scale"]  # linear, its domain from the data
    assert y["scale"]["nice"] == y["axis"]["tickCount"]  # made nice to the axis's own ticks: it ends on one


@pytest.mark.slow
def test_histograms_are_small_multiples_with_one_x_axis(steps):
    frame = charts.histogram_frame(steps["2"], "en")
    assert list(dict.fromkeys(frame["panel"])) == [f"layer {i}" for i in range(1, 11)]
    assert np.allclose(frame.groupby("panel")["share"].sum(), 1.0)
    spec = charts.histogram_chart(frame, colour="#4477AA", title="h", share_title="s", columns=5).to_dict()
    assert spec["columns"] == 5
    assert spec["facet"]["sort"] == list(dict.fromkeys(frame["panel"]))
    x = spec["spec"]["layer"][0]["encoding"]["x"]
    low, high = x["scale"]["domain"]
    assert low < -1.0 and high > 1.0 and x["axis"]["values"] == [-1.0, 0.0, 1.0]
    assert spec["resolve"]["scale"]["y"] == "independent"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("init", ["he_normal", "normal", "zeros"])
def test_every_layers_histogram_shows_its_shape_with_its_spike_cut_and_labelled(activation, init):
    """Values exactly 0 are a bar of their own with their measured share on it; a bar that would flatten the
    rest (ReLU's zeros, tanh's flat ends under N(0, 1)) is cut, so the tallest other bar fills most of the panel."""
    result = simulate(Config(depth=4, width=200, batch=300, activation=activation, init=init, std=1.0))
    frame = charts.histogram_frame(result, "en")
    for layer, panel in frame.groupby("layer"):
        total = result.hist_counts[layer].sum()
        zero = panel[panel["kind"] == "zero"]
        assert len(zero) == (result.hist_zeros[layer] > 0)
        if len(zero):  # the label is the measured share of exact zeros, as the page writes a share
            assert zero["label"].item() == format_share(result.hist_zeros[layer] / total)
        assert panel["share"].sum() == pytest.approx(1.0)  # the zeros are taken out of their bin, not counted twice
        # a saturating f's values past its bins stay in its end bins, past the rule's edge (sigmoid's below 0.0104)
        below, above = result.hist_beyond[layer] if get(activation).saturation is None else (0, 0)
        for kind, count, message, edge in (("under", below, "hist_under", result.hist_edges[0]),
                                           ("over", above, "hist_over", result.hist_edges[-1])):
            beyond = panel[panel["kind"] == kind]  # the values past the range: a bar of their own, outside it
            assert len(beyond) == (count > 0)
            if count:
                assert beyond["share"].item() == count / total
                assert beyond["label"].item() == t("en", message, edge=format_value(edge),
                                                   share=format_share(count / total))
                outside = (beyond["start"].item() > result.hist_edges[-1]) if kind == "over" else \
                    (beyond["end"].item() < result.hist_edges[0])
                assert outside  # drawn past the range's edge, apart from its end bin
        ends = panel[panel["kind"].isin(["bin", "end"])]["share"].to_numpy()
        last = result.hist_counts[layer][-1] - above - (result.hist_zeros[layer] if result.hist_edges[-1] <= 0 else 0)
        assert ends[-1] * total == pytest.approx(last)  # the last bin holds only the values inside the range
        drawn_cut = (panel["bar"] != panel["share"]) & panel["kind"].isin(["zero", "end"])
        assert (panel.loc[drawn_cut, "label"] == panel.loc[drawn_cut, "text"]).all()  # every cut bar says its share
        uncut = panel.loc[~drawn_cut, "bar"]
        assert uncut.max() >= 0.75 * panel["bar"].max()  # the rest fills most of the panel's height
    if activation == "relu" and init == "he_normal":  # half of every layer is exactly 0: cut, labelled ~50 %
        zeros = frame[frame["kind"] == "zero"]
        assert (zeros["bar"] < zeros["share"]).all() and zeros["share"].between(0.45, 0.55).all()
        # He keeps std(h) near 0.83, so a few % of every layer lie past 3: the bar beyond the edge says so
        assert (frame["kind"] == "over").sum() == 4


# What the numbers above the panels are, step by step: a step's labelled bars as its story describes them
LABEL_KEYS = {"1": ("hist_key_zero",), "2": (), "3": ("hist_key_end",), "5": ("hist_key_zero", "hist_key_over"),
              "8": ("hist_key_beyond",)}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_key_to_the_histograms_labels_names_each_kind_of_labelled_bar(steps, lang):
    """Presenter mode writes the panels' labels as the shares alone ("46.6 %"): the key says what they count. Step 1's
    exact zeros (tanh(0)), step 3's cut flat ends of tanh, step 5's ReLU zeros and its tail past 3, step 8's
    residual stream beyond both ends, and no key where no label is drawn (step 2's unsaturated tanh); at every step,
    a key exactly where a label is."""
    for step, parts in LABEL_KEYS.items():
        result = steps[step]
        low, high = (format_value(edge) for edge in result.hist_edges[[0, -1]])
        inner = [format_value(edge) for edge in result.hist_edges[[1, -2]]]  # where the end bins start
        rule = get(result.config.activation).saturation or (0.0, 0.0)  # the saturated share's, past center ± half
        saturated = [format_value(rule[0] - rule[1]), format_value(rule[0] + rule[1])]
        values = {"activation": t(lang, f"act_{result.config.activation}"), "edge": high, "low": low, "high": high,
                  "edges": join(lang, inner)}
        written = [t(lang, part, **values) for part in parts]
        listed = t(lang, "join_last").join(written)  # at most two: "a and b"
        key = charts.label_key(charts.histogram_frame(result, lang), result.config.activation, lang)
        assert key == (t(lang, "hist_key", parts=listed) if parts else ""), step
        if "hist_key_end" in parts:  # the end bins start where the story's saturated share counts from (had: 0.96)
            assert inner == saturated and join(lang, saturated) in key, key
    for step, result in steps.items():
        frame = charts.histogram_frame(result, lang)
        assert (charts.label_key(frame, result.config.activation, lang) != "") == (frame["short"] != "").any(), step


@pytest.mark.parametrize("text", ["Numbers above: the share of values exactly 0 and values above 3 (grey bar).",
                                  "上方数字：恰为 0 的值和大于 3 的值（灰色柱）的比例。", "a", "",
                                  "supercalifragilistic word"])
@pytest.mark.parametrize("width", [40, 120, 300, 2000])
def test_a_wrapped_line_is_no_wider_than_its_room_and_keeps_every_letter(text, width):
    lines = charts.wrapped(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(charts.text_width(line) <= width or " " not in line and not re.search(f"[{charts.WIDE}]", line[1:])
               for line in lines), lines  # only a word wider than the room overflows it, alone on its line
    if charts.text_width(text) <= width:
        assert lines == ([text] if text else [])


def test_chart_text_is_large_and_of_enough_contrast_in_both_themes():
    """WCAG 2.1 contrast of the charts' text on each theme's background (Streamlit's and the app's own)."""
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21.0)  # the formula's known end points
    assert charts.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit/config.toml").read_text())["theme"]
    for mode, colour in charts.TEXT_COLOURS.items():
        for background in (charts.BACKGROUNDS[mode], config[mode]["backgroundColor"]):
            assert charts.contrast(colour, background) >= charts.MIN_CONTRAST, (mode, background)
    spec = charts.coloured(charts.vega_lite(_line(SMALL_RESULT(), log=True)[1]), "dark")["config"]
    for part in ("axis", "legend", "header"):
        assert spec[part]["labelFontSize"] >= 15 and spec[part]["labelColor"] == charts.TEXT_COLOURS["dark"]
    assert spec["title"]["fontSize"] >= 15 and spec["title"]["color"] == charts.TEXT_COLOURS["dark"]


# Paul Tol's "bright" palette as published (https://personal.sron.nl/~pault/#sec:qualitative), made to be told apart
# with the common colour-vision deficiencies: the page's line colours are measured against its nearest pair
TOL_BRIGHT = ("#4477AA", "#66CCEE", "#228833", "#CCBB44", "#EE6677", "#AA3377", "#BBBBBB")
# normal vision, then the three dichromacies at full severity as Machado, Oliveira and Fernandes (2009) simulate them
VISIONS = (None, *({"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
                   for kind in ("deuteranomaly", "protanomaly", "tritanomaly")))


def nearest_pair(colours) -> float:
    """The least distance in CAM02-UCS (about 1 is a just-visible difference) between two of `colours`, seen with
    any of VISIONS."""
    rgb = np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in colours])
    least = math.inf
    for vision in VISIONS:
        seen = rgb if vision is None else np.clip(cspace_convert(rgb, vision, "sRGB1"), 0, 1)
        ucs = cspace_convert(seen, "sRGB1", "CAM02-UCS")
        apart = np.linalg.norm(ucs[:, None] - ucs[None], axis=-1)
        least = min(least, apart[np.triu_indices(len(colours), 1)].min())
    return least


def test_every_line_stands_out_from_both_themes_and_from_every_colour_drawn_beside_it():
    """Each scheme's colour (all of them on the Compare tab) and a residual branch's (beside a stream of any scheme):
    WCAG 2.1's 3:1 for graphics on every background the page has, and no pair nearer than Tol's nearest for anyone;
    beside each stream, the branch colour further from it (a violet stream's lavender branch had looked as its own)."""
    lines = {**charts.SCHEME_COLOURS, **{f"branch {colour}": colour for colour in charts.BRANCH_COLOURS}}
    for scheme, colour in charts.SCHEME_COLOURS.items():
        assert charts.branch_colour(colour) == max(charts.BRANCH_COLOURS,
                                                   key=lambda branch: nearest_pair([branch, colour])), scheme
    for name, colour in lines.items():
        for background in {*charts.BACKGROUNDS.values(), *charts.PAGE_BACKGROUNDS.values()}:
            assert charts.contrast(colour, background) >= charts.MIN_GRAPHICS_CONTRAST, (name, background)
    # the simulation's known points: a grey is seen as itself, and red and green are near alike to a deuteranope
    assert nearest_pair(["#777777", "#777777"]) == 0
    assert nearest_pair(["#cc3333", "#558822"]) < 10 < nearest_pair(["#4477AA", "#EE6677"])
    assert nearest_pair(lines.values()) >= nearest_pair(TOL_BRIGHT) > 5


# The colour words the page's messages may use, each with what a colour it names must be (HSV hue in degrees,
# saturation, value of "#rrggbb" or "rgb(r, g, b)"), and each message that uses one, with the colour drawn for what it
# names: the residual branch's caption had said "the orange line" after the branch's line was no longer orange.
COLOUR_WORDS = {"grey": ("grey|gray", "灰", lambda hue, sat, val: sat < 0.12 and 0.2 < val < 0.9),
                "black": ("black", "黑", lambda hue, sat, val: val < 0.15),
                "white": ("white", "白色", lambda hue, sat, val: sat < 0.05 and val > 0.95),
                "blue": ("blue", "蓝", lambda hue, sat, val: 190 <= hue <= 250 and sat > 0.4),
                "cyan": ("cyan|teal", "青", lambda hue, sat, val: 160 <= hue < 200 and sat > 0.4),
                "green": ("green", "绿", lambda hue, sat, val: 80 <= hue < 160 and sat > 0.4),
                "yellow": ("yellow|ochre", "黄", lambda hue, sat, val: 40 <= hue < 70 and sat > 0.4),
                "orange": ("orange", "橙", lambda hue, sat, val: 15 <= hue <= 45 and sat > 0.4),
                "red": ("red|pink", "红", lambda hue, sat, val: (hue >= 340 or hue < 15) and sat > 0.4),
                "purple": ("purple|violet|lavender", "紫", lambda hue, sat, val: 250 < hue < 340 and sat > 0.3)}


def hsv(colour: str) -> tuple[float, float, float]:
    colour = {"black": "#000000", "white": "#ffffff"}.get(colour, colour)  # the CSS names the charts use
    channels = ([int(colour[i:i + 2], 16) for i in (1, 3, 5)] if colour.startswith("#")
                else [int(c) for c in re.findall(r"\d+", colour)])
    hue, sat, val = colorsys.rgb_to_hsv(*(c / 255 for c in channels))
    return hue * 360, sat, val


def scheme_ends(scheme: str) -> tuple[str, str]:
    """The colours Vega draws for the two ends of a colour scheme (vl_convert's scenegraph of two cells)."""
    colour = {"field": "v", "type": "quantitative", "scale": {"scheme": scheme, "domain": [-1, 1]}}
    spec = {"data": {"values": [{"x": 0, "v": -1}, {"x": 1, "v": 1}]}, "mark": "rect",
            "encoding": {"x": {"field": "x", "type": "ordinal"}, "color": colour}}
    found = [item["fill"] for node, _, _ in scene_marks(vl_convert.vegalite_to_scenegraph(spec))
             if node["marktype"] == "rect" and node.get("role") == "mark" for item in node["items"]]
    return found[0], found[-1]


@pytest.mark.slow
def test_a_message_names_only_the_colour_its_chart_draws():
    from views import theory as theory_view
    from views.tabs.theory import theory_map

    cells, critical = theory_map("tanh", 1.0, 0.0)
    marks = theory_view.marks_frame(500, 1.0, 0.0, "en")
    spec = theory_view.map_chart(cells, critical, marks, colour_by="log_chi1", lang="en", title="t").to_dict()
    scheme = next(layer["encoding"]["color"]["scale"]["scheme"] for layer in spec["layer"]
                  if "scheme" in layer.get("encoding", {}).get("color", {}).get("scale", {}))
    ordered, chaotic = scheme_ends(scheme)
    edge = next(layer["mark"]["color"] for layer in spec["layer"]
                if isinstance(layer["mark"], dict) and layer["mark"]["type"] == "line")
    drawn = {**{key: {"grey": charts.SPIKE_COLOUR} for key in ("hist_beyond", "hist_zeros", "hist_ends", "hist_key_end",
                                                              "hist_key_under", "hist_key_over", "hist_key_beyond")},
             "theory_tab.diverging": {"grey": charts.GUIDE_COLOUR},  # the xi view's cells where q* = inf
             "theory_tab.phases": {"blue": ordered, "orange": chaotic, "black": edge}}
    assert scheme_ends("blueorange") == ("rgb(19, 75, 133)", "rgb(153, 74, 7)")  # Vega's own, as it draws them
    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            said = {word for word, (english, chinese, _) in COLOUR_WORDS.items()
                    if re.search(rf"\b({english})\b" if lang == "en" else chinese, str(text), flags=re.IGNORECASE)}
            if said or key in drawn:
                assert said == set(drawn.get(key, {})), (lang, key, said)
    for key, colours in drawn.items():
        for word, colour in colours.items():
            assert COLOUR_WORDS[word][2](*hsv(colour)), (key, word, colour)


def SMALL_RESULT():
    return simulate(Config(depth=3, width=20, batch=30))


def test_deep_nets_show_every_kth_layer():
    layers, k = charts.panel_layers(100)
    assert layers == list(range(10, 101, 10)) and k == 10
    assert charts.panel_layers(10) == (list(range(1, 11)), 1)
    assert charts.panel_layers(25) == ([1, 4, 7, 10, 13, 16, 19, 22, 25], 3)  # always ends at the last layer


@pytest.mark.slow
def test_histograms_leave_out_layers_past_an_overflow():
    result = simulate(Config(depth=30, activation="linear", init="normal", std=100.0))
    frame = charts.histogram_frame(result, "en")
    assert frame["layer"].max() < result.breaks[0].layer


@pytest.mark.parametrize("depth", [1, 10, 11, 21, 30, 45, 100])
def test_the_histogram_caption_names_the_layers_with_a_panel(depth):
    """A 30-layer net's caption read "one panel per layer (every 3th layer)": an ordinal English does not write, and
    no word of which layers. Where the panels skip layers, the caption names the ones they show, and no number takes
    an ordinal's ending; a network broken at its layer 20 names only the panels before the break."""
    for config in (Config(depth=depth, width=8, batch=40),
                   Config(depth=depth, width=8, batch=40, activation="linear", init="normal", std=100.0)):
        frame = charts.histogram_frame(simulate(config), "en")
        panels, k = charts.panel_layers(depth)
        shown = sorted(set(frame["layer"]))
        assert set(shown) <= set(panels) and shown[0] == panels[0]
        for lang in LANGUAGES:
            caption = charts.histogram_caption(frame, config.activation, k, lang)
            named = t(lang, "hist_every", k=k, layers=summary.layers_named(lang, shown))
            assert (named in caption) == (k > 1), (lang, caption)
            assert not re.search(r"\d(st|nd|rd|th)\b", caption), caption


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_gradients_caption_says_where_each_network_s_backward_pass_starts(steps, lang):
    """Step 8's caption said its top value "has already passed back through f′"; a residual stream's top gradient is
    the N(0, 1) it starts from (std within 0.5 % of 1 over its 500,000 values), a plain ReLU net's has lost ReLU's
    share (step 6: √½ of it, within 3 %)."""
    for step, result in steps.items():
        config, depth = result.config, result.config.depth
        caption = gradients_tab.grad_caption(config, lang)
        start = "grad_start_residual" if config.residual else "grad_start"
        assert caption == join(lang, [t(lang, start), t(lang, "grad_ratio_note")], "sentence"), step
        if config.residual:
            assert result.stats["grad_std"][depth] == pytest.approx(1, rel=0.005), step
    assert steps["6"].stats["grad_std"][10] == pytest.approx(math.sqrt(0.5), rel=0.03)
    assert {s for s, r in steps.items() if r.config.residual} == {"8", "9"}


@pytest.mark.slow
@pytest.mark.parametrize("code", list(tour.STEPS))
def test_the_ratio_chart_draws_its_layers_and_no_rule_of_thumb_line(steps, code):
    """std(∂L/∂W) / std(W) from a made-up N(0, 1) gradient at the top has no learning rate in it, so CS231n's 10⁻³
    (real updates, lr · ∂L/∂W) is no line on it: a dashed 10⁻³ had stretched step 7's axis four decades below its
    9.7 to 21 and invited reading a learning rate off it. The chart draws one point a layer with a positive ratio,
    and its log axis spans those values alone: from the power of ten at or below the least to the one at or above
    the largest."""
    frame = charts.layer_frame(steps[code])
    spec = charts.ratio_chart(frame, colour="#228833", title="r", y_title="ratio", layer_title="layer").to_dict()
    # no line, and nothing at a fixed height but the marks of a 0 on the axis's bottom edge (the guide was a rule
    # and its label at y = 10⁻³)
    bottom, top = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert [layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"] == []
    assert {layer["encoding"]["y"]["datum"] for layer in spec["layer"]
            if "datum" in layer.get("encoding", {}).get("y", {})} <= {bottom}
    ratios = frame.loc[(frame["layer"] >= 1), "grad_data_ratio"].to_numpy(float)
    positive = ratios[np.isfinite(ratios) & (ratios > 0)]
    if not positive.size:  # step 1's W = 0: nothing to span (the tab says why in the chart's place)
        assert code == "1"
        return
    # each end within a decade of the values (below them, the band where a ratio of exactly 0 is marked)
    zero_band = 10.0**-charts.ZERO_BAND if (ratios == 0).any() else 1.0
    assert positive.max() <= top <= 10 * positive.max(), (top, positive.max())
    assert positive.min() / 10 * zero_band <= bottom <= positive.min(), (bottom, positive.min())


def test_the_compare_tab_draws_the_page_s_own_network_whatever_is_picked():
    """Step 1's Compare tab drew the five default schemes and not zeros, the step itself. At every tour step, with the
    default picks and with one other scheme picked, the page's own scheme is among the networks, as the page's
    network itself (the one the headline computed)."""
    from views.tabs.compare import compare_configs

    for code, config in tour.STEPS.items():
        for picked in (list(tour.LECTURE_FIVE), ["he_normal"]):
            configs, _ = compare_configs(config, picked)
            own = tour.scheme_of(config)
            assert own in configs and set(configs) == {*picked, own}, (code, picked)
            if own not in picked:
                assert configs[own] is config, code
    assert "zeros" not in tour.LECTURE_FIVE and tour.scheme_of(tour.STEPS["1"]) == "zeros"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_compare_tab_names_the_settings_its_schemes_do_not_keep(lang):
    """Step 10's Compare tab drew Xavier falling to 0.0761 beside the page's orthogonal line at 0.124 and said "this
    network under each scheme", while every scheme had dropped the step's gain 1.015 and bias std 0.002145. What the
    sentence says of the schemes holds for every one (its gain its own, its biases 0), and it names the page's settings
    exactly where the page has them: at step 10 and at a Custom gain or bias, not at the lecture's steps."""
    from views.tabs.compare import not_carried

    step_10 = tour.step_config("10")
    for config in (step_10, Config(bias=0.3), Config(init="he_normal", gain=1.5)):
        for scheme in tour.SCHEMES:
            theirs = tour.scheme_config(config, scheme)
            assert theirs.bias == theirs.bias_std == 0 and theirs.gain is None, scheme
    said = {step: not_carried(config, lang) for step, config in tour.STEPS.items()}
    assert {step for step, text in said.items() if text} == {"10"}, said
    assert said["10"] == t(lang, "compare_not_carried", settings=join(lang, [
        t(lang, "compare_setting_gain", value="1.015"), t(lang, "compare_setting_bias_std", value="0.002145")]))
    assert step_10.gain == 1.015 and step_10.bias_std == 0.002145 and step_10.bias == 0
    assert not_carried(Config(bias=0.3), lang) == t(lang, "compare_not_carried",
                                                    settings=t(lang, "compare_setting_bias", value="0.3"))
    assert not_carried(Config(init="xavier_normal", gain=1.0), lang) is None  # Xavier's own gain, said by none


@pytest.mark.slow
def test_compare_chart_keeps_each_schemes_colour(steps):
    results = {s: steps[c] for s, c in (("normal_1", "3"), ("xavier_normal", "4"), ("zeros", "1"))}
    for lang in LANGUAGES:
        frame = charts.compare_frame(results, lang, current="xavier_normal")
        spec = charts.compare_chart(frame, title="c", y_title="std", layer_title="layer",
                                    scheme_title="scheme", underflow_label="underflow").to_dict()
        colour = spec["layer"][0]["encoding"]["color"]["scale"]
        # legend names from the catalogue, in the page's language and the order given, never the code names
        assert colour["domain"] == [charts.scheme_name(s, lang) for s in results]
        assert not {"normal_1", "xavier_normal"} & set(colour["domain"])
        assert colour["range"] == [charts.SCHEME_COLOURS[s] for s in results]
        # the page's own scheme is drawn last (on top) and thicker than every other line
        lines = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
        assert lines[-1]["transform"][-1] == {"filter": "datum.current"}
        assert lines[-1]["mark"]["strokeWidth"] > max(layer["mark"]["strokeWidth"] for layer in lines[:-1])
    assert charts.scheme_name("normal_0.01+bn", "en") == "N(0,\u00a00.01²) + batch norm"
    for lang in LANGUAGES:  # every Compare scheme has its name in every language, all different
        names = [charts.scheme_name(s, lang) for s in tour.SCHEMES]
        assert len(set(names)) == len(tour.SCHEMES)


@pytest.mark.slow
def test_a_template_filled_with_new_data_is_the_chart_built_from_it(steps):
    """The app reuses a built chart for networks with the same layout; that must equal building it afresh."""
    old = charts.series_frame(charts.layer_frame(steps["4"]), "act_std", "predicted_act_std", NAMES)
    new = charts.series_frame(charts.layer_frame(simulate(replace(tour.STEPS["4"], seed=5))), "act_std",
                              "predicted_act_std", NAMES)
    assert charts.layout("line", old, log=True) == charts.layout("line", new, log=True)
    options = dict(colour="#228833", title="t", y_title="std", log=True, names=NAMES, layer_title="layer")
    filled = charts.with_data(charts.template(charts.line_chart(old, **options)), new)
    with alt.theme.enable("none"):  # the page's specs carry no Altair theme (st.altair_chart's way too)
        fresh = charts.line_chart(new, **options).to_dict()
    fresh_data = fresh.pop("datasets")
    assert {k: v for k, v in filled.items() if k not in ("datasets", "data")} == \
        {k: v for k, v in fresh.items() if k != "data"}
    assert filled["datasets"][charts.MAIN].equals(new)
    assert list(fresh_data.values())[0] == new.to_dict("records")


@pytest.mark.slow
def test_every_chart_is_a_template_with_one_dataset(steps):
    layers = charts.layer_frame(steps["5"])
    built = [
        charts.mean_chart(layers, colour="#1", title="t", y_title="y", layer_title="l"),
        _line(steps["5"])[1],
        charts.histogram_chart(charts.histogram_frame(steps["5"], "en"), colour="#1", title="t", share_title="s"),
        charts.ratio_chart(layers, colour="#1", title="t", y_title="y", layer_title="l"),
        charts.compare_chart(charts.compare_frame({"he_normal": steps["6"]}), title="t", y_title="y",
                             layer_title="l", scheme_title="s", underflow_label="u"),
    ]
    for chart in built:
        chart.to_dict()  # validates against the Vega-Lite schema, which template() skips for speed
        spec = charts.template(chart)
        assert spec["data"] == {"name": charts.MAIN} and "datasets" not in spec


@pytest.mark.slow
def test_every_tab_s_charts_share_one_theme(steps):
    """Every chart of every tab has the projector-size fonts (15 px labels, 17 px titles, docs/app.md) and the
    legend below with lines 3 px thick, as the curves are drawn; the Training charts' legend is fully opaque; no
    two labels of an axis or a legend overlap (Vega leaves one out)."""
    from core import theory
    from views import theory as theory_view
    from views import training as training_view

    layers = charts.layer_frame(steps["5"])
    runs = pd.DataFrame({"scheme": "he_normal", "name": "He", "step": np.arange(5), "loss": 1.0, "accuracy": 0.5,
                         "loss_mean": 1.0, "accuracy_mean": 0.5})
    result = simulate(Config(depth=4, width=32, batch=64))
    grid = theory.phase_map("tanh")
    built = {
        "mean": charts.mean_chart(layers, colour="#1", title="t", y_title="y", layer_title="l"),
        "line": _line(steps["5"])[1],
        "compare": charts.compare_chart(charts.compare_frame({"he_normal": steps["6"]}), title="t", y_title="y",
                                        layer_title="l", scheme_title="s", underflow_label="u"),
        "loss": training_view.loss_chart(runs, "en", classes=3),
        "symmetry": training_view.symmetry_chart(
            pd.DataFrame({"scheme": ["he_normal"], "name": ["He"], "layer": [1], "distinct_units": [32]}), "en"),
        "gradient": theory_view.gradient_chart(
            theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, 0.5, "en"), lang="en"),
        "map": theory_view.map_chart(theory_view.map_frame(grid), theory_view.critical_frame(grid),
                                     theory_view.marks_frame(500, 1.0, 0.0, "en"), lang="en", title="t"),
    }
    for name, chart in built.items():
        config = chart.to_dict()["config"]
        apart = {"labelOverlap": "greedy", "labelSeparation": charts.LABEL_GAP}
        assert config["axis"] == {"labelFontSize": 15, "titleFontSize": 15, **apart}, name
        assert config["title"] == {"fontSize": 17, "anchor": "start"}, name
        legend = {"labelFontSize": 15, "titleFontSize": 15, "symbolStrokeWidth": 3, "orient": "bottom", **apart}
        if name in ("loss", "symmetry"):
            legend["symbolOpacity"] = 1
        assert config["legend"] == legend, name


@pytest.mark.parametrize("case", ["shared", "on_top", "not_shared", "nested"])
def test_charts_layer_is_altairs_layer_without_hashing_the_frame(case, monkeypatch):
    """charts.layer gives alt.layer's spec and leaves its subcharts as they were; a frame the subcharts share goes to
    the layer without Altair's hash of each subchart (alt.Chart._compute_hash, which writes out the whole frame with
    DataFrame.__repr__ to name views for selections); where the frame is not shared, it is alt.layer itself."""
    frame, other = pd.DataFrame({"layer": [1, 2, 3], "y": [1.0, 0.5, 0.25]}), pd.DataFrame({"y": [0.5]})

    def built():  # anew for each: alt.layer keeps the hash it made on the subcharts it was given
        line = alt.Chart(frame).mark_line().encode(x="layer:Q", y="y:Q")
        point = alt.Chart(frame).mark_point().encode(x="layer:Q", y="y:Q")
        return {"shared": ([line, point], alt.Undefined),
                "on_top": ([alt.Chart().mark_line().encode(x="layer:Q", y="y:Q"), point], frame),
                "not_shared": ([line, alt.Chart(other).mark_rule().encode(y="y:Q")], alt.Undefined),
                "nested": ([alt.layer(line, point), point], alt.Undefined)}[case]

    expected = charts.vega_lite(alt.layer(*built()[0], data=built()[1]))
    subcharts, data = built()
    kept = [chart.copy() for chart in subcharts]
    hashed, compute_hash = [], alt.Chart._compute_hash
    monkeypatch.setattr(alt.Chart, "_compute_hash", lambda self: hashed.append(self) or compute_hash(self))
    layered = charts.layer(*subcharts, data=data)
    monkeypatch.undo()
    assert hashed == [] or case in ("not_shared", "nested")
    assert charts.vega_lite(layered) == expected
    assert [chart.to_dict(validate=False) for chart in subcharts] == [chart.to_dict(validate=False) for chart in kept]
    assert layered.to_dict()  # Altair's own schema check


def test_charts_replaced_is_altairs_properties_without_combining_the_layers_again(monkeypatch):
    """charts.replaced(chart, ...) gives the spec chart.properties(...) gives and leaves chart as it was, without a
    layered chart's __init__ (which combines its layers again, deep copies of each), where Altair's copies run it."""
    frame = pd.DataFrame({"layer": [1, 2, 3], "y": [1.0, 0.5, 0.25]})
    chart = alt.layer(alt.Chart(frame).mark_line().encode(x="layer:Q", y="y:Q"),
                      alt.Chart(frame).mark_point().encode(x="layer:Q", y="y:Q"))
    before = chart.to_dict()
    inits, init = [], alt.LayerChart.__init__
    monkeypatch.setattr(alt.LayerChart, "__init__", lambda self, *a, **k: inits.append(1) or init(self, *a, **k))
    properties = dict(title="t", height=100, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    copy = charts.replaced(chart, **properties)
    assert inits == []
    chart.properties(**properties)
    assert inits == [1]  # Altair's own copy
    monkeypatch.undo()
    assert copy.to_dict() == chart.properties(**properties).to_dict() and chart.to_dict() == before
    assert isinstance(copy, alt.LayerChart) and copy.title == "t"


def test_frames_are_small_enough_to_inline():
    result = simulate(Config(depth=100, width=64, batch=64))
    assert len(charts.histogram_frame(result, "en")) <= charts.MAX_PANELS * 50 < 5000
    assert isinstance(charts.layer_frame(result), pd.DataFrame) and len(charts.layer_frame(result)) == 101


@pytest.mark.slow
def test_every_tooltip_names_its_field_with_the_page_words(steps):
    """No raw column name (act_mean, grad_data_ratio, start) reaches a tooltip; each field says what it is."""
    words = {"layer_title": "层", "y_title": "标准差"}
    layers = charts.layer_frame(steps["3"])
    built = [
        charts.mean_chart(layers, colour="#1", title="t", **words),
        charts.line_chart(charts.series_frame(layers, "act_std", "predicted_act_std", NAMES), colour="#1", title="t",
                          log=True, names=NAMES, series_title="曲线", **words),
        charts.histogram_chart(charts.histogram_frame(steps["3"], "第 {n} 层"), colour="#1", title="t",
                               share_title="比例", layer_title="层", bin_titles=("区间起点", "区间终点")),
        charts.ratio_chart(layers, colour="#1", title="t", **words),
        charts.compare_chart(charts.compare_frame({"he_normal": steps["6"]}), title="t", scheme_title="方案",
                             underflow_label="下溢", **words),
    ]
    allowed = {"层", "标准差", "曲线", "比例", "区间起点", "区间终点", "方案"}
    for chart in built:
        tooltips = [t for layer in encodings(chart.to_dict()) for t in layer.get("tooltip", [])
                    if isinstance(layer.get("tooltip"), list)]
        assert tooltips, json.dumps(chart.to_dict())[:200]
        for tooltip in tooltips:
            assert tooltip.get("title") in allowed, tooltip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_data_tab_renames_the_shares_to_what_they_count(steps, lang):
    frame = export.data_table(charts.layer_frame(steps["3"]), lang, steps["3"].config)
    saturated, dead = t(lang, "column_saturated"), t(lang, "column_dead")
    assert {saturated, dead} <= set(frame.columns)
    assert not {"saturated", "dead"} & set(frame.columns)
    assert frame[saturated].iloc[-1] == pytest.approx(steps["3"].saturated[-1])


def test_the_docs_say_what_every_chart_plots():
    """Each chart title the app uses is listed in docs/app.md's chart table, next to what it draws (a title in
    lines, a line break in the message, in one line there)."""
    docs = (ROOT / "docs" / "app.md").read_text()
    table = docs[docs.index("## What each chart plots"):]
    table = table[:table.index("\n#", 1)]  # up to the next heading
    titles = [key for key in catalogue("en") if key.startswith("chart_")]
    assert len(titles) >= 6
    # the gradient chart's three titles, each with its network's gradient (gradients.grad_title)
    named = [key for key in titles if "{grad}" in catalogue("en")[key]]
    gradient = {gradients_tab.grad_title(config, "en") for config in
                (Config(), Config(batch_norm=True), Config(residual=True))}
    assert len(named) == len(gradient) == 3
    for title in [t("en", key) for key in titles if key not in named] + sorted(gradient):
        assert title.replace("\n", " ") in table, title


# ---------- the Theory and Training tabs' labels ----------

def _tooltip_titles(chart) -> dict[str, str]:
    """{field: tooltip title} over every layer of a chart's spec; a field without a title maps to None."""
    return {t["field"]: t.get("title") for layer in encodings(chart.to_dict())
            if isinstance(layer.get("tooltip"), list) for t in layer["tooltip"]}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_theory_and_training_tooltips_use_the_page_words(lang):
    """No raw field name (scheme, step, loss_mean, series, value) reaches a Theory or Training tooltip."""
    from views import theory as theory_view
    from views import training as training_view

    result = simulate(Config(depth=4, width=32, batch=64))
    gradient = theory_view.gradient_chart(
        theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, 0.5, lang), lang=lang)
    assert _tooltip_titles(gradient) == {"series": t(lang, "series"), "layer": t(lang, "layer"),
                                         "value_text": t(lang, "theory_tab.grad_std")}
    steps_ = np.arange(5)
    runs = pd.DataFrame({"scheme": "he_normal", "name": "He", "step": steps_, "loss": 1.0 + 0 * steps_, "accuracy": 0.5,
                         "loss_mean": 1.0, "accuracy_mean": 0.5})
    assert _tooltip_titles(training_view.loss_chart(runs, lang, classes=3)) == {
        "name": t(lang, "scheme"), "step": t(lang, "training_tab.step"),
        "loss_mean_text": t(lang, "training_tab.loss_mean_tip")}  # the mean as the page writes numbers
    assert _tooltip_titles(training_view.accuracy_chart(runs, lang, classes=3)) == {
        "name": t(lang, "scheme"), "step": t(lang, "training_tab.step"),
        "accuracy_mean_text": t(lang, "training_tab.accuracy_mean_tip")}  # the share as the page writes it
    for statistic in ("act_std", "grad_std", "update_ratio"):
        cells = pd.DataFrame({"step": [0, 0, 1, 1], "layer": [1, 2, 1, 2], "value": [0.1, 0.2, 0.3, 0.4]})
        assert _tooltip_titles(training_view.heatmap_chart(cells, lang, statistic, Config())) == {
            "step": t(lang, "training_tab.step"), "layer": t(lang, "layer"),
            "value_text": t(lang, f"training_tab.stat_{statistic}")}
    units = pd.DataFrame({"scheme": ["he_normal"] * 2, "name": ["He"] * 2, "layer": [1, 2], "distinct_units": [32, 32]})
    assert _tooltip_titles(training_view.symmetry_chart(units, lang)) == {
        "name": t(lang, "scheme"), "layer": t(lang, "layer"), "distinct_units": t(lang, "training_tab.units_y")}


@pytest.mark.slow
@pytest.mark.parametrize("lang, before_bn", [("en", "before batch norm"), ("zh", "批归一化之前")])
def test_the_theory_gradient_chart_says_dl_dz_under_batch_norm(lang, before_bn):
    """core.network records ∂L/∂z, the sum before batch norm, under batch norm: the chart title names it."""
    from views import theory as theory_view

    config = Config(depth=4, width=32, batch=64, batch_norm=True)
    result = simulate(config)
    frame = theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, None, lang)
    bn_title = " ".join(theory_view.gradient_chart(frame, lang=lang, batch_norm=True).to_dict()["title"]["text"])
    plain_title = " ".join(theory_view.gradient_chart(frame, lang=lang).to_dict()["title"]["text"])
    assert "∂L/∂z" in bn_title and before_bn in bn_title and "∂L/∂s" not in bn_title
    assert "∂L/∂z" not in plain_title


@pytest.mark.parametrize("lang, values, units", [("en", "activation values", "units"), ("zh", "激活值", "神经元")])
def test_the_paradox_counts_saturated_values_not_units(lang, values, units):
    """large_init_paradox's "saturated" is P(|s| > edge), a share of activation values, not of units."""
    from core import theory
    from views import theory as theory_view

    numbers = theory.large_init_paradox(theory_view.PARADOX_CONFIG)
    text = theory_view.paradox_text(numbers, lang)
    saturated = f"{format_share(numbers['saturated'])} "  # the share, then what it is a share of
    assert saturated in text and values in text.split(saturated, 1)[1][:40]
    assert units not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_batch_norm_sentences_say_what_is_true(lang):
    """Under batch norm Var(s) = v/(v + ε), below 1 for tiny weights; the gradient has a theory curve now."""
    from core import theory
    from views import theory as theory_view

    words = catalogue(lang)
    for key in ("theory_bn", "der_back_bn"):
        assert "√(v + ε)" in words[key]
        for claim in ("not covered", "outside", "不涵盖", "不在"):
            assert claim not in words[key]
    assert "{theory_grad_ratio}" in words["der_back_bn"]
    summary_bn = theory.theory_summary(Config(batch_norm=True))
    here = theory_view.here_text(summary_bn, lang, batch_norm=True)
    assert "v/(v + ε)" in here and f"ε = {format_value(theory.BN_EPS)}" in here
    assert "resets" not in here and "重置" not in here
    # the "unless" is real: ReLU under N(0, 1e-4^2) keeps std(s_6) far below 1 (README: 0.0067)
    tiny = theory.predict(Config(depth=6, activation="relu", std=1e-4, batch_norm=True))
    assert tiny["pre_std"][6] < 0.01


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_training_tab_s_settings_in_its_sentences_are_the_engine_s(lang, monkeypatch):
    """The read-out's scale, the trained batch's cap and the He et al. 2015 preset's depths are core.train's
    constants, written into the sentences that name them; other values put in show up in their place."""
    from views import training as training_view

    monkeypatch.setattr(training_view, "HEAD_SCALE", 0.25)
    monkeypatch.setattr(training_view, "MAX_BATCH", 96)
    monkeypatch.setattr(training_view, "HE_2015_DEPTHS", (20, 31))
    for conv in (False, True):
        assert "0.25" in training_view.head_caption(conv, lang) and "0.1" not in training_view.head_caption(conv, lang)
        for spiral in (False, True):
            caption = training_view.symmetry_caption(conv, spiral, "33 %", lang)
            assert "0.1" not in caption and ("0.25" in caption or not conv and not spiral)  # digits: no read-out words
    for conv in (False, True):
        config = Config(arch="conv", width=64, batch=50) if conv else Config(width=2000)
        text = training_view.refusal(config, ["he_normal"] * 5, 300, lang, 2**40)
        assert ("at most 96)" if lang == "en" else "（最多 96）") in text  # the cap; the batch trained is the engine's
    depths = training_view.he_depths()
    assert depths == {"shallow": 20, "deep": 31, "shrink_shallow": "2⁻¹⁰",
                      "shrink_deep": format_value(2.0**-15.5)}  # by √2 a layer: 2^(-depth/2)
    note = t(lang, "training_tab.he_note", **depths)
    assert "2⁻¹⁰" in note and "20" in note and "31" in note and "22" not in note and "30" not in note


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_paradox_s_saturation_edge_is_the_one_the_count_uses(lang):
    from views import theory as theory_view

    text = theory_view.paradox_text(theory.large_init_paradox(theory_view.PARADOX_CONFIG), lang)
    assert f"|tanh| > {summary.saturation_rules()['tanh_edge']}" in text
