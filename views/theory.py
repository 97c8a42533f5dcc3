"""The Theory tab's pieces: the order-to-chaos map, measured against predicted gradients, and its words.

Pure: frames in, Altair charts out, no streamlit import. views/tabs/theory.py draws the tab with them: the map
(map_frame, critical_frame, marks_frame into map_chart, coloured by ln chi_1 or by the depth scale), the gradient
std against its prediction (gradient_frame into gradient_chart), here_text, the phases, and paradox_text with the
measured growth when the page's network is the paradox's own (is_paradox_network, any seed).
"""

from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd

from core import Config
from core.activations import recommended_gain
from core.batchnorm import BN_EPS
from core.norms import LN_EPS
from core.initializers import bias_mean, weight_variance
from core.theory import EDGE_RTOL, TRAINABLE_DEPTH_PER_XI, layer_sigma_w2, moments, power_or_inf, trainable_depth
from core.train import LECTURE_RACE, SCHEMES as RACE_SCHEMES

from . import describe
from .charts import GUIDE_COLOUR, LABEL_SIZE, THEORY_COLOUR, decades, log_labels, layer_span, theme, title_lines, \
    layer, scheme_key, written, zero_marks
from .derivation import CLOSE, FAR, LISTED_FACTORS
from .summary import GROW, SHRINK, batch_norm_words, printed_ratio, ratio, saturation_rules, spread
from .number_writing import format_gain, format_range, format_share, format_value
from .text import join, t

X_DOMAIN = (0.1, 5.0)  # sigma_w^2, log axis: from 0.01 randn's neighbourhood to past He and tanh's gain
Y_DOMAIN = (0.0, 1.0)  # sigma_b^2
LOG_CHI1_LIMIT = 3.0  # colours saturate beyond |ln chi_1| = 3, a factor of 20 a layer
XI_LIMIT = 100.0  # depth scales past 100 layers share the top colour
PARADOX_CONFIG = Config(activation="tanh", init="normal", std=1.0)  # the lecture's 1.0 * randn
MEASURED_COLOUR = "#4477AA"  # Paul Tol's blue, as in views.charts
HERE_COLOUR = "#EE6677"  # Paul Tol's red: the one mark that is the user's own
HALO_OPACITY = 0.7  # the labels' white halos over the edge of chaos: the letters read, the curve shows through

# The lecture's schemes (core.train.LECTURE_RACE) as points on the map, all at sigma_b^2 = 0, but zero init, which has
# no sigma_w^2 on its log axis; sigma_w^2 depends on the width. Each is labelled by the message
# "theory_tab.scheme_<charts.scheme_key>", in the lecture's notation ("0.01·randn").
MAP_SCHEMES = tuple(scheme for scheme in LECTURE_RACE if scheme != "zeros")
# ...and the map's activation's own gain on Xavier's scheme (torch.nn.init.calculate_gain: sigma_w^2 = gain^2), labelled
# "theory_tab.scheme_gain", where it is a point of its own: tanh's 5/3 at 25/9, SELU's 3/4 at 0.5625. ReLU's sqrt(2) is
# He's point and sigmoid's 1 Xavier's (within SAME_POINT), and GELU has none: a map marks no other activation's gain.
GAIN = "gain"
SAME_POINT = 0.01


def _number(value, digits: int = 3) -> str:
    """A number in the text as the page writes every number (number_writing.format_value), and ∞ for an infinite one
    (the depth scale at the edge of chaos)."""
    return "∞" if value is not None and math.isinf(value) else format_value(value, digits)


def _range(low: float, high: float) -> dict[str, str]:
    """A range's ends as the page writes them, {"low": ..., "high": ...}: each with its significant digits
    (number_writing.format_range), or as _number writes each where one is infinite."""
    if math.isinf(low) or math.isinf(high):
        return {"low": _number(low), "high": _number(high)}
    low_text, high_text = format_range(low, high)
    return {"low": low_text, "high": high_text}


def _beside_one(value: float, digits: int = 3, apart: tuple[float, ...] = ()) -> str:
    """A number near 1 (χ₁, its square root) with the digits that tell it from 1: 0.974 with three, 0.99999 with five
    where three would write 1 (step 10's χ₁ = 1 − 6.2·10⁻⁶ had read "ordered phase: gradients shrink ×1"), and from
    each of `apart`, the numbers written beside it (χ₁ = 1.013 and √χ₁ = 1.006 had both read 1.01). At most 15
    significant digits, within float64's."""
    def same(digits: int) -> bool:
        written = format_value(value, digits)
        return (written == "1" and value != 1) or any(written == format_value(other, digits) for other in apart
                                                       if other != value)
    while same(digits) and digits < 15:
        digits += 1
    return _number(value, digits)


# Latin letters in a line of the gradient chart's title: its plot, two fifths of a 1,024 px window's page beside the
# sidebar less the y axis, holds about 26 at 17 px ("Gradient std per layer, mea…" was cut there)
GRADIENT_TITLE_WIDTH = 24
TRAINABLE_FORMAT = ",.2r"  # d3's format of 6ξ in the map's tooltip: two significant digits, as _layers writes it


def _layers(count: float) -> str:
    """The trainable depth 6ξ, a rule of thumb's count, in two significant digits (0.79, 8.7, 170, 9.7 × 10⁵), as the
    map's tooltip writes it (TRAINABLE_FORMAT): beside ξ = 150 it read "about 899 layers" (6 × 149.9), a count to
    the layer that the rule does not know, and one a reader's 6 × 150 does not give."""
    return _number(count, 2)


