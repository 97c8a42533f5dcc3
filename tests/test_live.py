"""views/live.py: a training in the background ends as the same call in the foreground, stops when asked or when
its page has gone, and reports what went wrong."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core import Config, MemoryBudgetError
from core.train import race
from views.live import Training

NETWORK = Config(depth=3, width=16, activation="relu", init="he_normal")


def counting(steps: int):
    """Work that reports each of `steps` steps, then returns how many it reported."""
    def work(progress, live):
        for done in range(1, steps + 1):
            progress(done, steps)
        return steps
    return work


def test_a_race_in_the_background_ends_as_the_same_race_in_the_foreground():
    job = Training("key", lambda progress, live: race(NETWORK, ("zeros", "he_normal"), steps=25, progress=progress,
                                                      live=live))
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

    def work(progress, live):
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
    job = Training("key", lambda progress, live: race(NETWORK, ("he_normal", "xavier_normal"), steps=10_000,
                                                      progress=progress, live=live))
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
    def refused(progress, live):
        raise MemoryBudgetError("needs 2,048 MiB")

    def faulty(progress, live):
        raise ZeroDivisionError("a fault")

    job = Training("key", refused)
    assert job.wait(30) and job.message == "needs 2,048 MiB" and job.failure is None and not job.stopped
    job = Training("key", faulty)
    assert job.wait(30) and isinstance(job.failure, ZeroDivisionError) and job.message is None


def test_the_thread_does_not_keep_the_server_alive():
    job = Training("key", counting(1))
    assert job.thread.daemon
    assert job.wait(30)
