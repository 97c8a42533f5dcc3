"""The Spectrum tab's frames, chart and sentences: the Jacobian's singular values on a log axis, this network beside
its orthogonal twin, and what the numbers show: dynamical isometry, or the mean of s² against 1 and what most
directions do, with where a flat activation's exact zeros come from."""

from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd

from core import Config, activations
from core.config import FLOAT_RANGES, mib_apart, resize, resized_size
from core.draws import family
from core.initializers import gain_of, layer_biases
from core import spectrum as spectra
from core.network import WORK_LIMIT, WORK_RATE, work_fits
from core.spectrum import PredictedDensity, Spectrum, jacobian_shape
from core.theory import layer_sigma_w2

from . import charts, summary
from .number_writing import format_share, format_value, powers_apart, share_range
from .text import join, t
from .theory import over_layers

BINS = 40  # at least this many log-spaced bins over the decades both spectra span (edges())
# Dynamical isometry, as the page calls it: p10 and p90 within a factor ISOMETRY of 1 (Pennington et al. 2017's
# tanh at the edge of chaos keeps 0.73 to 1.2 at depth 64)
ISOMETRY = 2.0
# The mean of s² is "near 1" while its root, the network's change of scale over its depth, is within the page
# verdict's band (summary.SHRINK to summary.GROW, tenfold either way): the sentence and the page's verdict draw
# one line (step 7's 1.74 and step 9's 2.61 within it, step 8's 996 and step 5's 0.001 outside). s itself: a
# direction is crushed below SHRINK and grown above GROW.
SHRINK, GROW = summary.SHRINK, summary.GROW
# A narrower net drawn in place of a conv step's own (border_line) stands for it while their means of s² are within
# this factor
NARROW_AGREE = 2.0
# The twin's one gain stands for every layer's own (matched_gains) while each is within this share of it: its sigma_w²
# then within 2 % of the network's at every layer, the product exact (a taper's widths, rounded to whole units, ask
# Xavier gains 1.0501 to 1.0526; a bottleneck asks He gains 1.41 to 1.75)
GAIN_MATCH = 0.01


def twin(config: Config) -> Config:
    """The network drawn beside this one: the same network under orthogonal init, or for an orthogonal network under
    Gaussian weights (LeCun normal), with the one gain that gives it this network's sigma_w² = fan_in Var(w) at every
    layer (matched_gains); where the layers' fans ask different gains, their geometric mean, which keeps their
    product (twin_note says so); gain 1, torch's default, where the weights have no variance or no zero mean, or the
    gain asked is beyond Config's range."""
    init = "lecun_normal" if is_orthogonal(config) else "orthogonal"
    gains = matched_gains(config, init)
    gain = 1.0 if gains is None else one_gain(gains)
    low, high = FLOAT_RANGES["gain"]
    return replace(config, init=init, gain=gain if low <= gain <= high else 1.0)


def matched_gains(config: Config, init: str) -> np.ndarray | None:
    """(depth,): layer by layer, the gain under `init` (orthogonal or LeCun normal) that gives the layer this
    network's sigma_w² = fan_in Var(w) (core.theory.layer_sigma_w2): the root of its sigma_w² over the scheme's at
    gain 1. A semi-orthogonal (fan_in, fan_out) W of gain g has entries of variance g² / max(fan_in, fan_out), so
    fan_in Var(w) = g² min(1, fan_in / fan_out): a layer that widens needs more gain than one that narrows. None
    where the weights have no variance or a non-zero mean."""
    own, _ = layer_sigma_w2(config)
    if own is None or not (own[1:] > 0).all():
        return None
    unit, _ = layer_sigma_w2(replace(config, init=init, gain=1.0))
    return np.sqrt(own[1:] / unit[1:])


def one_gain(gains: np.ndarray) -> float:
    """The one gain that stands for the layers' own: their geometric mean, which keeps their product (equal ones:
    that gain itself, which a mean of logarithms would round)."""
    return float(gains[0]) if summary.spread(gains)[0] != "differ" else float(np.exp(np.log(gains).mean()))


def same_scale(config: Config) -> bool:
    """Whether the twin's gain is within GAIN_MATCH of every layer's matched gain: the same network under the other
    init, at its scale layer by layer (not where the layers ask different gains, or none: zero weights)."""
    other = twin(config)
    gains = matched_gains(config, other.init)
    return gains is not None and bool(np.abs(np.log(gains / gain_of(other))).max() <= math.log1p(GAIN_MATCH))


