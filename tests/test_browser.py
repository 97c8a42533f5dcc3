"""The app in a real browser: headless Chromium (Debian's, via playwright) against `streamlit run` on loopback."""

from __future__ import annotations

import struct
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM, COUNT_RUNS, SETTLE_AFTER, SETTLED, WATCH_STATE, chromium, streamlit_server,
)
from views.export import PNG_SCALE
from views.text import t

ROOT = Path(__file__).resolve().parent.parent
EXCEPTION = "[data-testid='stException']"
pytestmark = pytest.mark.slow  # a real server and real browsers: seconds a test

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (Debian package `chromium`); browser tests need it", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def base():
    """`streamlit run streamlit_app.py` on a free loopback port."""
    with streamlit_server() as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_init_script(COUNT_RUNS)
    yield context.new_page()
    context.close()


def visit(page, url: str, charts: int = 1):
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=90_000)
    if charts:
        page.wait_for_function(f"document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= {charts}",
                               timeout=90_000)
    page.wait_for_selector(SETTLED, timeout=90_000)
    return page


def option(page, group: str, index: int):
    """The index-th option of the radio group labelled `group` (its label: a radio's caption selects nothing)."""
    return page.locator("[data-testid='stRadio']").filter(has_text=group).locator(
        "[data-testid='stRadioOption']").nth(index)


def slider_value(page, label: str) -> str:
    return page.locator("[data-testid='stSlider']").filter(has_text=label).locator(
        "[data-testid='stSliderThumbValue']").inner_text()


def act(page, action) -> None:
    """Do something that makes the app run again, and wait until the page has settled."""
    t0 = page.evaluate(WATCH_STATE)
    action()
    assert page.evaluate(SETTLE_AFTER, t0) >= 0, "the app did not run again within a minute"