# ---------- frames ----------

def map_frame(grid: dict) -> pd.DataFrame:
    """One row per cell of core.theory.phase_map() (2,460 at 60 x 41, below Altair's inline limit of 5,000).

    NaN where a value is infinite or undefined: q_star where q* = inf ("diverges" is then True, and
    depth_scale is undefined too); depth_scale alone at the edge of chaos, where xi = inf.
    """
    sw, sb = np.meshgrid(grid["sigma_w2"], grid["sigma_b2"])  # (nb, nw) each
    q_star = np.asarray(grid["q_star"], float).ravel()
    frame = pd.DataFrame({
        "sigma_w2": sw.ravel(), "sigma_b2": sb.ravel(), "q_star": q_star,
        "chi1": np.ravel(grid["chi1"]), "log_chi1": np.ravel(grid["log_chi1"]),
        "depth_scale": np.ravel(grid["depth_scale"]), "diverges": np.isinf(q_star),
    })
    return frame.replace([np.inf, -np.inf], np.nan)


def _cell_size(cells: pd.DataFrame) -> tuple[float, float]:
    """Half a cell: a ratio in sigma_w2 (the grid is uniform in its log) and a step in sigma_b2."""
    sw = np.unique(cells["sigma_w2"].to_numpy())
    sb = np.unique(cells["sigma_b2"].to_numpy())
    ratio = math.exp(np.diff(np.log(sw)).mean()) if len(sw) > 1 else 1.1
    step = float(np.diff(sb).mean()) if len(sb) > 1 else 0.05
    return math.sqrt(ratio), 0.5 * step


def critical_frame(grid: dict) -> pd.DataFrame:
    """The edge of chaos (sigma_w2, sigma_b2) on the map's rows, inside the axes only."""
    frame = pd.DataFrame({"sigma_w2": grid["critical_sigma_w2"], "sigma_b2": grid["sigma_b2"]})
    inside = frame["sigma_w2"].between(*X_DOMAIN)
    return frame[inside].reset_index(drop=True)


def scheme_sigma_w2(fan_in: int, activation: str = Config.activation, slope: float = Config.slope) -> dict[str, float]:
    """sigma_w^2 = n Var(w) of each lecture scheme on a layer of this fan_in (and as many outputs): the width of a
    dense layer, C_in k^2 of a conv layer (Config.receptive_field times the channels); and GAIN, Xavier with the
    activation's torch.nn.init.calculate_gain(activation, slope), where that is none of the schemes' points.

    Any fan_in from 1: a conv layer's C_in k^2 goes past the widest layer a Config allows (2048 channels of 7 x 7
    kernels: 100,352), so the schemes' Configs keep their default width and the fans are passed as they are."""
    out = {}
    for key in MAP_SCHEMES:
        out[key] = fan_in * weight_variance(Config(**RACE_SCHEMES[key]), fan_in, fan_in)
    gain = recommended_gain(activation, slope)
    if gain is not None:
        config = Config(activation=activation, slope=slope, init="xavier_normal", gain=gain)
        own = fan_in * weight_variance(config, fan_in, fan_in)
        if all(abs(own / other - 1) > SAME_POINT for other in out.values()):
            out[GAIN] = own
    return out


def scheme_label(key: str, activation: str, slope: float, lang: str) -> str:
    """A scheme's point's label on the map: "Xavier", or the activation's gain, "tanh's gain 5/3"."""
    if key != GAIN:
        return t(lang, f"theory_tab.scheme_{scheme_key(key)}")
    return t(lang, "theory_tab.scheme_gain", activation=t(lang, f"act_{activation}"),
             gain=format_gain(recommended_gain(activation, slope), digits=3))


