"""core.admission: computations wait their turn for a core and their memory, highest response ratio next (first
come, first served among equal work); the server's budget from INIT_EXPLORER_MEMORY_MIB; the page says that it
waits, in both languages."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import DEFAULT_MEMORY_BUDGET, Config, cache, estimate_memory, threads
from core.admission import (
    DEFAULT_SERVER_MIB, ENV, PASSING_WORK, SERVER_MIB_RANGE, SLICE, Admission, BudgetSettingError, server_budget,
)
from views import summary, tour, urlstate
from views.text import t
from views.locale import LANGUAGES, catalogue

GUARD = 30  # seconds an event may take before the test fails instead of hanging (never a timing claim)


def until(condition) -> bool:
    """Whether condition() comes true within GUARD seconds (looked at every 10 ms)."""
    done = threading.Event()
    for _ in range(GUARD * 100):
        if condition():
            return True
        done.wait(0.01)
    return condition()


def lends_a_core(admission: Admission) -> bool:
    """Whether the admission lends a core now (given back at once)."""
    if not admission.try_core():
        return False
    admission.release_core()
    return True


class Holder:
    """A computation that holds its admission until released: admitted is set once it runs; told lists what
    it was told while waiting (how many computations came before it)."""

    def __init__(self, admission: Admission, nbytes: int, log: list | None = None, name: str = "", **kwargs):
        self.admitted, self.release, self.error = threading.Event(), threading.Event(), None
        self.told: list[int] = []
        self._changed = threading.Condition()

        def waiting(n: int) -> None:
            with self._changed:
                self.told.append(n)
                self._changed.notify_all()

        def run() -> None:
            try:
                with admission.admit(nbytes, waiting=waiting, every=0.01, **kwargs):
                    if log is not None:
                        log.append(name)
                    self.admitted.set()
                    assert self.release.wait(GUARD)
            except BaseException as error:  # noqa: BLE001  (looked at by the test)
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    @classmethod
    def running(cls, admission: Admission, nbytes: int, *args, **kwargs) -> Holder:
        """A Holder that is admitted at once (the test fails if it is not within GUARD seconds)."""
        holder = cls(admission, nbytes, *args, **kwargs)
        assert holder.admitted.wait(GUARD)
        return holder

    def waits_with(self, ahead: int) -> bool:
        """Whether it is told, within GUARD seconds, that `ahead` computations come before it."""
        with self._changed:
            return self._changed.wait_for(lambda: ahead in self.told, GUARD)

    def done(self) -> None:
        self.release.set()
        self.thread.join(GUARD)
        assert not self.thread.is_alive() and self.error is None, self.error


# ---------- waiting, then running ----------

def test_a_computation_waits_while_the_memory_is_taken_and_runs_once_it_is_free():
    admission = Admission(cores=4, memory=100)
    first = Holder.running(admission, 60)
    second = Holder(admission, 60)  # 60 + 60 > 100
    assert second.waits_with(1) and not second.admitted.is_set()
    assert admission.reserved == 60 and admission.waiting == 1
    first.done()
    assert second.admitted.wait(GUARD)
    assert second.told[-1] == 0  # told that it runs
    second.done()
    assert admission.reserved == 0 and admission.running == 0 and admission.waiting == 0


def test_a_computation_waits_for_a_core_though_memory_is_free():
    admission = Admission(cores=2, memory=100)
    running = [Holder(admission, 0) for _ in range(2)]
    for h in running:
        assert h.admitted.wait(GUARD)
    third = Holder(admission, 0)
    assert third.waits_with(2) and not third.admitted.is_set()
    running[0].done()
    assert third.admitted.wait(GUARD)
    for h in (running[1], third):
        h.done()


def test_computations_that_fit_together_run_together():
    admission = Admission(cores=3, memory=100)
    holders = [Holder(admission, 30) for _ in range(3)]
    for h in holders:
        assert h.admitted.wait(GUARD)
    assert admission.reserved == 90 and admission.running == 3
    for h in holders:
        h.done()


def test_one_that_needs_more_than_the_whole_budget_runs_alone_rather_than_never():
    admission = Admission(cores=2, memory=100)
    small = Holder.running(admission, 1)
    huge = Holder(admission, 10**9)
    assert huge.waits_with(1)
    small.done()
    assert huge.admitted.wait(GUARD) and admission.reserved == 100
    later = Holder(admission, 1)
    assert later.waits_with(1) and not later.admitted.is_set()  # nothing beside it
    huge.done()
    assert later.admitted.wait(GUARD)
    later.done()


# ---------- order ----------

def test_a_large_computation_is_not_passed_over_by_a_stream_of_small_ones():
    """Small ones that ask after a large one that waits for memory wait behind it, though each would fit now."""
    admission = Admission(cores=8, memory=100)
    order: list[str] = []
    first = Holder.running(admission, 10, order, "first small")
    large = Holder(admission, 100, order, "large")
    assert large.waits_with(1)
    smalls = []
    for i in range(5):  # each asks once the one before it is in line
        smalls.append(Holder(admission, 1, order, f"small {i}"))
        assert smalls[-1].waits_with(2 + i)
    assert order == ["first small"]
    first.done()
    assert large.admitted.wait(GUARD)
    assert order == ["first small", "large"] and not any(s.admitted.is_set() for s in smalls)
    large.done()
    for s in smalls:
        assert s.admitted.wait(GUARD)
        s.done()
    assert order == ["first small", "large", *(f"small {i}" for i in range(5))]


def test_those_waiting_are_admitted_in_the_order_they_asked():
    admission = Admission(cores=1, memory=100)
    order: list[str] = []
    first = Holder.running(admission, 0, order, "0")
    queue = []
    for i in range(1, 6):
        queue.append(Holder(admission, 0, order, str(i)))
        assert queue[-1].waits_with(i)  # running or waiting before it: the running one and i - 1 in line
    for h in [first, *queue]:
        assert h.admitted.wait(GUARD)
        h.done()
    assert order == [str(i) for i in range(6)]


class Clock:
    """The admission's clock, moved by the test: the response ratios change only when it says."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def one_core_queue(first: tuple[str, float], second: tuple[str, float], asks_at: float):
    """A one-core admission on a test clock, its core held by "running": `first` (name, work in s) asks at 0 and
    `second` at `asks_at`, each seen waiting behind all before it. The clock, the names in the order admitted, and
    the holders running, first and second."""
    clock = Clock()
    admission = Admission(cores=1, memory=100, clock=clock)
    order: list[str] = []
    running = Holder.running(admission, 0, order, "running")
    one = Holder(admission, 0, order, first[0], work=first[1])
    assert one.waits_with(1)
    clock.now = asks_at
    two = Holder(admission, 0, order, second[0], work=second[1])
    assert two.waits_with(2)
    return clock, order, running, one, two