def twin_title(config: Config, lang: str, own: Config | None = None) -> str:
    """The twin's chart title with its gain (the scheme's default too): "The same network under orthogonal init, gain
    1.414" where it is at this network's scale at every layer (same_scale) and this network is the page's own (own,
    None for the same), else "Orthogonal init, gain 2.828 at every layer"."""
    key = "spectrum_tab.twin_gaussian" if is_orthogonal(config) else "spectrum_tab.twin_orthogonal"
    gain = format_value(gain_of(twin(config)), 4)
    same = same_scale(config) and own in (None, config)
    return t(lang, key if same else f"{key}_one_gain", gain=gain)


def this_title(config: Config, own: Config, lang: str) -> str:
    """The chart title of the spectrum drawn for the page: "This network: ..." where it is the page's own network
    (own), else what fitting() changed: "This network at 7 channels: ..." (the page's network stays at 64)."""
    if config == own:
        return t(lang, "spectrum_tab.this")
    name, _, value = changed(own, config)
    return t(lang, f"spectrum_tab.this_{name}", value=value)


def twin_note(config: Config, results: tuple[Spectrum, Spectrum], lang: str) -> str | None:
    """Where the layers' fans ask the twin different gains (matched_gains) and its one gain (twin()) cannot give it
    this network's sigma_w² at every layer: the gains each layer would take, the one it has, its sigma_w² against
    this network's, and what that does, chosen by the network: a positively homogeneous activation without biases
    or a norm (ReLU, leaky ReLU, linear) passes each layer's scale straight to J, so the twin's J is the one those
    gains give; otherwise the twin is at its own scales. Each with both means of s² (results: this network's
    spectrum, then the twin's). None where one gain matches every layer (same_scale: equal widths, a taper under He
    init), and where the weights ask no gain or one beyond the range."""
    other = twin(config)
    gains = matched_gains(config, other.init)
    if gains is None or same_scale(config) or gain_of(other) != one_gain(gains):  # no gain, or beyond the range
        return None
    own, _ = layer_sigma_w2(config)
    drawn, _ = layer_sigma_w2(other)
    parts = [t(lang, "spectrum_tab.twin_one_gain", variance=t(lang, f"spectrum_tab.twin_variance_{other.init}"),
               sigma=over_layers(own[1:], lang), gains=over_layers(gains, lang),
               gain=format_value(gain_of(other), 4), twin_sigma=over_layers(drawn[1:], lang))]
    means = {"mean": format_value(results[0].square_moments()[0]),
             "twin_mean": format_value(results[1].square_moments()[0])}
    homogeneous = activations.get(config.activation).half_lines is not None
    unbiased = all(bias is None for bias in layer_biases(other))
    if homogeneous and unbiased and config.norm == "none":
        parts.append(t(lang, "spectrum_tab.twin_product", activation=t(lang, f"act_{config.activation}"), **means))
    else:
        parts.append(t(lang, "spectrum_tab.twin_scales", **means))
    return join(lang, parts, "sentence")


# A tour step whose network is over the limits is computed at the size whose spectra take as much work as the
# lecture's own network's (2-4.5e10 flops for it and its twin, under a second of one core each): a class opens
# the step at once, on one server. A Custom network's refusal offers the largest size within WORK_LIMIT.
STEP_WORK = 5e10


def load(config: Config, memory_budget: int, limit: float | None = None) -> float:
    """How far this network's spectrum, or its twin's (the tab computes both), is over the tab's limits: the larger
    of its work over `limit` (WORK_LIMIT, or STEP_WORK for a tour step's) and its memory over memory_budget
    (core.spectrum's estimates); over 1 is refused."""
    limit = WORK_LIMIT if limit is None else limit
    return max(max(spectra.estimate_work(network) / limit, spectra.estimate_memory(network) / memory_budget)
               for network in (config, twin(config)))


def fits(config: Config, memory_budget: int, limit: float | None = None) -> dict[str, int]:
    """{"depth": ..., "width": ...}: the largest depth and the largest width (the other kept) whose spectrum and its
    twin's are within both limits (load() at most 1); 0 where none is. What a refusal names and fitting() takes."""
    return work_fits(config, 1.0, lambda network: load(network, memory_budget, limit))


def fitting(config: Config, memory_budget: int, limit: float | None = None) -> Config | None:
    """The network nearest to this one whose spectrum the tab computes within `limit` (WORK_LIMIT if None, or
    STEP_WORK at a tour step), or None when this one's is within WORK_LIMIT and the budget (or no depth and no
    width would be): of fits()'s depth and width the one that keeps more of its size (the larger share of the
    present value; the width on a tie, the depth being what the spectrum multiplies over)."""
    if load(config, memory_budget) <= 1:
        return None
    found = fits(config, memory_budget, limit)
    sizes = {name: resized_size(config, name) for name in ("width", "depth")}
    kept = {name: found[name] / sizes[name] for name in ("width", "depth") if found[name]}
    if not kept:
        return None
    name = max(kept, key=kept.get)  # max keeps the first of equals: the width
    return resize(config, name, found[name])


