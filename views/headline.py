"""Above the tabs: the ◀ ▶ step buttons, the title, the network in one line and the step's story, then the
headline numbers with the verdict, and a warning for each place the network left the float range."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import streamlit as st

from core import Config

from . import charts, describe, present, summary, tour, urlstate
from .link import keep_history
from .number_writing import format_share, format_value
from .page import Page
from .sidebar import go_to_step
from .text import pointing, t

STORY = "story"  # the key of the story's container (.st-key-story)
STEP_KEYS = ("Left", "Right")  # the keys of the ◀ ▶ step buttons (st.button's shortcut)
STEP_BUTTONS = ("step_previous", "step_next")  # their keys
# A presentation clicker's keys, KeyboardEvent.key: most clickers send PageUp and PageDown (some ← and →, the buttons'
# shortcuts). In presenter mode, whose page fits one screen, they press the step buttons instead of scrolling.
CLICKER_KEYS = {"PageUp": STEP_BUTTONS[0], "PageDown": STEP_BUTTONS[1]}
# One listener a page, made when presenter mode is first drawn; it acts only while the switch is on and no text box has
# the cursor, as Streamlit's shortcuts do.
CLICKER = f"""<script>/* a clicker's keys */
(() => {{
  if (window.__clickerKeys) return;
  window.__clickerKeys = true;
  const KEYS = {json.dumps(CLICKER_KEYS)};
  document.addEventListener("keydown", (event) => {{
    const key = KEYS[event.key];
    if (!key || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey
        || !document.querySelector(".st-key-{present.PRESENT} input")?.checked
        || event.target.closest?.("input:not([type='checkbox']), textarea, [contenteditable='true']")) return;
    const button = document.querySelector(`.st-key-${{key}} button`);
    event.preventDefault();
    if (button && !button.disabled) button.click();
  }});
}})();
</script>"""


def header(lang: str, step: str, config: Config, notices: Callable[[], None]) -> tuple[Any, bool, Any]:
    """One row of the ◀ ▶ step buttons and presenter mode's switch, then the title, the network in one line,
    `notices` (what the page made of its link: views.link.link_problems) and the step's story; returns the story's
    place, filled once computed, whether presenter mode is on, and the QR code's place (present.controls), filled at
    the run's end (present.fill_qr).

    The row comes first, so that the buttons stand at the same place at every step, wherever the window is: under
    the story they moved by 100 px with its length, and under the title by a line wherever it or the network line
    wrapped (steps 8-11 at 1,024 px, every step on a phone); a teacher's second click on ▶ missed."""
    # At Custom, ◀ ▶ go on from the last step shown (tour.nearest_step), never back to the start by accident.
    place = tour.nearest_step(config, st.session_state.get("_last_step"))
    before, after = tour.previous_step(place), tour.next_step(place)
    # The buttons have no tooltip: the pointer stays on the button a click has just pressed, and its tooltip, above
    # it, covered the new step's title (on a projector, its story); the tour's help and the labels' ← → say the rest.
    # one row for the buttons and the switch: a laptop's first screen has room for the std chart below them
    with st.container(horizontal=True, vertical_alignment="center", key="step_row"):
        # ← → press them while no text box has the cursor (Streamlit's button shortcuts skip text fields)
        st.button(t(lang, "previous"), on_click=go_to_step, args=(before,), disabled=before is None,
                  shortcut=STEP_KEYS[0], key=STEP_BUTTONS[0])
        st.button(t(lang, "next"), on_click=go_to_step, args=(after,), disabled=after is None,
                  shortcut=STEP_KEYS[1], key=STEP_BUTTONS[1])
        presenting, qr = present.controls(lang, step)
        # the page's scripts stand in the row, which hides their boxes: in the column an empty box took a gap's height
        keep_history()
        if presenting:
            st.html(CLICKER, unsafe_allow_javascript=True)
    st.title(tour.heading(step, lang))
    st.caption(describe.line(config, lang))
    # At Custom, the step the page left and what differs from it (a student's slider move, said), where the page did
    # show or a link did name a step, and no notice of the link's already says what its own values change
    last = st.session_state.get("_last_step")
    told = any(problem.kind == "step" for problem in st.session_state.get("_link_problems", []))
    changed = urlstate.changed_from(config, last, lang) if step == tour.CUSTOM and last in tour.STEPS and not told \
        else None
    if changed:
        st.caption(changed)
    # a link's value refused or a parameter dropped is said before the story: under it, a phone showed a screen and
    # more of the story of the step used instead before saying why
    notices()
    # filled in once the network is computed: a story quotes its numbers (Custom where they part); keyed, the page's
    # CSS and its tests find it whatever stands before it
    story = st.container(key=STORY).empty()
    if step == tour.CUSTOM:  # its first part meanwhile, pointing to tabs only where they are shown
        story.markdown(pointing(t(lang, "story_custom"), tabs=not presenting))
    return story, presenting, qr