def test_a_short_computation_passes_long_ones_once_it_has_waited_a_little():
    """Highest response ratio next: (waited + work) / work. A long one (10 s) asks at 0, a short one (20 ms, past
    PASSING_WORK) at 1; at 1.04 s the short one's ratio is 3 against the long one's 1.104, so it takes the core
    first."""
    # the short one asks with ratio 1, below the long one's 1.1
    clock, order, running, long, short = one_core_queue(("long", 10.0), ("short", 2 * PASSING_WORK), asks_at=1.0)
    clock.now = 1.04
    assert short.waits_with(1) and long.waits_with(2)  # ranked again as the ratios move
    running.done()
    assert short.admitted.wait(GUARD) and not long.admitted.is_set()
    short.done()
    assert long.admitted.wait(GUARD)
    long.done()
    assert order == ["running", "short", "long"]


@pytest.mark.parametrize("share, first", [(0.9, "long"), (1.1, "newcomer")])
def test_a_newcomer_passes_one_waiting_only_after_waiting_v_w_over_w_minus_v(share, first):
    """One of work W that has waited w is passed by a newcomer of work V < W only once the newcomer has waited
    V w / (W - V): where (u + V) / V = (w + u + W) / W. Here W = 2, w = 4, V = 0.5: u = 4/3 s."""
    clock, order, running, long, newcomer = one_core_queue(("long", 2.0), ("newcomer", 0.5), asks_at=4.0)
    clock.now = 4.0 + share * 0.5 * 4.0 / (2.0 - 0.5)
    running.done()
    assert until(lambda: len(order) == 2)
    assert order == ["running", first]
    for holder in (long, newcomer):
        holder.release.set()
    for holder in (long, newcomer):
        holder.done()


