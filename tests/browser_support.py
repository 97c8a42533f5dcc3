"""What the browser tests and benchmarks/bench_app.py share: how to launch Chromium and tell that a run has settled."""

from __future__ import annotations

import socket

CHROMIUM = "/usr/bin/chromium"  # Debian's package; a browser is never downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Notes whether the app runs after this call (window.__ran), watching its script state.
WATCH_STATE = """() => {
  window.__ran = false;
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
# (-1 after a minute without).
SETTLE_AFTER = """(t0) => new Promise((resolve) => {
  const check = () => {
    const app = document.querySelector("[data-testid='stApp']");
    if (window.__ran && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector("[data-stale='true']")) {
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    } else if (performance.now() - t0 > 60000) {
      resolve(-1);
    } else {
      setTimeout(check, 2);
    }
  };
  check();
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
