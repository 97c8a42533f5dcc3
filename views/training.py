"""The Training tab's pieces: frames from training results, Altair charts, the tab's words; no streamlit.

views/tabs/training.py draws the tab with them. Training starts only on the Run button, never on a slider move, and
runs in the background (views/live.py), so the page stays responsive and can show it growing: while it runs, a
fragment redraws every 0.3 s the bar, the Stop button and the curves as far as each run has got (runs_frame, into
a template built once by template); once it has ended, every result (curves_frame, final_frame, heatmap_frame,
symmetry_frame). refusal says why a race is not run: over the memory budget, or over WORK_LIMIT.

A result is shown only while the sidebar still matches the race it came from. The He et al. 2015 preset is
the same pattern with core.cache.he_2015_cached (both depths, four runs side by side), captioned with the
messages "training_tab.he_paper", he_measured(results, lang, depth) and "training_tab.he_note". The times the
tab states come from MEASURED_S (benchmarks/bench_app.py), through race_seconds and durations. Every builder
takes the page's language and reads its words through t(lang, "training_tab.<name>").
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from core import Config, digits, schemes
from core.config import mib_apart, resize, resized_size
from core.draws import family
from core.workers import WorkerCrashed
from core.train import (
    BN_RESCUE, DEFAULT_CLASSES, DEFAULT_LR, DEFAULT_MOMENTUM, DEFAULT_STEPS, HE_2015_DEPTHS, HEAD_SCALE, LECTURE_RACE,
    LR_CHOSEN_DEPTH, MAX_BATCH, POINTS_PER_CLASS, SPIKE,
    acts_as_one_unit, estimate_training_memory, one_unit_ceiling, scheme_config, spike, stability, steps_to_loss,
    task_config, training_batch,
)

from . import describe
from .charts import EM_OTHER, GUIDE_COLOUR, GUIDE_SIZE, HALO, HALO_WIDTH, HEIGHT, LABEL_GAP, LABEL_SIZE, MAIN, \
    SCHEME_COLOURS, SHARE_LABEL, TITLE_SIZE, breaking_title, decades, legend_columns, plot_height, scheme_name, \
    layer, log_labels, share_expr, text_width, theme, title_lines, written, zero_marks
from .summary import SHRINK, UPDATE_GUIDE, batch_norm_step_factor, gradient_symbol, layers_named
from .number_writing import format_power, format_share, format_value, power_of_ten, powers_apart, superscript
from .text import join, t

# Colours for runs outside the Compare schemes (a custom init): Paul Tol's "bright" purple and grey are
# taken, so these come from his "muted" set, also safe for the common colour-vision deficiencies.
EXTRA_COLOURS = ("#882255", "#44AA99", "#999933", "#DDCC77", "#CC6677", "#117733")
MAX_POINTS = 4000  # rows of a curves frame, over all schemes: Altair refuses inline data over 5000 rows
# The distinct units' panels, (columns, panel width, panel height) in px, on a screen that is no phone and on a phone:
# three of 240 px fit the page at 1024 px wide; a phone's column (356 px on a 390 px screen) holds one panel of 260
# px with its axis at full size (three in a row were drawn 824 px wide and shrunk to the screen, their text to 6 px),
# 100 px tall: five panels, each with its layer axis, about 1,100 px in all in the browser (1,252 at 180 px a panel)
SYMMETRY_LAYOUTS = {False: (3, 240, HEIGHT - 60), True: (1, 260, 100)}
SYMMETRY_COLUMNS, SYMMETRY_PANEL, SYMMETRY_HEIGHT = SYMMETRY_LAYOUTS[False]
MAX_CELLS = 4000  # cells of a heatmap (records x layers)
# The step axis's labels: multiples of one round spacing, 1, 2, 2.5 or 5 x 10^k steps (250 reads as round as 200),
# each centre STEP_SPACE px from the next at least, about ten to a laptop's plot (Vega's own ticks, 10 steps apart,
# lost every other three-digit label to its overlap pass and read 0 10 20 ... 90 100 120 140); any plot may be cut in
# FEW_STEPS spacings where their labels stand apart (a phone's 0 200 400 600 800). Spacings whose labels need a plot
# wider than WIDEST_PLOT px are not offered.
STEP_SPACINGS = (1, 2, 2.5, 5)
STEP_SPACE = 80
FEW_STEPS = 4
WIDEST_PLOT = 4000
# Latin letters in a line of the loss and accuracy charts' titles (charts.title_lines): a phone's plot holds about 30
# at the titles' 17 px; 28 breaks the loss title's three parts evenly instead of leaving one word on a line
TITLE_WIDTH = 28
LEGEND_LENGTH = 200  # px, Vega-Lite's default gradient length: the least a colour legend is drawn
LEGEND_LONGEST = 520  # px: a colour legend fits the plot of a 1024 px window with the sidebar open (about 600)
PHONE_LEGEND_LONGEST = 240  # px: one fits a phone's 356 px chart from its plot's left edge, its last label too
MAX_LOSS = 10.0  # top of the loss axis: ln K is at most 1.6 here, and an exploding run is reported in words
LOSS_HEIGHT, ACCURACY_HEIGHT = 260, 220  # the plots' heights in px (charts.plot_height): readable from the back row
ACCURACY_TOP = 1.05  # the accuracy axis ends a little above 100 %, so a run at 100 % and the 100 % label sit inside
ACCURACY_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
UNIT_LABEL_SPACE = 18  # px of a bar's band that its count, turned a quarter at LABEL_SIZE, needs
COUNT_GAP = 4  # px between a bar and its count
UNIT_TICK_SPACE = 40  # px: the least room of a tick label of the distinct units' axis, so that none is left out
PLATEAU = 0.9  # a run has left the plateau once its running-mean loss is below 0.9 ln K
HALF = 0.5  # ... and has learned something real at 0.5 ln K
# A run learned and then lost it (relapse) once its drawn accuracy came this share of the way from chance to 100 %,
# and at its last step keeps less than this share of what it had gained over chance
RELAPSE = 0.5
# Two runs' losses this close at every step are one curve on the chart, one line over the other: zeros' and
# N(0, 0.01²)'s at a tour step, both at ln K, differ by 2.4 × 10⁻⁷ of their value (float32's rounding).
SAME_CURVE = 1e-5
# Multiply-adds of a race (race_work); what they take is in MEASURED_S.
WORK_WARN = 3e11  # the page says how long the race will take (about a fifth of Run at a tour step, 1.4e12)
WORK_LIMIT = 3e12  # refused, with the width that would fit; memory alone would allow days of work
# Seconds that training took in the app on its 2-core server, as `python benchmarks/bench_app.py` measures them
# (a fresh server; Chromium on the same machine): Run at step 2, the lecture's 10 x 500 net with five schemes of
# 300 steps (LECTURE_WORK multiply-adds), and the He et al. 2015 preset's four runs; idle, and while 3 other
# sessions compute new networks. The page states them, and times other races at the lecture race's rate.
MEASURED_S = {"race": {"idle": 37.7, "loaded": 105.1}, "he": {"idle": 9.9, "loaded": 24.0}}  # docs/performance.md
LOADS = ("idle", "loaded")
LOADED_BY = 3  # other sessions computing new networks during the "loaded" figures (bench_app.py --background)


def failure_text(failure: BaseException, lang: str) -> str | None:
    """What the page says of a run that failed because its worker process died (core.workers.WorkerCrashed);
    None for any other fault, which the page shows as an exception (its type only, .streamlit/config.toml)."""
    if not isinstance(failure, WorkerCrashed):
        return None
    if failure.signal is not None:
        how = t(lang, "training_tab.ended_by_signal", signal=failure.signal)
    elif failure.code is not None:
        how = t(lang, "training_tab.ended_with_code", code=failure.code)
    else:
        how = t(lang, "training_tab.could_not_restart")
    return t(lang, "training_tab.worker_crashed", how=how)


def colours(names) -> list[str]:
    """Each scheme's fixed colour (the Compare tab's), then extra colours for other runs, in order."""
    extra = iter(EXTRA_COLOURS * 3)
    return [SCHEME_COLOURS.get(n) or next(extra) for n in names]


def classes_of(results: dict) -> int:
    return next(iter(results.values())).classes


def setup(config, steps: int, lr: float = DEFAULT_LR, classes: int = DEFAULT_CLASSES, task: str = "spiral") -> dict:
    """The numbers the message "training_tab.intro_spiral" or "training_tab.intro_digits" names (a conv net's
    "training_tab.intro_spiral_conv" or "training_tab.intro_digits_conv", which also name its images, kernel and
    input channels), for a race on this configuration (for the digits, core.train.task_config's): `inputs` the
    input layer's width, `width` the hidden layers' ("500", or a profile's "256-128-32")."""
    hidden = config.units[1:]
    shared = dict(width=describe.widths_words(hidden) or f"{hidden[0]:,}", inputs=config.units[0],
                  momentum=DEFAULT_MOMENTUM,
                  lr=lr, batch=training_batch(config), steps=steps, image=config.image, kernel=config.kernel,
                  channels=config.units[0])
    if task == "digits":
        return dict(train=digits.TRAIN_IMAGES, test=digits.IMAGES - digits.TRAIN_IMAGES, pixels=digits.PIXELS,
                    classes=digits.CLASSES, **shared)
    return dict(classes=classes, points=classes * POINTS_PER_CLASS, **shared)


def runs_text(config, schemes, lang: str) -> str:
    """The intro's sentence on how the runs of a race of `schemes` on this network differ: in their initial weights
    only, or also in batch norm, naming the runs that have it (core.train.scheme_config decides, the race's own)."""
    with_bn = [scheme_name(s, lang) for s in schemes if scheme_config(config, s).batch_norm]
    if not with_bn or len(with_bn) == len(schemes):
        return t(lang, "training_tab.runs_alike")
    return t(lang, "training_tab.runs_bn", names=join(lang, with_bn))


# The scheme the lecture calls wrong for an activation and the one it calls right: Xavier for ReLU, whose variance
# halves at each layer (tour step 5), and He, which makes up for the half (step 6).
LECTURE_VERDICTS = {"relu": ("xavier_normal", "he_normal")}


def depth_text(results: dict, lang: str) -> str | None:
    """Where the scheme the lecture calls wrong for the race's activation (LECTURE_VERDICTS) ends at or below the one
    it calls right in final loss: the two losses, then the wrong one's activation std shrinking from the first hidden
    layer to the last at step 0 (the first minibatch, before any update) and whether its loss still reached half of
    ln K (HALF: at which step, or not in its steps), and that He et al. 2015 report the difference at greater depths,
    which the preset below races. None otherwise, or without both runs finite and shrinking."""
    first = next(iter(results.values()))
    pair = LECTURE_VERDICTS.get(first.config.activation)
    if pair is None or not all(name in results for name in pair):
        return None
    wrong, right = (results[name] for name in pair)
    if not (math.isfinite(wrong.final_loss) and math.isfinite(right.final_loss)) or wrong.final_loss > right.final_loss:
        return None
    if len(wrong.record_steps) == 0 or wrong.record_steps[0] != 0:
        return None
    shrink = wrong.act_std[0, -1] / wrong.act_std[0, 0]
    if not 0 < shrink < 1:
        return None
    half = plateau_steps(wrong, HALF)
    learning = t(lang, "training_tab.wrong_not_learned" if half is None else "training_tab.wrong_learned",
                 depth=wrong.config.depth, shrink=format_value(shrink), step=half, steps=wrong.steps,
                 half=format_value(HALF * math.log(wrong.classes)))
    level = format_value(wrong.final_loss) == format_value(right.final_loss)
    return t(lang, "training_tab.wrong_level" if level else "training_tab.wrong_below",
             wrong=scheme_name(pair[0], lang), right=scheme_name(pair[1], lang),
             activation=t(lang, f"act_{first.config.activation}"), wrong_loss=format_value(wrong.final_loss),
             right_loss=format_value(right.final_loss), learning=learning,
             depths=join(lang, [str(d) for d in HE_2015_DEPTHS]), he_title=t(lang, "training_tab.he_title"))


def rescue_text(results: dict, lang: str) -> str | None:
    """Where a race has both N(0, 0.01²) runs, with and without batch norm (BN_RESCUE, tour step 7's): how far each got
    (run_progress, the He et al. 2015 preset's rules: off the ln K plateau, down to half of it) and the batch-norm run's
    final loss and accuracy, then what batch norm did, chosen from those: let the same bad init learn (it reached
    half of ln K, the plain run did not), brought the signal back but learned little (off the plateau only), or
    neither. Where it did not reach half of ln K on weights smaller than Xavier's, why (rescue_step): batch norm
    makes its steps summary.batch_norm_step_factor times Xavier's at the same learning rate. None without both runs
    finite."""
    if BN_RESCUE not in results or "normal_0.01" not in results:
        return None
    bn, plain = results[BN_RESCUE], results["normal_0.01"]
    if not (math.isfinite(bn.final_loss) and math.isfinite(plain.final_loss)):
        return None
    if plateau_steps(bn, HALF) is not None and plateau_steps(plain, HALF) is None:
        outcome = "training_tab.rescued"
    elif plateau_steps(bn, PLATEAU) is not None and plateau_steps(plain, PLATEAU) is None:
        outcome = "training_tab.rescued_signal"
    else:
        outcome = "training_tab.not_rescued"
    runs = join(lang, [run_progress(name, results[name], lang, accuracy=name != BN_RESCUE)
                       for name in ("normal_0.01", BN_RESCUE)], "clause")  # the batch-norm run's accuracy follows
    said = [t(lang, outcome, runs=runs, bn_loss=format_value(bn.final_loss),
              bn_accuracy=format_share(bn.final_accuracy))]
    factor = batch_norm_step_factor(bn.config)
    if outcome != "training_tab.rescued" and factor is not None and factor > 1:
        said.append(rescue_step(bn, factor, lang))
    return join(lang, said, "sentence")


def rescue_step(bn, factor: float, lang: str) -> str:
    """Why the batch-norm run learned little: its steps are `factor` times Xavier's at its learning rate, as large as
    Xavier's at lr x factor, and lr / factor would give it Xavier's steps at lr."""
    return t(lang, "training_tab.rescue_step", bn=scheme_name(BN_RESCUE, lang), factor=format_value(factor, 2),
             lr=format_value(bn.lr), faster=format_value(bn.lr * factor), matched=format_value(bn.lr / factor))


def held_out_text(results: dict, lang: str) -> str | None:
    """For the digits: the scheme with the best held-out accuracy, its accuracy on the training images beside it,
    and how it compares with chance (1/10), chosen from the numbers; None for the spiral or without a finite one.
    Below twice chance, where a run's loss has left the ln K plateau (plateau_steps) and its final loss is below it
    too, the first to leave it is named with more steps to try (the Steps box)."""
    scored = {name: r for name, r in results.items() if r.test_accuracy is not None and math.isfinite(r.test_accuracy)}
    if not scored:
        return None
    name, best = max(scored.items(), key=lambda item: item[1].test_accuracy)
    chance = 1 / best.classes
    numbers = dict(scheme=scheme_name(name, lang), test=format_share(best.test_accuracy),
                   train=format_share(best.final_accuracy), tests=digits.IMAGES - digits.TRAIN_IMAGES,
                   chance=format_share(chance))
    if best.test_accuracy >= 2 * chance:
        return t(lang, "training_tab.held_out_learned", times=format_value(best.test_accuracy / chance, 2),
                 **numbers)
    said = t(lang, "training_tab.held_out_chance", **numbers)
    # what the tab lets one try: more steps, for a run whose loss has started down and ends down (the learning rate is
    # fixed); a run whose running mean dipped under the plateau and came back up to it is not one
    left = {name: step for name, r in scored.items() if (step := plateau_steps(r, PLATEAU)) is not None
            and r.final_loss < PLATEAU * math.log(r.classes)}
    if left:
        name = min(left, key=left.get)
        said = join(lang, [said, t(lang, "training_tab.held_out_more_steps", scheme=scheme_name(name, lang),
                                   left=left[name], k=best.classes, plateau=format_value(PLATEAU),
                                   final=format_value(scored[name].final_loss))], "sentence")
    return said


# A stalled run's largest update:data ratio is "far below" the guide (stalled_text) where it is this many times
# smaller: at 10⁻⁵ a step, a layer's weights take 1,000 steps at the least to move by 1 % of their size
FAR_BELOW = 100.0


def stalled_text(results: dict, lang: str) -> list[str]:
    """Why a run stayed at chance, one paragraph for each run that stayed on the ln K plateau (plateau_steps; not
    diverged), chosen from its numbers:
    - the units of each layer are one after training (distinct_units 1): where every hidden unit output one value for
      every point and got no gradient at every record (_stuck; zero weights with tanh or ReLU), the read-out sees one
      input for every point; else the network is one unit a layer (zeros under sigmoid);
    - every layer's units differ and its largest update:data ratio over the run, std(lr·v) / std(W)
      (TrainingResult.update_ratio), is FAR_BELOW the usual summary.UPDATE_GUIDE: that ratio, beside the largest of a
      run that learned (reached half of ln K, HALF; not step 7's batch-norm run at lr 0.02, whose 0.045 are steps too
      large), if any; then why the updates are so small (_stalled_cause);
    - every layer's units differ and its updates are not small but far apart between the layers at the first record
      (_uneven_updates: step 3's N(0, 1)): the largest and the smallest, with their layers.
    Nothing for any other run (constant weights' copies: the symmetry caption). [] where no run is such."""
    learned = {name: ratio for name, r in results.items() if r.diverged_at is None
               and plateau_steps(r, HALF) is not None and (ratio := _largest_ratio(r)) is not None}
    said = []
    for name, r in results.items():
        if r.diverged_at is not None or plateau_steps(r, PLATEAU) is not None:
            continue
        distinct = np.asarray(r.distinct_units, float)
        words = dict(scheme=scheme_name(name, lang), k=r.classes)
        if distinct.size and np.all(distinct == 1):  # copies: stuck (zeros under tanh or ReLU), or one unit a layer
            said.append(t(lang, "training_tab.stalled_zero" if _stuck(r) else "training_tab.stalled_copies", **words))
            continue
        ratio = _largest_ratio(r)
        if ratio is None or not (distinct.size and np.all(distinct > 1)):
            continue
        words.update(guide=format_power(UPDATE_GUIDE), units=_units_differ(r, lang))
        if ratio > UPDATE_GUIDE / FAR_BELOW:  # not small: too unequal between the layers, where they are
            uneven = _uneven_updates(r)
            if uneven is not None:
                said.append(t(lang, "training_tab.stalled_uneven", **uneven, **words))
            continue
        words["ratio"] = format_value(ratio, 2)
        if learned:
            best = max(learned, key=learned.get)
            sentences = [t(lang, "training_tab.stalled_small_beside", best=scheme_name(best, lang),
                           best_ratio=format_value(learned[best], 2), **words)]
        else:
            sentences = [t(lang, "training_tab.stalled_small", **words)]
        if r.lr < DEFAULT_LR:  # lr·v shrinks with the rate: the box's rate is a cause too, not the init alone
            sentences.append(t(lang, "training_tab.stalled_rate", lr=format_value(r.lr),
                               default=format_value(DEFAULT_LR), times=format_value(DEFAULT_LR / r.lr)))
        cause = _stalled_cause(r, lang)
        if cause:
            sentences.append(cause)
        said.append(join(lang, sentences, "sentence"))
    return said


def _uneven_updates(r) -> dict[str, str | int] | None:
    """stalled_uneven's numbers: at the run's first record, the largest update:data ratio over the layers, FAR_BELOW
    times the usual summary.UPDATE_GUIDE or more, and the smallest positive one, FAR_BELOW times less or more (step 3's
    N(0, 1): 0.9 of layer 1's weights' std against 3 × 10⁻⁵ of layer 10's, as its gradient grows ×3.5 a layer toward
    the input); None where the updates are not so unequal."""
    if len(r.record_steps) == 0:
        return None
    first = np.asarray(r.update_ratio[0], float)
    moved = np.flatnonzero(np.isfinite(first) & (first > 0))
    if moved.size < 2:
        return None
    top, bottom = moved[np.argmax(first[moved])], moved[np.argmin(first[moved])]
    spread = first[top] / first[bottom]
    if first[top] < UPDATE_GUIDE * FAR_BELOW or spread < FAR_BELOW:
        return None
    return dict(step=int(r.record_steps[0]), top=format_value(first[top], 2), top_layer=int(top) + 1,
                bottom=format_value(first[bottom], 2), bottom_layer=int(bottom) + 1, spread=format_value(spread, 2))


def _units_differ(r, lang: str) -> str:
    """stalled_small's words on its distinct units after training (stalled_text reads it where every layer has more
    than one): that every layer's units differ (each hidden layer has as many distinct units as units), or the layer
    keeping the smallest share of its width (the deepest of those), with its count: dead ReLU units, all 0, are one."""
    distinct = np.asarray(r.distinct_units, float)
    widths = np.asarray(r.config.units[1:], float)
    if np.all(distinct == widths):
        return t(lang, "training_tab.units_all_differ")
    share = distinct / widths
    layer = int(np.flatnonzero(share == share.min())[-1])
    return t(lang, "training_tab.units_fewest", fewest=f"{int(distinct[layer]):,}", width=f"{int(widths[layer]):,}",
             layer=layer + 1)


def _largest_ratio(r) -> float | None:
    """A run's largest update:data ratio over its records and layers; None where none is defined (zero weights)."""
    ratios = np.asarray(r.update_ratio, float)
    ratios = ratios[np.isfinite(ratios)]
    return float(ratios.max()) if ratios.size else None


def _stuck(r) -> bool:
    """Whether every hidden layer's activation and gradient std is exactly 0 at every record: each unit outputs one
    value for every point and no gradient reaches the hidden layers, ever (zero weights under tanh or ReLU, whose
    units output 0; under sigmoid the read-out learns from their ½ and its top layer gets a gradient)."""
    act, grad = np.asarray(r.act_std, float), np.asarray(r.grad_std, float)
    return bool(act.size and grad.size and np.all(act == 0) and np.all(grad == 0))


def _stalled_cause(r, lang: str) -> str | None:
    """stalled_text's second sentence: the activations' shrink up the layers (last hidden over first) and the
    gradients' down them (first over last) at step 0, those below SHRINK (the verdict's "vanishing"); None where
    neither, or without a record at step 0."""
    if len(r.record_steps) == 0 or r.record_steps[0] != 0:
        return None
    act, grad = np.asarray(r.act_std[0], float), np.asarray(r.grad_std[0], float)
    with np.errstate(divide="ignore", invalid="ignore"):
        up, down = act[-1] / act[0], grad[0] / grad[-1]
    shrank = [0 < factor < SHRINK for factor in (up, down)]
    if not any(shrank):
        return None
    key = "both" if all(shrank) else "acts" if shrank[0] else "grads"
    return t(lang, f"training_tab.stalled_{key}", up=format_value(up), down=format_value(down),
             depth=r.config.depth, grad=gradient_symbol(r.config))


# A conv net's work beside its multiply-adds, per channel, pixel and layer, in multiply-adds' time: im2col's copies and
# the element-wise passes, which a narrow net's small products do not hide. Fitted to the CPU seconds of 100 steps of
# conv nets of 8 x 16^2, 16 x 8^2 and 32 x 8^2 (channels x pixels; depth 6 to 10) against the lecture's net: 216 to 338
# against each layer's forward product alone, so 650 to 1,010 against the three products race_work counts
CONV_ELEMENT = 900.0


def sample_work(config) -> float:
    """Multiply-adds of one sample (a conv net's image) in one training step, forward and backward, as core.train
    computes them: each hidden layer's forward product, its weight gradient and, above layer 1, its input's gradient
    (core.train.backward computes none for the input itself), units[l-1] x units[l] each, times kernel^2 and the
    image's pixels for a conv layer (core.network.Dense, core.conv.Geometry); a conv net adds CONV_ELEMENT per
    channel, pixel and layer. The read-out's products (width x K, under 0.1 % of the lecture's) are left out."""
    units = config.units
    products = sum((2 if layer == 1 else 3) * fan_in * fan_out
                   for layer, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:]), start=1))
    element = CONV_ELEMENT * sum(units[1:]) if config.arch == "conv" else 0.0
    return float(config.positions) * (config.receptive_field * products + element)


