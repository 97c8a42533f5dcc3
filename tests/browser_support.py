"""What the browser tests and benchmarks/bench_app.py share: how to launch Chromium and tell that a run has settled."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; a browser is never downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# The address bar's suggestion popups, WebUI pages that Chromium 156 opens in a renderer of their own for every window,
# headless too, where no address bar is ever typed in: they took a quarter of the browser's CPU over a visit of the
# page (docs/performance.md, "Tests").
UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")
# The texts the selector finds, each as its lines' texts: its characters grouped by the line their box stands in
TEXT_LINES = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
    const lines = [], walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
            const r = range.getBoundingClientRect();
            if (!r.height) continue;
            const middle = (r.top + r.bottom) / 2;
            let line = lines.find((l) => l.top <= middle && middle <= l.bottom);
            if (!line) { line = {top: r.top, bottom: r.bottom, text: ""}; lines.push(line); }
            line.text += node.data[i];
        }
    }
    return lines.sort((a, b) => a.top - b.top).map((l) => l.text); })"""
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                       "Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}

# Added to a page before it loads (context.add_init_script): counts the runs the server reports over, and notes when
# the last report arrived (window.__finishedAt, performance.now() ms). That
# report is a ForwardMsg whose only field is session_status_changed (9) with script_is_running false: the
# two bytes 0x4a 0x00. A run fast enough to be drawn in one frame may never show the "running" state, so
# the script-state attribute alone can miss it.
COUNT_RUNS = """(() => {
  window.__finishedRuns = 0;
  const finished = () => {
    window.__finishedRuns += 1;
    window.__finishedAt = performance.now();  // when the server's word that a run ended arrived
    // the page may not change after it: check again once the frame that draws the run's end is done
    requestAnimationFrame(() => setTimeout(() => window.__checkSettled && window.__checkSettled(), 0));
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const data = event.data;
        if (data instanceof ArrayBuffer && data.byteLength === 2) {
          const bytes = new Uint8Array(data);
          if (bytes[0] === 0x4a && bytes[1] === 0) { finished(); }
        }
      });
    }
  };
})();"""

# Call before the action: notes whether the app runs after it (window.__ran), watching its script state and,
# when COUNT_RUNS is installed, the runs finished since. Returns the start time.
WATCH_STATE = """() => {
  window.__ran = false;
  window.__runsBefore = window.__finishedRuns;
  if (!window.__watching) {
    window.__watching = true;
    const app = document.querySelector("[data-testid='stApp']");
    // a fast run can go running -> notRunning within one batch of records: read each record's old value too
    new MutationObserver((records) => {
      if (app.getAttribute('data-test-script-state') === 'running'
          || records.some((r) => r.oldValue === 'running')) { window.__ran = true; }
    }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  }
  return performance.now();
}"""
# Resolves when a run that started after t0 has finished, nothing is stale, and two frames have been painted
# (-1 after a minute without, leaving in window.__unsettled what it last saw: UNSETTLED). It checks on DOM changes and
# finished runs, with a slow poll as a safety net, rather than polling fast: that would take CPU from the page and the
# server it measures.
SETTLE_AFTER = """(t0) => new Promise((resolve) => {
  const app = document.querySelector("[data-testid='stApp']");
  let over = false, frames = null;
  const seen = () => ({ran: window.__ran || (window.__finishedRuns ?? 0) > (window.__runsBefore ?? 0),
                       state: app.getAttribute('data-test-script-state'),
                       stale: document.querySelectorAll("[data-stale='true']").length, frames,
                       visibility: document.visibilityState, address: location.search});
  const end = (ms) => {
    if (over) return;
    over = true; observer.disconnect(); clearTimeout(timer); clearInterval(poll);
    window.__unsettled = ms < 0 ? seen() : null;
    resolve(ms);
  };
  const check = () => {
    const now = seen();
    if (now.ran && now.state === 'notRunning' && !now.stale) {
      observer.disconnect();
      clearInterval(poll);
      window.__checkSettled = null;
      frames = 'settled, waiting for two painted frames';
      requestAnimationFrame(() => requestAnimationFrame(() => end(performance.now() - t0)));
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   attributeFilter: ['data-test-script-state', 'data-stale']});
  const timer = setTimeout(() => end(-1), 60000);
  const poll = setInterval(check, 50);
  window.__checkSettled = check;
  check();
})"""
# What SETTLE_AFTER last saw when it gave up: whether a run was seen, the script's state, how many elements stayed
# stale, whether the page had settled and waited only for frames, the page's visibility and its address.
UNSETTLED = "() => window.__unsettled"