class Number(NamedTuple):
    """A headline number as st.metric shows it: its label, value, the note under it, the tooltip of its (?) and the
    colour of its value (Streamlit's colour names)."""
    label: str
    value: str
    note: str | None = None
    meaning: str | None = None
    colour: str | None = None


def metrics(page: Page, presenting: bool = False) -> None:
    """The headline row: last-layer and first-layer numbers, a saturation or dead share, and the verdict.

    A number that is missing says why: beyond a break (the layer and pass), or not defined for the activation.
    presenting: presenter mode's row, whose CSS leaves out the notes under the numbers; a missing number's reason is
    its tooltip there (step 9's dead units had read "—" alone on the projector).
    """
    h = summary.headline(page.result)
    c = page.config
    missing = summary.missing_reason(page.result, page.lang)
    numbers: list[Number] = []

    def metric(label: str, value: str, note: str | None, meaning: str | None = None) -> None:
        why = note if presenting and value == page.t("metric_missing") else None
        numbers.append(Number(label, value, note, "\n\n".join(text for text in (meaning, why) if text) or None))

    act_delta, grad_delta = summary.headline_deltas(page.result, page.lang)  # "761 · ×760 of the input's 1.001"
    # a residual network's layers are its stream x_l, and its gradients dL/dx_l
    metric(page.t("metric_stream" if c.residual else "metric_act"), format_value(h.act_last), act_delta)
    metric(page.t("metric_stream_grad" if c.residual else "metric_grad"), format_value(h.grad_first),
           grad_delta)
    share = summary.share_metric(c.activation)
    if share is None:
        metric(page.t("metric_sat_dead"), page.t("metric_missing"),
               page.t("metric_sat_dead_none", activation=page.t(f"act_{c.activation}")))
    else:
        value = getattr(h, share)
        why = page.t("metric_share_stream") if c.residual else missing  # the stream is no activation's output
        # what the share counts, as its tooltip: step 6's "dead units 10.4 %" stood beside histograms 48 % at 0
        metric(summary.share_label(c, page.lang), format_share(value), None if math.isfinite(value) else why,
               summary.share_meaning(c.activation, page.lang))
    found = summary.diagnose(page.result)
    colour = summary.VERDICT_COLOURS[found.name]
    notes = [note for note in (summary.explain(page.result, page.lang, found),
                               summary.update_note(page.result, page.lang, found)) if note]
    # At a tour step the story says what the notes say, so they wait behind the verdict's (?) and the std chart
    # fits a laptop's first screen; at Custom there is no story, and they are written under the row, the page's
    # width (in the verdict's quarter of it they ran to ten lines on a laptop).
    custom = tour.step_of(c) == tour.CUSTOM
    numbers.append(Number(page.t("metric_verdict"), page.t(f"verdict_{found.name}"),
                          meaning=None if custom else "\n\n".join(notes), colour=colour))
    for column, n in zip(st.columns(metric_widths(numbers) if presenting else len(numbers)), numbers):
        column.metric(n.label, f":{n.colour}[{n.value}]" if n.colour else n.value, n.note, delta_color="off",
                      delta_arrow="off", help=n.meaning)
    if custom:
        for note in notes:
            st.caption(note)


# Latin letters' width of a metric's (?) beside its label, and of the gap between its label and value; a value's
# letter beside a label's (presenter mode's values in 1.3 rem type, PRESENT_CSS, beside labels of 0.875 rem)
HELP_LETTERS = 3
GAP_LETTERS = 2
VALUE_LETTER = 1.5


def metric_widths(numbers: list[Number]) -> list[float]:
    """Presenter mode's metric columns, each as wide as its label and value side by side in one line (charts.letters,
    a (?) where it has a tooltip): in four equal columns at 1,280 px, "Saturated values (last layer)" wrapped into
    two lines with its (?) stranded at its column's far side, beside a first column half empty."""
    return [charts.letters(n.label) + VALUE_LETTER * charts.letters(n.value) + GAP_LETTERS
            + HELP_LETTERS * bool(n.meaning) for n in numbers]


def breaks(page: Page) -> None:
    """A warning for each break (core.network.Break): the layer where values overflowed or underflowed,
    and in which pass."""
    for b in page.result.breaks:
        st.warning(summary.break_message(b, page.lang, page.config.dtype))
