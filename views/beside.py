"""Side by side: the page's network and a tour step next to each other (`?step=2&beside=7`), each with its title,
its activation std chart and its histograms, the two std charts on one y scale, and one sentence comparing their
last layers. On a phone the two sides stack."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from core import Config, MemoryBudgetError, cache
from core.network import WORK_LIMIT
from core.threads import Cancelled

from . import charts, export, present, summary, tour, urlstate
from .number_writing import format_value
from .computing import Note, compute, session_gone, work_seconds
from .derivation import relation
from .draw import draw, name_figures
from .page import Page, frames, layer_titles, memory_budget
from .tabs.activations import LOG
from .text import t

KEY = "beside"  # the selectbox's key and its URL parameter (urlstate.PARAMS)
NONE = "none"  # nothing beside: the page as it is
CODES = (NONE, *tour.STEPS)
# A histogram panel (width, height, px): five in a row fit half a laptop's page, and two a phone's width
# (present.screen_columns)
PANEL = (70, 56)
HEADROOM = 5  # the shared y axis ends at the next fifth of a power of ten above both sides' tallest value
# A side's histograms never make the page scroll sideways: wider than their column, they shrink to it.
CSS = ("[class*='st-key-beside_side'] [data-testid='stVegaLiteChart'] svg{max-width:100%!important;"
       "height:auto!important}")


# The two sides' titles as tall as the taller, where the sides stand next to each other (not stacked, as on a phone;
# not in presenter mode, which fits each side under its own title to the screen: present.FIT_CHARTS), so
# that their charts start level: a title wrapping to one more line than the other's had put its side's charts a line
# lower (step 10 beside step 3 at 1280 px: 31 px), and the std charts share one axis to be read across. A title's height
# follows the window's width: set again on a resize. Drawn with the sides' steps and the language in its comment, so
# the browser runs it again when the titles change (Streamlit runs an st.html script when it is drawn anew).
LEVEL_TITLES = """<script>/* {left} | {right} | {lang} */
(() => {{
  const level = (frames = 0) => {{
    const titles = [...document.querySelectorAll(".st-key-beside_view [class*='st-key-beside_side'] h4")];
    if (titles.length < 2) {{  // drawn before the sides: wait for them, a few seconds at most
      if (frames < 600) requestAnimationFrame(() => level(frames + 1));
      return;
    }}
    titles.forEach((h) => {{ h.style.minHeight = ""; }});
    const boxes = titles.map((h) => h.getBoundingClientRect());
    if (Math.abs(boxes[0].top - boxes[1].top) > 1) return;  // stacked: each its own height
    const tallest = Math.max(...boxes.map((r) => r.height));
    titles.forEach((h) => {{ h.style.minHeight = tallest + "px"; }});
  }};
  level();
  document.fonts.ready.then(() => level());  // the titles' heights in the page's own fonts
  [300, 1000].forEach((ms) => setTimeout(() => level(), ms));  // and once a new step's titles have replaced the old
  if (!window.besideTitlesLevelled) {{  // one listener a page
    window.besideTitlesLevelled = true;
    addEventListener("resize", () => requestAnimationFrame(() => level()));
  }}
}})();
</script>"""


def chosen() -> str:
    """The step beside the page's network, or NONE: the control's value, or on a session's first run (before the
    control is drawn) the link's, which views/link.py has checked."""
    if KEY in st.session_state:
        return st.session_state[KEY]
    try:
        return urlstate.parse(KEY, st.query_params.get(KEY, NONE))
    except ValueError:  # the link's check has said so and rewritten it
        return NONE


def control(lang: str, step_label: Callable[[str], str]) -> str:
    """The sidebar's "Beside" choice: nothing, or a tour step (each labelled by step_label: options.option_name's
    "beside", a step as in the tour); returns it.

    Not bound to the address: a bound selectbox writes its label into the link, which would then change with the
    language; sync() writes the code, as link.sync_step does the step's.
    """
    st.session_state[KEY] = chosen()
    code = st.selectbox(t(lang, "beside"), CODES, key=KEY, help=t(lang, "beside_help"),
                        format_func=step_label)
    sync(code)
    return code


