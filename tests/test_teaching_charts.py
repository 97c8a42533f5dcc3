"""Charts that teach (issue 13): what each chart's Vega-Lite spec draws where, read from chart.to_dict()."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import Config, simulate, theory
from core.train import DEFAULT_STEPS, HE_2015_STEPS
from views import charts, present, summary, tour
from views.number_writing import NBSP, PERCENT, PLAIN, format_power, format_share, format_value
from views import spectrum as spectrum_view
from views import theory as theory_view
from views import training as training_view
from views.text import LANGUAGES, join, t
from views.draw import with_config

from tests.vega_specs import scene_marks, title_text

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"measured": "measured", "theory": "theory"}


def layers_of(spec: dict) -> list[dict]:
    """The layers of a layered spec, or of a facet's inner spec."""
    return spec.get("layer") or spec["spec"]["layer"]


def filters(layer: dict) -> list[str]:
    return [step["filter"] for step in layer.get("transform", []) if "filter" in step]


def race_frame(schemes=("zeros", "normal_0.01", "he_normal"), steps: int = 40,
               max_points: int = training_view.MAX_POINTS) -> pd.DataFrame:
    """A race's curves as runs_frame writes them: zeros' loss exactly ln 3 all along, as Run at step 2 measures."""
    ln3 = float(np.log(3))
    curves = {name: (np.full(steps, ln3) if name != "he_normal" else np.geomspace(ln3, 1e-3, steps),
                     np.full(steps, 1 / 3) if name != "he_normal" else np.linspace(1 / 3, 1, steps))
              for name in schemes}
    return training_view.runs_frame(curves, max_points=max_points)


# ---------- Training ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_accuracy_plot_is_tall_and_its_100_percent_inside(lang):
    spec = training_view.accuracy_chart(race_frame(), lang, 3, ceiling=0.62).to_dict()
    # fit-x: the height is the plot's own, not shared with the title, axes and legend (Streamlit's "fit")
    assert spec["autosize"]["type"] == "fit-x" and spec["height"] >= 200
    curve = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    y = curve["encoding"]["y"]
    assert y["scale"]["domain"][1] > 1.0 and 1.0 in y["axis"]["values"]  # 100 % is a tick below the top edge
    assert PERCENT in y["axis"]["labelExpr"]  # "100 %", as the page writes a share


