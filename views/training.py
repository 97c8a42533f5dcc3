"""The Training tab's pieces: frames from training results, Altair charts, the tab's text (en, zh); no streamlit.

views/tabs/training.py draws the tab with them. Training starts only on the Run button, never on a slider move, and
runs in the background (views/live.py), so the page stays responsive and can show it growing: while it runs, a
fragment redraws every 0.3 s the bar, the Stop button and the curves as far as each run has got (runs_frame, into
a template built once by template); once it has ended, every result (curves_frame, final_frame, heatmap_frame,
symmetry_frame). refusal says why a race is not run: over the memory budget, or over WORK_LIMIT.

A result is shown only while the sidebar still matches the race it came from. The He et al. 2015 preset is
the same pattern with core.cache.he_2015_cached (both depths, four runs side by side), captioned with
t["he_paper"], tv.he_measured(results, t, depth) and t["he_note"]. The times the tab states come from
MEASURED_S (benchmarks/bench_app.py), through race_seconds and durations.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core import Config
from core.workers import WorkerCrashed
from core.train import (
    DEFAULT_CLASSES, DEFAULT_LR, DEFAULT_MOMENTUM, DEFAULT_STEPS, LECTURE_RACE, POINTS_PER_CLASS,
    estimate_training_memory, scheme_config, steps_to_loss, training_batch,
)

from .charts import GUIDE_COLOUR, HEIGHT, LABEL_SIZE, MAIN, SCHEME_COLOURS, decades, theme
from .summary import power_of_ten

# Colours for runs outside the Compare schemes (a custom init): Paul Tol's "bright" purple and grey are
# taken, so these come from his "muted" set, also safe for the common colour-vision deficiencies.
EXTRA_COLOURS = ("#882255", "#44AA99", "#999933", "#DDCC77", "#CC6677", "#117733")
MAX_POINTS = 4000  # rows of a curves frame, over all schemes: Altair refuses inline data over 5000 rows
SYMMETRY_COLUMNS = 3  # distinct-unit panels to a row: three of 240 px fit the page at 1024 px wide
MAX_CELLS = 4000  # cells of a heatmap (records x layers)
MAX_LOSS = 10.0  # top of the loss axis: ln K is at most 1.6 here, and an exploding run is reported in words
PLATEAU = 0.9  # a run has left the plateau once its running-mean loss is below 0.9 ln K
HALF = 0.5  # ... and has learned something real at 0.5 ln K
# Multiply-adds of a race (race_work); what they take is in MEASURED_S.
WORK_WARN = 1e11  # the page says how long the race will take (a fifth of Run at a tour step)
WORK_LIMIT = 1e12  # refused, with the width that would fit; memory alone would allow days of work
# Seconds that training took in the app on its 2-core server, as `python benchmarks/bench_app.py` measures them
# (a fresh server; Chromium on the same machine): Run at step 2, the lecture's 10 x 500 net with five schemes of
# 300 steps (LECTURE_WORK multiply-adds), and the He et al. 2015 preset's four runs; idle, and while 3 other
# sessions compute new networks. The page states them, and times other races at the lecture race's rate.
MEASURED_S = {"race": {"idle": 62.0, "loaded": 67.0}, "he": {"idle": 12.0, "loaded": 17.0}}  # docs/performance.md
LOADS = ("idle", "loaded")
LOADED_BY = 3  # other sessions computing new networks during the "loaded" figures (bench_app.py --background)


def failure_text(failure: BaseException, lang: str) -> str | None:
    """What the page says of a run that failed because its worker process died (core.workers.WorkerCrashed);
    None for any other fault, which the page shows as an exception (its type only, .streamlit/config.toml)."""
    if not isinstance(failure, WorkerCrashed):
        return None
    words = TEXT[lang]
    if failure.signal is not None:
        how = words["ended_by_signal"].format(signal=failure.signal)
    elif failure.code is not None:
        how = words["ended_with_code"].format(code=failure.code)
    else:
        how = words["could_not_restart"]
    return words["worker_crashed"].format(how=how)


def colours(names) -> list[str]:
    """Each scheme's fixed colour (the Compare tab's), then extra colours for other runs, in order."""
    extra = iter(EXTRA_COLOURS * 3)
    return [SCHEME_COLOURS.get(n) or next(extra) for n in names]


def classes_of(results: dict) -> int:
    return next(iter(results.values())).classes


def setup(config, steps: int, lr: float = DEFAULT_LR, classes: int = DEFAULT_CLASSES) -> dict:
    """The numbers TEXT[lang]["intro"] names, for a race on this configuration."""
    return dict(classes=classes, points=classes * POINTS_PER_CLASS, width=config.width, momentum=DEFAULT_MOMENTUM,
                lr=lr, batch=training_batch(config), steps=steps)


def race_work(config, schemes: int, steps: int) -> float:
    """Multiply-adds of a race, roughly: steps x batch x width^2 x depth per scheme (the forward and backward
    matrix products dominate; a constant factor is left out, as in WORK_WARN and WORK_LIMIT)."""
    return float(steps) * training_batch(config) * config.width**2 * config.depth * schemes


def widest(config, schemes: int, steps: int, limit: float = WORK_LIMIT) -> int:
    """The largest width whose race stays within the limit, other settings kept (at least 2, the smallest width)."""
    per_width2 = race_work(config, schemes, steps) / config.width**2
    return max(2, int(math.sqrt(limit / per_width2)))


LECTURE_WORK = race_work(Config(), len(LECTURE_RACE), DEFAULT_STEPS)  # Run at a tour step: 4.8e11


def race_seconds(work: float) -> dict[str, float]:
    """Seconds a race of this much work should take, {"idle": ..., "loaded": ...}, at the measured rate of the
    lecture's race (MEASURED_S). A rough figure: a narrow net does fewer multiply-adds a second."""
    return {load: work / LECTURE_WORK * MEASURED_S["race"][load] for load in LOADS}


