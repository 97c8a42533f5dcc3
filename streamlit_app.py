"""Init Explorer, the app: sidebar widgets -> Config -> core.simulate (through core.cache) -> Altair charts, in tabs.

Run with `streamlit run streamlit_app.py`, which runs this file as __main__. Every widget's key is its URL
parameter and the address bar holds its value, so a copied link opens the same view; views/link.py checks a link
before the widgets read it and writes the values Streamlit's binding cannot (urlstate.NAMED). What each part of
the page draws lives in views/: the sidebar (views/sidebar.py), the title and headline numbers
(views/headline.py), the tabs (views/tabs/, one module each, listed in views.tabs.TABS), and the computing
behind them (views/computing.py).
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import Config, MemoryBudgetError, cache
from core.admission import BudgetSettingError, server_budget
from core.allocator import keep_freed_memory
from core.network import WORK_LIMIT
from core.threads import ADMISSION, Cancelled
from core.threads import configure as configure_threads
from views import beside, present, references, summary, tabs, tour, urlstate
from views.draw import name_figures
from views.computing import COMPUTING_CSS, Note, compute, compute_first, page_drawn, session_gone, work_seconds
from views.headline import breaks, header, metrics
from views.link import check_link, link_problems, sync_tab
from views.page import Page, memory_budget
from views.sidebar import sidebar
from views.text import t


def main() -> None:
    keep_freed_memory()  # each run allocates and frees the same large arrays: reuse them, don't fault in new pages
    configure_threads()  # one BLAS thread per computation; computations side by side, one per core (compute_slot)
    check_link(tabs.CODES)
    st.set_page_config(page_title="Init Explorer", page_icon="📉", layout="wide")
    st.html("<style>" + COMPUTING_CSS + "</style>")  # the page's own CSS: present.page_css, once the mode is known
    try:
        ADMISSION.set_memory(server_budget())  # INIT_EXPLORER_MEMORY_MIB, read here only
    except BudgetSettingError as error:  # the server is set up wrongly: say how, in both languages, and stop
        for lang in urlstate.LANGUAGES:
            st.error(summary.budget_setting(lang, error.value))
        return
    note = Note()  # before the title: the old page stays, under a note, until the new one is ready
    compute_first(note, lambda config, lang: [*tabs.other_networks(config, lang), *beside.networks(config),
                                              *tour.companions(tour.step_of(config), config.seed).values()])
    lang, step, config = sidebar()
    # presenter mode: the sidebar closed, the lesson on one screen
    story, presenting, qr = header(lang, step, config, partial(link_problems, lang, tabs.CODES))
    body(note, lang, step, config, story, presenting)
    page_drawn()  # from now on a computation's note says the page below is the one before
    present.fill_qr(qr, lang)  # the link as this run leaves it: the tab and the switches below are written by now


def body(note: Note, lang: str, step: str, config: Config, story: DeltaGenerator, presenting: bool) -> None:
    """Everything under the title and the link's notices: the network's story, numbers, charts and tabs; a refusal or
    an error in their place where the network cannot be computed."""
    refused = summary.refusal(config, lang, memory_budget(), WORK_LIMIT)  # over the memory or the work limit
    if refused:
        st.error(refused)
        return
    companions = tour.companions(step, config.seed)  # networks the step's story measures besides this one
    try:  # computed by compute_first, unless this is the session's first run
        networks = (config, *companions.values())
        result, *others = compute(note, lang, [partial(cache.simulate_cached, c, memory_budget(), session_gone())
                                               for c in networks], work_seconds(networks, memory_budget()))
    except MemoryBudgetError:  # the estimate above and the engine's own check should agree; never a traceback
        st.error(summary.memory_refusal(config, lang, memory_budget()))
        return
    except Cancelled:  # the session has gone, or its run was stopped: there is no page to draw
        return
    page = Page(config, result, lang)
    name_figures(config, lang)  # every chart below offers its SVG and PNG, named after this step
    story.markdown(tour.story(step, result, lang, dict(zip(companions, others)), tabs=not presenting,
                              race=tabs.training.finished_race(config), he_race=tabs.training.finished_he_race()))
    if presenting:  # the lesson alone; the open tab is kept (a widget not drawn loses its state) for afterwards
        paired = beside.show(page, note, presenting=True)  # two steps side by side, or the step's charts
        if not paired:
            present.show(page, partial(metrics, presenting=True))
        breaks(page)
        if "tab" in st.session_state:
            st.session_state["tab"] = st.session_state["tab"]
        shown = tabs.open_tab(lang).code
        if shown in present.VIEWS and not paired:  # the pass on the screen, in the address; another tab's kept
            sync_tab(shown, tabs.CODES)
        return
    metrics(page)
    breaks(page)
    beside.show(page, note)  # ?beside=7: a tour step next to this network
    places = st.tabs([t(lang, f"tab_{code}") for code in tabs.CODES], key="tab", on_change="rerun")
    for tab, place in zip(tabs.TABS, places):
        if place.open:  # only the open tab's work runs
            with place:
                tab.show(page)
            sync_tab(tab.code, tabs.CODES)
    with st.expander(t(lang, "references")):
        st.markdown(references.markdown(lang))


if __name__ == "__main__":
    main()
