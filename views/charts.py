"""Altair chart builders (DataFrame in, alt.Chart out) and the small frames they draw; no streamlit import.

Colours: Paul Tol's "bright" qualitative palette, made for the common colour-vision deficiencies, with its three
light colours (yellow, cyan, grey: under 2:1 on white, faint on a projector) darkened and the teal and orange beside
it replaced, so that every line colour has WCAG 2.1's 3:1 for graphics (1.4.11) on white and on the dark themes,
and no two colours drawn together are nearer for any simulated colour vision than Tol's own nearest pair
(tests/test_views.py). Each Compare scheme owns one colour, and a configuration is drawn in the colour of the
scheme it belongs to.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from core.activations import get

from .summary import init_words, layers_named
from .number_writing import NBSP, PERCENT, PLAIN, SHARE_FLOOR, TIMES, format_power, format_share, format_value
from .text import join, t

CURRENT_OPACITY = 0.5  # Compare's thick line of the page's own scheme: the lines under it show through
SCHEME_COLOURS = {
    "normal_0.01": "#4477AA",  # blue: too small
    "normal_1": "#EE6677",  # red: too large
    "xavier_normal": "#228833",  # green
    "he_normal": "#BB8822",  # ochre (Tol's yellow #CCBB44, darkened)
    "normal_0.01+bn": "#AA3377",  # purple
    "orthogonal": "#0099AA",  # dark cyan (Tol's #66CCEE)
    # warm dark grey (Tol's #BBBBBB): a neutral grey is as the purple to a deuteranope and as the red to a protanope
    "zeros": "#656559",
    "own": "#7733EE",  # violet: the page's network when it is none of the schemes above
}
OWN = "own"  # views.tour.scheme_of's code for that network, drawn on the Compare tab beside the schemes
GUIDE_COLOUR = "#999999"  # mid grey: visible on light and dark backgrounds
THEORY_COLOUR = "#777777"  # the dashed theory curve, a neutral grey that no scheme uses
# A residual block's branch beside its stream (line_chart): lavender or burnt orange, which no scheme uses, whichever
# is further from the stream's colour for every colour vision (tests/test_views.py): orange beside the blues and the
# page's own violet, lavender beside the rest
BRANCH_COLOURS = ("#AA77FF", "#BB5500")
BRANCH_BESIDE = {SCHEME_COLOURS[scheme]: BRANCH_COLOURS[1] for scheme in ("normal_0.01", "orthogonal", OWN)}


def branch_colour(stream: str) -> str:
    """The colour of a residual branch drawn beside a stream of colour `stream` ("#rrggbb"): BRANCH_BESIDE's."""
    return BRANCH_BESIDE.get(stream, BRANCH_COLOURS[0])


LABEL_SIZE, TITLE_SIZE = 15, 17  # big enough for the back row of a lecture hall
GUIDE_SIZE = LABEL_SIZE - 2  # px: a guide line's label's type (the Training tab's charts)
# The charts' text (ticks, axis and legend titles, panel headers, the numbers written on bars) per Streamlit theme,
# each at least WCAG's 4.5:1 on its theme's background (BACKGROUNDS; the app's own dark #101318 too). No one grey
# reaches 4.5:1 on both white and #0e1117 (the best, of luminance 0.19, reaches 4.35:1 on each), so the page
# gives a chart the colours of the theme it is shown in (views/draw.py), and a figure the light ones.
TEXT_COLOURS = {"light": "#3d3d3d", "dark": "#d0d0d0"}
BACKGROUNDS = {"light": "#ffffff", "dark": "#0e1117"}  # Streamlit's own backgrounds of its two themes


SETTINGS = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"  # the app's Streamlit settings


def page_backgrounds(config: Path = SETTINGS) -> dict[str, str]:
    """The page's background in each theme, as the app's Streamlit settings set them ([theme.light] and
    [theme.dark] backgroundColor), Streamlit's own (BACKGROUNDS) where they set none."""
    themes = tomllib.loads(config.read_text()).get("theme", {}) if config.is_file() else {}
    return {mode: themes.get(mode, {}).get("backgroundColor", colour) for mode, colour in BACKGROUNDS.items()}


PAGE_BACKGROUNDS = page_backgrounds()  # a label's halo (coloured) is drawn in them: the app's dark one is #101318
# The style of a label's halo: its text again under it, outlined HALO_WIDTH px in the background (coloured), so that a
# curve through the label stops short of its letters; without a theme (coloured's None) it has no outline
HALO, HALO_WIDTH = "halo", 4
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, normal text (1.4.3)
MIN_GRAPHICS_CONTRAST = 3.0  # WCAG 2.1 AA, a line or bar against its background (1.4.11)
HEIGHT = 300
# px²: the area of a measured layer's point on a per-layer line chart (line_chart); layer 0's lies on the y axis, and a
# layer's value of 0 on the x axis, so an axis's labels stand at least POINT_RADIUS off it (presenter mode's padding)
POINT_SIZE = 90
POINT_RADIUS = math.sqrt(POINT_SIZE / math.pi)
MAX_PANELS = 10  # histogram small multiples, like the lecture's figure of ten layers
# A bar of a histogram more than SPIKE_RATIO times the tallest of the others (ReLU's exact zeros, half of every layer
# and ~30 times its tallest bin; tanh's flat ends at N(0, 1)) would flatten the rest of the layer into a line: it
# is drawn cut, CUT_HEIGHT times the tallest other bar, with its share written on it.
SPIKE_RATIO = 3.0
CUT_HEIGHT = 1.25  # the tallest uncut bar then fills 1 / 1.25 = 80 % of the panel's height
SPIKE_COLOUR = "#888888"  # a cut or exact-zero bar: a neutral grey, apart from every scheme's colour
PANEL = (150, 110)  # a histogram panel's width and height, px: five in a row fit a laptop's width
MIN_BAR_PX = 5  # the narrowest a histogram's bar that is no bin is drawn (exact zeros, the values past the range)
LABEL_LEADING = 4  # px: a row of the labels written above a histogram panel's plot is their size and this
LABEL_GAP = 6  # px between two labels in one row
# A bold label's width in em (font sizes), by character: CJK and full-width 1, a space 0.35, anything else 0.62
# (Source Sans's bold digits are about 0.5 em and its "%" 0.8: a little over on the whole, so that what fits, fits).
EM_WIDE, EM_SPACE, EM_OTHER = 1.0, 0.35, 0.62


# ---------- frames ----------

def layer_frame(result) -> pd.DataFrame:
    """One row per layer (0 = input) with every statistic; NaN where undefined."""
    rows = result.rows()
    return pd.DataFrame({name: [row[name] for row in rows] if name in ("layer", "exploded", "vanished")
                         else np.array([np.nan if row[name] is None else row[name] for row in rows], dtype=float)
                         for name in rows[0]})


def series_frame(layers: pd.DataFrame, measured: str, theory: str | None, names: dict[str, str],
                 first_layer: int = 0) -> pd.DataFrame:
    """Long frame (layer, value, series) of a measured column and its theory, finite values only."""
    layer = layers["layer"].to_numpy()
    shown = layer >= first_layer
    parts = [(layers[column].to_numpy(dtype=float)[shown], series)
             for column, series in ((measured, names["measured"]), (theory, names.get("theory"))) if column is not None]
    value = np.concatenate([values for values, _ in parts])
    finite = np.isfinite(value)
    series = [name for values, name in parts for _ in values]
    return pd.DataFrame({"layer": np.tile(layer[shown], len(parts))[finite], "value": value[finite],
                         "series": pd.array([name for name, keep in zip(series, finite) if keep], dtype="str")})


