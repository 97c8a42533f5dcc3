"""The page on every screen in a real browser: a phone, a narrow window, 1024 x 768, a laptop's first screen, two
steps side by side, and the sidebar that covers the page on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser_support import (CHART_TEXT_PX, EXCEPTION, PHONE, READABLE_PX, TEXT_LINES, TITLE_AND_NEXT, act,
                                   heading, option, outside_viewport, visit, wait_still, watched_page)
from views import charts, present, tabs, tour
from views.page import layer_titles
from views.text import t
from views.tour import STEPS

pytestmark = pytest.mark.slow  # a real server and real browsers: seconds a test

ROOT = Path(__file__).resolve().parent.parent


# The headline numbers' texts, and their labels' and deltas', written out shorter than they are ("2.94…", "vanis…").
CUT_TEXTS = """() => [...document.querySelectorAll(
    "[data-testid='stMetricValue'] *, [data-testid='stMetricLabel'] *, [data-testid='stMetricDelta'] *")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.innerText)"""

# Each metric value's text: its height in lines of its own font size, and whether it stays inside its metric's box.
METRIC_LINES = """() => [...document.querySelectorAll("[data-testid='stMetricValue']")].map((e) => {
    const range = document.createRange(); range.selectNodeContents(e);
    const text = range.getBoundingClientRect(), box = e.closest("[data-testid='stMetric']").getBoundingClientRect();
    return {text: e.innerText, lines: text.height / parseFloat(getComputedStyle(e).fontSize),
            inside: text.left >= box.left - 1 && text.right <= box.right + 1}; })"""
# Each text the selector finds (the title, the headline numbers' labels and notes): its text and the width of each of
# its lines, px: its text nodes' boxes, a box in the line whose height holds its middle (a raised "²" too)
BALANCED = "h1, [data-testid='stMetricLabel'] p, [data-testid='stMetricDelta'] p"
LINE_WIDTHS = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
    const lines = [], walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange(); range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
            if (r.width < 0.5) continue;
            const middle = (r.top + r.bottom) / 2;
            const line = lines.find((l) => l.top <= middle && middle <= l.bottom);
            if (line) { line.left = Math.min(line.left, r.left); line.right = Math.max(line.right, r.right); }
            else lines.push({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
        }
    }
    return {text: e.innerText, widths: lines.map((l) => l.right - l.left)}; })"""
NOTES = "[data-testid='stMetricDelta'] p"  # the headline numbers' notes
LANGUAGE = "Language · 语言"  # the language radio's label, the same in both
SPECTRUM_PAGES = ("step=10", "activation=relu&init=normal&std=0.01&depth=10")  # each with &tab=spectrum
CUT_STEPS = ("2", "3", "5", "6", "7")  # 1024 x 768: the steps whose numbers and labels (step 7: title) are longest
# A laptop's screen and a small one. The page's layout is CSS of the viewport (the server reads the User-Agent, never
# the size: views/present.py), so a page drawn at one is checked at the other too, resized in between.
LAPTOP, SMALL = {"width": 1280, "height": 800}, {"width": 1024, "height": 768}
RESIZED = "[data-testid='stMetric'], [data-testid='stVegaLiteChart']"  # what lays itself out again on a resize


def resize(page, size: dict) -> None:
    """The window resized to `size`, once the numbers and charts have fitted themselves to it."""
    if page.viewport_size != size:
        page.set_viewport_size(size)
        wait_still(page, RESIZED)


# The ◀ ▶ row's top in the page, px: its place on the screen plus how far the page is scrolled
ROW_TOP = """() => document.querySelector('.st-key-step_row').getBoundingClientRect().top
    + document.querySelector("[data-testid='stMain']").scrollTop"""

# The vertical centres (px, rounded) of the row's buttons, switch and popover button
ROW_ITEM_CENTRES = """() => [...document.querySelectorAll(".st-key-step_row button, .st-key-step_row label")]
    .map((e) => e.getBoundingClientRect()).filter((r) => r.height > 0).map((r) => Math.round(r.top + r.height / 2))"""


def assert_row_stays(row_tops: dict[tuple[int, str], float]) -> None:
    """The ◀ ▶ row stands at one place in each window at every step (row_tops: its top by window width and step), so
    that a teacher's second click on ▶ finds it where the first did: under the story it had moved 100 px with the
    story's length, under the title a line wherever the title or the network line wrapped."""
    for width in {w for w, _ in row_tops}:
        tops = {step: top for (w, step), top in row_tops.items() if w == width}
        assert max(tops.values()) - min(tops.values()) <= 1, (width, tops)