def refusal(config: Config, lang: str, memory_budget: int) -> str | None:
    """Why the tab does not compute this network's spectrum, or None: over the memory budget or the work limit
    (core.spectrum's estimates), with the depth and the width (a conv net's channels) that fit both, fits(): the
    memory refusal had said "lower the depth or the width" to a conv net, whose sidebar has channels. The tab computes
    the network and its twin (as load() counts them), so the larger of their needs is what is over."""
    networks = (config, twin(config))
    need, work = max(map(spectra.estimate_memory, networks)), max(map(spectra.estimate_work, networks))
    if need <= memory_budget and work <= WORK_LIMIT:
        return None
    found = fits(config, memory_budget)
    sizes = summary.fit_words({name: found[name] for name in ("depth", "width")}, config.arch, lang)
    said = t(lang, "spectrum_tab.fits", sizes=join(lang, sizes, "or")) if sizes else \
        t(lang, "spectrum_tab.fits_none_conv" if config.arch == "conv" else "spectrum_tab.fits_none")
    if need > memory_budget:
        return t(lang, "spectrum_tab.memory", **mib_apart(need, memory_budget), fits=said)
    return t(lang, "spectrum_tab.work", **powers_apart(work, WORK_LIMIT),
             seconds=f"{WORK_LIMIT / WORK_RATE:.0f}", fits=said)


def fitted_note(config: Config, fitted: Config, lang: str, memory_budget: int) -> str:
    """One sentence for a page whose spectrum is computed on fitting()'s network instead of its own: what changed,
    from what to what, and the limit the page's own network is over, with its numbers."""
    name, was, value = changed(config, fitted)
    why = ""
    for network in (config, twin(config)):  # the first of the two over a limit, the memory checked first
        need, work = spectra.estimate_memory(network), spectra.estimate_work(network)
        if need > memory_budget:
            why = t(lang, "spectrum_tab.over_memory", **mib_apart(need, memory_budget))
            break
        if work > WORK_LIMIT:
            why = t(lang, "spectrum_tab.over_work", **powers_apart(work, WORK_LIMIT))
            break
    return t(lang, f"spectrum_tab.fitted_{name}", value=value, was=was, why=why)


def fitted_label(config: Config, fitted: Config, lang: str) -> str:
    """The button of a refusal that computes the spectrum at fitting()'s size, the page's network kept: "Compute its
    spectrum with 3 channels (the network stays at 64)"."""
    name, was, value = changed(config, fitted)
    return t(lang, f"spectrum_tab.use_{name}", value=value, was=was)


def changed(config: Config, fitted: Config) -> tuple[str, int, int]:
    """(what fitting() changed, its value before, after): "depth", "width" or a conv net's "width_conv" (channels)."""
    if fitted.depth != config.depth:
        return "depth", config.depth, fitted.depth
    name = "width_conv" if config.arch == "conv" else "width"
    return name, resized_size(config, "width"), resized_size(fitted, "width")


def shown_values(result: Spectrum) -> tuple[np.ndarray, int]:
    """The singular values a log axis can draw (above float64's resolution, Spectrum.resolution) and how many
    are below it (numerically zero)."""
    pooled = result.pooled
    drawn = pooled[pooled > result.resolution]
    return drawn, pooled.size - drawn.size


def edges(*results: Spectrum) -> np.ndarray:
    """Log-spaced bin edges over every drawable value of the results, the domain whole decades at the ends; a
    value-less spectrum gets the decade (0.1, 1).

    At least BINS bins, a whole number of them a decade, placed so that every whole power of ten is a bin's
    centre: an isometric spectrum's spike at s = 1 (all values 1 ± 1e-7) falls in one bin instead of splitting
    over the two sides of an edge at 1. The two end bins are cut at the domain, half as wide as the others; no
    value lies beyond the domain, so each holds what its full bin would.
    """
    values = np.concatenate([shown_values(r)[0] for r in results])
    _, (lo, hi) = charts.decades(values)
    decades = round(math.log10(hi) - math.log10(lo))  # hi / lo passes float64's range where a twin's s are 10⁻²⁰⁰
    per_decade = math.ceil(BINS / decades)
    half = 0.5 / per_decade
    log_edges = math.log10(lo) + np.arange(-half, decades + half + 1e-9, 2 * half)
    log_edges = np.append(log_edges[log_edges < math.log10(hi)], math.log10(hi))
    log_edges[0] = math.log10(lo)
    out = 10.0**log_edges
    out[0], out[-1] = lo, hi  # exactly the domain's decades
    return out