def marks_frame(fan_in: int, sigma_w2: float | None, sigma_b2: float | None, lang: str,
                activation: str = Config.activation, slope: float = Config.slope) -> pd.DataFrame:
    """The lecture's schemes (scheme_sigma_w2's, the activation's gain among them) and the "you are here" marker:
    true and clamped position, shape and label.

    Points off the axes (0.01 randn at width 500 has sigma_w^2 = 0.05, 1.0 randn 500) sit on the edge as a
    triangle pointing the way, labelled with their true value. Labels are staggered in height so that close
    schemes (He at 2, tanh's gain at 2.78) do not overlap; a thin rule joins each label to its point.
    """
    rows = [dict(key=key, label=scheme_label(key, activation, slope, lang), sigma_w2=value, sigma_b2=0.0, here=False)
            for key, value in sorted(scheme_sigma_w2(fan_in, activation, slope).items(), key=lambda item: item[1])]
    if sigma_w2 is not None:
        here = dict(key="here", label=t(lang, "theory_tab.here"), sigma_w2=float(sigma_w2),
                    sigma_b2=float(sigma_b2 or 0.0), here=True)
        # on a scheme's point inside the map the marker covers it: one label names both ("you are here, at He"), the
        # scheme's own left out; off the map each keeps its label, whose value the merged one would make too long
        inside = X_DOMAIN[0] <= here["sigma_w2"] <= X_DOMAIN[1] and not here["sigma_b2"]
        covered = [row for row in rows if inside and abs(here["sigma_w2"] / row["sigma_w2"] - 1) <= SAME_POINT]
        if covered:
            here["label"] = t(lang, "theory_tab.here_at", scheme=covered[0]["label"])
            rows.remove(covered[0])
        rows.append(here)
    for i, row in enumerate(rows):
        x, y = row["sigma_w2"], row["sigma_b2"]
        row["x"] = float(np.clip(x, *X_DOMAIN)) if x > 0 else X_DOMAIN[0]
        row["y"] = float(np.clip(y, *Y_DOMAIN))
        row["shape"] = "circle"
        row["text"] = row["label"]
        if x < X_DOMAIN[0]:
            row["shape"], row["text"] = "triangle-left", t(lang, "theory_tab.off_left", label=row["label"],
                                                            value=_number(x))
        elif x > X_DOMAIN[1]:
            row["shape"], row["text"] = "triangle-right", t(lang, "theory_tab.off_right", label=row["label"],
                                                                                     value=_number(x))
        if y > Y_DOMAIN[1]:
            row["shape"], row["text"] = "triangle-up", t(lang, "theory_tab.off_top", label=row["text"],
                                                          value=_number(y))
        # labels: the marker's just above (or below) itself, the schemes' on a staircase above that
        if row["here"]:
            row["label_y"] = row["y"] + 0.07 if row["y"] < 0.9 else row["y"] - 0.07
        else:
            row["label_y"] = 0.15 + 0.085 * i
        right_half = math.log(row["x"] / X_DOMAIN[0]) > 0.55 * math.log(X_DOMAIN[1] / X_DOMAIN[0])
        row["align"] = "right" if right_half else "left"
        if row["here"] and row["shape"] == "circle":  # centred over its own dot, not reaching toward a scheme's
            row["align"] = "center"
    if rows and rows[-1]["here"]:
        rows[-1]["label_y"] = _free_label_y(rows[-1], rows[:-1])
    return pd.DataFrame(rows, columns=["key", "label", "sigma_w2", "sigma_b2", "here", "x", "y", "shape", "text",
                                       "label_y", "align"])


def _free_label_y(here: dict, schemes: list[dict]) -> float:
    """Height of the marker's label: just above or below the marker, away from the schemes' labels near it."""
    y = here["y"]
    candidates = [y + 0.07, y - 0.07, y + 0.14, y - 0.14, y + 0.21, y - 0.21]
    inside = [c for c in candidates if 0.03 <= c <= 0.97]
    near = [row["label_y"] for row in schemes if abs(math.log(row["x"] / here["x"])) < 0.6]
    for c in inside:
        if all(abs(c - other) >= 0.06 for other in near):
            return c
    return inside[0]


def gradient_frame(grad_std, predicted_grad_std, chi1: float | None, lang: str) -> pd.DataFrame:
    """Long frame (layer, series, value): measured and predicted gradient std per layer, and chi_1's rate.

    The rate line starts at the measured last layer and grows by sqrt(chi_1) a layer toward the input: how
    the gradient would change if every layer sat at the fixed point q*. Missing and negative values are left
    out; values exactly 0 stay, for the chart to mark where the log axis cannot draw them.
    """
    measured = np.asarray(grad_std, float)
    layers = np.arange(len(measured))
    parts = [pd.DataFrame({"layer": layers, "series": t(lang, "measured"), "value": measured}),
             pd.DataFrame({"layer": layers, "series": t(lang, "theory_tab.theory"),
                           "value": np.asarray(predicted_grad_std, float)})]
    last = len(measured) - 1
    if chi1 is not None and chi1 > 0 and last >= 1 and np.isfinite(measured[last]):
        with np.errstate(over="ignore"):
            rate = measured[last] * np.sqrt(chi1) ** (last - layers[1:])
        parts.append(pd.DataFrame({"layer": layers[1:], "series": t(lang, "theory_tab.rate"), "value": rate}))
    frame = pd.concat(parts, ignore_index=True)
    keep = np.isfinite(frame["value"]) & (frame["value"] >= 0)
    return frame[keep].reset_index(drop=True)


def measured_growth(grad_std) -> float | None:
    """The measured gradient std growth a layer toward the input: geometric mean of g[l-1] / g[l], l = 2..depth."""
    g = np.asarray(grad_std, float)[1:]  # index 0 is the input, which has no gradient of its own
    ratios = g[:-1] / g[1:]
    ratios = ratios[np.isfinite(ratios) & (ratios > 0)]
    return float(np.exp(np.log(ratios).mean())) if ratios.size else None


def tells_paradox(config: Config) -> bool:
    """Whether the Theory tab tells the large-init paradox (paradox_text): for a dense network of the paradox's
    activation (PARADOX_CONFIG's tanh) without a residual stream, a norm or not (step 7's tanh is the lecture's);
    not beside a residual stream, a conv net or another activation (steps 8, 9 and 11 had read a paragraph on "the
    lecture's tanh network" of no bearing on their own)."""
    return config.activation == PARADOX_CONFIG.activation and config.arch == "dense" and not config.residual


def is_paradox_network(config: Config) -> bool:
    """Whether this is the paradox's own network (PARADOX_CONFIG, with any seed): then paradox_text quotes what
    it measured beside the prediction."""
    return replace(config, seed=PARADOX_CONFIG.seed) == PARADOX_CONFIG


# ---------- charts ----------