def shown(page) -> dict[str, str]:
    """What the page's address says it shows: its query (the app leaves the defaults out)."""
    return dict(parse_qsl(urlsplit(page.url).query))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_std_chart_is_in_the_first_screen_at_1280_by_800_and_nothing_is_cut_at_1024_by_768(base, browser, lang):
    """A laptop's first screen holds the title, the story, the headline numbers and the whole std-per-layer chart,
    at every tour step: the chart's box within the viewport, unscrolled. At 1024 x 768, at steps 2, 3, 5, 6 and 7
    (CUT_STEPS), whose headline numbers, labels and title are the longest, nothing is cut (each written out whole: no
    "2.94…", no "vanis…"), and the title, a headline number's label or its note that takes two lines leaves none of
    them under half the other's width ("Saturated values (last" over "layer)"; the Chinese "最后一层激活值的标准" over
    "差", "…的 0.982" over "倍", "…糟糕的初始" over "化"); the step's page resized to 1024 x 768 and back before the
    next step. The ◀ ▶ row stands at one place at every step, in both windows (assert_row_stays), and at 1024 x 768
    its buttons, the presenter switch and the QR button are one line, and a headline note that wraps keeps a layer with
    its number and a name with its value."""
    row_tops = {}  # the ◀ ▶ row's top in the page, px, by window and step
    with watched_page(browser, viewport=LAPTOP) as page:
        visit(page, f"{base}/?step=1&lang={lang}", charts=2)
        for step in ("1", "2", "3", "4", "5", "6", "7"):
            if step != "1":  # the next step picked in the tour, as a class is walked through it: no page reload
                resize(page, LAPTOP)  # each step drawn at 1280 x 800
                act(page, lambda: option(page, t(lang, "tour"), int(step) - 1).click())
                page.wait_for_function(  # the charts of the step's own network, drawn after its run
                    "document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 2", timeout=30_000)
            page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stMetric']\").length >= 4",
                                   timeout=30_000)  # a loaded machine may draw the last number after the charts
            assert heading(page) == t(lang, "step_heading", n=step, steps=len(tour.STEPS),
                                      title=t(lang, f"step_{step}"))
            assert page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop") == 0
            chart = page.locator("[data-testid='stVegaLiteChart']").filter(has_text=t(lang, "chart_act_std"))
            story = t(lang, f"story_{step}").split("{")[0].strip()[:20]
            parts = {"title": page.locator("h1"), "chart": chart,
                     "story": page.locator("[data-testid='stMarkdownContainer']").filter(has_text=story),
                     "numbers": page.locator("[data-testid='stMetric']")}
            assert [parts[name].count() for name in parts] == [1, 1, 1, 4], step
            for name, locator in parts.items():
                assert outside_viewport(page, locator) == [], (step, name)
            row_tops[LAPTOP["width"], step] = page.evaluate(ROW_TOP)
            if step in CUT_STEPS:
                resize(page, SMALL)
                row_tops[SMALL["width"], step] = page.evaluate(ROW_TOP)
                # the buttons, the presenter switch and the QR button in one line (the row's scripts had taken a
                # share of its width, and the QR button wrapped under the switch)
                assert len(set(page.evaluate(ROW_ITEM_CENTRES))) == 1, ("one row", step, lang)
                assert shown(page).get("step") == step, ("the walk's page", step, page.url)
                assert page.evaluate(CUT_TEXTS) == [], ("nothing cut", "1024 x 768", step, lang)
                texts = page.evaluate(LINE_WIDTHS, BALANCED)
                assert len(texts) >= 1 + 4 + 2 and all(text["widths"] for text in texts), texts
                assert [text for text in texts if len(text["widths"]) > 2
                        or min(text["widths"]) < max(text["widths"]) / 2] == [], \
                    ("texts of balanced lines", "1024 x 768", step, lang, texts)
                # a note that wraps keeps a layer with its number and a name with its value ("×1.33 of layer / 10's
                # 4.88" had read as two things)
                notes = [[line.strip() for line in lines] for lines in page.evaluate(TEXT_LINES, NOTES)]
                assert len(notes) >= 2 and [lines for lines in notes if any(
                    line.endswith(("layer", "'s", "第")) or after.startswith(("层", "'s"))
                    for line, after in zip(lines, lines[1:]))] == [], ("notes' lines", step, notes)
    # a second click on ▶ finds it where the first did, whatever the title's and the story's length
    assert_row_stays(row_tops)


def test_nothing_is_cut_and_every_metric_value_stays_on_one_line_on_the_spectrum_pages(base, browser):
    """On the Spectrum pages (SPECTRUM_PAGES), in both languages (switched on the page), each at 1280 x 800 and at
    1024 x 768 (as drawn, then resized to the other): the headline numbers and the Spectrum tab's percentiles, bounds
    among them ("< 7.61 × 10⁻²¹", of a ReLU net's exact zeros), each on one line inside its box, a line of the
    value's font being 1.2 of its size, two lines 2.4; and at 1024 x 768 nothing is cut, the numbers and their labels
    written out whole."""
    with watched_page(browser, viewport=LAPTOP) as page:
        for query in SPECTRUM_PAGES:
            visit(page, f"{base}/?{query}&tab=spectrum" + ("&lang=zh" if query != SPECTRUM_PAGES[0] else ""), charts=1)
            settings = {key: value for key, value in shown(page).items() if key != "lang"}
            assert settings["tab"] == "spectrum" and settings.get("step") == dict(parse_qsl(query)).get(
                "step", "custom"), ("the walk's page", query, page.url)
            for lang in (("en", "zh") if query == SPECTRUM_PAGES[0] else ("zh", "en")):
                if shown(page).get("lang", "en") != lang:
                    act(page, lambda: option(page, LANGUAGE, ("en", "zh").index(lang)).click())
                assert shown(page) == {**settings, **({"lang": lang} if lang != "en" else {})}, \
                    ("the walk's page", query, lang, page.url)  # the language switched, the settings kept
                page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stMetric']\").length >= 12",
                                       timeout=90_000)  # the headline's four and each spectrum's four
                for size in ((LAPTOP, SMALL) if page.viewport_size == LAPTOP else (SMALL, LAPTOP)):
                    resize(page, size)  # as drawn, then resized to the other
                    where = f"{size['width']} x {size['height']}"
                    values = page.evaluate(METRIC_LINES)
                    assert len(values) == 12 and any(v["text"].startswith("<") for v in values), (query, lang, values)
                    assert [v for v in values if v["lines"] > 1.6 or not v["inside"]] == [], \
                        ("one line each", where, query, lang, values)
                    if size == SMALL:
                        assert page.evaluate(CUT_TEXTS) == [], ("nothing cut", where, query, lang)


