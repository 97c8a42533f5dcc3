"""How fast the explorer settles in a real browser: after a slider change, and when a class opens one link at once.

    python benchmarks/bench_app.py [--repeats 12] [--class-size 30]

Starts `streamlit run streamlit_app.py` on a free loopback port and drives headless Chromium (Debian's
/usr/bin/chromium through playwright). "Settled" means: a run started after the action is over (the
server said so on the websocket, or the app's script state went to running and back), no element is marked
stale, and two animation frames have been painted after that (tests/browser_support.py).

1. Slider, new configuration: the width slider moved one step with the keyboard (500 -> 501 -> ...), so every
   value is a new default-size network the server has not computed yet. The first move after the page has
   loaded is reported apart: it also pays what a page does once (the browser compiling its update paths).
2. Slider, computed configuration: the same slider moved back over values already computed.
3. A class opening one link, on the server: N sessions open the same not-yet-computed link at the same
   moment, each speaking Streamlit's own websocket protocol exactly as a browser does (connect, ask for a run
   with the link's query string, receive every element until the run has finished). The figure is the time
   until the last session has its whole page; each is checked for its elements and for an exception. Drawing
   the page happens on each student's own computer, so it is measured apart:
4. One browser page opening a computed link (load, run, draw), and M real Chromium pages opening one new link
   at once, each checked for an exception. On this machine those M pages share its cores with the server,
   which 30 laptops in a classroom do not.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRA: list[str] = []
sys.path.insert(0, str(ROOT))

from tests.browser_support import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, COUNT_RUNS, SETTLE_AFTER, SETTLED, WATCH_STATE, free_port,
)


@contextlib.contextmanager
def serve(port: int | None = None):
    """`streamlit run streamlit_app.py` on a free loopback port; yields its base URL."""
    port = port or free_port()
    log = open(os.devnull, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *EXTRA],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def open_settled(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=60_000)
    page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)


def slider_times(page, base: str, repeats: int) -> tuple[float, list[float], list[float]]:
    """Settle times (ms) after moving the width slider: the first move after the page loaded, then moves to
    new values, then moves back over computed ones."""
    open_settled(page, f"{base}/?step=2")
    thumb = page.get_by_role("slider", name="Width n (units per layer)")

    def move(key: str) -> float:
        thumb.focus()
        t0 = page.evaluate(WATCH_STATE)
        thumb.press(key)
        ms = page.evaluate(SETTLE_AFTER, t0)
        if ms < 0:
            raise RuntimeError(f"the page did not settle within a minute after {key}")
        return ms

    first = move("ArrowRight")  # pays what a page does once: the browser compiling the update paths
    new = [move("ArrowRight") for _ in range(repeats)]
    cached = [move("ArrowLeft") for _ in range(repeats)]
    return first, new, cached


async def _session(base: str, query: str) -> tuple[float, int, int]:
    """One browser's worth of traffic: ms until its run finished, elements received, exceptions among them."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    async with websockets.connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None) as ws:
        ask = BackMsg()
        ask.rerun_script.query_string = query
        ask.rerun_script.page_script_hash = ""
        await ws.send(ask.SerializeToString())
        elements = exceptions = 0
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                elements += 1
                exceptions += msg.delta.new_element.WhichOneof("type") == "exception"
            elif kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return (time.perf_counter() - start) * 1000, elements, exceptions


def class_on_server(base: str, size: int, query: str) -> list[tuple[float, int, int]]:
    """`size` sessions opening one link at the same moment."""
    async def crowd():
        return await asyncio.gather(*(_session(base, query) for _ in range(size)))

    # in a thread of its own: playwright's sync API keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, crowd()).result()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=12, help="slider moves and page loads per measurement")
    parser.add_argument("--class-size", type=int, default=30, help="sessions opening one link at once")
    parser.add_argument("--browser-pages", type=int, default=6, help="real Chromium pages opening one link at once")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    fresh = int(time.time()) % 100_000 + 1  # seeds nobody has used on this server yet
    with serve() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.add_init_script(COUNT_RUNS)
        first, new, cached = slider_times(page, base, args.repeats)
        page.close()
        server = class_on_server(base, args.class_size, f"step=6&seed={fresh}")
        server_again = class_on_server(base, args.class_size, f"step=6&seed={fresh}")
        loads = page_load(browser, base, f"step=6&seed={fresh}", args.repeats)
        pages, failed = class_in_browser(browser, base, args.browser_pages, f"step=3&seed={fresh}")
        browser.close()

    def line(name: str, ms: list[float]) -> str:
        return f"{name:<52} median {statistics.median(ms):6.0f} ms   max {max(ms):6.0f} ms   (n={len(ms)})"

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'slider, first move after the page loaded (browser)':<52} {first:13.0f} ms")
    print(line("slider -> new default-size network (browser)", new))
    print(line("slider -> network already computed (browser)", cached))
    for name, runs in ((f"{args.class_size} sessions open one new link at once (server)", server),
                       (f"{args.class_size} sessions open it again (server)", server_again)):
        print(line(name, [ms for ms, _, _ in runs]))
        print(f"{'':<52} elements per page {sorted({n for _, n, _ in runs})}, "
              f"exceptions {sum(e for _, _, e in runs)}")
    print(line("one browser page opens a computed link", loads))
    print(line(f"{args.browser_pages} Chromium pages open one new link at once", pages))
    print(f"{'':<52} pages with an exception or error: {failed}")


if __name__ == "__main__":
    main()
