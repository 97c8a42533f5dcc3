"""Init Explorer, the app: sidebar widgets -> Config -> core.simulate (through core.cache) -> Altair charts, in tabs.

Run with `streamlit run streamlit_app.py`. Every widget's key is its URL parameter and is bound to the address
bar, so a copied link opens the same view; views/urlstate.py checks a link before the widgets read it.
"""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

import core
from core import Config, MemoryBudgetError, Result, cache, estimate_memory, schemes, theory
from core.admission import BudgetSettingError, server_budget
from core.activations import recommended_gain
from core.allocator import keep_freed_memory
from core.config import ACTIVATIONS, DTYPES, FLOAT_RANGES, INITS, INPUTS, INT_RANGES, MODES, written
from core.initializers import DEFAULT_GAIN, gain_of, weight_std, weight_variance
from core.network import WORK_LIMIT, estimate_work
from core.threads import ADMISSION, Cancel, Cancelled
from core.threads import configure as configure_threads
from core.threads import parallel_map
from core.train import (
    DEFAULT_CLASSES, DEFAULT_STEPS, HE_2015_LR, HE_2015_STEPS, HE_2015_WIDTH, MAX_BATCH, estimate_training_memory,
    lecture_schemes, one_unit_ceiling,
)
from core.train import SCHEMES as TRAIN_SCHEMES
from core.train import scheme_config as train_config
from views import charts, derivation, live, summary, tour, urlstate
from views import theory as theory_view
from views import training as training_view
from views.cache import FRAMES, TEMPLATES
from views.text import TEXT, t, user_text

keep_freed_memory()  # each run allocates and frees the same large arrays: reuse them, don't fault in new pages
configure_threads()  # one BLAS thread per computation; computations side by side, at most one per core (compute_slot)

URL = "query-params"  # Streamlit's binding of a widget to the URL parameter named by its key
SEED_MAX = INT_RANGES["seed"][1]


@dataclass(frozen=True)
class Page:
    """What a tab needs to draw itself."""

    config: Config
    result: Result
    lang: str

    def t(self, key: str, **values: Any) -> str:
        return t(self.lang, key, **values)

    def frames(self) -> dict:
        return frames(self.config, self.lang)


# ---------- computation ----------
# Every session of the server shares what is computed: the results in core.cache (a class opening one link
# computes it once, each computation in one of the server's compute slots), the page's frames and chart
# templates in views.cache; each kept while its bytes allow, and handed out without a copy.

def memory_budget() -> int:
    """What one computation of the page may need: core's budget for one, or the server's for all at once
    (INIT_EXPLORER_MEMORY_MIB, set in main()) where that is smaller. Read on every run (tests change core's)."""
    return min(core.DEFAULT_MEMORY_BUDGET, ADMISSION.memory)


def frames(config: Config, lang: str, cancel: Cancel = None, waiting: Callable[[int], None] | None = None) -> dict:
    """The small frames the charts and the table draw from, per network and language (pandas takes ms each).

    cancel ends the network's computation between layers once the session has gone (session_gone), or while it
    waits for the server (waiting(n) is told how many computations come first); nothing is kept then, and a
    session waiting for the same network computes it itself."""
    def make() -> dict:
        result = cache.simulate_cached(config, memory_budget(), cancel=cancel, waiting=waiting)
        layers = charts.layer_frame(result)
        series = {"measured": t(lang, "measured"), "theory": t(lang, "theory")}
        return {
            "layers": layers,
            "act_std": charts.series_frame(layers, "act_std", "predicted_act_std", series),
            "grad_std": charts.series_frame(layers, "grad_std", "predicted_grad_std", series, first_layer=1),
            "histogram": charts.histogram_frame(result, t(lang, "panel")),
        }
    return FRAMES.get(("network", config, lang), make)


def chart_template(kind: str, options: str, layout: tuple, frame) -> dict:
    """A chart's Vega-Lite dict for one layout (log ticks, panels, schemes) and one set of labels (not its data).

    Building an Altair chart costs tens of milliseconds; a network with the same layout reuses the template
    with its own data, and the browser then only swaps the data of an unchanged spec.
    """
    return TEMPLATES.get(("chart", kind, options, layout),
                         lambda: charts.template(charts.BUILDERS[kind](frame, **json.loads(options))))


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


def compute_first(note: Note) -> None:
    """Compute what the page will draw before drawing it: the network the controls describe, and the Compare
    tab's networks when that tab is open, side by side (cache hits when they are known).

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
    lang = st.session_state.get("lang", "en")
    work: list[Callable[..., Any]] = []
    cancel = session_gone()
    if summary.refusal(config, lang, memory_budget(), WORK_LIMIT) is None:
        work.append(partial(frames, config, lang, cancel))
    if open_tab(lang) == "compare":
        others = compare_configs(config, compare_picks())[0].values()
        work += [partial(cache.simulate_cached, c, memory_budget(), cancel) for c in others if c != config]
    if work:
        with contextlib.suppress(Cancelled):  # gone: nothing is drawn
            compute(note, lang, work)


def compute(note: Note, lang: str, work: list[Callable[..., Any]]) -> list:
    """[task(waiting=...) for task in work], side by side in threads of their own (core.cache takes a compute
    slot where it computes), while this script's thread keeps `note` saying what they do: waiting for the
    server, with how many computations come first (the most any task waits behind), or computing (computing())."""
    ahead = dict.fromkeys(range(len(work)), 0)  # task -> computations before it on the server, while it waits
    with computing(note, lang) as say:
        def tell() -> None:
            say(max(ahead.values(), default=0))
        return parallel_map(lambda i: work[i](waiting=partial(ahead.__setitem__, i)), range(len(work)),
                            slots=False, wait=tell)


def compare_picks() -> list[str]:
    """The Compare tab's schemes: its widget's value, or before the widget is first drawn, the (checked) link's."""
    if "compare" in st.session_state:
        return list(st.session_state["compare"])
    return st.query_params.get_all("compare") or list(tour.LECTURE_FIVE)