# The page, its main column and each chart that is wider than the screen or scrolls sideways (none: it fits).
WIDE = """() => [document.documentElement, document.querySelector("[data-testid='stMain']"),
    ...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
    .filter((e) => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > innerWidth)
    .map((e) => [e.getAttribute('data-testid'), e.scrollWidth, e.clientWidth])"""


def test_a_narrow_window_that_is_no_phone_shows_every_histogram_whole(base, browser):
    """390 px without a phone's User-Agent (a desktop window, a tablet's split screen) gets the desktop's five
    panels a row: the grid shrinks to the column, so all ten layers are inside the screen, none cut off."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = visit(context.new_page(), f"{base}/?step=2", charts=3)
    boxes = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")]
        .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })""")
    context.close()
    assert len(boxes) >= 3 and all(left >= 0 and right <= 390 for left, right in boxes), boxes


# Each chart of the page: its text's smallest size on screen (CHART_TEXT_PX's), and its columns' widths, px
CHART_SIZES = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => ({
    px: Math.min(...[...svg.querySelectorAll('text')].filter((e) => e.textContent.trim()).map((e) => {
        const m = e.getScreenCTM(); return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); })),
    width: svg.getBoundingClientRect().width}))"""


# The page's widget labels and button texts written out shorter than they are ("Presenter…": Streamlit's
# stMarkdownEllipsis box)
CUT_LABELS = """() => [...document.querySelectorAll("[data-testid='stMain'] [class*='stMarkdownEllipsis'], "
    + "[data-testid='stMain'] label p, [data-testid='stMain'] button p")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.innerText)"""


@pytest.mark.parametrize("size", [(800, 900), (1024, 768)])
def test_a_desktop_window_narrowed_beside_the_sidebar_keeps_every_chart_s_text_readable(base, browser, size):
    """A teacher's laptop window at half the screen, or 1,024 px, the sidebar open and no phone's User-Agent: the
    page's columns stack where its column is narrower than a phone's widest (CSS of the column's own width), and the
    histograms put as many panels in a row as the column holds (charts.screen_columns's window rule), so that no
    chart is shrunk to fit: five panels in an 800 px window's 430 px column had shrunk their text to 6 px, the mean
    and std charts side by side were 207 px wide, their titles cut ("Activation mean per …"), step 8's stream title
    beside its legend too ("Residual stream x: st…"), and the presenter switch read "Presenter…"."""
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for step in ("2", "8"):
        visit(page, f"{base}/?step={step}", charts=3)
        charts_seen = page.evaluate(CHART_SIZES)
        column = page.evaluate("""() => document.querySelector("[data-testid='stMainBlockContainer'] "
            + "[data-testid='stVerticalBlock']").getBoundingClientRect().width""")
        titles = page.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stVegaLiteChart'] .role-title-text")].map((e) => e.textContent)""")
        labels = page.evaluate(CUT_LABELS)
        assert len(charts_seen) >= 3, step
        assert all(chart["px"] >= READABLE_PX for chart in charts_seen), (step, charts_seen, column)
        assert all(chart["width"] <= column + 1 for chart in charts_seen), (step, charts_seen, column)
        assert not [title for title in titles if "…" in title], (step, titles)
        assert not labels, (step, labels)
        tab_bar_shows_every_tab(page.evaluate(TAB_BAR), f"{width} px, step {step}")
        if column < present.NARROW_COLUMN:  # the mean and std charts each take the column's width
            assert all(chart["width"] > column / 2 for chart in charts_seen[:2]), (step, charts_seen, column)
    context.close()


def test_no_chart_title_of_the_theory_tab_is_cut_at_1024_by_768(base, browser):
    """The Theory tab's gradient chart shares its row with the map, in two fifths of a 1,024 px window's page beside
    the sidebar: its title had read "Gradient std per layer, mea… and predicted" at every step, and at step 7
    "Gradient std ∂L/∂z per laye… before batch norm), measu… predicted" (theory.GRADIENT_TITLE_WIDTH's lines)."""
    context = browser.new_context(viewport=SMALL)
    page = context.new_page()
    cut = {}
    for query in ("step=3&tab=theory", "step=7&tab=theory"):
        visit(page, f"{base}/?{query}", charts=2)
        titles = page.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stVegaLiteChart'] .role-title-text")].map((e) => e.textContent)""")
        cut[query] = [title for title in titles if "…" in title]
        assert len(titles) >= 2, (query, titles)
    context.close()
    assert not any(cut.values()), cut


@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_two_steps_side_by_side_on_a_laptop_and_stacked_on_a_phone(base, browser, screen):
    """?step=2&beside=7, in each language on one page: both titles and both sides' charts drawn, next to each other
    at 1280 x 800 and one under the other on a 390 px phone; neither the page nor a chart wider than the screen. On
    the laptop also step 10 beside step 3, whose left title wraps to one more line than the right's in English: both
    sides' charts start level all the same (they had started 31 px apart)."""
    pairs = (("2", "7"), ("10", "3")) if screen == "laptop" else (("2", "7"),)
    with watched_page(browser, **(PHONE if screen == "phone" else {"viewport": {"width": 1280, "height": 800}})) \
            as page:
        for (own, beside), lang in ((pair, lang) for pair in pairs for lang in ("en", "zh")):
            visit(page, f"{base}/?step={own}&beside={beside}&lang={lang}", charts=4)
            assert page.locator(EXCEPTION).count() == 0, (screen, lang)
            titles = page.locator(".st-key-beside_view h4")
            assert [titles.nth(i).inner_text() for i in range(titles.count())] == [
                t(lang, "step_heading", n=code, steps=len(tour.STEPS), title=t(lang, f"step_{code}"))
                for code in (own, beside)], (screen, lang)
            sides = [page.locator(f".st-key-beside_side_{name} [data-testid='stVegaLiteChart'] svg")
                     for name in ("left", "right")]
            assert [side.count() for side in sides] == [2, 2], (screen, lang)  # the std chart and the histograms
            wait_still(page, ".st-key-beside_view h4, .st-key-beside_view [data-testid='stVegaLiteChart']")
            left, right = (side.first.bounding_box() for side in sides)
            if screen == "laptop":
                assert right["x"] >= left["x"] + left["width"] and abs(right["y"] - left["y"]) < 2, (own, lang, left,
                                                                                                     right)
            else:
                assert right["y"] > left["y"] + left["height"], (lang, left, right)
            wide = page.evaluate(WIDE)
            titles.first.scroll_into_view_if_needed()
            (ROOT / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=ROOT / "artifacts" / f"beside-{screen}-{own}-{lang}.png")
            assert wide == [], (screen, lang)


SIDEBAR_BOX = "() => { const r = document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect(); " \
              "return {left: r.left, right: r.right}; }"


# Each Training chart's title lines, each line's right end and the x axis's width, px from the chart's left edge
TRAINING_TITLES = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].slice(0, 2).map((c) => {
  const left = c.getBoundingClientRect().left, title = c.querySelector('.role-title-text');
  const lines = [...title.querySelectorAll('tspan')];
  const axis = c.querySelector("[aria-label^='X-axis']").getBoundingClientRect();
  return {chart: c.getBoundingClientRect().width, lines: Math.max(1, lines.length),
          right: Math.max(...(lines.length ? lines : [title]).map((e) => e.getBoundingClientRect().right)) - left,
          axis: axis.width};
})"""


@pytest.mark.parametrize("width, narrow", [(1280, False), (800, True), (390, True)])
def test_a_narrow_window_draws_the_training_charts_titles_in_lines(base, browser, width, narrow):
    """A 390 px window without a phone's User-Agent (a desktop browser narrowed, or a phone that does not say so)
    had the race's loss title in one line, cut at the chart's edge ("…faint per minibatch, bold"), and Vega had
    squeezed the plot to 85 px of the 356 px chart to make room for it; at 800 px beside the sidebar the same. The
    loss and accuracy titles are drawn in lines where the window is too narrow for one (charts.breaking_title), in
    one line on a laptop's 1,280 px: every line within the chart, the plot at least half of it."""
    with watched_page(browser, viewport={"width": width, "height": 900}) as page:
        visit(page, f"{base}/?step=custom&depth=3&width=16&activation=tanh&tab=training&steps=300&train=zeros"
                    "&train=he_normal", charts=0)
        act(page, lambda: page.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click())
        page.locator("[data-testid='stDataFrame']").wait_for(timeout=120_000)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        drawn = page.evaluate(TRAINING_TITLES)
    assert len(drawn) == 2, drawn
    for chart in drawn:
        assert chart["right"] <= chart["chart"] + 1 and chart["axis"] >= chart["chart"] / 2, (width, drawn)
    assert [chart["lines"] > 1 for chart in drawn] == [narrow, narrow], (width, drawn)