def test_a_computation_of_milliseconds_runs_at_once_beside_the_cores_and_waits_only_for_its_memory():
    """A slider on a small network (under a millisecond of work) had waited for a class's tour networks to free a
    core: one of at most PASSING_WORK runs at once, every core held and others in line, taking no core; it still
    reserves its memory, and one whose memory is taken waits in line with the rest. One that says no work (0:
    unknown) waits its turn."""
    admission = Admission(cores=1, memory=100)
    running = Holder.running(admission, 10, work=1.0)
    queued = Holder(admission, 0, work=1.0)
    assert queued.waits_with(1)
    quick = Holder.running(admission, 20, work=PASSING_WORK)  # at once, past the one in line
    assert (admission.running, admission.reserved, admission.waiting) == (2, 30, 1)
    assert not lends_a_core(admission) and not queued.admitted.is_set()  # it took no core: the line's is still held
    unknown = Holder(admission, 0)
    assert unknown.waits_with(2) and not unknown.admitted.is_set()
    over = Holder(admission, 80, work=PASSING_WORK)  # 10 + 20 + 80 > 100: waits for memory, in line
    assert over.waits_with(3) and not over.admitted.is_set()
    quick.done()  # its memory free now, the short one waits in line for a core like the rest, the shortest first
    for holder in (running, queued, unknown, over):  # each in its turn
        holder.release.set()
    for holder in (running, queued, unknown, over):
        holder.done()
    assert admission.running == admission.reserved == admission.waiting == 0


def test_one_of_as_much_work_that_asks_later_never_passes():
    """A newcomer's ratio starts at 1, below any that has waited, and grows no faster when its work is as large:
    it never passes (however long both wait)."""
    clock, order, running, first, second = one_core_queue(("first", 1.0), ("second", 1.0), asks_at=0.5)
    clock.now = 1e6
    running.done()
    assert first.admitted.wait(GUARD)
    first.done()
    assert second.admitted.wait(GUARD)
    second.done()
    assert order == ["running", "first", "second"]


def test_a_network_asks_with_the_engine_s_work_estimate(monkeypatch):
    """simulate_cached ranks its network by core.network.estimate_work in seconds of one core (WORK_RATE)."""
    from core.network import WORK_RATE, estimate_work

    config = Config(depth=3, width=64, batch=32, seed=515_152)
    asked = []
    admit = threads.ADMISSION.admit

    def recording(nbytes=0, *args, **kwargs):
        asked.append(kwargs.get("work"))
        return admit(nbytes, *args, **kwargs)

    monkeypatch.setattr(threads.ADMISSION, "admit", recording)
    cache.simulate_cached(config)
    assert asked == [pytest.approx(estimate_work(config) / WORK_RATE)] and asked[0] > 0


def test_a_lent_core_is_not_lent_while_a_computation_waits():
    admission = Admission(cores=2, memory=100)
    assert admission.try_core() and admission.try_core() and not admission.try_core()  # two free cores lent
    waiting = Holder(admission, 0)
    assert until(lambda: admission.waiting == 1) and not waiting.admitted.is_set()
    admission.release_core()
    assert waiting.admitted.wait(GUARD)
    assert not admission.try_core()  # one lent, one to the computation: none left
    admission.release_core()
    assert lends_a_core(admission)  # free, and nobody waits
    waiting.done()


def test_a_free_core_is_not_lent_to_a_computation_s_extra_thread_before_one_that_waits_for_memory():
    admission = Admission(cores=4, memory=100)
    big = Holder.running(admission, 90)
    other = Holder(admission, 50)
    assert other.waits_with(1)
    assert not admission.try_core()  # cores are free, but a computation waits: it comes first
    big.done()
    assert other.admitted.wait(GUARD)
    assert lends_a_core(admission)
    other.done()


# ---------- cancelled while waiting ----------