def sync(code: str) -> None:
    """Write the step beside into the URL, or take it out (NONE, the default)."""
    wanted = None if code == NONE else code
    if st.query_params.get(KEY) != wanted:
        if wanted is None:
            del st.query_params[KEY]
        else:
            st.query_params[KEY] = wanted


def network(code: str, config: Config) -> Config:
    """The network of the step beside: the step's, with the page's seed (a new draw keeps the lesson)."""
    return tour.step_config(code, config.seed)


def networks(config: Config) -> list[Config]:
    """The network drawn beside the page's, for computing.compute_first: none, or the chosen step's."""
    code = chosen()
    return [] if code == NONE else [network(code, config)]


def shared_top(series: list[pd.DataFrame]) -> float | None:
    """The end of the std charts' shared linear y axis (from 0): the largest finite value of every side's frame
    (charts.series_frame: measured and theory), rounded up to a multiple of a fifth of its leading power of ten
    (0.634 -> 0.64, 1.013 -> 1.2); None where every value is 0 (each chart keeps its own axis)."""
    values = pd.concat([f["value"] for f in series])
    top = float(values[values.map(math.isfinite)].max()) if len(values) else math.nan
    if not math.isfinite(top) or top <= 0:
        return None
    unit = 10.0 ** math.floor(math.log10(top)) / HEADROOM
    return float(f"{math.ceil(top / unit * (1 - 1e-12)) * unit:.12g}")  # 1.2, not 1.2000000000000002


def name(code: str, lang: str) -> str:
    """A side as the sentence names it: "step 2", or "your network" at Custom."""
    return t(lang, "beside_custom_name") if code == tour.CUSTOM else t(lang, "beside_step_name", n=code)


def against_theory(result) -> tuple[float, float, str | None]:
    """(measured, theory, relation) of the last layer's activation std (summary.headline; core.theory's predicted
    std): derivation.relation's key of the measured against the theory (close: within 10 %), "exact" where the two
    are equal (zero weights: 0 and 0), None where the theory gives no scale to read it against (0 or undefined)."""
    depth = result.config.depth
    measured, theory = summary.headline(result).act_last, float(result.stats["predicted_act_std"][depth])
    return measured, theory, "exact" if measured == theory else relation(measured, theory)


def sentence(left, right, left_code: str, right_code: str, lang: str) -> str:
    """The last layer's std of each side (a residual side's stream std, as its headline names it), each against its
    own theory (against_theory), never against the other side's: two steps are built to different scales (step 10's
    q* = 1/64 makes its std about 0.125 by design, step 9's stream grows to √(1.1¹⁰) ≈ 1.61), so "step 10's 0.124, far
    below step 9's 1.58" compared unlike things. Where both are as their theory predicts (close, or exact) one clause
    says so; a std beyond a break is said as missing (summary.missing_reason)."""
    words = dict(left=name(left_code, lang), right=name(right_code, lang),
                 **{f"{side}_what": t(lang, "beside_what_residual" if result.config.residual else "beside_what_plain")
                    for side, result in (("left", left), ("right", right))})
    sides = {"left": against_theory(left), "right": against_theory(right)}
    if all(rel in ("close", "exact") for _, _, rel in sides.values()):
        return t(lang, "beside_compare_predicted", **words,
                 **{f"{side}_{key}": format_value(value) for side, (std, theory, _) in sides.items()
                    for key, value in (("std", std), ("theory", theory))})
    for (side, (std, theory, rel)), result in zip(sides.items(), (left, right)):
        shown = dict(std=format_value(std), theory=format_value(theory))
        if not math.isfinite(std):
            words[f"{side}_against"] = summary.missing_reason(result, lang) or shown["std"]
        elif rel is None:
            words[f"{side}_against"] = t(lang, "beside_against_none", **shown)
        elif rel == "exact":
            words[f"{side}_against"] = t(lang, "beside_against_exact", **shown)
        else:
            words[f"{side}_against"] = t(lang, "beside_against", relation=t(lang, f"cmp_{rel}"), **shown)
    return t(lang, "beside_compare", **words)