@pytest.mark.parametrize("size, closes", [((390, 844), True), ((1280, 800), False)])
def test_picking_a_step_closes_the_sidebar_where_it_covers_the_page(base, browser, size, closes):
    """On a phone the open sidebar lies over the page: a step picked in it closes it, so the step is seen. On a
    laptop the sidebar sits beside the page and stays open."""
    options = PHONE if closes else {"viewport": {"width": size[0], "height": size[1]}}
    with watched_page(browser, **options) as page:  # act needs its runs counted: a kept step runs within a frame
        visit(page, f"{base}/?step=2", charts=3)
        expand = page.locator("[data-testid='stExpandSidebarButton']")
        assert (expand.count() == 1) == closes  # a phone opens with the sidebar closed, a laptop with it open
        if closes:
            expand.click()
            page.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                                   ".getBoundingClientRect().right > 300")
        main_left = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\")"
                                  ".getBoundingClientRect().left")
        assert (page.evaluate(SIDEBAR_BOX)["right"] > main_left + 1) == closes  # over the page, or beside it
        act(page, lambda: page.get_by_text(t("en", "step_option", n=5, title=t("en", "step_5")), exact=True).click())
        if closes:  # the sidebar's closing slide; a laptop's sidebar is given the same second to show it stays
            page.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                                   ".getBoundingClientRect().right <= 0", timeout=10_000)
        else:
            page.wait_for_timeout(1000)
        assert heading(page) == f"Step 5 of {len(STEPS)} · " + t("en", "step_5")
        box = page.evaluate(SIDEBAR_BOX)
    assert (box["right"] <= 0) == closes, box


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_title_runs_into_the_line_under_it_on_a_phone(base, browser, lang):
    """At every tour step, walked by the ▶ button on one page as a class is: the title, however many lines it
    wraps to, ends above the network line under it (TITLE_AND_NEXT), on a 390 px phone; presenter mode's walk
    (tests/test_browser_present.py) asserts the same at 1920 x 1080 and 1280 x 720.

    The walk carries more claims on its pages: a phone never scrolls sideways (neither the page nor any chart
    wider than the screen, at every step); every chart's text is at least READABLE_PX on the screen and none is cut
    short ("…"), at every step (a grid shrunk to the screen had drawn its text at 6 px); at step 2 it shows the
    histograms two a row with readable ticks (phone_histograms_are_two_a_row); the tab bar shows every tab whole
    (tab_bar_shows_every_tab), Chinese's in one row; the ◀ ▶ row stands at one place at every step, wherever the
    title wraps (assert_row_stays); and after the walk the Training tab's schemes box shows every scheme the race
    will run (every_chosen_item_is_shown)."""
    with watched_page(browser, **PHONE) as page:
        visit(page, f"{base}/?step=1&lang={lang}", charts=2)
        wrapped, row_tops = 0, {}
        for number, step in enumerate(STEPS, 1):
            if number > 1:
                act(page, lambda: page.locator(".st-key-step_row button:visible").filter(
                    has_text=t(lang, "next")).click())
            row_tops[PHONE["viewport"]["width"], step] = page.evaluate(ROW_TOP)
            title = page.evaluate(TITLE_AND_NEXT)
            assert title["text"] == t(lang, "step_heading", n=number, steps=len(STEPS), title=t(lang, f"step_{step}"))
            assert title["box"] <= title["next_box"] and title["letters"] <= title["next_letters"], (step, title)
            wrapped += title["lines"] > 1
            page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length"
                                   " >= 2", timeout=30_000)  # the std chart and the histograms, drawn
            wait_still(page, "[data-testid='stVegaLiteChart']")
            assert page.evaluate(WIDE) == [], ("a phone scrolls sideways", lang, step)
            smallest = page.evaluate(CHART_TEXT_PX)
            assert len(smallest) >= 3 and min(smallest) >= READABLE_PX, ("chart text read", lang, step, smallest)
            assert page.evaluate(CUT_CHART_TEXTS) == [], ("chart text cut", lang, step)
            if step == "2":
                phone_histograms_are_two_a_row(page.evaluate(HISTOGRAM_TEXTS, t(lang, "chart_hist")), lang)
                bar = page.evaluate(TAB_BAR)
                tab_bar_shows_every_tab(bar, lang)
                assert lang == "en" or bar["rows"] == 1, bar  # Chinese's short labels in one row (谱 had wrapped)
        assert wrapped > 0  # the case in question: on a phone some titles take two lines or more
        assert_row_stays(row_tops)
        act(page, lambda: page.get_by_role("tab", name=t(lang, "tab_training"), exact=True).click())
        page.get_by_role("tab", name=t(lang, "tab_training"), selected=True).wait_for(timeout=30_000)
        page.locator("[data-testid='stMultiSelect'] [data-tag]").first.wait_for(timeout=30_000)  # the tab, drawn
        wait_still(page, "[data-testid='stMultiSelect'] [data-tag]")
        every_chosen_item_is_shown(page.evaluate(CHOSEN_ITEMS), lang)
    # a shared link in presenter mode, opened in a window as narrow as a phone: the title keeps the window's width
    # (beside the presenter switch it had been cut into a 60 px column, "Ste / p 3 / of"), and the std chart its
    # height
    with watched_page(browser, viewport=PHONE["viewport"]) as page:
        visit(page, f"{base}/?step=3&present=true&lang={lang}", charts=2)
        title = page.evaluate(TITLE_AND_NEXT)
        # the title's own box (its letters' lines are balanced, text-wrap: balance, so narrower than their box)
        width = page.evaluate("() => document.querySelector('h1').getBoundingClientRect().width")
        assert width >= 0.8 * PHONE["viewport"]["width"] and title["box"] <= title["next_box"], (width, title)
        # its charts one under the other, the page scrolling: the std chart's plot keeps a readable height (fitted
        # to the screen's room left under the story, it had been squashed to 40 px)
        plot = page.evaluate(STD_PLOT)
        assert plot["height"] >= 0.4 * plot["width"], plot
        # the four headline numbers one under another, as the page's other columns on a phone (presenter mode's
        # columns, at least as wide as their content on a wider screen, had stood two a row, labels in three lines)
        tops = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMetric']")]
            .map((e) => Math.round(e.getBoundingClientRect().top))""")
        assert len(tops) == 4 and len(set(tops)) == 4, tops
    # the same link on a phone's browser: the histograms' key wrapped to its two panels a row, so that the figure is
    # the column's width and its text readable (wrapped to five panels, it had been scaled to 10 px)
    with watched_page(browser, **PHONE) as page:
        visit(page, f"{base}/?step=3&present=true&lang={lang}", charts=2)
        smallest = page.evaluate(CHART_TEXT_PX)
        assert len(smallest) == 2 and min(smallest) >= READABLE_PX, smallest


# Presenter mode's std chart's plot (Vega's frame of it), px on the screen
STD_PLOT = """() => { const r = document.querySelector("[class*='st-key-present_std'] svg g.role-frame.root > g > "
    + "path.background").getBoundingClientRect(); return {width: r.width, height: r.height}; }"""


# A phone's browser that does not say "Mobile" in its User-Agent (a desktop Chrome's, as a phone's "desktop site"
# sends), at a phone's 390 x 844
UNSAID_PHONE = {"viewport": PHONE["viewport"], "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/124.0 Safari/537.36"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_that_does_not_say_so_gets_the_phone_s_histograms(base, browser, lang):
    """The page chose its phone layout by the User-Agent's "Mobile": a 390 px phone without it got five histograms
    a row shrunk to the screen. The layout follows the window's width: step 2's histograms two a row at their own
    size (phone_histograms_are_two_a_row), and no chart wider than the screen."""
    with watched_page(browser, **UNSAID_PHONE) as page:
        visit(page, f"{base}/?step=2&lang={lang}", charts=2)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        phone_histograms_are_two_a_row(page.evaluate(HISTOGRAM_TEXTS, t(lang, "chart_hist")), lang)
        assert page.evaluate(WIDE) == [], lang


# The histogram grid's panel titles ("layer 3", Vega's title texts but the chart's) and tick labels, each with its
# box in the page.
HISTOGRAM_TEXTS = """(title) => {
    const chart = [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
        .find((e) => [...e.querySelectorAll('text')].some((x) => x.textContent === title));
    const boxes = (selector) => [...chart.querySelectorAll(selector)].map((e) => {
        const r = e.getBoundingClientRect();
        return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
    return {headers: boxes('.role-title-text text').filter((e) => e.text !== title),
            ticks: boxes('.role-axis-label text'), width: chart.getBoundingClientRect().width}; }"""


def phone_histograms_are_two_a_row(texts: dict, lang: str) -> None:
    """On a 390 px phone (its window's width, charts.screen_columns) step 2's ten histograms are two a
    row at their own size, not five shrunk to the screen: panel titles at full size and no tick label meeting
    another (a row of five had run "1" and "−1" of neighbouring panels together). `texts`: HISTOGRAM_TEXTS."""
    headers, ticks = texts["headers"], texts["ticks"]
    assert sorted(h["text"] for h in headers) == sorted(t(lang, "panel", n=n) for n in range(1, 11)), lang
    first_row = [h for h in headers if abs(h["top"] - min(g["top"] for g in headers)) < 1]
    assert len(first_row) == present.PHONE_COLUMNS, ("two a row", lang, first_row)
    assert min(h["bottom"] - h["top"] for h in headers) >= 0.8 * charts.LABEL_SIZE, lang  # at their size
    assert len(ticks) == 30, lang  # -1, 0 and 1 under each panel
    for i, a in enumerate(ticks):
        for b in ticks[i + 1:]:
            assert a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] \
                or b["bottom"] <= a["top"], ("tick labels apart", lang, a, b)


# Each chart text that Vega cut short at its room ("faint per miniba…"): none where every title fits or is in lines.
CUT_CHART_TEXTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg text")]
    .map((e) => e.textContent).filter((text) => text.includes('…'))"""
# The tab bar: the tabs whose label's letters are not all in the bar's visible box or the window (cut or scrolled out
# of it; a letter's box may run 2 px past its ink: zh's last tab "谱" ends 0.75 px past the bar, whole), how many tabs
# and rows of tabs it has, whether it scrolls sideways, and whether Streamlit's arrow that scrolls it right is drawn.
TAB_BAR = """() => { const list = document.querySelector("[data-testid='stTabs'] [role='tablist']");
    const bar = list.getBoundingClientRect(), tabs = [...list.querySelectorAll("[role='tab']")];
    const hidden = tabs.filter((tab) => {
        const range = document.createRange(); range.selectNodeContents(tab); const r = range.getBoundingClientRect();
        return r.left < bar.left - 2 || r.right > bar.right + 2 || r.right > innerWidth; }).map((tab) => tab.innerText);
    const arrow = document.querySelector("[data-testid='stTabsScrollRight']"), r = arrow?.getBoundingClientRect();
    const rows = new Set(tabs.map((tab) => Math.round(tab.getBoundingClientRect().top))).size;
    return {hidden, tabs: tabs.length, rows, scrolls: list.scrollWidth > list.clientWidth + 1,
            arrow: Boolean(r && r.width > 0 && r.height > 0)}; }"""
# Each multiselect of the page: its chosen items, each with whether its box is inside the field's.
CHOSEN_ITEMS = """() => [...document.querySelectorAll("[data-testid='stMultiSelect']")].map((select) => {
    const field = select.querySelector("[data-testid='stMultiSelectTagsContainer']").getBoundingClientRect();
    return [...select.querySelectorAll('[data-tag]')].map((tag) => { const r = tag.getBoundingClientRect();
        return {text: tag.innerText, inside: r.left >= field.left - 0.5 && r.right <= field.right + 0.5
                && r.top >= field.top - 0.5 && r.bottom <= field.bottom + 0.5 && field.right <= innerWidth}; }); })"""


def tab_bar_shows_every_tab(bar: dict, where: str) -> None:
    """The tab bar shows every tab's label whole, in as many rows as it takes (two at most), and does not scroll:
    Streamlit's one row scrolled sideways behind an arrow, and English's Theory and Spectrum were out of sight on a
    phone and in an 800 px window with the sidebar open. `bar`: TAB_BAR."""
    assert bar["tabs"] == len(tabs.CODES) and not bar["hidden"], (where, bar)
    assert not bar["scrolls"] and not bar["arrow"] and bar["rows"] <= 2, (where, bar)


def every_chosen_item_is_shown(selects: list, lang: str) -> None:
    """The Training tab's schemes box on a phone: every scheme the race will run is written inside the box, in as many
    lines as it takes (Streamlit's one sideways-scrolling row showed four of the six, He hidden). `selects`:
    CHOSEN_ITEMS, the tab's one multiselect."""
    assert len(selects) == 1 and len(selects[0]) >= 5, (lang, selects)  # the lecture's five schemes at least
    assert [item for item in selects[0] if not item["inside"]] == [], (lang, selects)


# Each of the Derivation tab's equations (present.EQUATIONS): whether it is wider than its box (it would scroll
# sideways; by more than the 1 px the widths round to) or reaches past the window's right edge, its height in px, and
# its line height over its font size
EQUATION_BOXES = f"[class*='st-key-{present.EQUATIONS}'] p"
EQUATIONS = """(boxes) => [...document.querySelectorAll(boxes)].map((e) => {
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return {wide: e.scrollWidth > e.clientWidth + 1 || box.right > innerWidth + 0.5, height: box.height,
            leading: parseFloat(style.lineHeight) / parseFloat(style.fontSize)}; })"""
# Each equation's lines as drawn (KaTeX's .base boxes of one line top, joined), and where one ends with "×" and the next
# starts with a power of ten after a mantissa (one digit, then its decimals): a number cut in two ("3.12 ×" above
# "10⁻⁷", which step 2 had on a phone), not a product of two numbers (n·Var(w)'s "500 ×" above "10⁻⁴")
SPLIT_NUMBERS = r"""(boxes) => [...document.querySelectorAll(`${boxes} .katex-html`)].flatMap((equation) => {
    const lines = [];
    for (const part of equation.querySelectorAll(':scope > .base')) {
        const top = part.getBoundingClientRect().top, text = part.textContent.replace(/\u200b/g, '');
        if (lines.length && Math.abs(lines.at(-1).top - top) < 4) { lines.at(-1).text += text; }
        else { lines.push({top, text}); }
    }
    return lines.slice(1).map((line, i) => [lines[i].text, line.text])
        .filter(([end, start]) => /(?:^|[^\d.])\d(?:\.\d+)?\s*×$/.test(end) && /^10/.test(start)); })"""
# Every face of KaTeX's fonts loaded (each family's italic and bold are faces of their own), where KaTeX asks for each
# only as it draws: measured in a fallback font, an equation that fits its box had overflowed it on a loaded machine
# (the four faces waited for before left out KaTeX_Size3, which step 2's first equation draws in)
KATEX_FONTS = """() => Promise.all([...document.fonts]
    .filter((face) => face.family.replace(/["']/g, '').startsWith('KaTeX')).map((face) => face.load()))
    .then(() => document.fonts.ready).then(() => true)"""
# The page's own CSS (present.PAGE_CSS: the equations' hanging indent) in place: it comes in an element of its own,
# which the browser can apply after the page has said its run is over and KaTeX has drawn
PAGE_CSS_APPLIED = """(boxes) => [...document.querySelectorAll(boxes)]
    .every((e) => parseFloat(getComputedStyle(e).paddingLeft) > 0)"""


def equations_drawn(page) -> None:
    """Wait until the page's equations are drawn as a viewer sees them: with the page's CSS, in KaTeX's fonts, still."""
    page.wait_for_selector(".katex")
    page.wait_for_function(PAGE_CSS_APPLIED, arg=EQUATION_BOXES, timeout=30_000)
    page.evaluate(KATEX_FONTS)
    wait_still(page, ".katex")


# Tour steps whose argument differs in kind (views.derivation.case): zero weights, tanh, ReLU, batch norm, a residual
# stream, pre-LayerNorm's, a conv net; step 1 in Chinese too, whose equation holds a \text of its own
EQUATION_STEPS = [("1", "en"), ("1", "zh"), ("2", "en"), ("6", "zh"), ("7", "en"), ("8", "en"), ("9", "zh"),
                  ("11", "en")]


def test_every_equation_breaks_into_lines_within_a_phone_s_screen(base, browser):
    """On a phone the Derivation's equations ran past the screen's edge: 8 of step 6's 11 ended mid-term ("E[w²] E[x"
    ...), He's half of "keep the factor at 1" out of sight, and the backward pass's was too wide for a laptop's column
    as well. Each equation now breaks after a relation or an operator where its column is narrower than it: on a phone
    none reaches past its box or the screen at a step of each kind of argument, step 2's wide ones take more lines
    there than on a laptop, and at 1280 x 800 none is wide either. No line break cuts a number in two ("3.12 ×" above
    "10⁻⁷": number_writing.LATEX_TIMES). Their lines have room between them (the page's CSS, which a rule of the page's
    own for every paragraph had overridden)."""
    heights = {}
    for viewport, options in (("phone", PHONE), ("laptop", {"viewport": LAPTOP})):
        with watched_page(browser, **options) as page:
            for step, lang in EQUATION_STEPS:
                visit(page, f"{base}/?step={step}&tab=derivation&lang={lang}", charts=0)
                equations_drawn(page)
                drawn = page.evaluate(EQUATIONS, EQUATION_BOXES)
                assert drawn and [e for e in drawn if e["wide"]] == [], (viewport, step, lang, drawn)
                assert page.evaluate(SPLIT_NUMBERS, EQUATION_BOXES) == [], (viewport, step, lang)
                assert min(e["leading"] for e in drawn) >= 2, drawn  # the page's room between a broken one's lines
                heights[viewport, step, lang] = [e["height"] for e in drawn]
    phone, laptop = heights["phone", "2", "en"], heights["laptop", "2", "en"]
    assert len(phone) == len(laptop) and sum(p > 1.5 * d for p, d in zip(phone, laptop)) >= 3, (phone, laptop)


# px: how much two plots of charts of one height may differ: the std chart's y axis ends on a tick (charts.y_ticks),
# whose label holds half its height above the plot, which Vega makes room for; the mean's ends past its top tick
OVERHANG = charts.LABEL_SIZE / 2
# px: a chart's plot height on the screen (Vega's frame of the plot, its background)
PLOT_HEIGHT = ("(chart) => chart.querySelector('svg g.role-frame.root > g > path.background')"
               ".getBoundingClientRect().height")


# px: a chart's plot on the screen (Vega's frame of the plot, its background): its bottom and its width
PLOT_BOTTOM = PLOT_HEIGHT.replace(".height", ".bottom")
PLOT_WIDTH = PLOT_HEIGHT.replace(".height", ".width")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_gradients_tab_s_two_plots_end_on_one_line_and_are_as_wide(base, browser, lang):
    """The Gradients tab's two charts side by side, on a laptop's screen (1280 x 800) and on a projector's 1024 x 768
    with the sidebar open, draw their layer axes on one line and their plots as wide as each other: the gradient
    chart's legend is over its plot. Under it, the legend had lifted the plot's bottom 55 px above the ratio chart's
    (110 px tall beside 146); beside it, the plot was 102 px wide at 1024 px beside the ratio's 230, and lost its
    "10". Both plots stay at least 100 px tall."""
    for viewport in (LAPTOP, SMALL):
        with watched_page(browser, viewport=viewport) as page:
            for step in ("2", "8"):
                visit(page, f"{base}/?step={step}&lang={lang}&tab=gradients", charts=2)
                drawn = page.locator("[data-testid='stVegaLiteChart']")
                assert drawn.count() == 2, step
                bottoms, heights, widths = ([drawn.nth(i).evaluate(js) for i in range(2)]
                                            for js in (PLOT_BOTTOM, PLOT_HEIGHT, PLOT_WIDTH))
                assert abs(bottoms[0] - bottoms[1]) <= 1 and min(heights) >= 100, (viewport, step, bottoms, heights)
                assert abs(widths[0] - widths[1]) <= 0.05 * widths[1], (viewport, step, widths)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_activations_tab_s_std_plot_is_as_tall_as_the_mean_plot_beside_it(base, browser, lang):
    """The Activations tab's two charts side by side on a laptop's screen (1280 x 800) have plots of one height, at
    a plain step and at the residual steps, whose std chart also draws the branch and its theory: under the plot,
    their two-row legend (measured/theory, branch/branch theory) had left step 8's and 9's std plot about 85 px tall
    beside the mean's 150, and a plain step's one row it shorter too. They may differ by a top label's overhang
    (OVERHANG). The std plot is about as wide as the mean's: the legend beside it had left step 8's 100 px wide at
    1,024 px, and about half the mean's at 1,280."""
    with watched_page(browser, viewport=LAPTOP) as page:
        for step in ("6", "8", "9"):
            visit(page, f"{base}/?step={step}&lang={lang}", charts=3)
            titles = layer_titles(tour.step_config(step), lang)
            # a title in lines (a residual stream's std) reads without the spaces it was broken at
            mean, std = (page.locator("[data-testid='stVegaLiteChart']").filter(
                has_text=re.compile(r"\s*".join(map(re.escape, titles[name].split())))) for name in ("mean", "std"))
            assert (mean.count(), std.count()) == (1, 1), step
            branch = std.get_by_text(t(lang, "branch_theory_series"), exact=True).count()
            assert branch == (step in ("8", "9")), (step, "the branch's theory in the std chart's legend")
            heights = mean.evaluate(PLOT_HEIGHT), std.evaluate(PLOT_HEIGHT)
            assert heights[0] >= 100 and abs(heights[1] - heights[0]) <= OVERHANG, (step, heights)
            widths = mean.evaluate(PLOT_WIDTH), std.evaluate(PLOT_WIDTH)
            assert widths[1] >= 0.9 * widths[0], (step, widths)
