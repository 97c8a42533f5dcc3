"""Side by side (?beside=7): two tour steps next to each other, each drawn from its own simulation, on one y scale,
with one sentence chosen from their numbers; a bad value is said and the page still works."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import simulate
from tests.app_support import open_app
from tests.vega_specs import encodings, title_text
from views import beside, charts, present, tour, urlstate
from views.number_writing import format_value
from views.tabs import CODES
from views.text import t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)


def no_trouble(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def headings(at) -> list[str]:
    return [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]


def std_charts(at, lang: str = "en") -> list[tuple[dict, pd.DataFrame]]:
    """(spec, data) of each activation std chart on the page, in order."""
    found = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if title_text(spec) == t(lang, "chart_act_std"):
            (dataset,) = chart.proto.datasets
            found.append((spec, convert_arrow_bytes_to_pandas_df(dataset.data.data)))
    return found


def y_scales(spec) -> list[dict]:
    """Every y scale set anywhere in a spec."""
    return [e["y"]["scale"] for e in encodings(spec) if isinstance(e.get("y"), dict) and "scale" in e["y"]]


def y_domains(spec) -> list:
    """Every y scale domain set anywhere in a spec."""
    return [scale["domain"] for scale in y_scales(spec) if "domain" in scale]


# ---------- the page ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_2_beside_step_7_draws_each_step_s_own_simulation_on_one_scale(steps, lang):
    at = open_app(step="2", beside="7", lang=lang)
    no_trouble(at)
    assert headings(at)[:2] == [tour.heading("2", lang), tour.heading("7", lang)]
    assert at.query_params["beside"] == "7" and at.selectbox(key="beside").value == "7"
    charts = std_charts(at, lang)
    assert len(charts) == 3  # left, right, and the Activations tab's own below
    top = None
    for (spec, drawn), code in zip(charts[:2], ("2", "7")):
        result = steps[code]  # computed here on its own, with the page's seed (0)
        measured = drawn[drawn["series"] == t(lang, "measured")].sort_values("layer")
        np.testing.assert_array_equal(measured["value"].to_numpy(), result.stats["act_std"])
        theory = drawn[drawn["series"] == t(lang, "theory")].sort_values("layer")
        np.testing.assert_array_equal(theory["value"].to_numpy(), result.stats["predicted_act_std"])
        (domain,) = {tuple(d) for d in y_domains(spec)}  # in each of the chart's layers
        top = domain if top is None else top
        assert domain == top  # one scale for both sides
    tallest = max(np.nanmax(steps[c].stats[k]) for c in ("2", "7") for k in ("act_std", "predicted_act_std"))
    assert top[0] == 0 and tallest <= top[1] <= 1.2 * tallest
    said = [m.value for m in at.markdown if format_value(steps["7"].stats["act_std"][10]) in m.value]
    assert said == [beside.sentence(steps["2"], steps["7"], "2", "7", lang)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_log_scale_switch_puts_both_sides_on_one_log_axis_that_holds_both(steps, lang):
    """With the Activations tab's Log scale on, the two sides' std charts had stayed linear, step 2's curve flat on 0
    from layer 3 where its sentence says 2.94 × 10⁻⁷: both go on one log axis, from the decade under the smallest
    value of either to the decade over the largest, as the tab's own chart below; off, linear again."""
    at = open_app(step="2", beside="7", lang=lang, log="true")
    no_trouble(at)
    charts = std_charts(at, lang)
    assert len(charts) == 3
    values = np.concatenate([steps[c].stats[k] for c in ("2", "7") for k in ("act_std", "predicted_act_std")])
    values = values[np.isfinite(values) & (values > 0)]
    expected = [10.0 ** math.floor(math.log10(values.min())), 10.0 ** math.ceil(math.log10(values.max()))]
    for spec, _ in charts[:2]:
        scales = y_scales(spec)
        assert scales and all(scale.get("type") == "log" for scale in scales), scales
        assert {tuple(scale["domain"]) for scale in scales} == {tuple(expected)}
    assert all(scale.get("type") == "log" for scale in y_scales(charts[2][0]))  # the tab's own
    at.toggle(key="log").set_value(False)
    at.run()
    for spec, _ in std_charts(at, lang)[:2]:
        assert all(scale.get("type") != "log" and scale["domain"][0] == 0 for scale in y_scales(spec))