def compare_configs(config: Config, picked: list[str]) -> tuple[dict[str, Config], list[str]]:
    """The Compare tab's networks: {scheme: this network under it} within the memory budget and the work limit,
    and the schemes over them (batch norm keeps more; orthogonal init does a QR per layer)."""
    configs = {scheme: tour.scheme_config(config, scheme) for scheme in picked}
    too_big = [s for s, c in configs.items() if estimate_memory(c) > memory_budget() or
               estimate_work(c) > WORK_LIMIT]
    return {s: c for s, c in configs.items() if s not in too_big}, too_big


def open_tab(lang: str) -> str:
    """The code of the open tab (its state is its label in the page's language)."""
    label = st.session_state.get("tab")
    return next((code for code in tab_codes() if t(lang, f"tab_{code}") == label), tab_codes()[0])


NOTE_DELAY = 0.4  # seconds a computation runs before its note shows: a quick one never flashes it
# The note sticks below the top bar however far the page is scrolled, and fades in after NOTE_DELAY.
COMPUTING_CSS = ("[class*='st-key-computing_']{position:sticky;top:3.75rem;z-index:999;"
                 f"animation:computing-note 0s {NOTE_DELAY}s both}}"
                 "@keyframes computing-note{from{opacity:0}to{opacity:1}}")


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


@contextlib.contextmanager
def computing(note: Note, lang: str):
    """Say in `note` that the page is being computed, for as long as the block runs; the block gets say(n), which
    says instead that the computation waits for n other computations on this server (0: computing again).

    The note fades in only after NOTE_DELAY seconds (COMPUTING_CSS): a quick run never flashes it. It sticks to the
    top of the window, so it is seen however far the page is scrolled. It is cleared when the block ends
    normally; after an exception it stays, above the traceback.
    """
    def say(ahead: int) -> None:
        note.say(summary.computing_note(lang, ahead))
    say(0)
    yield say
    note.clear()


def draw(kind: str, frame, *, width: str = "stretch", **options: Any) -> None:
    """Draw one of views.charts' charts with `frame` as its data."""
    spec = chart_template(kind, json.dumps(options, sort_keys=True), charts.layout(kind, frame, **options), frame)
    st.vega_lite_chart(charts.with_data(spec, frame), width=width)


def draw_chart(chart, **options: Any) -> None:
    """Draw a built Altair chart (several datasets allowed); options as st.vega_lite_chart's (width).

    Not through st.altair_chart: that switches Altair's process-wide data transformer and theme while it
    serializes, and every session runs in a thread of this process (see views.charts.vega_lite).
    """
    st.vega_lite_chart(charts.vega_lite(chart), **options)


# ---------- URL ----------

def tab_codes() -> list[str]:
    return [code for code, _ in TABS]


def check_link() -> None:
    """On a session's first run, before any widget: check the link and make the address hold the whole view.

    Streamlit seeds bound widgets from the URL the page was opened with, so a link that is not already
    complete and clean (a bad value, a step whose controls it leaves out, a value that does not matter, a
    parameter the page does not know) is rewritten and the script started again at once; that first run
    stops before any widget or computation. A link copied from the address bar is complete, and costs one run.
    """
    if "_link_checked" in st.session_state:
        return
    query = {name: st.query_params.get_all(name) for name in st.query_params}
    query = {name: values[0] if len(values) == 1 else values for name, values in query.items()}
    state, problems = urlstate.normalize(query, tab_codes())
    st.session_state["_link_checked"] = True
    st.session_state["_link_problems"] = problems
    st.session_state["tab"] = t(state["lang"], f"tab_{state['tab']}")  # the tabs are not bound: labels change
    if problems or not urlstate.is_canonical(query, state, tab_codes()):
        st.query_params.from_dict(urlstate.to_query(state, tab_codes()))  # unknown parameters left out (a notice)
        st.rerun()


def sync_tab(code: str) -> None:
    """Write the open tab into the URL (Streamlit binds tabs by their label, which changes with the language)."""
    wanted = None if code == tab_codes()[0] else code
    if st.query_params.get("tab") != wanted:
        if wanted is None:
            del st.query_params["tab"]
        else:
            st.query_params["tab"] = wanted


# ---------- callbacks ----------

def widget_state() -> dict[str, Any]:
    return {name: st.session_state[name] for name in urlstate.PARAMS if name in st.session_state}


def apply_step() -> None:
    """A tour step sets every control (the seed stays: a new draw keeps the lesson)."""
    st.session_state.pop("_link_problems", None)
    code = st.session_state["step"]
    if code == tour.CUSTOM:
        return
    seed = int(st.session_state.get("seed", 0))
    for name, value in urlstate.state_of(tour.step_config(code, seed)).items():
        st.session_state[name] = value


def go_to_step(code: str) -> None:
    st.session_state["step"] = code
    apply_step()