def duration(seconds: float, lang: str) -> str:
    """A time as the page says it: whole seconds under 90 s, then minutes to one decimal ("45 s", "2.5 min")."""
    if seconds < 90:
        return TEXT[lang]["seconds"].format(n=f"{max(seconds, 1):.0f}")
    return TEXT[lang]["minutes"].format(n=f"{seconds / 60:.1f}")


def durations(seconds: dict[str, float], lang: str) -> dict[str, str]:
    """{"idle": "45 s", "loaded": "2.1 min", "sessions": 3}: a message's {idle}, {loaded} and {sessions}."""
    return {**{load: duration(seconds[load], lang) for load in LOADS}, "sessions": LOADED_BY}


def refusal(config, schemes: list[str], steps: int, words: dict, lang: str, memory_budget: int) -> str | None:
    """Why a race of `schemes` on this network is not run, or None: one of its runs needs more than memory_budget
    bytes (core.train.estimate_training_memory), or its work (race_work) is over WORK_LIMIT, which names the
    widest network that would fit (widest) and how long the limit's work takes (race_seconds)."""
    need = max((estimate_training_memory(scheme_config(config, s)) for s in schemes), default=0)
    if need > memory_budget:
        return words["too_big_memory"].format(need=need / 2**20, budget=memory_budget / 2**20)
    work = race_work(config, len(schemes), steps)
    if work > WORK_LIMIT:
        return words["too_slow"].format(work=power_of_ten(work), limit=power_of_ten(WORK_LIMIT),
                                        **durations(race_seconds(WORK_LIMIT), lang),
                                        width=widest(config, len(schemes), steps, WORK_LIMIT))
    return None


# ---------- frames ----------

