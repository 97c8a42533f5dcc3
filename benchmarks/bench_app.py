"""How fast the explorer settles in a real browser, on an idle server and while other sessions compute.

    python benchmarks/bench_app.py [--repeats 12] [--background 3] [--no-training] [--class-size 30] [--browser-pages 6]
    python benchmarks/bench_app.py --memory [--memory-sessions 60] [--memory-largest 8] [--server-env NAME=VALUE]

Starts `streamlit run streamlit_app.py` on a free loopback port and drives headless Chromium (Debian's
/usr/bin/chromium through playwright). "Settled" means: a run started after the action is over (the
server said so on the websocket, or the app's script state went to running and back), no element is marked
stale, and two animation frames have been painted after that (tests/browser_support.py).

Measured twice in one run, each time on a server of its own started fresh (so the same networks are new to
both): first idle, then while --background sessions compute new networks on it without a pause (each speaks
Streamlit's websocket protocol as a browser does and opens a link to a tour step with a seed nobody has used,
over and over); printed side by side with the ratio:

1. A tour step's first visit: a step clicked in the sidebar whose network (this seed) is new to the server.
2. The Compare tab opened on networks new to the server (four or five of them), after a new seed.
3. The width slider moved one step with the keyboard (500 -> 501 -> ...): a new default-size network each
   time; and moved back over networks already computed. The first move after the page has loaded is
   reported apart: it also pays what a page does once (the browser compiling its update paths).
4. Run on the Training tab at step 2 (the lecture's 10 x 500 net, minibatch 128, five schemes of 300
   steps): until the first curves are drawn, and until the race's table is there; and the He et al. 2015
   preset until both depths' results are there (--no-training leaves both out).
For 1 and 2 the page is also watched for old charts standing under the new step's title while the new page
is computed (the longest such stretch, in ms: only the drawing of the new page itself should remain) and for
the computing note (how long it stood, if it showed).

Then, on the idle server, a class (as before):
5. A class opening one link, on the server: N sessions open the same not-yet-computed link at the same
   moment over the websocket protocol; the time until the last session has its whole page, each checked for
   its elements and for an exception. Drawing the page happens on each student's own computer, so:
6. One browser page opening a computed link (load, run, draw), and M real Chromium pages opening one new link
   at once, each checked for an exception. On this machine those M pages share its cores with the server,
   which 30 laptops in a classroom do not.

With --memory, the server's resident memory: a fresh server for each burst, 60 sessions opening 60 different
tour links at once, then 8 sessions each opening the largest network the page allows; printed: its resident
memory at the start, its peak over the burst and 5 s after it (memory_figures). During the first burst a light
session in Chromium (--light; --no-light: no browser) moves the width slider of a small network (LIGHT), each
move a new network, one after another until the burst's last page: the median and the slowest of its moves.
--server-env sets the server's environment (MALLOC_ARENA_MAX=2, INIT_EXPLORER_MEMORY_MIB=...), and
--no-keep-freed runs it without core.allocator.keep_freed_memory().
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import (  # noqa: E402
    COUNT_RUNS, SETTLE_AFTER, SETTLED, UNSETTLED, WATCH_STATE, app_session, launch, streamlit_server,
)
from views import tour  # noqa: E402
from views.text import t  # noqa: E402

STEPS = ("1", "2", "3", "4", "5", "6", "7")

# Installed before an action that should bring the page of tour step `title`: the longest stretch (ms) during
# which that title stood above charts of the previous page still marked stale and shown (not in a hidden tab),
# and the longest the computing note stood. Read back with WATCH_READ.
WATCH_PAGE = """(title) => {
  if (window.__pageWatch) { window.__pageWatch.disconnect(); }
  const w = window.__page = {staleMs: 0, noteMs: 0, staleSince: null, noteSince: null};
  const check = () => {
    const now = performance.now();
    const h1 = document.querySelector('h1');
    const stale = !!(h1 && h1.innerText.trim() === title
                     && [...document.querySelectorAll("[data-stale='true'] [data-testid='stVegaLiteChart']")]
                       .some((chart) => chart.getClientRects().length > 0));  // shown, not in a hidden tab
    if (stale && w.staleSince === null) { w.staleSince = now; }
    if (!stale && w.staleSince !== null) { w.staleMs = Math.max(w.staleMs, now - w.staleSince); w.staleSince = null; }
    const note = !!document.querySelector("[class*='st-key-computing_']");
    if (note && w.noteSince === null) { w.noteSince = now; }
    if (!note && w.noteSince !== null) { w.noteMs = Math.max(w.noteMs, now - w.noteSince); w.noteSince = null; }
  };
  window.__pageWatch = new MutationObserver(check);
  window.__pageWatch.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                             attributeFilter: ['data-stale']});
  check();
}"""
WATCH_READ = """() => { const w = window.__page; window.__pageWatch.disconnect();
  const now = performance.now();
  if (w.staleSince !== null) { w.staleMs = Math.max(w.staleMs, now - w.staleSince); }
  if (w.noteSince !== null) { w.noteMs = Math.max(w.noteMs, now - w.noteSince); }
  return [w.staleMs, w.noteMs]; }"""


def title_of(step: str) -> str:
    return tour.heading(step, "en")


@contextlib.contextmanager
def serve(port: int | None = None):
    """`streamlit run streamlit_app.py` on a free loopback port; yields its base URL."""
    with streamlit_server(port) as (base, _):
        yield base


# The server with core.allocator.keep_freed_memory() turned off, for bench --memory's comparison
WITHOUT_KEEP = ("import runpy, sys, core.allocator as a; a.keep_freed_memory = lambda: False; "
                "sys.argv = ['streamlit', *sys.argv[1:]]; runpy.run_module('streamlit', run_name='__main__')")


def open_settled(page, url: str, charts: bool = True) -> None:
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=60_000)
    if charts:
        page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)


def settle(page, action, what: str = "the action") -> float:
    """ms from the action until the page has settled."""
    t0 = page.evaluate(WATCH_STATE)
    action()
    ms = page.evaluate(SETTLE_AFTER, t0)
    if ms < 0:
        raise RuntimeError(f"the page did not settle within a minute after {what}: {page.evaluate(UNSETTLED)}")
    return ms


def watched(page, step: str, action, what: str) -> tuple[float, float, float]:
    """(settle ms, longest ms of old charts under the step's title, longest ms the computing note stood)."""
    page.evaluate(WATCH_PAGE, title_of(step))
    ms = settle(page, action, what)
    stale, note = page.evaluate(WATCH_READ)
    return ms, stale, note


def step_option(page, step: str):
    """The sidebar's radio option of a tour step (clicking its caption does not select it)."""
    return page.locator("[data-testid='stRadio']").filter(has_text=t("en", "tour")).locator(
        "[data-testid='stRadioOption']").nth(STEPS.index(step))


def new_seed(page) -> None:
    settle(page, lambda: page.get_by_role("button", name=t("en", "new_seed")).click(), "New seed")


def step_visits(page, base: str, repeats: int, seed: int) -> list[tuple[float, float, float]]:
    """Tour steps clicked for the first time with this seed; after all seven, a new seed and round again."""
    open_settled(page, f"{base}/?step=1&seed={seed}")
    settle(page, lambda: step_option(page, "2").click(), "step 2")  # pays what a page does once; not counted
    visited, out = {"1", "2"}, []
    while len(out) < repeats:
        todo = [s for s in STEPS if s not in visited]
        if not todo:
            new_seed(page)
            visited = set()
            continue
        step = todo[0]
        out.append(watched(page, step, lambda: step_option(page, step).click(), f"step {step}"))
        visited.add(step)
    return out


# A race of minutes (10,000 steps of a 10 x 120 net, five schemes; allowed by views.training.WORK_LIMIT): every
# core is held by one of its runs unless it lends it (core.admission step_aside).
LONG_RACE = "step=custom&depth=10&width=120&init=xavier_normal&activation=tanh&tab=training&steps=10000"


def steps_during_race(browser, base: str, repeats: int, seed: int) -> list[tuple[float, float, float]]:
    """step_visits while another page's long race trains (LONG_RACE, stopped afterwards)."""
    racer = browser.new_page(viewport={"width": 1440, "height": 1000})
    open_settled(racer, f"{base}/?{LONG_RACE}&seed={seed}", charts=False)
    racer.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click()
    racer.wait_for_selector("[data-testid='stProgress']", timeout=120_000)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.add_init_script(COUNT_RUNS)
    try:
        return step_visits(page, base, repeats, seed + 1)
    finally:
        page.close()
        racer.get_by_test_id("stTabs").get_by_role("button", name=t("en", "training_tab.stop"), exact=True).click()
        racer.close()


def compare_visits(page, base: str, repeats: int, seed: int) -> list[tuple[float, float, float]]:
    """The Compare tab opened on networks new to the server: a step, a new seed, then the tab (only it counted)."""
    open_settled(page, f"{base}/?step=2&seed={seed}")
    new_seed(page)  # pays what a page does once; not counted
    out = []
    for i in range(repeats):
        step = STEPS[(i + 2) % len(STEPS)]  # never the step shown: 3, 4, ..., 7, 1, 2, 3, ...
        settle(page, lambda: step_option(page, step).click(), f"step {step}")
        new_seed(page)
        out.append(watched(page, step, lambda: page.get_by_role("tab", name=t("en", "tab_compare")).click(), "Compare"))
        settle(page, lambda: page.get_by_role("tab", name=t("en", "tab_activations")).click(), "Activations")
    return out


def race_times(page, base: str, seed: int) -> tuple[float, float]:
    """Run at step 2 (10 x 500, five schemes of 300 steps): seconds until the first curves, until the table."""
    open_settled(page, f"{base}/?step=2&tab=training&seed={seed}", charts=False)
    start = time.perf_counter()
    page.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click()
    # "… ": the words just before the steps done, after the runs named ("Training He and Xavier… 27 of 1,500 ...")
    before = t("en", "training_tab.running_runs").split("{done")[0].rsplit("}", 1)[-1]
    page.wait_for_function(  # a step has been reported, and the curves are drawn from it
        f"""() => {{ const bar = document.querySelector("[data-testid='stProgress']");
                    return bar && bar.innerText.includes({before!r})
                      && /^[1-9]/.test(bar.innerText.split({before!r})[1])
                      && document.querySelectorAll("[data-testid='stVegaLiteChart'] svg").length >= 2; }}""",
        timeout=900_000, polling=100)
    curves = time.perf_counter() - start
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=1_800_000)
    return curves, time.perf_counter() - start


