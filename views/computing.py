"""Computing the page: the network before it is drawn, side by side with the open tab's others, and the note
above the page that says it is computing or waiting for the server; the signal that a session has gone; a tab's
choice to work at the size that fits, which its refusal of a Custom network offers."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

from core import Config, cache
from core.network import WORK_LIMIT, WORK_RATE, estimate_work
from core.threads import Cancelled, parallel_map

from . import summary, urlstate
from .locale import browser_language
from .page import frames, memory_budget

NOTE_DELAY = 0.4  # seconds a computation runs before its note shows: a quick one never flashes it
# The note sticks below the top bar however far the page is scrolled, and fades in after NOTE_DELAY.
COMPUTING_CSS = ("[class*='st-key-computing_']{position:sticky;top:3.75rem;z-index:999;"
                 f"animation:computing-note 0s {NOTE_DELAY}s both}}"
                 "@keyframes computing-note{from{opacity:0}to{opacity:1}}")


def widget_state() -> dict[str, Any]:
    """Every control's value in the session state, by its URL parameter name (urlstate.PARAMS)."""
    return {name: st.session_state[name] for name in urlstate.PARAMS if name in st.session_state}


def session_gone() -> Callable[[], bool]:
    """A cancel signal for this session's computations (core.threads.Cancel), askable from any thread: True once
    the session has gone (its page closed or its connection dropped: Streamlit stops its script run then) or
    its script run was stopped. A rerun is not a stop: the rerun finds the finished network in the cache.
    """
    ctx = get_script_run_ctx()
    requests = ctx.script_requests if ctx is not None else None
    stopped = (lambda: getattr(requests, "_state", None) is ScriptRequestType.STOP) if requests is not None \
        else (lambda: False)  # ScriptRequests has no public reading of its state
    if ctx is None or not runtime.exists():  # AppTest, or a bare run
        return stopped
    server, session = runtime.get_instance(), ctx.session_id
    return lambda: stopped() or not server.is_active_session(session)


DRAWN = "_page_drawn"  # session state: the session has had a whole page drawn (the note's "still shows")


def page_drawn() -> None:
    """Mark the session as having a page drawn: from now on, a computation's note says the page below is the one
    before."""
    st.session_state[DRAWN] = True


class Note:
    """The place above the page for the note that it is being computed: a keyed container (COMPUTING_CSS) made
    once a block of computations, whose one line changes in place, so the browser does not fade it in again."""

    def __init__(self) -> None:
        self.slot, self.blocks, self.line, self.text = st.empty(), 0, None, None

    def say(self, text: str) -> None:
        if self.line is None:
            with self.slot.container(key=f"computing_{self.blocks}"):  # a key is used once a run
                self.line = st.empty()
            self.blocks += 1
        if text != self.text:
            self.line.info(text, icon=":material/hourglass_top:")
            self.text = text

    def clear(self) -> None:
        self.slot.empty()
        self.line = self.text = None


def work_seconds(configs, memory_budget: int) -> float:
    """The work of simulating the networks not kept yet (core.cache.is_simulated), in seconds of one core
    (core.network.estimate_work / WORK_RATE): what a computation's note says it takes."""
    return sum(estimate_work(c) / WORK_RATE for c in set(configs) if not cache.is_simulated(c, memory_budget))


@contextlib.contextmanager
def computing(note: Note, lang: str, seconds: float = 0.0):
    """Say in `note` that the page is being computed, for as long as the block runs; the block gets say(n), which
    says instead that the computation waits for n other computations on this server (0: computing again).

    The note fades in only after NOTE_DELAY seconds (COMPUTING_CSS): a quick run never flashes it. It sticks to the
    top of the window, so it is seen however far the page is scrolled. It is cleared when the block ends
    normally; after an exception it stays, above the traceback.
    """
    previous = st.session_state.get(DRAWN, False)

    def say(ahead: int) -> None:
        note.say(summary.computing_note(lang, ahead, previous, seconds))
    say(0)
    yield say
    note.clear()


def compute(note: Note, lang: str, work: list[Callable[..., Any]], seconds: float = 0.0) -> list:
    """[task(waiting=...) for task in work], side by side in threads of their own (core.cache takes a compute
    slot where it computes), while this script's thread keeps `note` saying what they do: computing (computing(),
    with the work's `seconds` of one core: work_seconds) while any of them runs, else waiting for the server, with
    how many computations come before the first of them in line. A teacher alone on the server had read "waiting for
    1 other computation": the page's own networks, queued behind each other, were counted as others'."""
    ahead = dict.fromkeys(range(len(work)), 0)  # unfinished task -> computations before it in line, 0 once it runs
    with computing(note, lang, seconds) as say:
        def tell() -> None:
            say(min(ahead.copy().values(), default=0))  # one of them runs: 0; else the first in line's

        def run(i: int) -> Any:
            try:
                return work[i](waiting=partial(ahead.__setitem__, i))
            finally:
                ahead.pop(i, None)

        return parallel_map(run, range(len(work)), slots=False, wait=tell)


def compute_first(note: Note, others: Callable[[Config, str], list[Config]]) -> None:
    """Compute what the page will draw before drawing it: the network the controls describe, and the networks
    others(config, lang) names (the open tab's besides the page's own), side by side (cache hits when known).

    Otherwise the browser draws the sidebar and the new title, waits for the computation, then draws the
    rest: two passes over the page, the first competing with the computation for the CPU when both share a
    machine, and the old charts stand under the new title meanwhile. Until the new page comes, the old one
    stays as it was (Streamlit dims what a run has not redrawn yet) and `note` says that it is computing.
    After a control changes, the session state holds every control's new value before the script runs; on
    a session's first run the controls only take their values from the link when they are drawn, so this
    waits for the sidebar.
    """
    state = widget_state()
    shown = [name for name in urlstate.CONTROLS if urlstate.relevant(name, state)]
    if "_link_checked" not in st.session_state or not all(name in state for name in shown):
        return
    try:
        config, _ = urlstate.config_of(state)
    except ValueError:  # the sidebar reports it
        return
    lang = st.session_state.get("lang", browser_language(st.context.locale))
    cancel = session_gone()
    extra = [c for c in others(config, lang) if c != config]
    own = [config] if summary.refusal(config, lang, memory_budget(), WORK_LIMIT) is None else []
    work = [*(partial(frames, c, lang, cancel) for c in own),
            *(partial(cache.simulate_cached, c, memory_budget(), cancel) for c in extra)]
    if work:
        with contextlib.suppress(Cancelled):  # gone: nothing is drawn
            compute(note, lang, work, work_seconds([*own, *extra], memory_budget()))


# ---------- a Custom network over a tab's limits ----------

def offer_fitted(label: str, key: str, settings) -> None:
    """A Custom network's refusal's button (the tab's key) that works at the size that fits, as a tour step does:
    pressed, the tab works at it for these settings (fitted_chosen) and says so; the sidebar, and with it the
    headline, the link and the other tabs, keep the page's network."""
    st.button(label, key=key, on_click=choose_fitted, args=(key, settings))


def choose_fitted(key: str, settings) -> None:
    """The button's press: kept per session, for these settings only."""
    st.session_state[f"_{key}"] = settings


def fitted_chosen(key: str, settings) -> bool:
    """Whether the refusal's button `key` was pressed for these settings: any others are refused again, with a
    button of their own."""
    return st.session_state.get(f"_{key}") == settings