def leave_step() -> None:
    """A control changed: the page is Custom unless the controls still show the step."""
    st.session_state.pop("_link_problems", None)
    state = widget_state()
    if state.get("step", tour.FIRST) != tour.CUSTOM and not urlstate.same_step(state):
        st.session_state["step"] = tour.CUSTOM


def next_seed() -> None:
    st.session_state.pop("_link_problems", None)
    st.session_state["seed"] = (int(st.session_state.get("seed", 0)) + 1) % (SEED_MAX + 1)


def switch_language() -> None:
    """Keep the open tab: its state is its label, which the new language renames."""
    lang = st.session_state["lang"]
    label = st.session_state.get("tab")
    for table in TEXT.values():
        for code in tab_codes():
            if table.get(f"tab_{code}") == label:
                st.session_state["tab"] = t(lang, f"tab_{code}")
                return


# ---------- sidebar ----------

def language_section() -> str:
    # Labelled in both languages: on a link's first run the bound value is only known once this widget exists.
    return st.radio(
        f"{t('en', 'language')} · {t('zh', 'language')}", urlstate.LANGUAGES, key="lang", bind=URL,
        horizontal=True, captions=[t("en", "lang_en"), t("zh", "lang_zh")], on_change=switch_language,
        help=f"{t('en', 'language_help')} {t('zh', 'language_help')}",
    )


def tour_section(lang: str) -> str:
    return st.radio(
        t(lang, "tour"), tour.STEP_CODES, key="step", bind=URL, on_change=apply_step,
        captions=[t(lang, f"step_{code}") for code in tour.STEP_CODES], help=t(lang, "tour_help"),
    )


def count_slider(lang: str, name: str) -> int:
    """A slider over one of Config's whole-number ranges (depth, width, batch), bound to its URL parameter."""
    return st.slider(t(lang, name), *INT_RANGES[name], urlstate.defaults()[name], key=name, bind=URL,
                     on_change=leave_step, help=t(lang, f"{name}_help"))


def network_section(lang: str) -> dict[str, Any]:
    st.subheader(t(lang, "network"))
    d = urlstate.defaults()
    values = {
        "depth": count_slider(lang, "depth"),
        "width": count_slider(lang, "width"),
        # the options show as the URL's names: a bound selectbox writes its format_func's label into the link
        "activation": st.selectbox(t(lang, "activation"), ACTIVATIONS, key="activation", bind=URL,
                                   on_change=leave_step, help=t(lang, "activation_help")),
    }
    if urlstate.relevant("slope", values):
        values["slope"] = st.number_input(t(lang, "slope"), *FLOAT_RANGES["slope"], d["slope"], step=0.01,
                                          format="%g", key="slope", bind=URL, on_change=leave_step,
                                          help=t(lang, "slope_help"))
    values["bn"] = st.toggle(t(lang, "bn"), d["bn"], key="bn", bind=URL, on_change=leave_step,
                             help=t(lang, "bn_help"))
    return values


def init_section(lang: str, network: dict[str, Any]) -> dict[str, Any]:
    st.subheader(t(lang, "initialization"))
    d = urlstate.defaults()
    values = {"init": st.selectbox(t(lang, "init"), INITS, index=INITS.index(d["init"]), key="init", bind=URL,
                                   on_change=leave_step, help=t(lang, "init_help"))}
    state = {**network, **values}
    for name, step in (("std", 0.01), ("bound", 0.01), ("value", 0.01)):
        if urlstate.relevant(name, state):
            values[name] = st.number_input(t(lang, name), *FLOAT_RANGES[name], d[name], step=step, format="%g",
                                           key=name, bind=URL, on_change=leave_step, help=t(lang, f"{name}_help"))
    if urlstate.relevant("gain", state):
        values["gain"] = st.selectbox(t(lang, "gain"), urlstate.GAIN_WORDS, key="gain", bind=URL,
                                      accept_new_options=True, placeholder=t(lang, "gain_placeholder"),
                                      on_change=leave_step, help=t(lang, "gain_help"))
    if urlstate.relevant("mode", state):
        values["mode"] = st.radio(t(lang, "mode"), MODES, key="mode", bind=URL, horizontal=True,
                                  on_change=leave_step, help=t(lang, "mode_help"))
    values["bias"] = st.number_input(t(lang, "bias"), *FLOAT_RANGES["bias"], d["bias"], step=0.1, format="%g",
                                     key="bias", bind=URL, on_change=leave_step, help=t(lang, "bias_help"))
    values["bias_std"] = st.number_input(t(lang, "bias_std"), *FLOAT_RANGES["bias_std"], d["bias_std"], step=0.1,
                                         format="%g", key="bias_std", bind=URL, on_change=leave_step,
                                         help=t(lang, "bias_std_help"))
    return values


def init_notes(lang: str, config: Config, gain_note: str | None, gain_text: str) -> None:
    """Under the init controls: the scheme's formula, the resulting std(w) and n·Var(w), and any gain problem."""
    std = weight_std(config, config.width, config.width)
    st.caption(t(lang, schemes.get(config.init).formula_key))
    if weight_variance(config, config.width, config.width) is not None:  # not for a non-zero constant
        st.caption(t(lang, "weight_std_line", std=summary.format_value(std),
                     nvar=summary.format_value(config.width * std**2)))
    if config.init in DEFAULT_GAIN:
        st.caption(t(lang, "gain_line", gain=summary.format_value(gain_of(config), 4)))
    if gain_note == "none":
        st.warning(t(lang, "gain_none", activation=t(lang, f"act_{config.activation}")))
    elif gain_note == "selu":
        st.info(t(lang, "gain_selu", gain=written(gain_of(config)), linear=written(recommended_gain("linear"))))
    elif gain_note == "unknown":
        low, high = FLOAT_RANGES["gain"]
        st.warning(t(lang, "gain_unknown", raw=user_text(lang, gain_text), low=written(low), high=written(high)))


