"""Training in worker processes: the same bits as in this process, snapshots in order, a stop that stops, a
killed worker reported and replaced, and threads where no worker can start."""

from __future__ import annotations

import importlib
import os
import signal
import threading
from dataclasses import replace

import numpy as np
import pytest

from core import Config, draws, threads, workers
from core.train import LEGS, RECORDS, SCHEMES, _record_steps, he_2015_depths, make_task, race, scheme_config
from tests.worker_tasks import blas_threads, divide
from views import training as training_view
from views.text import LANGUAGES, t

train_module = importlib.import_module("core.train")
SMALL = Config(depth=4, width=24, batch=128)
CURVES = ("loss", "accuracy", "record_steps", "act_std", "grad_std", "update_ratio", "distinct_units")


def same_bits(a, b) -> bool:
    finals = [np.array([r.final_loss, r.final_accuracy]) for r in (a, b)]
    return all(np.array_equal(getattr(a, n), getattr(b, n), equal_nan=True) for n in CURVES) and \
        np.array_equal(*finals, equal_nan=True) and (a.diverged_at, a.message) == (b.diverged_at, b.message)


@pytest.fixture
def in_process(monkeypatch):
    """Run the block's races in this process's threads, as where no worker can start."""
    def use(flag: bool) -> None:
        monkeypatch.setattr(workers, "USE_PROCESSES", not flag)
    return use


@pytest.fixture(scope="module")
def pool():
    """A pool of one worker of the tests' own, so that the test knows which process runs its task."""
    own = workers.Pool(1)
    yield own
    own.close()


def long_task(config: Config, steps: int):
    """A run long enough (minutes unstopped) to be stopped or killed while it trains."""
    return (config, make_task(3, config.width, config.dtype), steps, 0.02, 0.9, 128, "xavier_normal")


# --- the same numbers --------------------------------------------------------------------------------------

def test_the_pool_is_running():
    """The races of these tests do go through worker processes (else the comparisons below compare nothing)."""
    pool = workers.shared()
    assert pool is not None, workers.unavailable
    assert len(pool.pids()) == threads.usable_cores() and os.getpid() not in pool.pids()


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_race_in_workers_is_bitwise_the_race_in_this_process(activation, in_process):
    """Every scheme (batch norm and a diverging run among them) gives the same bits in a worker as here."""
    config = replace(SMALL, activation=activation)
    pooled = race(config, tuple(SCHEMES), steps=30)
    in_process(True)
    local = race(config, tuple(SCHEMES), steps=30)
    assert list(pooled) == list(local) == list(SCHEMES)
    for scheme in SCHEMES:
        assert same_bits(pooled[scheme], local[scheme]), scheme
        assert pooled[scheme].config == local[scheme].config == scheme_config(config, scheme)


@pytest.mark.slow
def test_the_he_preset_in_workers_is_bitwise_the_preset_in_this_process(monkeypatch, in_process):
    monkeypatch.setattr(train_module, "HE_2015_STEPS", 12)  # the same code path, a few steps
    pooled = he_2015_depths((3, 5), seed=1)
    in_process(True)
    local = he_2015_depths((3, 5), seed=1)
    for depth in (3, 5):
        for scheme in pooled[depth]:
            assert same_bits(pooled[depth][scheme], local[depth][scheme]), (depth, scheme)


@pytest.mark.slow
def test_a_worker_computes_with_one_blas_thread(pool):
    assert pool.run(blas_threads) == [1]