def test_a_computation_cancelled_while_it_waits_leaves_the_line_at_once():
    admission = Admission(cores=1, memory=100)
    running = Holder.running(admission, 100)
    gone = threading.Event()
    cancelled = Holder(admission, 50, check=lambda: threads.check(gone))
    behind = Holder(admission, 50)
    assert cancelled.waits_with(1) and behind.waits_with(2)
    gone.set()
    cancelled.thread.join(GUARD)
    assert isinstance(cancelled.error, threads.Cancelled) and not cancelled.admitted.is_set()
    assert running.admitted.is_set() and not running.release.is_set()  # it left before the running one ended
    assert behind.waits_with(1) and admission.waiting == 1  # one place up
    running.done()
    assert behind.admitted.wait(GUARD)
    behind.done()


def test_a_page_s_network_cancelled_while_it_waits_is_not_computed(monkeypatch):
    """core.cache: a session that leaves while its network waits for the server raises Cancelled and keeps
    nothing; no slot, core or byte stays taken."""
    config = Config(depth=2, width=20, batch=10, seed=424_242)
    computed = []
    monkeypatch.setattr(cache, "simulate", lambda *a, **k: computed.append(a) or pytest.fail("computed"))
    gone, told, result = threading.Event(), threading.Event(), []

    def session() -> None:
        try:
            cache.simulate_cached(config, cancel=gone, waiting=lambda n: n and told.set())
        except threads.Cancelled as error:
            result.append(error)

    with threads.compute_slot(threads.ADMISSION.memory):  # the whole budget, as a large network holds it
        page = threading.Thread(target=session, daemon=True)
        page.start()
        assert told.wait(GUARD)  # it waits, and says so
        gone.set()
        page.join(GUARD)
        assert not page.is_alive() and result and not computed
        assert threads.ADMISSION.waiting == 0
    assert threads.ADMISSION.running == 0 and threads.ADMISSION.reserved == 0
    assert ("simulate", config, DEFAULT_MEMORY_BUDGET) not in cache.RESULTS


# ---------- the process's admission ----------

def test_the_server_s_default_budget_holds_the_largest_network_the_page_allows():
    """Nothing that fits one computation's budget has to be refused, or to reserve less than it needs."""
    assert DEFAULT_SERVER_MIB << 20 >= DEFAULT_MEMORY_BUDGET
    assert threads.ADMISSION.memory == DEFAULT_SERVER_MIB << 20
    assert threads.ADMISSION.cores == threads.usable_cores()


def test_a_network_reserves_its_memory_estimate_while_it_computes(monkeypatch):
    config = Config(depth=3, width=64, batch=32, seed=515_151)
    seen = []

    def simulate(c, *args, **kwargs):
        seen.append((threads.ADMISSION.reserved, threads.ADMISSION.running))
        return real(c, *args, **kwargs)

    real = cache.simulate
    monkeypatch.setattr(cache, "simulate", simulate)
    cache.simulate_cached(config)
    assert seen == [(estimate_memory(config), 1)]
    assert threads.ADMISSION.reserved == 0 and threads.ADMISSION.running == 0


# ---------- INIT_EXPLORER_MEMORY_MIB ----------

@pytest.mark.parametrize("text, mib", [("1024", 1024), (" 2048\n", 2048), ("64", 64), ("0064", 64),
                                       (str(1 << 20), 1 << 20), ("", DEFAULT_SERVER_MIB), ("  ", DEFAULT_SERVER_MIB)])
def test_the_budget_is_read_in_mib(text, mib):
    assert server_budget({ENV: text}) == mib << 20


def test_unset_it_is_the_default():
    assert server_budget({}) == DEFAULT_SERVER_MIB << 20


BAD = ["lots", "-5", "+1024", "1e308", "1.5", "1024.0", "1_024", "0x400", "1,024", "1024 MiB", "inf", "nan",
       "\u0661\u0660\u0662\u0664", "\uff11\uff10\uff12\uff14", "63", "0", str((1 << 20) + 1), "9" * 5000,
       "1024\x00", "`1024`"]


@pytest.mark.parametrize("text", BAD)
def test_a_bad_budget_is_refused_with_the_setting_and_its_range(text):
    with pytest.raises(BudgetSettingError) as refused:
        server_budget({ENV: text})
    message = str(refused.value)
    assert ENV in message and "64 to 1,048,576" in message and "1,024" in message
    assert len(message) < 300  # a 5,000-digit value is cut, not echoed
    assert refused.value.value == text