def he_time(page, base: str) -> float:
    """Seconds from "Run the race" of the He et al. 2015 preset until both depths' results are on the page."""
    open_settled(page, f"{base}/?step=2&tab=training", charts=False)
    start = time.perf_counter()
    page.get_by_role("button", name=t("en", "training_tab.he_run"), exact=True).click()
    said = t("en", "training_tab.he_measured", depth=30, runs="")[:-1]  # "What this app measured at depth 30:"
    page.get_by_text(said).first.wait_for(timeout=1_800_000)
    return time.perf_counter() - start


def slider_times(page, base: str, repeats: int, seed: int) -> tuple[float, list[float], list[float]]:
    """Settle times (ms) after moving the width slider: the first move after the page loaded, then moves to
    new values, then moves back over computed ones."""
    open_settled(page, f"{base}/?step=2&seed={seed}")
    thumb = page.get_by_role("slider", name="Width n (units per layer)")

    def move(key: str) -> float:
        thumb.focus()
        return settle(page, lambda: thumb.press(key), key)

    first = move("ArrowRight")  # pays what a page does once: the browser compiling the update paths
    new = [move("ArrowRight") for _ in range(repeats)]
    cached = [move("ArrowLeft") for _ in range(repeats)]
    return first, new, cached


async def _session(base: str, query: str, timeout: float = 120) -> tuple[float, int, int]:
    """One browser's worth of traffic: ms until its run finished, elements received, exceptions among them
    (`timeout`: seconds the server may stay silent)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    async with app_session(base, query) as ws:
        elements = exceptions = 0
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=timeout))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                elements += 1
                exceptions += msg.delta.new_element.WhichOneof("type") == "exception"
            elif kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return (time.perf_counter() - start) * 1000, elements, exceptions


def class_on_server(base: str, size: int, query: str | list[str], timeout: float = 120) -> list[tuple[float, int, int]]:
    """`size` sessions opening one link at the same moment, or each its own link when given a list of them."""
    queries = query if isinstance(query, list) else [query] * size

    async def crowd():
        return await asyncio.gather(*(_session(base, q, timeout) for q in queries[:size]))

    # in a thread of its own: playwright's sync API keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, crowd()).result()


class Background:
    """`sessions` websocket sessions computing new networks on the server without a pause, until stop().

    Each opens a link to a tour step with a seed nobody has used (the server first rewrites it into the whole
    address, then computes the network), waits for its whole page, and starts again with the next seed.
    """

    def __init__(self, base: str, sessions: int, seed: int) -> None:
        self.base, self.sessions, self.seed = base, sessions, seed
        self.pages = self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._all(),), daemon=True)

    async def _one(self, i: int) -> None:
        k = 0
        while not self._stop.is_set():
            step = STEPS[(i + k) % len(STEPS)]
            try:
                await _session(self.base, f"step={step}&seed={self.seed + 10_000 * i + k}")
                self.pages += 1
            except (TimeoutError, OSError, ConnectionError) as error:  # keep the load on; count it
                self.failures += 1
                self.last_failure = repr(error)
            k += 1

    async def _all(self) -> None:
        await asyncio.gather(*(self._one(i) for i in range(self.sessions)))

    def __enter__(self) -> Background:
        self.started = time.perf_counter()
        self._thread.start()
        time.sleep(2)  # every session has its first page under way
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started
        self._stop.set()
        self._thread.join(180)


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, all its threads) process `pid` has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def class_in_browser(browser, base: str, size: int, query: str) -> tuple[list[float], int]:
    """Times (ms) for `size` Chromium pages opening one link together, and how many showed an exception or error."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(size)]
    pages = [c.new_page() for c in contexts]
    start = time.perf_counter()
    for page in pages:  # returns as soon as the request is on its way
        page.goto(f"{base}/?{query}", wait_until="commit")
    done = []
    for page in pages:
        page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=300_000)
        page.wait_for_selector(SETTLED, timeout=300_000)
        done.append((time.perf_counter() - start) * 1000)
    failed = sum(page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() > 0
                 for page in pages)
    for c in contexts:
        c.close()
    return done, failed


