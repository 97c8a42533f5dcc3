"""Presenter mode and a class in a real browser: the lesson on one projector screen, the files a teacher takes from
the page, the README's screenshots, and five pages opening one link together."""

from __future__ import annotations

import re
import struct
from urllib.parse import parse_qsl, urlsplit
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.browser_support import (
    CHART_TEXT_PX, COUNT_RUNS, EXCEPTION, SETTLED, TEXT_LINES, TITLE_AND_NEXT, act, heading, outside_viewport,
    streamlit_server, visit, wait_still, watched_page,
)
from views import headline, present, summary, tour
from views.export import PNG_SCALE
from views.text import t
from views.tour import STEPS

pytestmark = pytest.mark.slow  # a real server and real browsers: seconds a test

ROOT = Path(__file__).resolve().parent.parent


# A projector's two common screens. The page's layout is CSS of the viewport alone (views/present.py; the server
# reads the User-Agent, never the size), so each step is drawn once at one size and checked at both, resized
# in between: every other step is checked at each size as drawn and as resized.
SCREENS = ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720})
PRESENT_PARTS = "h1, [data-testid='stMarkdownContainer'], [data-testid='stVegaLiteChart']"


# Each headline number: its value's text in lines of its own font size, whether it stays inside its metric's box,
# and whether it sits beside its label (its middle within the label's height) rather than under it; its label's
# lines (the distinct tops of its text's boxes); its box's top, px.
METRIC_BESIDE = """() => [...document.querySelectorAll("[data-testid='stMetric']")].map((m) => {
    const value = m.querySelector("[data-testid='stMetricValue']");
    const label = m.querySelector("[data-testid='stMetricLabel']");
    const range = document.createRange(); range.selectNodeContents(value);
    const text = range.getBoundingClientRect(), box = m.getBoundingClientRect(), by = label.getBoundingClientRect();
    const middle = (text.top + text.bottom) / 2;
    const words = document.createRange(); words.selectNodeContents(label.querySelector('p'));
    const tops = new Set([...words.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return {text: value.innerText, lines: text.height / parseFloat(getComputedStyle(value).fontSize),
            inside: text.left >= box.left - 1 && text.right <= box.right + 1,
            beside: middle >= by.top && middle <= by.bottom, label: label.innerText, label_lines: tops.size,
            top: box.top}; })"""
SCROLL_TOP = "() => document.querySelector(\"[data-testid='stMain']\").scrollTop"
# The bottom of the page's lowest element (px from the screen's top), and each chart's plot height (px on the screen;
# the smallest of a grid's panels) with whether it is a std chart: a plot's background is Vega's frame of it.
LOWEST = """() => Math.max(...[...document.querySelectorAll(
    "[data-testid='stMain'] [data-testid='stElementContainer']")].map((e) => e.getBoundingClientRect())
    .filter((r) => r.height > 0).map((r) => r.bottom))"""
PLOTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => ({
    std: !!svg.closest("[class*='st-key-present_std']"),
    height: Math.min(...[...svg.querySelectorAll("g.role-frame.root > g > path.background, "
                                                 + "g.role-scope.cell > g > path.background")]
        .map((p) => p.getBoundingClientRect().height).filter((h) => h > 0))}))"""
# Each chart's texts, in the page's order (the std chart first)
CHART_TEXTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) =>
    [...svg.querySelectorAll('text')].map((e) => e.textContent))"""
# px: the page's body text as the browser sets it, the story's sentences: a projected chart's text is at least
# present.SMALLEST_TYPE of it (the histograms had been 11.4 px beside the story's 19 px at 1280 x 720)
BODY_PX = """() => parseFloat(getComputedStyle(document.querySelector(
    ".st-key-story [data-testid='stMarkdownContainer'] p")).fontSize)"""