@given(st.integers(-10**30, 10**30))
def test_any_whole_number_is_taken_exactly_when_it_is_in_range(mib):
    low, high = SERVER_MIB_RANGE
    if low <= mib <= high:
        assert server_budget({ENV: str(mib)}) == mib << 20
    else:
        with pytest.raises(BudgetSettingError):
            server_budget({ENV: str(mib)})


# ---------- what the page says ----------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_long_computation_s_note_says_its_work_in_seconds_of_one_core(lang):
    """A Compare tab of 2,048-wide networks showed the note alone for 47 s: from summary.NOTE_SECONDS of one core's
    work on, the computing note says how many, rounded; under it, nothing; a waiting note waits, whatever the work."""
    from views.computing import work_seconds
    from core.network import WORK_RATE, estimate_work

    short, long = summary.computing_note(lang, 0, True, 4.9), summary.computing_note(lang, 0, True, 37.6)
    assert short == summary.computing_note(lang, 0, True)
    assert long == t(lang, "note_previous", note=t(lang, "computing_work", note=t(lang, "computing_note"),
                                                  seconds="38"))
    assert summary.computing_note(lang, 2, True, 37.6) == summary.computing_note(lang, 2, True)
    # what it counts: the networks not kept yet, each estimate_work / WORK_RATE
    small = [Config(depth=2, width=20, seed=987_654), Config(depth=3, width=30, seed=987_654)]
    assert work_seconds(small, DEFAULT_MEMORY_BUDGET) == pytest.approx(
        sum(estimate_work(c) for c in small) / WORK_RATE, rel=1e-12)
    cache.simulate_cached(small[0], DEFAULT_MEMORY_BUDGET)
    assert work_seconds(small, DEFAULT_MEMORY_BUDGET) == pytest.approx(estimate_work(small[1]) / WORK_RATE, rel=1e-12)


@pytest.mark.slow
def test_a_first_page_of_a_wide_network_says_how_long_its_work_is(monkeypatch):
    """The student's link: the first page of a 2,048-wide network, 6 s of one core, says so in its note."""
    from core.network import WORK_RATE, estimate_work

    sent, _ = notes_sent(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=GUARD)
    at.query_params.update(step="custom", width="2048", depth="13", seed="424242")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    state = {name: at.session_state[name] for name in urlstate.PARAMS if name in at.session_state}
    config = urlstate.config_of(state)[0]
    seconds = estimate_work(config) / WORK_RATE
    assert seconds >= summary.NOTE_SECONDS
    assert summary.computing_note("en", 0, previous=False, seconds=seconds) in sent, sent


@pytest.mark.parametrize("lang, table", [(lang, catalogue(lang)) for lang in LANGUAGES])
def test_the_note_says_how_many_computations_come_first(lang, table):
    """Computing, or waiting behind n computations; that the page below is the one before only where there is one."""
    still = table["note_previous"].format(note="")
    for previous in (True, False):
        def said(note: str) -> str:
            return table["note_previous"].format(note=note) if previous else note
        computing = table["computing_note" if previous else "computing_note_first"]
        assert summary.computing_note(lang, 0, previous) == said(computing)
        assert summary.computing_note(lang, 1, previous) == said(table["waiting_note_one"])
        seven = table["waiting_note"].format(n=7)
        assert summary.computing_note(lang, 7, previous) == said(seven) and "7" in seven
        assert all((still in summary.computing_note(lang, n, previous)) == previous for n in (0, 1, 7))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_bad_setting_message_shows_the_value_as_text(lang):
    said = summary.budget_setting(lang, "![x](http://127.0.0.1:8999/p.png)")
    assert "`![x](http://127.0.0.1:8999/p.png)`" in said and ENV in said
    assert "1,048,576" in said and "1,024" in said


# ---------- the page, through AppTest ----------

APP = str(Path(__file__).parent.parent / "streamlit_app.py")