def data_section(lang: str) -> dict[str, Any]:
    st.subheader(t(lang, "data"))
    d = urlstate.defaults()
    values = {
        "batch": count_slider(lang, "batch"),
        "input": st.radio(t(lang, "input"), INPUTS, key="input", bind=URL, horizontal=True, on_change=leave_step,
                          help=t(lang, "input_help")),
    }
    seed_box, button_box = st.columns([3, 2], vertical_alignment="bottom")
    values["seed"] = seed_box.number_input(t(lang, "seed"), *INT_RANGES["seed"], d["seed"], step=1, key="seed",
                                           bind=URL, on_change=leave_step, help=t(lang, "seed_help"))
    button_box.button(t(lang, "new_seed"), on_click=next_seed, help=t(lang, "new_seed_help"), width="stretch")
    values["dtype"] = st.radio(t(lang, "dtype"), DTYPES, key="dtype", bind=URL, horizontal=True,
                               on_change=leave_step, help=t(lang, "dtype_help"))
    return values


def sidebar() -> tuple[str, str, Config]:
    """Draw the sidebar; return the language, the tour step and the Config the controls describe."""
    with st.sidebar:
        title = st.empty()
        boxes = [st.container() for _ in range(5)]  # drawing order differs from reading order: language first
        with boxes[4]:
            lang = language_section()
        title.markdown(f"### {t(lang, 'app_title')}")
        with boxes[0]:
            step = tour_section(lang)
        with boxes[1]:
            network = network_section(lang)
        with boxes[2]:
            init = init_section(lang, network)
            state = {**network, **init}
        with boxes[3]:
            data = data_section(lang)
        config, gain_note = urlstate.config_of({**state, **data})
        with boxes[2]:
            init_notes(lang, config, gain_note, str(state.get("gain", "")))
    return lang, step, config


# ---------- main area ----------

def header(lang: str, step: str, config: Config) -> Any:
    """The title, the network in one line and the step's story; returns the story's place, filled once computed."""
    if step == tour.CUSTOM:
        st.title(t(lang, "custom_heading"))
    else:
        st.title(t(lang, "step_heading", n=step, title=t(lang, f"step_{step}")))
    st.caption(t(lang, "network_line", depth=config.depth, width=config.width, activation=config.activation,
                 bn=t(lang, "bn_suffix") if config.batch_norm else "", init=config.init, batch=config.batch,
                 seed=config.seed))
    story = st.empty()  # a step's story quotes its simulated numbers: filled in once the network is computed
    if step == tour.CUSTOM:
        story.markdown(t(lang, "story_custom"))
    codes = list(tour.STEPS)
    here = codes.index(step) if step in codes else -1
    with st.container(horizontal=True):
        st.button(t(lang, "previous"), on_click=go_to_step, args=(codes[max(here - 1, 0)],), disabled=here <= 0,
                  help=t(lang, "previous_help"))
        st.button(t(lang, "next"), on_click=go_to_step, args=(codes[min(here + 1, len(codes) - 1)],),
                  disabled=here == len(codes) - 1, help=t(lang, "next_help"))
    return story


def link_problems(lang: str) -> None:
    """What the page made of the link: one warning each, in urlstate.messages' words (link text escaped there)."""
    for message in urlstate.messages(st.session_state.get("_link_problems", []), lang, tab_codes()):
        st.warning(message)


VERDICT_COLOURS = {"healthy": "green", "vanishing": "blue", "exploding": "red", "overflowed": "red",
                   "saturated": "orange", "symmetric": "violet", "dead": "gray"}


def metrics(page: Page) -> None:
    """The headline row: last-layer and first-layer numbers, a saturation or dead share, and the verdict.

    A number that is missing says why: beyond a break (the layer and pass), or not defined for the activation.
    """
    h = summary.headline(page.result)
    c = page.config
    missing = summary.missing_reason(page.result, page.lang)
    cols = st.columns(4)
    act_delta = page.t("metric_act_delta", ratio=summary.format_value(h.act_ratio, 2),
                       input=summary.format_value(h.act_input)) if math.isfinite(h.act_ratio) else \
        missing if not math.isfinite(h.act_last) else None
    grad_delta = page.t("metric_grad_delta", ratio=summary.format_value(h.grad_ratio, 2), depth=c.depth,
                        last=summary.format_value(h.grad_last)) if math.isfinite(h.grad_ratio) else \
        missing if not math.isfinite(h.grad_first) else None
    cols[0].metric(page.t("metric_act"), summary.format_value(h.act_last), act_delta, delta_color="off",
                   delta_arrow="off")
    cols[1].metric(page.t("metric_grad"), summary.format_value(h.grad_first), grad_delta, delta_color="off",
                   delta_arrow="off")
    share = summary.share_metric(c.activation)
    if share is None:
        cols[2].metric(page.t("metric_sat_dead"), page.t("metric_missing"),
                       page.t("metric_sat_dead_none", activation=page.t(f"act_{c.activation}")), delta_color="off",
                       delta_arrow="off")
    else:
        value = getattr(h, share)
        cols[2].metric(page.t(f"metric_{share}"), summary.format_share(value),
                       None if math.isfinite(value) else missing, delta_color="off", delta_arrow="off")
    found = summary.diagnose(page.result)
    with cols[3]:
        st.metric(page.t("metric_verdict"), f":{VERDICT_COLOURS[found.name]}[{page.t(f'verdict_{found.name}')}]")
        st.caption(summary.explain(page.result, page.lang, found))
        note = summary.update_note(page.result, page.lang)
        if note:
            st.caption(note)