# Each chart's visible texts that meet another of its texts, leave its SVG or were cut short (none: all apart and
# whole)
TEXTS_MEETING = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].flatMap((svg) => {
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter((e) => e.textContent.trim()
        && getComputedStyle(e).opacity !== '0').map((e) => {
            const r = e.getBoundingClientRect(), m = e.getScreenCTM(), size = parseFloat(getComputedStyle(e).fontSize);
            // the letters' box: the line box less the room above the capitals and below the baseline, so that two
            // rows a line apart do not count as meeting; across the line of a turned text (an axis title), its width
            const turned = Math.abs(m.b) > Math.abs(m.a), across = turned ? r.width : r.height;
            const pad = (across - 0.6 * size * Math.hypot(m.a, m.b)) / 2, x = turned ? pad : 0, y = turned ? 0 : pad;
            return {text: e.textContent, left: r.left + x, right: r.right - x, top: r.top + y,
                    bottom: r.bottom - y}; });
    // a text past its chart's edge, or one Vega cut short to its room ("Residual stream std xₗ per…")
    const cut = texts.filter((b) => b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1
                                    || b.bottom > frame.bottom + 1 || b.text.endsWith("…")).map((b) => ["cut", b.text]);
    // a label's halo (charts.HALO: its own text again, under it) is not another text
    const halo = (a, b) => a.text === b.text && Math.abs(a.left - b.left) < 1 && Math.abs(a.top - b.top) < 1;
    const meet = texts.flatMap((a, i) => texts.slice(i + 1).filter((b) => a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1 && !halo(a, b)).map((b) => ["meet", a.text, b.text]));
    return [...cut, ...meet]; })"""
# px: the most of the screen's bottom left empty: the page's bottom padding (0.5rem, 9.5 px; 14.25 px on 1920 x 1080)
# and a little. A fixed reserve for the longest story had left 90-150 px empty under the short stories' charts; and a
# std chart held to 3/4 as tall as it was wide was let leave whatever band that left: 110 px under step 6 on a
# 1280 x 720 screen, 273-328 px on a 1920 x 1080 one (a quarter of it; 36 % under step 6's histograms).
EMPTY_BOTTOM = 20
# The sizes of the page's type as the screen shows them, px: the title, the story (its first paragraph), the headline
# numbers and their labels, the sides' titles of a pair (each present or null), and each chart's smallest and largest
# text (its labels, its title), a chart's text being its font size times the scale its SVG is drawn at
TYPE = """() => {
    const px = (selector) => { const e = document.querySelector(selector);
                               return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
    const charts = [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")].map((svg) => {
        const sizes = [...svg.querySelectorAll('text')].filter((e) => e.textContent.trim()).map((e) => {
            const m = e.getScreenCTM(); return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); });
        return [Math.min(...sizes), Math.max(...sizes)]; });
    return {title: px("h1"), story: px(".st-key-story [data-testid='stMarkdownContainer'] p"),
            numbers: px("[data-testid='stMetricValue']"), number_labels: px("[data-testid='stMetricLabel'] p"),
            sides: px(".st-key-beside_view h4"), charts}; }"""
# The most the charts' texts of one screen are apart, largest over smallest, like for like (each chart's smallest,
# its labels; each chart's largest, its title): the step from the body text down to the page's smallest type
# (present.SMALLEST_TYPE), so that no chart's text is a size of the page's type scale above another's. A 1920 x 1080
# screen had shown the std chart's labels at 19 px beside the histograms' 27.7 px (1.46).
CHART_TEXT_SPREAD = 1 / present.SMALLEST_TYPE
# The story's type as a share of the screen's height at the least: 19 px on 1280 x 720, where a class reads it from the
# back; a 1920 x 1080 screen had shown it at 19 px too, 1.8 % of its height.
STORY_SHARE = 19 / 720
# How far a text's size on the larger screen may be from the screens' ratio times its size on the smaller: the
# histograms are scaled to their column's width, which rounds to whole px
GROWN_WITHIN = 0.03
# px: the least height of a std chart's plot, where its y axis still holds three labelled ticks apart; a side's plot
# had been 50 px on a 1280 x 720 screen. And of a histogram panel's, where a distribution's shape still shows.
STD_PLOT_LEAST = 60
PANEL_PLOT_LEAST = 20
# Of one step's page, a histogram panel's plot at least this share of the screen's height (45 px on 1280 x 720), where a
# layer's shape reads from the back of a room: step 5's had been 33 px, with 110 px left empty under its histograms.
PANEL_SHARE_ALONE = 1 / 16
# The pair drawn side by side after the walk, in each language: en the tightest one (step 9's story, of the longest,
# beside step 10's title, which takes two lines over its side), zh the one a teacher found below the screen.
PAIRS = {"en": ("9", "10"), "zh": ("7", "2")}
LANGUAGE = "Language · 语言"  # the language radio's label, the same in both


def check_one_screen(page, where, story: str, charts: int, sides: int = 0) -> None:
    """The presenter page as the viewport shows it: unscrolled, the sidebar closed; the title, the story (its first
    words), `sides` side titles and `charts` charts inside the viewport, and nothing of the page below it; no download
    button; every chart's text readable; the title, however many lines it wraps to, ending above the network line.
    And the charts take the height the page leaves: its lowest element ends within EMPTY_BOTTOM of the screen's
    bottom, and no chart's plot is below its readable height (STD_PLOT_LEAST; a panel's PANEL_PLOT_LEAST in a pair, else
    PANEL_SHARE_ALONE of the screen). The rule of a
    projected chart's text: none of any chart smaller than present.SMALLEST_TYPE of the page's body text (BODY_PX),
    the charts' texts like for like within CHART_TEXT_SPREAD of each other, and none meeting another or cut by its
    chart's edge (TEXTS_MEETING). The story at least STORY_SHARE of the screen's height. Returns the page's type
    sizes (TYPE), for grown_with_the_screen."""
    assert page.evaluate(SCROLL_TOP) == 0, where
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true", where
    parts = {"title": page.locator("h1"), "story": page.locator("[data-testid='stMarkdownContainer']").filter(
                 has_text=story), "sides": page.locator(".st-key-beside_view h4"),
             "charts": page.locator("[data-testid='stVegaLiteChart']")}
    assert [parts[name].count() for name in parts] == [1, 1, sides, charts], where
    for name, locator in parts.items():
        assert outside_viewport(page, locator) == [], (*where, name)
    assert page.locator("[data-testid='stDownloadButton']").count() == 0, where  # the ordinary page has them
    below = page.evaluate("() => { const main = document.querySelector(\"[data-testid='stMain']\");"
                          " return main.scrollHeight - main.clientHeight; }")
    assert below <= 0, (*where, below)  # no part of the page below the screen
    least = present.SMALLEST_TYPE * page.evaluate(BODY_PX)
    assert min(page.evaluate(CHART_TEXT_PX)) >= least - 0.01, (*where, least, page.evaluate(CHART_TEXT_PX))
    assert page.evaluate(TEXTS_MEETING) == [], (*where, page.evaluate(TEXTS_MEETING))
    sizes = page.evaluate(TYPE)
    for end, texts in zip(("smallest", "largest"), zip(*sizes["charts"])):  # like for like
        assert max(texts) <= CHART_TEXT_SPREAD * min(texts), (*where, "chart text one scale", end, sizes["charts"])
    assert sizes["story"] >= STORY_SHARE * page.viewport_size["height"] - 0.01, (*where, "story", sizes["story"])
    empty = page.viewport_size["height"] - page.evaluate(LOWEST)
    assert 0 <= empty <= EMPTY_BOTTOM, (*where, "empty under the charts", empty)
    plots = page.evaluate(PLOTS)
    panel_least = PANEL_PLOT_LEAST if sides else PANEL_SHARE_ALONE * page.viewport_size["height"]
    assert len(plots) == charts and [p for p in plots if p["height"] < (
        STD_PLOT_LEAST if p["std"] else panel_least)] == [], (*where, "plots", plots)
    title = page.evaluate(TITLE_AND_NEXT)  # however many lines it wraps to, above the network line
    assert title["box"] <= title["next_box"] and title["letters"] <= title["next_letters"], (*where, title)
    return sizes


def grown_with_the_screen(sizes: dict, where) -> None:
    """The page's type on the larger screen (SCREENS) is its type on the smaller times the screens' ratio, within
    GROWN_WITHIN: the title, the story, the headline numbers and their labels, the sides' titles, and every chart's
    smallest and largest text, as the charts themselves grow (at a fixed 19 px, a 1920 x 1080 screen had shown the
    story and the std chart's labels at 19 px beside the histograms' 27.7 px). sizes: TYPE at each screen's width."""
    large, small = (sizes[screen["width"]] for screen in SCREENS)
    ratio = SCREENS[0]["width"] / SCREENS[1]["width"]  # 1.5, as the heights' (both 16:9)
    pairs = [(name, large[name], small[name]) for name in large if name != "charts" and small[name] is not None]
    pairs += [(f"chart {i} {end}", big[j], little[j]) for i, (big, little) in enumerate(zip(large["charts"],
                                                                                        small["charts"]))
              for j, end in enumerate(("smallest", "largest"))]
    assert [p for p in pairs if abs(p[1] / (ratio * p[2]) - 1) > GROWN_WITHIN] == [], (*where, pairs)


