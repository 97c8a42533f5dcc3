"""The page's address: a link checked on a session's first run, the open tab and the tour step written back, what
the link said wrong."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from . import tour, urlstate
from .locale import browser_language
from .text import t


def check_link(tabs: Sequence[str]) -> None:
    """On a session's first run, before any widget: check the link and make the address hold the whole view.

    Streamlit seeds bound widgets from the URL the page was opened with, so a link that is not already
    complete and clean (a bad value, a step whose controls it leaves out, a value that does not matter, a
    parameter the page does not know) is rewritten and the script started again at once; that first run
    stops before any widget or computation. A link copied from the address bar is complete, and costs one run.
    tabs: the tab codes, in order (views.tabs.CODES).
    """
    if "_link_checked" in st.session_state:
        return
    query = {name: st.query_params.get_all(name) for name in st.query_params}
    query = {name: values[0] if len(values) == 1 else values for name, values in query.items()}
    language = browser_language(st.context.locale)  # the page's language when the link has no lang=
    state, problems = urlstate.normalize(query, tabs, language)
    st.session_state["_link_checked"] = True
    st.session_state["_link_problems"] = problems
    # The step a link names is the tour's place even when the link's own values leave it (?step=3&std=0.5).
    asked = next((p.raw for p in problems if p.kind == "step"), state["step"])
    if asked != tour.CUSTOM:
        st.session_state["_last_step"] = asked
    st.session_state["tab"] = t(state["lang"], f"tab_{state['tab']}")  # the tabs are not bound: labels change
    if problems or not urlstate.is_canonical(query, state, tabs, language):
        st.query_params.from_dict(urlstate.to_query(state, tabs, language))  # unknown parameters: a notice
        st.rerun()


def sync_tab(code: str, tabs: Sequence[str]) -> None:
    """Write the open tab into the URL (Streamlit binds tabs by their label, which changes with the language)."""
    wanted = None if code == tabs[0] else code
    if st.query_params.get("tab") != wanted:
        if wanted is None:
            del st.query_params["tab"]
        else:
            st.query_params["tab"] = wanted


def sync_step(step: str) -> None:
    """Write the tour step the controls show into the URL (its radio is not bound: a bound radio writes its label,
    which changes with the language). A link's step= only sets the controls (urlstate.normalize)."""
    wanted = None if step == urlstate.defaults()["step"] else step
    if st.query_params.get("step") != wanted:
        if wanted is None:
            del st.query_params["step"]
        else:
            st.query_params["step"] = wanted


def link_problems(lang: str, tabs: Sequence[str]) -> None:
    """What the page made of the link: one warning each, in urlstate.messages' words (link text escaped there)."""
    for message in urlstate.messages(st.session_state.get("_link_problems", []), lang, tabs):
        st.warning(message)