def map_chart(cells: pd.DataFrame, critical: pd.DataFrame, marks: pd.DataFrame, *, colour_by: str = "log_chi1",
              title: str = "", lang: str = "en", width: int | str = "container", height: int = 440,
              activation: str = "tanh") -> alt.LayerChart:
    """Heatmap of ln chi_1 (diverging, 0 = edge of chaos in the middle) or of xi, with the edge of chaos and the marks;
    a cell's tooltip gives its trainable depth 6ξ only for an activation the rule was measured on (activation: the
    map's code; core.theory.trainable_depth).

    cells: map_frame() of a grid uniform in ln sigma_w2 and in sigma_b2; critical: critical_frame(); marks:
    marks_frame(). Colours are Vega's "blueorange" (ordered blue, chaotic orange) and "viridis", both
    readable with the common colour-vision deficiencies; grey cells in the xi view have q* = inf.
    """
    half_ratio, half_step = _cell_size(cells)
    x_scale = alt.Scale(type="log", domain=list(X_DOMAIN), nice=False)
    tooltip = [alt.Tooltip("sigma_w2:Q", title=t(lang, "theory_tab.sigma_w2"), format=".3~g"),
               alt.Tooltip("sigma_b2:Q", title=t(lang, "theory_tab.sigma_b2"), format=".3~g"),
               alt.Tooltip("q_star:Q", title=t(lang, "theory_tab.q_star"), format=".3~g"),
               alt.Tooltip("chi1:Q", title=t(lang, "theory_tab.chi1"), format=".3~g"),
               alt.Tooltip("depth_scale:Q", title="ξ", format=".3~g")]
    if trainable_depth(activation, 1.0) is not None:
        tooltip.append(alt.Tooltip("trainable:Q", title=t(lang, "theory_tab.trainable"), format=TRAINABLE_FORMAT))
    # cell edges are computed in Vega, which keeps the frame to the values themselves; cells overlap by a
    # hair so that no light seams show between them
    half_ratio, half_step = half_ratio**1.05, half_step * 1.05
    base = alt.Chart(cells).transform_calculate(
        x0=f"datum.sigma_w2 / {half_ratio!r}", x1=f"datum.sigma_w2 * {half_ratio!r}",
        y0=f"datum.sigma_b2 - {half_step!r}", y1=f"datum.sigma_b2 + {half_step!r}",
        trainable=f"{TRAINABLE_DEPTH_PER_XI!r} * datum.depth_scale",
        # xi is missing at the edge of chaos (inf: the top colour) and where q* = inf (drawn grey instead)
        shown_depth=f"isValid(datum.depth_scale) ? min(datum.depth_scale, {XI_LIMIT!r}) : {XI_LIMIT!r}",
    ).encode(
        alt.X("x0:Q").title(t(lang, "theory_tab.sigma_w2")).scale(x_scale).axis(values=[0.1, 0.2, 0.5, 1, 2, 5],
                                                                              format="~g"),
        alt.X2("x1:Q"),
        alt.Y("y0:Q").title(t(lang, "theory_tab.sigma_b2")).scale(domain=list(Y_DOMAIN), nice=False),
        alt.Y2("y1:Q"),
        tooltip=tooltip,
    )
    if colour_by == "log_chi1":
        # white at ln chi_1 = 0 whatever the range, each side as deep as the map goes (sigmoid has no orange)
        finite = cells["log_chi1"].dropna()
        low = max(-LOG_CHI1_LIMIT, min(float(finite.min()), -0.1)) if len(finite) else -1.0
        high = min(LOG_CHI1_LIMIT, max(float(finite.max()), 0.1)) if len(finite) else 1.0
        heat = base.mark_rect(clip=True).encode(alt.Color("log_chi1:Q").title(t(lang, "theory_tab.log_chi1")).scale(
            scheme="blueorange", domain=[low, high], domainMid=0, clamp=True).legend(orient="right"))
    elif colour_by == "depth_scale":
        finite = cells["depth_scale"].dropna()
        low = max(float(finite.min()), 0.1) if len(finite) else 0.1
        heat = layer(
            base.transform_filter("!datum.diverges").mark_rect(clip=True).encode(
                alt.Color("shown_depth:Q").title(t(lang, "theory_tab.depth_scale")).scale(
                    type="log", scheme="viridis", domain=[low, XI_LIMIT], clamp=True).legend(orient="right")),
            base.transform_filter("datum.diverges").mark_rect(clip=True, color=GUIDE_COLOUR),
        )
    else:
        raise ValueError(f"colour_by must be 'log_chi1' or 'depth_scale', not {colour_by!r}")
    edge = alt.Chart(critical).mark_line(color="black", strokeWidth=3, clip=True).encode(
        alt.X("sigma_w2:Q").scale(x_scale),
        alt.Y("sigma_b2:Q"),
        alt.Order("sigma_b2:Q"),
        tooltip=alt.value(t(lang, "theory_tab.critical")),
    )
    halos, over = _mark_layers(marks, lang)
    # the edge of chaos under the labels' halos, which let it show through, and their letters: over the halos, the
    # curve had crossed a label's letters black on black ("1.0·randn (n·Var(w) = 5|0)" at step 3); under opaque
    # halos, it had been hidden where it matters
    layers = [heat, edge, *halos, *over]
    return theme(layer(*layers, title=title, width=width, height=height))