def story_start(lang: str, step: str) -> str:
    """The step's story's words before its first number, as the page writes them (without Markdown's bold)."""
    return t(lang, f"story_{step}").split("{")[0].replace("**", "").strip()[:20]


def at_both_screens(page, check) -> dict:
    """check(width) at the screen the page was drawn at, then resized to the other (SCREENS); returns what each
    returned, by the screen's width."""
    loaded = SCREENS.index(page.viewport_size)
    checked = {}
    for size in SCREENS[loaded:] + SCREENS[:loaded]:  # as drawn, then resized to the other screen
        if size != page.viewport_size:
            page.set_viewport_size(size)
            wait_still(page, PRESENT_PARTS)  # the charts fit themselves to the new width
        checked[size["width"]] = check(size["width"])
    return checked


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_shows_the_lesson_on_one_screen(base, browser, lang):
    """Title, story, std chart and histograms inside the viewport, unscrolled, at every tour step on a 1920 x 1080 and a
    1280 x 720 screen, and nothing of the page below it (the charts' download buttons had fallen half below a 1280 x 720
    screen); every chart's text at least three quarters of the page's body text and none meeting another or cut (the
    histograms had been scaled to 11.4 px beside the story's 19 px at step 9, 1280 x 720); the title, however many lines
    it wraps to, ending above the network line under it; the sidebar closed; each headline number on one line beside its
    label (zh step 2's first had wrapped under it), each label in one line. The steps are walked as a teacher walks a
    class through them: the first opened from its link, each next one by the ▶ button's key, without reloading the page;
    the first ▶ pressed on a screen too short for the page, scrolled to its bottom, opens the next step at the top. Then
    two steps side by side (PAIRS) on the same screens: both sides' titles and four charts on the screen, nothing below
    it, no download button. On every page and screen the charts take the height the page leaves them: no band left empty
    under them (EMPTY_BOTTOM), no plot below its readable height."""
    context = browser.new_context(viewport=SCREENS[0])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    first, second, *_ = STEPS
    visit(page, f"{base}/?step={first}&lang={lang}&present=true", charts=2)
    for step in STEPS:
        if step != first:
            if step == second:  # a screen the page overflows, read from its bottom: ▶ returns to the top
                page.set_viewport_size({"width": 1280, "height": 480})
                wait_still(page, PRESENT_PARTS)
                page.evaluate("() => { const main = document.querySelector(\"[data-testid='stMain']\");"
                              " main.scrollTop = main.scrollHeight; }")
                assert page.evaluate(SCROLL_TOP) > 0
            act(page, lambda: page.keyboard.press(f"Arrow{headline.STEP_KEYS[1]}"))
            page.wait_for_function(  # the charts of the step's own network, drawn after its run
                "document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 2", timeout=30_000)
            if step == second:
                assert page.evaluate(SCROLL_TOP) == 0, "▶ left the next step scrolled down"
                page.set_viewport_size(SCREENS[0])
                wait_still(page, PRESENT_PARTS)
        assert heading(page) == t(lang, "step_heading", n=step, steps=len(STEPS), title=t(lang, f"step_{step}"))

        about = tour.story_charts(step, lang)  # what the story is about, drawn: the branch, the spectrum

        def check(width, step=step, about=about):
            # std, and the histograms: the activations', or the Spectrum tab's two
            sizes = check_one_screen(page, (step, width), story_start(lang, step),
                                     charts=3 if tour.SPECTRUM in about else 2)
            texts = page.evaluate(CHART_TEXTS)
            assert (t(lang, "branch_series") in texts[0]) == (tour.BRANCH in about), (step, width, texts[0])
            assert [t(lang, "spectrum_tab.x_axis") in chart for chart in texts[1:]] == (
                [True, True] if tour.SPECTRUM in about else [False]), (step, width)
            numbers = page.evaluate(METRIC_BESIDE)
            assert len(numbers) == 4 and [n for n in numbers if n["lines"] > 1.6 or not n["inside"]
                                          or not n["beside"]] == [], ("one line beside its label", step, width, numbers)
            # each label in one line beside its (?) and value (headline.metric_widths): "Saturated values (last
            # layer)" had wrapped at 1,280 px, its (?) at its quarter's far side
            assert [n["label"] for n in numbers if n["label_lines"] != 1] == [], (step, width, numbers)
            return sizes
        grown_with_the_screen(at_both_screens(page, check), step)
    left, right = PAIRS[lang]
    visit(page, f"{base}/?step={left}&beside={right}&lang={lang}&present=true", charts=4)
    titles = page.locator(".st-key-beside_view h4")
    assert [titles.nth(i).inner_text() for i in range(titles.count())] == [tour.heading(left, lang),
                                                                            tour.heading(right, lang)]
    grown_with_the_screen(at_both_screens(page, lambda width: check_one_screen(
        page, ("beside", left, right, width), story_start(lang, left), charts=4, sides=2)), ("beside", left, right))
    context.close()


