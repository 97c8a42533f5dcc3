"""The page's address: a link checked on a session's first run, the open tab and the tour step written back, what
the link said wrong."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import tour, urlstate
from .locale import browser_language
from .text import t


def show_config(config) -> None:
    """Set every control to show this configuration (a tour step's, or the network a tab's refusal offers); the
    link's notices no longer describe the page."""
    st.session_state.pop("_link_problems", None)
    for name, value in urlstate.state_of(config).items():
        st.session_state[name] = urlstate.spelled(name, value)  # a float as the link writes it


# One entry in the browser's history a view, so that Back goes to the view before. Streamlit pushes an entry each time
# a run writes the address (each parameter the script writes, each bound widget it sets: ▶ had made 2-3 entries a
# step, and the halfway ones mixed two steps' values), and writes a widget the viewer moved into the address by
# replacing the entry of the view before. Here the first write after the viewer's action (a key or a pointer pressed)
# makes the view's entry and every later one replaces it, until the next action. The script-state attribute could
# not tell a run's end: a run drawn within one frame never shows "running". Back and Forward are Streamlit's (it
# replaces while it runs them), and check_link reads the link they restore. A link the page completed on opening
# (`?step=3`) keeps the browser's entry under the complete one: the same view, which Back passes over (Streamlit's
# entries hold a state, {}; the one the browser made on opening holds none).
ONE_ENTRY_PER_VIEW = """<script>/* one history entry per view */
(() => {{
  if (window.__oneEntryPerView) return;
  window.__oneEntryPerView = true;
  const push = history.pushState.bind(history), replace = history.replaceState.bind(history);
  let pushed = true;  // until the viewer acts, the page completes the entry of the link it was opened with
  const acted = () => {{ pushed = false; }};
  addEventListener("keydown", acted, true);
  addEventListener("pointerdown", acted, true);
  addEventListener("popstate", (event) => {{  // Back, Forward: their run restores that entry
    pushed = true;
    if ({completed} && event.state === null) history.back();
  }});
  history.pushState = history.replaceState = (...entry) => {{
    const write = pushed ? replace : push;
    pushed = true;
    return write(...entry);
  }};
}})();
</script>"""


def keep_history() -> None:
    """Make the browser's Back and Forward go from view to view (ONE_ENTRY_PER_VIEW)."""
    completed = "true" if st.session_state.get("_link_completed") else "false"
    st.html(ONE_ENTRY_PER_VIEW.format(completed=completed), unsafe_allow_javascript=True)


def check_link(tabs: Sequence[str]) -> None:
    """On a session's first run and when Back or Forward restores an entry, before any widget: check the link and
    make the address hold the whole view.

    Streamlit seeds bound widgets from the URL the page was opened with, so a link that is not already
    complete and clean (a bad value, a step whose controls it leaves out, a value that does not matter, a
    parameter the page does not know) is rewritten and the script started again at once; that first run
    stops before any widget or computation. A link copied from the address bar is complete, and costs one run.
    tabs: the tab codes, in order (views.tabs.CODES).
    """
    history = _history_navigation()
    if "_link_checked" in st.session_state and not history:
        return
    query = {name: st.query_params.get_all(name) for name in st.query_params}
    query = {name: values[0] if len(values) == 1 else values for name, values in query.items()}
    language = browser_language(st.context.locale)  # the page's language when the link has no lang=
    state, problems = urlstate.normalize(query, tabs, language)
    st.session_state["_link_checked"] = True
    st.session_state["_link_problems"] = [*problems, *urlstate.inherited(query, state)]
    # The step a link names is the tour's place even when the link's own values leave it (?step=3&std=0.5), and so is
    # the step a link to Custom says its network came from (from=6)
    asked = next((p.raw for p in problems if p.kind == "step"),
                 state["from"] if state["step"] == tour.CUSTOM else state["step"])
    if asked in tour.STEPS:
        st.session_state["_last_step"] = asked
    else:  # Back to a link that names no step: ◀ ▶ go from its network, not from the step the session was at
        st.session_state.pop("_last_step", None)
    st.session_state["tab"] = t(state["lang"], f"tab_{state['tab']}")  # the tabs are not bound: labels change
    # nor are the widgets that show names, the tabs' settings and the step beside: they start from the link's codes
    for name in (*urlstate.NAMED, *urlstate.TAB_SETTINGS, "beside"):
        st.session_state[name] = state[name]
    st.session_state["_race_default"] = urlstate.default_race(state)  # the race the Training tab follows
    if problems or not urlstate.is_canonical(query, state, tabs, language):
        written = urlstate.to_query(state, tabs, language)  # unknown parameters: a notice
        if history:  # Back to a link the page completed: its widgets are bound now, so they are set as ▶ sets them
            for name in urlstate.BOUND:
                st.session_state[name] = urlstate.spelled(name, state[name])
            written = {name: value for name, value in written.items() if name not in urlstate.BOUND}
        st.query_params.from_dict(written)
        st.session_state.setdefault("_link_completed", not history)
        st.rerun()


def _history_navigation() -> bool:
    """Whether this run is the browser's Back or Forward (Streamlit then seeds the bound widgets from the link)."""
    ctx = get_script_run_ctx()
    return ctx is not None and ctx.is_history_navigation


def write(name: str, value: str | list[str] | None) -> None:
    """Write one parameter into the address as urlstate.query_value writes it (None: leave it out), if it differs."""
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get_all(name) != ([value] if isinstance(value, str) else value):
        st.query_params[name] = value


def write_setting(name: str, value: Any) -> None:
    """Write a tab's setting (urlstate.TAB_NAMED, TAB_SETTINGS) into the address as a link writes it: left out at its
    default. Written by its tab while it is open, it stays in the address while another tab is."""
    write(name, urlstate.query_value(name, {name: value}, ("activations",)))


def sync_tab(code: str, tabs: Sequence[str]) -> None:
    """Write the open tab into the URL (Streamlit binds tabs by their label, which changes with the language)."""
    write("tab", urlstate.query_value("tab", {"tab": code}, tabs))


def sync_step(step: str, last: str | None) -> None:
    """Write the tour step the controls show into the URL (its radio is not bound: a bound radio writes its label,
    which changes with the language), and at Custom `last`, the step the network was made from (from=), so that a
    link copied there opens with the line saying what changed and ◀ ▶ going on from that step. A link's step= only
    sets the controls (urlstate.normalize)."""
    state = {"step": step, "from": last if last in tour.STEPS else "none"}
    for name in ("step", "from"):
        write(name, urlstate.query_value(name, state, ("activations",)))


def sync_named(state: Mapping[str, Any], names: Sequence[str], language: str) -> None:
    """Write the named parameters of a state (urlstate.NAMED: widgets that show names, not codes) into the URL.

    state: the widget values, with the controls a control's relevance depends on (init, activation);
    language: the browser's, which a link leaves out (urlstate.defaults).
    """
    for name in names:
        write(name, urlstate.query_value(name, state, ("activations",), language))


def link_problems(lang: str, tabs: Sequence[str]) -> None:
    """What the page made of the link, in urlstate.messages' words (link text escaped there): a warning for each
    value it could not use or read otherwise, a note where a complete link takes step 1's scheme
    (urlstate.inherited)."""
    for problem in st.session_state.get("_link_problems", []):
        (message,) = urlstate.messages([problem], lang, tabs)
        (st.info if problem.kind == "inherited" else st.warning)(message)
