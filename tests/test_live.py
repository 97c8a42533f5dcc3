"""views/live.py: a training in the background ends as the same call in the foreground, stops when asked or when
its page has gone, and reports what went wrong."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from core import Config, MemoryBudgetError, threads
from core.train import race
from views import tour
from views import training as training_view
from views.live import Training
from views.text import t

NETWORK = Config(depth=3, width=16, activation="relu", init="he_normal")


def counting(steps: int):
    """Work that reports each of `steps` steps, then returns how many it reported."""
    def work(progress, live, training):
        for done in range(1, steps + 1):
            progress(done, steps)
        return steps
    return work


def test_a_race_in_the_background_ends_as_the_same_race_in_the_foreground():
    job = Training("key", lambda progress, live, training: race(NETWORK, ("zeros", "he_normal"), steps=25,
                                                                progress=progress, live=live))
    assert job.wait(120) and not job.running
    expected = race(NETWORK, ("zeros", "he_normal"), steps=25)
    assert list(job.result) == list(expected)
    for name, result in expected.items():
        for field in ("loss", "accuracy", "act_std", "grad_std", "update_ratio", "distinct_units"):
            np.testing.assert_array_equal(getattr(job.result[name], field), getattr(result, field))
        np.testing.assert_array_equal(job.live[name][0], result.loss)  # the curves drawn live are the result's
    assert job.fraction == 1.0 and (job.done, job.total) == (50, 50)
    assert not job.stopped and job.message is None and job.failure is None


def test_stop_ends_the_run_at_its_next_report():
    reported = threading.Event()
    go_on = threading.Event()

    def work(progress, live, training):
        progress(1, 10**6)
        reported.set()
        go_on.wait(30)  # the page presses Stop here
        for done in range(2, 10**6 + 1):
            progress(done, 10**6)
        return "finished"

    job = Training("key", work)
    assert reported.wait(30) and job.running
    job.stop()
    go_on.set()
    assert job.wait(30)
    assert job.stopped and job.result is None and job.done == 2  # the first report after Stop raised
    assert not job.thread.is_alive()


@pytest.mark.slow
def test_a_stopped_race_ends_every_run():
    job = Training("key", lambda progress, live, training: race(NETWORK, ("he_normal", "xavier_normal"),
                                                                steps=10_000, progress=progress, live=live))
    while job.running and job.done == 0:
        job.wait(0.05)
    job.stop()
    assert job.wait(60) and job.stopped
    for loss, _ in job.live.values():  # no run went on to the end
        assert np.isnan(loss[-1])


def test_a_run_whose_page_is_gone_stops():
    job = Training("key", counting(10**6), alive=lambda: False, gone_after=0.0)
    assert job.wait(30)
    assert job.stopped and job.result is None and job.done < 10**6


def test_a_page_away_for_less_than_the_grace_keeps_its_run():
    answers = iter([False, True] * 10**4)  # a connection that drops and comes back at every other report
    job = Training("key", counting(1000), alive=lambda: next(answers), gone_after=3600.0)
    assert job.wait(60)
    assert not job.stopped and job.result == 1000


@pytest.mark.slow
def test_a_refusal_and_a_fault_are_kept_for_the_page():
    def refused(progress, live, training):
        raise MemoryBudgetError("needs 2,048 MiB")

    def faulty(progress, live, training):
        raise ZeroDivisionError("a fault")

    job = Training("key", refused)
    assert job.wait(30) and job.message == "needs 2,048 MiB" and job.failure is None and not job.stopped
    job = Training("key", faulty)
    assert job.wait(30) and isinstance(job.failure, ZeroDivisionError) and job.message is None


def test_the_thread_does_not_keep_the_server_alive():
    job = Training("key", counting(1))
    assert job.thread.daemon
    assert job.wait(30)


# ---------- what the page says of a stopped race ----------

LECTURE = ("zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal")
# the runs of the lecture's race left out of a stopped race's warning, as a teacher reads them
NAMED = {"en": {3: "Xavier and He had not started", 4: "He had not started",
                1: "N(0,\u00a00.01²), N(0,\u00a01), Xavier and He had not started"},
         "zh": {3: "Xavier 和 He 尚未开始", 4: "He 尚未开始",
                1: "N(0,\u00a00.01²)、N(0,\u00a01)、Xavier 和 He 尚未开始"}}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("started", range(len(LECTURE) + 1))
def test_a_stopped_race_names_the_runs_that_had_not_started(started, lang):
    """A race at the lecture's size trains run by run: Stop after 9 s said "the curves show how far each run got"
    with only zeros and N(0, 0.01²) drawn. The warning names the runs missing from the race's live record (a run
    enters it as it starts), all started or none started each said in its own words."""
    curve = np.full(300, np.nan)
    record = {scheme: (curve, curve) for scheme in LECTURE[:started]}  # a run started, its steps not drawn yet
    numbers = dict(seconds=12.25, done=292, total=1250)
    said = training_view.stopped_text(record, LECTURE, lang=lang, **numbers)
    assert training_view.unstarted(record, LECTURE) == list(LECTURE[started:])
    key = "stopped" if started == len(LECTURE) else "stopped_before" if started == 0 else "stopped_unstarted"
    assert said.startswith(t(lang, f"training_tab.{key}", runs="", **numbers).split("{")[0][:20])
    assert ("12.2" in said or "12.3" in said) and "292" in said and "1,250" in said
    if started in NAMED[lang]:
        assert NAMED[lang][started] in said
    for scheme in LECTURE:  # the run named exactly when it had not started
        name = training_view.scheme_name(scheme, lang)
        assert (name in said.split("：" if lang == "zh" else ": ", 1)[1]) == (0 < started <= LECTURE.index(scheme)), \
            (scheme, said)


@pytest.mark.slow
def test_a_race_trained_run_by_run_and_stopped_leaves_runs_unstarted(monkeypatch):
    """The lecture's 10 x 500 race is over LEGGED_BYTES and trains run by run, a few at once: stopped at its first
    report, the runs after those are missing from its record, and the warning names them."""
    monkeypatch.setattr(sys.modules["core.train"], "LEGGED_BYTES", 0)  # this small race run by run, as the lecture's
    job = Training("key", lambda progress, live, training: race(NETWORK, LECTURE, steps=10_000, progress=progress,
                                                                live=live))
    while job.running and job.done == 0:
        job.wait(0.05)
    job.stop()
    assert job.wait(60) and job.stopped
    waiting = training_view.unstarted(job.live, LECTURE)
    assert 0 < len(LECTURE) - len(waiting) <= threads.usable_cores()  # the runs the first lanes took, no more
    assert waiting == [scheme for scheme in LECTURE if scheme not in job.live]
    said = training_view.stopped_text(job.live, LECTURE, job.seconds, job.done, job.total, "en")
    assert all(training_view.scheme_name(scheme, "en") in said for scheme in waiting)


STEP_6_ORDER = ("he_normal", "xavier_normal", "zeros", "normal_0.01", "normal_1")  # views.tour.race_order's at step 6


@pytest.mark.slow
@pytest.mark.parametrize("lanes", [1, 2])
def test_a_race_started_in_a_step_s_order_and_stopped_names_the_runs_it_had_not_reached(lanes, monkeypatch):
    """At step 6 the lecture's race starts He, then Xavier: stopped at its first report, the runs not started are the
    last of that order, not He's, and the warning names exactly the runs missing from its live record, in the
    race's order; the bar had named those training, in the order they started."""
    monkeypatch.setattr(sys.modules["core.train"], "LEGGED_BYTES", 0)  # this small race run by run, as the lecture's
    monkeypatch.setattr(threads, "usable_cores", lambda: lanes)
    job = Training("key", lambda progress, live, training: race(NETWORK, LECTURE, steps=10_000, progress=progress,
                                                                live=live, order=STEP_6_ORDER, training=training))
    while job.running and job.done == 0:
        job.wait(0.05)
    job.stop()
    assert job.wait(60) and job.stopped
    training, live = job.training.copy(), dict(job.live)
    assert training == list(STEP_6_ORDER[:len(training)]) and 0 < len(training) <= lanes  # He first, no run ended
    assert "he_normal" in live and not set(STEP_6_ORDER[lanes:]) & set(live)  # the lanes took the first runs only
    waiting = training_view.unstarted(live, LECTURE)
    assert waiting == [scheme for scheme in LECTURE if scheme not in live]
    if lanes == 1:
        assert waiting == ["zeros", "normal_0.01", "normal_1", "xavier_normal"]
    for lang in ("en", "zh"):
        said = training_view.stopped_text(live, LECTURE, job.seconds, job.done, job.total, lang)
        named = said.split("：" if lang == "zh" else ": ", 1)[1]
        for scheme in LECTURE:
            assert (training_view.scheme_name(scheme, lang) in named) == (scheme in waiting), (scheme, said)
        shown = training_view.running_text(training, 1, 50_000, 0.5, lang)
        assert all((training_view.scheme_name(s, lang) in shown) == (s in training) for s in LECTURE), shown