def breaks(page: Page) -> None:
    for b in page.result.breaks:
        st.warning(page.t(f"break_{b.kind}", dtype=page.config.dtype, layer=b.layer, stage=page.t(f"stage_{b.stage}")))


def names(page: Page) -> dict[str, str]:
    return {"measured": page.t("measured"), "theory": page.t("theory")}


def show_activations(page: Page) -> None:
    colour = charts.SCHEME_COLOURS[tour.scheme_of(page.config)]
    f = page.frames()
    layers = f["layers"]
    # linear by default, like the lecture's plots (and all-zero activations draw); log shows the factor a layer
    log = st.toggle(page.t("log_y"), False, key="log", bind=URL, help=page.t("log_y_help"))
    left, right = st.columns(2)
    with left:
        draw("mean", layers, colour=colour, title=page.t("chart_act_mean"), y_title=page.t("mean_axis"),
             layer_title=page.t("layer"))
    with right:
        draw("line", f["act_std"], colour=colour,
             title=page.t("chart_act_std"), y_title=page.t("std_axis"), log=log, names=names(page),
             layer_title=page.t("layer"), series_title=page.t("series"))
    if log:
        for caption in summary.log_gaps(page.lang, {page.t("measured"): page.result.act_std,
                                                    page.t("theory"): page.result.predicted_act_std}):
            st.caption(caption)
    if weight_variance(page.config, page.config.width, page.config.width) is None:  # not zero-mean: no theory
        st.caption(page.t("no_theory_constant"))
    hist = f["histogram"]
    panels, k = charts.panel_layers(page.config.depth)
    draw("histogram", hist, width="content", colour=colour, title=page.t("chart_hist"), share_title=page.t("share"),
         columns=min(5, len(panels)), layer_title=page.t("layer"), bin_titles=[page.t("bin_start"), page.t("bin_end")])
    st.caption(page.t("hist_caption", every=page.t("hist_every", k=k) if k > 1 else ""))


def show_gradients(page: Page) -> None:
    colour = charts.SCHEME_COLOURS[tour.scheme_of(page.config)]
    f = page.frames()
    layers, grad = f["layers"], f["grad_std"]
    left, right = st.columns(2)
    with left:
        # core.network records ∂L/∂z, the gradient of the sum before batch norm, which is ∂L/∂s without it
        title = page.t("chart_grad_std_bn" if page.config.batch_norm else "chart_grad_std")
        draw("line", grad, colour=colour, title=title, y_title=page.t("std_axis"), log=True,
             names=names(page), layer_title=page.t("layer"), series_title=page.t("series"))
    with right:
        draw("ratio", layers, colour=colour, title=page.t("chart_ratio"), y_title=page.t("ratio_axis"),
             layer_title=page.t("layer"), guide_name=page.t("guide"), guide=summary.UPDATE_GUIDE)
    result = page.result
    gaps = summary.log_gaps(page.lang, {page.t("measured"): result.grad_std,
                                        page.t("theory"): result.predicted_grad_std}, first_layer=1)
    gaps += summary.ratio_gaps(result, page.lang, page.t("ratio_axis"))
    for caption in gaps:
        st.caption(caption)
    st.caption(page.t("grad_caption"))  # what the ratio asks of the learning rate is under the verdict
    if page.config.batch_norm:
        st.caption(page.t("theory_bn"))
    elif weight_variance(page.config, page.config.width, page.config.width) is None:
        st.caption(page.t("no_theory_constant"))


def show_derivation(page: Page) -> None:
    st.markdown(page.t("der_intro"))
    for block in derivation.blocks(page.result, page.lang):
        st.markdown(f"#### {block.title}")
        st.latex(block.formula)
        if block.numbers:
            st.latex(block.numbers)
        for note in block.notes:
            st.markdown(note)


def show_compare(page: Page) -> None:
    picked = st.multiselect(page.t("compare_pick"), list(tour.SCHEMES), default=list(tour.LECTURE_FIVE),
                            key="compare", bind=URL, help=page.t("compare_help"))
    if not picked:
        st.info(page.t("compare_empty"))
        return
    configs, too_big = compare_configs(page.config, picked)
    for scheme in too_big:
        st.warning(f"{scheme}: " + summary.refusal(tour.scheme_config(page.config, scheme), page.lang,
                                                   memory_budget(), WORK_LIMIT))
    if not configs:
        return
    try:
        with st.spinner(page.t("simulating_compare", n=len(configs))):  # computed already, unless the picks changed
            results = dict(zip(configs, cache.simulate_many(configs.values(), memory_budget(), session_gone())))
    except Cancelled:  # the session has gone, or its run was stopped
        return
    st.caption(page.t("compare_caption", depth=page.config.depth, width=page.config.width,
                      activation=page.config.activation))
    draw("compare", charts.compare_frame(results), title=page.t("chart_compare"), y_title=page.t("std_axis"),
         layer_title=page.t("layer"), scheme_title=page.t("scheme"))
    zero = sorted({s for s, r in results.items() if (r.stats["act_std"][1:] == 0).any()})
    if zero:
        st.caption(page.t("zero_not_drawn", names=", ".join(zero)))


