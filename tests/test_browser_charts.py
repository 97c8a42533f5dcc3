"""The charts in a real browser: Vega and Vega-Lite say nothing in the console (no warning, no error) as they draw
them, at the steps and tabs that draw the most kinds of marks: exact zeros, values past a histogram's range, log
axes with nothing to draw, batch norm, and a trained race; and a trained race's labels stay inside their charts on a
phone."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser_support import CHART_TEXT_PX, PHONE, READABLE_PX, SETTLED, act, visit, wait_still, watched_page
from tests.browser_support import COUNT_RUNS, option  # the walked pages' clicks
from views import tabs, tour
from views.text import t

pytestmark = pytest.mark.slow  # a real server and a real browser

# (link, charts drawn): step 1's zeros (every log chart's zero marks, the zero bars), step 2 on a log axis,
# step 6's ReLU tails past 3, step 7's batch norm, and the Compare and Theory tabs
PAGES = [
    ("step=1&tab=activations&log=true", 3), ("step=1&tab=gradients&log=true", 2), ("step=1&tab=compare&log=true", 1),
    ("step=2&tab=activations&log=true", 3), ("step=2&tab=theory&log=true", 2), ("step=6&tab=activations", 3),
    ("step=6&tab=compare&log=true", 1), ("step=7&tab=gradients&log=true", 2), ("step=7&tab=theory&log=true", 2),
]
# PAGES walked on one page as a student clicks through them, after the first: (what is clicked, the link the page
# then shows, charts drawn). The walk passes three more pages on its way, checked as well. The log switch, turned on
# by the first link, stays in the address on the other tabs (urlstate.TAB_SETTINGS) until the walk turns it off.
WALK = [
    ("tab_gradients", "step=1&tab=gradients&log=true", 2), ("tab_compare", "step=1&tab=compare&log=true", 1),
    ("2", "step=2&tab=compare&log=true", 1), ("tab_activations", "step=2&tab=activations&log=true", 3),
    ("tab_theory", "step=2&tab=theory&log=true", 2), ("7", "step=7&tab=theory&log=true", 2),
    ("tab_gradients", "step=7&tab=gradients&log=true", 2), ("6", "step=6&tab=gradients&log=true", 2),
    ("tab_compare", "step=6&tab=compare&log=true", 1), ("tab_activations", "step=6&tab=activations&log=true", 3),
    ("log_y", "step=6&tab=activations", 3),
]
# a race small enough to train in a second or two: every Training chart
RACE = "step=custom&depth=3&width=16&tab=training&steps=50"


def vega_messages(messages: list) -> list[str]:
    """The console's warnings and errors from Vega's logger ("WARN ...", "ERROR ...") or naming Vega."""
    return [m.text for m in messages if m.type in ("warning", "error")
            and (m.text.startswith(("WARN", "ERROR")) or "vega" in m.text.lower())]


def open_page(browser, url: str, charts: int):
    """A page at 1280 x 800 whose console is listened to from its start, settled with `charts` charts drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(COUNT_RUNS)  # for act, on the pages walked by clicks
    page = context.new_page()
    messages: list = []
    page.on("console", lambda message: messages.append(message))
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=90_000)
    wait_for_charts(page, charts)
    return context, page, messages


def wait_for_charts(page, charts: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg, [data-testid='stVegaLiteChart'] canvas\")"
        f".length >= {charts}", timeout=90_000)
    wait_still(page, "[data-testid='stVegaLiteChart']")  # Vega logs while it draws, just after the element appears


def shown(url: str) -> dict[str, str]:
    """The step, tab and log scale a page's address says it shows (the defaults where the link leaves them out)."""
    query = dict(parse_qsl(urlsplit(url).query))
    return {"step": query.get("step", tour.FIRST), "tab": query.get("tab", tabs.CODES[0]),
            "log": query.get("log", "false")}


def test_the_charts_draw_without_a_word_from_vega(base, browser):
    """Every page of PAGES, the first opened from its link and the others reached from it by the tour's steps, the
    tabs and the log switch (WALK): each page's charts drawn with nothing from Vega in the console."""
    (first, charts), *rest = PAGES
    context, page, messages = open_page(browser, f"{base}/?{first}", charts)
    try:
        assert vega_messages(messages) == [], first
        walked = {first}
        for click, query, charts in WALK:
            start = len(messages)
            if click.startswith("tab_"):
                target = page.get_by_role("tab", name=t("en", click), exact=True)
            elif click == "log_y":
                target = page.get_by_text(t("en", click), exact=True)
            else:
                target = option(page, t("en", "tour"), int(click) - 1)
            act(page, target.click)
            wait_for_charts(page, charts)
            assert shown(page.url) == shown(f"?{query}"), (query, page.url)  # the page the walk means to check
            assert vega_messages(messages[start:]) == [], query
            walked.add(query)
        assert walked >= {query for query, _ in rest}  # every page of PAGES was checked
    finally:
        context.close()