# Resolves true once the boxes (and scroll widths) of the elements `selector` matches have not changed for `quiet`
# ms of painted frames, false after 30 s: charts and tables measure themselves again just after they appear or the
# window changes size. A condition to wait for, in place of a fixed pause.
STILL = """([selector, quiet]) => new Promise((resolve) => {
  const shape = () => JSON.stringify([...document.querySelectorAll(selector)].map((e) => {
    const r = e.getBoundingClientRect();
    return [r.x, r.y, r.width, r.height, e.scrollWidth];
  }));
  const start = performance.now();
  let last = shape(), since = start;
  const tick = (now) => {
    const current = shape();
    if (current !== last) { last = current; since = now; }
    if (now - since >= quiet) { resolve(true); } else if (now - start > 30000) { resolve(false); }
    else { requestAnimationFrame(tick); }
  };
  requestAnimationFrame(tick);
})"""


def wait_still(page, selector: str, quiet: float = 250) -> None:
    """Wait until what `selector` matches has stopped moving and resizing (STILL)."""
    assert page.evaluate(STILL, [selector, quiet]), f"{selector} still moving after 30 s"


def visit(page, url: str, charts: int = 1):
    """Open `url` in `page` and wait until its first run has settled with at least `charts` charts drawn, in the
    page's own fonts (a text measured in a fallback font before they load is not what a viewer sees)."""
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=90_000)
    if charts:
        page.wait_for_function(f"document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= {charts}",
                               timeout=90_000)
    page.wait_for_selector(SETTLED, timeout=90_000)
    page.evaluate("document.fonts.ready.then(() => document.fonts.status)")
    return page


def act(page, action) -> None:
    """Do something that makes the app run again, and wait until the page has settled. The page must count the app's
    runs (COUNT_RUNS, as watched_page's do): a run fast enough to be drawn in one frame never shows the "running"
    state, and an uncounted page would wait for it a minute."""
    assert page.evaluate("() => window.__finishedRuns !== undefined"), "act on a page that does not count runs"
    t0 = page.evaluate(WATCH_STATE)
    action()
    assert page.evaluate(SETTLE_AFTER, t0) >= 0, f"the page did not settle within a minute: {page.evaluate(UNSETTLED)}"


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def option(page, group: str, index: int):
    """The index-th option of the radio group labelled `group` (its label: a radio's caption selects nothing)."""
    return page.locator("[data-testid='stRadio']").filter(has_text=group).locator(
        "[data-testid='stRadioOption']").nth(index)


def outside_viewport(page, locator) -> list[dict]:
    """The bounding boxes of the locator's elements that leave the viewport (none: all inside)."""
    size = page.viewport_size
    boxes = [locator.nth(i).bounding_box() for i in range(locator.count())]
    return [b for b in boxes if b is None or b["x"] < 0 or b["y"] < 0 or b["x"] + b["width"] > size["width"]
            or b["y"] + b["height"] > size["height"]]