def notes_sent(monkeypatch) -> tuple[list[str], threading.Condition]:
    """Every st.info body the script sends to the browser, as it sends it (AppTest shows only the page at the end
    of a run, when the note has gone); and a condition notified at each."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    sent, changed, enqueue = [], threading.Condition(), ScriptRunContext.enqueue

    def spy(self, msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "alert":
            with changed:
                sent.append(msg.delta.new_element.alert.body)
                changed.notify_all()
        return enqueue(self, msg)

    monkeypatch.setattr(ScriptRunContext, "enqueue", spy)
    return sent, changed


@pytest.mark.slow
@pytest.mark.parametrize("lang, table", [(lang, catalogue(lang)) for lang in LANGUAGES])
def test_the_page_says_it_waits_for_the_server_then_computes(monkeypatch, lang, table):
    """A page whose network waits behind a large computation says so in its note while it waits, in its language;
    once the computation ends, the network is computed and drawn, and the note has gone."""
    sent, changed = notes_sent(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=GUARD)
    at.query_params.update(step="2", seed="737373", lang=lang)
    large = Holder(threads.ADMISSION, threads.ADMISSION.memory)  # the whole budget, as a large network holds it
    assert large.admitted.wait(GUARD)
    page = threading.Thread(target=at.run, daemon=True)
    page.start()
    with changed:
        assert changed.wait_for(lambda: table["waiting_note_one"] in sent, GUARD)
    assert page.is_alive()  # still waiting: nothing else lets it through
    large.done()
    page.join(GUARD)
    assert not page.is_alive() and not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith(table["step_heading"].split("{")[0]) and len(at.metric) == 4
    # then: computing; a session's first page has no page before it, which its note had said it still showed
    assert sent.index(table["waiting_note_one"]) < sent.index(table["computing_note_first"], 1)
    assert not [note for note in sent if table["note_previous"].format(note="") in note], sent
    assert not [i for i in at.info if i.value in (table["waiting_note_one"], table["computing_note_first"])]
    at.query_params["seed"] = "737374"  # a new network in the same session: the page below is the one before
    sent.clear()
    at.run()
    assert summary.computing_note(lang, 0, previous=True) in sent, sent


@pytest.mark.slow
def test_a_bad_budget_setting_stops_the_page_with_both_languages_message(monkeypatch):
    monkeypatch.setenv(ENV, "1e308")
    computed = []
    monkeypatch.setattr(cache, "simulate", lambda *a, **k: computed.append(a))
    at = AppTest.from_file(APP, default_timeout=GUARD).run()
    assert not at.exception and not computed
    assert [e.value for e in at.error] == [summary.budget_setting(lang, "1e308") for lang in ("en", "zh")]
    assert len(at.title) == 0


@pytest.mark.slow
def test_the_budget_setting_sets_the_page_s_budget(monkeypatch):
    """INIT_EXPLORER_MEMORY_MIB below one computation's budget: a network over it is refused, naming it."""
    monkeypatch.setenv(ENV, "64")
    try:
        big = Config(depth=10, width=1000, batch=2000)
        assert 64 << 20 < estimate_memory(big) <= DEFAULT_MEMORY_BUDGET
        at = AppTest.from_file(APP, default_timeout=GUARD)
        at.query_params.update(step="custom", depth="10", width="1000", batch="2000")
        at.run()
        assert not at.exception
        shown = replace(tour.STEPS["1"], depth=10, width=1000, batch=2000)  # the first step's, three sliders moved
        assert [e.value for e in at.error] == [summary.refusal(shown, "en", 64 << 20)]
        assert "64 MiB" in at.error[0].value
        assert threads.ADMISSION.memory == 64 << 20
    finally:
        threads.ADMISSION.set_memory(DEFAULT_SERVER_MIB << 20)


# ---------- the command line ----------

@pytest.mark.slow
@pytest.mark.parametrize("setting", ["lots", "64"])
def test_the_command_line_keeps_its_own_budget(setting):
    """INIT_EXPLORER_MEMORY_MIB is the server's: the command line neither fails on a bad one nor takes a small one
    for its --memory-budget-mib (a network of 372 MiB runs at its default of 1,024)."""
    import json
    import os
    import subprocess
    import sys

    config = Config(depth=10, width=1000, batch=2000, init="xavier_normal", activation="tanh")
    assert 64 << 20 < estimate_memory(config) <= DEFAULT_MEMORY_BUDGET
    done = subprocess.run([sys.executable, "-m", "core", "--depth", "10", "--width", "1000", "--batch", "2000",
                           "--init", "xavier_normal", "--json"], cwd=Path(APP).parent, capture_output=True, text=True,
                          timeout=300, env={**os.environ, ENV: setting})
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["layers"]) == 11


