"""A class's faults against a real `streamlit run` server: a browser killed in the middle of a race and connections
dropped while their pages compute leave the server serving every other page, and the work of the pages that left
stops (views/live.py for a race, views/computing.session_gone for a page's networks)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM_ARGS, CHROMIUM, EXCEPTION, app_session, streamlit_server, visit, \
    watched_page
from views.text import t
from views.tour import STEPS

pytestmark = pytest.mark.slow  # real servers and browsers, and work that must be seen to stop: seconds a test

GRACE = 2.0  # seconds a race's page may be away before the race stops, on the test's server
# The server with views.live.GONE_AFTER (30 s in the app: a dropped connection reconnects within it) set to GRACE.
SHORT_GRACE = ("import runpy, sys, views.live as live; "
               f"live.GONE_AFTER = {GRACE}; sys.argv = ['streamlit', *sys.argv[1:]]; "
               "runpy.run_module('streamlit', run_name='__main__')")
TICKS = os.sysconf("SC_CLK_TCK")
# Processes are idle when they use less than this share of one core over WINDOW: a worker waiting for a task, or a
# server with no page to compute, uses a few clock ticks at most, where one computing gets a share of the cores
# however loaded the machine is (0.2 of a core each at a load of 10 on 2 cores).
IDLE = 0.025
WINDOW = 2.0  # seconds


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command's name (state first), or None once the process has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's training workers)."""
    return [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat") if (_stat(int(p.parent.name)) or
                                                                               ["", "0"])[1] == str(pid)]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the processes have used so far (those gone count nothing)."""
    return sum((int(f[11]) + int(f[12])) / TICKS for f in map(_stat, pids) if f is not None)


def busy_share(pids: list[int], window: float = WINDOW) -> float:
    """The share of one core the processes use over the next `window` seconds."""
    before = cpu_seconds(pids)
    time.sleep(window)
    return (cpu_seconds(pids) - before) / window


def goes_idle(pids: list[int], within: float) -> bool:
    """Whether the processes' use falls below IDLE of a core over a WINDOW within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if busy_share(pids) < IDLE:
            return True
    return False


def chromium_pids() -> set[int]:
    """This test process's Chromium processes: those under it (through Playwright's driver), not another pytest
    worker's or another program's, which may start and end meanwhile."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"chromium" in cmdline.read_bytes().split(b"\0", 1)[0]:
                found.add(int(cmdline.parent.name))
        except OSError:
            pass
    return {pid for pid in found if os.getpid() in ancestors(pid)}


def ancestors(pid: int) -> list[int]:
    """The process's parent, its parent's parent, ..., up to the first process (empty once it has gone)."""
    chain = []
    while (fields := _stat(pid)) is not None and int(fields[1]) > 0:
        pid = int(fields[1])
        chain.append(pid)
    return chain


def healthy(base: str) -> bool:
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as response:
        return response.status == 200


def serves_a_tour_step(browser, base: str) -> None:
    """A new visitor gets step 2's whole page, without an exception."""
    with watched_page(browser) as page:
        visit(page, f"{base}/?step=2", charts=3)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("h1").first.inner_text() == f"Step 2 of {len(STEPS)} · " + t("en", "step_2")


def test_a_browser_killed_in_a_race_leaves_the_server_serving_and_the_race_stops(browser):
    # 10,000 steps of a 10 x 120 race: about 40 times the default race's work, minutes on two cores; it is allowed
    # (views.training.WORK_LIMIT), so nothing but its page going away can end it within the minute below.
    query = "step=custom&depth=10&width=120&init=xavier_normal&activation=tanh&tab=training&steps=10000"
    with streamlit_server(start=("-c", SHORT_GRACE)) as (base, server):
        before = chromium_pids()
        victim = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        its_processes = chromium_pids() - before
        page = visit(victim.new_page(), f"{base}/?{query}", charts=0)
        page.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click()
        page.wait_for_selector("[data-testid='stProgress']", timeout=90_000)
        workers = children(server)
        assert workers and busy_share(workers) > 3 * IDLE  # the race computes in the server's worker processes
        for pid in its_processes:  # the laptop's lid shut mid-race: no goodbye on the websocket
            with contextlib.suppress(ProcessLookupError):  # a helper process of Chromium's that has ended meanwhile
                os.kill(pid, signal.SIGKILL)
        serves_a_tour_step(browser, base)
        assert healthy(base)
        assert goes_idle(workers, within=60), "the race went on after its page had gone"
        assert set(workers) <= set(children(server))  # stopped, not killed: the pool stays for the next race


async def _drop_while_computing(base: str, queries: list[str], after: float) -> None:
    """Open each link's page at once and drop every connection `after` seconds later, without a closing handshake."""
    async def one(query: str) -> None:
        async with app_session(base, query) as ws:
            await asyncio.sleep(after)
            ws.transport.abort()

    await asyncio.gather(*(one(q) for q in queries))


def _run(coroutine) -> None:
    """asyncio.run in a thread of its own: playwright's sync API keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


async def _whole_page(base: str, query: str) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with app_session(base, query) as ws:
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
            if msg.WhichOneof("type") == "script_finished" and \
                    msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:  # not a run cut short for a rerun
                return


def test_connections_dropped_while_their_pages_compute_leave_the_server_serving_and_their_work_stops(browser):
    # A network of seconds (30 x 1024, a batch of 1000): one page's whole work is measured, then two more pages
    # of it (new seeds) are opened and dropped. Their work must stop: together less than one whole page's.
    heavy = "step=custom&depth=30&width=1024&batch=1000&init=xavier_normal&activation=tanh&seed={}"
    with streamlit_server() as (base, server):
        start = cpu_seconds([server])
        _run(_whole_page(base, heavy.format(1)))
        whole = cpu_seconds([server]) - start
        start = cpu_seconds([server])
        _run(_drop_while_computing(base, [heavy.format(2), heavy.format(3)], after=0.5))
        assert goes_idle([server], within=60), "the server kept computing for pages that had gone"
        dropped = cpu_seconds([server]) - start
        assert dropped < whole, (dropped, whole)
        assert healthy(base)
        serves_a_tour_step(browser, base)