@pytest.mark.slow
@pytest.mark.parametrize("build", ["loss", "accuracy"])
def test_the_guide_lines_lie_under_the_curves_and_their_labels_over_them(build):
    """zeros' loss lies exactly on ln K and its accuracy on chance: the dashed guide must not hide it."""
    frame = race_frame()
    chart = training_view.loss_chart(frame, "en", 3) if build == "loss" else \
        training_view.accuracy_chart(frame, "en", 3, ceiling=0.62)
    marks = [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    curves = [i for i, mark in enumerate(marks) if mark == "line"]
    rules = [i for i, mark in enumerate(marks) if mark == "rule"]
    labels = [i for i, layer in enumerate(chart.to_dict()["layer"])
              if layer["mark"]["type"] == "text" and "label" in json.dumps(layer["encoding"].get("text", {}))]
    assert rules and curves and labels
    assert max(rules) < min(curves) and max(curves) < min(labels)
    if build == "loss":  # ticks as the page writes numbers (10⁻⁴, not 0.0001)
        spec = chart.to_dict()
        axis = spec["layer"][curves[0]]["encoding"]["y"]["axis"]
        assert axis["labelExpr"] == charts.log_labels(axis["values"])
        assert spec["autosize"]["type"] == "fit-x" and spec["height"] >= 200


# Numbers and shares as the page writes them (number_writing.format_value at 3 digits, format_share), independent of
# Vega: plain decimals with separators, powers of ten with raised signs, a negative number's minus sign (U+2212, not the
# hyphen: the histograms' "< −3" had read "< -3" beside the axis's "−3"); shares whole, with one decimal, two digits
# under 1 %, the floor and the ceiling; a no-break space inside each
NUMBERS = {1e-4: "10⁻⁴", 2.9e-7: "2.9 × 10⁻⁷", 1e-12: "10⁻¹²", 0.213: "0.213", 0.01: "0.01", 1234.0: "1,230",
           3e4: "3 × 10⁴", 5.5e12: "5.5 × 10¹²", -0.0239: "−0.0239", -3.0: "−3", -1234.0: "−1,230",
           -2.9e-7: "−2.9 × 10⁻⁷"}  # the minus sign U+2212, as d3-format writes it
SHARES = {0.0: "0 %", 1.0: "100 %", 0.25: "25 %", 0.5: "50 %", 1 / 3: "33.3 %", 0.924: "92.4 %", 0.1049: "10.5 %",
          0.0014: "0.14 %", 0.00031: "0.031 %", 0.0099: "0.99 %", 2e-6: "< 0.01 %", 0.9999: "> 99.9 %",
          0.99949: "99.9 %"}


def drawn_by_vega(expr, values) -> list[str]:
    """What Vega writes for each value through the expression `expr` of "datum.value", in order (vl_convert)."""
    frame = pd.DataFrame({"value": list(values), "row": range(len(values))})
    chart = alt.Chart(frame).transform_calculate(text=expr("datum.value")).mark_text().encode(
        alt.Y("row:O"), alt.Text("text:N"))
    items = text_items(vl_convert.vegalite_to_scenegraph(chart.to_dict()))
    return [item["text"] for item in sorted(items, key=lambda item: item["y"])]


# A log axis's ticks and what it writes for them: one style an axis, the page's plain numbers where every tick is one
# (number_writing.PLAIN), else powers of ten, 1 as 10⁰ (the Gradients tab at step 3 had read "1,000, 100, 10 … 10⁴,
# 10⁵")
LOG_AXES = [((1e-6, 1e-4, 0.01, 1.0), ["10⁻⁶", "10⁻⁴", "10⁻²", "10⁰"]),
            ((0.001, 0.1, 10.0, 1000.0), ["0.001", "0.1", "10", "1,000"]),
            ((1.0, 100.0, 1e4, 1e6), ["10⁰", "10²", "10⁴", "10⁶"]),
            ((0.1, 1.0, 10.0, 100.0, 1000.0, 1e4, 1e5), ["10⁻¹", "10⁰", "10¹", "10²", "10³", "10⁴", "10⁵"]),
            ((0.5, 1.0, 2.0), ["0.5", "1", "2"]),
            # subnormal decades, the float nearest 10⁻³²² being 9.88 × 10⁻³²³ (the Theory tab's zero band)
            ((1e-322, 1e-320, 1e-310, 1e-300, 1.0), ["10⁻³²²", "10⁻³²⁰", "10⁻³¹⁰", "10⁻³⁰⁰", "10⁰"])]


@pytest.mark.parametrize("ticks, written", LOG_AXES)
def test_a_log_axis_writes_its_ticks_in_one_style(ticks, written):
    assert drawn_by_vega(lambda value: charts.log_labels(ticks), ticks) == written


@pytest.mark.parametrize("expr, written, page", [
    (lambda value: charts.number_expr(value, 3), NUMBERS, format_value),
    (charts.share_expr, SHARES, format_share)])
def test_the_charts_write_numbers_and_shares_as_the_page_does(expr, written, page):
    """Vega's "%" formats glue the sign to the number (33.3%), and its negative exponents read 10−⁴ (d3-format's
    U+2212 before raised digits): the charts' expressions (charts.number_expr, share_expr), drawn by Vega, write each
    value as the page does, 33.3 % and 10⁻⁴."""
    drawn = drawn_by_vega(expr, written)
    assert drawn == [text.replace(" ", NBSP) for text in written.values()]
    assert drawn == [page(value) for value in written]


def spec_values(spec, key: str) -> list:
    """Every value of `key` in a Vega-Lite spec, at any depth."""
    if isinstance(spec, dict):
        return [v for k, value in spec.items() for v in ([value] if k == key else []) + spec_values(value, key)]
    return [v for value in spec for v in spec_values(value, key)] if isinstance(spec, list) else []


@pytest.mark.slow
def test_the_training_and_spectrum_charts_write_numbers_and_shares_as_the_page_does():
    """The accuracy tooltip read 33.3% (Vega's ".1%"), the mean loss 0.000 (".3f"), the heat map 2.94e-7 (".3~g"),
    the spectrum's axis 10%: no Training or Spectrum chart formats a number with Vega's own formats but whole counts
    of steps (",d", 1,000); the accuracy tooltip shows the share the chart writes with share_expr, and the share
    axes' labels are charts.SHARE_LABEL."""
    frame = race_frame(steps=300)
    cells = pd.DataFrame({"step": [0, 0, 5, 5], "layer": [1, 2, 1, 2], "value": [1e-5, 2e-4, 0.3, 2.0]})
    accuracy = training_view.accuracy_chart(frame, "en", 3, ceiling=0.62).to_dict()
    shares = pd.DataFrame({"low": [0.1, 1.0], "high": [1.0, 10.0], "share": [0.4, 0.6]})
    specs = [training_view.loss_chart(frame, "en", 3).to_dict(), accuracy,
             training_view.heatmap_chart(cells, "en", "grad_std", Config()).to_dict(),
             spectrum_view.histogram_chart(shares, colour="#123456", title="x", x_title="s", y_title="y").to_dict()]
    assert {value for spec in specs for value in spec_values(spec, "format")} == {",d"}
    curve = next(layer for layer in accuracy["layer"] if layer["mark"]["type"] == "line")
    tip = next(tip for tip in curve["encoding"]["tooltip"] if tip["field"].startswith("accuracy_mean"))
    assert {"calculate": charts.share_expr("datum.accuracy_mean"), "as": tip["field"]} in curve["transform"]
    assert curve["encoding"]["y"]["axis"]["labelExpr"] == charts.SHARE_LABEL
    assert specs[-1]["encoding"]["y"]["axis"]["labelExpr"] == charts.SHARE_LABEL


@pytest.mark.slow
def test_the_heatmap_legend_writes_numbers_as_the_page_does():
    cells = pd.DataFrame({"step": [0, 0, 1, 1], "layer": [1, 2, 1, 2], "value": [1e-5, 2e-4, 0.0, 0.3]})
    spec = training_view.heatmap_chart(cells, "en", "grad_std", Config()).to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["labelExpr"] == charts.POWER_LABEL == charts.log_labels(legend["values"])  # 10⁻⁵, not 1e-5
    assert len(next(iter(spec["datasets"].values()))) == 3  # the exact 0 is left blank (its caption says so)


def test_the_heatmap_colours_one_value_alike_whichever_run_it_shows():
    """Each run's heatmap had its own colour scale: N(0, 0.01²)'s update:data ratios of 10⁻⁸ were drawn in the yellow
    of Xavier's 10⁻², and a class read them as large. The scale now covers every run of the race (race_span), and the
    update:data ratio's usual 10⁻³ too, so that one colour is one value whichever run is shown."""
    from types import SimpleNamespace

    small = np.full((4, 3), 7e-9)
    small[2, 1] = 8e-9
    xavier = np.full((4, 3), 2e-3)
    xavier[1, 0], xavier[3, 2] = 0.01, np.nan  # an undefined ratio is passed over
    zeros = np.full((4, 3), np.nan)
    results = {name: SimpleNamespace(update_ratio=ratio, act_std=np.abs(ratio), record_steps=np.arange(4) * 5)
               for name, ratio in (("normal_0.01", small), ("xavier_normal", xavier), ("zeros", zeros))}
    span = training_view.race_span(results, "update_ratio")
    assert span == (7e-9, 0.01, summary.UPDATE_GUIDE)
    assert training_view.race_span(results, "act_std") == (7e-9, 0.01)  # no guide for another statistic
    assert training_view.race_span({"zeros": results["zeros"]}, "act_std") == ()
    scales = []
    for name in ("normal_0.01", "xavier_normal"):
        frame = training_view.heatmap_frame(results[name], "update_ratio")
        scale = training_view.heatmap_chart(frame, "en", "update_ratio", Config(), span).to_dict()["encoding"][
            "color"]["scale"]
        scales.append(scale["domain"])
        # its own values alone: N(0, 0.01²)'s scale had ended at 10⁻⁸, drawing 8 × 10⁻⁹ near its top colour
        own = training_view.heatmap_chart(frame, "en", "update_ratio", Config()).to_dict()["encoding"]["color"]
        assert own["scale"]["domain"][1] <= (1e-8 if name == "normal_0.01" else 0.1)
    lo, hi = scales[0]
    assert scales[0] == scales[1] and lo <= 7e-9 and hi >= 0.01
    assert math.log10(8e-9 / lo) / math.log10(hi / lo) < 0.2  # N(0, 0.01²)'s largest in the scale's lowest fifth
    # a race's span of decades on a phone: the legend keeps to its chart (every other decade written), where the one
    # of 10⁻¹⁰ to 1 had run 8 px past a 390 px screen
    frame = training_view.heatmap_frame(results["normal_0.01"], "update_ratio")
    wide = (1e-10, 0.9, summary.UPDATE_GUIDE)
    legends = {phone: training_view.heatmap_chart(frame, "en", "update_ratio", Config(), wide, phone).to_dict()[
        "encoding"]["color"]["legend"] for phone in (False, True)}
    assert legends[True]["gradientLength"] <= training_view.PHONE_LEGEND_LONGEST < legends[False]["gradientLength"]
    assert len(legends[True]["values"]) < len(legends[False]["values"])


# The heat map at its narrowest: the Training tab's column at 1024 px with the sidebar open draws a plot about 600 px
# wide (654 px with its axis, measured in Chromium); 1280 px gives 910 px.
NARROWEST_PLOT = 560


@pytest.mark.parametrize("steps", [2, 50, 300, 1000, 2500, 10_000])
def test_the_heatmaps_cells_tile_the_race_to_its_end(steps):
    """One cell a record, however many records (60) there are: each record's from its step to the next one's, with no
    gap and no overlap, the last one's to the end of its step, the race's end, where the step axis ends. As Vega
    draws them, each cell covers the pixel where the next one in its row begins, and is drawn before it: cells meeting
    at a fraction of a pixel had shown the background between them as light seams, read as missing records."""
    records = np.unique(np.r_[np.arange(0, steps, max(1, -(-steps // 60))), steps - 1])
    cells = pd.DataFrame({"step": np.repeat(records, 2), "layer": np.tile([1, 2], len(records)),
                          "value": np.linspace(0.1, 5, 2 * len(records))})
    spec = training_view.heatmap_chart(cells, "en", "act_std", Config()).to_dict()
    x = spec["encoding"]["x"]
    assert x["type"] == "quantitative" and spec["encoding"]["x2"]["field"] == "step_end"
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    ends = rows.groupby("step")["step_end"].first()
    assert (ends.index[1:] == ends.values[:-1]).all() and (ends.values > ends.index).all()  # no gap, no overlap
    assert x["scale"]["domain"] == [0, steps] and ends.values[-1] == steps
    for width in (NARROWEST_PLOT, 1500):
        [cells_drawn] = [node["items"] for node, _, _ in scene_marks(vl_convert.vegalite_to_scenegraph(
            {**spec, "width": width})) if node["marktype"] == "rect" and node.get("role") == "mark"]
        for row in ({item["y"] for item in cells_drawn}):
            lefts_rights = [(item["x"], item["x"] + item["width"]) for item in cells_drawn if item["y"] == row]
            assert len(lefts_rights) == len(records)
            assert all(right >= next_left + 1 - 1e-9 and next_left > left for (left, right), (next_left, _) in
                       zip(lefts_rights, lefts_rights[1:])), (width, lefts_rights)
            assert lefts_rights[-1][1] == pytest.approx(width)  # the last ends where the plot does, not past it


# The steps control's range (views.urlstate.STEPS_RANGE) sampled: its ends, the default race (300), the He et al.
# 2015 preset's 800, lengths the control's step of 50 reaches, and lengths no round spacing divides (317, 9999)
RACE_LENGTHS = [10, 50, 60, 110, 300, 317, 350, 800, 1000, 2500, 9999, 10_000]
# Chart widths, px: a phone's column (titles in lines), a He et al. 2015 column at 1280 px, the Training tab's column
# at 1280 px, a projector's
STEP_AXIS_WIDTHS = [330, 450, 910, 1500]
ROUND = {1.0, 2.0, 2.5, 5.0}  # a round spacing: one of these x 10^k


def step_axis(spec: dict) -> tuple[list[dict], tuple[float, float], float]:
    """The x axis's labels as Vega lays the chart out (vl_convert's scenegraph): each {"text", "at", "left", "right",
    "shown"} (px from the chart's left edge; its box generous_width wide, as Vega aligns it; shown: not left out by
    Vega's overlap pass); the plot's (left, right) edges and the chart's width."""
    graph = vl_convert.vegalite_to_scenegraph(spec)
    labels = []
    for node, x, _ in scene_marks(graph):
        items = node.get("items", [])
        if node.get("role") == "axis-label" and len({round(item["y"]) for item in items}) == 1 and len(items) > 1:
            for item in items:  # a row of labels: the x axis's
                width = generous_width(item["text"])
                left = x + item["x"] - width * ALIGN[item.get("align", "center")]
                labels.append({"text": item["text"], "at": x + item["x"], "left": left, "right": left + width,
                               "shown": item.get("opacity", 1) != 0})
    left = graph.get("origin", [0, 0])[0]
    labels.sort(key=lambda label: label["at"])  # Vega keeps them in the order of its overlap pass
    return labels, (left, left + graph["scenegraph"]["items"][0]["width"]), graph["width"]


def filled(spec: dict, frame: pd.DataFrame) -> dict:
    """A growing race's template (views.tabs.training.live_template) with its curves, as the page fills it."""
    return {**spec, "datasets": {charts.MAIN: json.loads(frame.to_json(orient="records"))}}


def check_step_axis(labels: list[dict], plot: tuple[float, float], width: float, steps: int) -> list[int]:
    """The claims of a step axis over `steps` steps; its labels' values."""
    values = [int(label["text"].replace(",", "")) for label in labels]
    assert [label["text"] for label in labels] == [f"{v:,}" for v in values]  # 1,000, as the page writes counts
    assert len(values) >= 2 and values[0] == 0 and all(label["shown"] for label in labels), labels
    spacing = values[1] - values[0]
    assert np.diff(values).tolist() == [spacing] * (len(values) - 1)  # one spacing
    assert spacing / 10 ** math.floor(math.log10(spacing)) in ROUND, spacing
    assert values[-1] <= steps < values[-1] + spacing  # labelled up to the end
    for label, value in zip(labels, values):  # the axis spans the race, 0 to its steps, on the plot
        assert label["at"] == pytest.approx(plot[0] + value / steps * (plot[1] - plot[0]), abs=0.5), (label, value)
        assert 0 <= label["left"] and label["right"] <= width + 0.5, label
    assert all(a["right"] + charts.LABEL_GAP <= b["left"] for a, b in zip(labels, labels[1:])), labels
    # where a round spacing cuts the race in 2 to 4 parts whose labels stand well apart, the end is written
    widest = max(generous_width(f"{v:,}") for v in range(0, steps + 1, max(1, steps // 4)))
    cuts = [steps // parts for parts in (2, 3, 4) if steps % parts == 0]
    if any(s / 10 ** math.floor(math.log10(s)) in ROUND and (plot[1] - plot[0]) * s / steps >= 2 * widest +
           charts.LABEL_GAP for s in cuts):
        assert values[-1] == steps, (values, plot)
    return values


@pytest.mark.slow
@pytest.mark.parametrize("steps", RACE_LENGTHS)
def test_every_step_axis_reads_round_evenly_spaced_steps_to_the_race_s_end(steps):
    """While a race of 300 steps trained, its axis read 0 10 20 … 90 100 120 140 … 280 (Vega's ticks 10 apart, every
    other three-digit label left out by its overlap pass) and ended unlabelled at 299. Every step axis of the tab, the
    growing race's loss at two moments, the finished race's loss and accuracy, the heat map and the He et al. 2015
    preset's loss, laid out by Vega at widths from a phone's to a projector's: every label is drawn (none left out),
    they are multiples of one round spacing from 0, written as the page writes counts, each where its step is on an
    axis from 0 to the race's steps, apart from each other and inside the chart, up to the end, which is labelled
    where a round spacing cuts the race in 2 to 4 parts that have room; the loss chart's axis is the same at every
    moment of the race and once it has ended."""
    from views.tabs.training import live_template

    frame = race_frame(steps=steps, max_points=300)  # a few points: Vega lays the axes out the same
    schemes = tuple(frame["scheme"].unique())
    records = np.unique(np.r_[np.arange(0, steps, max(1, -(-steps // 60))), steps - 1])
    cells = pd.DataFrame({"step": np.repeat(records, 2), "layer": np.tile([1, 2], len(records)),
                          "value": np.linspace(0.1, 5, 2 * len(records))})
    shared = {"heatmap": training_view.heatmap_chart(cells, "en", "act_std", Config()).to_dict(),
              "he": training_view.loss_chart(frame, "en", 3, title="depth 22").to_dict()}
    screens = {}  # the charts of a phone and of any other screen (their titles)
    for phone in (False, True):
        template = live_template("loss", "en", steps, schemes, training_view.loss_axis(frame, 3), frame, 3, phone)
        screens[phone] = {**{f"live-{done}": filled(template, frame[frame["step"] < done]) for done in (1, steps // 3)},
                          "loss": training_view.loss_chart(frame, "en", 3, phone=phone).to_dict(),
                          "accuracy": training_view.accuracy_chart(frame, "en", 3, ceiling=0.62, phone=phone).to_dict(),
                          **shared}
    for width in STEP_AXIS_WIDTHS:
        axes = {name: check_step_axis(*step_axis({**spec, "width": width}), steps)
                for name, spec in screens[width <= 330].items()}
        assert len({tuple(axes[name]) for name in axes if name.startswith(("live", "loss"))}) == 1, axes
        if steps in (DEFAULT_STEPS, HE_2015_STEPS):  # the tab's own races end on a label at every width
            assert all(values[-1] == steps for values in axes.values()), (width, axes)


def legend_spans(ticks, domain, length: float) -> list[tuple[float, float]]:
    """Where a horizontal log gradient legend writes its labels, (left, right) px: each at its value's place along
    `length`, centred, or flush with the start or the end where it stands there (Vega's layout)."""
    lo, hi = math.log10(domain[0]), math.log10(domain[1])
    spans = []
    for v in ticks:
        width, at = charts.text_width(format_value(v)), (math.log10(v) - lo) / (hi - lo) * length
        left = at if at <= 0 else at - width if at >= length else at - width / 2
        spans.append((left, left + width))
    return spans


@pytest.mark.parametrize("low, high", [(1e-3, 0.5), (0.1, 8), (1e-9, 1), (1e-28, 1e-10), (1e-40, 1e5), (2e-5, 3e4),
                                       (0.3, 0.31)])
def test_the_heatmaps_legend_writes_its_decades_apart(low, high):
    """The legend's labels are decades of the values (not Vega's many log ticks: 0.1 0.2 … 4 5 6 8 ran together),
    the first at the start, on a gradient long enough that no two written labels come within two gaps of each
    other, and no longer than NARROWEST_PLOT."""
    cells = pd.DataFrame({"step": [0, 0, 5, 5], "layer": [1, 2, 1, 2], "value": [low, high, low, high]})
    encoding = training_view.heatmap_chart(cells, "en", "act_std", Config()).to_dict()["encoding"]["color"]
    legend, domain = encoding["legend"], encoding["scale"]["domain"]
    ticks, span = charts.decades([low, high])
    assert list(span) == domain and legend["values"][0] == ticks[0] and set(legend["values"]) <= set(ticks)
    assert len(legend["values"]) >= 2
    spans = legend_spans(legend["values"], domain, legend["gradientLength"])
    assert all(right + 2 * charts.LABEL_GAP <= left for (_, right), (left, _) in zip(spans, spans[1:]))
    assert legend["gradientLength"] <= NARROWEST_PLOT


def test_the_theme_leaves_out_a_label_rather_than_overlap_it():
    """Every chart's axes and legends (charts.theme): a label that would touch another is left out, LABEL_GAP px."""
    config = charts.theme(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x")).to_dict()["config"]
    for part in ("axis", "legend"):
        assert config[part]["labelOverlap"] == "greedy" and config[part]["labelSeparation"] == charts.LABEL_GAP


def test_distinct_unit_counts_are_turned_where_narrow_and_do_not_run_together():
    """"100100100…": at 240 px a panel and 10 layers, each bar's count is turned a quarter at 15 px in its own band."""
    units = pd.DataFrame({"scheme": np.repeat(["zeros", "he_normal"], 10), "name": np.repeat(["zeros", "He"], 10),
                          "layer": np.tile(np.arange(1, 11), 2), "distinct_units": [1] * 10 + [500] * 10})
    spec = training_view.symmetry_chart(units, "en", panel_width=240).to_dict()
    text = next(layer for layer in layers_of(spec) if layer["mark"]["type"] == "text")
    assert text["mark"]["angle"] == 270 and text["mark"]["fontSize"] >= 15
    band = spec["spec"]["width"] / units["layer"].nunique()
    assert band >= training_view.UNIT_LABEL_SPACE >= text["mark"]["fontSize"]  # one count a band, side by side
    # room above the tallest bar for its count
    bars = next(layer for layer in layers_of(spec) if layer["mark"]["type"] == "bar")
    assert bars["encoding"]["y"]["scale"]["domain"][1] > units["distinct_units"].max()
    many = pd.DataFrame({"scheme": "he_normal", "name": "He", "layer": np.arange(1, 41), "distinct_units": 500})
    assert [layer["mark"]["type"] for layer in layers_of(training_view.symmetry_chart(many, "en").to_dict())] == \
        ["bar"]  # 40 bars in 260 px: too narrow for a count each (the tooltip keeps them)


# a phone's column: a 390 px screen less the page's padding (views/present.py's PAGE_CSS, 1rem either side)
PHONE_COLUMN = 356


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("channels", [False, True])
def test_a_phone_s_distinct_units_are_laid_out_at_its_column_s_width(lang, channels):
    """Three panels in a row were drawn 824 px wide and shrunk to a phone's 356 px column, their text to 6.5 px: the
    phone's layout (SYMMETRY_LAYOUTS) is as Vega lays it out no wider than the column, so it is shown at its own size,
    its title in lines; a wider screen keeps three panels in a row, the title in one line."""
    schemes = ["zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal"]
    units = pd.DataFrame({"scheme": np.repeat(schemes, 10), "name": np.repeat([charts.scheme_name(s, lang)
                                                                                for s in schemes], 10),
                          "layer": np.tile(np.arange(1, 11), 5), "distinct_units": [1] * 10 + [500] * 40})
    drawn = {}
    for phone in (True, False):
        columns, width, height = training_view.SYMMETRY_LAYOUTS[phone]
        spec = training_view.symmetry_chart(units, lang, panel_width=width, panel_height=height, columns=columns,
                                            channels=channels).to_dict()
        drawn[phone] = vl_convert.vegalite_to_scenegraph(spec)["width"], spec["title"]
    assert drawn[True][0] <= PHONE_COLUMN < drawn[False][0], drawn
    assert len(drawn[False][1]) == 1  # one line on a laptop's page


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("steps", [20, 50, 59, 60, 300])
def test_the_loss_title_promises_faint_and_bold_lines_only_where_they_differ(lang, steps):
    """Below 60 steps the running mean spans one step, so the bold line is the faint one: the title then says
    nothing of faint and bold lines; with a longer race the mean of a noisy loss is another line, and it does."""
    rng = np.random.default_rng(1)
    loss = np.exp(-np.linspace(0, 2, steps) + 0.3 * rng.standard_normal(steps))
    frame = training_view.runs_frame({"he_normal": (loss, np.full(steps, 0.5))})
    two_lines = not np.allclose(frame["loss_mean"], frame["loss"])
    for live in (None, steps):  # the finished race's chart and the growing race's template
        spec = training_view.loss_chart(frame, lang, 3, steps=live).to_dict()
        title = title_of(spec)
        title = "".join([title] if isinstance(title, str) else title).replace(" ", "")
        said = t(lang, "training_tab.loss_title" if two_lines else "training_tab.loss_title_single")
        assert title == said.replace(" ", ""), (steps, title)
    assert two_lines == (steps >= 60)


def title_of(spec: dict, narrow: bool = False) -> str | list[str]:
    """A chart's title as a wide window draws it, or a `narrow` one (charts.breaking_title)."""
    return charts.title_text(spec["title"], narrow)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_loss_and_accuracy_titles_are_in_lines_on_a_phone_only(lang):
    """A laptop's 910 px chart had its title wrapped for a phone, in three lines: one line there, lines of
    TITLE_WIDTH on a phone; the growing race's templates are kept apart by screen, so neither gets the other's. A
    laptop's window too narrow for the one line (a 390 px window without a phone's User-Agent, 800 px beside the
    sidebar: the title cut, the plot squeezed) draws the phone's lines (tests/test_browser_screens.py in Chromium)."""
    from views.tabs.training import live_template

    frame = race_frame(steps=300)
    for kind, key in (("loss", "training_tab.loss_title"), ("accuracy", "training_tab.accuracy_title")):
        build = training_view.loss_chart if kind == "loss" else training_view.accuracy_chart
        message = t(lang, key)
        for live in (None, 300):
            laptop, phone = (title_of(build(frame, lang, 3, steps=live, phone=screen).to_dict())
                             for screen in (False, True))
            assert laptop == message  # one line
            assert phone == charts.title_lines(message, training_view.TITLE_WIDTH) and (len(phone) > 1 or lang != "en")
            narrow = title_of(build(frame, lang, 3, steps=live, phone=False).to_dict(), narrow=True)
            assert narrow == (phone if len(phone) > 1 else message)
        schemes = tuple(frame["scheme"].unique())
        templates = [live_template(kind, lang, 300, schemes, (), frame, 3, phone) for phone in (False, True)]
        assert [title_of(spec) for spec in templates] == \
            [message, charts.title_lines(message, training_view.TITLE_WIDTH)]


def symmetry_layout(lang: str, phone: bool) -> tuple[dict, list[tuple], list[list[dict]], list[list[float]]]:
    """A 3-layer race of five schemes (zeros' one unit, the others' 16) as the page lays out its distinct units on a
    phone or a laptop (SYMMETRY_LAYOUTS): the spec, each panel's box (left, top, right, bottom, px), each x axis's
    labels ({"x", "y", "text"}, px) and each y axis's labels' heights (px), from vl_convert's scenegraph."""
    schemes = ["zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal"]
    units = pd.DataFrame({"scheme": np.repeat(schemes, 3), "name": np.repeat([charts.scheme_name(s, lang)
                                                                               for s in schemes], 3),
                          "layer": np.tile(np.arange(1, 4), 5), "distinct_units": [1] * 3 + [16] * 12})
    columns, width, height = training_view.SYMMETRY_LAYOUTS[phone]
    spec = training_view.symmetry_chart(units, lang, panel_width=width, panel_height=height, columns=columns).to_dict()
    panels, axes, columns = [], [], []
    for node, x, y in scene_marks(vl_convert.vegalite_to_scenegraph(spec)):
        if node.get("name") == "cell":
            panels.extend((x + item["x"], y + item["y"], x + item["x"] + item["width"], y + item["y"] + item["height"])
                          for item in node["items"])
        elif node.get("role") == "axis-label":
            labels = [{"x": x + item["x"], "y": y + item["y"], "text": item["text"]} for item in node["items"]]
            if len({label["y"] for label in labels}) == 1 and len(labels) > 1:  # a row of labels: an x axis
                axes.append(labels)
            elif len(labels) > 1:
                columns.append(sorted(label["y"] for label in labels))
    return spec, panels, axes, columns


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("phone", [False, True])
def test_every_distinct_units_panel_has_its_own_layer_axis_and_no_axis_stands_alone(lang, phone):
    """Five panels in a laptop's three columns left an x axis under the empty sixth slot; a phone's column of five
    showed the layer numbers under the last panel only: each panel has the layers 1 to 3 just under it, and no axis
    is without a panel above it."""
    _, panels, axes, columns = symmetry_layout(lang, phone)
    assert len(panels) == 5 and len(axes) == 5, (panels, axes)
    # a y axis's labels two lines apart: a phone's 100 px panel with five of them had its "5" left out in the browser
    assert columns and all(min(np.diff(ys)) >= 2 * charts.LABEL_SIZE for ys in columns), columns
    for labels in axes:
        assert [label["text"] for label in labels] == ["1", "2", "3"]
        above = [p for p in panels if all(p[0] <= label["x"] <= p[2] for label in labels)
                 and 0 <= labels[0]["y"] - p[3] <= 2 * charts.LABEL_SIZE]
        assert len(above) == 1, (labels, panels)


@pytest.mark.slow
@pytest.mark.parametrize("phone", [False, True])
def test_distinct_unit_counts_of_wide_bars_are_upright_and_above_their_bars(phone):
    """16 units in a band of 80 px or more: "16" written as it reads (it was turned a quarter), with room above the
    tallest bar for it."""
    spec, _, _, _ = symmetry_layout("en", phone)
    text = next(layer for layer in layers_of(spec) if layer["mark"]["type"] == "text")
    assert text["mark"]["angle"] == 0 and text["mark"]["baseline"] == "bottom"
    height, top = spec["spec"]["height"], spec["spec"]["layer"][0]["encoding"]["y"]["scale"]["domain"][1]
    assert height * (1 - 16 / top) >= charts.LABEL_SIZE + abs(text["mark"]["dy"])  # px above the bar


def guide_boxes_and_curves(spec: dict) -> tuple[dict[str, tuple[float, float, float, float]], list[list[tuple]]]:
    """The chart as Vega lays it out (vl_convert's scenegraph): each text mark's box (left, top, right, bottom, px;
    its widest line's generous_width wide, its first line on its baseline's side of its anchor and the others under
    it, as Vega writes them) by its text (its lines joined by spaces), and each line's points (the curves), in the
    chart's px."""
    graph = vl_convert.vegalite_to_scenegraph(spec)
    boxes, lines = {}, []
    for node, x, y in scene_marks(graph):
        if node["marktype"] == "line":
            lines.append([(x + item["x"], y + item["y"]) for item in node["items"]])
        elif node["marktype"] == "text" and node.get("role") == "mark":
            for item in node["items"]:
                size, text = item.get("fontSize", 11), item["text"]
                rows = text if isinstance(text, list) else text.split(item["lineBreak"]) if item.get("lineBreak") \
                    else [text]
                width = min(max(generous_width(row, size) for row in rows), item.get("limit") or np.inf)
                left = x + item["x"] - width * ALIGN[item.get("align", "center")]
                base = y + item["y"] + item.get("dy", 0)
                tall = size + (len(rows) - 1) * item.get("lineHeight", 1.2 * size)
                top = base - size if item.get("baseline") == "bottom" else base
                boxes[" ".join(rows)] = (left, top, left + width, top + tall)
    return boxes, lines


def crosses(line: list[tuple], box: tuple[float, float, float, float]) -> bool:
    """Whether a polyline passes through a box: a point of it, every 0.5 px along each segment, inside."""
    left, top, right, bottom = box
    for (x0, y0), (x1, y1) in zip(line, line[1:]):
        for f in np.linspace(0, 1, max(2, int(math.hypot(x1 - x0, y1 - y0) * 2))):
            x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
            if left <= x <= right and top <= y <= bottom:
                return True
    return False


def accuracy_race(kind: str, steps: int) -> pd.DataFrame:
    """Accuracy curves (as the running means of runs_frame) like two races Run drew: "wavering", a 3-layer net of
    16 units whose random inits hover about the one-unit ceiling at the end of 50 steps (the phone's review);
    "fast", the lecture's net, He up to 97 % within a tenth of the run, Xavier climbing past the ceiling mid-run."""
    x, rng = np.linspace(0, 1, steps), np.random.default_rng(0)
    chance = 1 / 3 + 0.02 * rng.standard_normal(steps)
    if kind == "wavering":
        curves = {"normal_0.01": chance, "normal_1": 0.3 + 0.45 * x + 0.04 * np.sin(40 * x),
                  "xavier_normal": 0.33 + 0.27 * x + 0.03 * np.sin(55 * x), "he_normal": 0.35 + 0.35 * x}
    else:
        curves = {"normal_0.01": chance, "normal_1": np.minimum(0.3 + 2 * x, 0.5),
                  "xavier_normal": np.clip(0.3 + 1.2 * x, 0, 1), "he_normal": np.minimum(0.33 + 8 * x, 1.0)}
    return training_view.runs_frame({name: (np.ones(steps), values) for name, values in curves.items()})


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind, steps", [("wavering", 50), ("fast", 300)])
def test_the_one_unit_label_is_written_where_no_curve_crosses_it(lang, kind, steps):
    """"The best one unit per layer can do" was written at the right end above its line, where the curves that learn
    climb past it: laid out by Vega at a phone's width and a laptop's, no curve passes through its label."""
    frame = accuracy_race(kind, steps)
    chart = training_view.accuracy_chart(frame, lang, 3, ceiling=0.62)
    label = t(lang, "training_tab.one_unit").replace(" ", "")  # its lines' breaks are spaces or none
    for width in (PHONE_COLUMN, 900):
        boxes, lines = guide_boxes_and_curves({**chart.to_dict(), "width": width})
        boxes = {text.replace(" ", ""): box for text, box in boxes.items()}
        assert label in boxes and len(lines) == 4, (boxes, len(lines))
        assert not [i for i, line in enumerate(lines) if crosses(line, boxes[label])], (width, boxes[label])


def text_items(graph: dict) -> list[dict]:
    """The text marks' items of a vl_convert scenegraph, in the order Vega draws them (later ones on top)."""
    return [item for node, _, _ in scene_marks(graph) if node["marktype"] == "text" and node.get("role") == "mark"
            for item in node["items"]]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [None, *charts.BACKGROUNDS])
@pytest.mark.parametrize("build", ["loss", "accuracy"])
def test_a_guide_label_is_drawn_over_a_halo_of_the_page_s_background(build, mode, capfd):
    """N(0, 0.01²)'s accuracy lies on chance, so a curve crosses "chance, 1/3" wherever it goes: each guide label is
    drawn over the same text outlined in the page's background (none without a theme), which Vega draws without a
    warning."""
    frame = accuracy_race("wavering", 50)
    chart = training_view.loss_chart(frame, "en", 3) if build == "loss" else \
        training_view.accuracy_chart(frame, "en", 3, ceiling=0.62)
    spec = charts.coloured(chart.to_dict(), mode)
    items = text_items(vl_convert.vegalite_to_scenegraph(spec, show_warnings=True))
    said = capfd.readouterr()
    assert "WARN" not in said.err + said.out
    guides = [t("en", "training_tab.ln_k", k=3)] if build == "loss" else \
        [t("en", "training_tab.chance", k=3), t("en", "training_tab.one_unit")]
    for guide in guides:
        drawn = [item for item in items if str(item["text"]).replace("\n", " ") == guide]
        assert len(drawn) == 2, (guide, drawn)  # the halo first, under the label
        halo, label = drawn
        assert {key: halo[key] for key in ("x", "y", "fontSize")} == {key: label[key] for key in ("x", "y", "fontSize")}
        assert label.get("stroke") is None and label["fill"] == charts.GUIDE_COLOUR
        if mode is None:
            assert halo.get("stroke") is None
        else:
            page = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"][mode]["backgroundColor"]
            assert halo["stroke"] == page and halo["strokeWidth"] >= 3  # the app's own background (dark #101318)


# ---------- Theory ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("batch_norm", [False, True])
def test_the_theory_gradient_chart_title_fits_and_its_ticks_are_written_as_people_write(lang, batch_norm):
    result = simulate(Config(depth=6, width=64, batch=64, batch_norm=batch_norm))
    frame = theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, None if batch_norm else 0.5, lang)
    spec = theory_view.gradient_chart(frame, lang=lang, batch_norm=batch_norm).to_dict()
    lines = spec["title"]["text"]
    message = t(lang, "theory_tab.gradient_title_bn" if batch_norm else "theory_tab.gradient_title")
    assert "".join(lines).replace(" ", "") == message.replace(" ", "")  # the whole title, in lines
    assert all(len(line) + sum(ord(c) > 0x3000 for c in line) <= charts.TITLE_WIDTH for line in lines)
    curve = spec["layer"][0]["encoding"]
    axis = curve["y"]["axis"]
    assert axis["labelExpr"] == charts.log_labels(axis["values"]) and "format" not in axis
    assert curve["color"]["legend"]["columns"] == 1  # stacked: three entries side by side were cut


def test_title_lines_break_between_words_and_keep_every_character():
    assert charts.title_lines("Gradient std per layer, measured and predicted") == \
        ["Gradient std per layer,", "measured and predicted"]
    assert charts.title_lines("short title") == ["short title"]
    # step 7's Theory tab had "per" end a line and "layer" stand alone on the next (GRADIENT_TITLE_WIDTH, 24)
    title = t("en", "theory_tab.gradient_title_bn")
    assert charts.title_lines(title, theory_view.GRADIENT_TITLE_WIDTH) == [
        "Gradient std", "∂L/∂z per layer", "(z before batch norm),", "measured and predicted"]
    assert charts.title_lines(title) == ["Gradient std ∂L/∂z per layer", "(z before batch norm),",
                                         "measured and predicted"]
    # evenness alone had split "Residual stream" from "x: mean per layer" (step 8): a line ends after punctuation
    assert charts.title_lines("Residual stream x: mean per layer", 30) == ["Residual stream x:", "mean per layer"]
    assert charts.title_lines("This network: the Jacobian's singular values") == [
        "This network:", "the Jacobian's singular values"]
    zh = t("zh", "theory_tab.gradient_title_bn")
    lines = charts.title_lines(zh)
    assert "".join(lines).replace(" ", "") == zh.replace(" ", "") and "批归一化之前" in "".join(lines)


def filled_in_turn(tokens: list[str], limit: int) -> list[str]:
    """The lines of a title's pieces (charts.title_tokens) filled one after another, each as far as it goes: the
    fewest lines at which none is wider than `limit`, unless one piece is."""
    lines, line = [], ""
    for token in tokens:
        if line and charts.letters(line + token.rstrip()) > limit:
            lines.append(line.rstrip())
            line = ""
        line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def raggedness(lines: list[str], limit: int) -> int:
    """Each line's squared room left, and half a line's room squared for a line before the last that does not end a
    clause (charts.CLAUSE_ENDS)."""
    room = sum(max(limit - charts.letters(line), 0) ** 2 for line in lines)
    return room + sum((limit // 2) ** 2 for line in lines[:-1] if not line.endswith(charts.CLAUSE_ENDS))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["a", "to", "std", "per", "layer", "∂L/∂z", "(z before norm),", "梯度",
                                       "（实测）：", "measured", "predicted", "x" * 30]), min_size=1, max_size=14),
       limit=st.integers(8, 40))
def test_title_lines_are_as_few_as_filled_in_turn_and_as_even_as_can_be(words, limit):
    """Against the lines filled one after another: as many, every character kept in order, none wider than `limit`
    but a piece that is, and never more ragged (the sum of each line's squared room left)."""
    title = " ".join(words)
    lines = charts.title_lines(title, limit)
    turn = filled_in_turn(charts.title_tokens(title, limit), limit)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert len(lines) == len(turn)
    wide = {token.rstrip() for token in charts.title_tokens(title, limit) if charts.letters(token.rstrip()) > limit}
    assert all(charts.letters(line) <= limit or line in wide for line in lines), lines
    assert raggedness(lines, limit) <= raggedness(turn, limit)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("limit", [20, 34, 60])
def test_a_bracketed_aside_that_fits_a_line_is_not_broken(lang, limit):
    """A spectrum's title with its count of values too small to draw: the aside starts a line of its own where it
    does not fit after the words before it ("…奇异值 （256" / "个中 107 个太小…" had split its count), and breaks
    between words only where it is wider than a line."""
    aside = t(lang, "spectrum_tab.zeros_title", zeros=107, count=256)
    title = f"{spectrum_view.this_title(Config(), Config(), lang)} {aside}"
    lines = charts.title_lines(title, limit)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")  # every character, in order
    fits = charts.letters(aside) <= limit
    assert any(aside in line for line in lines) == fits
    assert all(charts.letters(line) <= limit or " " not in line for line in lines)


@pytest.mark.parametrize("limit", [12, 26, 34])
def test_titles_side_by_side_take_one_count_of_lines(limit):
    """Each title keeps its own lines (title_lines), then blank ones up to the row's longest, so that the plots under
    them start at one height in Vega's layout."""
    titles = ["short", "Gradient std per layer, measured and predicted", t("zh", "theory_tab.gradient_title_bn")]
    even = charts.even_titles(titles, limit)
    most = max(len(charts.title_lines(title, limit)) for title in titles)
    for title, lines in zip(titles, even):
        own = charts.title_lines(title, limit)
        assert len(lines) == most and lines[:len(own)] == own and not any(lines[len(own):])
    tops = {vl_convert.vegalite_to_scenegraph(json.dumps(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(
        x="x:Q").properties(title=lines, width=100, height=100).to_dict()))["origin"][1] for lines in even}
    assert len(tops) == 1
    assert charts.even_titles([]) == []


@pytest.mark.slow
def test_no_underscore_subscripts_in_the_theory_words_or_charts():
    """σ_w² is written in LaTeX where the text is Markdown ($\\sigma_w^2$) and as n·Var(w) on the map."""
    for lang in LANGUAGES:
        words = tomllib.loads((ROOT / "locales" / f"{lang}.toml").read_text())["theory_tab"]
        for key, text in words.items():
            assert "σ_" not in text and "χ_" not in text, (lang, key)
        grid = theory.phase_map("relu")
        chart = theory_view.map_chart(theory_view.map_frame(grid), theory_view.critical_frame(grid),
                                      theory_view.marks_frame(500, 0.05, 0.0, lang), lang=lang, title="t")
        assert "σ_" not in chart.to_json(validate=False)
    here = theory_view.here_text(theory.theory_summary(Config(activation="relu", init="he_normal")), "en")
    assert r"$\sigma_w^2$ = n·Var(w) = 2" in here


# ---------- values of exactly 0 on a log axis ----------

def zero_layers(spec: dict, field: str) -> list[dict]:
    """The layers that draw `field` == 0 on the bottom edge (charts.zero_marks)."""
    return [layer for layer in layers_of(spec) if f"(datum['{field}'] === 0)" in filters(layer)]


def rows_drawn_by(spec: dict, layer: dict, field: str) -> list[dict]:
    data = next(iter(spec["datasets"].values()))
    return [row for row in data if row[field] == 0]


# What Streamlit's Vega theme sets on every axis (its frontend's CustomTheme, read from streamlit/static): the page's
# theme must win over it where it misplaces labels; no ticks and no axis line, so a label is labelPadding off the plot
STREAMLIT_AXIS = {"labelFlush": True, "labelFlushOffset": 1, "labelBound": False, "ticks": False, "domain": False,
                  "labelPadding": 16}


def y_labels_and_grid(spec: dict, graph: dict | None = None) -> tuple[dict[str, float], list[float]]:
    """The y axis's labels ({text: its centre's y}) and the horizontal gridlines (y), px, as Vega lays the chart out
    (vl_convert's scenegraph, or `graph`, the spec's scenegraph when already drawn): the y axis is the one whose
    labels stand at different heights."""
    middle = {"middle": 0, "top": 0.5, "bottom": -0.5, "alphabetic": -0.35}  # of the type's size
    axes, grid = [], []
    for node, _, y in scene_marks(graph or vl_convert.vegalite_to_scenegraph(spec)):
        if node["marktype"] == "text" and node.get("role") == "axis-label":
            axes.append({item["text"]: y + item["y"] + middle[item.get("baseline", "alphabetic")]
                         * item.get("fontSize", 11) for item in node["items"]})
        elif node["marktype"] == "rule" and node.get("role") == "axis-grid":
            grid.extend(y + item["y"] for item in node["items"] if item.get("x2", 0) and not item.get("y2", 0))
    return next(labels for labels in axes if len(set(labels.values())) > 1), grid


def labels_and_points(spec: dict) -> tuple[list[tuple[str, tuple]], list[tuple[float, float, float]]]:
    """The chart as Vega lays it out: each axis label's text and box (left, top, right, bottom, px; generous_width
    wide, its font size tall), and each point's (centre x, centre y, radius), px."""
    top = {"top": 0, "middle": 0.5, "bottom": 1, "alphabetic": 0.8}  # of the type's size, above the anchor
    labels, points = [], []
    for node, x, y in scene_marks(vl_convert.vegalite_to_scenegraph(spec)):
        for item in node["items"] if node["marktype"] in ("text", "symbol") else []:
            if node.get("role") == "axis-label" and item.get("text"):
                size = item.get("fontSize", 11)
                width = generous_width(str(item["text"]), size)
                left = x + item["x"] - width * ALIGN[item.get("align", "center")]
                upper = y + item["y"] - top[item.get("baseline", "alphabetic")] * size
                labels.append((item["text"], (left, upper, left + width, upper + size)))
            elif node.get("role") == "mark":
                points.append((x + item["x"], y + item["y"], math.sqrt(item.get("size", 64) / math.pi)))
    return labels, points


@pytest.mark.slow
@pytest.mark.parametrize("code", list(tour.STEPS))
def test_no_presenter_axis_label_lies_under_a_point_of_the_std_chart(steps, code):
    """Presenter mode's std chart, alone and a side of a pair (its padding and type, PRESENT_CONFIG and PAIR_CONFIG,
    over Streamlit's axis theme), at every tour step: layer 0's point sat on the end of the "1" beside it, and a
    layer's std of 0 (step 1) sits on the layer axis. No axis label comes within 1 px of a point."""
    from views.page import Page

    config = tour.STEPS[code]
    page = Page(config, steps[code], "en")
    branch = tour.BRANCH in tour.story_charts(code, "en")  # as present.show picks the frame
    frame, names = (page.frames()["stream_std"], page.stream_names()) if branch else (page.frames()["act_std"],
                                                                                    page.names())
    for present_config, size, layer_axis_title in ((present.PRESENT_CONFIG, present.BODY_PX, True),
                                                   (present.PAIR_CONFIG, present.PAIR_STD_TYPE, False)):
        chart = charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=False, names=names,
                                  layer_title="layer", layer_axis_title=layer_axis_title, size=size)
        spec = with_config({**chart.to_dict(), "width": 420, "height": 160}, present_config)
        spec["config"]["axis"] = {**STREAMLIT_AXIS, **spec["config"]["axis"]}
        labels, points = labels_and_points(spec)
        assert len(points) >= config.depth + 1 and len(labels) >= 6
        touching = [(text, (x, y)) for text, (left, top, right, bottom) in labels for x, y, r in points
                    if left - r - 1 < x < right + r + 1 and top - r - 1 < y < bottom + r + 1
                    and math.dist((x, y), (min(max(x, left), right), min(max(y, top), bottom))) < r + 1]
        assert touching == [], (code, size, touching)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_residual_stream_s_legend_is_whole_in_its_chart_at_every_width(steps, lang):
    """Step 8's std chart in presenter mode at 1,024 x 768 (a 300 px column) cut its legend's second column to
    "branch theor". The stream's chart and its branch's four entries, at presenter mode's type and the page's, from a
    phone's column to a laptop's: every legend label whole (none past its limit) and inside the chart; the stream's
    two above the branch's two where two columns fit (a laptop's half page), one column where they do not."""
    from views.page import Page

    page = Page(tour.STEPS["8"], steps["8"], lang)
    names = page.stream_names()
    for size in (charts.LABEL_SIZE, present.BODY_PX):
        for width in (200, 260, 300, 360, 450, 700):
            chart = charts.line_chart(page.frames()["stream_std"], colour="#4477AA", title="t", y_title="std",
                                      log=False, names=names, layer_title="layer", size=size)
            spec = {**chart.to_dict(), "width": width}
            drawn, labels = text_extents(spec, "legend-label")
            assert sorted(label["text"] for label in labels) == sorted(
                names[key] for key in ("measured", "theory", "branch", "branch_theory")), (size, width)
            assert all(0 <= label["left"] and label["right"] <= drawn for label in labels), (size, width, labels)
            assert all(generous_width(label["text"], size) <= label["right"] - label["left"] + 0.5
                       for label in labels), ("a label cut", size, width, labels)
            rows = {round(label["left"]) for label in labels}  # one column: every label starts at one x
            if width >= 450:
                assert len(rows) == 2, (size, width, labels)


@pytest.mark.slow
@pytest.mark.parametrize("activation, init", [("tanh", "xavier_normal"), ("relu", "he_normal")])
def test_a_linear_y_axis_writes_each_label_on_its_gridline(activation, init):
    """Under Streamlit's theme (labelFlush on every axis), the std chart's "0" was written half a line above its
    gridline and "1" below its own: each label's centre is on its gridline, the end ones too."""
    result = simulate(Config(depth=5, width=32, batch=64, activation=activation, init=init))
    frame = charts.series_frame(charts.layer_frame(result), "act_std", "predicted_act_std", NAMES)
    spec = charts.theme(charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=False, names=NAMES,
                                          layer_title="layer")).to_dict()
    spec["config"]["axis"] = {**STREAMLIT_AXIS, **spec["config"].get("axis", {})}
    labels, grid = y_labels_and_grid(spec)
    assert "0" in labels and len(labels) >= 4, labels
    for text, y in labels.items():
        assert min(abs(y - line) for line in grid) <= 1.5, (text, y, sorted(grid))


@pytest.mark.slow
def test_a_log_axis_marks_each_value_of_exactly_0_on_its_bottom_edge():
    """All-zero weights: every layer's gradient is 0 (measured, and the theory's too); the chart says so."""
    result = simulate(Config(depth=5, width=32, batch=64, init="zeros"))
    frame = charts.series_frame(charts.layer_frame(result), "grad_std", "predicted_grad_std", NAMES, first_layer=1)
    spec = charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=True, names=NAMES,
                             layer_title="layer").to_dict()
    marks = zero_layers(spec, "value")
    assert [layer["mark"]["type"] for layer in marks] == ["point", "text"]
    low = spec["layer"][0]["encoding"]["y"]["scale"]["domain"][0]
    assert all(layer["encoding"]["y"] == {"datum": low} for layer in marks)  # on the axis's bottom edge
    assert marks[1]["encoding"]["text"] == {"datum": "0"}
    zero = [row["layer"] for row in rows_drawn_by(spec, marks[0], "value") if row["series"] == "measured"]
    assert zero == [int(i) for i in np.flatnonzero(result.grad_std == 0) if i >= 1]  # the engine's zeros
    assert len(zero) == 4  # layers 1-4; the top layer's gradient is the read-out's own, never 0
    # the layer axis is set, not taken from rows that a layer without zeros would not have (Vega's warning)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [1, 5]


@pytest.mark.slow
def test_every_log_chart_has_its_zero_marks():
    zeros = simulate(Config(depth=4, width=32, batch=64, init="zeros"))
    he = simulate(Config(depth=4, width=32, batch=64, activation="relu", init="he_normal"))
    layers = charts.layer_frame(zeros)
    ratio = charts.ratio_chart(layers, colour="#1", title="t", y_title="y", layer_title="l").to_dict()
    compare = charts.compare_chart(charts.compare_frame({"zeros": zeros, "he_normal": he}, "en", "he_normal"),
                                   title="t", y_title="y", layer_title="l", scheme_title="s",
                                   underflow_label="u").to_dict()
    gradient = theory_view.gradient_chart(theory_view.gradient_frame(zeros.grad_std, zeros.predicted_grad_std, None,
                                                                     "en"), lang="en").to_dict()
    loss = training_view.loss_chart(race_frame(), "en", 3).to_dict()
    for spec, field in ((ratio, "grad_data_ratio"), (compare, "act_std"), (gradient, "value"), (loss, "loss")):
        assert [layer["mark"]["type"] for layer in zero_layers(spec, field)] == ["point", "text"], field
    # zeros' activations are exactly 0 past the input: marked in its colour, under the curves
    data = next(iter(compare["datasets"].values()))
    assert sorted(row["layer"] for row in data if row["act_std"] == 0) == [1, 2, 3, 4]
    assert compare["layer"][0]["mark"]["type"] == "point" and "datum.current" in filters(compare["layer"][-1])


@pytest.mark.slow
def test_zero_marks_sit_below_every_tick_apart_from_the_values():
    """Step 1's Gradients tab drew its nine ▼0 on the axis line labelled "1", beside layer 10's gradient of 1: the
    zeros' band lies ZERO_BAND decades below the lowest tick on every log chart that marks zeros, and no tick or
    drawn value is in it."""
    zeros = simulate(Config(depth=4, width=32, batch=64, init="zeros"))
    he = simulate(Config(depth=4, width=32, batch=64, activation="relu", init="he_normal"))
    assert (zeros.grad_std[1:4] == 0).all() and zeros.grad_std[4] == pytest.approx(1, rel=0.1)  # step 1's shape
    frame = charts.series_frame(charts.layer_frame(zeros), "grad_std", "predicted_grad_std", NAMES, first_layer=1)
    line = charts.line_chart(frame, colour="#1", title="t", y_title="std", log=True, names=NAMES,
                             layer_title="layer").to_dict()
    layers = charts.layer_frame(zeros)
    layers.loc[layers["layer"] == 2, "grad_data_ratio"] = 0.0  # a ratio chart with a zero and values
    layers.loc[layers["layer"] == 3, "grad_data_ratio"] = 1e-3
    ratio = charts.ratio_chart(layers, colour="#1", title="t", y_title="y", layer_title="l").to_dict()
    compare = charts.compare_chart(charts.compare_frame({"zeros": zeros, "he_normal": he}, "en", "he_normal"),
                                   title="t", y_title="y", layer_title="l", scheme_title="s",
                                   underflow_label="u").to_dict()
    gradient = theory_view.gradient_chart(theory_view.gradient_frame(zeros.grad_std, zeros.predicted_grad_std, None,
                                                                     "en"), lang="en").to_dict()
    race = race_frame()
    race.loc[race.index[-1], "loss"] = 0.0  # a loss of exactly 0 at its last step
    loss = training_view.loss_chart(race, "en", 3).to_dict()
    for spec, field in ((line, "value"), (ratio, "grad_data_ratio"), (compare, "act_std"), (gradient, "value"),
                        (loss, "loss")):
        marks = zero_layers(spec, field)
        y = next(layer["encoding"]["y"] for layer in layers_of(spec) if "scale" in layer["encoding"].get("y", {}))
        ticks, (low, _) = y["axis"]["values"], y["scale"]["domain"]
        assert marks and all(mark["encoding"]["y"] == {"datum": low} for mark in marks), field
        assert low < min(ticks), (field, low, ticks)  # not on a tick's line, where it reads as that tick's value
        assert low == pytest.approx(min(ticks) / 10**charts.ZERO_BAND), field  # half a decade under the lowest tick
        data = next(iter(spec["datasets"].values()))
        drawn = [row[field] for row in data if row[field] is not None and row[field] > 0]
        assert min(drawn) >= min(ticks), field
    assert charts.decades([0.0, 1.00007]) == ((1.0, 10.0), (10**-0.5, 10.0))  # step 1's gradients
    assert charts.decades([1.00007]) == ((1.0, 10.0), (1.0, 10.0))  # no zero: no band


@pytest.mark.slow
@given(st.lists(st.floats(1e-307, np.finfo(np.float64).max), min_size=1, max_size=6), st.booleans())
@example([1.5e308], False)
@example([3e-6, 1e308, 1.7976931348623157e308], True)
def test_a_log_axis_holds_every_value_and_its_ticks(values, zero):
    """charts.decades: every positive value lies inside the axis's domain, every tick too, the ticks are whole powers
    of ten at most 9 apart in count, and a zero among the values widens the domain below the lowest tick only (a
    spread of 3e-6 to 7e4 has ticks every second decade, up to 1e4: the domain had ended there, cutting off 7e4), up
    to float64's largest number (the Gradients tab of std 100 weights on a linear network of width 500 had raised
    OverflowError for a tick at 10³⁰⁹), and down to its least normal number (below it: the next test)."""
    ticks, (low, high) = charts.decades([*values, 0.0] if zero else values)
    inside = 1 + 1e-12  # a power of ten computed in floats is within rounding of it (10.0**-30 < 1e-30)
    assert low <= min(values) * inside and max(values) <= high * inside
    assert low <= ticks[0] and ticks[-1] <= high and len(ticks) <= 9
    assert all(math.log10(tick) == round(math.log10(tick)) for tick in ticks)
    assert (low < ticks[0]) == zero
    # within a decade of the values (in logarithms: 1e30 / 10.0**29 rounds to 10.000000000000002)
    assert math.log10(high / max(values)) <= 1 + 1e-12 and (zero or math.log10(min(values) / low) <= 1 + 1e-12)


def test_a_log_axis_below_float64_s_normal_numbers_starts_above_0():
    """A theory's gradient of 5 × 10⁻³²⁴ (std 2.42 × 10⁻⁵ on a linear float64 network of depth 100) had started a log
    axis's domain at 10.0**-324, which is 0, with a tick there. Below the least normal number a power of ten is a
    subnormal, rounded (10.0**-321 is 9.98 × 10⁻³²²), and below 10⁻³²³ there is none: the domain starts at float64's
    least positive number or above, every value inside it, every tick above 0."""
    for values, zero in (([5e-324, 1.0], False), ([5e-324, 2e-320], True), ([1e-320], False), ([6e-323, 1e-5], True)):
        ticks, (low, high) = charts.decades([*values, 0.0] if zero else values)
        assert 0 < low <= min(values) and max(values) <= high, (values, low, high)
        assert ticks and all(0 < tick <= high for tick in ticks) and len(ticks) <= 9, (values, ticks)


# ---------- Compare ----------

@pytest.mark.slow
@pytest.mark.parametrize("code", ["2", "3", "4", "6", "7"])
def test_compare_draws_the_steps_own_scheme_last_and_thickest(code):
    """At every step whose scheme is among the lecture's five, its rows are the ones the last, thickest line draws."""
    config = tour.STEPS[code]
    small = {s: simulate(tour.scheme_config(Config(depth=3, width=16, batch=32, activation=config.activation), s))
             for s in tour.LECTURE_FIVE}
    own = tour.scheme_of(config)
    for lang in LANGUAGES:
        frame = charts.compare_frame(small, lang, own)
        assert set(frame.loc[frame["current"], "scheme"]) == {own}
        spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                    underflow_label="u").to_dict()
        lines = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
        assert lines[-1] is spec["layer"][-2] and filters(lines[-1])[-1] == "datum.current"  # its points after it
        assert lines[-1]["mark"]["strokeWidth"] >= 2 * max(layer["mark"]["strokeWidth"] for layer in lines[:-1])
        # a scheme lying exactly under the thick line shows through it: it is opaque, the thick line and its
        # points on top are not
        own_marks = [layer["mark"] for layer in spec["layer"][-2:]]
        assert all(0 < mark["opacity"] <= 0.6 for mark in own_marks)
        assert all(layer["mark"].get("opacity", 1) == 1 for layer in lines[:-1])
        legend = lines[0]["encoding"]["color"]["scale"]["domain"]
        assert legend == [charts.scheme_name(s, lang) for s in small] and own not in legend


COLON = {"en": ": ", "zh": "："}  # after a scheme's name, as each language writes it


def scheme_note(lang: str, name: str, message: str) -> str:
    """A Compare tab's note on one scheme as the page must write it: its name, the language's colon, then the message
    as a clause: "N(0, 0.01²): values underflowed ...", never "…: Values underflowed" in mid-sentence."""
    clause = message[0].lower() + message[1:] if lang == "en" else message
    return f"{name}{COLON[lang]}{clause}"


def first_missing_layer(result) -> int | None:
    """The first layer whose activation std the engine left undefined (NaN): where the curve is cut short."""
    missing = np.flatnonzero(np.isnan(result.stats["act_std"]))
    return int(missing[0]) if missing.size else None


@pytest.fixture(scope="module")
def compared_steps(simulated) -> dict[str, dict]:
    """{tour step: {scheme: its Result}}: the networks each step's Compare tab draws, the lecture's five schemes on
    the step's network, each computed once (steps 1 to 4 compare the same five tanh networks, 5 and 6 the same ReLU
    ones: the conftest's `simulated` keeps them)."""
    from views.tabs.compare import compare_configs
    return {code: {scheme: simulated(network)
                   for scheme, network in compare_configs(tour.step_config(code), list(tour.LECTURE_FIVE))[0].items()}
            for code in tour.STEPS}


@pytest.mark.slow
def test_every_steps_compare_names_each_scheme_cut_short_with_its_layer(compared_steps):
    """Step 10's N(0, 0.01²) line ended at layer 40 without a word (its float32 values underflowed at layer 41). At
    every tour step, each of the Compare tab's schemes whose activations stop is named with the layer they stop at,
    in both languages, and that layer is marked underflowed (drawn on the bottom edge), its std not written as 0,
    unless the line was off the axis at the layer before: step 10's, under the floor from layer 14, had its mark at
    layer 41 alone on the bottom edge, far from it (a teacher's screenshot)."""
    from views.tabs.compare import drawn_short
    cut = set()
    for code, results in compared_steps.items():
        for lang in LANGUAGES:
            names = {s: charts.scheme_name(s, lang, r.config) for s, r in results.items()}
            notes = drawn_short(results, names, lang)
            frame = charts.compare_frame(results, lang)
            for scheme, r in results.items():
                layer = first_missing_layer(r)
                named = [note for note in notes if note.startswith(names[scheme] + COLON[lang])]
                if layer is None:
                    assert not named, (code, scheme)
                    continue
                cut.add((code, scheme, layer))
                (b,) = r.breaks
                assert named == [scheme_note(lang, names[scheme], summary.break_message(b, lang, r.config.dtype))]
                assert b.layer == layer and f" {layer} " in named[0], (code, scheme, named)
                rows = frame[frame["scheme"] == scheme].set_index("layer")
                off = bool(rows["below"].loc[layer - 1] or rows["above"].loc[layer - 1])
                assert rows["underflowed"].tolist() == [n == layer and not off for n in rows.index]
                if (code, scheme) == ("10", "normal_0.01"):
                    assert off and rows["leaves"].any(), "step 10's line leaves the axis first, marked there"
                assert rows["act_std"].loc[:layer - 1].gt(0).all() and rows["act_std"].loc[layer:].isna().all()
    assert ("10", "normal_0.01", 41) in cut


@pytest.mark.slow
def test_every_steps_compare_axis_gives_each_decade_room_and_marks_a_line_it_leaves(compared_steps):
    """Step 10's N(0, 0.01²) had stretched the Compare axis to 10⁻³⁹ (40 decades), the other five schemes, all between
    0.067 and 1, drawn as one band. At every tour step the axis spans at most charts.COMPARE_DECADES decades (10 px a
    decade of the plot); every scheme is drawn inside it at every layer it is drawn; a line falling under the floor
    is ▼-marked once, at its first layer under it, not drawn there and below, and named with that layer in both
    languages. At step 10 the floor lies FLOOR_DECADES under the lowest decade of the other schemes; no step's
    scheme rises over a ceiling."""
    from views.tabs.compare import off_axis
    left = set()
    for code, results in compared_steps.items():
        frame = charts.compare_frame(results, "en")
        _, (ticks, (low, high)), _ = charts.layout("compare", frame)
        floor = ticks[0]
        zeros = (frame["act_std"] == 0).any() or frame["underflowed"].any()  # marked under the lowest tick
        assert math.log10(high / low) <= charts.COMPARE_DECADES + charts.ZERO_BAND * zeros, (code, low, high)
        assert charts.COMPARE_HEIGHT / math.log10(high / low) >= 10, code  # px a decade
        std = frame["act_std"]
        under = (std > 0) & (std < floor)
        assert frame["below"].tolist() == under.tolist(), code
        assert not frame["above"].any() and charts.compare_window(frame)[1] == math.inf, code
        assert std[(std > 0) & ~under].between(floor, high).all(), code  # every drawn std inside the axis
        marked = frame[frame["leaves"]]
        firsts = frame[under].groupby("scheme", sort=False)["layer"].min()
        assert dict(zip(marked["scheme"], marked["layer"])) == firsts.to_dict(), code
        for lang in LANGUAGES:
            names = {s: charts.scheme_name(s, lang, r.config) for s, r in results.items()}
            assert off_axis(frame, names, lang) == [
                t(lang, "under_floor", name=names[s], floor=format_power(floor), layer=layer)
                for s, layer in firsts.items()], (code, lang)
        spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                    underflow_label="u").to_dict()
        edge = [layer for layer in layers_of(spec) if "datum.leaves" in filters(layer)]
        assert len(edge) == (2 if len(firsts) else 0), code
        assert all(layer["encoding"]["y"] == {"datum": floor} for layer in edge), code
        lines = [layer for layer in layers_of(spec) if layer["mark"]["type"] in ("line", "point")
                 and "datum.current" in " ".join(filters(layer))]
        assert lines and all(any("datum.below" in f for f in filters(layer)) for layer in lines), code
        left |= {(code, s, layer) for s, layer in firsts.items()}
        if code == "10":
            others = frame.loc[(frame["scheme"] != "normal_0.01") & (std > 0), "act_std"]
            assert floor == 10.0 ** (math.floor(math.log10(others.min())) - charts.FLOOR_DECADES) == 1e-5
    assert {(code, s) for code, s, _ in left} == {("10", "normal_0.01")}, left


def window_frame(ranges: dict[str, tuple[float, float]], current: str | None = None) -> pd.DataFrame:
    """compare_window's columns for schemes whose log10 std runs from the input's 0 down to low and up to high:
    three layers each (the input, low, high)."""
    return pd.DataFrame([{"scheme": s, "act_std": 10.0 ** v, "current": s == current}
                         for s, (low, high) in ranges.items() for v in (0.0, low, high)])


def fits(ranges) -> bool:
    """Whether schemes of these log10 ranges fit together on an axis of COMPARE_DECADES whole decades."""
    return not ranges or math.ceil(max(h for _, h in ranges)) - math.floor(min(lo for lo, _ in ranges)) \
        <= charts.COMPARE_DECADES


decade_ranges = st.dictionaries(st.sampled_from("abcdef"), st.tuples(
    st.floats(-40, 0, allow_subnormal=False), st.floats(0, 40, allow_subnormal=False)), min_size=1)


@given(decade_ranges, st.one_of(st.none(), st.sampled_from("abcdef")))
@settings(max_examples=300, deadline=None)
@example({"vanishes": (-16.1, 0), "explodes": (0, 23.9), "xavier": (-3.1, 0), "he": (-0.14, 0),
          "bn": (-0.23, 0)}, "he")  # step 6 at depth 20: N(0, 1) had taken the axis, the other four under it
@example({"vanishes": (-16.1, 0), "explodes": (0, 23.9), "xavier": (-3.1, 0), "he": (-0.14, 0),
          "bn": (-0.23, 0)}, "explodes")  # the same page on N(0, 1): its own line had been held alone
def test_the_compare_axis_holds_whole_the_most_schemes_that_fit_it_together(ranges, current):
    """Every scheme starts at the input's std, and a deep ReLU net's N(0, 1) rises as far as its N(0, 0.01²) falls:
    the axis had kept to the highest scheme, and at depth 20 drew N(0, 1) alone, He, Xavier and batch norm under a
    floor of 1. compare_window holds whole as many schemes as any set that fits COMPARE_DECADES (every subset tried),
    the page's own among them where some such set holds it; it spans at most COMPARE_DECADES, ends at whole decades,
    and cuts a side only where some scheme leaves on it."""
    from itertools import combinations
    current = current if current in ranges else None
    frame = window_frame(ranges, current)
    floor, ceiling = charts.compare_window(frame)
    logs = np.log10(frame["act_std"]).groupby(frame["scheme"], sort=False)  # the stds' decades as floats hold them
    ranges = dict(zip(logs.min().index, zip(logs.min(), logs.max())))
    if fits(list(ranges.values())):
        assert (floor, ceiling) == (0.0, math.inf)
        return
    low, high = (math.log10(floor) if floor > 0 else -math.inf), (math.log10(ceiling) if ceiling < math.inf else
                                                                 math.inf)
    held = [s for s, (lo, hi) in ranges.items() if lo >= low and hi <= high]
    fitting = [c for n in range(len(ranges) + 1) for c in combinations(ranges, n) if fits([ranges[s] for s in c])]
    largest = max(len(c) for c in fitting)
    assert len(held) == largest, (held, largest)
    if any(len(c) == largest and current in c for c in fitting):  # the page's own, of sets as large
        assert current in held, (held, current)
    if held:  # a whole decade at each end, and no side cut without a scheme leaving on it
        assert all(end == round(end) for end in (low, high) if math.isfinite(end))
        assert (floor > 0) == any(lo < low for lo, _ in ranges.values())
        assert (ceiling < math.inf) == any(hi > high for _, hi in ranges.values())
    top = high if high < math.inf else math.ceil(max(h for _, h in ranges.values()))
    bottom = low if low > -math.inf else math.floor(min(lo for lo, _ in ranges.values()))
    assert top - bottom <= charts.COMPARE_DECADES


@pytest.mark.slow
@pytest.mark.parametrize("depth", [20, 30, 50])
def test_a_deep_relu_net_s_compare_chart_draws_he_xavier_and_batch_norm_and_marks_n01_rising(simulated, depth):
    """Step 6 at depth 20 and 30 (a student's links): He, Xavier and N(0, 0.01²) + batch norm stay near 1 and are drawn
    at every layer; N(0, 1), blowing up ×(√250)ᴸ, leaves over the ceiling: ▲-marked once where it rises over it,
    named with that layer in both languages, and not drawn from there on. The axis had run from 1 to 10²⁴, the
    page said He "falls below 1 at layer 1", and at depth 30 even N(0, 1) fell under its floor of 10¹²."""
    from views.tabs.compare import compare_configs, off_axis
    config = replace(tour.step_config("6"), depth=depth)
    results = {s: simulated(c) for s, c in compare_configs(config, list(tour.LECTURE_FIVE))[0].items()}
    frame = charts.compare_frame(results, "en", tour.scheme_of(config))
    floor, ceiling = charts.compare_window(frame)
    std = frame.set_index(["scheme", "layer"])["act_std"]
    for scheme in ("he_normal", "xavier_normal", "normal_0.01+bn"):
        assert std[scheme].between(floor, ceiling).all(), (scheme, floor, ceiling)
        assert not frame.loc[frame["scheme"] == scheme, ["below", "above"]].any().any(), scheme
    rising = std["normal_1"]
    first = int((rising > ceiling).idxmax())
    assert rising.dropna().iloc[-1] > ceiling  # its last finite std (at depth 50 it overflows float32)
    assert frame.loc[frame["rises"], ["scheme", "layer"]].values.tolist() == [["normal_1", first]]
    # at depth 50 N(0, 1) overflows float32 at layer 32 and N(0, 0.01²) underflows at layer 49, each long after its
    # line left the axis: no ∞ or underflow mark stands alone there (the notes name those layers)
    assert [len(charts.forward_breaks(r)) > 0 for r in results.values()].count(True) == (2 if depth == 50 else 0)
    assert not (frame["overflowed"] | frame["underflowed"]).any()
    spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                underflow_label="u").to_dict()
    edge = [layer for layer in layers_of(spec) if "datum.rises" in filters(layer)]
    assert len(edge) == 2 and all(layer["encoding"]["y"] == {"datum": ceiling} for layer in edge)
    assert charts.layout("compare", frame)[1][1][1] == ceiling  # the marks on the axis's top edge
    for lang in LANGUAGES:
        names = {s: charts.scheme_name(s, lang, r.config) for s, r in results.items()}
        notes = off_axis(frame, names, lang)
        said = t(lang, "over_ceiling", name=names["normal_1"], ceiling=format_power(ceiling), layer=first)
        assert said in notes and not any(names["he_normal"] in n for n in notes), (lang, notes)


@pytest.mark.slow
def test_an_overflow_is_marked_on_the_compare_chart_s_top_edge_and_named():
    """A float32 network whose forward values overflow: its line ends at the layer before, that layer is marked on
    the top edge with ∞, and the tab names the scheme and the layer; an underflow's layer is marked on the bottom
    edge with the underflow's own label, not the "0" of an exact zero (its values are below float32's smallest normal
    number, not 0). Each is drawn on an axis of its own, on which its line reaches its break: no one axis holds both
    (a line off the axis before its break is not marked there, test_every_steps_compare_names_each_scheme_cut_short).
    """
    from views.tabs.compare import drawn_short
    wild = simulate(Config(depth=30, width=64, batch=64, activation="relu", init="normal", std=10.0))
    (b,) = wild.breaks
    assert b.kind == "overflow" and b.stage == "forward" and b.layer == first_missing_layer(wild)
    # weights of 3 × 10⁻²¹: layer 1's std 2.4 × 10⁻²⁰, on the axis, and layer 2's below float32's smallest normal
    tiny = simulate(Config(depth=6, width=64, batch=64, init="normal", std=3e-21))
    (u,) = tiny.breaks
    assert u.kind == "underflow" and u.layer == first_missing_layer(tiny)
    for scheme, result, flag, kind in (("normal_1", wild, "overflowed", b), ("normal_0.01", tiny, "underflowed", u)):
        frame = charts.compare_frame({scheme: result}, "en")
        assert frame.loc[frame[flag], ["scheme", "layer"]].values.tolist() == [[scheme, kind.layer]]
        assert not (frame["act_std"] == 0).any()
        spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                    underflow_label="u").to_dict()
        domain = next(layer["encoding"]["y"]["scale"]["domain"] for layer in layers_of(spec)
                      if "scale" in layer["encoding"].get("y", {}))
        # the overflow on the top edge with ∞, the underflow on the bottom edge with its label
        edge, shape, label = (domain[1], "triangle-up", "∞") if flag == "overflowed" else (domain[0], "triangle-down",
                                                                                           "u")
        marks = [layer for layer in layers_of(spec) if f"datum.{flag}" in filters(layer)]
        assert [layer["mark"]["type"] for layer in marks] == ["point", "text"]
        assert all(layer["encoding"]["y"] == {"datum": edge} for layer in marks)
        assert marks[0]["mark"]["shape"] == shape and marks[1]["encoding"]["text"] == {"datum": label}
    for lang in LANGUAGES:
        names = {s: charts.scheme_name(s, lang) for s in ("normal_1", "normal_0.01")}
        notes = drawn_short({"normal_1": wild, "normal_0.01": tiny}, names, lang)
        assert notes == [scheme_note(lang, names["normal_1"], summary.break_message(b, lang, "float32")),
                         scheme_note(lang, names["normal_0.01"], summary.break_message(u, lang, "float32"))]
        if lang == "en":  # the place mid-sentence asks for a lower-case start: "N(0, 1): values overflowed"
            assert [note.split(": ", 1)[1][:7] for note in notes] == ["values "] * 2
        assert all(f" {x.layer} " in note for x, note in zip((b, u), notes))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_step_10_s_compare_tab_says_where_the_small_init_underflowed(lang):
    from tests.app_support import open_app, open_tab
    at = open_tab(open_app(step="10", lang=lang), "compare", lang)
    assert not at.exception
    b = simulate(tour.scheme_config(tour.step_config("10"), "normal_0.01")).breaks[0]
    expected = scheme_note(lang, charts.scheme_name("normal_0.01", lang), summary.break_message(b, lang, "float32"))
    assert b.layer == 41 and [c.value for c in at.caption if c.value == expected] == [expected]


# the two links of a network that is no lecture scheme, or one that is a lecture scheme under another name
KERAS_HE = Config(activation="relu", init="variance_scaling", scale=2.0)
TORCH_DEFAULT = Config(depth=3, width=784, widths=(784, 512, 256, 128), activation="relu", init="torch_default")


@pytest.mark.slow
@pytest.mark.parametrize("config, own", [(KERAS_HE, "he_normal"), (TORCH_DEFAULT, charts.OWN)])
def test_compare_s_thick_line_is_the_page_s_network(config, own):
    """The thick line is the page's network: Keras's VarianceScaling(scale=2) is He's line, within its truncated
    draw's difference at every layer (it had been N(0, 1)'s, 10¹² at layer 10); torch's default is itself, named
    so (it had been N(0, 0.01²)'s, 0.003 at layer 3 where the page's network ends at 0.06)."""
    from views.tabs.compare import compare_configs

    configs, refused = compare_configs(config, list(tour.LECTURE_FIVE))
    assert not refused and (charts.OWN in configs) == (own == charts.OWN)
    results = {scheme: simulate(network) for scheme, network in configs.items()}
    page = simulate(config).stats["act_std"]
    for lang in LANGUAGES:
        frame = charts.compare_frame(results, lang, tour.scheme_of(config))
        thick = frame.loc[frame["current"]]
        assert set(thick["scheme"]) == {own}
        ratio = thick["act_std"].to_numpy() / page
        assert np.all(np.abs(ratio - 1) < 0.05), ratio
        expected = charts.scheme_name(own, lang, config)
        assert set(thick["name"]) == {expected}
        if own == charts.OWN:
            assert t(lang, f"options.init_{config.init}") in expected and np.array_equal(thick["act_std"], page)
        spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                    underflow_label="u").to_dict()
        colour = spec["layer"][1]["encoding"]["color"]["scale"]
        assert colour["range"][colour["domain"].index(expected)] == charts.SCHEME_COLOURS[own]


# ---------- histograms ----------

@pytest.mark.slow
def test_relus_tail_past_3_is_a_labelled_bar_apart_from_the_last_bin():
    """He + ReLU: a few % of each layer lie past 3; core's last bin counts them, the chart draws them apart."""
    result = simulate(Config(depth=3, width=100, batch=200, activation="relu", init="he_normal"))
    frame = charts.histogram_frame(result, "en")
    spec = charts.histogram_chart(frame, colour="#CCBB44", title="h", share_title="s").to_dict()
    for layer, panel in frame.groupby("layer"):
        over = panel[panel["kind"] == "over"]
        above = result.hist_beyond[layer][1]
        assert above > 0 and over["label"].item() == f"> 3: {format_share(above / panel_total(result, layer))}"
        last = panel[(panel["kind"] == "bin")].iloc[-1]
        assert last["share"] * panel_total(result, layer) == pytest.approx(result.hist_counts[layer][-1] - above)
    x = layers_of(spec)[0]["encoding"]["x"]["scale"]["domain"]
    assert x[1] >= frame.loc[frame["kind"] == "over", "end"].max()  # the bar is inside the panel
    bars = layers_of(spec)[0]
    assert bars["encoding"]["color"]["condition"][0]["value"] == "#CCBB44"  # bins in the scheme's colour, the rest grey
    assert bars["encoding"]["color"]["value"] == charts.SPIKE_COLOUR


def panel_total(result, layer: int) -> int:
    return int(result.hist_counts[layer].sum())


@pytest.mark.slow
def test_no_histogram_layer_is_empty_in_any_panel():
    """A facet's layer with no rows in a panel makes Vega warn ("Infinite extent"); each layer holds every panel."""
    result = simulate(Config(depth=4, width=50, batch=100))  # tanh: no zero bar, nothing past the range
    frame = charts.histogram_frame(result, "en")
    spec = charts.histogram_chart(frame, colour="#1", title="h", share_title="s").to_dict()
    for layer in layers_of(spec):
        kept = frame
        for condition in filters(layer):
            side = "left" if "'left'" in condition or '"left"' in condition else "right"
            kept = kept[kept["side"] == side]
        assert set(kept["panel"]) == set(frame["panel"])
        assert "x2" not in layer["encoding"] or layer["mark"]["type"] == "bar"


# A bold label's width by a generous rule: 1 em for a CJK character, 0.35 em for a space, 0.62 em for anything else
# (Source Sans's bold digits are about 0.5 em, "%" 0.8 em, a space 0.2 em).
def generous_width(text: str, size: float = charts.LABEL_SIZE) -> float:
    return size * sum(1.0 if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" else 0.35 if c.isspace()
                      else 0.62 for c in text)


# (activation, init, std, other settings); the residual stream's seed 2 has an exact 0 in layer 4, a bar in the middle
# of -3 to 3 and so labelled on the right, where its "> 3" tail's label is
HISTOGRAM_CASES = [("relu", "he_normal", 1.0, {}), ("relu", "xavier_normal", 1.0, {}), ("tanh", "normal", 1.0, {}),
                   ("tanh", "zeros", 1.0, {}), ("relu", "normal", 0.01, {}), ("leaky_relu", "he_normal", 1.0, {}),
                   ("relu", "he_normal", 1.0, {"residual": True, "seed": 2})]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("panel", [(*charts.PANEL, charts.LABEL_SIZE), (70, 56, charts.LABEL_SIZE),
                                   (*present.PRESENT_PANEL, present.BODY_PX)])  # the tab's, Beside's, presenter mode's
@pytest.mark.parametrize("activation, init, std, settings", HISTOGRAM_CASES)
def test_histogram_labels_stay_in_their_panel_above_the_bars_and_apart(activation, init, std, settings, panel, lang):
    """Step 5's "> 3: 0.00020 %" ran into the next panel and step 6's labels sat on the bars: every label is written
    above its panel's plot (no bar is there), under its panel's header, from the panel's edge on its bar's side,
    inside the panel's width, and apart from the panel's other labels (a stream's exact zeros' "< 0.01 %" had been
    written over its "> 3: 24.6 %"), one a side; at the tab's type and at presenter mode's."""
    result = simulate(Config(depth=10, width=200, batch=500, activation=activation, init=init, std=std, **settings))
    frame = charts.histogram_frame(result, lang)
    labels = frame[frame["label"] != ""]
    assert set(labels["kind"]) <= {"zero", "under", "over", "end"}
    assert not labels.duplicated(["panel", "side"]).any(), labels  # one label a side of a panel
    unlabelled = frame[frame["kind"].isin(["zero", "under", "over"]) & (frame["label"] == "")]
    for _, row in unlabelled.iterrows():  # only exact zeros go unlabelled, where both sides are taken
        assert row["kind"] == "zero" and set(labels.loc[labels["panel"] == row["panel"], "side"]) == {"left", "right"}
    width, height, size = panel
    spec = charts.histogram_chart(frame, colour="#CCBB44", title="h", share_title="s", panel_width=width,
                                  panel_height=height, size=size).to_dict()
    texts = [layer for layer in layers_of(spec) if layer["mark"]["type"] == "text"]
    field = texts[0]["encoding"]["text"]["field"]
    rows = {layer["mark"]["align"]: -layer["encoding"]["y"]["value"] for layer in texts}  # px above the plot
    assert all(row > 0 for row in rows.values())  # above the plot's top edge, where no bar reaches
    # under the panel's header "layer 3", as Vega lays them out: a header's letters (its top at its y) end above the
    # letters of every label under it (their bottom at its y)
    graph = scene_marks(vl_convert.vegalite_to_scenegraph(spec))
    panels = set(frame["panel"])
    headers = [y + item.get("y", 0) for node, _, y in graph if node.get("role") == "title-text"
               for item in node["items"] if item.get("text") in panels]
    labels = [y + item.get("y", 0) for node, _, y in graph if node["marktype"] == "text" and node.get("role") == "mark"
              for item in node["items"] if item.get("text")]
    assert len(headers) == len(panels) and labels
    for label in labels:
        header = max(top for top in headers if top < label)
        assert header + size <= label - size, (header, label, size)
    assert {layer["mark"]["align"]: layer["encoding"]["x"]["value"] for layer in texts} == {"left": 0, "right": width}
    for _, group in frame[frame[field] != ""].groupby("panel"):
        extents = []
        for _, row in group.iterrows():
            w = generous_width(row[field], size)
            left = 0 if row["side"] == "left" else width - w  # from the panel's edge on the bar's side
            assert -1 <= left and left + w <= width + 1, (row[field], left, w, width)  # inside its own panel
            extents.append((rows[row["side"]], left, left + w))
        for i, (row_a, a0, a1) in enumerate(extents):  # two labels in one row do not meet
            for row_b, b0, b1 in extents[i + 1:]:
                assert row_a != row_b or a1 <= b0 or b1 <= a0
    if field == "short":  # the share alone, as the page writes a share
        assert (frame.loc[frame["label"] != "", "short"] == frame.loc[frame["label"] != "", "text"]).all()


@pytest.mark.slow
def test_a_wide_panel_writes_the_bar_past_the_range_in_full_on_one_row():
    """At the tab's 150 px a panel of He + ReLU holds "50.1 %" and "> 3: 1.7 %" side by side."""
    result = simulate(Config(depth=4, width=200, batch=500, activation="relu", init="he_normal"))
    spec = charts.histogram_chart(charts.histogram_frame(result, "en"), colour="#1", title="h",
                                  share_title="s").to_dict()
    texts = [layer for layer in layers_of(spec) if layer["mark"]["type"] == "text"]
    assert {layer["encoding"]["text"]["field"] for layer in texts} == {"label"}
    assert len({layer["encoding"]["y"]["value"] for layer in texts}) == 1


# ---------- the Compare chart names the lines it draws on top of each other ----------

def _compare_frame(curves: dict[str, np.ndarray], current: str | None = None) -> pd.DataFrame:
    from types import SimpleNamespace
    results = {s: SimpleNamespace(config=Config(depth=len(c) - 1), stats={"act_std": c}, breaks=())
               for s, c in curves.items()}
    return charts.compare_frame(results, current=current)


def test_schemes_closer_than_a_third_of_a_line_s_width_are_one_line_and_others_are_not():
    base = np.geomspace(0.5, 2e-6, 11)  # every curve below lies within 10^-6 to 10^0: an axis of 6 decades
    line = charts.HIDDEN_OFFSET / charts.COMPARE_HEIGHT * 6  # decades of the offset that hides a line on that plot
    curves = {"normal_0.01": base, "normal_1": base * 10 ** (0.9 * line), "xavier_normal": base * 10 ** (3 * line),
              "he_normal": base * 10 ** (3.6 * line), "orthogonal": base * 10 ** (4.2 * line),
              "zeros": np.r_[base[:5], 0.0, base[6:]]}  # equal to the first but at one layer: not drawable there
    found = charts.drawn_as_one(_compare_frame(curves))
    assert [schemes for schemes, _ in found] == [("normal_0.01", "normal_1"),
                                                  ("xavier_normal", "he_normal", "orthogonal")]  # a chain is one
    assert found[0][1] == pytest.approx(10 ** (0.9 * line)) and found[1][1] == pytest.approx(10 ** (1.2 * line))
    apart = {"normal_0.01": base, "normal_1": base * 10 ** (1.1 * line)}
    assert charts.drawn_as_one(_compare_frame(apart)) == []


def test_a_line_under_the_page_s_own_thick_line_is_drawn_as_one_with_it_where_it_shows_a_pixel_past_its_edge():
    """The page's own scheme is CURRENT_STROKE px wide over the others' COMPARE_STROKE: a line beneath whose centre
    lies within (7 - 3) / 2 + 1 = 3 px of its centre shows at most a pixel past its edge (step 6's batch norm, 2 px
    under He's); two thin lines so far apart show side by side."""
    base = np.geomspace(0.5, 2e-6, 11)  # an axis of 6 decades
    pixel = 6 / charts.COMPARE_HEIGHT  # decades
    assert charts.hidden_offset(charts.CURRENT_STROKE) == pytest.approx(3) and charts.HIDDEN_OFFSET == pytest.approx(1)
    for offset, hidden in ((2.9, True), (3.1, False)):
        curves = {"normal_0.01": base, "he_normal": base * 10 ** (offset * pixel)}
        assert bool(charts.drawn_as_one(_compare_frame(curves, current="he_normal"))) == hidden, offset
        assert bool(charts.drawn_as_one(_compare_frame(curves, current="normal_0.01"))) == hidden, offset
        assert charts.drawn_as_one(_compare_frame(curves)) == [], offset  # neither is the page's own


def test_lines_whose_edges_meet_all_along_are_named_as_touching_and_no_others():
    """Two thin lines (COMPARE_STROKE, 3 px) whose centres lie within 3 px of each other at every layer touch, no
    background between them, and read as one thick line (step 2's He and batch norm, 2 px apart); beside the page's
    own line (CURRENT_STROKE, 7 px), within 5 px. Lines drawn as one are that, not touching; further apart, neither.
    Each group comes with its largest ratio of stds at a layer, and names each line by the schemes drawn as one
    there: a line hidden under another and a third touching both are two lines, not three."""
    base = np.geomspace(0.5, 2e-6, 11)  # an axis of 6 decades
    pixel = 6 / charts.COMPARE_HEIGHT  # decades
    assert charts.touching_offset(charts.COMPARE_STROKE) == pytest.approx(3)
    assert charts.touching_offset(charts.CURRENT_STROKE) == pytest.approx(5)
    for current, cases in ((None, ((0.9, "hidden"), (2.9, "touching"), (3.1, None))),
                           ("he_normal", ((2.9, "hidden"), (4.9, "touching"), (5.1, None)))):
        for offset, drawn in cases:
            curves = {"normal_0.01": base, "he_normal": base * 10 ** (offset * pixel)}
            frame = _compare_frame(curves, current=current)
            ratio = pytest.approx(10 ** (offset * pixel))
            assert charts.drawn_as_one(frame) == ([(("normal_0.01", "he_normal"), ratio)] if drawn == "hidden"
                                                  else []), (current, offset)
            assert charts.drawn_touching(frame) == ([((("normal_0.01",), ("he_normal",)), ratio)]
                                                    if drawn == "touching" else []), (current, offset)
    # two schemes drawn as one (0.5 px apart) and a third 2.5 px from the first, 2 px from the second: two lines touch
    curves = {"normal_0.01": base, "xavier_normal": base * 10 ** (0.5 * pixel), "he_normal": base * 10 ** (2.5 * pixel)}
    frame = _compare_frame(curves)
    assert charts.drawn_as_one(frame) == [(("normal_0.01", "xavier_normal"), pytest.approx(10 ** (0.5 * pixel)))]
    assert charts.drawn_touching(frame) == [((("normal_0.01", "xavier_normal"), ("he_normal",)),
                                             pytest.approx(10 ** (2.5 * pixel)))]
    # a chain of three thin lines 2 px apart: the first and the last touch through the middle one
    chain = _compare_frame({s: base * 10 ** (2 * i * pixel) for i, s in enumerate(("zeros", "normal_1", "orthogonal"))})
    assert charts.drawn_touching(chain) == [((("zeros",), ("normal_1",), ("orthogonal",)),
                                             pytest.approx(10 ** (4 * pixel)))]


@pytest.mark.slow
def test_the_width_drawn_as_one_is_the_compare_chart_s_own():
    frame = _compare_frame({"normal_0.01": np.geomspace(1.0, 1e-6, 11), "he_normal": np.ones(11)})
    spec = charts.compare_chart(frame, title="t", y_title="y", layer_title="l", scheme_title="s",
                                underflow_label="u").to_dict()
    assert spec["height"] == charts.COMPARE_HEIGHT and spec["autosize"]["type"] == "fit-x"  # the plot's own height
    widths = {layer["mark"].get("strokeWidth") for layer in layers_of(spec) if layer["mark"]["type"] == "line"}
    assert widths == {charts.COMPARE_STROKE, charts.CURRENT_STROKE}  # the others' lines, and the page's own over them


# ---------- every chart's labels inside it ----------

ALIGN = {"left": 0.0, "center": 0.5, "right": 1.0}  # the share of a text's width left of its anchor


def text_extents(spec: dict, role: str = "mark") -> tuple[float, list[dict]]:
    """The chart's width as Vega lays it out (vl_convert's scenegraph, the page's Vega) and each text of `role`'s
    (a text mark's, "mark"; a legend label's, "legend-label") horizontal extent in it, px from the chart's left
    edge: generous_width at its font size, at most its limit (past it Vega writes "…"), one font size for an
    upright text; with the plot (its group's span) it is in."""
    graph = vl_convert.vegalite_to_scenegraph(spec)
    found = []

    def walk(node, x: float, plot: tuple[float, float]) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, x, plot)
        elif isinstance(node, dict) and node.get("marktype") == "group":
            for item in node["items"]:
                left = x + item.get("x", 0)
                walk(item.get("items", []), left, (left, left + item.get("width", 0)))
        elif isinstance(node, dict) and node.get("marktype") == "text" and node.get("role") == role:
            for item in node["items"]:
                size = item.get("fontSize", 11)
                lines = item["text"] if isinstance(item["text"], list) else [item["text"]]
                width = min(max(generous_width(str(line), size) for line in lines), item.get("limit") or np.inf)
                width = size if item.get("angle", 0) % 180 else width
                left = x + item.get("x", 0) + item.get("dx", 0) - width * ALIGN[item.get("align", "center")]
                found.append({"text": item["text"], "align": item.get("align", "center"), "left": left,
                              "right": left + width, "plot": plot})
        elif isinstance(node, dict):
            walk([value for value in node.values() if isinstance(value, (dict, list))], x, plot)

    walk(graph["scenegraph"], graph.get("origin", [0, 0])[0], (0, graph["width"]))
    return graph["width"], found


def label_charts(lang: str) -> dict[str, dict]:
    """Every chart with text marks beside its data, as the page builds it: the Training tab's loss and accuracy
    (their guide lines' labels) at a phone's column (330 px) and a laptop's (700 px), and the Theory tab's map
    with its schemes' labels, from a narrow plot to a laptop's."""
    frame = race_frame()
    specs = {f"{name}-{width}": {**chart.to_dict(), "width": width} for width in (330, 700) for name, chart in (
        ("loss", training_view.loss_chart(frame, lang, 3)),
        ("accuracy", training_view.accuracy_chart(frame, lang, 3, ceiling=0.62)))}
    grid = theory.phase_map("tanh")
    for sigma_w2, width in ((0.05, 200), (1.0, 330), (4.0, 550)):  # this network's mark left, middle and right
        specs[f"map-{sigma_w2}-{width}"] = {**theory_view.map_chart(
            theory_view.map_frame(grid), theory_view.critical_frame(grid),
            theory_view.marks_frame(500, sigma_w2, 0.0, lang), lang=lang, title="t").to_dict(), "width": width}
    return specs


def words_after_names(lang: str, key: str) -> str:
    """A Compare caption's words between the schemes' names and the first number after them (its decades or its
    gap), which tell the kind of caption whatever the numbers: " are drawn on top of each other: on this axis of "."""
    said = t(lang, key, names="\x00", apart="\x01", decades="\x01").split("\x00")[1].split("\x01")[0]
    assert said.strip(), said
    return said


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compare_tab_names_the_lines_one_hides_and_only_those(lang):
    """Step 9's residual stream under N(0, 0.01²) and N(0, 0.01²) + batch norm (the tab's picks): within 0.01 % at
    every layer, one line on the tab's 8 decades, and the tab says so, with the decades its axis spans; that line and
    Xavier's and He's (also drawn as one) touch, two lines named by their schemes, not four. Step 2's He
    and batch norm, 15 % apart (their centres about 2 px apart, the lines 3 px wide), show as two lines that touch:
    the tab does not say one hides the other, and says they touch."""
    from tests.app_support import open_app, open_tab
    at = open_tab(open_app(step="9", lang=lang), "compare", lang)
    assert not at.exception
    network, hidden = tour.step_config("9"), ("normal_0.01", "normal_0.01+bn")
    stds = np.stack([simulate(tour.scheme_config(network, s)).stats["act_std"][1:] for s in hidden])
    ratio = float(np.max(stds.max(axis=0) / stds.min(axis=0)))  # below 1.0001
    names = [charts.scheme_name(s, lang) for s in hidden]
    spec = next(json.loads(c.proto.spec) for c in at.get("vega_lite_chart")
                if title_text(json.loads(c.proto.spec)) == t(lang, "chart_compare"))
    low, high = {tuple(layer["encoding"]["y"]["scale"]["domain"]) for layer in spec["layer"]
                 if layer.get("encoding", {}).get("y", {}).get("scale", {}).get("type") == "log"}.pop()
    expected = t(lang, "compare_one_line", names=join(lang, names), apart=format_share(ratio - 1),
                 decades=format_value(np.log10(high / low)))  # the axis the page draws: 8 decades
    assert [c.value for c in at.caption if c.value == expected] == [expected]
    # that line touches Xavier's and He's, themselves drawn as one: two lines touch, each named by its schemes
    lines = (hidden, ("xavier_normal", "he_normal"))
    stds = np.stack([simulate(tour.scheme_config(network, s)).stats["act_std"][1:] for line in lines for s in line])
    touching = t(lang, "compare_touching", names=join(lang, ["“" + " / ".join(
        charts.scheme_name(s, lang) for s in line) + "”" for line in lines]),
        apart=format_share(float(np.max(stds.max(axis=0) / stds.min(axis=0))) - 1),
        decades=format_value(np.log10(high / low)))
    said = words_after_names(lang, "compare_touching")
    assert [c.value for c in at.caption if said in c.value] == [touching]
    at = open_tab(open_app(step="2", lang=lang), "compare", lang)
    said = words_after_names(lang, "compare_one_line")
    assert not at.exception and not [c.value for c in at.caption if said in c.value]
    # ...but touch all along, and the tab says that, with the gap the networks make (14.7 %)
    touching = ("he_normal", "normal_0.01+bn")
    stds = np.stack([simulate(tour.scheme_config(tour.step_config("2"), s)).stats["act_std"][1:] for s in touching])
    ratio = float(np.max(stds.max(axis=0) / stds.min(axis=0)))
    spec = next(json.loads(c.proto.spec) for c in at.get("vega_lite_chart")
                if title_text(json.loads(c.proto.spec)) == t(lang, "chart_compare"))
    low, high = {tuple(layer["encoding"]["y"]["scale"]["domain"]) for layer in spec["layer"]
                 if layer.get("encoding", {}).get("y", {}).get("scale", {}).get("type") == "log"}.pop()
    # each line in quotes, a single scheme's too: "+ batch norm and He" had read as one name
    expected = t(lang, "compare_touching", names=join(lang, [f"“{charts.scheme_name(s, lang)}”" for s in touching]),
                 apart=format_share(ratio - 1), decades=format_value(np.log10(high / low)))
    assert [c.value for c in at.caption if c.value == expected] == [expected]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", [330, 700])
def test_every_scheme_s_legend_label_stays_inside_its_chart(lang, width):
    """The Training tab's and the Compare tab's legends name five schemes, wider than a phone's column in one row:
    at a phone's column (330 px) the entries stack in as many columns as fit (charts.legend_columns), at a laptop's
    (700 px) they stay in one or two rows; every label inside the chart."""
    frame = race_frame(("zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal"))
    compare = _compare_frame({s: np.geomspace(1.0, 0.1 * (i + 1), 11) for i, s in enumerate(
        ("normal_0.01", "normal_1", "xavier_normal", "he_normal", "normal_0.01+bn"))})
    specs = {"loss": training_view.loss_chart(frame, lang, 3), "accuracy": training_view.accuracy_chart(
        frame, lang, 3, ceiling=0.62), "compare": charts.compare_chart(
        compare, title="t", y_title="y", layer_title="l", scheme_title=t(lang, "scheme"),
        underflow_label=t(lang, "mark_underflow"))}
    for name, chart in specs.items():
        drawn, labels = text_extents({**chart.to_dict(), "width": width}, role="legend-label")
        assert len(labels) >= 4, name  # the schemes were found
        for label in labels:
            assert 0 <= label["left"] and label["right"] <= drawn, (name, label, drawn)
        assert drawn <= width + 80, (name, drawn)  # the plot's width and its y axis: no legend widens the chart


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_stays_inside_its_chart(lang):
    """The loss chart's "ln 3：随机猜测" was cut: every text mark is inside its chart, and one written from a plot's
    edge inwards (left- or right-aligned, as the guide lines' labels at the plot's right end) inside its plot too,
    in both languages, at a phone's width and a laptop's."""
    for name, spec in label_charts(lang).items():
        width, labels = text_extents(spec)
        assert labels, name  # the chart's labels were found
        for label in labels:
            assert 0 <= label["left"] and label["right"] <= width, (name, label, width)
            if label["align"] != "center":
                assert label["plot"][0] - 1 <= label["left"] and label["right"] <= label["plot"][1] + 1, (name, label)


# ---------- presenter mode's glitches: hairline bars, a curve above the top tick ----------

@pytest.mark.slow
@pytest.mark.parametrize("panel", [charts.PANEL, (70, 56), present.PRESENT_PANEL])  # the tab's, Beside's, presenter's
@pytest.mark.parametrize("activation, init, std", [("tanh", "zeros", 1.0), ("relu", "he_normal", 1.0),
                                                   ("tanh", "normal", 1.0)])
def test_a_bar_that_is_no_bin_is_drawn_at_least_min_bar_px_wide(activation, init, std, panel):
    """Step 1's exact zeros, all of every layer, were a hairline one bin (2 px) wide: every bar that is no bin (the
    zeros, the values past the range, a cut end bin) is at least charts.MIN_BAR_PX wide in Vega's scenegraph, about
    its own middle; the bins keep their own width, side by side."""
    result = simulate(Config(depth=4, width=50, batch=100, activation=activation, init=init, std=std))
    frame = charts.histogram_frame(result, "en")
    width, height = panel
    spec = charts.histogram_chart(frame, colour="#123456", title="h", share_title="s", panel_width=width,
                                  panel_height=height).to_dict()
    lo, hi = charts.x_domain(*charts.layout("histogram", frame, panel_width=width)[1:3])
    px = width / (hi - lo)  # px a unit of x
    bars = [item for node, _, _ in scene_marks(vl_convert.vegalite_to_scenegraph(spec))
            if node["marktype"] == "rect" and node.get("role") == "mark" for item in node["items"]
            if (item.get("height") or 0) > 0]
    others = [item for item in bars if item["fill"] == charts.SPIKE_COLOUR]
    spans = frame.loc[(frame["kind"] != "bin") & (frame["bar"] > 0), ["start", "end"]].to_numpy()
    assert len(others) == len(spans) > 0  # one grey bar for each bar of the frame that is no bin
    for item in others:
        assert item["width"] >= charts.MIN_BAR_PX - 1e-6, item
        middle = (item["x"] + item["width"] / 2) / px + lo  # in x's units
        assert min(abs(middle - (a + b) / 2) for a, b in spans) <= 1 / px, (item, spans)  # Vega's half-pixel offset
    bins = [item["width"] for item in bars if item["fill"] == "#123456"]  # none where every value is exactly 0
    assert len(bins) == (frame["kind"] == "bin").mul(frame["bar"] > 0).sum()
    for bin_width in bins:  # as wide as its own range, narrower than MIN_BAR_PX here
        assert bin_width == pytest.approx((result.hist_edges[1] - result.hist_edges[0]) * px, abs=0.05)
        assert bin_width < charts.MIN_BAR_PX


def highest_point_and_top_tick(spec: dict) -> tuple[float, float]:
    """The y (px, down) of the highest measured point drawn and of the top horizontal gridline (a tick's)."""
    graph = vl_convert.vegalite_to_scenegraph(spec)  # drawn once, read for both
    points = [y + item["y"] for node, _, y in scene_marks(graph) if node["marktype"] == "symbol"
              and node.get("role") == "mark" for item in node["items"]]
    _, grid = y_labels_and_grid(spec, graph)
    return min(points), min(grid)


# Plot sizes (width, height, px) presenter mode's std chart is laid out at, which the screen decides
# (present.FIT_CHARTS): a side of the longest pair on 1280 x 720, a short story's side, a single step on 1280 x 720,
# a side on 1920 x 1080 and a single step there.
PRESENTER_PLOTS = ((430, 35), (430, 170), (330, 140), (720, 410), (500, 600))


@pytest.mark.slow
@pytest.mark.parametrize("step", list(tour.STEPS))
def test_a_linear_std_axis_ends_on_a_tick_at_or_above_the_data(steps, step):
    """Step 10's measured std (0.125) ran above its highest tick (0.1): Vega made the domain nice to 10 ticks (0.13)
    and drew 4. At every step, at the page's plot size and at presenter mode's (PRESENTER_PLOTS), alone and on a
    shared axis (Beside's y_max), the top gridline is at or above the highest point (1 px: a gridline sits on the half
    pixel)."""
    frame = charts.series_frame(charts.layer_frame(steps[step]), "act_std", "predicted_act_std",
                                NAMES)
    for y_max in (None, float(frame["value"].max())):
        spec = charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=False, names=NAMES,
                                 layer_title="layer", y_max=y_max).to_dict()
        for size in (None, *PRESENTER_PLOTS):
            sized = {**spec, "width": 500} if size is None else {**spec, "width": size[0], "height": size[1],
                                                                 "autosize": {"type": "pad"}}
            point, tick = highest_point_and_top_tick(sized)
            assert tick <= point + 1, (step, size, y_max, point, tick)


def presenter_std_spec(size: float, text_scale: str, width: int, height: int) -> dict:
    """Step 6's std chart as presenter mode draws it (present.typed's config, its text `size` px), its plot `width` x
    `height` px, its y axis's ticks apart by text_scale (charts.y_ticks)."""
    frame = charts.series_frame(charts.layer_frame(simulate(tour.step_config("6"))), "act_std", "predicted_act_std",
                                NAMES)
    spec = charts.line_chart(frame, colour="#4477AA", title="t", y_title="std", log=False, names=NAMES,
                             layer_title="layer", size=size, text_scale=text_scale).to_dict()
    return charts.coloured(with_config({**spec, "width": width, "height": height, "autosize": {"type": "pad"}},
                                       present.typed(present.PRESENT_CONFIG, size)), None)


@pytest.mark.slow
@pytest.mark.parametrize("size", [present.PAIR_STD_TYPE, present.BODY_PX])
def test_presenter_modes_std_chart_made_without_a_window_keeps_its_own_type(size):
    """present.typed grows the std chart's text with the browser's window (windowSize); where there is none (a file
    vl_convert makes on the server) its axes' and legend's text is its own `size` px and its title the theme's step
    above, not a size of no number."""
    sizes = {(str(node.get("role", "")).split("-")[0], item["fontSize"])
             for node, _, _ in scene_marks(vl_convert.vegalite_to_scenegraph(presenter_std_spec(size, "1", 400, 200)))
             if node["marktype"] == "text" for item in node["items"] if item.get("text")}
    assert sizes == {("axis", size), ("legend", size), ("title", size + charts.TITLE_SIZE - charts.LABEL_SIZE)}, sizes


@pytest.mark.slow
@pytest.mark.parametrize("step_plot", [(330, 140), (395, 233), (500, 410)])
def test_presenter_modes_std_axis_on_a_grown_screen_is_the_laptop_s_axis_grown(step_plot):
    """On a 1920 x 1080 screen (text 1.5 times its size) the std axis took a tick a 40 px as on a 1280 x 720 one, its
    28.5 px labels only just apart: where a taller plot took a tick more, Vega's greedy pass hid every second label,
    the top one with it, and the title was laid out above the chart's box (step 6). With the ticks apart by the text's
    scale (charts.y_ticks), the grown chart's y axis writes the labels the small one writes, at each of presenter
    mode's plot sizes on 1280 x 720 (a single step's, a tall one's, a side's)."""
    width, height = step_plot
    labels = [sorted(y_labels_and_grid({}, vl_convert.vegalite_to_scenegraph(presenter_std_spec(
        present.BODY_PX * scale, str(scale), round(width * scale), round(height * scale))))[0], key=float)
        for scale in (1, 1.5)]
    assert labels[0] == labels[1] and len(labels[0]) >= 3, labels


@pytest.mark.slow
@pytest.mark.parametrize("step", ["2", "10"])
def test_the_mean_charts_layer_axis_ends_at_the_last_layer_as_the_std_charts_does(steps, step):
    """Step 10's mean chart numbered its layer axis up to 65 of 64 layers (Vega's rounding), by the std chart's 64."""
    result = steps[step]
    layers = charts.layer_frame(result)
    mean = charts.mean_chart(layers, colour="#4477AA", title="m", y_title="mean", layer_title="layer").to_dict()
    std = charts.line_chart(charts.series_frame(layers, "act_std", "predicted_act_std", NAMES), colour="#4477AA",
                            title="s", y_title="std", log=False, names=NAMES, layer_title="layer").to_dict()
    ends = [max(float(label["text"]) for label in step_axis({**spec, "width": 500})[0] if label["shown"])
            for spec in (mean, std)]
    assert ends[0] == ends[1] <= result.config.depth, ends


# A linear axis's data, and the style its every tick label takes: plain decimals, or m × 10ᵉ
LINEAR_AXES = {"step 4's means, -0.001 to 0.0025": ([-0.001, 0.0002, 0.0025], "plain"),
               "means under the plain range": ([-2e-5, 1e-5, 3e-5], "powers"),
               "a std past it": ([0.0, 12_000.0, 48_000.0], "powers"),
               "a std within it": ([0.0, 0.4, 1.2], "plain")}


@pytest.mark.slow
@pytest.mark.parametrize("values, style", LINEAR_AXES.values(), ids=LINEAR_AXES.keys())
def test_a_linear_axis_writes_every_tick_in_one_style(values, style):
    """Step 4's mean axis had read "5 × 10⁻⁴" beside "−0.001": each tick was written by the page's rule for one
    number. A linear axis's ticks (as Vega lays them out) are now all plain decimals where they reach the plain range,
    all in powers of ten where they stay under it or pass its top; each label reads back as its tick's value."""
    layers = pd.DataFrame({"layer": range(len(values)), "act_mean": values, "act_mean_text": [""] * len(values)})
    mean = charts.mean_chart(layers, colour="#4477AA", title="m", y_title="mean", layer_title="layer").to_dict()
    frame = pd.DataFrame({"layer": range(len(values)), "value": values, "series": "measured", "value_text": ""})
    std = charts.line_chart(frame, colour="#4477AA", title="s", y_title="std", log=False, names=NAMES,
                            layer_title="layer").to_dict()
    for spec in (mean, std) if min(values) >= 0 else (mean,):
        labels = [text for text in y_labels_and_grid({**spec, "width": 400, "height": 240})[0] if text != "0"]
        assert len(labels) >= 2, labels
        powers = ["10" in text and ("×" in text or text.lstrip("−").startswith("10")) for text in labels]
        assert powers == [style == "powers"] * len(labels), labels
        for text in labels:  # a plain label is the tick's decimal; a power's mantissa and exponent are the tick's
            number = text.replace("−", "-").replace(",", "").replace("\u00a0", "")
            if style == "powers":
                mantissa, _, power = number.rpartition("×")
                exponent = int(power.split("10", 1)[1].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
                number = float(mantissa or (-1 if number.startswith("-") else 1)) * 10.0 ** exponent
            assert math.isfinite(float(number)), text


def log_y_axes(spec: dict) -> list[dict]:
    """The y axes of a chart's log-scaled layers (and of the chart itself), each once per label style and ticks."""
    views = [spec, *spec.get("layer", [])]
    return [view["encoding"]["y"]["axis"] for view in views
            if view.get("encoding", {}).get("y", {}).get("scale", {}).get("type") == "log"]


@pytest.mark.slow
@pytest.mark.parametrize("code", tour.STEP_CODES)
def test_the_gradients_tab_s_two_log_axes_write_their_ticks_in_one_style(code):
    """Step 3's gradient std axis read 10⁻¹ … 10⁵ beside the update ratio's 0.001 … 1,000: the two charts read side
    by side write their ticks in one style, powers of ten where any tick of either lies outside the plain range
    (number_writing.PLAIN)."""
    from tests.app_support import open_app, open_tab
    at = open_tab(open_app(step=code), "gradients", "en")
    assert not at.exception
    drawn = [log_y_axes(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]
    assert len(drawn) == 2 and all(drawn)  # the two charts, each with its log axis
    axes = [axis for chart in drawn for axis in chart]
    (style,) = {axis["labelExpr"] for axis in axes}
    low, high = PLAIN
    powers = any(not low <= tick < high for axis in axes for tick in axis["values"])
    assert (style == charts.POWER_LABEL) == powers and style in (charts.POWER_LABEL, charts.NUMBER_LABEL)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("std", [1.0, 30.0])  # at 30, sigmoid's float32 values underflow to exactly 0
def test_the_grey_end_bars_are_the_saturated_share(activation, std):
    """Step 3's two grey end bars said 46.6 % and 46.4 % (93.0 %) beside its 92.6 % saturated. Each layer's two end
    bins, as the panels draw them, now add up to the layer's saturated share; sigmoid's values past its end bins'
    outer edges (below 0.0104, above 0.9896) stay in them, past the rule's 0.03 and 0.97, not a bar of their own."""
    config = Config(depth=3, width=60, batch=200, activation=activation, init="normal", std=std)
    result = simulate(config)
    frame = charts.histogram_frame(result, "en")
    assert not frame["kind"].isin(["under", "over", "zero"]).any()  # sigmoid's float32 zeros: saturated too
    if activation == "sigmoid":
        assert result.hist_beyond[1:].any()  # values beyond the edges, counted in the end bins
    for layer, rows in frame.groupby("layer"):
        bins = rows[rows["kind"].isin(["bin", "end"])].sort_values("start")
        assert bins["share"].iloc[[0, -1]].sum() == pytest.approx(result.stats["saturated"][layer], abs=1e-12), layer


@pytest.mark.parametrize("activation, residual, ticks", [
    ("tanh", False, [-1.0, 0.0, 1.0]), ("sigmoid", False, [0.0, 0.5, 1.0]), ("relu", False, [0.0, 1.5, 3.0]),
    ("tanh", True, [-3.0, 0.0, 3.0])])
def test_a_histogram_s_x_axis_names_f_s_bounds_and_a_stream_s_tails_stay_bars_of_their_own(activation, residual,
                                                                                            ticks):
    """tanh's bins reach ±1.0104, so that its end bins start at the saturation rule's ±0.97: its axis's ticks stay
    at −1, 0 and 1, where its values are bounded (sigmoid's at 0, 0.5 and 1), and an unbounded f's at its range's
    ends and middle. A residual stream is no f's output: its histogram keeps its own range, its values past ±3 bars
    of their own outside it, none of its bins an f's flat end."""
    config = Config(depth=3, width=60, batch=200, activation=activation, init="he_normal", residual=residual)
    result = simulate(config)
    frame = charts.histogram_frame(result, "en")
    spec = charts.histogram_chart(frame, colour="#4477AA", title="h", share_title="s", columns=3).to_dict()
    x = spec["spec"]["layer"][0]["encoding"]["x"]
    assert x["axis"]["values"] == ticks
    low, high = x["scale"]["domain"]
    assert low <= ticks[0] and high >= ticks[-1]
    if residual:
        assert result.hist_beyond[1:].any() and frame["kind"].isin(["under", "over"]).any()
        assert not (frame["kind"] == "end").any()