def _mark_layers(marks: pd.DataFrame, lang: str) -> tuple[list, list]:
    """The labels' white halos, then what goes over the edge of chaos: leader rules, points (triangles when
    clamped) and the labels' letters, left- or right-aligned or centred, each within the plot."""
    base = alt.Chart(marks)
    x = alt.X("x:Q").scale(type="log", domain=list(X_DOMAIN), nice=False)
    tooltip = [alt.Tooltip("label:N", title=" "),
               alt.Tooltip("sigma_w2:Q", title=t(lang, "theory_tab.sigma_w2"), format=".4~g"),
               alt.Tooltip("sigma_b2:Q", title=t(lang, "theory_tab.sigma_b2"), format=".3~g")]
    # a rule joins each label beside its point to it; a label centred over its point needs none
    leader = base.transform_filter(alt.datum.align != "center").mark_rule(color="black", strokeWidth=1, opacity=0.6) \
        .encode(x, alt.Y("y:Q"), alt.Y2("label_y:Q"))
    points = base.mark_point(filled=True, size=150, stroke="black", strokeWidth=1.5, opacity=1).encode(
        x, alt.Y("y:Q"),
        alt.Shape("shape:N").scale(None),
        fill=alt.when(alt.datum.here).then(alt.value(HERE_COLOUR)).otherwise(alt.value("white")),
        size=alt.when(alt.datum.here).then(alt.value(260)).otherwise(alt.value(130)),
        tooltip=tooltip,
    )
    halos, letters = [], []
    # a label is at most the room from its point to the plot's far edge (Vega's width signal, the point's px by the
    # x scale): on a phone's narrow map it ends in "…" inside the plot instead of running past it
    for align, dx, room in (("left", 6, "width - scale('x', datum.x) - 6"), ("right", -6, "scale('x', datum.x) - 6"),
                            ("center", 0, "2 * min(scale('x', datum.x), width - scale('x', datum.x))")):
        side = base.transform_filter(alt.datum.align == align)
        for halo in (True, False):
            text = side.mark_text(align=align, dx=dx, baseline="middle", fontSize=LABEL_SIZE - 2, fontWeight="bold",
                                  color="black", stroke="white" if halo else None, strokeWidth=4 if halo else 0,
                                  strokeOpacity=HALO_OPACITY if halo else 1,
                                  limit=alt.ExprRef(room))
            (halos if halo else letters).append(text.encode(x, alt.Y("label_y:Q"), alt.Text("text:N")))
    return halos, [leader, points, *letters]


def gradient_chart(frame: pd.DataFrame, *, lang: str = "en", colour: str = MEASURED_COLOUR,
                   width: int | str = "container", height: int = 440, batch_norm: bool = False) -> alt.LayerChart:
    """Gradient std per layer on a log axis: measured solid, the layer-by-layer theory dashed, chi_1's rate dotted
    (in the legend only where the frame has it).

    frame: gradient_frame(); a value exactly 0 is marked on the axis's bottom edge (charts.zero_marks).
    batch_norm: the gradient is then dL/dz of the sum before batch norm (core.network records that), and the
    title says so. The chart shares its row with the map: its title is in lines of GRADIENT_TITLE_WIDTH letters and its
    legend stacked, so that neither is cut at 1,024 px.
    """
    series = [t(lang, "measured"), t(lang, "theory_tab.theory"), t(lang, "theory_tab.rate")]
    colours, dashes = [colour, THEORY_COLOUR, GUIDE_COLOUR], [[1, 0], [7, 5], [2, 3]]
    if series[2] not in set(frame["series"]):  # no χ₁ rate (unequal fans): none in the legend either
        series, colours, dashes = series[:2], colours[:2], dashes[:2]
    ticks, domain = decades(frame["value"])  # with zeros, a band below the lowest tick for zero_marks
    every = written(alt.Chart(frame), "value").encode(
        alt.X("layer:Q").title(t(lang, "layer")).scale(domain=list(layer_span(frame["layer"])), nice=False).axis(
            tickMinStep=1, format="d"),
        alt.Y("value:Q").title(t(lang, "theory_tab.grad_std")).scale(type="log", domain=list(domain), nice=False).axis(
            values=list(ticks), labelExpr=log_labels(ticks)),
        alt.Color("series:N").title(None).scale(domain=series, range=colours).legend(
            symbolType="stroke", symbolSize=400, columns=1),  # each series as its line, solid, dashed or dotted
        alt.StrokeDash("series:N").title(None).scale(domain=series, range=dashes),
        tooltip=[alt.Tooltip("series:N", title=t(lang, "series")), alt.Tooltip("layer:Q", title=t(lang, "layer")),
                 alt.Tooltip("value_text:N", title=t(lang, "theory_tab.grad_std"))],
    )
    base = every.transform_filter(alt.datum.value > 0)
    measured = base.transform_filter(alt.datum.series == t(lang, "measured"))
    others = base.transform_filter(alt.datum.series != t(lang, "measured"))
    title = t(lang, "theory_tab.gradient_title_bn" if batch_norm else "theory_tab.gradient_title")
    return theme(layer(measured.mark_line(strokeWidth=4), measured.mark_point(filled=True, size=80, opacity=1),
                       others.mark_line(strokeWidth=2.5), *zero_marks(every, "value", domain[0]),
                       title=alt.Title(title_lines(title, GRADIENT_TITLE_WIDTH)), width=width, height=height))


# ---------- words ----------