def bin_width(bin_edges: np.ndarray) -> float:
    """The width in log10 s of edges()'s full bins (the end bins are half of it)."""
    return float(np.log10(bin_edges[1:] / bin_edges[:-1]).max())


def histogram_frame(result: Spectrum, bin_edges: np.ndarray) -> pd.DataFrame:
    """One row a bin: "low", "high" (its edges) and "share" (the share of all singular values in it)."""
    drawn, _ = shown_values(result)
    counts, _ = np.histogram(drawn, bin_edges)
    return pd.DataFrame({"low": bin_edges[:-1], "high": bin_edges[1:], "share": counts / result.pooled.size})


def overlay_frame(predicted: PredictedDensity | None, bin_edges: np.ndarray) -> pd.DataFrame:
    """The theory on the histogram's scale, inside the bins' range: columns "s" and "share". For a density, its
    curve's points with share = the density of log10 s times the bins' common width in log10 s (the bar height it
    predicts); for a point or a mean (core.spectrum.PredictedDensity's kinds), one row at its s with share NaN (a
    vertical rule). No rows without a prediction, or for a rule off the axis."""
    if predicted is None:
        return pd.DataFrame({"s": [], "share": []})
    if predicted.kind == "density":
        width = bin_width(bin_edges)  # the bar height a full bin has under the density
        with np.errstate(over="ignore"):  # an s past float64's range is inf, outside every bin
            s, share = 10.0**predicted.log10_s, predicted.density * width
    else:
        s, share = np.array([predicted.s]), np.array([math.nan])
    inside = (s >= bin_edges[0]) & (s <= bin_edges[-1])
    return pd.DataFrame({"s": s[inside], "share": share[inside]})


# px: the narrowest plot the histograms are drawn at (presenter mode's SPECTRUM_PLOT), which their x axis's labels fit
TICK_ROOM = 230


def histogram_chart(frame: pd.DataFrame, *, colour: str, title: str | list[str], x_title: str, y_title: str,
                    theory: pd.DataFrame | None = None, theory_name: str = "theory",
                    size: float = charts.LABEL_SIZE) -> alt.Chart:
    """Bars over log-spaced bins of s, on a log x axis with ticks at whole decades; with theory (overlay_frame()),
    the theory dashed in charts.THEORY_COLOUR on top, a curve or a vertical rule, named theory_name in a legend;
    the title one line or its lines (a row's, as charts.even_titles breaks them), the text size px (charts.theme)."""
    ticks, domain = charts.decades(np.concatenate([frame["low"], frame["high"]]), room=TICK_ROOM, size=size)

    def x(field: str) -> alt.X:
        return alt.X(field).title(x_title).scale(type="log", domain=list(domain), nice=False).axis(
            values=list(ticks), labelExpr=charts.log_labels(ticks))
    chart = alt.Chart(frame).mark_rect(color=colour).encode(
        x("low:Q"),
        alt.X2("high:Q"),
        alt.Y("share:Q").title(y_title).axis(labelExpr=charts.SHARE_LABEL),  # 10 %, as the page writes a share
    )
    if theory is not None and len(theory):
        # one legend entry, its symbol the dashed line: colour and dash encoded from the same constant
        named = alt.Chart(theory.assign(curve=theory_name)).encode(
            x("s:Q"),
            alt.Color("curve:N").title(None).scale(domain=[theory_name], range=[charts.THEORY_COLOUR])
            .legend(symbolType="stroke", symbolSize=400),
            alt.StrokeDash("curve:N").title(None).scale(domain=[theory_name], range=[[7, 5]]))
        rule = theory["share"].isna().all()
        mark = named.mark_rule(strokeWidth=2.5) if rule else named.mark_line(strokeWidth=2.5).encode(
            alt.Y("share:Q"))
        chart = charts.layer(chart, mark)
    chart = chart.properties(title=title)
    return charts.theme(charts.plot_height(chart, charts.HEIGHT), size)


def headline(result: Spectrum, lang: str) -> dict[str, str]:
    """p10, median, p90, their ratio and the mean of s², written as the page writes numbers; a percentile below
    float64's resolution (Spectrum.resolution, above 0) is written "< resolution", and the ratio then "> p90 /
    resolution" while p90 is resolved, a dash once it is not either (0 / 0: no ratio to bound): what the
    arithmetic can tell."""
    s = result.summary()
    shown = {key: format_value(s[key]) for key in ("p10", "p50", "p90", "ratio")}
    shown["mean_squared"] = format_value(result.square_moments()[0])  # past float64's range too
    bound = result.bounds()
    for key in ("p10", "p50", "p90"):
        if bound[key]:
            shown[key] = t(lang, "spectrum_tab.below", resolution=format_value(result.resolution))
    if bound["ratio"]:
        shown["ratio"] = t(lang, "spectrum_tab.above", ratio=format_value(s["p90"] / result.resolution))
    elif bound["p90"]:
        shown["ratio"] = format_value(math.nan)
    return shown