def show_data(page: Page) -> None:
    frame = charts.data_frame(page.frames()["layers"])
    st.caption(page.t("data_caption"))
    numbers = {c: st.column_config.NumberColumn(c, format="%.4g") for c in frame.columns
               if c not in ("layer", "distinct_units", "exploded", "vanished")}
    st.dataframe(frame, hide_index=True, column_config=numbers)
    st.download_button(page.t("download_csv"), frame.to_csv(index=False).encode(), file_name="init_explorer.csv",
                       mime="text/csv")
    st.markdown(f"**{page.t('config_json')}**")
    st.code(json.dumps(page.config.to_dict(), indent=1), language="json")


# ---------- training ----------

REDRAW_EVERY = 0.3  # seconds between redraws of a training's progress and curves while it runs


def page_alive() -> Callable[[], bool]:
    """Whether this session's page is still connected, askable from any thread (always True without a server)."""
    session = get_script_run_ctx().session_id
    if not runtime.exists():  # AppTest
        return lambda: True
    server = runtime.get_instance()
    return lambda: server.is_active_session(session)


def start_race(config: Config, schemes: tuple[str, ...], steps: int) -> None:
    """Run pressed: a new race in the background (a race of this session still running is stopped)."""
    def work(progress, live):  # kept for every session: a class pressing Run at one step trains it once
        return cache.race_cached(config, schemes, steps, progress=progress, live=live)
    start("_race", (config, schemes, steps), work)


def start_he_2015() -> None:
    """The He et al. 2015 preset's four runs (two schemes at two depths) side by side, kept for every session."""
    start("_he_race", "he_2015", lambda progress, live: cache.he_2015_cached(progress=progress))


def start(name: str, key, work) -> None:
    old = st.session_state.get(name)
    if old is not None:
        old.stop()
    st.session_state[name] = live.Training(key, work, alive=page_alive())


def watch(name: str, panel: Callable[[], None]) -> None:
    """Draw panel() as a fragment that redraws itself every REDRAW_EVERY seconds while the session's training
    `name` runs, and once it has ended hands over to a full run (which stops the redraws)."""
    job = st.session_state.get(name)
    running = job is not None and job.running
    st.session_state[f"{name}_watched"] = running

    def fragment() -> None:
        panel()
        if st.session_state.get(f"{name}_watched") and not job.running:
            st.session_state[f"{name}_watched"] = False
            st.rerun()  # the whole tab: the Run button and what follows the results

    st.fragment(run_every=REDRAW_EVERY if running else None)(fragment)()


def progress_line(job: live.Training, words: dict) -> None:
    """The bar of a running training, its steps and seconds so far, and its Stop button."""
    bar, button = st.columns([5, 1], vertical_alignment="bottom")
    text = words["running"].format(done=job.done, total=job.total, seconds=job.seconds) if job.total else \
        words["starting"]
    bar.progress(job.fraction, text=text)
    button.button(words["stop"], on_click=job.stop, key=f"stop_{id(job)}", width="stretch")


def show_failure(failure: BaseException, lang: str) -> None:
    """A run that failed: in words when its worker process died, else as an exception (its type only)."""
    text = training_view.failure_text(failure, lang)
    if text is None:
        st.exception(failure)
    else:
        st.error(text)


def show_training(page: Page) -> None:
    words, config = training_view.TEXT[page.lang], page.config
    st.subheader(words["title"])
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    schemes = left.multiselect(words["schemes"], list(TRAIN_SCHEMES), default=list(lecture_schemes(config.activation)),
                               key="train", bind=URL, help=words["schemes_help"])
    steps = int(right.number_input(words["steps"], *urlstate.STEPS_RANGE, DEFAULT_STEPS, step=50, key="steps",
                                   bind=URL, help=words["steps_help"]))
    st.markdown(words["intro"].format(**training_view.setup(config, steps)))
    st.caption(words["head"])
    refusal = training_refusal(config, schemes, steps, words, page.lang)
    if refusal:
        st.error(refusal)
    elif (work := training_view.race_work(config, len(schemes), steps)) > training_view.WORK_WARN:
        st.warning(words["slow"].format(work=training_view.power_of_ten(work), **training_view.durations(
            training_view.race_seconds(work), page.lang)))
    key = (config, tuple(schemes), steps)
    job = st.session_state.get("_race")
    training = job is not None and job.running and job.key == key  # a second press would only start it over
    st.button(words["run"], type="primary", disabled=not schemes or bool(refusal) or training, key="run_race",
              on_click=start_race, args=key)
    watch("_race", lambda: race_panel(key, schemes, refusal, words, page.lang))
    st.divider()
    show_he_2015(words, page.lang)