LABELS = "[data-testid='stMetricLabel'] p"  # each headline number's label
PROJECTOR_4_3 = {"width": 1024, "height": 768}  # a classroom's XGA projector
SVGA = {"width": 800, "height": 600}  # an older one's
# The headline row's width beside the width its content takes (more where it runs past the page's column)
ROW_WIDTHS = """() => { const row = document.querySelector(".st-key-present_metrics [data-testid='stHorizontalBlock']");
    return [row.scrollWidth, row.clientWidth]; }"""


def broken_words(labels: list[list[str]]) -> list[list[str]]:
    """The labels (each as TEXT_LINES's lines) with a word split between two lines ("Ve / rd / ict"), a line of one
    character ("诊 / 断"), or a layer's number parted from its 第 or 层 ("第 1 / 层梯度的标准差")."""
    def split(before: str, after: str) -> bool:
        end, start = before.rstrip()[-1:], after.lstrip()[:1]
        inside_word = end.isascii() and end.isalnum() and before == before.rstrip() and start.isascii() \
            and start.isalnum()
        return inside_word or re.search(r"第\s*\d*$", before.rstrip()) is not None or start == "层"
    return [lines for lines in labels if any(len(line.strip()) < 2 for line in lines)
            or any(split(before, after) for before, after in zip(lines, lines[1:]))]


