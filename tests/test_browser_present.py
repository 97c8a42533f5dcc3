"""Presenter mode and a class in a real browser: the lesson on one projector screen, the files a teacher takes from
the page, the README's screenshots, and five pages opening one link together."""

from __future__ import annotations

import struct
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.browser_support import (
    CHART_TEXT_PX, COUNT_RUNS, EXCEPTION, READABLE_PX, SETTLED, TITLE_AND_NEXT, act, heading, outside_viewport, visit,
    wait_still, watched_page,
)
from views import headline
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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_shows_the_lesson_on_one_screen(base, browser, lang):
    """Title, story, std chart and histograms inside the viewport, unscrolled, at every tour step on a 1920 x 1080
    and a 1280 x 720 screen, and nothing of the page below it (the charts' download buttons had fallen half below a
    1280 x 720 screen); every chart's text readable (the ReLU steps' histograms had been scaled to 10 px); the
    title, however many lines it wraps to, ending above the network line under it; the sidebar closed. The steps
    are walked as a teacher walks a class through them: the first opened from its link, each next one by the ▶
    button's key, without reloading the page."""
    context = browser.new_context(viewport=SCREENS[0])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    first, *_ = STEPS
    visit(page, f"{base}/?step={first}&lang={lang}&present=true", charts=2)
    for step in STEPS:
        if step != first:
            act(page, lambda: page.keyboard.press(f"Arrow{headline.STEP_KEYS[1]}"))
            page.wait_for_function(  # the charts of the step's own network, drawn after its run
                "document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 2", timeout=30_000)
        assert heading(page) == t(lang, "step_heading", n=step, steps=len(STEPS), title=t(lang, f"step_{step}"))
        loaded = SCREENS.index(page.viewport_size)
        for size in SCREENS[loaded:] + SCREENS[:loaded]:  # as drawn, then resized to the other screen
            if size != page.viewport_size:
                page.set_viewport_size(size)
                wait_still(page, PRESENT_PARTS)  # the charts fit themselves to the new width
            where = (step, size["width"])
            assert page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop") == 0, where
            assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true", where
            # the story's words before its first number, as the page writes them (without Markdown's bold)
            story = t(lang, f"story_{step}").split("{")[0].replace("**", "").strip()[:20]
            parts = {"title": page.locator("h1"), "story": page.locator("[data-testid='stMarkdownContainer']").filter(
                         has_text=story), "charts": page.locator("[data-testid='stVegaLiteChart']")}
            assert [parts[name].count() for name in parts] == [1, 1, 2], where  # the std chart and the histograms
            for name, locator in parts.items():
                assert outside_viewport(page, locator) == [], (*where, name)
            assert outside_viewport(page, page.locator("[data-testid='stDownloadButton']")) == [], where
            below = page.evaluate("() => { const main = document.querySelector(\"[data-testid='stMain']\");"
                                  " return main.scrollHeight - main.clientHeight; }")
            assert below <= 0, (*where, below)  # no part of the page, the buttons' row among them, below the screen
            assert min(page.evaluate(CHART_TEXT_PX)) >= READABLE_PX, (*where, page.evaluate(CHART_TEXT_PX))
            title = page.evaluate(TITLE_AND_NEXT)  # however many lines it wraps to, above the network line
            assert title["box"] <= title["next_box"] and title["letters"] <= title["next_letters"], (*where, title)
    context.close()


def test_the_presenter_switch_writes_the_address(base, browser):
    with watched_page(browser) as page:
        visit(page, f"{base}/?step=2", charts=3)
        act(page, lambda: page.locator("[data-testid='stCheckbox']").filter(has_text=t("en", "present")).click())
        assert "present=true" in page.url
        act(page, lambda: page.locator("[data-testid='stCheckbox']").filter(has_text=t("en", "present")).click())
        assert "present" not in page.url


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