def branch_frame(layers: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """series_frame()'s rows for a residual stream's branch: std(α·r_l) per block l = 1..depth (core.residual's
    branch_std) and its theory (core.theory.predict_residual), as series names["measured"] and names["theory"];
    empty for a plain network (both are NaN there)."""
    return series_frame(layers, "branch_std", "predicted_branch_std", names, first_layer=1)


def panel_layers(depth: int, max_panels: int = MAX_PANELS) -> tuple[list[int], int]:
    """The layers the histograms show, every k-th ending at the last one, like the lecture's figure; and k.

    The input is not among them: the bins span the activation's range (tanh's ±1.0104), which the
    standard-normal input overflows.
    """
    k = max(1, math.ceil(depth / max_panels))
    return list(range(depth, 0, -k))[::-1], k


def histogram_frame(result, lang: str, max_panels: int = MAX_PANELS, layers: list[int] | None = None) -> pd.DataFrame:
    """Long frame for the histogram panels, one row a bar; layers past a break are left out.

    layers: panel_layers()' by default; [0] for the input alone, over its own range (Result.input_edges), the
    panels of one chart sharing one x axis.

    Columns: panel (the message "panel" in `lang`, "layer 3"), layer, start, end (the bar's x extent), share (of
    the layer's values), kind, bar (the height drawn), text (the share as the page writes it), label (written above
    the bar, else ""), short (the label's share alone, "0.14 %", for a panel too narrow for "> 3: 0.14 %"), side
    (where the label goes: "left" of the range's middle, from the bar's left edge on; "right", up to its right
    edge), low and high (the values the bar counts, as the page writes them, for its tooltip), axis_low and axis_high
    (the x axis's labelled ends, the same in every row: the bins' range, or a bounded f's bounds, Activation.bounds).

    kind "bin": a bin of core's histogram, without its values exactly 0 or beyond the range; "zero": the values
    exactly 0 (Result.hist_zeros: ReLU's floor, a zero init), a bar of its own one bin wide at 0, labelled on a side
    of its panel that no other label takes (both taken: a residual stream's rare exact 0 between its two tails);
    "under", "over": the values below or above the range (Result.hist_beyond: ReLU's tail past 3), a bar of
    their own half a bin outside it, labelled "> 3: 4.1 %", so that the tail does not look like a peak at the
    edge; "end": an end bin of an activation with a saturation rule (tanh, sigmoid: the histogram's range is
    f's, so the end bins hold its flat ends) more than SPIKE_RATIO times the tallest inner bin. A bar that is
    not a "bin" and is more than SPIKE_RATIO times the tallest other bar would flatten the layer's shape: it is
    drawn cut, CUT_HEIGHT times the tallest uncut bar, and labelled with its share.
    """
    layers = panel_layers(result.config.depth, max_panels)[0] if layers is None else layers
    edges = result.input_edges if layers == [0] else result.hist_edges
    lo, hi = float(edges[0]), float(edges[-1])
    n = len(edges) - 1
    width = (hi - lo) / n
    # the bin core's histogram counts 0 in (core.network._histogram), and the zero bar's place: at 0, or just
    # outside the range where 0 is its end (ReLU's [0, 3])
    zero_bin = int(min(max((0.0 - lo) * (n / (hi - lo)), 0), n - 1))
    zero_at = (lo - width, lo) if lo >= 0 else (hi, hi + width) if hi <= 0 else (-width / 2, width / 2)
    # f's flat ends, where the bins are f's (not the input's, nor a residual stream's, over ranges of their own)
    record = get(result.config.activation)
    ends = record.saturation is not None and layers != [0] and not result.config.residual
    # the x axis's ends: a bounded f's bounds (tanh's ±1, its bins reaching ±1.0104; sigmoid's 0 and 1, its end bins
    # holding the values past 0.0104 and 0.9896)
    axis_low, axis_high = record.bounds if ends and record.bounds else (lo, hi)
    low_text, high_text = format_value(lo), format_value(hi)
    # the bins' own columns, the same in every panel: written once
    bin_start, bin_end = edges[:-1].astype(float), edges[1:].astype(float)
    bin_low, bin_high = [format_value(v) for v in bin_start], [format_value(v) for v in bin_end]
    extras = (("zero", zero_at, ("0", "0")), ("under", (lo - 1.5 * width, lo - 0.5 * width), ("−∞", low_text)),
              ("over", (hi + 0.5 * width, hi + 1.5 * width), (high_text, "∞")))
    columns: dict[str, list] = {name: [] for name in ("panel", "layer", "start", "end", "share", "kind", "bar", "text",
                                                      "label", "short", "side", "low", "high")}
    for layer in layers:
        counts = result.hist_counts[layer].astype(float)
        total = counts.sum()
        if total == 0 or not np.isfinite(result.stats["act_std"][layer]):
            continue
        # the values exactly 0 are a bar of their own, but where they lie in an end bin of f's flat ends (sigmoid's
        # float32 zeros, past its 0.03): saturated values, which the end bin holds
        zeros = 0.0 if ends and zero_bin in (0, n - 1) else float(result.hist_zeros[layer])
        # core counts the values beyond the range in the end bins; where those are f's flat ends (ends), they stay
        # there, every value past the saturation rule's edge (core.activations.saturation_histogram: sigmoid's 0.01
        # below 0.0104), else they are a bar of their own
        below, above = (0.0, 0.0) if ends else (float(c) for c in result.hist_beyond[layer])
        counts[zero_bin] -= zeros
        counts[0] -= below
        counts[-1] -= above
        share = list(counts / total)
        kind = ["bin"] * n
        inner = max(share[1:-1], default=0.0)
        if ends and inner > 0:
            for i in (0, n - 1):
                if share[i] > SPIKE_RATIO * inner:
                    kind[i] = "end"
        start, end, low, high = [*bin_start], [*bin_end], [*bin_low], [*bin_high]
        for count, (name, at, span) in zip((zeros, below, above), extras):
            if count:
                share.append(count / total)
                kind.append(name)
                start.append(at[0])
                end.append(at[1])
                low.append(span[0])
                high.append(span[1])
        share_a, kind_a = np.array(share), np.array(kind, dtype=object)
        spike = kind_a != "bin"
        rest = share_a[~spike].max(initial=0.0)
        cut = spike & (share_a > SPIKE_RATIO * rest) & (rest > 0)
        top = share_a[~cut].max(initial=0.0)
        text = [format_share(v) for v in share]
        # the labels: a cut bar's share and the exact zeros' (the input's are written beside its panel,
        # summary.input_sentence, where they do not share the panel's right side with its "> 3" label); the values
        # beyond the range with their edge, "> 3: 4.1 %"
        label = []
        for i, written in enumerate(text):
            if kind[i] == "under":
                label.append(t(lang, "hist_under", edge=low_text, share=written))
            elif kind[i] == "over":
                label.append(t(lang, "hist_over", edge=high_text, share=written))
            elif kind[i] == "zero":
                label.append(written if layers != [0] else "")
            else:
                label.append(written if cut[i] else "")
        middle = (np.array(start) + np.array(end)) / 2
        side = np.where(middle < (lo + hi) / 2, "left", "right")
        # the exact zeros' bar in the middle of the range is labelled on the right, where the "> 3" tail's label is
        # (a residual stream's rare exact 0: "< 0.01 %" was written over "> 3: 24.6 %"): on the left where that
        # side has no label; where both have one, it is left to its tooltip (no room, and a bar under a pixel)
        for i in np.flatnonzero((np.array(kind) == "zero") & (np.array(label) != "")):
            taken = {str(side[j]) for j in range(len(label)) if j != i and label[j]}
            if side[i] in taken:
                free = {"left", "right"} - taken
                if free:
                    side[i] = free.pop()
                else:
                    label[i] = ""
        rows = len(share)
        columns["panel"] += [t(lang, "panel", n=layer)] * rows
        columns["layer"] += [layer] * rows
        columns["start"] += start
        columns["end"] += end
        columns["share"] += share
        columns["kind"] += kind
        columns["bar"] += list(np.where(cut, CUT_HEIGHT * top, share_a))
        columns["text"] += text
        columns["label"] += label
        columns["short"] += [written if mark else "" for written, mark in zip(text, label)]
        columns["side"] += list(side)
        columns["low"] += low
        columns["high"] += high
    columns["axis_low"], columns["axis_high"] = [axis_low] * len(columns["layer"]), [axis_high] * len(columns["layer"])
    return pd.DataFrame({name: np.array(values, dtype=float) if name in ("start", "end", "share", "bar", "axis_low",
                                                                          "axis_high")
                         else np.array(values, dtype=np.int64) if name == "layer" else values
                         for name, values in columns.items()})


def label_key(frame: pd.DataFrame, activation: str, lang: str) -> str:
    """What the numbers above histogram_frame's panels are, for a page that writes them as the shares alone ("46.6 %",
    the frame's "short"): a sentence naming each kind of labelled bar the panels hold (f's cut flat ends, the values
    exactly 0, those beyond either end of the range, with the end's value, both ends in one phrase), in the frame's
    order; "" when no panel has a label. activation: the network's (core.activations)."""
    labelled = frame[frame["short"] != ""]
    kinds = list(dict.fromkeys(labelled["kind"].tolist()))
    edges = {kind: labelled.loc[labelled["kind"] == kind, "low" if kind == "over" else "high"].iloc[0]
             for kind in ("under", "over") if kind in kinds}
    if len(edges) == 2:  # both ends in one phrase: the line is a presenter screen's scarcest room
        kinds = [kind for kind in kinds if kind != "over"]
    parts = []
    for kind in kinds:
        if kind == "end":
            parts.append(t(lang, "hist_key_end", activation=t(lang, f"act_{activation}"),
                           edges=end_edges(labelled, lang)))
        elif kind in edges:
            parts.append(t(lang, "hist_key_beyond", low=edges["under"], high=edges["over"]) if len(edges) == 2
                         else t(lang, f"hist_key_{kind}", edge=edges[kind]))
        else:
            parts.append(t(lang, f"hist_key_{kind}"))
    return t(lang, "hist_key", parts=join(lang, parts)) if parts else ""


def end_edges(frame: pd.DataFrame, lang: str) -> str:
    """Where the grey end bins of histogram_frame's panels start ("−0.97 and 0.97"): f's saturation rule's edges, so
    that an end bin holds the saturated values the page counts (core.activations.saturation_histogram)."""
    ends = frame[frame["kind"] == "end"]
    return join(lang, [ends.loc[ends["side"] == side, edge].iloc[0]
                       for side, edge in (("left", "high"), ("right", "low")) if (ends["side"] == side).any()])


def histogram_caption(frame: pd.DataFrame, activation: str, every: int, lang: str) -> str:
    """The caption under histogram_frame's panels: what a bar is, and where not every layer has a panel (every: one
    layer in `every`, panel_layers' k) the layers that have one; then a sentence for each kind of grey bar the panels
    hold: the values beyond the range (with one of the panels' own labels as the example), those exactly 0, f's cut
    flat ends, the saturated values (hist_ends, with SPIKE_RATIO)."""
    kinds = set(frame["kind"].tolist())
    shown = layers_named(lang, sorted(set(frame["layer"].tolist())))
    said = [t(lang, "hist_caption", every=t(lang, "hist_every", k=every, layers=shown) if every > 1 else "")]
    beyond = frame[frame["kind"].isin(["under", "over"])]
    if len(beyond):
        said.append(t(lang, "hist_beyond", example=beyond["label"].iloc[0]))
    if "zero" in kinds:
        said.append(t(lang, "hist_zeros"))
    if "end" in kinds:
        said.append(t(lang, "hist_ends", activation=t(lang, f"act_{activation}"), ratio=format_value(SPIKE_RATIO),
                      edges=end_edges(frame, lang)))
    return "".join(said)


def scheme_key(scheme: str) -> str:
    """A scheme's code (core.train.SCHEMES's "normal_0.01+bn") as a catalogue key's letters: its dot and plus as
    underscores ("normal_0_01_bn")."""
    return re.sub(r"[^a-z0-9_]", "_", scheme)


def scheme_name(scheme: str, lang: str, config=None) -> str:
    """A Compare scheme's name as the page writes it ("N(0, 0.01²) + batch norm" for "normal_0.01+bn"): the
    catalogue's schemes.name_<scheme_key>. OWN, the page's network that is none of them, is named by its init with
    its numbers, config's (summary.init_words: "this page: normal N(0, 0.05²)")."""
    code = scheme_key(scheme)
    if scheme == OWN:
        return t(lang, f"schemes.name_{code}", init=init_words(config, lang))
    return t(lang, f"schemes.name_{code}")


def compare_frame(results: dict, lang: str = "en", current: str | None = None) -> pd.DataFrame:
    """Long frame (scheme, name, layer, act_std, overflowed, underflowed, current, below, leaves, above, rises) over
    the Compare schemes, in the order given, and OWN, the page's network where it is none of them: name is the
    scheme's legend name in `lang` (scheme_name()), current marks the page's own scheme.

    A forward pass that left the float range (core.network.Break) has no statistics from its break's layer on: an
    overflow's layer is overflowed, marked on the axis's top edge (overflow_marks); an underflow's layer is
    underflowed, its values below the float's smallest normal number but not 0, marked on the bottom edge
    (underflow_marks); neither where the line was off the axis at the layer before. A std under the axis's floor
    (compare_window) is below, not drawn; a scheme's first such layer leaves, marked on the floor (floor_marks); one
    over its ceiling is above, not drawn, the first such layer rises, marked on the ceiling (ceiling_marks)."""
    parts = []
    for scheme, r in results.items():
        flags = {kind: np.zeros(r.config.depth + 1, bool) for kind in ("overflow", "underflow")}
        for b in forward_breaks(r):
            flags[b.kind][b.layer] = True
        parts.append(pd.DataFrame({"scheme": scheme, "name": scheme_name(scheme, lang, r.config),
                                   "layer": np.arange(r.config.depth + 1), "act_std": r.stats["act_std"],
                                   "overflowed": flags["overflow"], "underflowed": flags["underflow"],
                                   "current": scheme == current}))
    frame = pd.concat(parts, ignore_index=True)
    floor, ceiling = compare_window(frame)
    frame["below"] = (frame["act_std"] > 0) & (frame["act_std"] < floor)
    frame["above"] = frame["act_std"] > ceiling  # a NaN is in neither
    for side, first in (("below", "leaves"), ("above", "rises")):
        frame[first] = frame[side] & (frame.groupby("scheme", sort=False)[side].cumsum() == 1)
    # a break is marked where its line comes to it on the axis: a line off the axis at the layer before (step 10's
    # N(0, 0.01²), under the floor from layer 14, underflowing at layer 41) had its mark alone, far from it; the tab's
    # notes name the break's layer either way
    off = (frame["below"] | frame["above"]).groupby(frame["scheme"], sort=False).shift(1, fill_value=False)
    frame["overflowed"] &= ~off
    frame["underflowed"] &= ~off
    return frame


# The Compare chart's log axis spans at most this many decades, COMPARE_HEIGHT / 10: at least 10 px a decade, where
# a factor of 2 between two schemes is 3 px apart. Step 10's N(0, 0.01²) had stretched it to 10⁻³⁹ (40 decades), and
# the other five schemes, all between 0.067 and 1, were drawn as one band 12 px tall.
COMPARE_DECADES = 24
# Where the schemes would stretch the axis past COMPARE_DECADES, it holds as many of them whole as it can, and ends
# up to this many decades beyond them where others leave: a scheme falling away (or blowing up) is seen leaving,
# then marked where it crosses the axis's end.
FLOOR_DECADES = 3


def compare_window(frame: pd.DataFrame) -> tuple[float, float]:
    """The least and the largest std the Compare chart draws (frame: compare_frame's columns scheme, act_std and
    current): (0, inf), every positive std, where the schemes' stds span at most COMPARE_DECADES. Else the axis holds
    whole the most schemes that fit in COMPARE_DECADES together (of sets as large, one holding the page's own, then
    the one of the fewest decades: a page on N(0, 1) at depth 20 had held its own alone, and the other four under a
    floor of 1): every scheme starts at the input's std, so a deep ReLU net's N(0, 1) rising to 10²⁴
    and its N(0, 0.01²) falling to 10⁻¹⁷ cannot both be held, and He, Xavier and batch norm near 1 always are (the
    axis had kept to the highest scheme, and drawn N(0, 1) alone, the other four under its floor of 1). Beyond the
    held schemes the axis ends FLOOR_DECADES under their lowest decade where some scheme falls lower, and over their
    highest where some rises higher, within COMPARE_DECADES in all."""
    std = frame["act_std"].where(frame["act_std"] > 0)  # 0, NaN: not drawn on a log axis (zero_marks, a break)
    logs = np.log10(std).groupby(frame["scheme"], sort=False)
    low, high = logs.min().dropna(), logs.max().dropna()
    if low.empty or math.ceil(high.max()) - math.floor(low.min()) <= COMPARE_DECADES:  # decades() draws whole ones
        return 0.0, math.inf
    own = set(frame.loc[frame["current"], "scheme"]) & {
        s for s in low.index if math.ceil(high[s]) - math.floor(low[s]) <= COMPARE_DECADES}

    def rank(held: frozenset) -> tuple:
        span = high[list(held)].max() - low[list(held)].min() if held else math.inf
        return len(held), bool(own & held), -span
    windows = dict.fromkeys(  # from the lowest: of two sets ranked alike, the lower is held, whatever the hashes
        frozenset(s for s in low.index if low[s] >= bottom and high[s] <= bottom + COMPARE_DECADES)
        for bottom in range(math.floor(low.min()), math.ceil(high.max()) - COMPARE_DECADES + 1))
    held = [s for s in low.index if s in max(windows, key=rank)]
    if not held:  # every scheme spans more than the axis alone: from the highest decade down, as a floor
        top = math.ceil(high.max())
        return 10.0 ** (top - COMPARE_DECADES), math.inf
    bottom, top = math.floor(low[held].min()), math.ceil(high[held].max())
    spare = COMPARE_DECADES - (top - bottom)
    falls, rises = low.min() < bottom, high.max() > top  # some scheme past the held ones' whole decades
    down = min(FLOOR_DECADES, (spare + 1) // 2 if rises else spare) if falls else 0
    up = min(FLOOR_DECADES, spare - down) if rises else 0
    # a side is cut only where some scheme passes its end, not where the others stay within its margin
    return (10.0 ** (bottom - down) if low.min() < bottom - down else 0.0), \
        (10.0 ** (top + up) if high.max() > top + up else math.inf)


def forward_breaks(result) -> list:
    """The breaks (core.network.Break) that end a result's activations: its forward pass's."""
    return [b for b in result.breaks if b.stage == "forward"]


# ---------- charts ----------
# Every builder draws from the one frame it is given, and anything that depends on the data's values (log
# ticks, panel order, colour domain) comes from layout(), so a built chart can serve as a template for new
# data with the same layout (see template() and with_data()).

def layer(*subcharts: alt.TopLevelMixin, data=alt.Undefined, **properties) -> alt.LayerChart:
    """alt.layer(*subcharts, data=data, **properties), the spec it gives, made without Altair 6's cost of a shared
    frame. properties: the layer's own (title, width, height), given here rather than by .properties(), which copies
    the chart (replaced()'s note).

    Where the subcharts share one data frame (data, or all on the same one), Altair hoists it to the layer, but first
    names each subchart by a hash of its text, the frame's repr included (about 4 ms a subchart; the names only serve
    selections, which these charts have none of). Here each alt.Chart is handed over without it instead.
    """
    shared = data if data is not alt.Undefined else subcharts[0].data if subcharts else alt.Undefined
    if shared is alt.Undefined or not all(isinstance(c, alt.Chart) and (c.data is shared or c.data is alt.Undefined)
                                          for c in subcharts):
        return alt.layer(*subcharts, data=data, **properties)
    bare = []
    for chart in subcharts:
        chart = chart.copy(deep=False)
        chart.data = alt.Undefined
        bare.append(chart)
    return alt.layer(*bare, data=shared, **properties)


def theme(chart: alt.TopLevelMixin, size: float = LABEL_SIZE, parts: dict | None = None,
          **legend) -> alt.TopLevelMixin:
    """The page's one chart theme, for every tab's charts: projector-size fonts (size, LABEL_SIZE unless a page
    asks for larger, and titles TITLE_SIZE - LABEL_SIZE px above it), the legend below with its lines as thick as
    the curves, titles at the left; colours of text and grid are left to the Streamlit theme (light or dark); no two
    labels of an axis or a legend overlap. parts: more of Vega-Lite's config for one chart, by part ({"bar": {...}});
    legend: more of its legend settings (its orient too). The chart's own config, if any, is replaced."""
    # labels that would overlap are left out (Vega's greedy pass), at least LABEL_GAP px apart: a chart that
    # wants every label gives room for them (heatmap_chart's legend)
    return replaced(chart, config=alt.Config(
        axis={"labelFontSize": size, "titleFontSize": size, "labelOverlap": "greedy", "labelSeparation": LABEL_GAP},
        legend={"labelFontSize": size, "titleFontSize": size, "symbolStrokeWidth": 3, "labelOverlap": "greedy",
                "labelSeparation": LABEL_GAP, "orient": "bottom", **legend},
        title={"fontSize": size + TITLE_SIZE - LABEL_SIZE, "anchor": "start"},
        header={"labelFontSize": size, "titleFontSize": size},
        # Streamlit's theme sets labelFlush on every axis, which moved a y axis's end labels off their gridlines
        # ("0" half a line above its own, so that 0 to 0.2 looked shorter than the steps above it)
        axisY={"labelFlush": False}, **(parts or {})))


WIDE = "\u3000-\u9fff\uff00-\uffef"  # CJK characters and full-width punctuation: twice a Latin letter's width
TITLE_WIDTH = 34  # Latin letters in a line of a chart title in a narrow column (17 px type, ~340 px)


def title_lines(title: str, limit: int = TITLE_WIDTH) -> list[str]:
    """A chart title broken into lines of at most `limit` Latin letters' width (a CJK character counts two), after a
    space or a full-width comma, colon or bracket (never inside a word), for a chart in a narrow column: Vega cuts
    a one-line title at the chart's width ("Gradient std per layer, measured and p…"). A bracketed aside that fits a
    line starts one rather than breaking: "…奇异值 （256" had left its count's number alone at a line's end.

    As few lines as fit, and of those breaks the most even (the least sum of each line's squared room left, Knuth &
    Plass's measure without stretching), a line ending in punctuation (CLAUSE_ENDS) preferred by as much as half a
    line's room: filling each line in turn had left a word alone on a line ("Gradient std ∂L/∂z per" over "layer"),
    and evenness alone split "Residual stream" from "x: mean per layer". A piece wider than `limit` takes a line of
    its own."""
    tokens = title_tokens(title, limit)
    count = len(tokens)
    mid_clause = (limit // 2) ** 2  # the cost of a break that is not after punctuation

    def width(start: int, end: int) -> int:
        return letters("".join(tokens[start:end]).rstrip())

    # best[i]: (lines, raggedness, minus where the line ending at token i starts) for the tokens before i; between
    # breaks as even, the one with fuller lines first (the latest start)
    best: list[tuple[int, int, int]] = [(0, 0, 0)] + [(count + 1, 0, 0)] * count
    for end in range(1, count + 1):
        for start in range(end - 1, -1, -1):
            used = width(start, end)
            if used > limit and end - start > 1:
                break  # wider still with each piece before
            lines, ragged, _ = best[start]
            cost = max(limit - used, 0) ** 2 + (0 if end == count or tokens[end - 1].rstrip().endswith(CLAUSE_ENDS)
                                                else mid_clause)
            best[end] = min(best[end], (lines + 1, ragged + cost, -start))
    breaks, end = [], count
    while end > 0:
        start = -best[end][2]
        breaks.append("".join(tokens[start:end]).rstrip())
        end = start
    return [line for line in reversed(breaks) if line]


# px beside a plot that are not its own in a page's column: the y axis's title and labels, and Vega's padding
AXIS_ROOM = 80


def breaking_title(title: str, limit: int = TITLE_WIDTH, size: float = TITLE_SIZE) -> str | alt.TitleParams:
    """A chart's one-line title that the browser draws in its title_lines where the window is too narrow for it: a
    window less than the title's width at `size` px (text_width) beside the y axis (AXIS_ROOM) and an open sidebar
    (SIDEBAR_ROOM) wide, read when the chart is drawn (a Vega expression of windowSize(); no window, as in
    vl_convert's files: one line). Chosen by the window, not by what the browser says of itself: a 390 px window
    without a phone's User-Agent, or a laptop's 800 px one beside an open sidebar, had the one-line title cut and
    its plot squeezed to a quarter of the chart. The title itself where it is one line at `limit`; title_text
    reads either back."""
    lines = title_lines(title, limit)
    if len(lines) < 2:
        return title
    room = round(text_width(title, size) + AXIS_ROOM + SIDEBAR_ROOM)
    return alt.TitleParams(text=alt.ExprRef(f"windowSize()[0] > 0 && windowSize()[0] < {room} ? "
                                            f"{json.dumps(lines, ensure_ascii=False)} : "
                                            f"{json.dumps(title, ensure_ascii=False)}"))


def title_text(title, narrow: bool = False) -> str | list[str]:
    """A chart title as a spec holds it (a string, its lines, or {"text": ...}) as the browser draws it: on a wide
    window, or a `narrow` one (breaking_title's expression, whose two cases are JSON)."""
    text = title.get("text") if isinstance(title, dict) else title
    if isinstance(text, dict):  # breaking_title's {"expr": "windowSize()... ? [lines] : title"}
        lines, one = text["expr"].split(" ? ", 1)[1].rsplit(" : ", 1)
        return json.loads(lines if narrow else one)
    return text


CLAUSE_ENDS = (",", ":", ";", ")", "，", "：", "；", "。", "、", "）")  # a title's line ends best after one of these


def letters(text: str) -> int:
    """text's width in Latin letters: a CJK character or full-width mark counts two (WIDE)."""
    return len(text) + len(re.findall(f"[{WIDE}]", text))


# a bracketed aside, "(…)" after a space or "（…）", with the punctuation after it: no line starts with its comma
ASIDE = re.compile(r"((?:(?<=\s)|^)\([^()]*\)[^\s(（]*\s*|（[^（）]*）[，：。；、]?\s*)")


def title_tokens(title: str, limit: int) -> list[str]:
    """title's pieces that a line may end after (title_lines): each word with its space, each run ending in a
    full-width comma, colon, full stop or bracket, and whole each bracketed aside (ASIDE) no wider than `limit` (a
    wider one breaks as text does)."""
    tokens = []
    for part in re.split(ASIDE, title):
        aside = part.startswith(("(", "（")) and letters(part.rstrip()) <= limit
        tokens += [part] if aside else re.split(r"(?<=\s)|(?<=[，：。；）])", part)
    return [token for token in tokens if token]


def even_titles(titles: Sequence[str], limit: int = TITLE_WIDTH) -> list[list[str]]:
    """Titles of charts drawn side by side, each broken into lines (title_lines) and all ending in blank lines up to
    the longest's count, so that their plots start at one height: step 10's Gaussian spectrum, titled in four lines
    beside its twin's two, had its plot 60 px lower in presenter mode."""
    lines = [title_lines(title, limit) for title in titles]
    most = max(map(len, lines), default=0)
    return [[*each, *[""] * (most - len(each))] for each in lines]


def plot_height(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    """chart as wide as its column with a plot (the box inside the axes) `height` px tall: Streamlit otherwise fits
    the title, axes and legend into the height too (Vega's autosize "fit"), which left the Training tab's
    accuracy plot 90 px tall under its legend."""
    return replaced(chart, height=height, width="container",
                    autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour "#rrggbb" (0 black to 1 white)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, 1 to 21: (L_light + 0.05) / (L_dark + 0.05)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def coloured(spec: dict, mode: str | None) -> dict:
    """A chart's Vega-Lite dict with its text in TEXT_COLOURS[mode] ("light" or "dark") and its labels' halos (HALO)
    in PAGE_BACKGROUNDS[mode]; None leaves the colours to Streamlit's theme. The spec given is left as it is."""
    if mode is None:
        return spec
    colour = TEXT_COLOURS[mode]
    config = dict(spec.get("config", {}))
    for part, keys in (("axis", ("labelColor", "titleColor")), ("legend", ("labelColor", "titleColor")),
                       ("header", ("labelColor", "titleColor")), ("title", ("color", "subtitleColor")),
                       ("text", ("color",))):
        config[part] = {**config.get(part, {}), **dict.fromkeys(keys, colour)}
    config["style"] = {**config.get("style", {}), HALO: {"stroke": PAGE_BACKGROUNDS[mode]}}
    return {**spec, "config": config}


def number_expr(value: str, digits: int = 2, powers: bool = False, plain: bool = False) -> str:
    """A Vega expression writing the number `value` (an expression) as views.number_writing.format_value does: plain
    decimals in number_writing.PLAIN ("0.01", "1,200"), else "2.9 × 10⁻⁷", "10⁻⁷" for a power of ten; `digits`
    significant digits (d3-format's "~r"). powers: every nonzero number as a power of ten, 1 as "10⁰" (log_labels);
    plain: every number as a plain decimal ("0.0005", "20,000": linear_labels)."""
    exponent = f"floor(log(abs({value})) / LN10 + 1e-9)"
    if powers:  # a log axis's ticks are whole powers of ten; below float64's smallest normal number (a gradient's
        # zero band at 10⁻³²²) they are subnormal, 9.88 × 10⁻³²³ for 10⁻³²², and floor had written "10 × 10⁻³²³"
        exponent = f"(abs({value}) < 2.2250738585072014e-308 ? round(log(abs({value})) / LN10) : {exponent})"
    mantissa = f"format({value} / pow(10, {exponent}), '.{digits}~r')"
    # the exponent's sign apart: d3-format writes a negative number with U+2212, which read "10−⁴" after the digits
    # were raised
    power = f"format(abs({exponent}), 'd')"
    for digit, raised in zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"):
        power = f"replace({power}, regexp('{digit}', 'g'), '{raised}')"
    power = f"({exponent} < 0 ? '⁻' : '') + {power}"
    low, high = PLAIN
    written_plain = "true" if plain else f"{value} == 0" if powers else \
        f"({value} == 0 || (abs({value}) >= {low} && abs({value}) < {high}))"
    return (f"!isValid({value}) || !isFinite({value}) ? '—' : "
            f"{written_plain} ? format({value}, ',.{digits}~r') : "
            f"({mantissa} == '1' ? '' : {mantissa} + '{TIMES}') + '10' + {power}")


NUMBER_LABEL = number_expr("datum.value")  # an axis's tick labels, as the page writes numbers
POWER_LABEL = number_expr("datum.value", powers=True)  # a log axis's decades past number_writing.PLAIN: 10⁻¹, 10⁰, 10¹
PLAIN_LABEL = number_expr("datum.value", plain=True)  # a linear axis's ticks, all as plain decimals


def linear_labels(values) -> str:
    """A linear axis's tick labels, in one style for the axis, as log_labels gives a log axis's: its ticks are
    steps of one size from 0, so where they reach number_writing.PLAIN's range each is a plain decimal, those below its
    floor too (step 4's mean axis had read "5 × 10⁻⁴" beside "−0.001"); where every one stays under it, each in
    powers of ten ("2 × 10⁻⁵"), and past its top likewise ("2 × 10⁴", not "5,000" beside "10⁴").

    values: the data the axis spans (its ticks lie within a step of them); non-finite ones are left out."""
    top = np.abs(np.asarray(values, float))
    top = float(top[np.isfinite(top)].max(initial=0.0))
    low, high = PLAIN
    if top < low / 10:  # every tick under the plain range, written in powers by the page's own rule
        return NUMBER_LABEL
    return PLAIN_LABEL if top < high / 2 else number_expr("datum.value", powers=True)


def in_powers(ticks) -> bool:
    """Whether a log axis (or legend) with these tick values writes them as powers of ten: where any is outside
    number_writing.PLAIN. One style an axis: "1,000, 100, 10 … 10⁴, 10⁵" had mixed them."""
    low, high = PLAIN
    return not all(low <= abs(tick) < high for tick in ticks)


def log_labels(ticks, powers: bool | None = None) -> str:
    """The label expression of a log axis (or legend) with these tick values: every tick as a power of ten
    (POWER_LABEL) where in_powers, else as the page writes numbers (NUMBER_LABEL); powers, where given, is the style
    of a row of charts read side by side (row_powers) instead of this axis's own."""
    return POWER_LABEL if (in_powers(ticks) if powers is None else powers) else NUMBER_LABEL


def row_powers(*axes: tuple[str, pd.DataFrame, dict]) -> bool:
    """Whether log axes drawn side by side, each (builder kind, frame, options) as draw() takes them, write their
    ticks as powers of ten: where any one's ticks would (in_powers). One style a row: the Gradients tab's std axis
    read 10⁻¹ … 10⁵ beside the update ratio's 0.001 … 1,000."""
    return any(in_powers(layout(kind, frame, **options)[0][0]) for kind, frame, options in axes)


def share_expr(value: str) -> str:
    """A Vega expression writing the fraction `value` (an expression) as a percentage as
    views.number_writing.format_share does, with the page's space before the sign: "33.3 %", "0.14 %", "< 0.01 %",
    "> 99.9 %", "100 %" (Vega's own "%" formats write "33.3%"). One decimal is rounded as JavaScript's toFixed does,
    which differs from Python's only at a tie (12.25 % exactly)."""
    percent = f"(100 * {value})"
    tenths = f"format({percent}, '.1f')"
    return (f"!isValid({value}) || !isFinite({value}) ? '—' : "
            f"({percent} == 0 || {percent} == 100) ? format({percent}, 'd') + '{PERCENT}' : "
            f"abs({percent}) < {SHARE_FLOOR} ? '<{NBSP}{format_value(SHARE_FLOOR)}{PERCENT}' : "
            f"abs({percent}) < 1 ? format({percent}, '.2~r') + '{PERCENT}' : "
            f"{tenths} == '100.0' ? '>{NBSP}99.9{PERCENT}' : "
            f"(slice({tenths}, -2) == '.0' ? slice({tenths}, 0, -2) : {tenths}) + '{PERCENT}'")


SHARE_LABEL = share_expr("datum.value")  # an axis's tick labels of shares, as the page writes them: 25 %


def written(chart: alt.Chart, *fields: str) -> alt.Chart:
    """chart with a field "<name>_text" for each of `fields`: the number as the page writes it (3 digits), for
    tooltips, which cannot format 2.94 × 10⁻⁷ themselves."""
    return chart.transform_calculate(**{f"{name}_text": number_expr(f"datum['{name}']", 3) for name in fields})


# Where values are exactly 0, the log axis reaches this many decades below its lowest tick: zero_marks' triangles
# sit there, under every tick. On the lowest tick they read as its value: step 1's nine zeros on the line labelled
# "1", beside layer 10's gradient of 1.
ZERO_BAND = 0.5
FLOAT_MAX = float(np.finfo(np.float64).max)
TOP_DECADE = math.floor(math.log10(FLOAT_MAX))  # 308: the largest power of ten float64 holds
LEAST_FLOAT = float(np.nextafter(0.0, 1.0))  # 5 × 10⁻³²⁴, float64's least positive (subnormal) number
BOTTOM_DECADE = math.ceil(math.log10(LEAST_FLOAT))  # -323: the least power of ten float64 holds, as a subnormal


def decades(values, bottom_marks: bool = False, room: float | None = None,
            size: float = LABEL_SIZE) -> tuple[tuple[float, ...], tuple[float, float]]:
    """Tick values at whole powers of ten (at most ~9 of them) and the domain of the log axis: from the lowest tick
    to the highest, or with values exactly 0 among them, or other marks on the bottom edge (bottom_marks), from
    ZERO_BAND decades below the lowest tick. room: on an x axis, the plot's width in px, along which the ticks' labels
    (as the page writes them, at `size` px) then stand LABEL_GAP apart or more: Vega's overlap pass had dropped
    labels of different widths unevenly (10⁻¹³, 10⁻⁹, 10⁻⁷, 10⁻⁵, 0.1, 10)."""
    v = np.asarray(values, float)
    zeros = bottom_marks or bool((v == 0).any())
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = -1, 0
    if v.size:
        lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
        if hi == lo:
            lo -= 1
    step = max(1, math.ceil((hi - lo) / 8))
    held = range(max(lo, BOTTOM_DECADE), min(hi, TOP_DECADE) + 1)  # the powers of ten a float64 holds
    if room is not None:  # two neighbours' centres at least 1.5 labels apart: an end label is flush, not centred
        widest = max(text_width(format_value(10.0**e), size) for e in held)
        per_decade = room / (hi - lo + (ZERO_BAND if zeros else 0))
        while step < hi - lo and step * per_decade < 1.5 * widest + LABEL_GAP:
            step += 1
        # the multiples of step, so that 1 is a tick wherever the range holds it (a spectrum's isometry is at s = 1)
        ticks = tuple(10.0**e for e in held if e % step == 0)
    else:
        ticks = tuple(10.0**e for e in held if (e - lo) % step == 0)
    # the domain ends at 10^hi, above the last tick where the ticks skip decades: the largest value stays inside. No
    # float is 10³⁰⁹: a value past 10³⁰⁸ (std 100 weights on a linear network of width 500, whose 10.0**309 had raised
    # OverflowError) has no tick above it, and the domain ends at float64's largest number
    top = 10.0**hi if hi <= TOP_DECADE else FLOAT_MAX
    # and no float is 10⁻³²⁴: below 10⁻³²³ the domain starts at the least float64 above 0 (a theory's gradient of
    # 5 × 10⁻³²⁴ had made a log axis's domain start at 0, with a tick there)
    bottom = 10.0 ** (lo - ZERO_BAND) if zeros else 10.0**lo
    return ticks, (max(bottom, LEAST_FLOAT), top)


def _log_y(field: str, title: str, ticks: tuple, powers: bool | None = None) -> alt.Y:
    values, domain = ticks
    return alt.Y(field).title(title).scale(type="log", domain=list(domain), nice=False).axis(
        values=list(values), labelExpr=log_labels(values, powers))


def y_ticks(text_scale: str = "1") -> alt.ExprRef:
    """A linear y axis's ticks: Vega-Lite's own count for the plot's height (one a 40 px), at least 3 on a short plot,
    to which the scale's domain is also made nice, so that it ends on a tick above the data (Vega's nice of 10 ticks
    ended step 10's axis at 0.13, over its top tick of 0.1 and under the curve at 0.125). text_scale: a Vega expression
    of how much larger than its size the chart's text is drawn (presenter mode's on a large screen), the ticks as much
    further apart: 40 px held 28.5 px labels only just, and where a taller plot took a tick more, Vega's greedy pass
    hid every second label, the top one with it, and the layout kept the title above the chart's box."""
    return alt.ExprRef(f"max(3, ceil(height / 40 / ({text_scale})))")


def _linear_y(field: str, title: str, values, y_max: float | None = None, text_scale: str = "1") -> alt.Y:
    """A linear y axis from 0 whose top tick is at or above every value (y_ticks), its labels in one style
    (linear_labels of the values, y_max among them); y_max: the domain's end before it is made nice (two charts side
    by side read on one scale); text_scale: y_ticks'."""
    ticks = y_ticks(text_scale)
    scale = alt.Scale(nice=ticks) if y_max is None else alt.Scale(domain=[0, y_max], nice=ticks)
    labels = linear_labels([*np.asarray(values, float), *([] if y_max is None else [y_max])])
    return alt.Y(field).title(title).scale(scale).axis(labelExpr=labels, tickCount=ticks)


def _x_layer(title: str | None, layers: tuple[int, int] | None = None) -> alt.X:
    """The layer axis (untitled where title is None); given the first and last layer drawn (layout()), its domain is
    set, not taken from the data: a layer of a chart with no rows (no value exactly 0) would otherwise make Vega warn
    of an infinite extent."""
    x = alt.X("layer:Q").title(title).axis(tickMinStep=1, format="d")
    return x if layers is None else x.scale(domain=list(layers), nice=False)


def layer_span(layers) -> tuple[int, int]:
    """The first and last layer of a frame's rows, for _x_layer."""
    layers = np.asarray(layers)
    return (int(layers.min()), int(layers.max())) if layers.size else (0, 1)


def edge_marks(rows: alt.Chart, at: float, label: str, top: bool = False, **place) -> list[alt.Chart]:
    """rows' values a log axis cannot draw, each as a triangle on the axis's edge (at: the domain's end) pointing out
    of the plot, `label` written beside it inside, in the curve's colour, with the curve's tooltip; place: the
    label's mark_text options (align, dx, dy) where the line's last point would cover it."""
    y = alt.Y(datum=at)
    text = rows.mark_text(**{"dy": 15 if top else -15, **place}, fontSize=LABEL_SIZE, fontWeight="bold").encode(
        y, alt.Text(datum=label))
    text.encoding.strokeDash = alt.Undefined  # a text has no dash; Vega-Lite warns of one it drops
    shape = "triangle-up" if top else "triangle-down"
    return [rows.mark_point(shape=shape, filled=True, size=150, opacity=1).encode(y), text]


def zero_marks(base: alt.Chart, field: str, bottom: float) -> list[alt.Chart]:
    """Where `field` is exactly 0, which a log axis cannot draw: a triangle on the axis's bottom edge (bottom, the
    domain's low end, below every tick: decades) pointing down, "0" written above it (edge_marks)."""
    return edge_marks(base.transform_filter(alt.datum[field] == 0), bottom, "0")


def floor_marks(base: alt.Chart, floor: float) -> list[alt.Chart]:
    """Where a scheme's std first falls under the axis's floor (compare_frame's leaves): a triangle on the floor (its
    lowest tick) pointing down, "< floor" written above it to its right, clear of the line's last point above the
    floor a layer before (edge_marks)."""
    return edge_marks(base.transform_filter(alt.datum.leaves), floor, f"< {format_power(floor)}", align="left", dx=2)


def ceiling_marks(base: alt.Chart, ceiling: float) -> list[alt.Chart]:
    """Where a scheme's std first rises over the axis's ceiling (compare_frame's rises): a triangle on the ceiling
    (its highest tick) pointing up, "> ceiling" written under it to its right (edge_marks)."""
    return edge_marks(base.transform_filter(alt.datum.rises), ceiling, f"> {format_power(ceiling)}", top=True,
                      align="left", dx=2)


def overflow_marks(base: alt.Chart, top: float) -> list[alt.Chart]:
    """Where a frame's row is overflowed (compare_frame: the values left the float range), which no axis can draw:
    a triangle on the axis's top edge (top, the domain's high end) pointing up, "∞" written under it (edge_marks)."""
    return edge_marks(base.transform_filter(alt.datum.overflowed), top, "∞", top=True)


def std_axis(log_span: tuple[float, ...] | None, y_max: float | None) -> dict:
    """line_chart's y axis for std charts that may share it: a log axis holding log_span where one is given (the
    Activations tab's Log scale), else a linear one from 0 to y_max."""
    return {"log": True, "log_span": log_span} if log_span is not None else {"log": False, "y_max": y_max}


def log_span_of(frames: list[pd.DataFrame]) -> tuple[float, ...]:
    """What line charts on one log axis hold between them, in few numbers (a chart's options are its template's key):
    the smallest and largest positive finite value, and 0 where any value is exactly 0 (decades() then leaves room
    below the lowest tick for its marks)."""
    values = pd.concat([f["value"] for f in frames]).to_numpy(float)
    positive = values[np.isfinite(values) & (values > 0)]
    span = (float(positive.min()), float(positive.max())) if positive.size else ()
    return span + ((0.0,) if (values == 0).any() else ())


def underflow_marks(base: alt.Chart, bottom: float, label: str) -> list[alt.Chart]:
    """Where a frame's row is underflowed (compare_frame: every value below the float's smallest normal number, not
    0, so not zero_marks' "0"): a triangle on the axis's bottom edge pointing down, `label` written to its right."""
    return edge_marks(base.transform_filter(alt.datum.underflowed), bottom, label, align="left", dx=12, dy=-4)


def layout(kind: str, frame: pd.DataFrame, **options) -> tuple:
    """What of a chart's spec depends on the data's values; charts with equal layouts differ only in data."""
    if kind == "line":  # log_span: values another chart on the same log axis holds (two steps side by side)
        return (decades([*frame["value"], *options.get("log_span", ())]) if options.get("log") else ()), \
            layer_span(frame["layer"])
    if kind == "histogram":
        kind = frame["kind"].to_numpy()
        bins = (kind == "bin") | (kind == "end")  # the range of core's bins, not the bars beside it
        lo, hi = float(frame["start"].to_numpy()[bins].min()), float(frame["end"].to_numpy()[bins].max())
        low, high = float(frame["axis_low"].iloc[0]), float(frame["axis_high"].iloc[0])  # histogram_frame's
        return (tuple(dict.fromkeys(frame["panel"])), lo, hi, (low, (low + high) / 2, high),
                *label_layout(frame, options.get("panel_width", PANEL[0]), options.get("label_rows", 2),
                              options.get("size", LABEL_SIZE)))
    if kind == "mean":
        return (layer_span(frame["layer"]),)
    if kind == "ratio":  # the layers that have weights, 1 to depth, whether or not their ratio is defined
        return decades(frame["grad_data_ratio"]), layer_span(frame.loc[frame["layer"] >= 1, "layer"])
    if kind == "compare":  # the axis from its floor to its ceiling (compare_window), a std past one marked there
        floor, ceiling = compare_window(frame)
        return (tuple(dict.fromkeys(zip(frame["scheme"], frame["name"]))),
                decades(frame["act_std"].where(~frame["below"], floor).where(~frame["above"], ceiling),
                        bottom_marks=bool(frame["underflowed"].any())), layer_span(frame["layer"]))
    return ()


LEGEND_TOP_OFFSET = 4  # px between a legend over the plot and the plot: Vega's 18 took the plot's height
LEGENDS = {"top": {"orient": "top", "offset": LEGEND_TOP_OFFSET}}  # line_chart's legends other than the theme's


def line_chart(frame: pd.DataFrame, *, colour: str, title: str | list[str], y_title: str, log: bool,
               names: dict[str, str], layer_title: str, series_title: str = "curve", y_max: float | None = None,
               layer_axis_title: bool = True, size: float = LABEL_SIZE, text_scale: str = "1",
               legend: str = "bottom", plot: int | None = None, log_span: tuple[float, ...] = (),
               powers: bool | None = None) -> alt.LayerChart:
    """Measured values per layer (solid, with points) and the theory (dashed grey, on top); log or linear y.

    frame: series_frame(); with names["branch"] and names["branch_theory"], the rows of those series (a residual
    stream's branch beside the stream, and its theory: branch_frame()) are a thinner solid line in branch_colour(colour)
    with hollow points and a dashed one in the same colour. On a log axis,
    rows with value <= 0 are left out of the curves and a value exactly 0 is
    marked on the axis's bottom edge (zero_marks). The tooltip names each field with the axis titles. y_max: a
    linear axis from 0 to it (two charts side by side read on one scale). layer_axis_title: the layer axis titled
    (layer_title), or only numbered where the chart's title says "per layer" and the height is short. title: one
    line, or lines (title_lines). size: its text's (theme's), px; text_scale: y_ticks' (a linear axis's). legend:
    "bottom" (a branch's four entries in two columns), or "top", between the title and the plot, where the plot keeps
    the column's width and the chart beside has a title a line longer. plot: the plot's height, px, its title, axes
    and legend around it (plot_height); by default the whole chart is HEIGHT px, as Streamlit fits it. log_span: on a
    log axis, values besides the frame's that the axis holds (log_span_of the charts that share it); powers: its tick
    style, a row's (row_powers), or its own (None).
    """
    branch, branch_theory = names.get("branch"), names.get("branch_theory")
    series = [names["measured"], names["theory"], *([branch, branch_theory] if branch else [])]
    ticks, layers = layout("line", frame, log=log, log_span=log_span)
    beside = branch_colour(colour)  # a branch's line and its theory's
    y = _log_y("value:Q", y_title, ticks, powers) if log else \
        _linear_y("value:Q", y_title, frame["value"], y_max, text_scale)
    base = written(alt.Chart(frame), "value").encode(
        _x_layer(layer_title if layer_axis_title else None, layers),
        y,
        # the legend draws each series as its line, solid or dashed, not as the measured layer's dot
        alt.Color("series:N").title(None).scale(domain=series,
                                                range=[colour, THEORY_COLOUR, beside, beside][:len(series)])
        .legend(symbolType="stroke", symbolSize=400,
                # over the plot: one row where the entries fit its width, else as many columns as fit; a branch's
                # four under it: the stream's two above the branch's two where two columns fit (presenter mode's
                # narrow std chart at 1,024 px had cut "branch theory" to "branch theor"), else one
                **({"columns": legend_columns(series, 400, size)} if legend == "top"
                   else {"columns": legend_columns(series, 400, size, most=2)} if branch else {})),
        alt.StrokeDash("series:N").title(None).scale(domain=series,
                                                     range=[[1, 0], [7, 5], [1, 0], [7, 5]][:len(series)]),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("value_text:N", title=y_title)],
    )
    zeros = zero_marks(base, "value", ticks[1][0]) if log else []
    if log:
        base = base.transform_filter(alt.datum.value > 0)
    measured = base.transform_filter(alt.datum.series == names["measured"])
    theory = base.transform_filter(alt.datum.series == names["theory"])
    # the theory is drawn last, dashed and thinner, so it stays visible where it matches the measurement
    marks = [measured.mark_line(strokeWidth=4), measured.mark_point(filled=True, size=POINT_SIZE, opacity=1)]
    if branch:  # under the theory, thinner than the stream
        branches = base.transform_filter(alt.datum.series == branch)
        marks += [branches.mark_line(strokeWidth=2.5), branches.mark_point(filled=False, size=60, opacity=1),
                  base.transform_filter(alt.datum.series == branch_theory).mark_line(strokeWidth=2)]
    chart = layer(*marks, theory.mark_line(strokeWidth=2.5), *zeros, title=title, height=HEIGHT, width="container")
    if plot is not None:
        chart = plot_height(chart, plot)
    return theme(chart, size, **LEGENDS.get(legend, {}))


def mean_chart(frame: pd.DataFrame, *, colour: str, title: str, y_title: str, layer_title: str,
               measured: str | None = None, plot: int | None = None) -> alt.LayerChart:
    """The activation mean per layer, measured only (the wide-network theory of a mean is 0 for odd f).

    frame: layer_frame(); its layer axis spans its layers (the std chart's beside it), not Vega's rounded one (65 of
    64 layers). measured: the series' name, given where the std chart beside has its legend over its plot
    (line_chart's legend="top"): the mean's one entry over its plot too, so that the two plots are one height. plot:
    the plot's height, px (line_chart's).
    """
    (layers,) = layout("mean", frame)
    base = written(alt.Chart(frame), "act_mean").encode(
        _x_layer(layer_title, layers),
        alt.Y("act_mean:Q").title(y_title).axis(labelExpr=linear_labels(frame["act_mean"])),
        tooltip=[alt.Tooltip("layer:Q", title=layer_title), alt.Tooltip("act_mean_text:N", title=y_title)],
    )
    if measured is None:
        line, point = {"color": colour}, {"color": colour}
    else:  # one series, coloured by the scale so that it has a legend entry (a Vega string literal: JSON's quoting)
        base = base.transform_calculate(series=json.dumps(measured)).encode(
            alt.Color("series:N").title(None).scale(domain=[measured], range=[colour])
            .legend(symbolType="stroke", symbolSize=400))
        line, point = {}, {"opacity": 1}
    chart = layer(base.mark_line(strokeWidth=3, **line), base.mark_point(filled=True, size=80, **point), title=title,
                  height=HEIGHT, width="container")
    if plot is not None:
        chart = plot_height(chart, plot)
    return theme(chart, **(LEGENDS["top"] if measured is not None else {}))


def histogram_chart(frame: pd.DataFrame, *, colour: str, title: str, share_title: str, columns: int = 5,
                    panel_width: int = PANEL[0], panel_height: int = PANEL[1], layer_title: str = "layer",
                    bin_titles: tuple[str, str] = ("bin from", "bin to"), label_rows: int = 2,
                    subtitle: str = "", size: float = LABEL_SIZE, phone_columns: int | None = None,
                    fit: bool = False, phone: bool = False) -> alt.FacetChart:
    """The lecture's figure: one histogram per layer, same x axis in every panel, each panel's own y.

    frame: histogram_frame(). The panels have no y axis: each is scaled to its own bars, a bar that would
    flatten the others drawn cut in SPIKE_COLOUR with its share written above the plot, as are the values exactly 0
    and those beyond the range (label_layout: in one row or two, in full or the share alone, so that no label
    leaves its panel or meets another; label_rows: at most that many rows where the short labels allow); the
    tooltip gives every bar's share. subtitle: a line under the title (label_key's, where the labels are the shares
    alone and no caption says what they are), wrapped to the panels' width. Five panels in a row fit a laptop's
    width. Each panel has its own x axis (same scale), so a last row that is not full still reads. size: its text's
    (theme's), px. phone_columns: the panels in a row on a window PHONE_WIDTH wide or less, `columns` on a wider one
    (screen_columns); fit: on a wider window, as many as the page's column holds, up to `columns` (a desktop window
    narrowed: an 800 px window's 430 px column had shrunk five panels' 11 px text to 6 px). phone: the page's browser
    is a phone's (present.on_phone), whose grid is phone_columns wide: the subtitle is wrapped to that (wrapped to
    five panels, it had made presenter mode's figure twice the grid's width on a phone, its text scaled to 10 px).
    """
    order, lo, hi, ticks, field, rows = layout("histogram", frame, panel_width=panel_width, label_rows=label_rows,
                                        size=size)
    row_height = size + LABEL_LEADING
    x_scale = alt.Scale(domain=list(x_domain(lo, hi)), nice=False)
    y = alt.Y("bar:Q").title(share_title).axis(None).scale(nice=False)
    # one layer of bars, grey where the bar is not a bin: a facet's layer with no rows in a panel makes Vega warn
    # Vega-Lite measures a binned bar's width (for its minBandSize) from the field "<x>_end", as its own bin transform
    # names the end: "start_end", here the bar's end
    bars = alt.Chart(frame).transform_calculate(start_end="datum.end").mark_bar(binSpacing=0).encode(
        alt.X("start:Q").bin("binned").title(None).scale(x_scale).axis(values=list(ticks),
                                                                      labelExpr=linear_labels(ticks)),
        alt.X2("end:Q"),
        y,
        color=alt.when(alt.datum.kind == "bin").then(alt.value(colour)).otherwise(alt.value(SPIKE_COLOUR)),
        tooltip=[alt.Tooltip("panel:N", title=layer_title), alt.Tooltip("low:N", title=bin_titles[0]),
                 alt.Tooltip("high:N", title=bin_titles[1]), alt.Tooltip("text:N", title=share_title)],
    )
    # the labels above the plot, where no bar is, on their bar's side: a left one from the panel's left edge on, a
    # right one up to its right edge, each side in a row of its own where one row cannot hold both; every row of a
    # side is in its layer (most with no label), so that no panel's layer is empty
    labels = [alt.Chart(frame).transform_filter(alt.datum.side == side).mark_text(
        align=side, baseline="bottom", fontSize=size, fontWeight="bold").encode(
        alt.X(value=x), alt.Y(value=-2 - row * row_height), alt.Text(f"{field}:N"))
        for side, x, row in (("left", 0, 0), ("right", panel_width, rows - 1))]
    chart = layer(bars, *labels, width=panel_width, height=panel_height)
    # the header LABEL_LEADING px above the labels' rows, which Vega counts in a panel's bounds: a padding of their
    # height put it a row higher, that row empty. The facet's resolve and title given at once: each of Altair's
    # resolve_*() and properties() copies the chart (replaced()'s note)
    faceted = chart.facet(
        alt.Facet("panel:N").sort(list(order)).title(None).header(labelFontSize=size, labelFontWeight="bold",
                                                                   labelPadding=LABEL_LEADING),
        columns=columns, resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent"),
                                             axis=alt.AxisResolveMap(x="independent")),
        title=_titled(title, wrapped(subtitle, _grid_width(len(order), phone_columns if phone and phone_columns
                                                           else columns, panel_width), size), size))
    # a bar that is no bin at least MIN_BAR_PX wide, about its own middle: one bin is 2 px of a 110 px panel, and
    # step 1's exact zeros, all of every layer, were a hairline (Vega-Lite's minBandSize, read per bar; in brackets:
    # Vega-Lite writes it into its own expression as it is)
    if phone_columns is not None:
        faceted.columns = screen_columns(phone_columns, columns, panel_width if fit else None)
    return theme(faceted, size, {"bar": {"minBandSize": alt.ExprRef(f"(datum.kind === 'bin' ? 0 : {MIN_BAR_PX})")}})


# px: the widest window drawn as a phone's: Streamlit's own breakpoint for its columns (theme breakpoints.columns),
# at which they stack, and the page's CSS for a phone (views/present.py's @media (max-width:640px))
PHONE_WIDTH = 640


def screen_columns(phone: int, wide: int, panel_width: float | None = None) -> dict:
    """A facet's panels in a row as a Vega signal of the window's width, read when the chart is drawn: `phone` on a
    window PHONE_WIDTH wide or less, `wide` on a wider one and where there is no window (vl_convert's files, whose
    windowSize() is [-1, -1]). Chosen by the width, not by what the browser says of itself: a phone whose User-Agent
    lacks "Mobile" had been given five panels in a row shrunk to its 390 px. Vega-Lite passes the signal on to
    Vega's layout as it is.

    panel_width (px): on a wider window, the most panels of that width that the page's column holds beside an open
    sidebar (SIDEBAR_ROOM less), from 1 to `wide`, so that a desktop window narrowed keeps the panels' text at its
    size (five panels in an 800 px window's 430 px column had 6 px text). The window, not the chart's box: Vega
    reads containerSize() as 0 when Streamlit draws a chart."""
    phone_rule = f"windowSize()[0] > 0 && windowSize()[0] <= {PHONE_WIDTH} ? {phone} : "
    if panel_width is None:
        return {"signal": phone_rule + f"{wide}"}
    room = f"windowSize()[0] - {SIDEBAR_ROOM} - 2 * {FACET_PADDING} + {FACET_SPACING}"
    fitting = f"clamp(floor(({room}) / ({panel_width!r} + {FACET_SPACING})), 1, {wide})"
    return {"signal": phone_rule + f"windowSize()[0] > 0 ? {fitting} : {wide}"}


FACET_SPACING = 20  # px between a facet's panels: Vega-Lite's default
FACET_PADDING = 5  # px around a chart: Vega-Lite's default padding
# px of a desktop window that are not the page's column when the sidebar is open: Streamlit 1.67's sidebar (320 px)
# and the page's padding either side (1.5 rem of 17 px, views/present.py's CSS up to 1,400 px; wider windows hold
# five panels whatever their padding)
SIDEBAR_ROOM = 371


def _grid_width(panels: int, columns: int, panel_width: float) -> float:
    """px: the width of a facet's plots, `panels` of them in rows of `columns`."""
    across = max(1, min(panels, columns))
    return across * panel_width + (across - 1) * FACET_SPACING


def wrapped(text: str, width: float, size: float = LABEL_SIZE) -> list[str]:
    """text in lines at most `width` px wide at `size` px type (text_width), broken between words, or between any two
    CJK characters; a word wider than `width` keeps a line of its own."""
    lines = [""]
    for piece in re.findall(f"[{WIDE}][^{WIDE}\\s]*|[^{WIDE}\\s]+\\s*|\\s+", text):
        if lines[-1] and text_width((lines[-1] + piece).rstrip(), size) > width:
            lines.append("")
        lines[-1] += piece if lines[-1] or not piece.isspace() else ""
    return [line.rstrip() for line in lines if line.strip()]


def _titled(title: str, subtitle: list[str], size: float = LABEL_SIZE) -> str | alt.Title:
    """A chart's title with lines of `size` px type under it; the lines alone where the title is empty (Vega draws
    no subtitle without a title)."""
    if not subtitle:
        return title
    if not title:
        return alt.Title(subtitle, fontSize=size, fontWeight="normal")
    return alt.Title(title, subtitle=subtitle, subtitleFontSize=size)


def x_domain(lo: float, hi: float) -> tuple[float, float]:
    """A histogram panel's x domain: the range [lo, hi] and 4 % either side, which keeps a saturated end bin, the
    zero bar of ReLU's [0, 3] and the tail past 3 in view."""
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """A bold label's estimated width in px at `size` px type (EM_WIDE, EM_SPACE, EM_OTHER a character)."""
    wide = len(re.findall(f"[{WIDE}]", text))
    spaces = len(re.findall(r"\s", text))
    return size * (EM_WIDE * wide + EM_SPACE * spaces + EM_OTHER * (len(text) - wide - spaces))


# A colour legend entry's width beside its label's, px: the symbol (a stroke of sqrt(symbolSize) px), Vega's
# labelOffset (4) and a little to spare; and the padding between two columns (Vega's columnPadding)
LEGEND_ENTRY = 8
LEGEND_COLUMN_GAP = 10


def legend_columns(names: list[str], symbol_size: float = 100, size: float = LABEL_SIZE,
                   most: int | None = None) -> alt.ExprRef:
    """A colour legend's `columns` as a Vega expression of the plot's width (its `width` signal, a chart of
    width="container"): one row (0) where every entry fits, else the most columns that fit, at least one, so that a
    phone's narrow plot stacks the entries instead of running them past its right edge. Entries fill the columns
    row by row and each column is as wide as its widest entry (Vega's legend gridAlign "each"), so c columns take
    the sum of those widths and c - 1 gaps, not c times the widest entry. Entries are measured as bold labels
    (text_width at the legend's `size` px), a little over Vega's regular ones. most: at most this many columns,
    never one row (a residual stream's four entries, the stream's two above the branch's two)."""
    entries = [text_width(name, size) + math.sqrt(symbol_size) + LEGEND_ENTRY for name in names]

    def needs(columns: int) -> float:
        return sum(max(entries[j::columns]) for j in range(columns)) + (columns - 1) * LEGEND_COLUMN_GAP

    fits = "".join(f"width >= {needs(c):.0f} ? {c} : " for c in range(most or len(entries) - 1, 1, -1))
    return alt.ExprRef(f"{fits}1" if most else f"width >= {needs(len(entries)):.0f} ? 0 : {fits}1")


def label_layout(frame: pd.DataFrame, panel_width: float, rows: int = 2, size: float = LABEL_SIZE) -> tuple[str, int]:
    """How histogram_chart writes the labels: the field ("label", "> 3: 0.14 %", or where one is wider than a panel,
    "short", "0.14 %") and the rows above the plot (1, or 2 where a panel's left and right labels would meet).
    rows 1: the short labels in one row where the full ones would take two (each row is a line of the chart's
    height; presenter mode's screen has no line to spare), two rows only where even those meet.

    A left label runs from the panel's left edge, a right one up to its right edge: the two of a panel meet where
    their widths (text_width at `size` px) and LABEL_GAP add up to more than the panel's width (one_row_width)."""
    found = []  # (field, rows) of each field whose every label fits a panel
    for field in ("label", "short"):
        widest = widest_labels(frame, field, size)
        if field == "label" and any(width > panel_width for width in widest.values()):
            continue
        found.append((field, 1 if one_row_width(widest) <= panel_width else 2))
    return next((choice for choice in found if choice[1] <= rows), found[0])


def widest_labels(frame: pd.DataFrame, field: str, size: float = LABEL_SIZE) -> dict[tuple[str, str], float]:
    """The widest label of `field` (text_width at `size` px) on each side of each panel: {(panel, side): px}."""
    widest: dict[tuple[str, str], float] = {}
    for panel, side, text in zip(frame["panel"].tolist(), frame["side"].tolist(), frame[field].tolist()):
        if text != "":
            widest[panel, side] = max(text_width(text, size), widest.get((panel, side), 0.0))
    return widest


def one_row_width(widest: dict[tuple[str, str], float]) -> float:
    """The least panel width, px, at which every panel's labels (widest_labels) sit in one row: a panel's left and
    right ones LABEL_GAP apart, a label alone its own width."""
    return max([width + (LABEL_GAP + widest[panel, "right"] if side == "left" and (panel, "right") in widest else 0)
                for (panel, side), width in widest.items()], default=0.0)


def ratio_chart(frame: pd.DataFrame, *, colour: str, title: str | list[str], y_title: str, layer_title: str,
                powers: bool | None = None) -> alt.LayerChart:
    """std(dW)/std(W) per layer on a log axis spanning its values alone.

    It draws no rule-of-thumb line: its dW comes from a made-up N(0, 1) gradient at the top, whose size sets the
    ratio's, so the chart compares the layers. CS231n's 10⁻³ is for real updates, lr · dW, which the Training tab
    measures (summary.UPDATE_GUIDE); a line at 10⁻³ here had invited reading a learning rate off the chart.

    frame: layer_frame(); layers without a positive ratio are left out, and one of exactly 0 is marked on the
    axis's bottom edge (zero_marks). title: one line, or lines (title_lines). powers: its tick style, a row's
    (row_powers), or its own (None).
    """
    ticks, layers = layout("ratio", frame)
    powers = in_powers(ticks[0]) if powers is None else powers
    every = written(alt.Chart(frame), "grad_data_ratio").encode(
        _x_layer(layer_title, layers),
        _log_y("grad_data_ratio:Q", y_title, ticks, powers),
        color=alt.value(colour),
        tooltip=[alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("grad_data_ratio_text:N", title=y_title)],
    )
    base = every.transform_filter(alt.datum.grad_data_ratio > 0)
    chart = layer(base.mark_line(strokeWidth=3), base.mark_point(filled=True, size=80),
                  *zero_marks(every, "grad_data_ratio", ticks[1][0]), title=title, height=HEIGHT, width="container")
    return theme(chart)


COMPARE_STROKE, CURRENT_STROKE = 3, 7  # px: the Compare chart's lines, and the page's own scheme's over them
# px: the Compare chart's plot, the box inside its axes; its title, axes and legend come around it (plot_height),
# so a phone's legend of five stacked schemes makes the chart taller, not the plot shorter
COMPARE_HEIGHT = 240


def hidden_offset(over: float) -> float:
    """px: the most a line of COMPARE_STROKE may lie from the centre of a line `over` px wide drawn over it for the
    one to hide the other (drawn_as_one): at most a third of its width shows past the edge of the line over it, a
    pixel. Two lines of one width may lie a pixel apart: at a whole line's width both showed side by side (step 5's
    He and batch norm, 51 % apart on 21 decades: 2 px), yet the page said they were drawn on top of each other. Under
    the page's own thick line, three: step 6's batch norm, 2 px under He's, showed as He's lower edge."""
    return over / 2 - COMPARE_STROKE / 2 + COMPARE_STROKE / 3


HIDDEN_OFFSET = hidden_offset(COMPARE_STROKE)


def compare_decades(frame: pd.DataFrame) -> float:
    """The decades compare_chart's log axis spans (its ticks' ends, layout) for frame: compare_frame()."""
    low, high = layout("compare", frame)[1][1]
    return math.log10(high / low)


def touching_offset(over: float) -> float:
    """px: the most a line of COMPARE_STROKE may lie from the centre of a line `over` px wide for their edges to meet,
    no background between them (drawn_touching)."""
    return over / 2 + COMPARE_STROKE / 2


def drawn_as_one(frame: pd.DataFrame) -> list[tuple[tuple[str, ...], float]]:
    """The schemes compare_chart draws on top of each other: groups (in the frame's order) whose curves are closer
    than hidden_offset px at every layer on its log axis (HIDDEN_OFFSET, or hidden_offset(CURRENT_STROKE) from the
    page's own scheme, the frame's current), so that one line hides the other, each with the largest ratio of two of
    its stds at one layer (>= 1), on the plot of COMPARE_HEIGHT px whatever the screen (plot_height). A scheme with an
    undrawable std (0, not finite, under the axis's floor or over its ceiling) at some layer is in none.

    frame: compare_frame()."""
    return _drawn_within(frame, hidden_offset)


def drawn_touching(frame: pd.DataFrame, hidden: list | None = None) -> list[tuple[tuple[tuple[str, ...], ...], float]]:
    """The lines compare_chart draws side by side with no gap between them: groups of two or more visible lines
    within touching_offset px of each other at every layer, each line the schemes drawn as one there (drawn_as_one's
    group, or one scheme), with the largest ratio of two of the group's stds at one layer. Lines that touch all
    along read as one thick line: steps 1 to 4's He and N(0, 0.01²) + batch norm, 15 % apart on 8.5 decades, 1.8
    px; step 5's, 51 % apart on 21 decades, 2.1 px. Step 9's two lines touch, each two schemes drawn as one.
    hidden: drawn_as_one(frame), where the caller has it already."""
    lines = {s: schemes for schemes, _ in (drawn_as_one(frame) if hidden is None else hidden) for s in schemes}
    found = []
    for schemes, ratio in _drawn_within(frame, touching_offset):
        visible = tuple(dict.fromkeys(lines.get(s, (s,)) for s in schemes))
        if len(visible) > 1:
            found.append((visible, ratio))
    return found


def _drawn_within(frame: pd.DataFrame, offset) -> list[tuple[tuple[str, ...], float]]:
    """Groups of schemes joined by curves within offset(the wider line's px) px of each other at every layer, each
    with the largest ratio of two of its stds at one layer (drawn_as_one, drawn_touching)."""
    schemes, _, _ = layout("compare", frame)
    decades = compare_decades(frame) / COMPARE_HEIGHT  # a pixel's
    current = set(frame.loc[frame["current"], "scheme"])
    curves = {s: frame.loc[frame["scheme"] == s, "act_std"].to_numpy(float)[1:] for s, _ in schemes}
    under = set(frame.loc[frame["below"] | frame["above"], "scheme"])
    drawable = [s for s, c in curves.items() if c.size and np.isfinite(c).all() and (c > 0).all() and s not in under]
    group = {s: s for s in drawable}  # union-find over the pairs within reach

    def root(s: str) -> str:
        while group[s] != s:
            s = group[s]
        return s
    for i, a in enumerate(drawable):
        for b in drawable[i + 1:]:
            over = CURRENT_STROKE if current & {a, b} else COMPARE_STROKE
            if np.abs(np.log10(curves[a] / curves[b])).max() < offset(over) * decades:
                group[root(b)] = root(a)
    found = []
    for head in dict.fromkeys(root(s) for s in drawable):
        members = tuple(s for s in drawable if root(s) == head)
        if len(members) > 1:
            stack = np.stack([curves[s] for s in members])
            found.append((members, float((stack.max(axis=0) / stack.min(axis=0)).max())))
    return found


def compare_chart(frame: pd.DataFrame, *, title: str, y_title: str, layer_title: str, scheme_title: str,
                  underflow_label: str) -> alt.LayerChart:
    """Activation std per layer for several schemes on one log axis, each in its own fixed colour, named in the
    page's language; the page's own scheme (frame's current) drawn last, on top, thicker and half see-through
    (CURRENT_OPACITY).

    frame: compare_frame(); zero std (all-zero weights) cannot be drawn on a log axis: it is left out of the curves
    and marked on the axis's bottom edge (zero_marks); a forward pass's underflow also on the bottom edge, with
    underflow_label (underflow_marks); its overflow on the top edge (overflow_marks); a std under the axis's floor
    (compare_window) where it leaves it (floor_marks), and over its ceiling where it rises over it (ceiling_marks).
    """
    schemes, ticks, layers = layout("compare", frame)
    every = written(alt.Chart(frame), "act_std").encode(
        _x_layer(layer_title, layers),
        _log_y("act_std:Q", y_title, ticks),
        alt.Color("name:N").title(scheme_title).scale(
            domain=[name for _, name in schemes], range=[SCHEME_COLOURS[s] for s, _ in schemes]).legend(
            symbolType="stroke", symbolSize=400, columns=legend_columns([name for _, name in schemes], 400),
            # Vega cuts a label at 160 px: "this page: torch default…"; legend_columns gives each its whole width
            labelLimit=math.ceil(max(text_width(name) for _, name in schemes))),
        tooltip=[alt.Tooltip("name:N", title=scheme_title), alt.Tooltip("layer:Q", title=layer_title),
                 alt.Tooltip("act_std_text:N", title=y_title)],
    )
    base = every.transform_filter((alt.datum.act_std > 0) & ~alt.datum.below & ~alt.datum.above)
    others = base.transform_filter(~alt.datum.current)
    current = base.transform_filter(alt.datum.current)
    # the page's own line is half see-through: a scheme that lies exactly under it (step 6's He line over
    # "N(0, 0.01²) + batch norm") still shows through it
    floor, ceiling = frame["below"].any(), frame["above"].any()  # a scheme leaves the axis's ticks (compare_window)
    chart = layer(*zero_marks(every, "act_std", ticks[1][0]), *underflow_marks(every, ticks[1][0], underflow_label),
                  *overflow_marks(every, ticks[1][1]), *(floor_marks(every, ticks[0][0]) if floor else []),
                  *(ceiling_marks(every, ticks[1][1]) if ceiling else []),
                  others.mark_line(strokeWidth=COMPARE_STROKE), others.mark_point(filled=True, size=80),
                  current.mark_line(strokeWidth=CURRENT_STROKE, opacity=CURRENT_OPACITY),
                  current.mark_point(filled=True, size=200, opacity=CURRENT_OPACITY), title=title)
    return theme(plot_height(chart, COMPARE_HEIGHT))


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
    return replaced(node, **changed) if changed else node


def replaced(node: alt.SchemaBase, **properties) -> alt.SchemaBase:
    """A copy of an Altair object with these properties set (over its own), node left as it is.

    Made without the class's __init__, which Altair's own copies (copy(), properties(), configure()) run: a layered
    chart's combines its layers again, deep copies of each, though they were combined when it was built (7 such
    copies had been most of the time to build one of the page's charts). An Altair object is its _args and _kwds
    (altair.utils.schemapi.SchemaBase).
    """
    copy = object.__new__(type(node))
    object.__setattr__(copy, "_args", node._args)
    object.__setattr__(copy, "_kwds", {**node._kwds, **properties})
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
