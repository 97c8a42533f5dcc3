"""The pure view modules: URL state, the tour, UI text, headline verdicts, the derivation and the chart specs."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import Config, simulate, threads
from core.config import INITS
from views import charts, derivation, summary, tour, urlstate
from views.text import EN, TEXT, ZH, t

ROOT = Path(__file__).resolve().parent.parent
TABS = ("activations", "gradients", "derivation", "compare", "data")


@pytest.fixture(scope="module")
def steps():
    """Every tour step simulated once (side by side)."""
    return dict(zip(tour.STEPS, threads.parallel_map(simulate, tour.STEPS.values())))


# ---------- the tour ----------

def test_every_step_is_the_lecture_network():
    for code, config in tour.STEPS.items():
        assert (config.depth, config.width, config.batch) == (10, 500, 1000), code
    assert tour.STEPS["1"].init == "zeros"
    assert (tour.STEPS["2"].init, tour.STEPS["2"].std, tour.STEPS["2"].activation) == ("normal", 0.01, "tanh")
    assert (tour.STEPS["3"].init, tour.STEPS["3"].std) == ("normal", 1.0)
    assert (tour.STEPS["4"].init, tour.STEPS["4"].activation) == ("xavier_normal", "tanh")
    assert (tour.STEPS["5"].init, tour.STEPS["5"].activation) == ("xavier_normal", "relu")
    assert (tour.STEPS["6"].init, tour.STEPS["6"].activation) == ("he_normal", "relu")
    assert tour.STEPS["7"].batch_norm and tour.STEPS["7"].std == 0.01


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
    assert set(charts.SCHEME_COLOURS) == set(tour.SCHEMES)
    assert len(set(charts.SCHEME_COLOURS.values())) == len(charts.SCHEME_COLOURS)
    assert set(tour.LECTURE_FIVE) <= set(tour.SCHEMES)
    expected = {"1": "zeros", "2": "normal_0.01", "3": "normal_1", "4": "xavier_normal", "5": "xavier_normal",
                "6": "he_normal", "7": "normal_0.01+bn"}
    assert {code: tour.scheme_of(c) for code, c in tour.STEPS.items()} == expected
    # a scheme's own configuration is drawn in its own colour
    for scheme in tour.SCHEMES:
        assert tour.scheme_of(tour.scheme_config(Config(), scheme)) == scheme


# ---------- URL state ----------

@pytest.mark.parametrize("name, raw, value", [
    ("depth", "20", 20), ("depth", "20.0", 20), ("std", "0.5", 0.5), ("std", "1e-3", 0.001),
    ("activation", "relu", "relu"), ("bn", "TRUE", True), ("bn", "false", False), ("gain", "recommended",
                                                                                     "recommended"),
    ("gain", "1.5", "1.5"), ("step", "custom", "custom"), ("lang", "zh", "zh"),
    ("compare", ["zeros", "he_normal", "zeros"], ["zeros", "he_normal"]),
    ("compare", "normal_0.01 bn", ["normal_0.01+bn"]),  # a "+" typed into the address bar
])
def test_parse_reads_valid_values(name, raw, value):
    assert urlstate.parse(name, raw) == value


@pytest.mark.parametrize("name, raw", [
    ("depth", "0"), ("depth", "101"), ("depth", "2.5"), ("depth", "ten"), ("width", "1"), ("std", "-1"),
    ("std", "nan"), ("std", "inf"), ("std", "abc"), ("activation", "swish"), ("init", "kaiming"), ("bn", "yes"),
    ("gain", "0"), ("gain", "big"), ("step", "8"), ("lang", "fr"), ("seed", "-1"), ("seed", str(2**32)),
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
    # controls without a step differ from step 1, so they are Custom as well
    state, _ = urlstate.normalize({"init": "he_normal", "activation": "relu"}, TABS)
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
    assert canonical({"step": "3", "init": "normal", "std": "1.0"})  # the same number
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

def test_both_languages_have_every_key_with_the_same_placeholders():
    assert set(EN) == set(ZH)
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for key in EN:
        assert EN[key].strip() and ZH[key].strip(), key
        assert fields(EN[key]) == fields(ZH[key]), key


def test_chinese_text_is_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    names_only = {"lang_en", "step_4", "step_5", "step_6", "references_body", "metric_missing"}  # names, a dash
    missing = [k for k, v in ZH.items() if not cjk.search(v) and not k.startswith("formula_") and k not in names_only]
    assert missing == []


def test_every_key_the_code_uses_exists():
    used = set()
    for path in [ROOT / "streamlit_app.py", *sorted((ROOT / "views").glob("*.py"))]:
        used |= set(re.findall(r"""\bt\((?:lang|self\.lang|"en"|"zh"|st\.session_state[^,]*|state\["lang"\]), "(\w+)\"""",
                               path.read_text()))
        used |= set(re.findall(r"""page\.t\("(\w+)\"""", path.read_text()))
    assert used, "the pattern found no uses"
    assert sorted(used - set(EN)) == []
    # keys built at run time
    dynamic = [f"step_{c}" for c in tour.STEP_CODES] + [f"story_{c}" for c in tour.STEP_CODES] + \
        [f"verdict_{v}" for v in summary.VERDICTS] + [f"verdict_{v}_why" for v in summary.VERDICTS] + \
        [f"tab_{c}" for c in TABS] + [f"formula_{i}" for i in INITS]
    assert [k for k in dynamic if k not in EN] == []