# Each chart's smallest text as the screen shows it, px: a text's font size times the scale its SVG is drawn at
# (getScreenCTM), which is below 1 where a chart laid out wider or taller than its room is shrunk to fit it.
CHART_TEXT_PX = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => Math.min(
    ...[...svg.querySelectorAll('text')].filter((e) => e.textContent.trim()).map((e) => {
        const m = e.getScreenCTM();
        return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); })))"""
# The least a chart's text may be on screen, px: the ~10 px below which a phone's or a projector's labels are not
# read, with a pixel to spare (presenter mode's ReLU histograms, scaled to exactly 10 px, were reported as unread).
READABLE_PX = 11


def require_chromium() -> None:
    """Skip the test where Debian's Chromium or the playwright package is missing (a browser is never downloaded)."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian package `chromium`); browser tests need it")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@contextlib.asynccontextmanager
async def app_session(base: str, query: str):
    """A session speaking Streamlit's websocket protocol as a browser does: connected to the server at `base`
    (its http:// address), having asked for the page of `query` (a link's query string, without the "?");
    yields the websocket, whose messages are serialized ForwardMsg protos."""
    import websockets  # Streamlit's own dependency
    from streamlit.proto.BackMsg_pb2 import BackMsg

    async with websockets.connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None) as ws:
        ask = BackMsg()
        ask.rerun_script.query_string = query
        ask.rerun_script.page_script_hash = ""
        await ws.send(ask.SerializeToString())
        yield ws


@contextlib.contextmanager
def watched_page(browser, **options):
    """A page in a context of its own (1440 x 1000 unless `options` say otherwise) that counts the app's runs
    (COUNT_RUNS, for act), closed after the block."""
    context = browser.new_context(**{"viewport": {"width": 1440, "height": 1000}, **options})
    context.add_init_script(COUNT_RUNS)
    try:
        yield context.new_page()
    finally:
        context.close()


def launch(playwright):
    """Debian's Chromium through `playwright` (a sync Playwright), with the flags a closed network needs
    (CHROMIUM_ARGS) and UNUSED_FEATURES off, beside the features Playwright turns off itself.

    Chromium reads only the last --disable-features switch, so Playwright's own one, which this Playwright's release
    writes, is read off a first launch's command line (chrome://version) and replaced by one with UNUSED_FEATURES
    added."""
    first = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = first.new_page()
        page.goto("chrome://version")
        line = page.locator("#command_line").inner_text().split()
    finally:
        first.close()
    own = [arg for arg in line if arg.startswith("--disable-features=")]
    features = ",".join([*(arg.split("=", 1)[1] for arg in own), *UNUSED_FEATURES])
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--disable-features={features}"],
                                      ignore_default_args=own)


@contextlib.contextmanager
def chromium():
    """launch()'s Chromium, closed after the block."""
    from playwright import sync_api  # the browser tests skip where it is missing, before they get here

    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(port: int | None = None, env: dict | None = None, start: tuple[str, ...] | None = None,
                     timeout: float = 90):
    """`streamlit run streamlit_app.py` on a loopback port (a free one unless given), with `env` added to its
    environment; yields its base URL and its process id once /_stcore/health answers.

    start: the interpreter's arguments that run Streamlit's command line (default `-m streamlit`);
    RuntimeError when the server exits or has not answered within `timeout` seconds.
    """
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, *(start or ("-m", "streamlit")), "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# The title's box and its letters' (a range over its text), and those of the first element after it with a height:
# the network line.
TITLE_AND_NEXT = """() => {
    const h1 = document.querySelector("[data-testid='stMain'] h1");
    let next = h1.closest("[data-testid='stElementContainer']").nextElementSibling;
    while (next && next.getBoundingClientRect().height === 0) { next = next.nextElementSibling; }
    const letters = (e) => { const range = document.createRange(); range.selectNodeContents(e);
                             return range.getBoundingClientRect(); };
    return {text: h1.innerText, lines: Math.round(h1.getBoundingClientRect().height
                                                  / parseFloat(getComputedStyle(h1).lineHeight)),
            box: h1.getBoundingClientRect().bottom, letters: letters(h1).bottom,
            next_box: next.getBoundingClientRect().top, next_letters: letters(next).top,
            next_text: next.innerText.slice(0, 30)}; }"""