def test_no_headline_label_is_broken_inside_a_word_on_a_4_3_projector(base, browser):
    """Presenter mode's headline row at 1024 x 768, at every tour step in English (walked with ▶) and in Chinese
    (walked back with ◀): the four numbers in one row, each beside its label, and no label broken inside a word. The
    verdict's column, sized for its label and value on one line, had been squeezed by the three long labels beside it:
    "Ve / rd / ict" at step 2, "Ver / dic / t" at step 3, "诊 / 断" at step 2. At steps 2 and 3, whose values are the
    widest, resized to 800 x 600 and back: the row within the page (a number that does not fit goes to a second
    row), each number beside its label, no word broken."""
    with watched_page(browser, viewport=PROJECTOR_4_3) as page:
        steps = list(STEPS)
        for lang, key in (("en", 1), ("zh", 0)):
            walk = steps if key else steps[::-1]
            first = walk[0]
            visit(page, f"{base}/?step={first}&lang={lang}&present=true", charts=2)
            for step in walk:
                if step != first:
                    act(page, lambda key=key: page.keyboard.press(f"Arrow{headline.STEP_KEYS[key]}"))
                assert heading(page) == t(lang, "step_heading", n=step, steps=len(STEPS),
                                          title=t(lang, f"step_{step}")), (lang, step)
                wait_still(page, "[data-testid='stMetric']")
                numbers = page.evaluate(METRIC_BESIDE)
                assert len(numbers) == 4 and len({round(n["top"]) for n in numbers}) == 1, (lang, step, numbers)
                assert [n for n in numbers if not n["beside"] or not n["inside"]] == [], (lang, step, numbers)
                labels = page.evaluate(TEXT_LINES, LABELS)
                assert broken_words(labels) == [], (lang, step, labels)
                if step in ("2", "3"):
                    page.set_viewport_size(SVGA)
                    wait_still(page, "[data-testid='stMetric']")
                    width, room = page.evaluate(ROW_WIDTHS)
                    numbers = page.evaluate(METRIC_BESIDE)
                    assert width <= room + 1 and [n for n in numbers if not n["beside"] or not n["inside"]] == [], \
                        (lang, step, "800 x 600", width, room, numbers)
                    labels = page.evaluate(TEXT_LINES, LABELS)
                    assert broken_words(labels) == [], (lang, step, "800 x 600", labels)
                    page.set_viewport_size(PROJECTOR_4_3)
                    wait_still(page, "[data-testid='stMetric']")