def page_load(browser, base: str, query: str, repeats: int) -> list[float]:
    """Times (ms) for one fresh browser context to open a link the server has computed, until settled."""
    out = []
    for _ in range(repeats):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        open_settled(page, f"{base}/?{query}")
        out.append((time.perf_counter() - start) * 1000)
        context.close()
    return out


PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def resident(pid: int) -> int:
    """Bytes of a process's resident set (/proc/PID/statm)."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


def high_water(pid: int) -> int:
    """Bytes of a process's largest resident set so far (VmHWM in /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


def largest_network():
    """The network of the largest memory estimate the page computes (not refused: within the memory budget and
    the work limit): gelu in float64 (it keeps its pre-activations) at the largest batch, over every width."""
    from dataclasses import replace

    from core import DEFAULT_MEMORY_BUDGET, Config, estimate_memory
    from core.config import INT_RANGES
    from core.network import WORK_LIMIT, estimate_work

    def fits(c) -> bool:
        return estimate_memory(c) <= DEFAULT_MEMORY_BUDGET and estimate_work(c) <= WORK_LIMIT

    best = None
    for width in range(INT_RANGES["width"][0], INT_RANGES["width"][1] + 1):
        config = Config(depth=1, width=width, batch=INT_RANGES["batch"][1], activation="gelu", dtype="float64")
        if not fits(config):
            continue
        depth = max(d for d in range(1, INT_RANGES["depth"][1] + 1) if fits(replace(config, depth=d)))
        config = replace(config, depth=depth)
        if best is None or estimate_memory(config) > estimate_memory(best):
            best = config
    return best