@pytest.mark.slow
@pytest.mark.parametrize("beside_step", ["7", None])
def test_presenter_mode_keeps_the_log_scale_the_link_asks_for(steps, beside_step):
    """?step=2&log=true&present=true had drawn the std chart linear, layers 3 to 10 flat on 0 under a story about
    ×0.223 a layer; alone or beside another step, presenter mode's std charts take the Log scale as the tab does,
    and stay linear without it."""
    values = np.concatenate([steps[c].stats[k] for c in ("2", *filter(None, [beside_step]))
                             for k in ("act_std", "predicted_act_std")])
    values = values[np.isfinite(values) & (values > 0)]
    expected = (10.0 ** math.floor(math.log10(values.min())), 10.0 ** math.ceil(math.log10(values.max())))
    for log in ("true", "false"):
        at = open_app(step="2", present="true", log=log, **({"beside": beside_step} if beside_step else {}))
        no_trouble(at)
        charts = std_charts(at)
        assert len(charts) == (2 if beside_step else 1)
        for spec, _ in charts:
            scales = y_scales(spec)
            if log == "true":
                assert scales and {(s.get("type"), tuple(s["domain"])) for s in scales} == {("log", expected)}
            else:  # linear, from 0 (a shared top beside another step; Vega's own zero-based domain alone)
                assert scales and all(s.get("type") != "log" and s.get("domain", [0])[0] == 0 for s in scales)


@pytest.mark.slow
@pytest.mark.parametrize("raw", [str(len(tour.STEPS) + 1), "custom", "0", "seven", ""])
def test_a_bad_beside_value_is_said_and_the_page_works(raw):
    at = open_app(step="2", beside=raw)
    no_trouble(at)
    (said,) = [w.value for w in at.warning if "**beside**" in w.value]
    assert [said] == urlstate.messages([urlstate.Problem("beside", raw, beside.NONE)], "en", CODES)  # the usual note
    assert "beside" not in at.query_params and at.selectbox(key="beside").value == beside.NONE
    assert headings(at) == [] and len(std_charts(at)) == 1  # the page as without it


@pytest.mark.slow
def test_the_control_writes_the_address_and_nothing_beside_takes_it_out():
    at = open_app(step="4")
    no_trouble(at)
    assert headings(at) == []
    at.selectbox(key="beside").select("6").run()
    no_trouble(at)
    assert at.query_params["beside"] == "6" and headings(at)[:2] == [tour.heading("4", "en"), tour.heading("6", "en")]
    at.selectbox(key="beside").select(beside.NONE).run()
    assert "beside" not in at.query_params and headings(at) == []


@pytest.mark.slow
def test_a_custom_network_beside_a_step_keeps_its_own_seed_and_name():
    at = open_app(step="custom", init="he_normal", activation="relu", depth="6", seed="3", beside="5")
    no_trouble(at)
    assert headings(at)[:2] == [tour.heading(tour.CUSTOM, "en"), tour.heading("5", "en")]
    (_, left), (_, right), _ = std_charts(at)
    measured = right[right["series"] == t("en", "measured")].sort_values("layer")["value"].to_numpy()
    np.testing.assert_array_equal(measured, simulate(tour.step_config("5", seed=3)).stats["act_std"])
    assert left["layer"].max() == 6


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_shows_the_two_sides(lang):
    """Each side at presenter mode's sizes: its std chart laid out to its box with the legend beside it and its layer
    axis untitled, on the shared axis; five of its histogram panels in one row, their labels in one row above them
    (step 6's ReLU writes its shares); no download button and no QR code (a 1280 x 720 screen has no room under the
    charts)."""
    at = open_app(step="2", beside="6", present="true", lang=lang)
    no_trouble(at)
    assert headings(at) == [tour.heading("2", lang), tour.heading("6", lang)]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4  # two std charts and two sets of histograms, nothing else
    left_std, left_hist, right_std, right_hist = [json.loads(chart.proto.spec) for chart in charts]
    frames = [convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data) for chart in charts]
    for std in (left_std, right_std):  # laid out to its box (FIT_CHARTS), its legend beside the plot
        assert std["width"] == "container" and std["autosize"]["type"] == "fit"
        assert std["config"]["legend"]["orient"] == "right"
        # the layer axis numbered, untitled: the chart's title says "per layer", and the height goes to the plot
        assert [layer["encoding"]["x"].get("title", "") for layer in std["layer"]] == [None] * len(std["layer"])
    assert y_domains(left_std) == y_domains(right_std) != []  # one scale
    for hist, frame, step in ((left_hist, frames[1], "2"), (right_hist, frames[3], "6")):
        # one row to layer 10, on a screen wider than a phone's
        assert sorted(set(frame["layer"])) == [2, 4, 6, 8, 10], step
        assert hist["columns"] == present.charts.screen_columns(present.PHONE_COLUMNS, 5), step
        assert hist["spec"]["height"] == present.PAIR_PANEL_HEIGHT
        rows = {layer["encoding"]["y"]["value"] for layer in hist["spec"]["layer"] if layer["mark"]["type"] == "text"}
        assert rows == {-2}, (step, rows)  # the labels in one row
    assert (frames[3]["label"] != "").any()  # ReLU's shares written
    assert not at.get("download_button")
    assert not [m for m in at.markdown if m.value.startswith('<img src="data:image/svg+xml')]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [{}, {"present": "true", "lang": "zh"}], ids=["page", "presenter-zh"])