def smoothing_window(steps: int) -> int:
    """Steps in the running mean of the minibatch loss: ~1/30 of the run, at least 1."""
    return max(1, steps // 30)


def curves_frame(results: dict, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Long frame (scheme, step, loss, accuracy, loss_mean, accuracy_mean) of finished runs, as runs_frame."""
    return runs_frame({name: (r.loss, r.accuracy) for name, r in results.items()}, max_points)


def runs_frame(curves: dict, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Long frame (scheme, step, loss, accuracy, loss_mean, accuracy_mean), thinned to max_points rows.

    curves: {name: (loss, accuracy)}, each (steps,) with NaN for the steps without a value: after a divergence,
    or not taken yet while the run trains (a live race's arrays, read as they fill). The *_mean columns are
    running means over smoothing_window(steps) steps, computed before thinning; steps without a value are
    left out. The thinning depends on the runs' lengths only, so a growing curve keeps its points.
    """
    parts = []
    stride = max(1, math.ceil(sum(len(loss) for loss, _ in curves.values()) / max_points))
    for name, (loss, accuracy) in curves.items():
        steps = len(loss)
        window = smoothing_window(steps)
        frame = pd.DataFrame({"scheme": name, "step": np.arange(steps), "loss": loss, "accuracy": accuracy})
        frame["loss_mean"] = frame["loss"].rolling(window, min_periods=1).mean()
        frame["accuracy_mean"] = frame["accuracy"].rolling(window, min_periods=1).mean()
        keep = (frame["step"] % stride == 0) | (frame["step"] == steps - 1)
        parts.append(frame[keep & np.isfinite(frame["loss"])])
    if not parts:
        return pd.DataFrame(columns=["scheme", "step", "loss", "accuracy", "loss_mean", "accuracy_mean"])
    return pd.concat(parts, ignore_index=True)


def final_frame(results: dict, text: dict) -> pd.DataFrame:
    """One row per scheme, as text: final loss and accuracy on all points, divergence, distinct units per layer."""
    rows = []
    for name, r in results.items():
        units = r.distinct_units[np.isfinite(r.distinct_units)]
        rows.append({
            text["col_scheme"]: name,
            text["col_loss"]: f"{r.final_loss:.4f}" if math.isfinite(r.final_loss) else "—",
            text["col_accuracy"]: f"{100 * r.final_accuracy:.1f}%" if math.isfinite(r.final_accuracy) else "—",
            text["col_diverged"]: "—" if r.diverged_at is None else str(r.diverged_at),
            text["col_units"]: "—" if units.size == 0 else (
                f"{int(units.min())}" if units.min() == units.max() else f"{int(units.min())}–{int(units.max())}"),
        })
    return pd.DataFrame(rows)


def heatmap_frame(result, statistic: str = "act_std", max_cells: int = MAX_CELLS) -> pd.DataFrame:
    """Long frame (step, layer, value) of one run's per-layer statistic over training.

    statistic: "act_std", "grad_std" or "update_ratio"; records are thinned to stay under max_cells.
    """
    values = getattr(result, statistic)  # (records, depth)
    records, depth = values.shape
    stride = max(1, math.ceil(records * depth / max_cells))
    rows = np.arange(0, records, stride)
    steps = np.repeat(result.record_steps[rows], depth)
    layers = np.tile(np.arange(1, depth + 1), len(rows))
    return pd.DataFrame({"step": steps, "layer": layers, "value": values[rows].reshape(-1)})


def symmetry_frame(results: dict) -> pd.DataFrame:
    """Long frame (scheme, layer, distinct_units) after training; layers without a value are left out."""
    parts = [pd.DataFrame({"scheme": name, "layer": np.arange(1, r.config.depth + 1),
                           "distinct_units": r.distinct_units}) for name, r in results.items()]
    frame = pd.concat(parts, ignore_index=True)
    return frame[np.isfinite(frame["distinct_units"])].reset_index(drop=True)


# ---------- charts ----------

def _fonts(chart):
    """The page's chart theme (charts.theme); the faint raw curves must not fade the legend."""
    return theme(chart, symbolOpacity=1)


def _scheme_colour(frame: pd.DataFrame, title: str, names: list[str] | None = None) -> alt.Color:
    names = list(dict.fromkeys(frame["scheme"])) if names is None else list(names)
    return alt.Color("scheme:N").title(title).scale(domain=names, range=colours(names))


def _guide(value: float, label: str, x_end: float) -> alt.LayerChart:
    """A dashed horizontal line with its label at the right end (x_end, in steps)."""
    frame = pd.DataFrame({"y": [value], "x": [x_end], "label": [label]})
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOUR, strokeDash=[6, 4], strokeWidth=2).encode(alt.Y("y:Q"))
    words = alt.Chart(frame).mark_text(align="right", baseline="bottom", dy=-3, color=GUIDE_COLOUR,
                                       fontSize=LABEL_SIZE - 2).encode(alt.X("x:Q"), alt.Y("y:Q"), alt.Text("label:N"))
    return rule + words


def _step_axis(text: dict, steps: int | None) -> alt.X:
    x = alt.X("step:Q").title(text["step"])
    return x if steps is None else x.scale(domain=[0, steps - 1], nice=False)


def _last_step(frame: pd.DataFrame, steps: int | None) -> float:
    return float(frame["step"].max()) if steps is None else float(steps - 1)


def loss_axis(frame: pd.DataFrame, classes: int) -> tuple[tuple[float, ...], float, float]:
    """The loss axis: its ticks and domain, whole decades around the curves and ln K, cut at MAX_LOSS."""
    ticks, (lo, hi) = decades([*frame["loss"], math.log(classes)])
    hi = min(hi, MAX_LOSS)
    return tuple(v for v in ticks if v <= hi), lo, hi


def loss_chart(frame: pd.DataFrame, text: dict, classes: int, steps: int | None = None,
               names: list[str] | None = None) -> alt.LayerChart:
    """Minibatch loss per scheme on one log axis: their running mean bold, the raw values faint; ln K dashed.

    The axis stops at MAX_LOSS: a run whose loss explodes leaves the chart (its message says so) rather
    than squashing every other curve into one line. steps: the race's length; given while it trains, the
    step axis spans the whole race and the curves grow into it. names: the schemes of the legend, in order
    (default: those in the frame). The curves are the chart's top-level data (see template).
    """
    ln_k = math.log(classes)
    ticks, lo, hi = loss_axis(frame, classes)
    y = alt.Y("value:Q").title(text["loss_y"]).scale(type="log", domain=[lo, hi], nice=False, clamp=False).axis(
        values=list(ticks), format="~g")
    x = _step_axis(text, steps)
    colour = _scheme_colour(frame, text["col_scheme"], names)
    mean = alt.Chart().mark_line(strokeWidth=3, clip=True).encode(
        x, y, colour,
        tooltip=[alt.Tooltip("scheme:N", title=text["col_scheme"]), alt.Tooltip("step:Q", title=text["step"]),
                 alt.Tooltip("loss_mean:Q", format=".3f", title=text["loss_mean_tip"])],
    ).transform_calculate(value="datum.loss_mean")
    raw = alt.Chart().mark_line(strokeWidth=1, opacity=0.3, clip=True).encode(
        x, y, colour).transform_calculate(value="datum.loss")
    guide = _guide(ln_k, text["ln_k"].format(k=classes), _last_step(frame, steps))
    chart = alt.layer(mean, raw, guide, data=frame).properties(title=text["loss_title"], height=HEIGHT + 80,
                                                               width="container")
    return _fonts(chart)


def accuracy_chart(frame: pd.DataFrame, text: dict, classes: int, ceiling: float | None = None,
                   steps: int | None = None, names: list[str] | None = None) -> alt.LayerChart:
    """Running-mean minibatch accuracy per scheme; chance (1/K) and, if given, the one-unit ceiling dashed.

    steps, names: as in loss_chart."""
    chart = alt.Chart().mark_line(strokeWidth=3).encode(
        _step_axis(text, steps),
        alt.Y("accuracy_mean:Q").title(text["accuracy_y"]).scale(domain=[0, 1]).axis(format="%"),
        _scheme_colour(frame, text["col_scheme"], names),
        tooltip=[alt.Tooltip("scheme:N", title=text["col_scheme"]), alt.Tooltip("step:Q", title=text["step"]),
                 alt.Tooltip("accuracy_mean:Q", format=".1%", title=text["accuracy_mean_tip"])],
    )
    x_end = _last_step(frame, steps)
    layers = [chart, _guide(1 / classes, text["chance"].format(k=classes), x_end)]
    if ceiling is not None:
        layers.append(_guide(ceiling, text["one_unit"], x_end))
    return _fonts(alt.layer(*layers, data=frame).properties(title=text["accuracy_title"], height=HEIGHT,
                                                            width="container"))


def template(chart: alt.LayerChart) -> dict:
    """A loss or accuracy chart as a Vega-Lite dict whose curves, its top-level data, are the dataset named
    charts.MAIN and left empty, to be filled by charts.with_data; the guides' own rows are written into their
    layers. Building a chart costs tens of ms; a live race redraws its curves every few hundred ms."""
    spec = chart.to_dict(validate=False)
    datasets = spec.pop("datasets", {})
    main = spec["data"]["name"]

    def inline(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("name") in datasets:
                node = {**node, "data": {"name": MAIN} if data["name"] == main else {"values": datasets[data["name"]]}}
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(spec)


def heatmap_chart(frame: pd.DataFrame, text: dict, statistic: str = "act_std") -> alt.Chart:
    """Layer x step, coloured by the statistic on a log scale (viridis); exact zeros are left blank."""
    shown = frame[frame["value"] > 0]
    _, domain = decades(shown["value"]) if len(shown) else ((), (0.1, 1.0))
    chart = alt.Chart(shown).mark_rect().encode(
        alt.X("step:O").title(text["step"]).axis(labelOverlap=True, labelAngle=0),
        alt.Y("layer:O").title(text["layer"]).sort("descending").axis(labelOverlap=True),
        alt.Color("value:Q").title(text[f"stat_{statistic}"]).scale(type="log", scheme="viridis",
                                                                    domain=list(domain)),
        tooltip=[alt.Tooltip("step:Q", title=text["step"]), alt.Tooltip("layer:Q", title=text["layer"]),
                 alt.Tooltip("value:Q", format=".3~g", title=text[f"stat_{statistic}"])],
    ).properties(title=text[f"heatmap_title_{statistic}"], height=HEIGHT + 80, width="container")
    return _fonts(chart)


def symmetry_chart(frame: pd.DataFrame, text: dict, max_labels: int = 30, panel_width: int = 260,
                   columns: int = SYMMETRY_COLUMNS) -> alt.FacetChart:
    """Distinct units per hidden layer after training, one panel per scheme, `columns` panels to a row.

    Each bar carries its count (up to max_labels layers), so a layer of one unit reads as "1", not as no bar.
    panel_width: pixels per panel. Five schemes side by side did not fit a 1280-px projector's page (the last
    panel, He's, was cut off), so the panels wrap.
    """
    names = list(dict.fromkeys(frame["scheme"]))
    base = alt.Chart().encode(  # no data of its own: the facet splits the layered chart's data by scheme
        alt.X("layer:O").title(text["layer"]).axis(labelOverlap=True, labelAngle=0),
        alt.Y("distinct_units:Q").title(text["units_y"]),
        tooltip=[alt.Tooltip("scheme:N", title=text["col_scheme"]), alt.Tooltip("layer:Q", title=text["layer"]),
                 alt.Tooltip("distinct_units:Q", format="d", title=text["units_y"])],
    )
    bars = base.mark_bar().encode(alt.Color("scheme:N").scale(domain=names, range=colours(names)).legend(None))
    layers = [bars]
    if frame["layer"].max() <= max_labels:
        layers.append(base.mark_text(baseline="bottom", dy=-2, fontSize=LABEL_SIZE - 4).encode(
            alt.Text("distinct_units:Q", format="d")))
    chart = alt.layer(*layers, data=frame).properties(width=panel_width, height=HEIGHT - 60)
    facet = chart.facet(facet=alt.Facet("scheme:N").title(None).sort(names), columns=columns).properties(
        title=text["symmetry_title"])
    return _fonts(facet)


# ---------- words ----------

def messages(results: dict, lang: str) -> list[str]:
    """One sentence per diverged run, in the page's language."""
    return [TEXT[lang]["diverged"].format(scheme=name, step=r.diverged_at)
            for name, r in results.items() if r.diverged_at is not None]


def plateau_steps(result, fraction: float) -> int | None:
    """The first step whose running mean (20 steps) of the loss is at or below fraction * ln K."""
    return steps_to_loss(result, fraction * math.log(result.classes))


def he_measured(results: dict, text: dict, depth: int) -> str:
    """What this app measured in the He et al. 2015 race, in one or two sentences."""
    parts = []
    for name, r in results.items():
        left, half = plateau_steps(r, PLATEAU), plateau_steps(r, HALF)
        if r.diverged_at is not None and half is None:
            parts.append(text["he_diverged"].format(scheme=name, step=r.diverged_at))
        elif left is None:
            parts.append(text["he_stalled"].format(scheme=name, steps=r.steps))
        elif half is None:
            parts.append(text["he_left"].format(scheme=name, left=left, steps=r.steps))
        else:
            parts.append(text["he_trained"].format(scheme=name, left=left, half=half))
    return text["he_measured"].format(depth=depth, runs="; ".join(parts))


TEXT = {
    "en": {
        "tab": "Training",
        "title": "Train it: does the network learn?",
        "intro": (
            "Statistics at initialization only hint at it; here the network is trained. Each scheme trains the "
            "same network on the same data in the same order — only the initial weights differ. The task: "
            "{classes} interleaved spiral arms, {points} points in the plane, lifted to the network's {width} "
            "inputs by a fixed random projection. Minibatch SGD with momentum {momentum}, learning rate {lr}, "
            "batch {batch}, {steps} steps."
        ),
        "schemes": "Schemes to race",
        "schemes_help": "Each keeps its colour everywhere in the app. Default: the lecture's five.",
        "run": "Run",
        "running": "Training… {done:,} of {total:,} steps, {seconds:.0f} s so far",
        "stop": "Stop",
        "starting": "Starting… (if another page is training the same race, this one shows its result when it ends)",
        "stopped": ("Stopped after {seconds:.1f} s, at {done:,} of {total:,} steps: the curves show how far each run "
                    "got. Press Run to train again."),
        "other_running": "A race started with other settings is still training. Stop it, or wait for it to finish.",
        "worker_crashed": ("The process training this race ended before it finished ({how}: the server may be short "
                           "of memory). A new one has taken its place: press Run to train again."),
        "ended_by_signal": "stopped by {signal}",
        "ended_with_code": "exit code {code}",
        "could_not_restart": "and no new one could be started",
        "press_run": "Press Run to train this configuration. Training never starts on its own.",
        "too_big": "Training refused: {message}",
        "too_big_memory": ("Training refused: it needs about {need:,.0f} MiB, over the budget of {budget:,.0f} MiB. "
                           "Lower the depth or the width: the weights, their gradients and momenta grow with "
                           "depth × width²."),
        "diverged": ("{scheme}: the loss became infinite or NaN at step {step}, so this curve stops there. "
                     "A smaller learning rate or a smaller initial scale keeps it finite."),
        "loss_title": "Training loss (log scale): faint per minibatch, bold the running mean",
        "loss_y": "cross-entropy loss",
        "loss_mean_tip": "loss, running mean",
        "ln_k": "ln {k}: guessing",
        "step": "step",
        "accuracy_title": "Training accuracy (running mean over minibatches)",
        "accuracy_y": "accuracy",
        "accuracy_mean_tip": "accuracy, running mean",
        "chance": "chance, 1/{k}",
        "one_unit": "the best one unit per layer can do",
        "col_scheme": "scheme",
        "col_loss": "final loss",
        "col_accuracy": "final accuracy",
        "col_diverged": "diverged at step",
        "col_units": "distinct units per layer",
        "table_caption": "Loss and accuracy on all points after the last step.",
        "heatmap_scheme": "Scheme shown in the heatmap",
        "heatmap_statistic": "Statistic",
        "layer": "layer",
        "stat_act_std": "activation std",
        "stat_grad_std": "gradient std",
        "stat_update_ratio": "update : data",
        "heatmap_title_act_std": "Activation std of every layer over training",
        "heatmap_title_grad_std": "Gradient std (dL/dz per sample) of every layer over training",
        "heatmap_title_update_ratio": "Update : data ratio, std(lr·v) / std(W), of every layer over training",
        "heatmap_caption": ("Blank cells are exact zeros. Update : data near 1e-3 is the usual sign of a healthy "
                            "learning rate; far below, that layer barely moves."),
        "symmetry_title": "Distinct units per layer after training",
        "units_y": "distinct units",
        "symmetry_caption": (
            "Zero or constant init: every unit of a layer starts equal, receives the same gradient, and so stays "
            "equal — after any number of steps each layer is still one unit copied. The read-out starts with "
            "the same scheme (scaled by 0.1), so it cannot tell the copies apart either. With tanh or ReLU and "
            "zero weights every hidden unit even outputs exactly 0: only the read-out's bias learns, it picks "
            "one class, and accuracy stays at chance, 1/K. Constant weights let the copies learn, but a net of "
            "one unit per layer can only cut the plane into K parallel bands: at most {ceiling:.0%} on this "
            "spiral. A random init breaks the symmetry at the first step: every unit differs (in a ReLU net the "
            "units that are off for every point are all zero and count as one)."
        ),
        "head": ("The read-out layer (width → K, softmax) is drawn with the same scheme as the hidden layers, "
                 "scaled by 0.1: the logits start near 0, so a sane init starts at the loss ln K."),
        "steps": "Steps",
        "steps_help": ("Minibatch SGD steps per scheme. The race's time grows with steps × batch × width² × depth "
                       "× schemes."),
        "slow": ("A large race, about {work} multiply-adds: about {idle} on this app's 2-core server when it is "
                 "idle, {loaded} while {sessions} other sessions compute. The curves grow as it trains, and Stop ends it. For "
                 "a quicker one, lower the width (half the width, a quarter of the time), the depth, the steps or "
                 "the number of schemes."),
        "too_slow": (
            "Training refused: this race needs about {work} multiply-adds, over the app's limit of {limit} (about "
            "{idle} on an idle 2-core server, {loaded} while {sessions} other sessions compute). Time grows with steps × "
            "batch (at most 128) × width² × depth × schemes; with this depth, these steps and schemes, a width up "
            "to {width} fits."
        ),
        "seconds": "{n} s",
        "minutes": "{n} min",
        "he_title": "He et al. 2015 in miniature: Xavier against He in deep ReLU nets",
        "he_setup": ("Its own network, whatever the sidebar says: ReLU, width {width}, no batch norm, batch {batch}, "
                     "learning rate {lr}, {steps} steps, at depth 22 and at depth 30, the four runs side by side: "
                     "{idle} on this app's 2-core server when it is idle, {loaded} while {sessions} other sessions compute."),
        "he_depth": "Depth",
        "he_run": "Run the race",
        "he_paper": (
            "What the paper reports (He et al. 2015, Delving Deep into Rectifiers, Figures 2 and 3): a 22-layer "
            "ReLU network converges with both inits, He's reducing the error sooner; a 30-layer one converges "
            "with He's, while with Xavier's it completely stalls."
        ),
        "he_measured": "What this app measured at depth {depth}: {runs}.",
        "he_stalled": "{scheme} stayed on the ln K plateau for all {steps} steps",
        "he_diverged": "{scheme} diverged at step {step}",
        "he_left": "{scheme} left the plateau at step {left} but had not reached half of ln K by step {steps}",
        "he_trained": "{scheme} left the plateau at step {left} and reached half of ln K at step {half}",
        "he_note": (
            "Xavier's Var(w) = 1/n is half of what ReLU needs, so the signal shrinks by √2 a layer: 2⁻¹¹ after "
            "22 layers, 2⁻¹⁵ after 30. The loss sits at ln K until the weights have grown enough, and that "
            "plateau grows with depth; given many more steps the 30-layer Xavier net starts learning too."
        ),
    },
    "zh": {
        "tab": "训练",
        "title": "训练一下：网络学得会吗？",
        "intro": (
            "初始化时的统计量只能暗示结果；这里真的训练网络。每种方案用同样的数据、同样的顺序训练同一个网络，"
            "只有初始权重不同。任务：{classes} 条交错的螺旋臂，平面上 {points} 个点，经固定的随机投影升到网络的 "
            "{width} 维输入。带动量 {momentum} 的小批量 SGD，学习率 {lr}，批大小 {batch}，共 {steps} 步。"
        ),
        "schemes": "参赛的初始化方案",
        "schemes_help": "每种方案在整个应用里颜色固定。默认：课程里的五种。",
        "run": "运行",
        "running": "训练中……已完成 {done:,} / {total:,} 步，用时 {seconds:.0f} 秒",
        "stop": "停止",
        "starting": "正在开始……（如果另一个页面正在训练同一场比赛，结束时这里会直接显示它的结果）",
        "stopped": "已在 {seconds:.1f} 秒后停止，完成 {done:,} / {total:,} 步：曲线显示每个方案训练到了哪里。点击“运行”可重新训练。",
        "other_running": "用其他设置开始的比赛仍在训练。可以停止它，或等它结束。",
        "worker_crashed": "训练这场比赛的进程在完成前意外结束（{how}：服务器可能内存不足）。已有新进程接替：点击“运行”可重新训练。",
        "ended_by_signal": "被信号 {signal} 终止",
        "ended_with_code": "退出码 {code}",
        "could_not_restart": "且无法启动新进程",
        "press_run": "点击“运行”来训练当前配置。训练不会自动开始。",
        "too_big": "拒绝训练：{message}",
        "too_big_memory": ("拒绝训练：需要约 {need:,.0f} MiB，超过 {budget:,.0f} MiB 的上限。请减小深度或宽度："
                           "权重及其梯度和动量随 深度 × 宽度² 增长。"),
        "diverged": "{scheme}：第 {step} 步损失变为无穷大或 NaN，这条曲线到此为止。更小的学习率或更小的初始尺度可以避免。",
        "loss_title": "训练损失（对数坐标）：细线为每个小批量，粗线为滑动平均",
        "loss_y": "交叉熵损失",
        "loss_mean_tip": "损失（滑动平均）",
        "ln_k": "ln {k}：随机猜",
        "step": "步数",
        "accuracy_title": "训练准确率（小批量的滑动平均）",
        "accuracy_y": "准确率",
        "accuracy_mean_tip": "准确率（滑动平均）",
        "chance": "随机水平 1/{k}",
        "one_unit": "每层只有一个单元时的上限",
        "col_scheme": "方案",
        "col_loss": "最终损失",
        "col_accuracy": "最终准确率",
        "col_diverged": "发散于第几步",
        "col_units": "每层不同单元数",
        "table_caption": "最后一步之后在全部数据点上的损失和准确率。",
        "heatmap_scheme": "热力图显示的方案",
        "heatmap_statistic": "统计量",
        "layer": "层",
        "stat_act_std": "激活标准差",
        "stat_grad_std": "梯度标准差",
        "stat_update_ratio": "更新量 : 参数",
        "heatmap_title_act_std": "训练过程中每层激活值的标准差",
        "heatmap_title_grad_std": "训练过程中每层梯度（每个样本的 dL/dz）的标准差",
        "heatmap_title_update_ratio": "训练过程中每层的更新量 : 参数比，std(lr·v) / std(W)",
        "heatmap_caption": "空白格表示恰好为 0。更新量 : 参数约为 1e-3 通常说明学习率合适；远小于它，这一层几乎不动。",
        "symmetry_title": "训练后每层不同单元的个数",
        "units_y": "不同单元数",
        "symmetry_caption": (
            "全零或常数初始化：同一层的单元起点相同，得到的梯度也相同，于是一直相同——无论训练多少步，每层仍只是"
            "一个单元的复制。输出层也用同一方案初始化（乘以 0.1），同样分不出这些复制。对 tanh 或 ReLU，权重全零时"
            "每个隐藏单元的输出恰好是 0：只有输出层的偏置在学习，它只会选出一个类别，准确率停在随机水平 1/K。"
            "常数权重时这些复制能学习，但每层一个单元的网络只能把平面切成 K 条平行带：在这个螺旋上最多 "
            "{ceiling:.0%}。随机初始化在第一步就打破对称：每个单元都不同（ReLU 网络里对所有点都不激活的单元全为 0，"
            "算作一个）。"
        ),
        "head": "输出层（宽度 → K，softmax）与隐藏层用同一方案初始化并乘以 0.1：初始 logits 接近 0，合理的初始化从损失 ln K 开始。",
        "steps": "步数",
        "steps_help": "每种方案的小批量 SGD 步数。比赛用时随 步数 × 批大小 × 宽度² × 深度 × 方案数 增长。",
        "slow": ("这场比赛较大，约 {work} 次乘加：在本应用的双核服务器上，空闲时约需 {idle}，另有 {sessions} 个会话在计算时约需 "
                 "{loaded}。曲线会随训练逐步画出，“停止”可随时结束。想快一些，可以减小宽度（宽度减半，时间变为四分之一）、"
                 "深度、步数或方案数。"),
        "too_slow": (
            "拒绝训练：这场比赛约需 {work} 次乘加，超过本应用的上限 {limit}（双核服务器空闲时约需 {idle}，另有 {sessions} 个会话"
            "在计算时约需 {loaded}）。用时随 步数 × 批大小（最多 128）× 宽度² × 深度 × 方案数 增长；在当前深度、步数和"
            "方案下，宽度不超过 {width} 即可。"
        ),
        "seconds": "{n} 秒",
        "minutes": "{n} 分钟",
        "he_title": "He 等人 2015 的缩小版：深层 ReLU 网络中 Xavier 对 He",
        "he_setup": ("使用它自己的网络，与侧边栏无关：ReLU，宽度 {width}，无批归一化，批大小 {batch}，学习率 {lr}，"
                     "{steps} 步，深度分别为 22 和 30，四次训练同时进行：在本应用的双核服务器上，空闲时约需 {idle}，"
                     "另有 {sessions} 个会话在计算时约需 {loaded}。"),
        "he_depth": "深度",
        "he_run": "开始比赛",
        "he_paper": (
            "论文的结论（He et al. 2015，Delving Deep into Rectifiers，图 2 和图 3）：22 层 ReLU 网络用两种初始化"
            "都能收敛，He 初始化更早开始降低误差；30 层网络用 He 初始化能收敛，用 Xavier 初始化则完全停滞。"
        ),
        "he_measured": "本应用在深度 {depth} 的实测：{runs}。",
        "he_stalled": "{scheme} 在全部 {steps} 步中一直停在 ln K 平台上",
        "he_diverged": "{scheme} 在第 {step} 步发散",
        "he_left": "{scheme} 在第 {left} 步离开平台，但到第 {steps} 步仍未降到 ln K 的一半",
        "he_trained": "{scheme} 在第 {left} 步离开平台，在第 {half} 步降到 ln K 的一半",
        "he_note": (
            "Xavier 的 Var(w) = 1/n 只有 ReLU 所需的一半，信号每层缩小 √2：22 层后为 2⁻¹¹，30 层后为 2⁻¹⁵。"
            "损失停在 ln K，直到权重长得足够大；这个平台随深度变长。若再多训练很多步，30 层的 Xavier 网络也会开始学习。"
        ),
    },
}