# The light session's network during a burst: a small custom net, each width slider move a new network of
# milliseconds' work, which highest response ratio next lets pass the class's queued networks (core.admission).
LIGHT = "step=custom&depth=5&width=40&batch=64&activation=tanh&init=xavier_normal"


def light_slider(page, base: str, seed: int):
    """The width slider of a page of LIGHT, loaded and moved once (what a page pays once: the browser compiling
    its update paths)."""
    open_settled(page, f"{base}/?{LIGHT}&seed={seed}")
    thumb = page.get_by_role("slider", name="Width n (units per layer)")
    thumb.focus()
    settle(page, lambda: thumb.press("ArrowRight"), "the first move")
    return thumb


def light_moves(page, thumb, running: threading.Event) -> list[tuple[float, float]]:
    """(settled, answered) ms of moves of the light session's width slider, each to a new network, one after
    another from when `running` is set (within a minute) while it stays set: until the page has settled (drawn,
    on the cores the server uses too), and until the server's word that the run ended reached the page (the
    server's answer, before the browser draws it)."""
    running.wait(60)
    times = []
    while running.is_set():
        thumb.focus()
        t0 = page.evaluate(WATCH_STATE)
        thumb.press("ArrowRight")
        settled = page.evaluate(SETTLE_AFTER, t0)
        if settled < 0:
            raise RuntimeError(f"the page did not settle within a minute after a move: {page.evaluate(UNSETTLED)}")
        times.append((settled, page.evaluate("() => window.__finishedAt") - t0))
    return times