def flat_zeros(result: Spectrum) -> bool:
    """Whether the activation is flat for negative pre-activations (ReLU, a leaky ReLU of slope 0) and its switched
    off units make some of J's values exactly 0 beyond those the shape forces (Spectrum.zeros_bound past
    Spectrum.shape_bound: a plain network's, not a residual stream's)."""
    return bool(_flat(result.config) and result.zeros_bound() > result.shape_bound() and result.pooled.any())


def shape_note(result: Spectrum, lang: str, lost: int | None = None) -> str | None:
    """The input directions J maps to 0 whatever the weights (Spectrum.shape_directions: the layer that passes the
    fewest on, the input and the output included, against the input's dimension; a layer norm's, by its centering
    too), at each input, and where they are among the values: those 0 (Spectrum.shape_bound), and, where J has fewer
    rows than columns, those with no value. lost: how many values the paragraph has already said are numerically 0
    (most_lost), which the 0s are then counted against, not said again. None where there are none."""
    forced = result.shape_directions()
    if not forced:
        return None
    inputs, per = result.values.shape
    layer, narrow = result.narrowest()
    rows, columns = jacobian_shape(result.config)
    units = result.config.positions * result.config.units[layer]
    # a layer norm's layer passes one direction fewer than its units (Spectrum.ranks): its centering's
    key = "spectrum_tab.zeros_shape" if narrow == units else "spectrum_tab.zeros_shape_centred"
    parts = [t(lang, key, forced_each=forced // inputs, columns=columns, layer=layer, units=units, narrow=narrow,
               rows=rows)]
    zeros = result.shape_bound()
    if zeros and lost is not None and zeros <= lost:  # "878 of the 1,000 values" said once, then referred back to
        parts.append(t(lang, "spectrum_tab.zeros_shape_values_all_lost") if zeros == lost else
                     t(lang, "spectrum_tab.zeros_shape_values_lost", zeros=zeros))
    elif zeros:
        parts.append(t(lang, "spectrum_tab.zeros_shape_values", zeros=zeros, count=result.pooled.size))
    if columns > per:
        parts.append(t(lang, "spectrum_tab.zeros_shape_unvalued", per=per, unvalued=columns - per))
    return join(lang, parts, "sentence")


def _flat(config) -> bool:
    """Whether the activation's slope is exactly 0 for negative pre-activations: its off units pass no change."""
    return bool(activations.derivative(config.activation, np.array([-1.0]), config.slope)[0] == 0)


def zeros_note(result: Spectrum, lang: str) -> str | None:
    """Where a spectrum's numerically zero values come from when its activation is flat for negative
    pre-activations: in a plain network, the share of each layer's units switched off at these inputs (measured)
    and the values that makes exactly 0 (Spectrum.zeros_bound); in a residual stream, the skip that carries every
    direction past the off units. The values a bottleneck forces to 0 (Spectrum.shape_bound) are counted apart, not
    as the activation's. It follows zeros_said in one caption, and counts its zeros among the values that says are
    numerically 0 ("of these values"), never the values again. None for other activations, without such values, or
    for J = 0 (the verdict's)."""
    config = result.config
    if not _flat(config) or shown_values(result)[1] == 0 or not result.pooled.any():
        return None
    activation = t(lang, f"act_{config.activation}")
    if config.residual:
        return t(lang, "spectrum_tab.zeros_skip", activation=activation)
    if result.units_on is None:
        return None
    units = config.positions * np.array(config.units[1:])  # (depth,): each layer's units (pixels x channels)
    off = 1.0 - result.units_on / units
    shape = result.shape_bound()  # a bottleneck's zeros are the shape's, said apart (the verdict's shape sentence)
    if result.zeros_bound() <= shape:
        return None
    key = "spectrum_tab.zeros_flat_conv" if config.arch == "conv" else \
        "spectrum_tab.zeros_flat_shape" if shape else "spectrum_tab.zeros_flat"
    low, high = share_range(float(off.min()), float(off.max()))
    return t(lang, key, activation=activation, low=low, high=high, bound=result.zeros_bound() - shape, shape=shape)


def zeros_said(result: Spectrum, lang: str) -> str:
    """How many values lie below float64's resolution, "1 of the 1,000 values lies ..." or "545 of ... lie ..."."""
    _, zeros = shown_values(result)
    return t(lang, "spectrum_tab.zeros_one" if zeros == 1 else "spectrum_tab.zeros", zeros=zeros,
             count=result.pooled.size, **resolution_words(result))