def keeps_any_q(config: Config, summary: dict) -> bool:
    """Whether every q is a fixed point of this network's variance map q -> σ_w²·E[f(b + √q z)²] + σ_b² (checked at
    q*/2 and 2q*): a positively homogeneous f (ReLU, leaky ReLU, linear) without biases at σ_w²·E[f(z)²] = 1, He +
    ReLU's σ_w² = 2. The layers then keep the q they start from, and the q* core.theory.fixed_point reports is that one
    (its iteration starts from q₁ = σ_w² + σ_b²): step 6's "q* = 2" is this input's, not the map's."""
    q_star, sigma_w2, sigma_b2 = summary["q_star"], summary["sigma_w2"], summary["sigma_b2"]
    if not q_star or sigma_w2 is None or sigma_b2 is None or not math.isfinite(q_star):
        return False
    probe = np.array([q_star / 2, 2 * q_star])
    second = moments(config.activation, bias_mean(config), probe, config.slope)[1]
    return bool(np.allclose(sigma_w2 * second + sigma_b2, probe, rtol=EDGE_RTOL, atol=0.0))


def q_star_words(q_star: float, any_q: bool, lang: str) -> str:
    """q* as the Theory tab writes it: its number, and where every q is a fixed point (keeps_any_q) that it is the
    first layer's."""
    return t(lang, "theory_tab.q_star_any", q_star=_number(q_star)) if any_q else _number(q_star)


def here_text(summary: dict, lang: str, batch_norm: bool = False, depth: int | None = None, *,
              residual: bool = False, layer_norm: bool = False, grad_std=None, arch: str = "dense",
              any_q: bool = False, activation: str = "tanh", predicted_grad_std=None) -> str:
    """One paragraph on the current configuration from core.theory.theory_summary().

    depth: the network's own depth, which the trainable depth 6ξ is compared with where the rule was measured
    (core.theory.trainable_depth: tanh; activation: the network's code); at q* = 0 (no bias, a fading signal) the
    correlations' depth scale is not defined and the paragraph gives the gradient's, −1/ln χ₁; arch: "conv" for a
    conv net, whose
    batch norm normalizes channels (summary.batch_norm_words). With σ_w² = 0 no signal passes a layer at all, and
    the phase and depth scale (χ₁ = 0, ξ = 0) say nothing: the paragraph says so.
    grad_std: the network's measured gradient std per layer (0 the input); where it goes from the last layer to the
    first the other way from χ₁'s √χ₁^(depth − 1) (at_q_star), the paragraph says the layers have not reached q*.
    any_q: every q is a fixed point of the map (keeps_any_q): q* is said as the first layer's.
    predicted_grad_std: the theory's gradient std per layer (core.theory.predict), which follows q from the input:
    near the edge, where it parts from q*'s factor, the paragraph gives both (path_to_q_star).
    """
    if summary["sigma_w2"] is None:
        return t(lang, "theory_tab.no_theory_constant")
    if residual:  # core.theory.theory_summary gives no q*, chi1, xi: the stream is no chain of one map
        return t(lang, "theory_tab.map_residual")
    if layer_norm:
        return t(lang, "theory_tab.map_ln", eps=_number(LN_EPS))
    if batch_norm:
        return t(lang, "theory_tab.map_bn", eps=_number(BN_EPS), **batch_norm_words(arch, lang))
    if summary["sigma_w2"] == 0:
        return t(lang, "theory_tab.no_signal", sigma_b2=_number(summary["sigma_b2"]))
    chi1 = summary["chi1"]
    path = None  # near the edge, the theory's factor from the input where it parts from q*'s
    if at_edge(chi1):  # at q* = 0 (tanh's Xavier) the signal fades toward it, and the gradient with it; at q* = ∞
        # (None: ReLU's He or a linear net with biases, χ₁ = 1 at every q) it grows, and the gradient keeps its size
        phase = t(lang, "theory_tab.edge_fading" if summary["q_star"] == 0 else "theory_tab.edge")
    else:
        # three digits at least: near the edge two would print a growth of x1.04 as x1; past q* = ∞ no fixed point
        # is there to be chaotic around (ReLU past σ_w² = 2: its correlation map does not depend on σ_w²)
        phase = t(lang, "theory_tab.ordered" if chi1 < 1 else "theory_tab.chaotic" if summary["q_star"] is not None
                  else "theory_tab.unbounded", factor=_beside_one(math.sqrt(chi1), apart=(chi1,)))
        # a phase by a hair: over the whole network the gradient keeps its size to CLOSE (step 10's χ₁ = 1 − 6·10⁻⁶
        # had read "ordered phase" alone, under a title that says the edge of chaos)
        total = None if depth is None or depth < 2 else at_q_star(chi1, depth - 1)
        if total is not None and abs(total - 1) <= CLOSE:
            phase += t(lang, "theory_tab.near_edge", depth=depth, total=_beside_one(total, apart=(math.sqrt(chi1),)))
            if summary["q_star"] is not None:  # a finite q* to be on the way to
                path = path_to_q_star(total, predicted_grad_std, grad_std, depth, lang)
    xi = summary["depth_scale"]
    trainable = None if xi is None else trainable_depth(activation, xi)
    if summary["q_star"] is None:
        scale = t(lang, "theory_tab.depth_undefined")
    elif xi is None:  # χ₁ = 1: at q* = 0 (tanh's Xavier) ξ of the correlations is not defined, as below
        scale = t(lang, "theory_tab.depth_infinite_fading" if summary["q_star"] == 0 else "theory_tab.depth_infinite")
    elif summary["q_star"] == 0:  # Schoenholz et al.'s ξ is read around q* > 0; the gradient's shrinks all the same
        scale = t(lang, "theory_tab.depth_fading", xi=_number(xi))
    elif trainable is None:
        scale = t(lang, "theory_tab.depth_no_rule", xi=_number(xi), activation=t(lang, f"act_{activation}"))
    elif trainable < 1:
        scale = t(lang, "theory_tab.depth_below_one", xi=_number(xi), trainable=_layers(trainable))
    else:
        compare = "" if depth is None else \
            t(lang, "theory_tab.depth_fewer" if trainable < depth else "theory_tab.depth_within", depth=depth)
        scale = t(lang, "theory_tab.depth_finite", xi=_number(xi), trainable=_layers(trainable), compare=compare)
        apart = None if depth is None or trainable < depth else gradient_spread(grad_std, depth, lang)
        scale = join(lang, [scale, apart], "sentence") if apart else scale
    mismatch = not_at_q_star(chi1, grad_std, depth, lang)  # says the layers have not reached q*: path's point too
    scale = join(lang, [part for part in (mismatch, None if mismatch else path, scale) if part], "sentence")
    q_star = math.inf if summary["q_star"] is None else summary["q_star"]
    return t(lang, "theory_tab.here_text", sigma_w2=_number(summary["sigma_w2"]), sigma_b2=_number(summary["sigma_b2"]),
             q_star=q_star_words(q_star, any_q, lang), chi1=_beside_one(chi1, apart=(math.sqrt(chi1),)), phase=phase,
             depth=scale)