# --- snapshots ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_snapshots_arrive_in_order_and_fill_the_live_curves():
    """Each run reports at its record steps (at most RECORDS + 1) and at the end of each of its legs, in order; the
    live curves the page reads are at every look the run's first steps at their final values, and at the end the
    whole run."""
    live, looks = {}, []

    def progress(done, total):
        looks.append({name: loss.copy() for name, (loss, _) in live.items()})

    steps = 150
    results = race(replace(SMALL, activation="tanh"), ("xavier_normal", "he_normal", "zeros"), steps=steps,
                   progress=progress, live=live)
    marks = (_record_steps(steps) + 1).tolist()  # the steps done at each snapshot
    assert len(marks) <= RECORDS + 1
    per_leg = -(-steps // LEGS)  # three runs on two cores (or one) train in legs
    leg_ends = list(range(per_leg, steps + 1, per_leg))
    for name, result in results.items():
        np.testing.assert_array_equal(live[name][0], result.loss)
        np.testing.assert_array_equal(live[name][1], result.accuracy)
        counts = []
        for look in looks:
            if name in look:
                count = int(np.isfinite(look[name]).sum())
                np.testing.assert_array_equal(look[name][:count], result.loss[:count])
                assert np.isnan(look[name][count:]).all()
                counts.append(count)
        assert counts == sorted(counts) and counts[-1] == steps
        assert set(counts) <= {0, *marks, *leg_ends}  # whole snapshots only


@pytest.mark.slow
def test_the_pool_calls_report_in_order_in_the_callers_thread(pool):
    seen = []
    config = scheme_config(SMALL, "xavier_normal")
    result = pool.run(train_module._train_in_worker, long_task(config, 90),
                      lambda message: seen.append((threading.get_ident(), message)))
    assert {ident for ident, _ in seen} == {threading.get_ident()}
    done = [message[0] for _, message in seen]
    assert done == (_record_steps(90) + 1).tolist()
    np.testing.assert_array_equal(np.concatenate([message[1] for _, message in seen]), result.loss)


# --- stopping and crashes -----------------------------------------------------------------------------------

def test_a_stop_ends_the_task_at_its_next_step_and_the_worker_serves_on(pool):
    stop, seen = threading.Event(), []

    def first_snapshot(message):
        seen.append(message[0])
        stop.set()

    pids = pool.pids()
    with pytest.raises(threads.Cancelled):
        pool.run(train_module._train_in_worker, long_task(scheme_config(Config(depth=10, width=64, batch=128),
                                                                         "xavier_normal"), 10_000),
                 first_snapshot, stop)
    assert seen[0] == 1 and len(seen) <= 2  # stopped within a step of the stop: not 60 snapshots of 10,000 steps
    assert pool.pids() == pids  # the same worker, ready for the next task
    assert pool.run(blas_threads) == [1]


@pytest.mark.slow
def test_a_race_abandoned_by_its_page_stops_every_run_in_the_workers():
    """The app's Stop raises inside the progress callback: the runs in the workers must stop, not train on."""
    class Stopped(Exception):
        pass

    def stop(done, total):
        raise Stopped

    with pytest.raises(Stopped):
        race(Config(depth=10, width=64, batch=128), steps=10_000, progress=stop)
    for thread in [th for th in threading.enumerate() if th.name.startswith("compute")]:
        thread.join(timeout=120)  # each waits for its worker's answer to the stop
    assert not [th for th in threading.enumerate() if th.name.startswith("compute")]
    shared = workers.shared()
    assert shared is not None and len(shared.pids()) == threads.usable_cores()  # every worker back, none replaced
    assert race(SMALL, ("he_normal",), steps=3)["he_normal"].steps == 3


@pytest.mark.slow
def test_a_computation_asking_for_a_core_during_a_race_gets_one_and_the_race_keeps_its_bits():
    """A race whose runs hold every core lends one to a computation that asks (a page opened meanwhile): the page
    is admitted while the race has most of its steps to go, and the race, paused and resumed, ends with the
    bits of one left alone."""
    schemes, steps = ("xavier_normal", "he_normal"), 1500
    alone = race(SMALL, schemes, steps=steps)
    seen, result = [0], {}
    started = threading.Event()

    def progress(done, total):
        seen[0] = done
        if done:
            started.set()

    racing = threading.Thread(target=lambda: result.update(race(SMALL, schemes, steps=steps, progress=progress)))
    racing.start()
    assert started.wait(120)
    assert threads.ADMISSION.running == threads.usable_cores() == len(schemes)  # every core held by a run
    with threads.compute_slot():
        at = seen[0]
        still = racing.is_alive()
    racing.join(300)
    assert still and at < len(schemes) * steps / 2, (at, still)
    for scheme in schemes:
        assert same_bits(result[scheme], alone[scheme]), scheme


@pytest.mark.slow
def test_a_race_ends_with_its_own_bits_while_three_sessions_ask_for_cores_without_a_pause():
    """A race of whole runs (as many as cores: no legs) that lends its cores takes them back in turn (core.admission:
    a SLICE's work, ranked with the rest): it ends, with the bits of one left alone, while three sessions each ask
    for a core for one short computation after another, so that one is always in line. A run once took its core
    back only when nobody was in line; under three sessions' pages it got 2 % of a core and did not end here."""
    schemes, steps = ("xavier_normal", "he_normal"), 1500
    alone = race(SMALL, schemes, steps=steps)
    stop, turns, result = threading.Event(), [0, 0, 0], {}

    def session(i: int) -> None:
        while not stop.is_set():
            with threads.compute_slot(work=0.05):
                stop.wait(0.05)  # a page's network, 50 ms on its core
            turns[i] += 1

    sessions = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(3)]
    for s in sessions:
        s.start()
    racing = threading.Thread(target=lambda: result.update(race(SMALL, schemes, steps=steps)), daemon=True)
    try:
        racing.start()
        racing.join(120)  # a few seconds; starved, it does not end while the sessions ask
        ended = not racing.is_alive()
    finally:
        stop.set()
        for s in sessions:
            s.join(30)
        racing.join(300)
    assert ended and min(turns) > 0, turns  # the sessions computed meanwhile too
    for scheme in schemes:
        assert same_bits(result[scheme], alone[scheme]), scheme


