"""The Training tab: the sidebar's network trained under several schemes on Run, its curves growing on the page as
it trains (views.live), every result once it is done; and the He et al. 2015 preset with its own Run button."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import pandas as pd
import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import Config, cache
from core.train import (
    BN_RESCUE, DEFAULT_CLASSES, DEFAULT_LR, DEFAULT_STEPS, LR_RANGE, TASKS, he_2015_settings, lecture_schemes,
    one_unit_ceiling, task_classes, task_config,
)
from core.train import SCHEMES as TRAIN_SCHEMES

from .. import charts, link, live, present, tour, urlstate
from ..number_writing import format_share
from .. import training as training_view
from ..cache import TEMPLATES
from ..computing import fitted_chosen, offer_fitted
from ..draw import draw_chart, theme_type
from ..options import option_name
from ..page import Page, memory_budget
from ..text import t

REDRAW_EVERY = 0.3  # seconds between redraws of a training's progress and curves while it runs
FITTED = "use_fitted_race"  # the refusal's button, which trains a Custom network's race at the width that fits
LR_STEP = 0.001  # the learning rate box's − and + (a teacher types a rate such as 0.0005 in it)


class RaceKey(NamedTuple):
    """A race as the tab runs and keeps it: the network it trains (the task's, at the width that fits), its schemes,
    steps, task and learning rate."""

    config: Config
    schemes: tuple[str, ...]
    steps: int
    task: str
    lr: float


def page_alive() -> Callable[[], bool]:
    """Whether this session's page is still connected, askable from any thread (always True without a server)."""
    session = get_script_run_ctx().session_id
    if not runtime.exists():  # AppTest
        return lambda: True
    server = runtime.get_instance()
    return lambda: server.is_active_session(session)


def start_race(key: RaceKey, order: tuple[str, ...]) -> None:
    """Run pressed: a new race in the background (a race of this session still running is stopped), its runs started
    in `order` where they train one a core at a time (tour.race_order)."""
    def work(progress, live, training):  # kept for every session: a class pressing Run at one step trains it once
        return cache.race_cached(key.config, key.schemes, key.steps, progress=progress, live=live, task=key.task,
                                 order=order, training=training, lr=key.lr)
    start("_race", key, work)


def start_he_2015() -> None:
    """The He et al. 2015 preset's four runs (two schemes at two depths) side by side, kept for every session."""
    start("_he_race", "he_2015", lambda progress, live, training: cache.he_2015_cached(progress=progress))


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


def progress_line(job: live.Training, lang: str) -> None:
    """The bar of a running training, the runs training now, its steps and seconds so far, and its Stop button before
    it: a chart's toolbar (Streamlit's: its data, download, fullscreen), shown above the chart's right end while the
    pointer is on the chart, covered a button at the right end of the line above the loss chart. On a phone the
    button comes first."""
    button, bar = st.columns([1, 5], vertical_alignment="bottom")
    # copies: the race's lanes append and remove runs meanwhile
    training, started = job.training.copy(), dict(job.live)
    waiting = training_view.waiting_runs(started, training, tour.race_order(job.key.config, job.key.schemes)) \
        if isinstance(job.key, RaceKey) else ()  # in the order they will start
    text = training_view.running_text(training, job.done, job.total, job.seconds, lang, waiting) if job.total \
        else t(lang, "training_tab.starting")
    bar.progress(job.fraction, text=text)
    button.button(t(lang, "training_tab.stop"), on_click=job.stop, key=f"stop_{id(job)}", width="stretch")


def show_failure(failure: BaseException, lang: str) -> None:
    """A run that failed: in words when its worker process died, else as an exception (its type only)."""
    text = training_view.failure_text(failure, lang)
    if text is None:
        st.exception(failure)
    else:
        st.error(text)


def follow_default_race(config: Config) -> None:
    """Set the race to this network's default (core.train.lecture_schemes: with batch norm's run at step 7) while it
    is the default of the network it was last set for (link.check_link, then here): step 6 to 7 adds the run with
    batch norm and 7 to 6 takes it off, and a race of one's own choosing stays as it is."""
    default = list(lecture_schemes(config.batch_norm))
    if st.session_state.get("train") == st.session_state.get("_race_default") != default:
        st.session_state["train"] = default
    st.session_state["_race_default"] = default


def show(page: Page) -> None:
    lang, config = page.lang, page.config
    st.subheader(t(lang, "training_tab.title"))
    follow_default_race(config)
    # a network the race does not train has no task's network to fit (the digits' 64 pixels into a residual stream
    # of equal widths had raised): the note on the tab's scope, said instead of the race's setup ("here the network
    # is trained"), with the race's controls greyed out as Run is
    refusal = training_view.not_trained(config, lang)
    left, middle, right = st.columns([4, 1, 1], vertical_alignment="bottom")
    # names in the page's language, codes in the link: seeded from the link (link.check_link), kept while another
    # tab is open, written back as codes (a bound multiselect would write the names), as the Compare list
    schemes = left.multiselect(t(lang, "training_tab.schemes"), list(TRAIN_SCHEMES), key="train",
                               persist_state="session", disabled=bool(refusal),
                               format_func=lambda scheme: charts.scheme_name(scheme, lang),
                               help=t(lang, "training_tab.schemes_help", rescue=charts.scheme_name(BN_RESCUE, lang)))
    link.write("train", urlstate.query_value("train", {"train": schemes, "norm": config.norm}, ("activations",)))
    steps = int(middle.number_input(t(lang, "training_tab.steps"), *urlstate.STEPS_RANGE, DEFAULT_STEPS, step=50,
                                    key="steps", persist_state="session", disabled=bool(refusal),
                                    help=t(lang, "training_tab.steps_help")))
    link.write_setting("steps", steps)
    lr = float(right.number_input(t(lang, "training_tab.lr"), *LR_RANGE, DEFAULT_LR, step=LR_STEP, format="%g",
                                  key="lr", persist_state="session", disabled=bool(refusal),
                                  help=t(lang, "training_tab.lr_help", default=DEFAULT_LR)))
    link.write_setting("lr", lr)
    # the task: the spiral, or the digits (whose network has the 64 pixels as its input: core.train.task_config)
    task = st.radio(t(lang, "training_tab.task"), TASKS, key="task", horizontal=True, persist_state="session",
                    disabled=bool(refusal), format_func=partial(option_name, lang, "task"),
                    help=t(lang, "training_tab.task_help"))
    link.write_setting("task", task)
    own, race = config, (config, tuple(schemes), steps, task)
    # a tour step's network over the work limit trains at the width that fits, said so; a Custom one is refused,
    # with that width one click away, which trains its race so too: the page's network stays what it is
    fitted = None if refusal else training_view.fitting(config, schemes, steps, memory_budget(), task)
    note = None
    if fitted is not None and (tour.step_of(config) != tour.CUSTOM or fitted_chosen(FITTED, race)):
        note, config = training_view.fitted_note(config, fitted, schemes, steps, lang, task), fitted
    config = config if refusal else task_config(config, task)
    conv = config.arch == "conv"  # images, channels and a pooled read-out (core.train)
    intro = ("training_tab.intro_spiral_conv" if task == "spiral" else "training_tab.intro_digits_conv") if conv \
        else f"training_tab.intro_{task}"
    key = RaceKey(config, tuple(schemes), steps, task, lr)
    if refusal:
        st.info(refusal)
    else:
        st.markdown(t(lang, intro, runs=training_view.runs_text(config, schemes, lang),
                      **training_view.setup(config, steps, lr=lr, task=task)))
        st.caption(training_view.head_caption(conv, lang))
        for said in (note, training_view.deep_rate_note(config, lr, lang, schemes)):
            if said:
                st.info(said)
        if refusal := training_view.refusal(config, schemes, steps, lang, memory_budget()):
            st.error(refusal)
            if fitted is not None:  # the width that fits, one click away
                offer_fitted(training_view.fitted_label(own, fitted, lang), FITTED, race)
        elif training_view.race_work(config, len(schemes), steps) > training_view.WORK_WARN \
                and not raced(key):
            st.warning(training_view.slow_warning(config, len(schemes), steps, lang, own=None if note is None else own))
    job = st.session_state.get("_race")
    training = job is not None and job.running and job.key == key  # a second press would only start it over
    st.button(t(lang, "training_tab.run"), type="primary", disabled=not schemes or bool(refusal) or training,
              key="run_race", on_click=start_race, args=(key, tour.race_order(own, schemes)))
    watch("_race", lambda: race_panel(key, schemes, refusal, lang))
    st.divider()
    show_he_2015(lang)


def race_panel(key: RaceKey, schemes: list[str], refusal: str | None, lang: str) -> None:
    """The race of the sidebar's settings: growing curves while it trains, then every result; or why none."""
    job = st.session_state.get("_race")
    mine = job if job is not None and job.key == key else None
    if mine is not None and mine.result is not None:
        st.session_state["_training"] = key, mine.result  # kept until another race finishes
    if mine is not None and mine.running:
        progress_line(mine, lang)
        draw_live(mine, lang)
    elif mine is not None and mine.stopped:
        st.warning(training_view.stopped_text(mine.live, schemes, mine.seconds, mine.done, mine.total, lang))
        draw_live(mine, lang)
    elif mine is not None and mine.message is not None:
        st.error(t(lang, "training_tab.too_big", message=mine.message))
    elif mine is not None and mine.failure is not None:
        show_failure(mine.failure, lang)
    else:
        if job is not None and job.running:  # started for other settings, still using the server
            st.info(t(lang, "training_tab.other_running"))
            progress_line(job, lang)
        shown = st.session_state.get("_training")
        if shown is not None and shown[0] == key:
            draw_race(shown[1], lang, own=tour.scheme_of(shown[0].config))
        elif schemes and not refusal:
            st.info(t(lang, "training_tab.press_run"))


def finished_races() -> list[tuple[RaceKey, dict]]:
    """This session's finished races, (key, {scheme: result}), the latest first: the race job's result, and the one
    the tab keeps as "_training" once it draws it. key: a RaceKey."""
    job = st.session_state.get("_race")
    races = [(job.key, job.result)] if job is not None and job.result is not None else []
    shown = st.session_state.get("_training")
    return races + ([shown] if shown is not None else [])


def raced(key: RaceKey) -> bool:
    """Whether this session holds the results of the race `key` (finished_races). Its estimate before the run is then
    no longer the news: the results are below, and Run again reads them from the server's cache
    (core.cache.race_cached) while it keeps them."""
    return any(done == key for done, _ in finished_races())


def finished_race(config: Config) -> dict | None:
    """This session's last finished race of the page's network (on either task) at the default learning rate,
    {scheme: result} (finished_races); None before one has finished. A race of a narrower network (a tour step over
    the work limit) or of another seed is not this network's, nor any race one of a network the race does not train
    (training_view.races: a finished digits race had raised at step 8, whose stream has no digits' network); a race at
    another rate is not the one the stories tell (step 5's Xavier at 0.0001 had read "ten halvings stall it")."""
    if not training_view.races(config):
        return None
    return next((results for key, results in finished_races()
                 if key.config == task_config(config, key.task) and key.lr == DEFAULT_LR), None)


def finished_he_race() -> dict | None:
    """The He et al. 2015 preset's results, {depth: {scheme: result}}, once this session has run it; else None."""
    job = st.session_state.get("_he_race")
    return None if job is None else job.result


def draw_live(job: live.Training, lang: str) -> None:
    """Loss and accuracy of each run as far as it has got: the charts are built once, then only get new data."""
    schemes, steps = job.key.schemes, job.key.steps
    classes = task_classes(job.key.task, DEFAULT_CLASSES)
    live = dict(job.live)  # in the race's order, however its runs started (tour.race_order)
    curves = {name: (live[name][0].copy(), live[name][1].copy()) for name in schemes if name in live}
    frame = training_view.runs_frame(curves, lang)
    phone = present.on_phone()
    for kind, axis in (("loss", training_view.loss_axis(frame, classes)), ("accuracy", ())):
        spec = live_template(kind, lang, steps, schemes, axis, frame, classes, phone)
        st.vega_lite_chart(charts.coloured(charts.with_data(spec, frame), theme_type()), width="stretch")


def live_template(kind: str, lang: str, steps: int, schemes: tuple[str, ...], axis: tuple, frame,
                  classes: int = DEFAULT_CLASSES, phone: bool = False) -> dict:
    """A growing race's loss or accuracy chart, per labels, schemes, loss axis, classes and screen (its title in
    lines on a phone), without its data."""
    build = training_view.loss_chart if kind == "loss" else training_view.accuracy_chart
    return TEMPLATES.get(("live", kind, lang, steps, schemes, axis, classes, phone), lambda: training_view.template(
        build(frame, lang, classes, steps=steps, schemes=list(schemes), phone=phone)))


def draw_race(results: dict, lang: str, own: str | None = None) -> None:
    """Loss and accuracy of every run, the final table, one run's layers over training (first the page's own scheme's,
    `own`, where the race has it: step 2's heatmap opens on N(0, 0.01²); else the last run's), and the symmetry."""
    for message in training_view.messages(results, lang):
        st.warning(message)  # each run the loss chart does not draw whole, in words
    curves, k = training_view.curves_frame(results, lang), training_view.classes_of(results)
    spiral, conv = next(iter(results.values())).task == "spiral", training_view.conv(results)
    phone = present.on_phone()  # the titles in lines on a phone, in one line elsewhere
    draw_chart(training_view.loss_chart(curves, lang, k, phone=phone), name="race-loss", width="stretch")
    for sentence in training_view.coinciding_text(results, lang):  # a curve hidden under another, said
        st.caption(sentence)
    draw_chart(training_view.accuracy_chart(curves, lang, k, ceiling=training_view.ceiling_of(results), phone=phone),
               name="race-accuracy", width="stretch")
    for sentence in training_view.same_accuracy_text(results, lang):
        st.caption(sentence)
    for sentence in training_view.relapse_text(results, lang):  # a run that learned and then lost it, under its curve
        st.warning(sentence)
    table = training_view.final_frame(results, lang)
    st.dataframe(table, hide_index=True, column_config={t(lang, "scheme"): st.column_config.TextColumn(
        width=training_view.name_width(table, lang))})
    st.caption(t(lang, "training_tab.table_caption" if spiral else "training_tab.table_caption_digits"))
    depth = training_view.depth_text(results, lang)  # the lecture's wrong scheme level with its right one, said why
    if depth:
        st.markdown(depth)
    rescue = training_view.rescue_text(results, lang)  # step 7's batch-norm run against the same bad init
    if rescue:
        st.markdown(rescue)
    held_out = training_view.held_out_text(results, lang)
    if held_out:
        st.markdown(held_out)
    for why in training_view.stalled_text(results, lang):  # each run at chance: why it stays there
        st.markdown(why)
    left, right = st.columns(2)
    order = list(results)
    name = left.selectbox(t(lang, "training_tab.heatmap_scheme"), order,
                          index=order.index(own) if own in order else len(order) - 1,
                          format_func=lambda scheme: charts.scheme_name(scheme, lang))
    statistics = ("act_std", "grad_std", "update_ratio")
    statistic = right.selectbox(t(lang, "training_tab.heatmap_statistic"), statistics,
                                format_func=lambda s: t(lang, f"training_tab.stat_{s}"))
    run = results[name]
    frame = training_view.heatmap_frame(run, statistic)
    draw_chart(training_view.heatmap_chart(frame, lang, statistic, run.config,
                                           training_view.race_span(results, statistic), phone),
               name=f"race-{statistic.replace('_', '-')}", width="stretch")
    st.caption(training_view.heatmap_caption(statistic, lang, run.config))
    columns, width, height = training_view.SYMMETRY_LAYOUTS[phone]  # a phone's: one panel a row
    draw_chart(training_view.symmetry_chart(training_view.symmetry_frame(results, lang), lang, panel_width=width,
                                            panel_height=height, columns=columns, channels=conv), name="race-symmetry")
    if training_view.starts_equal(results):  # a race without zeros or constant weights has no symmetry to explain
        bound = format_share(one_unit_ceiling(k)) if spiral else None  # what one unit per layer can reach
        st.caption(training_view.symmetry_caption(conv, spiral, bound, lang))
    for sentence in training_view.uncounted_text(results, lang) + training_view.split_copies_text(results, lang):
        st.caption(sentence)


def show_he_2015(lang: str) -> None:
    """The He et al. 2015 preset: its own networks and Run button, the paper's result beside this app's."""
    st.subheader(t(lang, "training_tab.he_title"))
    st.caption(t(lang, "training_tab.he_setup", **he_2015_settings(),  # the preset's steps as the engine reads them
                 **training_view.he_depths(), **training_view.durations(training_view.MEASURED_S["he"], lang)))
    job = st.session_state.get("_he_race")
    st.button(t(lang, "training_tab.he_run"), key="run_he_2015", on_click=start_he_2015,
              disabled=job is not None and job.running)
    st.markdown(t(lang, "training_tab.he_paper"))
    watch("_he_race", lambda: he_panel(lang))


def he_panel(lang: str) -> None:
    job = st.session_state.get("_he_race")
    if job is None:
        return
    if job.running:
        progress_line(job, lang)
        return
    if job.stopped:  # no curves drawn: the preset's runs report no live record
        st.warning(t(lang, "training_tab.he_stopped", seconds=job.seconds, done=job.done, total=job.total))
        return
    if job.message is not None:
        st.error(t(lang, "training_tab.too_big", message=job.message))
        return
    if job.failure is not None:
        show_failure(job.failure, lang)
        return
    results = job.result
    curves = {depth: training_view.curves_frame(runs, lang) for depth, runs in results.items()}
    classes = training_view.classes_of(next(iter(results.values())))
    # one loss axis for both depths: side by side, the same height must be the same loss
    axis = training_view.loss_axis(pd.concat(curves.values(), ignore_index=True), classes)
    for (depth, runs), column in zip(results.items(), st.columns(len(results))):
        with column:
            title = f"{t(lang, 'training_tab.he_depth')} {depth}"
            draw_chart(training_view.loss_chart(curves[depth], lang, classes, title=title, axis=axis),
                       name=f"he-2015-loss-depth-{depth}", width="stretch")
            st.markdown(training_view.he_measured(runs, lang, depth))
    st.caption(t(lang, "training_tab.he_note", **training_view.he_depths()))