def test_the_tour_walking_onto_the_step_beside_draws_that_step_once(mode):
    """5 beside 6, then ▶: the page is step 6, which is not drawn beside itself (a line says why); ▶ again draws
    step 7 with step 6 beside it."""
    lang = mode.get("lang", "en")
    at = open_app(step="5", beside="6", **mode)
    assert headings(at) == [tour.heading("5", lang), tour.heading("6", lang)]
    walks = [("6", []), ("7", [tour.heading("7", lang), tour.heading("6", lang)])]
    for step, sides in walks:
        next(b for b in at.button if b.label == t(lang, "next")).click().run()
        no_trouble(at)
        assert at.query_params["step"] == step and at.query_params["beside"] == "6"
        # the sides' std charts, and the step's own once: presenter mode's, or the Activations tab's below the sides
        assert headings(at) == sides and len(std_charts(at, lang)) == len(sides) + (not sides or not mode)
        same = t(lang, "beside_same", step=beside.name("6", lang))
        assert (same in [c.value for c in at.caption]) == (not sides)


# ---------- the sentence and the scale ----------

def expected_against(result, lang: str) -> str:
    """One side's clause, from its own numbers: its last-layer std against its own theory's, by the comparison words'
    rule (derivation.relation: within 10 % is close), worked out here from the simulation's stats."""
    depth = result.config.depth
    std, theory = float(result.stats["act_std"][depth]), float(result.stats["predicted_act_std"][depth])
    shown = dict(std=format_value(std), theory=format_value(theory))
    if std == theory:
        return t(lang, "beside_against_exact", **shown)
    if not theory > 0:
        return t(lang, "beside_against_none", **shown)
    times = std / theory
    word = "much_greater" if times >= 10 else "much_less" if times <= 0.1 else "close" if abs(times - 1) <= 0.1 \
        else "greater" if times > 1 else "less"
    return t(lang, "beside_against", relation=t(lang, f"cmp_{word}"), **shown)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_side_is_read_against_its_own_theory_at_every_pair_of_steps(steps, lang):
    """"Step 10's std 0.124, far below step 9's 1.58" compared two networks built to different scales: step 10's
    q* = 1/64 puts its std near √(1/64) = 0.125, step 9's stream grows to √(1.1¹⁰) = 1.61. At every pair of steps
    each side's std is read against its own theory, with the comparison words' rule, never against the other side's;
    where both are as their theories predict, one clause says so with both theories."""
    depth = {code: r.config.depth for code, r in steps.items()}
    theory = {code: float(r.stats["predicted_act_std"][depth[code]]) for code, r in steps.items()}
    assert theory["9"] == pytest.approx(math.sqrt(1.1 ** 10), rel=1e-6)  # the closed forms the stories quote
    assert theory["8"] == pytest.approx(math.sqrt(2.0 ** 10), rel=1e-6)
    assert theory["10"] == pytest.approx(math.sqrt(1 / 64), rel=0.03)  # tanh(s) of q* = 1/64: just below √q*
    between = [t(lang, f"cmp_{word}") for word in ("much_greater", "much_less", "greater", "less")]
    # each side's std named as its headline names it: step 8's and 9's are the stream's ("Last-layer stream std"),
    # which the sentence had called "the activation std"
    what = {code: t(lang, "beside_what_residual" if r.config.residual else "beside_what_plain")
            for code, r in steps.items()}
    assert [code for code, r in steps.items() if r.config.residual] == ["8", "9"]
    for left in tour.STEPS:
        for right in tour.STEPS:
            if left == right:
                continue
            said = beside.sentence(steps[left], steps[right], left, right, lang)
            sides = {code: expected_against(steps[code], lang) for code in (left, right)}
            close = all(t(lang, "cmp_close") in clause or "exact" in clause or "恰好" in clause
                        for clause in sides.values())
            if close:
                assert said == t(lang, "beside_compare_predicted", left=beside.name(left, lang),
                                 right=beside.name(right, lang), left_what=what[left], right_what=what[right],
                                 **{f"{side}_{key}": format_value(value)
                                    for side, code in (("left", left), ("right", right))
                                    for key, value in (("std", steps[code].stats["act_std"][depth[code]]),
                                                       ("theory", theory[code]))}), (left, right)
                assert not any(word in said for word in between)
            else:
                assert said == t(lang, "beside_compare", left=beside.name(left, lang), right=beside.name(right, lang),
                                 left_what=what[left], right_what=what[right], left_against=sides[left],
                                 right_against=sides[right]), (left, right)
            # the left side's step named first, as its charts stand first (step 7's had come before step 2's)
            first = {code: re.search(re.escape(beside.name(code, lang)) + r"(?!\d)", said).start()
                     for code in (left, right)}
            assert first[left] < first[right], (left, right, said)
    said = beside.sentence(steps["9"], steps["10"], "9", "10", lang)
    assert t(lang, "cmp_much_less") not in said and "0.124" in said and "1.58" in said  # the case in question