def resolution_words(result: Spectrum) -> dict[str, str | int]:
    """The bound below which a value is numerically 0 (Spectrum.resolution) and its factors as the page writes them,
    multiplying to it as printed: the largest value and ε (2.22 × 10⁻¹⁶) with the fewest digits in all (from 3 each;
    then ε's fewest) at which largest × side × ε, each as printed, is the bound as printed (summary.printed_ratio's
    rule)."""
    largest, side, eps = result.resolution_terms
    shown = format_value(result.resolution)
    digits, places = summary.multiplying_digits(largest, eps, shown, factor=side)
    return {"resolution": shown, "largest": format_value(largest, digits), "side": side,
            "eps": format_value(eps, places)}


def zeros_title(result: Spectrum, lang: str) -> str:
    """zeros_said in a chart title's few words, "(107 of 256 too small to draw)", or "" where every value is drawn (or
    every one is exactly 0, which the verdict says): presenter mode has no caption to say it in, and its bars then add
    up to less than 100 %. Its story gives the bound; a longer title left the histogram under its readable height."""
    _, zeros = shown_values(result)
    if not zeros or not result.pooled.any():
        return ""
    return t(lang, "spectrum_tab.zeros_title", zeros=zeros, count=result.pooled.size)


def stated(result: Spectrum, lang: str) -> dict[str, str]:
    """p10, median, p90 and their ratio with the relation a sentence writes after the name: "= 0.944", or a bound of
    headline()'s as it is, "< 7.79 × 10⁻¹³" or "> 1.21 × 10¹²" (so "p10 < ...", never "p10 = < ...")."""
    shown, bound = headline(result, lang), result.bounds()
    return {key: shown[key] if bound[key] else f"= {shown[key]}" for key in ("p10", "p50", "p90", "ratio")}


def outliers(result: Spectrum) -> tuple[int, int, float]:
    """How many of J's pooled singular values lie farther than ISOMETRY from 1 (below 1/ISOMETRY or above it), of how
    many, and the smallest: step 10's orthogonal net keeps p10 0.70 and p90 1.16, yet one value an input, 0.098 and
    0.14, lies far below the rest (the input's own length, which the layers draw towards q*)."""
    pooled = result.pooled
    far = int(np.count_nonzero((pooled < 1 / ISOMETRY) | (pooled > ISOMETRY)))
    return far, int(pooled.size), float(pooled.min())


def outlier_values(result: Spectrum) -> dict[str, str] | None:
    """outliers() as a sentence names them, the Spectrum tab's and step 10's story alike: "far" of "count", the
    "smallest", the band from "low" to "high", and where the count comes from: "inputs" inputs of "each" singular
    values; None where every value is within ISOMETRY of 1."""
    far, count, smallest = outliers(result)
    if not far:
        return None
    inputs, each = result.values.shape
    return {"far": f"{far:,}", "count": f"{count:,}", "inputs": f"{inputs:,}", "each": f"{each:,}",
            "smallest": format_value(smallest),
            "low": format_value(1 / ISOMETRY), "high": format_value(ISOMETRY)}


def scale(mean_squared: float) -> str:
    """"small", "near" or "large": the root of the mean of s² below SHRINK, within SHRINK..GROW, or above GROW."""
    root = math.sqrt(mean_squared)
    return "small" if root < SHRINK else "large" if root > GROW else "near"


def directions(result: Spectrum) -> str:
    """What most directions do, from the median s: "lost" (numerically 0: below Spectrum.resolution), "crushed"
    (below SHRINK), "grown" (above GROW) or "kept" (within tenfold of 1)."""
    median = result.summary()["p50"]
    if result.bounds()["p50"]:
        return "lost"
    return "crushed" if median < SHRINK else "grown" if median > GROW else "kept"


def here(result: Spectrum, lang: str, own: Config | None = None) -> str:
    """How the verdict's sentences open: "Here" for the page's own network, or, where the spectrum is a stand-in's
    (own: the page's network, which fitting() cut to result's), which stand-in it reads: step 11's "Here the mean of s²
    is 0.0657" of a 3-channel stand-in had stood beside the 64-channel network's own 0.701."""
    if own is None or own == result.config:
        return t(lang, "spectrum_tab.here")
    name, _, value = changed(own, result.config)
    return t(lang, f"spectrum_tab.here_{name}", value=value)