def memory_burst(queries: list[str], env: dict, keep_freed: bool, timeout: float, browser=None) -> dict:
    """Resident memory of a fresh server while len(queries) sessions open those links at the same moment, and
    with a browser, a light session's slider moves meanwhile (light_slider; "light" in ms).

    The server first opens one small link (its modules imported, one network computed); "start" is its resident
    memory then, "peak" its high-water mark over the burst (VmHWM, and a sample every 20 ms), "after" its
    resident memory 5 s after the last page (idle, nothing running)."""
    with streamlit_server(env=env, start=None if keep_freed else ("-c", WITHOUT_KEEP)) as (base, pid):
        class_on_server(base, 1, "step=1&seed=0")
        start, peak, done, running = resident(pid), [0], threading.Event(), threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], resident(pid))
                time.sleep(0.02)

        def burst() -> list[tuple[float, int, int]]:
            running.set()
            try:
                return class_on_server(base, len(queries), queries, timeout=timeout)
            finally:
                running.clear()

        page = None if browser is None else browser.new_page(viewport={"width": 1440, "height": 1000})
        if page is not None:
            page.add_init_script(COUNT_RUNS)  # the runs' ends, and when the last one's word came (light_moves)
        thumb = None if page is None else light_slider(page, base, int(time.time()))
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            runs = pool.submit(burst)
            light = [] if page is None else light_moves(page, thumb, running)
            runs = runs.result()
        if page is not None:
            page.close()
        seconds = time.perf_counter() - began
        done.set()
        watcher.join()
        time.sleep(5)
        return {"start": start, "peak": max(peak[0], high_water(pid)), "after": resident(pid), "seconds": seconds,
                "slowest": max(ms for ms, _, _ in runs) / 1000, "exceptions": sum(e for _, _, e in runs),
                "elements": sorted({n for _, n, _ in runs}), "light": light}


def memory_figures(sessions: int, largest: int, env: dict, keep_freed: bool, seed: int, light: bool = False) -> None:
    """Print the server's resident memory for the two bursts of the capacity goal: `sessions` sessions opening
    different tour links, and `largest` sessions each opening the largest network the page allows (new seeds);
    with `light`, a light session's slider moves during the first burst (memory_burst)."""
    from urllib.parse import urlencode

    from core import estimate_memory
    from core.allocator import MMAP_BYTES, TRIM_BYTES
    from views import urlstate

    big = largest_network()
    state = {**urlstate.state_of(big), "step": tour.CUSTOM}
    big_query = {k: v for k, v in urlstate.to_query(state, ["activations"]).items() if k != "seed"}
    bursts = {
        f"{sessions} sessions open {sessions} different tour links": [
            f"step={1 + i % len(tour.STEPS)}&seed={seed + i}" for i in range(sessions)],
        f"{largest} sessions each open the largest network ({big.depth} x {big.width}, batch {big.batch}, "
        f"{big.activation}, {big.dtype}: {estimate_memory(big) / 2**20:,.0f} MiB)": [
            urlencode({**big_query, "seed": seed + i}, doseq=True) for i in range(largest)],
    }
    settings = ", ".join(f"{k}={v}" for k, v in env.items()) or "none"
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before; environment: {settings}; "
          "keep_freed_memory: " + (f"on (mmap from {MMAP_BYTES >> 20} MiB, trim above {TRIM_BYTES >> 20} MiB)"
                                    if keep_freed else "off (glibc's own thresholds and arenas)"))
    mib = 2**20
    with contextlib.ExitStack() as stack:
        browser = None
        if light:
            from playwright.sync_api import sync_playwright

            browser = launch(stack.enter_context(sync_playwright()))
        for name, queries in bursts.items():
            if not queries:  # --memory-sessions 0 or --memory-largest 0: that burst left out
                continue
            f = memory_burst(queries, env, keep_freed, timeout=1800, browser=browser)
            browser = None  # the first burst only
            print(f"{name}: resident {f['start'] / mib:,.0f} MiB at the start, peak {f['peak'] / mib:,.0f} MiB, "
                  f"{f['after'] / mib:,.0f} MiB after; {f['seconds']:.0f} s, slowest page {f['slowest']:.1f} s, "
                  f"elements per page {f['elements']}, exceptions {f['exceptions']}", flush=True)
            if f["light"]:
                settled, answered = zip(*f["light"])
                print(f"  meanwhile a light session ({LIGHT}) moved its width slider {len(settled)} times: "
                      f"settled in a median {statistics.median(settled):,.0f} ms, slowest {max(settled):,.0f} ms "
                      f"(target: median 400 ms); the server's answer in a median {statistics.median(answered):,.0f}"
                      f" ms, slowest {max(answered):,.0f} ms (the rest is the browser drawing it on the same two "
                      "cores)", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} after")


