"""Building the page's charts: the Vega-Lite templates (views.draw.chart_template) that a tour step's tabs draw, as
the page builds them (views.charts.layer, theme and replaced) and as Altair's own alt.layer, chained configure_*()
calls and copies build the very same specs, timed in one run.

    python benchmarks/bench_charts.py [--repeat 5] [--lang en]

A template is built once per layout and kept by the server (views.cache.TEMPLATES), so this is the cost of a tour
step's first visit on a server that has not drawn that layout yet (after a restart, or a new network's log axis);
the Theory, Spectrum and Training tabs build their charts on every run (views.draw.draw_chart).

Prints the load average before and after, and the best of --repeat interleaved builds of each template. Nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import altair as alt  # noqa: E402

from core import threads  # noqa: E402
from tests.app_support import open_app, open_tab  # noqa: E402
from views import charts, draw, tour  # noqa: E402

TABS = ("activations", "gradients", "compare", "derivation", "theory", "training", "spectrum", "data")


def drawn_templates(lang: str) -> list[tuple]:
    """(kind, options, layout, frame) of every template the tour's steps and tabs draw, each layout once."""
    found: dict[tuple, tuple] = {}
    build = draw.chart_template

    def seen(kind, options, layout, frame):
        found.setdefault((kind, options, layout), (kind, options, layout, frame))
        return build(kind, options, layout, frame)

    draw.chart_template = seen
    try:
        for step in tour.STEPS:
            page = open_app(step=step, lang=lang)
            for tab in TABS:
                open_tab(page, tab, lang)
    finally:
        draw.chart_template = build
    return list(found.values())


THEME = charts.theme  # the page's, which altairs_theme reads while charts.theme is swapped for it


def altairs_theme(chart, size=charts.LABEL_SIZE, parts=None, **legend):
    """views.charts.theme's config set part by part with Altair's configure_*() calls, each of which copies the chart
    (a layered chart's layers combined again on every copy)."""
    config = THEME(alt.Chart(), size, parts, **legend).config.to_dict(validate=False)
    for part, values in config.items():
        chart = getattr(chart, f"configure_{part}")(**values)
    return chart


def altairs_replaced(node, **properties):
    """views.charts.replaced as Altair's copy(deep=False) and properties() make it: through the class's __init__."""
    copy = node.copy(deep=False)
    for key, value in properties.items():
        copy[key] = value
    return copy


def built(template: tuple, own: bool) -> tuple[float, dict]:
    """Seconds to build one template, and the spec, through the page's helpers (own) or Altair's."""
    kind, options, _, frame = template
    helpers = charts.layer, charts.theme, charts.replaced
    if not own:
        charts.layer, charts.theme, charts.replaced = alt.layer, altairs_theme, altairs_replaced
    try:
        start = time.perf_counter()
        spec = charts.template(charts.BUILDERS[kind](frame, **json.loads(options)))
        return time.perf_counter() - start, spec
    finally:
        charts.layer, charts.theme, charts.replaced = helpers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    args = parser.parse_args()
    threads.configure()
    os.chdir(ROOT)
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    templates = drawn_templates(args.lang)
    print(f"{len(templates)} templates drawn by the tour's {len(tour.STEPS)} steps and their tabs ({args.lang}); "
          f"best of {args.repeat} interleaved builds")
    best: dict[tuple[str, bool], float] = defaultdict(float)
    for template in templates:
        times = {True: [], False: []}
        for _ in range(args.repeat):
            for own in (False, True):
                seconds, spec = built(template, own)
                times[own].append(seconds)
                if own:
                    mine = spec
                else:
                    altairs = spec
        if mine != altairs:
            raise SystemExit(f"the {template[0]} chart's spec differs between the two ways of building it")
        for own in (False, True):
            best[template[0], own] += min(times[own])
    print(f"{'chart':>10}  {'templates':>9}  {'Altair ms':>9}  {'page ms':>8}  {'ratio':>5}")
    counts = defaultdict(int)
    for template in templates:
        counts[template[0]] += 1
    for kind in sorted(counts):
        theirs, ours = best[kind, False] * 1e3, best[kind, True] * 1e3
        print(f"{kind:>10}  {counts[kind]:9d}  {theirs:9.0f}  {ours:8.0f}  {ours / theirs:5.2f}")
    theirs = sum(v for (_, own), v in best.items() if not own) * 1e3
    ours = sum(v for (_, own), v in best.items() if own) * 1e3
    print(f"{'all':>10}  {len(templates):9d}  {theirs:9.0f}  {ours:8.0f}  {ours / theirs:5.2f}")
    load = os.getloadavg()
    print(f"load average after:  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