def race_panel(key: tuple, schemes: list[str], refusal: str | None, words: dict, lang: str) -> None:
    """The race of the sidebar's settings: growing curves while it trains, then every result; or why none."""
    job = st.session_state.get("_race")
    mine = job if job is not None and job.key == key else None
    if mine is not None and mine.result is not None:
        st.session_state["_training"] = key, mine.result  # kept until another race finishes
    if mine is not None and mine.running:
        progress_line(mine, words)
        draw_live(mine, lang)
    elif mine is not None and mine.stopped:
        st.warning(words["stopped"].format(seconds=mine.seconds, done=mine.done, total=mine.total))
        draw_live(mine, lang)
    elif mine is not None and mine.message is not None:
        st.error(words["too_big"].format(message=mine.message))
    elif mine is not None and mine.failure is not None:
        show_failure(mine.failure, lang)
    else:
        if job is not None and job.running:  # started for other settings, still using the server
            st.info(words["other_running"])
            progress_line(job, words)
        shown = st.session_state.get("_training")
        if shown is not None and shown[0] == key:
            draw_race(shown[1], words, lang)
        elif schemes and not refusal:
            st.info(words["press_run"])


def draw_live(job: live.Training, lang: str) -> None:
    """Loss and accuracy of each run as far as it has got: the charts are built once, then only get new data."""
    config, schemes, steps = job.key
    curves = {name: (loss.copy(), accuracy.copy()) for name, (loss, accuracy) in list(job.live.items())}
    frame = training_view.runs_frame(curves)
    for kind, axis in (("loss", training_view.loss_axis(frame, DEFAULT_CLASSES)), ("accuracy", ())):
        spec = live_template(kind, lang, steps, schemes, axis, frame)
        st.vega_lite_chart(charts.with_data(spec, frame), width="stretch")


def live_template(kind: str, lang: str, steps: int, schemes: tuple[str, ...], axis: tuple, frame) -> dict:
    """A growing race's loss or accuracy chart, per labels, schemes and loss axis, without its data."""
    build = training_view.loss_chart if kind == "loss" else training_view.accuracy_chart
    return TEMPLATES.get(("live", kind, lang, steps, schemes, axis), lambda: training_view.template(
        build(frame, training_view.TEXT[lang], DEFAULT_CLASSES, steps=steps, names=list(schemes))))


def training_refusal(config: Config, schemes: list[str], steps: int, words: dict, lang: str) -> str | None:
    """Why this race is not run, or None: over the memory budget, or more work than a page should wait for."""
    need = max((estimate_training_memory(train_config(config, s)) for s in schemes), default=0)
    if need > memory_budget():
        return words["too_big_memory"].format(need=need / 2**20, budget=memory_budget() / 2**20)
    work = training_view.race_work(config, len(schemes), steps)
    if work > training_view.WORK_LIMIT:
        return words["too_slow"].format(work=training_view.power_of_ten(work),
                                        limit=training_view.power_of_ten(training_view.WORK_LIMIT),
                                        **training_view.durations(training_view.race_seconds(
                                            training_view.WORK_LIMIT), lang),
                                        width=training_view.widest(config, len(schemes), steps,
                                                                   training_view.WORK_LIMIT))
    return None


def draw_race(results: dict, words: dict, lang: str) -> None:
    """Loss and accuracy of every run, the final table, one run's layers over training, and the symmetry."""
    for message in training_view.messages(results, lang):
        st.warning(message)  # a diverged curve stops; the others are drawn in full
    curves, k = training_view.curves_frame(results), training_view.classes_of(results)
    draw_chart(training_view.loss_chart(curves, words, k), width="stretch")
    draw_chart(training_view.accuracy_chart(curves, words, k, ceiling=one_unit_ceiling(k)), width="stretch")
    st.dataframe(training_view.final_frame(results, words), hide_index=True)
    st.caption(words["table_caption"])
    left, right = st.columns(2)
    name = left.selectbox(words["heatmap_scheme"], list(results), index=len(results) - 1)
    statistics = ("act_std", "grad_std", "update_ratio")
    statistic = right.selectbox(words["heatmap_statistic"], statistics, format_func=lambda s: words[f"stat_{s}"])
    frame = training_view.heatmap_frame(results[name], statistic)
    draw_chart(training_view.heatmap_chart(frame, words, statistic), width="stretch")
    st.caption(words["heatmap_caption"])
    draw_chart(training_view.symmetry_chart(training_view.symmetry_frame(results), words, panel_width=240))
    st.caption(words["symmetry_caption"].format(ceiling=one_unit_ceiling(k)))


def show_he_2015(words: dict, lang: str) -> None:
    """The He et al. 2015 preset: its own networks and Run button, the paper's result beside this app's."""
    st.subheader(words["he_title"])
    st.caption(words["he_setup"].format(width=HE_2015_WIDTH, batch=MAX_BATCH, lr=HE_2015_LR, steps=HE_2015_STEPS,
                                        **training_view.durations(training_view.MEASURED_S["he"], lang)))
    job = st.session_state.get("_he_race")
    st.button(words["he_run"], key="run_he_2015", on_click=start_he_2015, disabled=job is not None and job.running)
    st.markdown(words["he_paper"])
    watch("_he_race", lambda: he_panel(words, lang))


def he_panel(words: dict, lang: str) -> None:
    job = st.session_state.get("_he_race")
    if job is None:
        return
    if job.running:
        progress_line(job, words)
        return
    if job.stopped:
        st.warning(words["stopped"].format(seconds=job.seconds, done=job.done, total=job.total))
        return
    if job.message is not None:
        st.error(words["too_big"].format(message=job.message))
        return
    if job.failure is not None:
        show_failure(job.failure, lang)
        return
    results = job.result
    for (depth, runs), column in zip(results.items(), st.columns(len(results))):
        with column:
            curves = training_view.curves_frame(runs)
            title = {**words, "loss_title": f"{words['he_depth']} {depth}"}
            draw_chart(training_view.loss_chart(curves, title, training_view.classes_of(runs)), width="stretch")
            st.markdown(training_view.he_measured(runs, words, depth))
    st.caption(words["he_note"])


