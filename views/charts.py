"""Altair chart builders (DataFrame in, alt.Chart out) and the small frames they draw; no streamlit import.

Colours: Paul Tol's "bright" qualitative palette, safe for the common colour-vision deficiencies and of
middle lightness, so it reads on white, on Streamlit's dark theme and on a washed-out projector. Each
Compare scheme owns one colour, and a configuration is drawn in the colour of the scheme it belongs to.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from .text import t

SCHEME_COLOURS = {
    "normal_0.01": "#4477AA",  # blue: too small
    "normal_1": "#EE6677",  # red: too large
    "xavier_normal": "#228833",  # green
    "he_normal": "#CCBB44",  # yellow
    "normal_0.01+bn": "#AA3377",  # purple
    "orthogonal": "#66CCEE",  # cyan
    "zeros": "#BBBBBB",  # grey
}
GUIDE_COLOUR = "#999999"  # mid grey: visible on light and dark backgrounds
THEORY_COLOUR = "#777777"  # the dashed theory curve, a neutral grey that no scheme uses
LABEL_SIZE, TITLE_SIZE = 15, 17  # big enough for the back row of a lecture hall
HEIGHT = 300
MAX_PANELS = 10  # histogram small multiples, like the lecture's figure of ten layers


# ---------- frames ----------

def layer_frame(result) -> pd.DataFrame:
    """One row per layer (0 = input) with every statistic; NaN where undefined."""
    frame = pd.DataFrame(result.rows())
    return frame.astype({c: float for c in frame.columns if c not in ("layer", "exploded", "vanished")})


def series_frame(layers: pd.DataFrame, measured: str, theory: str | None, names: dict[str, str],
                 first_layer: int = 0) -> pd.DataFrame:
    """Long frame (layer, series, value) of a measured column and its theory, finite values only."""
    parts = []
    for column, series in ((measured, names["measured"]), (theory, names["theory"])):
        if column is None:
            continue
        part = layers.loc[layers["layer"] >= first_layer, ["layer", column]].rename(columns={column: "value"})
        part["series"] = series
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    return frame[np.isfinite(frame["value"])].reset_index(drop=True)


def panel_layers(depth: int, max_panels: int = MAX_PANELS) -> tuple[list[int], int]:
    """The layers the histograms show, every k-th ending at the last one, like the lecture's figure; and k.

    The input is not among them: the bins span the activation's range (tanh's [-1, 1]), which the
    standard-normal input overflows.
    """
    k = max(1, math.ceil(depth / max_panels))
    return list(range(depth, 0, -k))[::-1], k


def histogram_frame(result, lang: str, max_panels: int = MAX_PANELS) -> pd.DataFrame:
    """Long frame (panel, layer, start, end, share) for the histogram panels; layers past a break are left out.

    Each panel is titled with the message "panel" in `lang` ("layer 3").
    """
    layers, _ = panel_layers(result.config.depth, max_panels)
    edges = result.hist_edges
    rows = []
    for layer in layers:
        counts = result.hist_counts[layer]
        total = counts.sum()
        if total == 0 or not np.isfinite(result.stats["act_std"][layer]):
            continue
        panel = t(lang, "panel", n=layer)
        rows.append(pd.DataFrame({"panel": panel, "layer": layer, "start": edges[:-1], "end": edges[1:],
                                  "share": counts / total}))
    return pd.concat(rows, ignore_index=True)


def compare_frame(results: dict) -> pd.DataFrame:
    """Long frame (scheme, layer, act_std) over the Compare schemes, in the order given."""
    parts = [pd.DataFrame({"scheme": scheme, "layer": np.arange(r.config.depth + 1), "act_std": r.stats["act_std"]})
             for scheme, r in results.items()]
    return pd.concat(parts, ignore_index=True)


# ---------- charts ----------
# Every builder draws from the one frame it is given, and anything that depends on the data's values (log
# ticks, panel order, colour domain) comes from layout(), so a built chart can serve as a template for new
# data with the same layout (see template() and with_data()).

def theme(chart: alt.TopLevelMixin, **legend) -> alt.TopLevelMixin:
    """The page's one chart theme, for every tab's charts: projector-size fonts (LABEL_SIZE, TITLE_SIZE), the
    legend below with its lines as thick as the curves, titles at the left; colours of text and grid are left to
    the Streamlit theme (light or dark). legend: more of Vega-Lite's legend settings for one chart."""
    return (
        chart.configure_axis(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE)
        .configure_legend(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE, symbolStrokeWidth=3, orient="bottom",
                          **legend)
        .configure_title(fontSize=TITLE_SIZE, anchor="start")
        .configure_header(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE)
    )