def unequal_fans(config: Config) -> bool:
    """Whether some layer's fan_in and fan_out differ (a width profile, the digits' 64 pixels into wider layers): the
    map's one σ_w² = n·Var(w) then splits into fan_in·Var(w) forward and fan_out·Var(w) back
    (core.theory.layer_sigma_w2), and χ₁ is not the gradient's factor a layer."""
    return any(fan_in != fan_out for fan_in, fan_out in config.shapes)


def profile_text(config: Config, summary: dict, predicted_grad_std, lang: str) -> str | None:
    """The paragraph for a network of unequal fans (unequal_fans) in place of here_text's: the map assumes equal
    widths; this network's fan_in·Var(w) and fan_out·Var(w) over the layers; the gradient's std factor layer by layer
    toward the input as the gradient chart's theory line has it (core.theory.predict, which takes each layer's fans
    and E[f′²]), listed up to LISTED_FACTORS, else their range, and over the depth; then the marker's point, where
    fan_in·Var(w) is the same at every layer, with the q* and χ₁ a network of equal widths would have there. Under a
    norm the products are named as what the norm divides out again, not as what splits the scaling.

    None for equal fans, weights of non-zero mean, zero weights (here_text's words hold at any widths) and a
    residual stream (equal widths only)."""
    forward, backward = layer_sigma_w2(config)
    if not unequal_fans(config) or forward is None or not forward[1:].any() or config.residual:
        return None
    depth = config.depth
    grad = np.asarray(predicted_grad_std, float)
    # a std of 0 or inf is one past float64's range, not the theory's: its ratios (0/0) would be no factor
    beyond = [layer for layer in range(depth, 0, -1) if not 0 < grad[layer] < math.inf]
    if depth == 1:
        steps = t(lang, "theory_tab.profile_one")
    elif beyond:
        steps = t(lang, "theory_tab.profile_steps_beyond", layer=beyond[0])
    else:
        factors = {layer: grad[layer - 1] / grad[layer] for layer in range(depth, 1, -1)}  # layer -> layer - 1
        if len(factors) <= LISTED_FACTORS:
            each = join(lang, [t(lang, "theory_tab.profile_step", factor=_number(factor), layer=layer, below=layer - 1)
                               for layer, factor in factors.items()])
        else:
            each = t(lang, "theory_tab.profile_range", **_range(min(factors.values()), max(factors.values())))
        steps = t(lang, "theory_tab.profile_steps", each=each, total=_number(grad[1] / grad[depth]), depth=depth)
    if summary["sigma_w2"] is None:
        marker = t(lang, "theory_tab.profile_no_marker")
    elif config.batch_norm:
        marker = t(lang, "theory_tab.map_bn", eps=_number(BN_EPS), **batch_norm_words(config.arch, lang))
    elif config.layer_norm:
        marker = t(lang, "theory_tab.map_ln", eps=_number(LN_EPS))
    else:
        q_star, chi1 = (math.inf if summary[key] is None else summary[key] for key in ("q_star", "chi1"))
        marker = t(lang, "theory_tab.profile_marker", sigma_w2=_number(summary["sigma_w2"]),
                   sigma_b2=_number(summary["sigma_b2"]),
                   q_star=q_star_words(q_star, keeps_any_q(config, summary), lang), chi1=_beside_one(chi1))
    head = t(lang, "theory_tab.profile" if config.norm == "none" else "theory_tab.profile_norm",
             widths=describe.widths_words(config.units), forward=over_layers(forward[1:], lang),
             backward=over_layers(backward[1:], lang))
    return join(lang, [head, steps, marker], "sentence")


def over_layers(values: np.ndarray, lang: str) -> str:
    """A quantity over the layers, one value a layer (fan_in·Var(w), fan_out·Var(w), a gain): "is 2 at every layer",
    "runs from 1 to 1.31 over the layers", or the one layer's "is 0.327"."""
    kind, low, high = spread(values)
    if kind == "differ":
        return t(lang, "theory_tab.products_differ", **_range(low, high))
    return t(lang, "theory_tab.products_one" if kind == "one" else "theory_tab.products_same", value=_number(low))