def test_the_presenter_switch_writes_the_address_and_leaves_the_arrow_keys_to_the_steps(base, browser):
    """The switch writes present=true and takes it out again; right after each flip → goes to the next step (the
    switch had kept the keyboard's focus, and Streamlit's shortcuts skip a key pressed in a form field). In presenter
    mode a clicker's PageDown and PageUp turn the steps too (headline.CLICKER_KEYS); outside it they scroll."""
    switch = "[data-testid='stCheckbox']"
    with watched_page(browser) as page:
        visit(page, f"{base}/?step=2", charts=3)
        act(page, lambda: page.locator(switch).filter(has_text=t("en", "present")).click())
        assert "present=true" in page.url
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert "step=3" in page.url and "present=true" in page.url, page.url
        act(page, lambda: page.keyboard.press("PageDown"))
        assert "step=4" in page.url and "present=true" in page.url, page.url
        act(page, lambda: page.keyboard.press("PageUp"))
        assert "step=3" in page.url and "present=true" in page.url, page.url
        act(page, lambda: page.locator(switch).filter(has_text=t("en", "present")).click())
        assert "present" not in page.url
        page.keyboard.press("PageDown")
        page.wait_for_timeout(1500)  # a step it had turned would be in the address by now (the runs above took less)
        assert "step=3" in page.url, page.url
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert "step=4" in page.url, page.url


def test_a_tab_or_a_switch_clicked_leaves_the_arrow_keys_to_the_steps(base, browser):
    """A tab or the Log scale switch clicked, → goes to the next step and keeps the tab open (a clicked tab had kept
    the keyboard's focus and → opened the next tab; a clicked switch, a form field, made → do nothing); a tab chosen
    with the keyboard keeps the tab list's own keys (ARIA's tabs pattern)."""
    with watched_page(browser) as page:
        visit(page, f"{base}/?step=2", charts=3)
        act(page, lambda: page.get_by_role("tab", name=t("en", "tab_derivation"), exact=True).click())
        assert "tab=derivation" in page.url, page.url
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert "step=3" in page.url and "tab=derivation" in page.url, page.url
        act(page, lambda: page.get_by_role("tab", name=t("en", "tab_activations"), exact=True).click())
        act(page, lambda: page.locator("[data-testid='stCheckbox']").filter(has_text=t("en", "log_y")).click())
        assert "log=true" in page.url, page.url
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert "step=4" in page.url and "log=true" in page.url, page.url
        # the keyboard's way: the open tab focused, → opens the next tab and the step stays
        page.get_by_role("tab", name=t("en", "tab_activations"), exact=True).focus()
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert "step=4" in page.url and "tab=gradients" in page.url, page.url


