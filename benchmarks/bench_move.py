"""Where a slider move's time goes: the server's script and messages, and the browser's drawing.

    python benchmarks/bench_move.py [--moves 20] [--query "step=2&seed=5"] [--new] [--profile]

Starts `streamlit run streamlit_app.py` on a free loopback port, opens `query` in headless Chromium (as
benchmarks/bench_app.py does) and moves the width slider with the keyboard: back and forth over two networks the
server has computed (a move that computes nothing: what is left is Streamlit's and the browser's own work), or with
--new one step further each time (a new network each move). For each kind of move, medians over --moves:

- settled: from the key press until the page has settled (tests/browser_support.py's SETTLE_AFTER);
- the server's first and last message after the key press, the messages and their KiB (each element the script
  writes is a message of its own), and the server's CPU time a move (all its threads, /proc/PID/stat);
- the browser after the last message: settled minus the last message;
- the tab panel's searches for a tabbable child: react-aria's useTabPanel watches the open tab's subtree and, on
  every change to it, walks it for a focusable element (TreeWalker.nextNode, wrapped here to count them and their
  time); each walk asks for the element's visibility, which makes the browser bring its styles up to date.

--profile adds the browser's CPU profile over the moves (Chrome DevTools Protocol, Profiler): self time a move by
script file, the largest first. Figures and how they were taken: docs/performance.md, "Where a move's time goes".
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import (  # noqa: E402
    COUNT_RUNS, SETTLE_AFTER, WATCH_STATE, launch, streamlit_server, visit,
)

# Added before the page loads: the time (performance.now) and size of every websocket message, and every
# TreeWalker.nextNode call with its duration, by the role of the walker's root.
LOG = """(() => {
  window.__messages = [];
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => window.__messages.push([performance.now(), e.data.byteLength ?? 0]));
    }
  };
  window.__walks = {count: 0, ms: 0};
  const next = TreeWalker.prototype.nextNode;
  TreeWalker.prototype.nextNode = function () {
    const start = performance.now();
    const node = next.call(this);
    if (this.root.getAttribute && this.root.getAttribute('role') === 'tabpanel') {
      window.__walks.count += 1;
      window.__walks.ms += performance.now() - start;
    }
    return node;
  };
})()"""
RESET = "() => { window.__messages = []; window.__walks = {count: 0, ms: 0}; }"
READ = "() => [window.__messages, window.__walks]"


def cpu_ms(pid: int) -> float:
    """The process's user + system CPU time, all threads, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def moves(page, pid: int, keys: list[str]) -> dict[str, list[float]]:
    """Per move: settled, first and last message (ms after the key press), messages, KiB, server CPU ms, tab
    panel walks and their ms."""
    thumb = page.get_by_role("slider", name="Width n (units per layer)")
    out = collections.defaultdict(list)
    for key in keys:
        thumb.focus()
        page.evaluate(RESET)
        cpu = cpu_ms(pid)
        t0 = page.evaluate(WATCH_STATE)
        thumb.press(key)
        settled = page.evaluate(SETTLE_AFTER, t0)
        messages, walks = page.evaluate(READ)
        out["settled"].append(settled)
        out["first message"].append(messages[0][0] - t0)
        out["last message"].append(messages[-1][0] - t0)
        out["browser after the last message"].append(settled - (messages[-1][0] - t0))
        out["messages"].append(len(messages))
        out["KiB"].append(sum(size for _, size in messages) / 1024)
        out["server CPU ms"].append(cpu_ms(pid) - cpu)
        out["tab panel walks"].append(walks["count"])
        out["tab panel walks, ms"].append(walks["ms"])
    return out


def by_script(profile: dict, count: int) -> list[tuple[str, float]]:
    """A CPU profile's self time a move (ms) by script file (or V8's own entries: program, idle, GC)."""
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    total = collections.Counter()
    for node, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[node]
        total[frame["url"].rpartition("/")[2] or frame["functionName"]] += delta / 1000 / count
    return total.most_common(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--query", default="step=2&seed=5")
    parser.add_argument("--new", action="store_true", help="a new network each move, instead of computed ones")
    parser.add_argument("--profile", action="store_true", help="the browser's CPU profile by script file")
    args = parser.parse_args()
    if args.moves < 1:
        parser.error("--moves must be 1 or more")

    from playwright.sync_api import sync_playwright

    with streamlit_server() as (base, pid), sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(COUNT_RUNS)
        context.add_init_script(LOG)
        page = context.new_page()
        visit(page, f"{base}/?{args.query}")
        moves(page, pid, ["ArrowRight", "ArrowLeft"] * 2)  # what a page does once, and both networks computed
        keys = ["ArrowRight"] * args.moves if args.new else ["ArrowRight", "ArrowLeft"] * (args.moves // 2 + 1)
        keys = keys[:args.moves]
        if args.profile:
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.start")
        figures = moves(page, pid, keys)
        profile = cdp.send("Profiler.stop")["profile"] if args.profile else None
        browser.close()

    what = "a new network each move" if args.new else "back and forth over two computed networks"
    print(f"?{args.query}, the width slider, {what}: medians of {args.moves} moves "
          f"(load average {os.getloadavg()[0]:.1f} at the end)")
    for name, values in figures.items():
        print(f"  {name:32s} {statistics.median(values):8.1f}")
    if profile:
        print("the browser's CPU, self time a move (ms), by script:")
        for name, ms in by_script(profile, args.moves):
            print(f"  {ms:8.1f}  {name}")


if __name__ == "__main__":
    main()