# ---------- theory ----------

def theory_map(activation: str, slope: float, bias: float) -> tuple:
    """The order-to-chaos map's cells and its edge of chaos, per activation (and leaky slope, mean bias)."""
    def make() -> tuple:
        grid = theory.phase_map(activation, slope=slope, bias_mean=bias)
        return theory_view.map_frame(grid), theory_view.critical_frame(grid)
    return FRAMES.get(("theory_map", activation, slope, bias), make)


def paradox_numbers() -> dict:
    """core.theory.large_init_paradox of the Theory tab's network (a few numbers), computed once per server."""
    return cache.RESULTS.get(("paradox", theory_view.PARADOX_CONFIG),
                             lambda: theory.large_init_paradox(theory_view.PARADOX_CONFIG))


def show_theory(page: Page) -> None:
    words, config, result = theory_view.TEXT[page.lang], page.config, page.result
    numbers = theory.theory_summary(config)
    xi = st.toggle(words["colour_xi"], False, key="xi", bind=URL, help=words["colour_xi_help"])
    colour_by = "depth_scale" if xi else "log_chi1"
    cells, critical = theory_map(config.activation, config.slope, config.bias)
    marks = theory_view.marks_frame(config.width, numbers["sigma_w2"], numbers["sigma_b2"], page.lang)
    left, right = st.columns([3, 2])
    with left:  # several datasets: drawn as built, not through the single-frame template of draw()
        draw_chart(theory_view.map_chart(cells, critical, marks, colour_by=colour_by, lang=page.lang,
                                         title=words["map_title"].format(activation=config.activation)),
                   width="stretch")
        if critical.empty:
            st.caption(words["no_critical"].format(activation=config.activation))
        if colour_by == "depth_scale" and cells["diverges"].any():
            st.caption(words["diverging"])
    with right:
        grad = theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, numbers["chi1"], page.lang)
        draw_chart(theory_view.gradient_chart(grad, lang=page.lang, batch_norm=config.batch_norm), width="stretch")
        for caption in summary.log_gaps(page.lang, {words["measured"]: result.grad_std,
                                                    words["theory"]: result.predicted_grad_std}, first_layer=1):
            st.caption(caption)
    st.markdown(theory_view.here_text(numbers, page.lang, config.batch_norm, config.depth))
    st.markdown(words["phases"])
    paradox = replace(config, seed=theory_view.PARADOX_CONFIG.seed) == theory_view.PARADOX_CONFIG  # any seed
    measured = theory_view.measured_growth(result.grad_std) if paradox else None
    st.markdown(theory_view.paradox_text(paradox_numbers(), page.lang, measured=measured))


# Tabs in order: (text key after "tab_", function drawing it). Adding a tab is two lines: its import and its entry.
TABS: list[tuple[str, Callable[[Page], None]]] = [
    ("activations", show_activations),
    ("gradients", show_gradients),
    ("derivation", show_derivation),
    ("compare", show_compare),
    ("data", show_data),
    ("training", show_training),
    ("theory", show_theory),
]


def main() -> None:
    check_link()
    st.set_page_config(page_title="Init Explorer", page_icon="📉", layout="wide")
    # Less empty space above the title and the sidebar: more of the page fits a projected screen.
    st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}"
            "[data-testid='stSidebarHeader']{height:1rem;min-height:1rem}" + COMPUTING_CSS + "</style>")
    try:
        ADMISSION.set_memory(server_budget())  # INIT_EXPLORER_MEMORY_MIB, read here only
    except BudgetSettingError as error:  # the server is set up wrongly: say how, in both languages, and stop
        for lang in urlstate.LANGUAGES:
            st.error(summary.budget_setting(lang, error.value))
        return
    note = Note()  # before the title: the old page stays, under a note, until the new one is ready
    compute_first(note)
    lang, step, config = sidebar()
    story = header(lang, step, config)
    link_problems(lang)
    refused = summary.refusal(config, lang, memory_budget(), WORK_LIMIT)  # over the memory or the work limit
    if refused:
        st.error(refused)
        return
    try:  # computed by compute_first, unless this is the session's first run
        result = compute(note, lang, [partial(cache.simulate_cached, config, memory_budget(), session_gone())])[0]
    except MemoryBudgetError:  # the estimate above and the engine's own check should agree; never a traceback
        need = estimate_memory(config)
        st.error(t(lang, "memory", need=need / 2**20, budget=memory_budget() / 2**20))
        return
    except Cancelled:  # the session has gone, or its run was stopped: there is no page to draw
        return
    page = Page(config, result, lang)
    if step != tour.CUSTOM:
        story.markdown(tour.story(step, result, lang))
    metrics(page)
    breaks(page)
    tabs = st.tabs([t(lang, f"tab_{code}") for code in tab_codes()], key="tab", on_change="rerun")
    for (code, show), tab in zip(TABS, tabs):
        if tab.open:  # only the open tab's work runs
            with tab:
                show(page)
            sync_tab(code)
    st.caption(f"**{t(lang, 'references')}** · {t(lang, 'references_body')}")


main()