@pytest.mark.slow
def test_races_of_three_sessions_at_once_all_end_with_their_own_bits():
    """Three sessions press Run at once (more runs than workers): a run paused to lend its core keeps its worker,
    so a run given that core must not wait for a worker while holding it; each race ends, as it does alone."""
    schemes, steps = ("xavier_normal", "he_normal", "zeros"), 400
    alone = race(SMALL, schemes, steps=steps)
    results: list[dict] = [{} for _ in range(3)]
    sessions = [threading.Thread(target=lambda out=out: out.update(race(SMALL, schemes, steps=steps)), daemon=True)
                for out in results]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join(120)  # about 3 seconds; waiting for each other, they never end
    assert not any(session.is_alive() for session in sessions)
    for out in results:
        for scheme in schemes:
            assert same_bits(out[scheme], alone[scheme]), scheme


def test_a_stop_raised_in_a_one_run_race_stops_its_worker_and_keeps_it():
    """A race of one scheme reports from the caller's own thread: the Stop raised there stops the worker's run,
    and the worker stays in the pool."""
    class Stopped(Exception):
        pass

    def stop(done, total):
        raise Stopped

    shared = workers.shared()
    pids = shared.pids()
    with pytest.raises(Stopped):
        race(Config(depth=10, width=64, batch=128), ("xavier_normal",), steps=10_000, progress=stop)
    assert shared.pids() == pids
    assert race(SMALL, ("he_normal",), steps=3)["he_normal"].steps == 3


@pytest.mark.slow
def test_a_killed_worker_is_reported_and_replaced(pool):
    killed = []

    def kill_it(message):
        if not killed:
            killed.append(pool.pids()[0])
            os.kill(killed[0], signal.SIGKILL)

    config = scheme_config(Config(depth=10, width=64, batch=128), "xavier_normal")
    with pytest.raises(workers.WorkerCrashed) as crash:
        pool.run(train_module._train_in_worker, long_task(config, 10_000), kill_it)
    assert f"process {killed[0]} ended (killed by SIGKILL)" in str(crash.value)
    assert (crash.value.signal, crash.value.code) == ("SIGKILL", None)
    # the page says it in words, naming the signal, in each language; any other fault stays an exception
    for lang in LANGUAGES:
        said = training_view.failure_text(crash.value, lang)
        assert said == t(lang, "training_tab.worker_crashed",
                         how=t(lang, "training_tab.ended_by_signal", signal="SIGKILL"))
        assert training_view.failure_text(ValueError("x"), lang) is None
    assert pool.pids() and pool.pids()[0] != killed[0]
    again = pool.run(train_module._train_in_worker, long_task(scheme_config(SMALL, "he_normal"), 20))
    assert again.steps == 20 and again.diverged_at is None


def test_an_exception_in_the_task_is_raised_in_the_caller(pool):
    with pytest.raises(ZeroDivisionError, match="by zero"):
        pool.run(divide, (1, 0))
    assert pool.run(divide, (1, 4)) == 0.25  # and the worker serves on


def test_where_no_worker_can_start_the_races_run_in_threads(monkeypatch):
    monkeypatch.setattr(workers, "_pool", [])
    monkeypatch.setattr(workers.sys, "executable", "/nonexistent/python")
    assert workers.shared() is None
    assert "/nonexistent/python" in workers.unavailable
    result = race(SMALL, ("he_normal",), steps=5)["he_normal"]
    assert result.steps == 5 and np.isfinite(result.loss).all()


@pytest.mark.parametrize("init", ["he_normal", "orthogonal"])
def test_a_worker_keeps_no_draws_from_task_to_task(init):
    """A run in a worker draws its W through core.draws, which keeps what it draws for the next network; in a
    worker the numbers go with the run, so a worker's memory does not grow from task to task."""
    draws.forget()
    config = scheme_config(replace(SMALL, depth=3, width=40), init)
    result = train_module._train_in_worker(*long_task(config, 2), report=lambda message: None,
                                           cancelled=lambda: False)
    assert result.steps == 2
    assert not draws._streams and not draws._orthogonals and not draws._assembled