@pytest.mark.slow
def test_a_race_reserves_each_run_s_training_memory_while_it_trains():
    """A race's runs compute in worker processes, whose arrays are the server's memory too: each running run
    holds a core and estimate_training_memory's bytes from the server's admission, and gives them back."""
    from core.train import estimate_training_memory, race, scheme_config, training_batch

    config = Config(depth=3, width=32, batch=64)
    schemes = ("xavier_normal", "he_normal")
    each = {estimate_training_memory(scheme_config(config, s), training_batch(config)) for s in schemes}
    assert len(each) == 1  # the same network: the schemes differ in their draws only
    each = each.pop()
    # computations an earlier test left running in this process (an app's background race) would count too
    assert until(lambda: threads.ADMISSION.running == 0)
    seen = []
    race(config, schemes, steps=3000, progress=lambda done, total: seen.append(threads.ADMISSION.reserved))
    # whole runs' estimates only (none while the last report comes after both have ended), and at least one
    assert set(seen) <= {0, each, 2 * each} and max(seen) >= each
    assert (threads.ADMISSION.reserved, threads.ADMISSION.running) == (0, 0)


# ---------- a long computation lends its core ----------

class Stepper:
    """A long computation (a training run): admitted with nbytes, it steps aside each time `look` is set, and
    records what step_aside returned; `back` is set once a step aside has returned."""

    def __init__(self, admission: Admission, nbytes: int):
        self.admitted, self.look, self.back, self.release = (threading.Event() for _ in range(4))
        self.stepped: list[bool] = []
        self.error = None

        def run() -> None:
            try:
                with admission.admit(nbytes):
                    self.admitted.set()
                    while not self.release.is_set():
                        if self.look.wait(0.01):
                            self.look.clear()
                            self.stepped.append(admission.step_aside(every=0.01))
                            self.back.set()
            except BaseException as error:  # noqa: BLE001  (looked at by the test)
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.admitted.wait(GUARD)

    def step_aside(self) -> None:
        self.back.clear()
        self.look.set()

    def done(self) -> None:
        self.release.set()
        self.thread.join(GUARD)
        assert not self.thread.is_alive() and self.error is None, self.error


def test_a_long_computation_lends_its_core_to_one_waiting_and_takes_a_core_again_in_turn():
    admission = Admission(cores=1, memory=100)
    long = Stepper(admission, 50)
    page = Holder(admission, 30)
    assert page.waits_with(1) and admission.core_wanted()
    long.step_aside()
    assert page.admitted.wait(GUARD)
    assert not long.back.wait(0.2)  # it waits for a core while the page computes on the one it lent
    assert admission.reserved == 80 and admission.running == 1 and admission.waiting == 1  # its memory kept
    page.done()
    assert long.back.wait(GUARD) and long.stepped == [True]
    assert admission.running == 1 and admission.waiting == 0 and admission.reserved == 50
    long.done()
    assert admission.running == admission.reserved == admission.waiting == 0 and lends_a_core(admission)


def test_with_nobody_waiting_a_long_computation_keeps_its_core():
    admission = Admission(cores=1, memory=100)
    long = Stepper(admission, 50)
    assert not admission.core_wanted()
    long.step_aside()
    assert long.back.wait(GUARD) and long.stepped == [False]
    assert admission.running == 1 and admission.waiting == 0
    long.done()


def test_a_core_is_not_lent_to_one_waiting_for_memory():
    # Lent, the core would sit idle: the page needs memory the long computation keeps while it waits.
    admission = Admission(cores=2, memory=100)
    long = Stepper(admission, 60)
    other = Holder.running(admission, 0)  # both cores taken
    page = Holder(admission, 60)
    assert page.waits_with(2) and not admission.core_wanted()
    long.step_aside()
    assert long.back.wait(GUARD) and long.stepped == [False]
    long.done()
    assert page.admitted.wait(GUARD)
    for h in (other, page):
        h.done()