def race_work(config, schemes: int, steps: int) -> float:
    """Multiply-adds of a race of `schemes` runs of `steps` steps on the minibatch training takes
    (core.train.training_batch): steps x batch x schemes x sample_work. The lecture's race, 300 steps of 128 samples
    on 10 x 500 with five schemes, is 1.4 x 10^12 (2.8 x 10^12 flops)."""
    return float(steps) * training_batch(config) * schemes * sample_work(config)


def half_width_share(config, schemes: int, steps: int) -> float:
    """race_work at half the width (a profile's widest layer, core.config.resize) over race_work at this width: 1/4
    for dense layers whose input is as wide (width^2), more for a conv net, whose element-wise work grows with the
    width alone (the advice the slow-race warning gives)."""
    half = resize(config, "width", max(2, max(config.units[1:]) // 2))
    return race_work(half, schemes, steps) / race_work(config, schemes, steps)


def slow_warning(config, schemes: int, steps: int, lang: str, own=None) -> str:
    """The warning before a large race (race_work over WORK_WARN): its work, its time idle and under load, and how to
    make it quicker. A race fitted to the limit (own: the sidebar's network, over the limit, which fitting() cut to
    config) already trains the widest network within it, so fewer steps, layers or schemes first give it back more
    of the sidebar's width, in about the same time, and only a width below the one it trains makes it quicker at
    once (step 11's "half the width takes 43.5 % of the time" had stood beside a race cut from 64 channels to 12,
    which a sidebar width of 32 would cut to 12 again). Widths as the sidebar's Width control sets them
    (core.config.resized_size: a profile's widest entry)."""
    work = race_work(config, schemes, steps)
    words = {"work": power_of_ten(work), **durations(race_seconds(work), lang)}
    if own is not None:
        key = "training_tab.slow_fitted_conv" if config.arch == "conv" else "training_tab.slow_fitted"
        return t(lang, key, width=resized_size(config, "width"), was=resized_size(own, "width"), **words)
    return t(lang, "training_tab.slow", half=format_share(half_width_share(config, schemes, steps)), **words)


def widest(config, schemes: int, steps: int, limit: float = WORK_LIMIT) -> int:
    """The largest width (a profile's widest layer, core.config.resize) whose race stays within the limit, other
    settings kept; at least 2, the smallest width. race_work grows with the width, so a bisection finds it."""
    def fits(width: int) -> bool:
        return race_work(resize(config, "width", width), schemes, steps) <= limit

    low, high = 2, 4
    if not fits(low):
        return low
    while fits(high):
        low, high = high, 2 * high
    while high - low > 1:  # fits(low), not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


LECTURE_WORK = race_work(Config(), len(LECTURE_RACE), DEFAULT_STEPS)  # Run at a tour step: 1.4e12


def race_seconds(work: float) -> dict[str, float]:
    """Seconds a race of this much work should take, {"idle": ..., "loaded": ...}, at the measured rate of the
    lecture's race (MEASURED_S). A rough figure: a narrow net does fewer multiply-adds a second."""
    return {load: work / LECTURE_WORK * MEASURED_S["race"][load] for load in LOADS}


def duration(seconds: float, lang: str) -> str:
    """A time as the page says it: whole seconds under 90 s, then minutes to one decimal ("45 s", "2.5 min")."""
    if seconds < 90:
        return t(lang, "training_tab.seconds", n=f"{max(seconds, 1):.0f}")
    return t(lang, "training_tab.minutes", n=f"{seconds / 60:.1f}")


def durations(seconds: dict[str, float], lang: str) -> dict[str, str]:
    """{"idle": "45 s", "loaded": "2.1 min", "sessions": 3}: a message's {idle}, {loaded} and {sessions}."""
    return {**{load: duration(seconds[load], lang) for load in LOADS}, "sessions": LOADED_BY}


def races(config) -> bool:
    """Whether the race trains this network: a plain one, with or without batch norm. core.train leaves a residual
    stream and layer norm to the other tabs (studied at initialization only), and has no digits' network for a
    stream (its 64 pixels into a stream of equal widths)."""
    return not (config.residual or config.layer_norm)


def not_trained(config, lang: str) -> str | None:
    """Why the race does not train this network (races), or None: a note, not an error, at steps 8 and 9, that names
    the sidebar's controls to change."""
    if races(config):
        return None
    # what to change in the sidebar, each control by its own label ("turn it off" had left "it" to guess)
    how = ([t(lang, "training_tab.not_trained_off", control=t(lang, "residual"))] if config.residual else []) + \
        ([t(lang, "training_tab.not_trained_other", control=t(lang, "norm"))] if config.layer_norm else [])
    return t(lang, "training_tab.not_trained", how=join(lang, how), what=t(
        lang, "training_tab.not_trained_residual" if config.residual else "training_tab.not_trained_ln"))


def refusal(config, schemes: list[str], steps: int, lang: str, memory_budget: int) -> str | None:
    """Why a race of `schemes` on this network is not run, or None: one of its runs needs more than memory_budget
    bytes (core.train.estimate_training_memory), or its work (race_work) is over WORK_LIMIT, which names the
    widest network that would fit (widest) and how long the limit's work takes (race_seconds)."""
    need = max((estimate_training_memory(scheme_config(config, s)) for s in schemes), default=0)
    if need > memory_budget:
        return t(lang, "training_tab.too_big_memory", **mib_apart(need, memory_budget))
    work = race_work(config, len(schemes), steps)
    if work > WORK_LIMIT:
        key = "training_tab.too_slow_conv" if config.arch == "conv" else "training_tab.too_slow"
        return t(lang, key, **powers_apart(work, WORK_LIMIT), **durations(race_seconds(WORK_LIMIT), lang),
                 **work_terms(config, len(schemes), steps), width=widest(config, len(schemes), steps, WORK_LIMIT))
    return None


def work_terms(config, schemes: int, steps: int) -> dict[str, int | str]:
    """The terms race_work multiplies, as a refusal writes its count out: steps, the trained batch, schemes, a
    sample's multiply-adds (sample_work), and a conv net's image side and CONV_ELEMENT."""
    return {"steps": steps, "batch": training_batch(config), "max_batch": MAX_BATCH, "schemes": schemes,
            "sample": f"{sample_work(config):,.0f}", "image": config.image, "element": f"{CONV_ELEMENT:g}"}


def fitting(config, schemes: list[str], steps: int, memory_budget: int, task: str = "spiral"):
    """The network nearest to `config` whose race on `task` the tab runs (a tour step's race trains it, and a Custom
    one's once its refusal's button is pressed): `config` at the width the work refusal names (widest, of
    task_config's network), or None when this one's race is not over WORK_LIMIT, or when even that width's is over
    the memory budget (a refusal then, with nothing to offer)."""
    trained = task_config(config, task)
    if race_work(trained, len(schemes), steps) <= WORK_LIMIT:
        return None
    fitted = resize(config, "width", widest(trained, len(schemes), steps, WORK_LIMIT))
    need = max((estimate_training_memory(scheme_config(task_config(fitted, task), s)) for s in schemes), default=0)
    return None if need > memory_budget else fitted


def fitted_note(config, fitted, schemes: list[str], steps: int, lang: str, task: str = "spiral") -> str:
    """One sentence for a race trained on fitting()'s network instead of the sidebar's `config`: the width it trained
    at, the sidebar's, and the sidebar's race's work against the limit."""
    key = "training_tab.fitted_conv" if config.arch == "conv" else "training_tab.fitted"
    return t(lang, key, width=max(fitted.units[1:]), was=max(config.units[1:]),
             **powers_apart(race_work(task_config(config, task), len(schemes), steps), WORK_LIMIT))


def fitted_label(config, fitted, lang: str) -> str:
    """The button of a refusal that trains the race at fitting()'s width, the sidebar's network `config` kept:
    "Set the race to 14 channels, then Run (the network stays at 64)": nothing trains before Run is pressed."""
    key = "training_tab.use_width_conv" if config.arch == "conv" else "training_tab.use_width"
    return t(lang, key, width=max(fitted.units[1:]), was=max(config.units[1:]), run=t(lang, "training_tab.run"))


# ---------- frames ----------

def smoothing_window(steps: int) -> int:
    """Steps in the running mean of the minibatch loss: ~1/30 of the run, at least 1."""
    return max(1, steps // 30)


def curves_frame(results: dict, lang: str = "en", max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Long frame (scheme, name, step, loss, accuracy, loss_mean, accuracy_mean) of finished runs, as runs_frame."""
    return runs_frame({name: (r.loss, r.accuracy) for name, r in results.items()}, lang, max_points)


def runs_frame(curves: dict, lang: str = "en", max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Long frame (scheme, name, step, loss, accuracy, loss_mean, accuracy_mean), thinned to max_points rows.

    curves: {scheme: (loss, accuracy)}, each (steps,) with NaN for the steps without a value: after a divergence,
    or not taken yet while the run trains (a live race's arrays, read as they fill). The *_mean columns are
    running means over smoothing_window(steps) steps, computed before thinning; steps without a value are
    left out. The thinning depends on the runs' lengths only, so a growing curve keeps its points. name: the
    scheme's name in `lang` (charts.scheme_name), which the legend and the tooltips show; the code picks its colour.
    """
    parts = []
    stride = max(1, math.ceil(sum(len(loss) for loss, _ in curves.values()) / max_points))
    for name, (loss, accuracy) in curves.items():
        steps = len(loss)
        frame = pd.DataFrame({"scheme": name, "name": scheme_name(name, lang), "step": np.arange(steps),
                              "loss": loss, "accuracy": accuracy, "loss_mean": running_mean(loss),
                              "accuracy_mean": running_mean(accuracy)})
        keep = (frame["step"] % stride == 0) | (frame["step"] == steps - 1)
        parts.append(frame[keep & np.isfinite(frame["loss"])])
    if not parts:
        return pd.DataFrame(columns=["scheme", "name", "step", "loss", "accuracy", "loss_mean", "accuracy_mean"])
    return pd.concat(parts, ignore_index=True)


def stability_column(lang: str) -> str:
    """The final table's column of each run's loss verdict, named with its rule (core.train.stability: SPIKE times
    its start): a tenfold rise late in a run, 0.02 to 0.2, is no spike by it, and "loss diverged or spiked: —"
    beside such a curve read as a fault."""
    return t(lang, "training_tab.col_stability", factor=format_value(SPIKE))


def final_frame(results: dict, lang: str) -> pd.DataFrame:
    """One row per scheme, as text, its columns named in `lang`: the scheme's name, final loss and accuracy on
    all points, whether its loss diverged or spiked, distinct units (a conv net's channels) per layer."""
    rows = []
    column = "training_tab.col_channels" if conv(results) else "training_tab.col_units"
    for name, r in results.items():
        accuracy = format_share(r.final_accuracy)  # the page's one way to write a share: 33.3 %
        rows.append({
            t(lang, "scheme"): scheme_name(name, lang),
            t(lang, "training_tab.col_loss"): format_value(r.final_loss),  # as the page writes numbers: 0.0213
            t(lang, "training_tab.col_accuracy"): accuracy,
            **({t(lang, "training_tab.col_test_accuracy"): format_share(r.test_accuracy)
                if math.isfinite(r.test_accuracy) else "—"} if r.test_accuracy is not None else {}),
            stability_column(lang): stability_cell(r, lang),
            t(lang, column): units_cell(r.distinct_units, lang),
        })
    return pd.DataFrame(rows)


def units_cell(distinct: np.ndarray, lang: str) -> str:
    """final_frame's distinct units per layer (depth,): their range over the layers that have a count, and which
    those are where some have none (values not finite after a divergence: "5–64 (layers 1–3)"); "—" for none."""
    counted = np.flatnonzero(np.isfinite(distinct))
    if counted.size == 0:
        return "—"
    low, high = int(distinct[counted].min()), int(distinct[counted].max())
    units = f"{low}" if low == high else f"{low}–{high}"
    if counted.size == distinct.size:
        return units
    return t(lang, "training_tab.cell_units_counted", units=units, layers=layers_named(lang, counted + 1))


TABLE_TYPE = 14  # px: a table cell's type (Streamlit's dataframe)
TABLE_PADDING = 24  # px: a cell's padding either side, and a little to spare


def name_width(table: pd.DataFrame, lang: str) -> int:
    """px: final_frame's scheme column as wide as its longest name (text_width, at TABLE_TYPE): the grid's own
    measure had cut "N(0, 0.01²) + batch norm" to "... + batch nor"."""
    column = t(lang, "scheme")
    return math.ceil(max(text_width(name, TABLE_TYPE) for name in [column, *table[column]])) + TABLE_PADDING


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


def running_text(training: Sequence[str], done: int, total: int, seconds: float, lang: str,
                 waiting: Sequence[str] = ()) -> str:
    """The bar's words while a race trains: the runs training now by name, in the order they started
    (core.train.race's training), and the runs `waiting` to start, in the order they start (a race trains one run a
    core at a time: "Training He and Xavier" alone had read as a race of two), then its steps and seconds so far; the
    steps and seconds alone where no run is named (the He et al. 2015 preset reports none)."""
    numbers = dict(done=done, total=total, seconds=seconds)
    if not training:
        return t(lang, "training_tab.running", **numbers)
    runs, then = (join(lang, [scheme_name(s, lang) for s in schemes]) for schemes in (training, waiting))
    if not waiting:
        return t(lang, "training_tab.running_runs", runs=runs, **numbers)
    return t(lang, "training_tab.running_waiting", runs=runs, waiting=then, **numbers)


def waiting_runs(live: dict, training: Sequence[str], order: Sequence[str]) -> list[str]:
    """The runs of a race still to start, in the order they start (tour.race_order): neither in its live record
    (unstarted) nor training."""
    return [scheme for scheme in unstarted(live, order) if scheme not in training]


def unstarted(live: dict, schemes: Sequence[str]) -> list[str]:
    """The runs of a race that had not started, in the race's order: those missing from its live record
    (core.train.race(live=...), which a run enters as it starts)."""
    return [scheme for scheme in schemes if scheme not in live]


def stopped_text(live: dict, schemes: Sequence[str], seconds: float, done: int, total: int, lang: str) -> str:
    """The warning of a race stopped before its end: how far its runs got together, and by name the runs that had not
    started (a large race trains its runs one after another, core.train.LEGGED_BYTES, so a stop can leave the last
    without a curve). live, schemes: the race's live record and its runs (unstarted)."""
    waiting, numbers = unstarted(live, schemes), dict(seconds=seconds, done=done, total=total)
    if not waiting:
        return t(lang, "training_tab.stopped", **numbers)
    if len(waiting) == len(schemes):
        return t(lang, "training_tab.stopped_before", **numbers)  # no curve to show how far
    return t(lang, "training_tab.stopped_unstarted", runs=join(lang, [scheme_name(s, lang) for s in waiting]),
             **numbers)


def ceiling_of(results: dict) -> float | None:
    """The one-unit ceiling the race's accuracy chart draws (core.train.one_unit_ceiling), or None: drawn only beside
    a run it bounds (core.train.acts_as_one_unit: zero or constant init) that left the ln K plateau (plateau_steps):
    beside the lecture's zeros, at chance, a 62.5 % line read as one it had failed to reach (zeros under sigmoid, whose
    top layer gets a gradient, stayed at chance too in 300 steps); where it cannot be read as another run's; and only
    for dense nets on the spiral, whose bands are a bound on points in a plane (a conv net's one channel is a different
    function of the point at every pixel, and the digits are no points in a plane)."""
    first = next(iter(results.values()))
    if first.task != "spiral" or conv(results) or not any(
            acts_as_one_unit(r.config) and plateau_steps(r, PLATEAU) is not None for r in results.values()):
        return None
    return one_unit_ceiling(classes_of(results))


def conv(results: dict) -> bool:
    """Whether the race trained conv nets, whose units are channels (filters)."""
    return next(iter(results.values())).config.arch == "conv"


def symmetry_frame(results: dict, lang: str = "en") -> pd.DataFrame:
    """Long frame (scheme, name, layer, distinct_units) after training, name in `lang` as in runs_frame; layers
    without a value are left out."""
    parts = [pd.DataFrame({"scheme": name, "name": scheme_name(name, lang), "layer": np.arange(1, r.config.depth + 1),
                           "distinct_units": r.distinct_units}) for name, r in results.items()]
    frame = pd.concat(parts, ignore_index=True)
    return frame[np.isfinite(frame["distinct_units"])].reset_index(drop=True)


# ---------- charts ----------

def _fonts(chart):
    """The page's chart theme (charts.theme); the faint raw curves must not fade the legend."""
    return theme(chart, symbolOpacity=1)


def _named(frame: pd.DataFrame, lang: str, schemes: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(names, colours) of the schemes in order: those given (codes), else the frame's; each name in `lang`."""
    if schemes is None:
        pairs = dict(zip(frame["scheme"], frame["name"]))
    else:
        pairs = {scheme: scheme_name(scheme, lang) for scheme in schemes}
    return list(pairs.values()), colours(pairs)


def _scheme_colour(frame: pd.DataFrame, lang: str, schemes: list[str] | None = None) -> alt.Color:
    names, scheme_colours = _named(frame, lang, schemes)
    # each scheme's legend entry a line, as its curve, not the marker of a loss of exactly 0
    return alt.Color("name:N").title(t(lang, "scheme")).scale(domain=names, range=scheme_colours).legend(
        symbolType="stroke", columns=legend_columns(names))


# Where a guide line's label goes: at the line's right or left end, above or below it; the first of these that no
# curve crosses (guide_place), the right end above the line where none is free or before there are curves.
GUIDE_PLACES = (("right", "above"), ("right", "below"), ("left", "above"), ("left", "below"))
GUIDE_LINE = GUIDE_SIZE + 2  # px from one line of a guide's label to the next
# px: the accuracy plot's width on a phone (its 356 px column less the y axis) and on a laptop; a label is as long
# on both, so it covers more of a phone's steps
PLOT_WIDTHS = (280, 820)
# Latin letters in a line of a guide's label: half a phone's plot, so that a place at one end leaves the curves the
# other half ("the best one unit per layer can do" in one line spanned 90 % of it, crossed wherever it was put)
GUIDE_LETTERS = int(PLOT_WIDTHS[0] / 2 / (EM_OTHER * GUIDE_SIZE))


def guide_lines(label: str) -> list[str]:
    """A guide's label in lines of GUIDE_LETTERS (charts.title_lines)."""
    return title_lines(label, GUIDE_LETTERS)


def guide_place(frame: pd.DataFrame, value: float, label: str, field: str, domain: tuple[float, float],
                height: int) -> tuple[str, str]:
    """Where the label of the guide line at `value` is written (GUIDE_PLACES): the first place whose box no curve
    crosses at any of PLOT_WIDTHS, else the one crossed by the fewest curves (the first on a tie).

    frame: curves_frame() (its `field` per scheme, over "step"), drawn on a linear y axis over `domain` in a plot
    `height` px tall. The box: the label's widest line (guide_lines; text_width at GUIDE_SIZE, at most the plot's
    width) from the line's end inwards, its lines of type and the 3 px to the line above or below it. A curve
    crosses the box where its values over the box's steps (one step either side: the line runs between points)
    reach into its band."""
    lines = guide_lines(label)
    band = (GUIDE_SIZE + (len(lines) - 1) * GUIDE_LINE + 3) / height * (domain[1] - domain[0])
    last = float(frame["step"].max()) if len(frame) else 0.0
    curves = [(g["step"].to_numpy(float), g[field].to_numpy(float)) for _, g in frame.groupby("scheme", sort=False)]

    def crossed(end: str, side: str) -> int:
        low, high = (value, value + band) if side == "above" else (value - band, value)
        count = 0
        for width in PLOT_WIDTHS:
            span = min(max(text_width(line, GUIDE_SIZE) for line in lines), width) / width * last
            start, stop = (last - span, last) if end == "right" else (0.0, span)
            for steps, values in curves:
                near = np.flatnonzero((steps >= start) & (steps <= stop))
                if near.size:
                    near = np.arange(max(near[0] - 1, 0), min(near[-1] + 2, steps.size))
                    seen = values[near][np.isfinite(values[near])]
                    count += bool(seen.size and seen.min() <= high and seen.max() >= low)
        return count

    counts = [crossed(*place) for place in GUIDE_PLACES]
    return GUIDE_PLACES[counts.index(min(counts))]


def _guide(value: float, label: str, x_end: float, place: tuple[str, str] = GUIDE_PLACES[0]) \
        -> tuple[alt.Chart, tuple[alt.Chart, alt.Chart]]:
    """A dashed horizontal line and its label at one end, above or below it (place, as guide_place gives it; x_end:
    the right end, in steps), in lines (guide_lines). The line goes under the curves, so that a curve lying on it
    (zeros' and N(0, 0.01²)'s loss on ln K) stays visible; the label over them. The label starts or ends at the
    plot's edge and is at most the plot's width (Vega's `width` signal): on a phone's narrow plot it ends in "…"
    inside the plot instead of running over the axis. The label comes as (halo, text): its halo under it."""
    end, side = place
    lines = guide_lines(label)
    frame = pd.DataFrame({"y": [value], "x": [x_end if end == "right" else 0.0], "label": ["\n".join(lines)]})
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOUR, strokeDash=[6, 4], strokeWidth=2).encode(alt.Y("y:Q"))
    text = dict(align=end, baseline="bottom" if side == "above" else "top",
                # Vega writes a label's later lines under its first: above the line, the first goes up by the lines
                # after it
                dy=-3 - (len(lines) - 1) * GUIDE_LINE if side == "above" else 3,
                color=GUIDE_COLOUR, fontSize=GUIDE_SIZE, lineHeight=GUIDE_LINE, lineBreak="\n",
                limit=alt.ExprRef("width"))
    encoding = (alt.X("x:Q"), alt.Y("y:Q"), alt.Text("label:N"))
    # the same text under the label, outlined in the page's background (charts.coloured sets its colour): a curve
    # through the label (N(0, 0.01²)'s accuracy lies on chance) stops short of its letters
    halo = alt.Chart(frame).mark_text(**text, strokeWidth=HALO_WIDTH, strokeJoin="round", style=HALO).encode(*encoding)
    return rule, (halo, alt.Chart(frame).mark_text(**text).encode(*encoding))


def step_spacings(steps: int) -> list[int]:
    """The round spacings of a step axis over `steps` steps: STEP_SPACINGS x 10^k in whole steps, from 1 up to
    `steps`, finest first."""
    found, scale = [], 1
    while scale <= steps:
        found += [int(m * scale) for m in STEP_SPACINGS if m * scale <= steps and float(m * scale).is_integer()]
        scale *= 10
    return found


@functools.lru_cache(maxsize=1024)  # pure, and asked for again for every plot width step_values tries
def step_room(steps: int, spacing: int) -> float:
    """The least plot width, px, at which a step axis over `steps` steps writes a label every `spacing` steps: each
    pair of written labels ("1,000", text_width) LABEL_GAP apart, the first flush with the axis's start and one at
    its end flush with its end, as Vega writes them (labelFlush); and their centres STEP_SPACE px apart where there
    are more than FEW_STEPS spacings."""
    labels = range(0, steps + 1, spacing)
    reach = []  # (px left of its place, px right of it) of each label
    for value in labels:
        width = text_width(f"{value:,}")
        reach.append((0.0, width) if value == 0 else (width, 0.0) if value == steps else (width / 2, width / 2))
    spans = steps / spacing
    need = max([0.0, *(a[1] + b[0] + LABEL_GAP for a, b in zip(reach, reach[1:]))]) * spans
    return max(need, STEP_SPACE * spans) if spans > FEW_STEPS else need


def step_spacing(steps: int, width: float) -> int:
    """The spacing of a step axis over `steps` steps on a plot `width` px wide (step_room): the finest that ends on
    the race's last step with a label between, so that the axis's end reads as the race's length; else the finest;
    where none fits, the one needing the least room."""
    spacings = step_spacings(steps)
    fitting = [s for s in spacings if step_room(steps, s) <= width]
    ending = [s for s in fitting if steps % s == 0 and steps // s >= 2]
    return (ending or fitting or [min(spacings, key=lambda s: step_room(steps, s))])[0]


def step_values(steps: int) -> alt.ExprRef:
    """A step axis's tick values as a Vega expression of its plot's width (the `width` signal: a chart as wide as
    its column is drawn on screens from a phone's to a projector's): step_spacing's multiples from 0 to `steps`,
    one spacing at a time, at every width up to WIDEST_PLOT."""
    return alt.ExprRef(_step_values_expr(steps))


@functools.lru_cache(maxsize=64)  # every chart of a race, and every redraw of a growing one, asks for the same
def _step_values_expr(steps: int) -> str:
    rooms = sorted({room for room in (step_room(steps, s) for s in step_spacings(steps)) if room <= WIDEST_PLOT},
                   reverse=True)
    choices: list[tuple[float, int]] = []  # (least width, spacing), the widest plots' first
    for room in rooms:  # the choice changes only where another spacing's labels come to fit
        spacing = step_spacing(steps, room)
        if choices and choices[-1][1] == spacing:
            choices[-1] = (room, spacing)
        else:
            choices.append((room, spacing))
    fallback = step_spacing(steps, 0)
    while choices and choices[-1][1] == fallback:  # the narrowest plots' choice is the fallback's
        choices.pop()
    expr = f"sequence(0, {steps + 1}, {fallback})"
    for room, spacing in reversed(choices):
        expr = f"width >= {room:.1f} ? sequence(0, {steps + 1}, {spacing}) : ({expr})"
    return expr


def race_steps(frame: pd.DataFrame, steps: int | None) -> int:
    """The steps a chart's step axis spans: the race's (given while it trains), else the frame's runs' (a run that
    ended has a row at its last step, steps - 1)."""
    if steps is not None:
        return steps
    return int(frame["step"].max()) + 1 if len(frame) else 1


def _step_axis(lang: str, steps: int) -> alt.X:
    """The step axis over a race of `steps` steps, from 0 to its end, `steps`, labelled at round steps (step_values,
    "1,000" as the page writes counts); its domain set, not taken from the data, so that a layer with no rows does
    not make Vega warn of an infinite extent, and a growing race's curves grow into it."""
    return alt.X("step:Q").title(t(lang, "training_tab.step")).scale(domain=[0, max(steps, 1)], nice=False).axis(
        values=step_values(max(steps, 1)), format=",d", labelFlush=True, labelAngle=0)


def loss_axis(frame: pd.DataFrame, classes: int) -> tuple[tuple[float, ...], float, float]:
    """The loss axis: its ticks (two at least) and domain, whole decades around the curves and ln K, up to
    MAX_LOSS at most."""
    # the decades of what the axis shows: a loss above MAX_LOSS counts as MAX_LOSS, so that a run at 10⁹ does not
    # thin the ticks to every third decade, of which only 1 was left under the top (step 11's digits race)
    ticks, (lo, hi) = decades(np.minimum([*frame["loss"], math.log(classes)], MAX_LOSS))
    return ticks, lo, hi


def loss_title(lang: str, steps: int) -> str:
    """The loss chart's title for a race of `steps` steps: faint per minibatch, bold the running mean, where the
    running mean (smoothing_window) spans more than one step; else the two lines are one, and it says only that."""
    return t(lang, "training_tab.loss_title" if smoothing_window(steps) > 1 else "training_tab.loss_title_single")


def chart_title(title: str, phone: bool) -> str | list[str] | alt.TitleParams:
    """A loss or accuracy chart's title: in lines of TITLE_WIDTH on a phone (views.present.on_phone), whose plot holds
    about 30 letters of it, else in one line (a laptop's 910 px chart wrapped for a phone took three lines), which a
    window too narrow for it draws in those lines (charts.breaking_title)."""
    return title_lines(title, TITLE_WIDTH) if phone else breaking_title(title, TITLE_WIDTH)


def loss_chart(frame: pd.DataFrame, lang: str, classes: int, steps: int | None = None,
               schemes: list[str] | None = None, title: str | None = None, phone: bool = False,
               axis: tuple[tuple[float, ...], float, float] | None = None) -> alt.LayerChart:
    """Minibatch loss per scheme on one log axis: their running mean bold, the raw values faint; ln K dashed.

    The axis stops at MAX_LOSS: a run whose loss explodes leaves the chart (its message says so) rather
    than squashing every other curve into one line. steps: the race's length; given while it trains, the
    step axis spans the whole race and the curves grow into it. schemes: the codes of the legend's schemes, in
    order (default: those in the frame), which it names in `lang`. title: the chart's title (default: loss_title's; the
    He panel names the depth instead). phone: the title in lines for a phone (chart_title). axis: loss_axis's ticks
    and domain (default: this frame's), shared by panels set side by side so that their heights compare. The curves
    are the chart's top-level data (see template).
    """
    ln_k = math.log(classes)
    ticks, lo, hi = loss_axis(frame, classes) if axis is None else axis
    y = alt.Y("value:Q").title(t(lang, "training_tab.loss_y")).scale(
        type="log", domain=[lo, hi], nice=False, clamp=False).axis(values=list(ticks), labelExpr=log_labels(ticks))
    length = race_steps(frame, steps)
    x = _step_axis(lang, length)
    colour = _scheme_colour(frame, lang, schemes)
    mean = written(alt.Chart(), "loss_mean").mark_line(strokeWidth=3, clip=True).encode(
        x, y, colour,
        tooltip=[alt.Tooltip("name:N", title=t(lang, "scheme")),
                 alt.Tooltip("step:Q", format=",d", title=t(lang, "training_tab.step")),
                 alt.Tooltip("loss_mean_text:N", title=t(lang, "training_tab.loss_mean_tip"))],  # 2.94 × 10⁻⁴
    ).transform_calculate(value="datum.loss_mean")
    raw = alt.Chart().encode(x, y, colour).transform_calculate(value="datum.loss")
    rule, label = _guide(ln_k, t(lang, "training_tab.ln_k", k=classes), length)
    title = loss_title(lang, length) if title is None else title
    # a loss of exactly 0, which the log axis cannot draw, is marked on its bottom edge (charts.zero_marks)
    chart = layer(rule, raw.mark_line(strokeWidth=1, opacity=0.3, clip=True), mean, *label,
                  *zero_marks(raw, "loss", lo), data=frame, title=chart_title(title, phone))
    return _fonts(plot_height(chart, LOSS_HEIGHT))


def accuracy_chart(frame: pd.DataFrame, lang: str, classes: int, ceiling: float | None = None,
                   steps: int | None = None, schemes: list[str] | None = None, phone: bool = False) -> alt.LayerChart:
    """Running-mean minibatch accuracy per scheme; chance (1/K) and, if given, the one-unit ceiling dashed, each
    labelled where the curves are not (guide_place) once the race has ended: a growing race's chart (steps given)
    is a template for every frame, its labels at the right end above the lines.

    steps, schemes, phone: as in loss_chart."""
    x_end = race_steps(frame, steps)
    # the shares as the page writes them, 33.3 % (Vega's ".1%" writes 33.3%)
    chart = alt.Chart().transform_calculate(accuracy_mean_text=share_expr("datum.accuracy_mean")).mark_line(
        strokeWidth=3).encode(
        _step_axis(lang, x_end),
        alt.Y("accuracy_mean:Q").title(t(lang, "training_tab.accuracy_y")).scale(
            domain=[0, ACCURACY_TOP], nice=False).axis(values=list(ACCURACY_TICKS), labelExpr=SHARE_LABEL),
        _scheme_colour(frame, lang, schemes),
        tooltip=[alt.Tooltip("name:N", title=t(lang, "scheme")),
                 alt.Tooltip("step:Q", format=",d", title=t(lang, "training_tab.step")),
                 alt.Tooltip("accuracy_mean_text:N", title=t(lang, "training_tab.accuracy_mean_tip"))],
    )
    lines = [(1 / classes, t(lang, "training_tab.chance", k=classes))]
    if ceiling is not None:
        lines.append((ceiling, t(lang, "training_tab.one_unit")))
    guides = [_guide(value, label, x_end, GUIDE_PLACES[0] if steps is not None else guide_place(
        frame, value, label, "accuracy_mean", (0.0, ACCURACY_TOP), ACCURACY_HEIGHT)) for value, label in lines]
    # the guide lines under the curves (chance is where zeros' accuracy lies), their labels over them
    labels = [mark for _, label in guides for mark in label]  # each label's halo, then its text
    chart = layer(*(rule for rule, _ in guides), chart, *labels, data=frame,
                  title=chart_title(t(lang, "training_tab.accuracy_title"), phone))
    return _fonts(plot_height(chart, ACCURACY_HEIGHT))


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


SEAM_PX = 1  # the heatmap's cells overlap their later neighbour by this much, so that no seam shows between them


def heatmap_chart(frame: pd.DataFrame, lang: str, statistic: str, config: Config,
                  span: Sequence[float] = (), phone: bool = False) -> alt.Chart:
    """Layer x step, coloured by the statistic on a log scale (viridis); exact zeros are left blank. config: the run's
    network, whose gradient the title names as the Gradients tab does (summary.gradient_symbol). span: values the
    colour scale covers besides the frame's (race_span: every run's of the race, so that one colour is one value
    whichever run is shown). phone: its legend no longer than a phone's chart holds (PHONE_LEGEND_LONGEST).

    A record's cell spans its step to the next record's, the last one's to the end of its step: the race's end for a
    run that did not diverge (core.train records its last step), where the step axis ends (_step_axis: round labels,
    not one label a record); the legend's labels are the decades (charts.decades), on a gradient long enough to
    write each one apart (legend_layout)."""
    name = t(lang, f"training_tab.stat_{statistic}")
    steps = np.unique(frame["step"])
    ends = np.append(steps[1:], steps[-1] + 1) if len(steps) else steps
    cells = frame.assign(step_end=frame["step"].map(dict(zip(steps, ends))))
    shown = cells[cells["value"] > 0]
    covered = [*shown["value"], *(v for v in span if v > 0 and math.isfinite(v))]
    ticks, domain = decades(covered) if covered else ((0.1, 1.0), (0.1, 1.0))
    labels, length = legend_layout(ticks, domain, PHONE_LEGEND_LONGEST if phone else LEGEND_LONGEST)
    # each cell but a row's last reaches a pixel into the next one, drawn after it: cells that meet at a fraction of a
    # pixel had let the background show between them as light seams, which read as missing records
    last = int(ends.max()) if len(ends) else 1
    reach = alt.ExprRef(f"datum.step_end < {last} ? {SEAM_PX} : 0")
    chart = written(alt.Chart(shown), "value").mark_rect(x2Offset=reach).encode(
        _step_axis(lang, last),
        alt.X2("step_end:Q"),
        alt.Y("layer:O").title(t(lang, "layer")).sort("descending"),
        alt.Color("value:Q").title(name).scale(type="log", scheme="viridis", domain=list(domain)).legend(
            values=labels, labelExpr=log_labels(labels), gradientLength=length),  # 10⁻⁵, one style a legend
        tooltip=[alt.Tooltip("step:Q", format=",d", title=t(lang, "training_tab.step")),
                 alt.Tooltip("layer:Q", title=t(lang, "layer")),
                 alt.Tooltip("value_text:N", title=name)],  # 2.94 × 10⁻⁷, as the page writes numbers
    ).properties(title=t(lang, f"training_tab.heatmap_title_{statistic}", grad=gradient_symbol(config)),
                 height=HEIGHT + 80, width="container")
    return _fonts(chart)


def race_span(results: dict, statistic: str) -> tuple[float, ...]:
    """The least and the largest positive finite value of `statistic` over every run of a race, and for the
    update:data ratio its usual size (summary.UPDATE_GUIDE), which the heatmap's colours then always reach: one
    run's own scale had drawn N(0, 0.01²)'s ratios of 10⁻⁸ in the yellow of Xavier's 10⁻². () where there is none."""
    values = np.concatenate([np.asarray(getattr(r, statistic), float).ravel() for r in results.values()])
    values = values[np.isfinite(values) & (values > 0)]
    span = (float(values.min()), float(values.max())) if values.size else ()
    return (*span, UPDATE_GUIDE) if statistic == "update_ratio" else span


def heatmap_caption(statistic: str, lang: str, config: Config) -> str:
    """The heatmap's caption: what a blank cell is, then what the statistic shown says ("act_std", "grad_std" or
    "update_ratio"), the update ratio's guide written as the page writes numbers (summary.UPDATE_GUIDE: 10⁻³), the
    gradient by the run's network's symbol (summary.gradient_symbol)."""
    return join(lang, [t(lang, "training_tab.heatmap_blank"),
                       t(lang, f"training_tab.heatmap_caption_{statistic}", guide=format_power(UPDATE_GUIDE),
                         grad=gradient_symbol(config))],
                "sentence")


def label_extents(ticks, domain) -> list[tuple[float, float, float]]:
    """Each tick's (place, px it reaches left, px it reaches right) on a horizontal log colour gradient: place from 0
    to 1 along it, the label written as the page writes numbers, centred on its place, or flush with the gradient's
    start or end where it stands there (Vega's gradient legend)."""
    lo, hi = (math.log10(v) for v in domain)
    extents = []
    for v in ticks:
        place, width = (math.log10(v) - lo) / (hi - lo), text_width(format_value(v))
        extents.append((place, 0.0 if place <= 0 else width if place >= 1 else width / 2,
                        width if place <= 0 else 0.0 if place >= 1 else width / 2))
    return extents


def legend_layout(ticks, domain, longest: int = LEGEND_LONGEST) -> tuple[list[float], int]:
    """The ticks a colour legend writes and its gradient's length in px: LEGEND_LENGTH at least (`longest` where
    that is less), and long enough that neighbouring labels stand two LABEL_GAPs apart; every other tick is left out
    while that is over `longest` (the first kept)."""
    ticks = list(ticks)
    while True:
        extents = label_extents(ticks, domain)
        need = max(((a[2] + b[1] + 2 * LABEL_GAP) / (b[0] - a[0]) for a, b in zip(extents, extents[1:])), default=0)
        length = max(min(LEGEND_LENGTH, longest), math.ceil(need))
        if length <= longest or len(ticks) <= 2:
            return ticks, length
        ticks = ticks[::2]


def symmetry_chart(frame: pd.DataFrame, lang: str, panel_width: int = SYMMETRY_PANEL,
                   columns: int = SYMMETRY_COLUMNS, channels: bool = False,
                   panel_height: int = SYMMETRY_HEIGHT) -> alt.FacetChart:
    """Distinct units per hidden layer after training, one panel per scheme, `columns` panels to a row
    (SYMMETRY_LAYOUTS: one on a phone); channels: a conv net's, titled as distinct channels (filters).

    Each bar carries its count above it at LABEL_SIZE, so a layer of one unit reads as "1", not as no bar: upright
    where the widest count fits a bar's band, else turned a quarter, so that counts of neighbouring bars ("500",
    "500") never run together; a panel whose bars are narrower than UNIT_LABEL_SPACE px has no counts (the tooltip
    keeps them). The y axis leaves room above the tallest bar for its count. Every panel has its own layer axis
    (a phone's column of panels showed the layers under the last one only; a laptop's grid had one axis under the
    empty slot). panel_width, panel_height: pixels per panel's plot. Five schemes side by side did not fit a
    1280-px projector's page (the last panel, He's, was cut off), so the panels wrap.
    """
    names, scheme_colours = _named(frame, lang)
    y_title = t(lang, "training_tab.channels_y" if channels else "training_tab.units_y")
    top = float(frame["distinct_units"].max()) if len(frame) else 1.0
    band = panel_width / max(frame["layer"].nunique(), 1)
    upright = band >= text_width(f"{top:.0f}") + LABEL_GAP  # the widest count fits its bar's band as it reads
    room = (LABEL_SIZE if upright else text_width(f"{top:.0f}")) + 2 * COUNT_GAP  # px above the tallest bar
    base = alt.Chart().encode(  # no data of its own: the facet splits the layered chart's data by scheme
        alt.X("layer:O").title(t(lang, "layer")).axis(labelOverlap=True, labelAngle=0),
        alt.Y("distinct_units:Q").title(y_title).scale(
            domain=[0, top * max(1.25, panel_height / max(panel_height - room, 1))], nice=False)
        # a tick every UNIT_TICK_SPACE px at most: a phone's 100 px panel read "20, 15, 10, 0", one left out
        .axis(tickCount=max(2, panel_height // UNIT_TICK_SPACE)),
        tooltip=[alt.Tooltip("name:N", title=t(lang, "scheme")), alt.Tooltip("layer:Q", title=t(lang, "layer")),
                 alt.Tooltip("distinct_units:Q", format="d", title=y_title)],
    )
    bars = base.mark_bar().encode(alt.Color("name:N").scale(domain=names, range=scheme_colours).legend(None))
    layers = [bars]
    if len(frame) and band >= UNIT_LABEL_SPACE:
        written = dict(angle=0, align="center", baseline="bottom") if upright else \
            dict(angle=270, align="left", baseline="middle")  # turned only where a band is too narrow for it
        layers.append(base.mark_text(dy=-COUNT_GAP, fontSize=LABEL_SIZE, **written).encode(
            alt.Text("distinct_units:Q", format="d")))
    chart = layer(*layers, data=frame, width=panel_width, height=panel_height)
    # the title in lines as wide as the row of panels (a phone's one panel), not one line that widens the chart
    title = t(lang, "training_tab.symmetry_title_conv" if channels else "training_tab.symmetry_title")
    letters = int(columns * panel_width / (EM_OTHER * TITLE_SIZE))
    facet = chart.facet(facet=alt.Facet("name:N").title(None).sort(names), columns=columns).properties(
        title=title_lines(title, letters)).resolve_axis(x="independent")  # an axis under each panel, none alone
    return _fonts(facet)


# ---------- words ----------

@dataclass(frozen=True)
class OffChart:
    """Where a run's minibatch loss lies above the loss chart's top (MAX_LOSS), which clips its curve there."""

    whole: bool  # every finite step is above the top: the curve is not on the chart at all
    back: int | None  # a curve that starts above the top: the step where it first comes onto the chart; else None
    leaves: int | None  # the first step above the top after one on the chart, where the curve leaves it; None: never
    peak: float  # the highest finite loss from `leaves` on, or of the whole curve where it does not leave the chart
    start_peak: float | None  # a curve that starts above the top: its highest loss before `back`


def off_chart(loss: np.ndarray, top: float = MAX_LOSS) -> OffChart | None:
    """The steps of a loss curve ((steps,), NaN after a divergence) above `top`, or None where the chart holds it
    whole (loss_axis: an axis that holds any loss above MAX_LOSS ends there)."""
    finite = np.isfinite(loss)
    above = finite & (loss > top)
    if not above.any():
        return None
    on = np.flatnonzero(finite & ~above)  # the steps the chart draws
    highest = float(loss[finite].max())
    if on.size == 0:
        return OffChart(True, None, None, highest, None)
    back = int(on[0]) if above[0] else None
    later = np.flatnonzero(above[on[0]:])  # above the top after the curve's first step on the chart
    leaves = int(on[0] + later[0]) if later.size else None
    tail = loss[leaves:][finite[leaves:]] if leaves is not None else loss[finite]
    return OffChart(False, back, leaves, float(tail.max()), None if back is None else float(loss[:back].max()))


def messages(results: dict, lang: str) -> list[str]:
    """One sentence per run that diverged or spiked (core.train.stability), with its numbers, and one per other run
    whose loss leaves the chart (off_chart), in the page's language. A diverged run's sentence says where its curve
    is on the chart: up to its last finite step, from where it comes onto the chart to where it leaves it, or nowhere
    (no finite step, its one finite step above the top, or every one above it). A curve that starts above the top is
    said to come onto the chart, not to leave it."""
    said, top = [], format_value(MAX_LOSS)
    for name, r in results.items():
        verdict, scheme, off = stability(r), scheme_name(name, lang), off_chart(r.loss)
        if verdict == "diverged":
            if r.diverged_at == 0:  # no finite step: nothing to draw, and no update had been made
                said.append(t(lang, "training_tab.diverged_at_start", scheme=scheme))
            elif off is None:
                said.append(t(lang, "training_tab.diverged", scheme=scheme, step=r.diverged_at))
            elif off.whole and r.diverged_at == 1:  # one loss, before any update, and infinite after the first
                said.append(t(lang, "training_tab.diverged_above_first", scheme=scheme, top=top,
                              peak=format_value(off.peak)))
            elif off.whole:
                said.append(t(lang, "training_tab.diverged_above", scheme=scheme, step=r.diverged_at, top=top,
                              peak=format_value(off.peak)))
            elif off.leaves is None:  # starts above, comes onto the chart and stays on it
                said.append(t(lang, "training_tab.diverged_from_above", scheme=scheme, step=r.diverged_at, top=top,
                              back=off.back, peak=format_value(off.start_peak)))
            else:
                said.append(t(lang, "training_tab.diverged_off_chart", scheme=scheme, step=r.diverged_at, top=top,
                              left=off.leaves, peak=format_value(off.peak)))
            continue
        if verdict == "spiked":
            s = spike(r.loss)
            said.append(t(lang, "training_tab.spiked", scheme=scheme, step=s.step, peak=format_value(s.loss),
                          start=format_value(s.start), times=format_value(s.times, 2), factor=format_value(SPIKE)))
        if off is not None and off.whole:
            said.append(t(lang, "training_tab.off_chart_whole", scheme=scheme, top=top, peak=format_value(off.peak)))
        if off is not None and off.back is not None:
            said.append(t(lang, "training_tab.off_chart_start", scheme=scheme, top=top, back=off.back,
                          peak=format_value(off.start_peak)))
        if off is not None and off.leaves is not None:
            said.append(t(lang, "training_tab.off_chart", scheme=scheme, top=top, left=off.leaves,
                          peak=format_value(off.peak)))
    return said


@dataclass(frozen=True)
class Relapse:
    """A run's accuracy as the chart draws it (running_mean): its best, at step, and at its last step; chance 1/K."""

    step: int
    best: float
    end: float
    chance: float


def relapse(r) -> Relapse | None:
    """A run that learned and then lost it, read from its accuracy curve as the chart draws it (running_mean): the
    curve came at least RELAPSE of the way from chance (1/K) to 100 %, and at its last step it keeps less than RELAPSE
    of that gain over chance (step 10's Xavier at learning rate 0.01: 94 % at step 75, then 48.7 % of 3 classes).
    None for a run that diverged (its own sentence, messages) and for one that never got that far. Said under the
    accuracy chart (relapse_text)."""
    if r.diverged_at is not None:
        return None
    drawn = running_mean(r.accuracy)
    if not np.isfinite(drawn).any():
        return None
    chance, step = 1 / r.classes, int(np.nanargmax(drawn))
    best, end = float(drawn[step]), float(drawn[-1])
    if best - chance >= RELAPSE * (1 - chance) and end - chance < RELAPSE * (best - chance):
        return Relapse(step, best, end, chance)
    return None


def relapse_text(results: dict, lang: str) -> list[str]:
    """One sentence per run that learned and then lost it (relapse), with the accuracy chart's numbers, under that
    chart; [] where no run did."""
    said = []
    for name, r in results.items():
        lost = relapse(r)
        if lost is not None:
            said.append(t(lang, "training_tab.relapsed", scheme=scheme_name(name, lang), step=lost.step,
                          best=format_share(lost.best), end=format_share(lost.end), chance=format_share(lost.chance)))
    return said


def stability_cell(result, lang: str) -> str:
    """The final table's word on a run's loss: the step it diverged at, how far above its start it spiked, or a
    dash for a stable run (core.train.stability)."""
    verdict = stability(result)
    if verdict == "diverged":
        return t(lang, "training_tab.cell_diverged", step=result.diverged_at)
    if verdict == "spiked":
        s = spike(result.loss)
        return t(lang, "training_tab.cell_spiked", step=s.step, times=format_value(s.times, 2))
    return "—"


def coinciding(results: dict, rtol: float = SAME_CURVE) -> list[list[str]]:
    """The groups of two or more runs whose loss curves are one: at every step within rtol of each other
    (relative), and diverged at the same step (NaN after it). Each group in the order of `results`."""
    groups: list[list[str]] = []
    for name, r in results.items():
        home = next((g for g in groups if np.allclose(r.loss, results[g[0]].loss, rtol=rtol, atol=0,
                                                      equal_nan=True)), None)
        if home is None:
            groups.append([name])
        else:
            home.append(name)
    return [g for g in groups if len(g) > 1]


# The accuracy chart's running means closer than this are one line (same_accuracy): half a percentage point, about 1 px
# of its ACCURACY_HEIGHT plot, a third of its 3 px line; runs that part are one line only where they part no later
# than ONE_LINE_FROM of the steps
ONE_LINE = 0.005
ONE_LINE_FROM = 0.1


def running_mean(values: np.ndarray) -> np.ndarray:
    """The running mean the loss and accuracy charts draw of a run's curve (steps,): over smoothing_window(steps)
    steps, of the values there are (NaN: a step not taken), from the first step on."""
    values = np.asarray(values, float)
    return pd.Series(values).rolling(smoothing_window(len(values)), min_periods=1).mean().to_numpy()


def same_accuracy(results: dict) -> list[tuple[list[str], int]]:
    """The groups of two or more runs whose accuracy curves, as the chart draws them (running_mean), are one line:
    each within ONE_LINE of the group's first run at every step from some step on, no later than ONE_LINE_FROM of the
    run's steps (NaN, a step a run that diverged did not take, is one with NaN only); with the first step from which
    they all are. Groups and their runs in the order of `results`."""
    means = {name: running_mean(r.accuracy) for name, r in results.items()}
    groups: list[tuple[list[str], int]] = []
    for name, mean in means.items():
        for index, (members, start) in enumerate(groups):
            first = means[members[0]]
            if len(mean) != len(first):
                continue
            apart = np.flatnonzero(~((np.abs(mean - first) < ONE_LINE) | (np.isnan(mean) & np.isnan(first))))
            since = int(apart[-1]) + 1 if apart.size else 0
            if since <= ONE_LINE_FROM * len(mean):
                members.append(name)
                groups[index] = (members, max(start, since))
                break
        else:
            groups.append(([name], 0))
    return [(members, start) for members, start in groups if len(members) > 1]


def same_accuracy_text(results: dict, lang: str) -> list[str]:
    """One sentence per group of runs whose accuracy curves are one line (same_accuracy), naming them and the step
    from which they are: zeros' and N(0, 0.01²)'s at step 2, whose minibatches differ at steps 0 and 57 (the running
    mean's first steps average few of them)."""
    said = []
    for members, start in same_accuracy(results):
        words = dict(names=join(lang, [scheme_name(s, lang) for s in members]), visible=format_share(ONE_LINE))
        said.append(t(lang, "training_tab.same_accuracy", **words) if start == 0 else
                    t(lang, "training_tab.same_accuracy_from", step=f"{start:,}", **words))
    return said


def uncounted_text(results: dict, lang: str) -> list[str]:
    """One sentence per run with layers the distinct-units chart has no bar for: after training their values are
    infinite or NaN (core.train._evaluate counts only finite layers), as after a loss that diverged."""
    said = []
    for name, r in results.items():
        missing = np.flatnonzero(~np.isfinite(r.distinct_units)) + 1  # hidden layers 1..depth
        if missing.size:
            said.append(t(lang, "training_tab.symmetry_uncounted", scheme=scheme_name(name, lang, r.config),
                          layers=layers_named(lang, missing)))
    return said


def split_copies_text(results: dict, lang: str) -> list[str]:
    """One sentence per run whose units start equal (zero or constant weights: core.schemes' family None) yet count
    more than one distinct unit at some layer after training: the matrix library's products round a few columns
    otherwise, and those last-digit differences split the copies that the symmetry keeps equal in exact arithmetic
    (constant weights at width 100 with tanh, OpenBLAS's Haswell kernels: 1, 2, 1, 1, 4, ... over the layers)."""
    said = []
    for name, r in results.items():
        counts = np.asarray(r.distinct_units, float)
        split = np.flatnonzero(np.isfinite(counts) & (counts > 1)) + 1
        if schemes.get(r.config.init).family is None and split.size:
            said.append(t(lang, "training_tab.symmetry_split", scheme=scheme_name(name, lang, r.config),
                          layers=layers_named(lang, split), most=int(np.nanmax(counts))))
    return said


def coinciding_text(results: dict, lang: str) -> list[str]:
    """One sentence per group of runs whose loss curves are one (coinciding), naming them: one hides the others."""
    return [t(lang, "training_tab.same_curve", names=join(lang, [scheme_name(s, lang) for s in group]),
              tolerance=format_value(SAME_CURVE)) for group in coinciding(results)]


def plateau_steps(result, fraction: float) -> int | None:
    """The first step whose running mean (20 steps) of the loss is at or below fraction * ln K."""
    return steps_to_loss(result, fraction * math.log(result.classes))


# A run on the ln K plateau whose final accuracy is at least this many times chance's is said with how both can be
# (its class scores nearly equal, the right one ahead): "stayed on the ln K plateau ..., ending at 64.4 % accuracy"
# read as a contradiction to a teacher
ABOVE_CHANCE = 1.25


def run_progress(scheme: str, r, lang: str, accuracy: bool = True) -> str:
    """How far one run got, a clause: diverged (after reaching half of ln K or not: a divergence is the run's end
    whatever came before), stayed on the ln K plateau, left it (PLATEAU) at some step, or also reached half of ln K
    (HALF), with the steps. A run on the plateau is said with its final accuracy beside chance's: a 30-layer Xavier
    net's loss stayed within 2 % of ln 3 while it ended at 64.4 % accuracy (He et al. 2015's preset, seed 0);
    accuracy=False where the sentence around says it already (rescue_text's batch-norm run)."""
    name = scheme_name(scheme, lang)
    left, half = plateau_steps(r, PLATEAU), plateau_steps(r, HALF)
    if r.diverged_at is not None:
        return t(lang, "training_tab.he_diverged" if half is None else "training_tab.he_diverged_after", scheme=name,
                 step=r.diverged_at, half=half)
    if left is None:  # its accuracy too: outputs too small to move the loss off ln K may still rank the class first
        above = r.final_accuracy >= ABOVE_CHANCE / r.classes  # then say how both can be, or it reads as a contradiction
        said = t(lang, "training_tab.he_stalled_above" if above else "training_tab.he_stalled_accuracy",
                 accuracy=format_share(r.final_accuracy), chance=format_share(1 / r.classes)) if accuracy else ""
        return t(lang, "training_tab.he_stalled", scheme=name, steps=r.steps, accuracy=said)
    if half is None:
        return t(lang, "training_tab.he_left", scheme=name, left=left, steps=r.steps)
    return t(lang, "training_tab.he_trained", scheme=name, left=left, half=half)


def head_caption(conv: bool, lang: str) -> str:
    """What the read-out starts as: the hidden layers' scheme times core.train.HEAD_SCALE."""
    return t(lang, "training_tab.head_conv" if conv else "training_tab.head", head_scale=format_value(HEAD_SCALE))


def deep_rate_note(config, lr: float, lang: str, schemes: Sequence[str] = ()) -> str | None:
    """Where the race trains more layers than DEFAULT_LR was chosen at (core.train.LR_CHOSEN_DEPTH), at that rate or
    above: that a deeper run may spike and end near ln K there, and the rate at which step 10's 64 layers train
    (docs/training.md, measured), asking for orthogonal weights to be added where the race's `schemes` lack them.
    Step 10's race at 0.02 had ended every run near chance, the page silent on why; None for a network of
    LR_CHOSEN_DEPTH layers or fewer, or a smaller rate."""
    if config.depth <= LR_CHOSEN_DEPTH or lr < DEFAULT_LR:
        return None
    return t(lang, "training_tab.deep_rate", depth=config.depth, chosen=LR_CHOSEN_DEPTH,
             default=format_value(DEFAULT_LR), box=t(lang, "training_tab.lr"),
             orthogonal=scheme_name("orthogonal", lang),
             add="" if "orthogonal" in schemes else t(lang, "training_tab.deep_rate_add"))


def starts_equal(results: dict) -> bool:
    """Whether a run of the race starts with every unit of a layer equal: a scheme without randomness (zeros,
    constant; core.draws.family None), whose symmetry symmetry_caption explains."""
    return any(family(r.config.init) is None for r in results.values())


def symmetry_caption(conv: bool, spiral: bool, ceiling: str | None, lang: str) -> str:
    """Why zero or constant init keeps a layer's units equal, under the race's symmetry chart where a run starts so
    (starts_equal); ceiling: the share one unit a layer can reach on the spiral (core.train.one_unit_ceiling), as the
    page writes it."""
    key = "training_tab.symmetry_caption_conv" if conv else "training_tab.symmetry_caption" if spiral else \
        "training_tab.symmetry_caption_digits"
    return t(lang, key, ceiling=ceiling, head_scale=format_value(HEAD_SCALE))


def he_depths() -> dict[str, object]:
    """The He et al. 2015 preset's two depths (core.train.HE_2015_DEPTHS) and how far Xavier's ReLU signal has shrunk
    at each, by √2 a layer: 2⁻¹¹ after 22 layers (2^(-depth/2), a power of two where depth is even)."""
    shallow, deep = HE_2015_DEPTHS

    def shrink(depth: int) -> str:
        return f"2{superscript(-depth // 2)}" if depth % 2 == 0 else format_value(2.0 ** (-depth / 2))
    return {"shallow": shallow, "deep": deep, "shrink_shallow": shrink(shallow), "shrink_deep": shrink(deep)}


def he_measured(results: dict, lang: str, depth: int) -> str:
    """What this app measured in the He et al. 2015 race at one depth, in the page's language: a clause per run."""
    parts = [run_progress(scheme, r, lang) for scheme, r in results.items()]
    return t(lang, "training_tab.he_measured", depth=depth, runs=join(lang, parts, "clause"))