def side(page: Page, f: dict, code: str, config: Config, other: Config, y_max: float | None,
         place: str | None = None, log_span: tuple[float, ...] | None = None) -> None:
    """One side: its title, its std chart on the shared axis (0 to y_max; with log_span, the Activations tab's Log
    scale on, a log axis holding log_span) and its histograms. f: its frames (page.frames). Its figures are named
    after its own step and the other side's: "step-7_histograms-beside-step-2". place: "left" or "right" in
    presenter mode, which draws the charts at its own sizes (present.side)."""
    st.markdown(f"#### {tour.heading(code, page.lang)}")
    if place is not None:
        present.side(page, f, config, place, y_max, log_span)
        return
    name_figures(config, page.lang)
    files = f"-beside-{export.stem(other)}"
    colour = charts.SCHEME_COLOURS[tour.scheme_of(config)]
    titles = layer_titles(config, page.lang)  # a residual step's layers are its stream
    draw("line", f["act_std"], name=f"activation-std{files}", colour=colour, title=titles["std"],
         y_title=page.t("std_axis"), names=page.names(), layer_title=page.t("layer"), series_title=page.t("series"),
         **charts.std_axis(log_span, y_max))
    panels, _ = charts.panel_layers(config.depth)
    width, height = PANEL
    # a side's narrow panels write their shares alone ("1.7 %"): a line under the title says what they are
    short = charts.label_layout(f["histogram"], width)[0] == "short"
    draw("histogram", f["histogram"], name=f"histograms{files}", width="content", colour=colour,
         title=titles["hist"], share_title=page.t("share"), panel_width=width, panel_height=height,
         layer_title=page.t("layer"), bin_titles=[page.t("bin_start"), page.t("bin_end")],
         subtitle=charts.label_key(f["histogram"], config.activation, page.lang) if short else "",
         **present.screen_columns(len(panels), fit=False))  # a side: half the column the window rule reckons with


def show(page: Page, note: Note, presenting: bool = False) -> bool:
    """The sentence, then the page's network and the chosen step side by side; False (no sides drawn) when no step
    is chosen, or when it is the page's own step (a line says so). The step's network is computed as the page's
    is (computing.compute, core.cache), and a step the server cannot compute says why in its place. presenting:
    presenter mode's sides, both on one screen (present.side)."""
    code = chosen()
    if code == NONE:
        return False
    own = tour.step_of(page.config)
    if code == own:  # the tour walked onto the step beside (5 beside 6, then ▶): the step once, not twice
        st.caption(t(page.lang, "beside_same", step=name(code, page.lang)))
        return False
    config = network(code, page.config)
    refused = summary.refusal(config, page.lang, memory_budget(), WORK_LIMIT)
    if refused:
        st.error(refused)
        return True
    try:
        other = compute(note, page.lang, [partial(cache.simulate_cached, config, memory_budget(), session_gone())],
                        work_seconds([config], memory_budget()))[0]
    except MemoryBudgetError:
        st.error(summary.memory_refusal(config, page.lang, memory_budget()))
        return True
    except Cancelled:  # the session has gone: nothing to draw
        return True
    mine, theirs = page.frames(), frames(config, page.lang)
    top = shared_top([mine["act_std"], theirs["act_std"]])
    # the Activations tab's Log scale (kept in the session while another tab is open): both sides on one log axis
    log_span = charts.log_span_of([mine["act_std"], theirs["act_std"]]) if st.session_state.get(LOG) else None
    # one element with the CSS (another would add a gap under presenter mode's fitted charts); presenter mode fits
    # each side to the screen under its own title (present.FIT_CHARTS), which a taller title would push below it
    level = "" if presenting else LEVEL_TITLES.format(left=own, right=code, lang=page.lang)
    st.html(f"<style>{CSS}</style>{level}", unsafe_allow_javascript=True)
    with st.container(key="beside_view"):
        st.markdown(sentence(page.result, other, own, code, page.lang))  # first: what to see in the charts below
        left, right = st.columns(2, gap="large")
        with left, st.container(key="beside_side_left"):
            side(page, mine, own, page.config, config, top, "left" if presenting else None, log_span)
        with right, st.container(key="beside_side_right"):
            side(page, theirs, code, config, page.config, top, "right" if presenting else None, log_span)
    name_figures(page.config, page.lang)  # the page's other charts: named after its own step again
    return True