def measure(browser, base: str, repeats: int, seed: int, training: bool) -> dict:
    """Every per-click figure of one phase (idle or loaded), on networks new to the server (seeds from `seed`)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.add_init_script(COUNT_RUNS)
    out = {"steps": step_visits(page, base, repeats, seed), "compare": compare_visits(page, base, repeats, seed + 1)}
    out["first"], out["new"], out["cached"] = slider_times(page, base, repeats, seed + 2)
    if training:
        out["race"] = race_times(page, base, seed + 3)
        out["he"] = he_time(page, base)
    page.close()
    if training:
        out["during race"] = steps_during_race(browser, base, repeats, seed + 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=12, help="clicks, slider moves and page loads per measurement")
    parser.add_argument("--background", type=int, default=3,
                        help="sessions computing new networks during the loaded measurements (0: idle only)")
    parser.add_argument("--training", action=argparse.BooleanOptionalAction, default=True,
                        help="time Run at the lecture's size and the He et al. 2015 preset (minutes under load)")
    parser.add_argument("--class-size", type=int, default=30, help="sessions opening one link at once (0: no class)")
    parser.add_argument("--browser-pages", type=int, default=6, help="real Chromium pages opening one link at once")
    parser.add_argument("--memory", action="store_true",
                        help="only the server's resident memory: --memory-sessions sessions opening different tour "
                             "links, then --memory-largest sessions each opening the largest network (no browser)")
    parser.add_argument("--memory-sessions", type=int, default=60)
    parser.add_argument("--light", action=argparse.BooleanOptionalAction, default=True,
                        help="with --memory: a light session in Chromium moves a slider during the first burst")
    parser.add_argument("--memory-largest", type=int, default=8)
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="set in the server's environment (e.g. MALLOC_ARENA_MAX=2); repeatable")
    parser.add_argument("--keep-freed", action=argparse.BooleanOptionalAction, default=True,
                        help="the app's core.allocator.keep_freed_memory() (off: glibc's own thresholds)")
    args = parser.parse_args()
    fresh = int(time.time()) % 100_000 * 100 + 1  # seeds nobody has used yet
    if args.memory:
        env = dict(item.split("=", 1) for item in args.server_env)
        memory_figures(args.memory_sessions, args.memory_largest, env, args.keep_freed, fresh, args.light)
        return
    from playwright.sync_api import sync_playwright

    phases = {"idle": 0, **({f"{args.background} computing": args.background} if args.background else {})}
    figures, background = {}, None
    with sync_playwright() as p:
        browser = launch(p)
        for phase, sessions in phases.items():
            with serve() as base:  # a server of its own: the same networks (seeds) are new again
                if sessions:
                    with Background(base, sessions, fresh + 10_000_000) as background:
                        figures[phase] = measure(browser, base, args.repeats, fresh, args.training)
                else:
                    figures[phase] = measure(browser, base, args.repeats, fresh, args.training)
        if args.class_size:
            with streamlit_server() as (base, pid):
                server = class_on_server(base, args.class_size, f"step=6&seed={fresh}")
                server_again = class_on_server(base, args.class_size, f"step=6&seed={fresh}")
                # a class where everyone changed the seed: a tour step each, every network new
                cpu, start = cpu_seconds(pid), time.perf_counter()
                different = class_on_server(base, args.class_size, [
                    f"step={1 + i % len(tour.STEPS)}&seed={fresh + 1000 + i}" for i in range(args.class_size)])
                different_cpu = (cpu_seconds(pid) - cpu, time.perf_counter() - start)
                loads = page_load(browser, base, f"step=6&seed={fresh}", args.repeats)
                pages, failed = class_in_browser(browser, base, args.browser_pages, f"step=3&seed={fresh}")
        browser.close()
    idle, loaded = figures["idle"], figures.get(f"{args.background} computing")

    def figure(ms: list[float]) -> str:
        return f"{statistics.median(ms):6.0f} ({max(ms):5.0f})"

    def row(name: str, target: str, pick) -> None:
        cells = [figure(pick(idle))]
        if loaded is not None:
            base_ms = statistics.median(pick(idle))
            ratio = f"{statistics.median(pick(loaded)) / base_ms:5.2f}" if base_ms > 0 else "—"
            cells += [figure(pick(loaded)), ratio]
        print(f"{name:<46} {target:>8}   " + "   ".join(f"{c:>14}" for c in cells))

    def line(name: str, ms: list[float]) -> str:
        return f"{name:<52} median {statistics.median(ms):6.0f} ms   max {max(ms):6.0f} ms   (n={len(ms)})"

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    head = ["idle", f"{args.background} computing", "ratio"] if loaded is not None else ["idle"]
    print(f"{'ms, median (max)':<46} {'target':>8}   " + "   ".join(f"{h:>14}" for h in head))
    row(f"tour step, first visit (n={args.repeats})", "1000", lambda m: [ms for ms, _, _ in m["steps"]])
    row(f"Compare tab, new networks (n={args.repeats})", "2000", lambda m: [ms for ms, _, _ in m["compare"]])
    row(f"width slider -> new network (n={args.repeats})", "400", lambda m: m["new"])
    row(f"width slider -> computed network (n={args.repeats})", "150", lambda m: m["cached"])
    row("width slider, first move after a page load", "", lambda m: [m["first"]])
    for name, part in (("tour step", "steps"), ("Compare", "compare")):
        row(f"{name}: old charts shown under the new title", "", lambda m: [s for _, s, _ in m[part]])
        row(f"{name}: computing note in the page", "", lambda m: [n for _, _, n in m[part]])
    if args.training:
        row("Run at step 2 (10 x 500): first curves", "", lambda m: [1000 * m["race"][0]])
        row("Run at step 2 (10 x 500): whole race", "", lambda m: [1000 * m["race"][1]])
        row("He et al. 2015 preset, both depths", "", lambda m: [1000 * m["he"]])
        row(f"tour step, first visit, during a long race (n={args.repeats})", "1000",
            lambda m: [ms for ms, _, _ in m["during race"]])
    if background is not None:
        print(f"background: {args.background} sessions opened {background.pages} new pages in "
              f"{background.seconds:.0f} s ({background.pages / background.seconds:.1f} a second); "
              f"{background.failures} did not finish"
              + (f" (the last: {background.last_failure})" if background.failures else ""))
    if not args.class_size:
        return
    print()
    for name, runs in ((f"{args.class_size} sessions open one new link at once (server)", server),
                       (f"{args.class_size} sessions open it again (server)", server_again),
                       (f"{args.class_size} sessions open {args.class_size} different new links", different)):
        print(line(name, [ms for ms, _, _ in runs]))
        print(f"{'':<52} elements per page {sorted({n for _, n, _ in runs})}, "
              f"exceptions {sum(e for _, _, e in runs)}")
    cpu, wall = different_cpu
    print(f"{'':<52} the server's CPU over the different links: {cpu:.1f} s in {wall:.1f} s "
          f"({cpu / wall:.2f} of {os.cpu_count()} cores busy; no page can end before {cpu / os.cpu_count():.1f} s)")
    print(line("one browser page opens a computed link", loads))
    if pages:
        print(line(f"{args.browser_pages} Chromium pages open one new link at once", pages))
    print(f"{'':<52} pages with an exception or error: {failed}")


if __name__ == "__main__":
    main()