def test_a_chart_downloads_as_svg_and_png_named_after_the_step(base, browser):
    """The Activations tab's std chart at step 2, in English and then in Chinese (switched on the page): the files
    Vega's converter makes when its buttons are pressed, under the step's and the chart's name, without the page
    running again."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    context.add_init_script(COUNT_RUNS)
    page = visit(context.new_page(), f"{base}/?step=2", charts=3)
    for lang in ("en", "zh"):
        if lang != "en":
            act(page, lambda: page.locator("[data-testid='stRadio']").filter(has_text=LANGUAGE).locator(
                "[data-testid='stRadioOption']").nth(1).click())
            assert "lang=zh" in page.url and "step=2" in page.url, page.url
        page.wait_for_function(  # every chart's two buttons drawn, in the page's language (a loaded machine draws
            # them after the charts)
            "([svg, png]) => { const buttons = [...document.querySelectorAll(\"[data-testid='stDownloadButton']\")];"
            " const charts = document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length;"
            " return charts > 0 && buttons.filter((b) => b.innerText.includes(svg)).length >= charts"
            " && buttons.filter((b) => b.innerText.includes(png)).length >= charts; }",
            arg=[t(lang, "figure_svg"), t(lang, "figure_png")], timeout=30_000)
        runs = page.evaluate("window.__finishedRuns")
        files = {}
        for fmt in ("svg", "png"):
            # the charts in page order: the mean, the std (the second), the histograms; each with SVG then PNG
            button = page.locator("[data-testid='stDownloadButton']").filter(has_text=t(lang, f"figure_{fmt}")).nth(1)
            with page.expect_download(timeout=90_000) as info:  # the first conversion starts the converter: seconds
                button.click()
            download = info.value
            assert download.failure() is None, (lang, fmt)
            assert download.suggested_filename == f"step-2_activation-std.{fmt}", (lang, download.suggested_filename)
            files[fmt] = Path(download.path()).read_bytes()
        root = ElementTree.fromstring(files["svg"])
        texts = ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]
        assert t(lang, "chart_act_std") in texts and t(lang, "layer") in texts, (lang, texts)
        assert files["png"][:8] == b"\x89PNG\r\n\x1a\n", lang
        width, height = struct.unpack(">II", files["png"][16:24])  # IHDR, the first chunk
        assert (width, height) == (round(float(root.get("width")) * PNG_SCALE),
                                   round(float(root.get("height")) * PNG_SCALE)), lang
        assert page.evaluate("window.__finishedRuns") == runs, lang  # a download does not run the page again
        assert page.locator(EXCEPTION).count() == 0, lang
    context.close()


def _has_chinese_font() -> bool:
    try:
        return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.parametrize("name, query", [("screenshot", "step=2"), ("screenshot-zh", "step=3&lang=zh")])
def test_screenshot_for_the_readme(base, browser, name, query):
    if name.endswith("-zh") and not _has_chinese_font():
        pytest.skip("no Chinese font installed (e.g. Debian's fonts-wqy-microhei): the screenshot would show boxes")
    context = browser.new_context(viewport={"width": 1440, "height": 1500}, device_scale_factor=1)
    page = visit(context.new_page(), f"{base}/?{query}", charts=3)
    wait_still(page, "[data-testid='stVegaLiteChart']")  # the charts' last frame painted
    path = ROOT / "artifacts" / f"{name}.png"  # ignored by git; scripts/refresh_screenshots.sh copies them to docs/
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))
    context.close()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 50_000


def test_a_class_opening_one_link_together_all_get_their_page(base, browser):
    """Five pages at once on one machine (the benchmark does thirty sessions); the network is computed once."""
    url = f"{base}/?step=6&seed={int(time.time()) % 10_000 + 100}"
    contexts = [browser.new_context() for _ in range(5)]
    pages = [c.new_page() for c in contexts]
    for p in pages:
        p.goto(url, wait_until="commit")
    for p in pages:
        p.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 3",
                            timeout=180_000)
        p.wait_for_selector(SETTLED, timeout=180_000)
        assert p.locator(EXCEPTION).count() == 0
        assert p.locator("h1").first.inner_text() == f"Step 6 of {len(STEPS)} · " + t("en", "step_6")
    for c in contexts:
        c.close()


# Each chart title's text that reaches above its drawing by more than the room over its capitals (0.3 of its font
# size: the line box holds the ascenders' room above them), with how far, px
TITLES_CUT = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg.marks")].flatMap((svg) => {
  const top = svg.getBoundingClientRect().top;
  return [...svg.querySelectorAll('.role-title text')].map((text) => ({
      text: text.textContent, above: top - text.getBoundingClientRect().top,
      room: 0.3 * parseFloat(getComputedStyle(text).fontSize || text.getAttribute('font-size'))}))
    .filter((title) => title.above > title.room); })"""