def verdict(result: Spectrum, lang: str, own: Config | None = None) -> str:
    """Sentences chosen from the numbers: J exactly 0; dynamical isometry (p10 and p90 within ISOMETRY of 1);
    otherwise the mean of s² against 1 (scale()), what most directions do (directions(): the median) and, where
    that says something of the init, why: the input directions the network's shape maps to 0 (shape_note: a
    bottleneck's, a taper's), a flat activation's exact zeros, which no init removes (flat_zeros), or the mean met
    while most directions are lost (beyond the shape's) or crushed (past the shape's zeros: the mean alone is not
    enough). Every value near 1 is dynamical isometry, on the directions J keeps where the shape maps some to 0.
    own: the page's network, where result is a stand-in's (here())."""
    s = result.summary()
    values = {**stated(result, lang), "mean_squared": headline(result, lang)["mean_squared"],
              "here": here(result, lang, own)}
    if not result.pooled.any():
        return t(lang, "spectrum_tab.all_zero", here=values["here"])
    if 1 / ISOMETRY <= s["p10"] and s["p90"] <= ISOMETRY:  # no value is 0: the shape's zeros have none (a taper)
        shape = shape_note(result, lang)
        if (far := outlier_values(result)) is not None:  # "every direction" only where every value is near 1
            return join(lang, [t(lang, "spectrum_tab.isometric_but", **far, **values), *filter(None, [shape])],
                        "sentence")
        return join(lang, [t(lang, "spectrum_tab.isometric_values", **values), shape], "sentence") if shape else \
            t(lang, "spectrum_tab.isometric", **values)
    mean, most = scale(s["mean_squared"]), directions(result)
    parts = [t(lang, f"spectrum_tab.mean_{mean}", mean_squared=values["mean_squared"], here=values["here"],
               root=format_value(result.square_moments()[0].sqrt()))]
    pooled, lost = result.pooled, shown_values(result)[1]
    shape = shape_note(result, lang, lost if most == "lost" else None)  # most_lost has counted the values lost
    within = float(np.mean((pooled >= SHRINK) & (pooled <= GROW)))
    parts.append(t(lang, f"spectrum_tab.most_{most}", lost=lost, count=pooled.size,
                   within=format_share(within), **values))
    forced = result.shape_bound()
    if shape:  # a bottleneck's or a taper's zeros are the network's shape's, not its initialization's
        parts.append(shape)
    if flat_zeros(result):
        parts.append(t(lang, "spectrum_tab.zeros_activation_beyond" if forced else "spectrum_tab.zeros_activation",
                       activation=t(lang, f"act_{result.config.activation}")))
    elif mean == "near" and (most == "crushed" and np.median(np.sort(pooled)[forced:]) < SHRINK  # past the shape's 0s
                             or most == "lost" and lost > forced):
        parts.append(t(lang, "spectrum_tab.mean_not_enough"))
    return join(lang, parts, "sentence")


# Zero padding's borders are named as a loss when they keep less than this share of the mean of s² (border_share): a
# tenth or more of every change lost (10 layers of 16 x 16 pixels keep 0.64; one layer of 64 x 64 keeps 0.98)
BORDER_LOSS = 0.9
# The measured kept share agrees with border_share's expectation within this relative distance: step 11's net at
# 16 and 64 channels, seeds 0-5, stays within 0.07 of it; a 3-channel draw strays up to 0.7
BORDER_AGREE = 0.2


def border_line(effect: dict[str, float] | None, own: Config, computed: Spectrum, lang: str) -> str | None:
    """What zero padding's borders do to a conv net's mean of s², in sentences chosen from the numbers: the share of
    it they keep in expectation (core.spectrum.border_share; named a loss below BORDER_LOSS), the page's own
    network's means with zero and circular padding by random directions (effect: core.spectrum.border_effect of
    `own`) and whether their ratio agrees with the expectation (within BORDER_AGREE); where the spectrum was computed
    on a narrower net (computed.config is not own), that net's mean against the wide one's (within NARROW_AGREE).
    None for a dense net, circular padding or a delta-orthogonal kernel (nothing lost at the borders). No measured
    comparison where its share is undefined: zero weights' J is exactly 0 with either padding (0 / 0), which had
    read "keeps — of it ... this draw strays from the expectation"."""
    share = spectra.border_share(own)
    if own.arch != "conv" or share >= 1.0:
        return None
    number = format_value
    parts = [t(lang, "spectrum_tab.borders_lose" if share < BORDER_LOSS else "spectrum_tab.borders_keep",
               share=number(share), depth=own.depth, image=own.image)]
    if effect is not None and math.isfinite(effect["kept"]):
        agree = abs(effect["kept"] / share - 1.0) <= BORDER_AGREE
        agreement = t(lang, "spectrum_tab.borders_agree" if agree else "spectrum_tab.borders_differ",
                      share=number(share))
        parts.append(t(lang, "spectrum_tab.borders_measured", channels=max(own.units),
                       count=f"{int(effect['count']):,}", agreement=agreement,
                       **{key: number(effect[key]) for key in ("zeros", "zeros_error", "circular",
                                                               "circular_error", "kept")}))
        if computed.config != own:  # the spectrum drawn is a narrower net's (a tour step over the limits)
            mean, wide = computed.summary()["mean_squared"], effect["zeros"]
            key = "near" if wide / NARROW_AGREE <= mean <= wide * NARROW_AGREE else "below" if mean < wide else "above"
            factor = NARROW_AGREE if key == "near" else summary.times_apart(mean / wide)  # the threshold, or how far
            parts.append(t(lang, f"spectrum_tab.narrow_{key}", channels=max(computed.config.units),
                           own=max(own.units), mean=number(mean), wide=number(wide), factor=number(factor)))
    return join(lang, parts, "sentence")