@pytest.mark.parametrize("tallest", [1.013, 0.634, 2.94e-7, 12.3, 0.5, 1.0, 999.0])
def test_the_shared_axis_holds_both_sides_with_little_room_to_spare(tallest):
    frames = [pd.DataFrame({"value": [tallest, tallest / 3, math.nan]}), pd.DataFrame({"value": [tallest / 2]})]
    top = beside.shared_top(frames)
    assert tallest <= top <= 1.2 * tallest + 1e-15
    assert beside.shared_top([frames[1], frames[0]]) == top


def test_no_shared_axis_where_everything_is_zero():
    assert beside.shared_top([pd.DataFrame({"value": [0.0, 0.0]})]) is None


@pytest.mark.slow
@pytest.mark.parametrize("query", [dict(step="6", beside="3"), dict(step="3", beside="6", lang="zh"),
                                   dict(step="custom", activation="gelu", init="he_normal", beside="3")],
                         ids=["relu beside tanh", "tanh beside relu", "gelu beside tanh"])
def test_each_side_s_histograms_read_their_own_network_s_activation(query):
    """?step=6&beside=3&present=true had raised "relu has no saturation rule": the side of step 3 drew its tanh
    histograms with the page's ReLU for the key under them. Each side's key is its own network's."""
    lang = query.get("lang", "en")
    at = open_app(present="true", **query)
    no_trouble(at)
    sides = [query["step"], query["beside"]]
    assert headings(at)[1] == tour.heading(query["beside"], lang)
    # the histograms' keys (their charts' titles, charts.label_key), the tanh side's naming tanh's flat ends
    titles = [title_text(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]
    titles = [" ".join(title) if isinstance(title, list) else title for title in titles]
    keys = [title for title in titles if title != t(lang, "chart_act_std")]
    assert len(keys) == 2 and sum(t(lang, "act_tanh") in key for key in keys) == sides.count("3") == 1


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_side_s_histograms_say_what_their_bare_shares_are(lang):
    """Step 6 beside step 5: each side's narrow panels write the shares alone ("50.1 %", "1.7 %"), which no caption
    explained; the line under each side's histogram title names them (charts.label_key of that side's network)."""
    at = open_app(step="6", beside="5", lang=lang)
    no_trouble(at)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    subtitles = [spec["title"].get("subtitle") for spec in specs if isinstance(spec.get("title"), dict)
                 and spec["title"].get("subtitle")]
    subtitles = [" ".join(s) if isinstance(s, list) else s for s in subtitles]
    for code in ("6", "5"):  # both ReLU: the values exactly 0, and those past the range's end, 3
        config = tour.STEPS[code]
        frame = charts.histogram_frame(simulate(config), lang)
        key = charts.label_key(frame, config.activation, lang)
        assert key and charts.label_layout(frame, beside.PANEL[0])[0] == "short"
        assert " ".join(key.split()) in [" ".join(s.split()) for s in subtitles], (key, subtitles)