def at_edge(chi1: float) -> bool:
    """χ₁ is 1 to the rounding of σ_w² and of the theory's integrals (core.theory.EDGE_RTOL): the edge of chaos, no
    direction."""
    return abs(chi1 - 1.0) <= EDGE_RTOL


def at_q_star(chi1: float, layers: int) -> float:
    """The gradient std's factor over `layers` layers toward the input with the signal at q*: √χ₁ a layer (χ₁ is
    the factor of its squared norm, Poole et al. 2016); inf past float64's range (std 100 weights on a linear network
    of width 500: √χ₁ = 2,236, 10³³⁴ over 100 layers, where a float's power raises OverflowError)."""
    return power_or_inf(math.sqrt(chi1), layers)


def gradient_spread(grad_std, depth: int, lang: str) -> str | None:
    """What a network within the trainable depth (6ξ) still has against it, as the headline measures it: its gradient's
    std from the last layer to the first changing by more than the verdict's SHRINK or GROW (step 3's N(0, 1) tanh,
    ×7.49 × 10⁴ over its 10 layers, had read "this network's 10 are within that" alone, beside the verdict
    "saturated"); None where it does not, where the change is undefined, or where grad_std is not given."""
    if grad_std is None or depth < 2:
        return None
    first, last = float(grad_std[1]), float(grad_std[depth])
    change = ratio(first, last)
    if not (change < SHRINK or change > GROW):  # within the verdict's range, or undefined (NaN)
        return None
    return t(lang, "theory_tab.depth_spread", ratio=printed_ratio(first, last)[0], depth=depth)


def path_to_q_star(total: float, predicted_grad_std, grad_std, depth: int, lang: str) -> str | None:
    """Near the edge of chaos, where q*'s factor over the depth (total, at_q_star) is within CLOSE of 1 and q* is
    finite: the sentence that the theory which follows q layer by layer from the input (core.theory.predict: the
    gradient chart's theory line, the Derivation tab's number) gives another, beside the measured one. So near the
    edge the layers reach q* only slowly, and their χ on the way are not χ₁: step 10's ×0.9998 at q* against ×0.983
    from layer 1's q = 0.0161 toward q* = 0.0155 (measured ×0.985) had read as three theories. None where the two
    agree to the three digits the Derivation tab prints, or a factor is undefined (a network whose χ is the same at
    every q, linear or ReLU, has the one factor)."""
    if predicted_grad_std is None or grad_std is None:
        return None
    path = ratio(float(predicted_grad_std[1]), float(predicted_grad_std[depth]))
    measured = ratio(float(grad_std[1]), float(grad_std[depth]))
    if not (math.isfinite(path) and math.isfinite(measured)) or _number(path) == _number(total):
        return None
    return t(lang, "theory_tab.path_to_q_star", path=_number(path), measured=_number(measured), depth=depth)


def not_at_q_star(chi1: float, grad_std, depth: int | None, lang: str) -> str | None:
    """The sentence that the measured gradient goes the other way from χ₁'s (its std from the last layer to the
    first against at_q_star over the depth − 1 layers between them), or lies FAR (tenfold or more) from it the same
    way (ReLU with a mean bias of −0.1: χ₁ = 0 at q* = 0, yet ×0.68 over 10 layers measured, the signal still on its
    way there); None where they agree, where both are within CLOSE of 1, where χ₁ is 1 or a ratio is undefined."""
    if grad_std is None or depth is None or depth < 2 or at_edge(chi1):
        return None
    first, last = float(grad_std[1]), float(grad_std[depth])
    if not (math.isfinite(first) and math.isfinite(last) and first > 0 and last > 0) or first == last:
        return None
    measured, predicted = first / last, at_q_star(chi1, depth - 1)
    if abs(measured - 1) <= CLOSE and abs(predicted - 1) <= CLOSE:  # both keep the gradient's size: no way to differ
        return None  # in (ReLU at σ_w² = 2.001 over 5 layers, ×0.972 measured against ×1.001, is a draw's spread)
    if (measured > 1) != (predicted > 1):
        key = "theory_tab.not_at_q_star"
    elif predicted == 0 or not 1 / FAR < measured / predicted < FAR:
        key = "theory_tab.far_from_q_star"
    else:
        return None
    return t(lang, key, measured=_number(measured), at_q_star=_beside_one(predicted), depth=depth)


def paradox_text(numbers: dict, lang: str, width: int = PARADOX_CONFIG.width, measured: float | None = None) -> str:
    """The large-init paradox explained with core.theory.large_init_paradox()'s numbers (and a measured growth)."""
    extra = "" if measured is None else t(lang, "theory_tab.paradox_measured", value=_number(measured))
    return t(lang, "theory_tab.paradox",
        width=width, saturated=format_share(numbers["saturated"]), unsaturated=format_share(1.0 - numbers["saturated"]),
        share=format_share(numbers["unsaturated_share"]), growth=_number(numbers["growth"]), measured=extra,
        mean_slope2=_number(numbers["mean_slope2"], 2), sigma_w2=_number(numbers["sigma_w2"]),
        chi1=_number(numbers["chi1"]), saturation=saturation_rules()["tanh_edge"],  # core.network's count's edge
    )