# The theory's variance of s² over its mean squared above which the line says, of a draw measuring below the theory's
# mean of s², that the mean rests on a few large values the draw can miss: step 10's Gaussian twin, 59.8 over 0.966²
# (64 times), measures 0.264 at seed 0 (1.00 at seed 1, above: nothing to explain); its orthogonal network, 0.11 times
HEAVY_TAIL = 10.0


def theory_line(result: Spectrum, predicted: PredictedDensity | None, lang: str) -> str | None:
    """The free-probability moments (core.spectrum.predicted_density's, predicted_moments') beside the measured
    ones, or None where there is no prediction; then how far this draw's mean of s² lies from the theory's, in share
    and direction, and why the values' own spread cannot say whether that is chance: they share one draw of the weights;
    where the draw measures below the theory and the theory's variance of s² is over HEAVY_TAIL times its mean squared,
    that the mean rests on a few large values, which one draw can miss.

    The page had taken them as independent, sqrt(Var(s²) / N) = ±0.02 for step 10's 256 values, and called its 0.89
    against 0.966 "a finite width's correction"; over seeds 0-19 of that network the mean of s² is 0.965, the theory's,
    with a seed-to-seed std of 0.072."""
    if predicted is None:
        return None
    measured, measured_variance = result.square_moments()  # both past float64's range too
    mean, variance = predicted.exact()
    moments = t(lang, "spectrum_tab.theory", mean=format_value(mean),
                measured_mean=format_value(measured), variance=format_value(variance),
                measured_variance=format_value(measured_variance))
    # a mean of 0 or none: no relative gap (finiteness first: a Decimal NaN compared raises InvalidOperation)
    if not (mean.is_finite() and measured.is_finite() and mean > 0):
        return moments
    gap = float(measured / mean - 1)
    spread = t(lang, "spectrum_tab.spread_draw", count=f"{result.pooled.size:,}", mean=format_value(mean),
               measured_mean=format_value(measured), gap=format_share(abs(gap)),
               direction=t(lang, "spectrum_tab.draw_below" if gap < 0 else "spectrum_tab.draw_above"))
    parts = [moments, spread]
    times = variance / (mean * mean)  # the theory's squared coefficient of variation of s²
    if gap < 0 and times.is_finite() and times > HEAVY_TAIL:  # why this draw's mean fell short: it rests on a few
        parts.append(t(lang, "spectrum_tab.heavy_tail", variance=format_value(variance), times=format_value(times, 2),
                       count=f"{result.pooled.size:,}"))
    return join(lang, parts, "sentence")


def overlay_caption(predicted: PredictedDensity | None, config: Config, drawn: bool, lang: str) -> str:
    """Where the overlay is exact and where an approximation, chosen by the network (the prediction's kind): the
    Fuss–Catalan density (linear, i.i.d. weights: exact as the width grows), the point (linear, orthogonal: exact),
    the mean's rule (nonlinear: mean field and freeness, finite width) or no prediction; drawn False: the rule lies
    off the axis, which is said."""
    if predicted is None:
        return t(lang, f"spectrum_tab.no_theory_{spectra.unpredicted(config)}")
    mean, variance = predicted.exact()  # past float64's range too
    s = format_value(mean.sqrt())
    if predicted.kind == "density":
        text = t(lang, "spectrum_tab.overlay_density", depth=config.depth, width=config.width,
                 scale=format_value(mean))
    elif predicted.kind == "point":
        text = t(lang, "spectrum_tab.overlay_point", s=s)
    else:
        text = t(lang, "spectrum_tab.overlay_mean", s=s, variance=format_value(variance))
    return text if drawn else text + t(lang, "spectrum_tab.overlay_off_axis")


def is_orthogonal(config: Config) -> bool:
    return family(config.init) == "orthogonal"