@pytest.mark.parametrize("lang, training, expected", [
    ("en", ["he_normal", "xavier_normal"], "Training He and Xavier… 450 of 1,500 steps of all the runs together, 20 s "
                                           "so far"),
    ("en", ["zeros"], "Training zeros… 450 of 1,500 steps of all the runs together, 20 s so far"),
    ("en", [], "Training… 450 of 1,500 steps of all the runs together, 20 s so far"),
    ("zh", ["he_normal", "xavier_normal"], "正在训练 He 和 Xavier……所有方案合计已完成 450 / 1,500 步，用时 20 秒"),
    ("zh", ["normal_0.01+bn", "normal_0.01"], "正在训练 N(0,\u00a00.01²) + 批归一化和 N(0,\u00a00.01²)……"
                                              "所有方案合计已完成 450 / 1,500 步，用时 20 秒"),
    ("zh", ["zeros"], "正在训练全零……所有方案合计已完成 450 / 1,500 步，用时 20 秒"),
    ("zh", [], "训练中……所有方案合计已完成 450 / 1,500 步，用时 20 秒"),
])
def test_the_bar_names_the_runs_training_in_the_order_they_started(lang, training, expected):
    """The bar said "Training… 450 of 1,500 steps" while the room waited for the run its step is about: it names the
    runs training (core.train.race's training, He first at step 6), none where the work reports none (the He et al.
    2015 preset)."""
    assert training_view.running_text(training, 450, 1500, 20.4, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("en", "Training He and Xavier, then zeros, N(0,\u00a00.01²) and N(0,\u00a01)… 0 of 1,500 steps of all the runs "
           "together, 3 s so far"),
    ("zh", "正在训练 He 和 Xavier，随后训练全零、N(0,\u00a00.01²) 和 N(0,\u00a01)……"
           "所有方案合计已完成 0 / 1,500 步，用时 3 秒"),
])
def test_the_bar_names_the_runs_still_to_start(lang, expected):
    """A teacher read "Training He and Xavier… 0 of 1,500 steps" as a race of two while five were on the chart: the
    runs still to start follow, in the order they start (step 6's: He, Xavier, then the rest in the race's order),
    those that have started (in the live record) or train left out."""
    order = tour.race_order(tour.STEPS["6"], LECTURE)
    live, training = {"he_normal": {}, "xavier_normal": {}}, ["he_normal", "xavier_normal"]
    waiting = training_view.waiting_runs(live, training, order)
    assert waiting == ["zeros", "normal_0.01", "normal_1"]
    assert training_view.running_text(training, 0, 1500, 3.2, lang, waiting) == expected
    # one core: He alone trains, and Xavier, step 6's contrast, starts next, before the race's first run
    assert training_view.waiting_runs({"he_normal": {}}, ["he_normal"], order)[0] == "xavier_normal"
    # a run that has ended is in the live record and not training: neither waiting nor named
    assert training_view.waiting_runs({**live, "zeros": {}}, ["xavier_normal", "normal_0.01"], order) == ["normal_1"]