def test_one_resuming_gives_way_to_a_new_computation_and_passes_one_waiting_for_memory():
    admission = Admission(cores=1, memory=100)
    long = Stepper(admission, 50)
    first = Holder(admission, 10)
    assert first.waits_with(1)
    long.step_aside()
    assert first.admitted.wait(GUARD)
    second = Holder(admission, 10)  # asked after the long one stepped aside: it still comes first
    big = Holder(admission, 60)  # 50 + 60 > 100 while the long one keeps its memory
    assert big.waits_with(3)
    first.done()
    assert second.admitted.wait(GUARD) and not long.back.is_set()
    second.done()
    assert long.back.wait(GUARD)  # past the big one, which waits for the memory the long one holds
    assert not big.admitted.is_set()
    long.done()
    assert big.admitted.wait(GUARD)
    big.done()


@pytest.mark.parametrize("share, first", [(0.9, "page"), (1.1, "long")])
def test_one_resuming_takes_its_core_back_from_pages_in_line_as_its_ratio_grows(share, first):
    """A long computation that lent its core asks for it back as one of a SLICE's work, ranked with the pages in
    line: it passes a page of work V that has waited longer than it once (w + SLICE) / SLICE > (u + V) / V. It
    once waited until no page was in line: a race under three sessions' stream of pages had 2 % of a core.
    Here a page of V = 1 s asks at 0 and the long one steps aside at a = 2 s: they are equal at
    T = V a / (V - SLICE)."""
    clock = Clock()
    admission = Admission(cores=1, memory=100, clock=clock)
    order: list[str] = []
    long = Stepper(admission, 10)
    quick = Holder(admission, 0, order, "quick", work=2 * PASSING_WORK)  # takes the lent core
    page = Holder(admission, 0, order, "page", work=1.0)
    assert page.waits_with(2)
    clock.now = 2.0
    long.step_aside()
    assert quick.admitted.wait(GUARD)
    clock.now = share * 1.0 * 2.0 / (1.0 - SLICE)
    quick.done()
    assert until(lambda: long.back.is_set() or page.admitted.is_set())
    assert (long.back.is_set(), page.admitted.is_set()) == (first == "long", first == "page")
    if first == "long":
        assert long.stepped == [True]
        long.done()
        page.done()
    else:
        page.done()
        assert long.back.wait(GUARD)
        long.done()
    assert admission.running == admission.reserved == admission.waiting == 0


def test_two_long_computations_lend_one_core_to_one_waiting():
    admission = Admission(cores=2, memory=100)
    longs = [Stepper(admission, 10) for _ in range(2)]
    page = Holder(admission, 10)
    assert page.waits_with(2)
    longs[0].step_aside()
    assert page.admitted.wait(GUARD)
    longs[1].step_aside()  # the page has its core: nobody waits for one now
    assert longs[1].back.wait(GUARD) and longs[1].stepped == [False]
    page.done()
    assert longs[0].back.wait(GUARD) and longs[0].stepped == [True]
    for long in longs:
        long.done()
    assert admission.running == admission.reserved == 0


class NoteSaid:
    """A stand-in for computing.Note that keeps every line it is told."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def clear(self) -> None:
        pass


@pytest.mark.slow
@pytest.mark.parametrize("others", [0, 2])
def test_a_page_s_own_networks_are_not_others_computations(others):
    """A teacher alone on the server read "Waiting for 1 other computation": of a page's six networks, each queued
    behind the one running was counted as waiting for another's. While one of the page's networks runs the note says
    computing; where all of them wait, the first in line's count, which holds only other pages' computations."""
    from views.computing import compute

    running, release = threading.Event(), threading.Event()

    def first(waiting):  # runs at once where no others are ahead; else waits behind them
        if others:
            waiting(others)
            assert release.wait(GUARD)
        waiting(0)
        running.set()
        assert release.wait(GUARD)
        return "first"

    def second(waiting):  # in line behind the first, and behind the others
        waiting(others + 1)
        assert release.wait(GUARD)
        waiting(0)
        return "second"

    note = NoteSaid()
    done = []
    page = threading.Thread(target=lambda: done.append(compute(note, "en", [first, second])), daemon=True)
    page.start()
    if not others:
        assert running.wait(GUARD)
    time.sleep(0.5)  # the note is told every 0.1 s
    release.set()
    page.join(GUARD)
    assert done == [["first", "second"]]
    waiting = [text for text in note.said if text != summary.computing_note("en", 0, previous=False)]
    if others:
        assert waiting and set(waiting) == {summary.computing_note("en", others, previous=False)}, note.said
    else:
        assert waiting == [], note.said