def test_the_page_loads_with_charts_and_no_exception(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator("h1").first.inner_text() == "Step 2 of 7 · " + t("en", "step_2")
    assert page.locator("[data-testid='stVegaLiteChart'] svg").count() == 3
    assert page.locator("[data-testid='stVegaLiteChart'] svg path").count() > 10  # lines and bars were drawn
    assert page.locator("[data-testid='stMetricValue']").all_inner_texts()[3] == t("en", "verdict_vanishing")


def test_the_derivation_renders_latex(base, page):
    visit(page, f"{base}/?step=2&tab=derivation", charts=0)
    page.wait_for_selector(".katex")
    assert page.locator(".katex").count() >= 8
    assert page.locator(".katex-error").count() == 0
    assert "0.224" in page.locator(".katex").all_inner_texts()[5] + "".join(page.locator(".katex").all_inner_texts())


def test_a_slider_change_re_renders_and_updates_the_address(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    std_chart = page.locator("[data-testid='stVegaLiteChart']").nth(1)
    before_chart = std_chart.screenshot()
    before_value = page.locator("[data-testid='stMetricValue']").first.inner_text()
    thumb = page.get_by_role("slider", name=t("en", "depth"))
    thumb.focus()
    act(page, lambda: thumb.press("ArrowRight"))
    assert page.locator(EXCEPTION).count() == 0
    assert "depth=11" in page.url and "step=custom" in page.url
    assert "init=normal" in page.url  # what step 2 set is still in the address, so the link reproduces the view
    assert page.locator("h1").first.inner_text() == t("en", "custom_heading")
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() != before_value
    assert std_chart.screenshot() != before_chart  # one more layer on the chart


def test_a_deep_link_opens_exactly_that_view(base, page):
    visit(page, f"{base}/?step=3&lang=zh&tab=gradients", charts=2)
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator("h1").first.inner_text() == "第 3 步（共 7 步）· " + t("zh", "step_3")
    assert page.get_by_role("spinbutton", name=t("zh", "std")).input_value() == "1"
    assert page.get_by_role("tab", selected=True).inner_text() == t("zh", "tab_gradients")
    assert "step=3" in page.url and "lang=zh" in page.url


def test_a_bad_link_value_is_named_in_a_warning(base, page):
    visit(page, f"{base}/?depth=999&init=normal")
    warning = page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
    assert "depth" in warning and "999" in warning
    assert slider_value(page, t("en", "depth")) == "10"
    assert "depth=" not in page.url


def test_clicking_a_tour_step_sets_the_controls_and_the_address(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    act(page, lambda: option(page, t("en", "tour"), 3).click())
    assert page.locator("h1").first.inner_text() == "Step 4 of 7 · " + t("en", "step_4")
    assert "step=4" in page.url and "init=xavier_normal" in page.url
    page.goto(page.url)  # the address alone reproduces the view
    page.wait_for_selector(SETTLED)
    page.wait_for_selector("h1")
    assert page.locator("h1").first.inner_text() == "Step 4 of 7 · " + t("en", "step_4")


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def test_clicking_a_step_s_title_selects_it(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    act(page, lambda: page.get_by_text(t("en", "step_option", n=5, title=t("en", "step_5")), exact=True).click())
    assert heading(page) == "Step 5 of 7 · " + t("en", "step_5")
    assert "step=5" in page.url and "activation=relu" in page.url


def test_the_arrow_keys_walk_the_tour_and_a_step_left_and_reached_again_is_that_step(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    act(page, lambda: page.keyboard.press("ArrowRight"))  # no control has the focus: the tour's key
    assert heading(page) == "Step 3 of 7 · " + t("en", "step_3") and "step=3" in page.url
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    assert heading(page) == "Step 2 of 7 · " + t("en", "step_2") and "step=2" in page.url
    thumb = page.get_by_role("slider", name=t("en", "depth"))
    thumb.focus()
    act(page, lambda: thumb.press("ArrowRight"))  # a focused slider takes its own keys: one notch, not the tour
    assert heading(page) == t("en", "custom_heading") and "depth=11" in page.url and "step=custom" in page.url
    act(page, lambda: thumb.press("ArrowLeft"))  # and back: step 2 again
    assert heading(page) == "Step 2 of 7 · " + t("en", "step_2") and "step=2" in page.url
    act(page, lambda: thumb.press("ArrowRight"))
    page.evaluate("document.activeElement.blur()")
    act(page, lambda: page.keyboard.press("ArrowRight"))  # from Custom near step 2: step 3, not step 1
    assert heading(page) == "Step 3 of 7 · " + t("en", "step_3") and "depth=" not in page.url


def test_the_arrow_keys_leave_a_text_box_alone(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    page.get_by_role("spinbutton", name=t("en", "seed")).focus()
    page.evaluate(WATCH_STATE)
    page.keyboard.press("ArrowRight")  # moves the cursor in the box
    page.wait_for_timeout(1500)  # a run would have started by now
    assert not page.evaluate("window.__ran || window.__finishedRuns > window.__runsBefore")
    assert heading(page) == "Step 2 of 7 · " + t("en", "step_2")


def test_switching_language_keeps_the_settings(base, page):
    visit(page, f"{base}/?step=custom&depth=12&init=he_normal&activation=relu&tab=gradients", charts=2)
    act(page, lambda: option(page, "Language · 语言", 1).click())
    assert page.locator("h1").first.inner_text() == t("zh", "custom_heading")
    assert page.get_by_role("tab", selected=True).inner_text() == t("zh", "tab_gradients")
    assert slider_value(page, t("zh", "depth")) == "12"
    assert "lang=zh" in page.url and "depth=12" in page.url and "init=he_normal" in page.url


def test_typing_a_gain_that_is_not_a_number_warns(base, page):
    visit(page, f"{base}/?step=custom&init=xavier_normal")
    box = page.get_by_role("combobox", name=t("en", "gain"))
    box.click()
    box.fill("lots")
    act(page, lambda: box.press("Enter"))
    assert any("lots" in w for w in page.locator("[data-testid='stAlertContentWarning']").all_inner_texts())
    assert page.locator(EXCEPTION).count() == 0


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
        assert p.locator("h1").first.inner_text() == "Step 6 of 7 · " + t("en", "step_6")
    for c in contexts:
        c.close()


def test_run_on_the_training_tab_trains_and_draws(base, page):
    visit(page, f"{base}/?step=custom&depth=3&width=32&activation=relu&init=he_normal&tab=training&steps=20"
                "&train=zeros&train=he_normal", charts=0)
    assert page.get_by_text(t("en", "training_tab.press_run")).count() == 1
    act(page, lambda: page.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click())
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 4",
                           timeout=60_000)  # loss, accuracy, heatmap, symmetry
    assert page.locator(EXCEPTION).count() == 0
    loss = page.locator("[data-testid='stVegaLiteChart']").filter(has_text=t("en", "training_tab.loss_title"))
    assert loss.locator("svg path").count() > 3  # curves and the ln K guide were drawn
    assert page.get_by_text(t("en", "training_tab.press_run")).count() == 0
    assert "steps=20" in page.url and "tab=training" in page.url


def test_the_theory_tab_draws_its_map(base, page):
    visit(page, f"{base}/?step=3&tab=theory", charts=2)
    assert page.locator(EXCEPTION).count() == 0
    heatmap = page.locator("[data-testid='stVegaLiteChart']").first
    assert heatmap.locator("svg path").count() > 2000  # the map's 60 x 41 cells, then the line and the marks
    assert t("en", "theory_tab.here") in heatmap.inner_text()



@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chart_downloads_as_svg_and_png_named_after_the_step(base, browser, lang):
    """The Activations tab's std chart at step 2: the files Vega's converter makes when its buttons are pressed,
    under the step's and the chart's name, without the page running again."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    context.add_init_script(COUNT_RUNS)
    page = visit(context.new_page(), f"{base}/?step=2&lang={lang}", charts=3)
    page.wait_for_function(  # every chart's two buttons drawn (a loaded machine draws them after the charts)
        "() => document.querySelectorAll(\"[data-testid='stDownloadButton']\").length >= "
        "2 * document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length", timeout=30_000)
    runs = page.evaluate("window.__finishedRuns")
    files = {}
    for fmt in ("svg", "png"):
        # the charts in page order: the mean, the std (the second), the histograms; each with SVG then PNG
        button = page.locator("[data-testid='stDownloadButton']").filter(has_text=t(lang, f"figure_{fmt}")).nth(1)
        with page.expect_download(timeout=90_000) as info:  # the first conversion starts the converter: seconds
            button.click()
        download = info.value
        assert download.failure() is None
        assert download.suggested_filename == f"step-2_activation-std.{fmt}"
        files[fmt] = Path(download.path()).read_bytes()
    root = ElementTree.fromstring(files["svg"])
    texts = ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]
    assert t(lang, "chart_act_std") in texts and t(lang, "layer") in texts
    assert files["png"][:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", files["png"][16:24])  # IHDR, the first chunk
    assert (width, height) == (round(float(root.get("width")) * PNG_SCALE),
                               round(float(root.get("height")) * PNG_SCALE))
    assert page.evaluate("window.__finishedRuns") == runs  # a download does not run the page again
    assert page.locator(EXCEPTION).count() == 0
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
    page.wait_for_timeout(500)  # let the charts' last frame paint
    path = ROOT / "artifacts" / f"{name}.png"  # ignored by git; scripts/refresh_screenshots.sh copies them to docs/
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))
    context.close()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 50_000


# ---------- presenter mode and every screen ----------

def outside_viewport(page, locator) -> list[dict]:
    """The bounding boxes of the locator's elements that leave the viewport (none: all inside)."""
    size = page.viewport_size
    boxes = [locator.nth(i).bounding_box() for i in range(locator.count())]
    return [b for b in boxes if b is None or b["x"] < 0 or b["y"] < 0 or b["x"] + b["width"] > size["width"]
            or b["y"] + b["height"] > size["height"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_presenter_mode_shows_the_lesson_on_one_screen(base, browser, width, height, lang):
    """Title, story, std chart and histograms inside the viewport, unscrolled, at every tour step; the sidebar
    closed."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for step in ("1", "2", "3", "4", "5", "6", "7"):
        visit(page, f"{base}/?step={step}&lang={lang}&present=true", charts=2)
        assert page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop") == 0
        assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
        story = t(lang, f"story_{step}").split("{")[0].strip()[:20]  # the story's words before its first number
        parts = {"title": page.locator("h1"), "story": page.locator("[data-testid='stMarkdownContainer']").filter(
                     has_text=story), "charts": page.locator("[data-testid='stVegaLiteChart']")}
        assert [parts[name].count() for name in parts] == [1, 1, 2]  # the std chart and the histograms
        for name, locator in parts.items():
            assert outside_viewport(page, locator) == [], (step, name)
    context.close()


def test_the_presenter_switch_writes_the_address(base, page):
    visit(page, f"{base}/?step=2", charts=3)
    act(page, lambda: page.locator("[data-testid='stCheckbox']").filter(has_text=t("en", "present")).click())
    assert "present=true" in page.url
    act(page, lambda: page.locator("[data-testid='stCheckbox']").filter(has_text=t("en", "present")).click())
    assert "present" not in page.url


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                       "Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_never_scrolls_sideways(base, browser, lang):
    """A 390 px phone (its User-Agent says Mobile): neither the page nor any chart is wider than the screen."""
    context = browser.new_context(**PHONE)
    page = visit(context.new_page(), f"{base}/?step=2&lang={lang}", charts=3)
    wide = page.evaluate("""() => [document.documentElement, document.querySelector("[data-testid='stMain']"),
        ...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
        .filter((e) => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > innerWidth)
        .map((e) => [e.getAttribute('data-testid'), e.scrollWidth, e.clientWidth])""")
    context.close()
    assert wide == []


def test_a_narrow_window_that_is_no_phone_shows_every_histogram_whole(base, browser):
    """390 px without a phone's User-Agent (a desktop window, a tablet's split screen) gets the desktop's five
    panels a row: the grid shrinks to the column, so all ten layers are inside the screen, none cut off."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = visit(context.new_page(), f"{base}/?step=2", charts=3)
    boxes = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] svg")]
        .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })""")
    context.close()
    assert len(boxes) >= 3 and all(left >= 0 and right <= 390 for left, right in boxes), boxes


@pytest.mark.parametrize("step", ["2", "3", "5", "6"])
def test_nothing_is_cut_at_1024_by_768(base, browser, step):
    """The headline numbers and their labels are written out whole (no "2.94…", no "vanis…")."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = visit(context.new_page(), f"{base}/?step={step}", charts=1)
    cut = page.evaluate("""() => [...document.querySelectorAll(
        "[data-testid='stMetricValue'] *, [data-testid='stMetricLabel'] *, [data-testid='stMetricDelta'] *")]
        .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.innerText)""")
    context.close()
    assert cut == []


# ---------- side by side ----------



@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_two_steps_side_by_side_on_a_laptop_and_stacked_on_a_phone(base, browser, screen, lang):
    """?step=2&beside=7: both titles and both sides' charts drawn, next to each other at 1280 x 800 and one under
    the other on a 390 px phone; neither the page nor a chart wider than the screen."""
    context = browser.new_context(**(PHONE if screen == "phone" else {"viewport": {"width": 1280, "height": 800}}))
    page = visit(context.new_page(), f"{base}/?step=2&beside=7&lang={lang}", charts=4)
    assert page.locator(EXCEPTION).count() == 0
    titles = page.locator(".st-key-beside_view h4")
    assert [titles.nth(i).inner_text() for i in range(titles.count())] == [
        t(lang, "step_heading", n=code, steps=7, title=t(lang, f"step_{code}")) for code in ("2", "7")]
    sides = [page.locator(f".st-key-beside_side_{name} [data-testid='stVegaLiteChart'] svg") for name in ("left",
                                                                                                          "right")]
    assert [side.count() for side in sides] == [2, 2]  # the std chart and the histograms
    left, right = (side.first.bounding_box() for side in sides)
    if screen == "laptop":
        assert right["x"] >= left["x"] + left["width"] and abs(right["y"] - left["y"]) < 2
    else:
        assert right["y"] > left["y"] + left["height"]
    wide = page.evaluate("""() => [document.documentElement, document.querySelector("[data-testid='stMain']"),
        ...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
        .filter((e) => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > innerWidth)
        .map((e) => [e.getAttribute('data-testid'), e.scrollWidth, e.clientWidth])""")
    titles.first.scroll_into_view_if_needed()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=ROOT / "artifacts" / f"beside-{screen}-{lang}.png")
    context.close()
    assert wide == []


SIDEBAR_BOX = "() => { const r = document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect(); " \
              "return {left: r.left, right: r.right}; }"


@pytest.mark.parametrize("size, closes", [((390, 844), True), ((1280, 800), False)])
def test_picking_a_step_closes_the_sidebar_where_it_covers_the_page(base, browser, size, closes):
    """On a phone the open sidebar lies over the page: a step picked in it closes it, so the step is seen. On a
    laptop the sidebar sits beside the page and stays open."""
    options = PHONE if closes else {"viewport": {"width": size[0], "height": size[1]}}
    context = browser.new_context(**options)
    page = visit(context.new_page(), f"{base}/?step=2", charts=3)
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    assert (expand.count() == 1) == closes  # a phone opens with the sidebar closed, a laptop with it open
    if closes:
        expand.click()
        page.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                               ".getBoundingClientRect().right > 300")
    main_left = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").getBoundingClientRect().left")
    assert (page.evaluate(SIDEBAR_BOX)["right"] > main_left + 1) == closes  # over the page, or beside it
    act(page, lambda: page.get_by_text(t("en", "step_option", n=5, title=t("en", "step_5")), exact=True).click())
    page.wait_for_timeout(1000)  # the sidebar's closing slide
    assert heading(page) == "Step 5 of 7 · " + t("en", "step_5")
    box = page.evaluate(SIDEBAR_BOX)
    context.close()
    assert (box["right"] <= 0) == closes, box


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_std_chart_is_in_the_first_screen_at_1280_by_800(base, browser, lang):
    """A laptop's first screen holds the title, the story, the headline numbers and the whole std-per-layer chart,
    at every tour step: the chart's box within the viewport, unscrolled."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    for step in ("1", "2", "3", "4", "5", "6", "7"):
        visit(page, f"{base}/?step={step}&lang={lang}", charts=2)
        page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stMetric']\").length >= 4",
                               timeout=30_000)  # a loaded machine may draw the last number after the charts
        assert page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop") == 0
        chart = page.locator("[data-testid='stVegaLiteChart']").filter(has_text=t(lang, "chart_act_std"))
        story = t(lang, f"story_{step}").split("{")[0].strip()[:20]
        parts = {"title": page.locator("h1"), "chart": chart,
                 "story": page.locator("[data-testid='stMarkdownContainer']").filter(has_text=story),
                 "numbers": page.locator("[data-testid='stMetric']")}
        assert [parts[name].count() for name in parts] == [1, 1, 1, 4], step
        for name, locator in parts.items():
            assert outside_viewport(page, locator) == [], (step, name)
    context.close()