def test_t_fills_in_values_and_falls_back_to_english():
    assert t("zh", "step_heading", n=3, title="x") == "第 3 步（共 7 步）· x"
    assert t("fr", "tab_data") == "Data"
    assert TEXT["zh"]["tab_data"] == "数据"


# ---------- headline ----------

def test_the_verdicts_tell_the_lecture_story(steps):
    verdicts = {code: summary.verdict(r) for code, r in steps.items()}
    assert verdicts == {"1": "symmetric", "2": "vanishing", "3": "saturated", "4": "healthy", "5": "vanishing",
                        "6": "healthy", "7": "healthy"}


def test_an_overflow_is_exploding_and_an_underflow_vanishing():
    big = simulate(Config(depth=30, activation="linear", init="normal", std=100.0))
    assert big.breaks and big.breaks[0].kind == "overflow"
    assert summary.verdict(big) == "exploding"
    small = simulate(Config(depth=30, activation="linear", init="normal", std=1e-4, width=50, batch=20))
    assert summary.verdict(small) == "vanishing"


def test_headline_numbers(steps):
    h = summary.headline(steps["2"])
    assert h.act_ratio == pytest.approx(0.224**10, rel=0.5)
    assert h.grad_ratio == pytest.approx(0.224**9, rel=0.5)
    assert h.saturated == 0.0 and np.isnan(h.dead)
    assert np.isnan(summary.headline(steps["6"]).saturated) and summary.headline(steps["6"]).dead >= 0


def test_format_value():
    assert summary.format_value(0.2134) == "0.213"
    assert summary.format_value(3.04e-7) == "3.04e-07"
    assert summary.format_value(float("nan")) == "—"
    assert summary.format_share(0.924) == "92.4%"


# ---------- derivation ----------

def test_the_derivation_puts_this_networks_numbers_in(steps):
    blocks = derivation.blocks(steps["2"], "en")
    text = " ".join(b.numbers for b in blocks)
    assert "500 \\times 1.00\\times10^{-4}" in text  # n Var(w)
    assert "\\sqrt{0.05} = 0.224" in text  # the factor a layer
    assert "0.224^{10}" in text
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
        assert [b.formula for b in en] == [b.formula for b in zh]
        for block in en:
            for latex in (block.formula, block.numbers):
                assert latex.count("{") == latex.count("}"), latex


# ---------- charts ----------

NAMES = {"measured": "measured", "theory": "theory"}


def _line(result, log=True):
    frame = charts.series_frame(charts.layer_frame(result), "act_std", "predicted_act_std", NAMES)
    return frame, charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=log, names=NAMES,
                                    layer_title="layer")


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


def test_line_chart_linear_axis(steps):
    _, chart = _line(steps["4"], log=False)
    assert "scale" not in chart.to_dict()["layer"][0]["encoding"]["y"]