def decades(values) -> tuple[tuple[float, ...], tuple[float, float]]:
    """Tick values at whole powers of ten (at most ~9 of them) and the domain they span, for a log axis."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (0.1, 1.0), (0.1, 1.0)
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    if hi == lo:
        lo -= 1
    step = max(1, math.ceil((hi - lo) / 8))
    return tuple(10.0**e for e in range(lo, hi + 1, step)), (10.0**lo, 10.0**hi)


def _log_y(field: str, title: str, ticks: tuple) -> alt.Y:
    values, domain = ticks
    return alt.Y(field).title(title).scale(type="log", domain=list(domain), nice=False).axis(
        values=list(values), format=".0e")


def _x_layer(title: str) -> alt.X:
    return alt.X("layer:Q").title(title).axis(tickMinStep=1, format="d")


def layout(kind: str, frame: pd.DataFrame, **options) -> tuple:
    """What of a chart's spec depends on the data's values; charts with equal layouts differ only in data."""
    if kind == "line":
        return decades(frame["value"]) if options.get("log") else ()
    if kind == "histogram":
        return tuple(dict.fromkeys(frame["panel"])), float(frame["start"].min()), float(frame["end"].max())
    if kind == "ratio":
        return decades([*frame["grad_data_ratio"], options.get("guide", 1e-3)])
    if kind == "compare":
        return tuple(dict.fromkeys(frame["scheme"])), decades(frame["act_std"])
    return ()


def line_chart(frame: pd.DataFrame, *, colour: str, title: str, y_title: str, log: bool, names: dict[str, str],
               layer_title: str, series_title: str = "curve") -> alt.LayerChart:
    """Measured values per layer (solid, with points) and the theory (dashed grey, on top); log or linear y.

    frame: series_frame(); rows with value <= 0 are left out on a log axis. The tooltip names each field
    with the axis titles.
    """
    series = [names["measured"], names["theory"]]
    y = _log_y("value:Q", y_title, layout("line", frame, log=True)) if log else \
        alt.Y("value:Q").title(y_title).axis(format="~g")
    base = alt.Chart(frame).encode(
        _x_layer(layer_title),
        y,
        # the legend draws each series as its line, solid or dashed, not as the measured layer's dot
        alt.Color("series:N").title(None).scale(domain=series, range=[colour, THEORY_COLOUR]).legend(
            symbolType="stroke", symbolSize=400),
        alt.StrokeDash("series:N").title(None).scale(domain=series, range=[[1, 0], [7, 5]]),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("value:Q", format=".4~g", title=y_title)],
    )
    if log:
        base = base.transform_filter(alt.datum.value > 0)
    measured = base.transform_filter(alt.datum.series == names["measured"])
    theory = base.transform_filter(alt.datum.series == names["theory"])
    # the theory is drawn last, dashed and thinner, so it stays visible where it matches the measurement
    chart = alt.layer(measured.mark_line(strokeWidth=4), measured.mark_point(filled=True, size=90, opacity=1),
                      theory.mark_line(strokeWidth=2.5))
    return theme(chart.properties(title=title, height=HEIGHT, width="container"))


def mean_chart(frame: pd.DataFrame, *, colour: str, title: str, y_title: str, layer_title: str) -> alt.LayerChart:
    """The activation mean per layer, measured only (the wide-network theory of a mean is 0 for odd f).

    frame: layer_frame().
    """
    base = alt.Chart(frame).encode(
        _x_layer(layer_title),
        alt.Y("act_mean:Q").title(y_title).axis(format="~g"),
        tooltip=[alt.Tooltip("layer:Q", title=layer_title), alt.Tooltip("act_mean:Q", format=".4~g", title=y_title)],
    )
    chart = base.mark_line(color=colour, strokeWidth=3) + base.mark_point(color=colour, filled=True, size=80)
    return theme(chart.properties(title=title, height=HEIGHT, width="container"))


def histogram_chart(frame: pd.DataFrame, *, colour: str, title: str, share_title: str, columns: int = 5,
                    panel_width: int = 150, panel_height: int = 110, layer_title: str = "layer",
                    bin_titles: tuple[str, str] = ("bin from", "bin to")) -> alt.FacetChart:
    """The lecture's figure: one histogram per layer, same x axis in every panel, each panel's own y.

    frame: histogram_frame(). The panels have no y axis: each is scaled to its own tallest bar (the tooltip
    gives the exact share), which keeps five panels in a row within a laptop's width. Each panel has its own
    x axis (same scale), so a last row that is not full still reads.
    """
    order, lo, hi = layout("histogram", frame)
    pad = 0.04 * (hi - lo)  # keeps a saturated end bin apart from the panel's edge
    chart = alt.Chart(frame).mark_bar(color=colour, binSpacing=0).encode(
        alt.X("start:Q").bin("binned").title(None).scale(domain=[lo - pad, hi + pad], nice=False).axis(
            values=[lo, (lo + hi) / 2, hi], format="~g"),
        alt.X2("end:Q"),
        alt.Y("share:Q").title(share_title).axis(None),
        tooltip=[alt.Tooltip("panel:N", title=layer_title), alt.Tooltip("start:Q", format=".3~g", title=bin_titles[0]),
                 alt.Tooltip("end:Q", format=".3~g", title=bin_titles[1]),
                 alt.Tooltip("share:Q", format=".2%", title=share_title)],
    ).properties(width=panel_width, height=panel_height)
    faceted = chart.facet(
        alt.Facet("panel:N").sort(list(order)).title(None).header(labelFontSize=LABEL_SIZE, labelFontWeight="bold"),
        columns=columns,
    ).resolve_scale(y="independent").resolve_axis(x="independent").properties(title=title)
    return theme(faceted)


def ratio_chart(frame: pd.DataFrame, *, colour: str, title: str, y_title: str, layer_title: str,
                guide_name: str, guide: float = 1e-3) -> alt.LayerChart:
    """std(dW)/std(W) per layer on a log axis, with a dashed guide line at 1e-3.

    frame: layer_frame(); layers without a positive ratio are left out.
    """
    base = alt.Chart(frame).encode(
        _x_layer(layer_title),
        _log_y("grad_data_ratio:Q", y_title, layout("ratio", frame, guide=guide)),
        tooltip=[alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("grad_data_ratio:Q", format=".3~e", title=y_title)],
    ).transform_filter(alt.datum.grad_data_ratio > 0)
    # one rule from the same data (aggregated to a single row), so the whole chart has one dataset
    rule = alt.Chart(frame).transform_aggregate(rows="count()").mark_rule(
        color=GUIDE_COLOUR, strokeDash=[6, 4], strokeWidth=2).encode(
        alt.Y(datum=guide),
        tooltip=alt.value(f"{guide_name}: {guide:.0e}"),
    )
    chart = alt.layer(base.mark_line(color=colour, strokeWidth=3),
                      base.mark_point(color=colour, filled=True, size=80), rule)
    return theme(chart.properties(title=title, height=HEIGHT, width="container"))


def compare_chart(frame: pd.DataFrame, *, title: str, y_title: str, layer_title: str,
                  scheme_title: str) -> alt.LayerChart:
    """Activation std per layer for several schemes on one log axis, each in its own fixed colour.

    frame: compare_frame(); zero std (all-zero weights) cannot be drawn on a log axis and is left out.
    """
    schemes, ticks = layout("compare", frame)
    base = alt.Chart(frame).encode(
        _x_layer(layer_title),
        _log_y("act_std:Q", y_title, ticks),
        alt.Color("scheme:N").title(scheme_title).scale(
            domain=list(schemes), range=[SCHEME_COLOURS[s] for s in schemes]),
        tooltip=[alt.Tooltip("scheme:N", title=scheme_title), alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("act_std:Q", format=".4~g", title=y_title)],
    ).transform_filter(alt.datum.act_std > 0)
    chart = base.mark_line(strokeWidth=3) + base.mark_point(filled=True, size=80)
    return theme(chart.properties(title=title, height=HEIGHT + 80, width="container"))


BUILDERS = {"line": line_chart, "mean": mean_chart, "histogram": histogram_chart, "ratio": ratio_chart,
            "compare": compare_chart}


# ---------- specs ----------
# Altair's to_dict() reads two process-wide registries: the data transformer, which turns a chart's DataFrame
# into inline values, and the theme. st.altair_chart switches both, under a lock of its own, while it
# serializes a chart, and Streamlit serves every session from a thread of one process: a chart serialized
# at that moment by another session would get Streamlit's transformer (its data leaves the spec) and no
# theme. So the page's specs are made without either registry: each frame goes in as named data, and no
# theme is applied, which is what st.altair_chart does too (it switches Altair's default theme off).

MAIN = "main"  # the one dataset of every chart here, under a fixed name
DATASET = "frame-{}"  # vega_lite()'s dataset names; Vega-Lite names its own data "data_0", "source_0", ...


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """A chart as a Vega-Lite dict for st.vega_lite_chart, its "datasets" holding the chart's own DataFrames.

    Made without Altair's global data transformer and theme (see above), so sessions serializing charts at
    once cannot change each other's specs. The datasets are named "frame-0", "frame-1", ... in the order
    the chart's frames are met (one name a frame object): a chart built again from new frames keeps its spec.
    Streamlit sends each frame to the browser as Arrow, as it does for st.altair_chart. The schema check is
    skipped (it is most of the cost); the tests check every chart with Altair's own to_dict().

    Raises TypeError for chart data that is neither a pandas DataFrame nor Altair's own data (which would
    need the global transformer).
    """
    datasets: dict = {}
    named = _named_data(chart, datasets)
    # top_level False: Altair's to_dict then leaves out the theme and the "$schema", added here instead;
    # pre_transform False: no check of the transformer for VegaFusion. Inline values, if any, are put in
    # the datasets given here.
    spec = named.to_dict(validate=False, context={"top_level": False, "pre_transform": False, "datasets": datasets})
    return {"$schema": alt.SCHEMA_URL, **spec, "datasets": datasets}


def _named_data(node, datasets: dict):
    """node with each DataFrame it holds as data replaced by alt.NamedData, the frame put in datasets.

    node is left as it is: the nodes on the way to a frame are copied.
    """
    if isinstance(node, list):
        items = [_named_data(item, datasets) for item in node]
        return items if any(new is not old for new, old in zip(items, node)) else node
    if not isinstance(node, alt.SchemaBase):
        return node
    changed = {}
    for key, value in node._kwds.items():  # an Altair schema object keeps its properties in _kwds
        if key == "data" and isinstance(value, pd.DataFrame):
            name = next((n for n, frame in datasets.items() if frame is value), DATASET.format(len(datasets)))
            datasets[name] = value
            changed[key] = alt.NamedData(name=name)
        elif key == "data" and not (value is alt.Undefined or isinstance(value, (alt.SchemaBase, dict, str))):
            raise TypeError(f"chart data must be a pandas DataFrame, not {type(value).__name__}")
        else:
            new = _named_data(value, datasets)
            if new is not value:
                changed[key] = new
    if not changed:
        return node
    copy = node.copy(deep=False)
    for key, value in changed.items():
        copy[key] = value
    return copy


def template(chart: alt.TopLevelMixin) -> dict:
    """A built chart as a Vega-Lite dict whose one dataset is named MAIN and left empty, for with_data().

    Made by vega_lite(), without Altair's global registries. Raises ValueError unless the chart has exactly
    one dataset, at its top level.
    """
    spec = vega_lite(chart)
    datasets = spec.pop("datasets")
    if list(datasets) != [spec.get("data", {}).get("name")]:
        raise ValueError("a template needs a chart with exactly one top-level dataset")
    spec["data"] = {"name": MAIN}
    return spec


def with_data(spec: dict, frame: pd.DataFrame) -> dict:
    """A template filled with a frame (same columns and layout() as the one it was built from)."""
    return {**spec, "datasets": {MAIN: frame}}