def test_a_trained_race_draws_without_a_word_from_vega(base, browser):
    context, page, messages = open_page(browser, f"{base}/?{RACE}", 0)
    try:
        page.get_by_role("button", name="Run", exact=True).click()
        # loss, accuracy, the heatmap and the distinct units, once the race has ended
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= 4",
                               timeout=120_000)
        page.wait_for_selector(SETTLED, timeout=120_000)
        wait_for_charts(page, 4)
        assert vega_messages(messages) == []
        assert not page.locator("[data-testid='stException']").count()
    finally:
        context.close()


# Each chart's box, and the boxes of its labels drawn as marks (Vega's role-mark texts with words) and of its axes'
# labels (role-axis-label).
CHART_LABELS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => {
    const boxes = (selector) => [...svg.querySelectorAll(selector)].filter((e) => e.textContent.trim())
        .map((e) => { const r = e.getBoundingClientRect();
                      return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
    const r = svg.getBoundingClientRect();
    return {left: r.left, right: r.right, marks: boxes('.role-mark text'), axes: boxes('.role-axis-label text'),
            legend: boxes('.role-legend-label text'), titles: boxes('.role-title-text text'), screen: innerWidth}; })"""


def test_a_trained_race_s_labels_stay_inside_their_charts_on_a_phone(base, browser):
    """The loss chart's "ln 3：随机猜测" was cut at its right edge, and the schemes' legend ran past the screen's: after
    Run, on a 390 px phone in Chinese, every label of the race's charts (the guide lines' ln 3, chance and one unit's
    ceiling among them) is inside its chart and on no axis label, every legend label is inside the screen, and no
    chart title is cut ("…")."""
    with watched_page(browser, **PHONE) as page:
        visit(page, f"{base}/?{RACE}&lang=zh", charts=0)
        act(page, lambda: page.get_by_role("button", name=t("zh", "training_tab.run"), exact=True).click())
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 4",
                               timeout=120_000)
        page.wait_for_selector(SETTLED, timeout=120_000)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        charts = page.evaluate(CHART_LABELS)
        smallest = page.evaluate(CHART_TEXT_PX)
    assert len(smallest) >= 4 and min(smallest) >= READABLE_PX, smallest
    words = [label["text"] for chart in charts for label in chart["marks"]]
    assert t("zh", "training_tab.ln_k", k=3) in words and t("zh", "training_tab.chance", k=3) in words, words
    assert sum(len(chart["legend"]) for chart in charts) >= 5  # the schemes of the loss and accuracy charts
    titles = [title["text"] for chart in charts for title in chart["titles"]]
    assert titles and not [title for title in titles if "…" in title], titles  # in lines, none cut by Vega
    for chart in charts:
        for label in chart["legend"]:
            assert 0 <= label["left"] and label["right"] <= chart["screen"], label
        for label in chart["marks"]:
            assert chart["left"] - 0.5 <= label["left"] and label["right"] <= chart["right"] + 0.5, label
            for axis in chart["axes"]:
                assert label["right"] <= axis["left"] or axis["right"] <= label["left"] or \
                    label["bottom"] <= axis["top"] or axis["bottom"] <= label["top"], (label, axis)


STOP = "[class*='st-key-stop_'] button"  # the race's Stop button (its key is stop_<job>)
# Where the page's element is the Stop button: what is on top at its centre, and its box
ON_TOP = """(selector) => { const button = document.querySelector(selector), r = button.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {button: top !== null && button.contains(top), x: r.left + r.width / 2, y: r.top + r.height / 2,
            box: [r.left, r.top, r.right, r.bottom], on_top: top && top.outerHTML.slice(0, 120)}; }"""
VISIBLE_TOOLBARS = """() => [...document.querySelectorAll("[data-testid='stElementToolbar']")]
    .filter((e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).opacity !== '0'
                   && getComputedStyle(e).visibility !== 'hidden')
    .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.parametrize("lang, viewport, steps", [("en", (1280, 800), 10_000), ("zh", (1024, 768), 9_950)])