def test_histograms_are_small_multiples_with_one_x_axis(steps):
    frame = charts.histogram_frame(steps["2"], "layer {n}")
    assert list(dict.fromkeys(frame["panel"])) == [f"layer {i}" for i in range(1, 11)]
    assert np.allclose(frame.groupby("panel")["share"].sum(), 1.0)
    spec = charts.histogram_chart(frame, colour="#4477AA", title="h", share_title="s", columns=5).to_dict()
    assert spec["columns"] == 5
    assert spec["facet"]["sort"] == list(dict.fromkeys(frame["panel"]))
    low, high = spec["spec"]["encoding"]["x"]["scale"]["domain"]
    assert low < -1.0 and high > 1.0 and spec["spec"]["encoding"]["x"]["axis"]["values"] == [-1.0, 0.0, 1.0]
    assert spec["resolve"]["scale"]["y"] == "independent"


def test_deep_nets_show_every_kth_layer():
    layers, k = charts.panel_layers(100)
    assert layers == list(range(10, 101, 10)) and k == 10
    assert charts.panel_layers(10) == (list(range(1, 11)), 1)
    assert charts.panel_layers(25) == ([1, 4, 7, 10, 13, 16, 19, 22, 25], 3)  # always ends at the last layer


def test_histograms_leave_out_layers_past_an_overflow():
    result = simulate(Config(depth=30, activation="linear", init="normal", std=100.0))
    frame = charts.histogram_frame(result, "layer {n}")
    assert frame["layer"].max() < result.breaks[0].layer


def test_ratio_chart_has_the_guide_at_one_in_a_thousand(steps):
    spec = charts.ratio_chart(charts.layer_frame(steps["4"]), colour="#228833", title="r", y_title="ratio",
                              layer_title="layer", guide_name="guide").to_dict()
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and rules[0]["encoding"]["y"]["datum"] == 1e-3
    assert 1e-3 in spec["layer"][0]["encoding"]["y"]["axis"]["values"]


def test_compare_chart_keeps_each_schemes_colour(steps):
    results = {s: steps[c] for s, c in (("normal_1", "3"), ("xavier_normal", "4"), ("zeros", "1"))}
    spec = charts.compare_chart(charts.compare_frame(results), title="c", y_title="std", layer_title="layer",
                                scheme_title="scheme").to_dict()
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == list(results)
    assert colour["range"] == [charts.SCHEME_COLOURS[s] for s in results]


def test_a_template_filled_with_new_data_is_the_chart_built_from_it(steps):
    """The app reuses a built chart for networks with the same layout; that must equal building it afresh."""
    old = charts.series_frame(charts.layer_frame(steps["4"]), "act_std", "predicted_act_std", NAMES)
    new = charts.series_frame(charts.layer_frame(simulate(replace(tour.STEPS["4"], seed=5))), "act_std",
                              "predicted_act_std", NAMES)
    assert charts.layout("line", old, log=True) == charts.layout("line", new, log=True)
    options = dict(colour="#228833", title="t", y_title="std", log=True, names=NAMES, layer_title="layer")
    filled = charts.with_data(charts.template(charts.line_chart(old, **options)), new)
    fresh = charts.line_chart(new, **options).to_dict()
    fresh_data = fresh.pop("datasets")
    assert {k: v for k, v in filled.items() if k not in ("datasets", "data")} == \
        {k: v for k, v in fresh.items() if k != "data"}
    assert filled["datasets"][charts.MAIN].equals(new)
    assert list(fresh_data.values())[0] == new.to_dict("records")


def test_every_chart_is_a_template_with_one_dataset(steps):
    layers = charts.layer_frame(steps["5"])
    built = [
        charts.mean_chart(layers, colour="#1", title="t", y_title="y", layer_title="l"),
        _line(steps["5"])[1],
        charts.histogram_chart(charts.histogram_frame(steps["5"], "l {n}"), colour="#1", title="t", share_title="s"),
        charts.ratio_chart(layers, colour="#1", title="t", y_title="y", layer_title="l", guide_name="g"),
        charts.compare_chart(charts.compare_frame({"he_normal": steps["6"]}), title="t", y_title="y",
                             layer_title="l", scheme_title="s"),
    ]
    for chart in built:
        chart.to_dict()  # validates against the Vega-Lite schema, which template() skips for speed
        spec = charts.template(chart)
        assert spec["data"] == {"name": charts.MAIN} and "datasets" not in spec


def test_frames_are_small_enough_to_inline():
    result = simulate(Config(depth=100, width=64, batch=64))
    assert len(charts.histogram_frame(result, "l {n}")) <= charts.MAX_PANELS * 50 < 5000
    assert isinstance(charts.layer_frame(result), pd.DataFrame) and len(charts.layer_frame(result)) == 101