def test_a_server_s_first_presenter_page_draws_its_std_chart_s_title_whole(browser):
    """Step 10 in presenter mode at 1024 x 768, the first page of a server that had computed nothing: its std chart,
    laid out to its box while the page was still growing, kept its first layout's padding after its y axis gained a
    top label, and the top half of "Activation std per layer" was cut off (a teacher's screenshot). The chart is now
    laid out again as it changes (draw.FIT_TO_BOX); every chart title on the page is whole."""
    with streamlit_server() as (base, _), watched_page(browser, viewport={"width": 1024, "height": 768}) as page:
        visit(page, f"{base}/?step=10&present=true", charts=3)
        wait_still(page, "[data-testid='stVegaLiteChart']")
        assert page.evaluate(TITLES_CUT) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_projects_the_backward_pass_on_one_screen(base, browser, lang):
    """A teacher could not project the backward pass, half the lecture, without leaving presenter mode. The switch
    beside presenter mode's puts the Gradients tab's two charts on the screen (the gradient's std, the update size)
    instead of the std chart and the histograms, under the same rules of one screen at 1920 x 1080 and 1280 x 720
    (check_one_screen); the address says so (tab=gradients); ▶ keeps the backward pass at the next step, and the
    switch's other side brings the forward pass back."""
    context = browser.new_context(viewport=SCREENS[1])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    visit(page, f"{base}/?step=2&lang={lang}&present=true", charts=2)
    switch = page.locator(".st-key-present_view")
    act(page, lambda: switch.get_by_text(t(lang, "tab_gradients"), exact=True).click())
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 2",
                           timeout=30_000)
    assert dict(parse_qsl(urlsplit(page.url).query)).get("tab") == "gradients"
    for step in ("2", "3"):
        if step == "3":
            act(page, lambda: page.keyboard.press(f"Arrow{headline.STEP_KEYS[1]}"))
        assert heading(page) == t(lang, "step_heading", n=step, steps=len(STEPS), title=t(lang, f"step_{step}"))
        grad, ratio = (" ".join(texts) for texts in page.evaluate(CHART_TEXTS))
        assert summary.gradient_symbol(tour.STEPS[step]) in grad and "std(∂L/∂W) / std(W)" in ratio, (grad, ratio)
        assert page.locator(".st-key-present_histograms").count() == 0
        grown_with_the_screen(at_both_screens(page, lambda width, step=step: check_one_screen(
            page, ("backward", step, width), story_start(lang, step), charts=2)), ("backward", step))
    act(page, lambda: switch.get_by_text(t(lang, "tab_activations"), exact=True).click())
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 2",
                           timeout=30_000)
    assert "tab" not in dict(parse_qsl(urlsplit(page.url).query))
    assert page.locator(".st-key-present_histograms").count() == 1
    context.close()