def test_the_loss_chart_s_toolbar_never_covers_the_stop_button(base, browser, lang, viewport, steps):
    """Streamlit's toolbar of a chart (its data, download, fullscreen), shown above the chart's right end while the
    pointer is on the chart, covered the Stop button at the right end of the line just above the loss chart: while
    a race trains and the pointer is on its loss chart, with that toolbar shown, what is on top at the Stop button's
    centre is the button, the toolbar is apart from it, and a click there stops the race."""
    context = browser.new_context(viewport=dict(zip(("width", "height"), viewport)))
    context.add_init_script(COUNT_RUNS)
    try:
        # a race of minutes (a 3 x 16 net's ended in 7 s, before a loaded machine's click reached it)
        query = f"step=custom&depth=6&width=128&tab=training&steps={steps}&lang={lang}"
        page = visit(context.new_page(), f"{base}/?{query}", charts=0)
        page.get_by_role("button", name=t(lang, "training_tab.run"), exact=True).click()
        page.wait_for_selector(f"{STOP}, [data-testid='stVegaLiteChart'] svg", timeout=60_000)
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.wait_for(timeout=60_000)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)  # on the loss curves
        page.wait_for_function(f"({VISIBLE_TOOLBARS})().length > 0", timeout=10_000)
        toolbars, stop = page.evaluate(VISIBLE_TOOLBARS), page.evaluate(ON_TOP, STOP)
        assert stop["button"], stop  # still training, and the button on top at its centre
        for left, top, right, bottom in toolbars:
            a = stop["box"]
            assert right <= a[0] or a[2] <= left or bottom <= a[1] or a[3] <= top, (toolbars, a)
        page.mouse.click(stop["x"], stop["y"])
        # stopped once its runs have seen the request: the race's warning says so, and no button is left
        # (its words after the numbers name the runs that had not started, if any: training_view.stopped_text)
        head, _, after = t(lang, "training_tab.stopped", seconds=0, done=0, total=0).split("0")[:3]  # around 0.0 s
        page.get_by_text(re.compile(re.escape(head) + r"\d+\.\d" + re.escape(after))).wait_for(timeout=30_000)
        assert page.locator(STOP).count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", [{"viewport": {"width": 1280, "height": 800}}, PHONE], ids=["laptop", "phone"])
def test_the_gradients_tab_s_titles_are_whole(base, browser, lang, screen):
    """Step 7's Gradients chart title was cut at 1280 x 800, "Gradient std ∂L/∂z per layer (z = h·W + b, before
    batch …": on a laptop and a phone, in both languages, no title line of the tab's charts is cut or runs past its
    chart."""
    with watched_page(browser, **screen) as page:
        visit(page, f"{base}/?step=7&tab=gradients&lang={lang}", charts=2)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        charts = page.evaluate(CHART_LABELS)
    assert len(charts) == 2
    titles = [title for chart in charts for title in chart["titles"]]
    assert len(titles) == 2 and not [title for title in titles if "…" in title["text"]], titles
    for chart in charts:
        for title in chart["titles"]:
            assert chart["left"] - 0.5 <= title["left"] and title["right"] <= chart["right"] + 0.5, title


# Each chart's plot (the box its gridlines span) and its legend labels' boxes
PLOTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => {
    const grid = [...svg.querySelectorAll('.role-axis-grid path, .role-axis-grid line')]
        .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 || r.height > 0);
    const r = svg.getBoundingClientRect(), edge = (pick, side) => pick(...grid.map((g) => g[side]));
    const legend = [...svg.querySelectorAll('.role-legend-label text')].map((e) => {
        const b = e.getBoundingClientRect(); return {text: e.textContent, left: b.left, right: b.right}; });
    return {left: r.left, right: r.right, legend: legend,
            plot: [edge(Math.min, 'left'), edge(Math.min, 'top'), edge(Math.max, 'right'), edge(Math.max, 'bottom')]};
})"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("step", ["2", "6", "8"])
def test_the_activation_std_chart_keeps_its_plot_beside_the_mean_s_on_a_1024_px_screen(base, browser, lang, step):
    """At 1024 x 768 with the sidebar open (a classroom projector's), the std chart's legend beside its plot took
    half of it: the plot was 115 px wide beside the mean chart's 240. Its two entries (measured, theory) now go over
    the plot, which is as wide as the mean's beside it; a residual stream's four stay beside it (over it they took
    four rows). Every legend label is inside its chart."""
    with watched_page(browser, viewport={"width": 1024, "height": 768}) as page:
        visit(page, f"{base}/?step={step}&tab=activations&lang={lang}", charts=3)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        mean, std = page.evaluate(PLOTS)[:2]
    assert len(std["legend"]) == (4 if tour.step_config(step).residual else 2), std["legend"]
    for label in std["legend"]:
        assert std["left"] - 0.5 <= label["left"] and label["right"] <= std["right"] + 0.5, (label, std)
    width = [chart["plot"][2] - chart["plot"][0] for chart in (mean, std)]
    if not tour.step_config(step).residual:
        assert width[1] >= 0.95 * width[0], width
