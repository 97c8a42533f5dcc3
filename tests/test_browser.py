"""The app in a real browser: headless Chromium (Debian's, via playwright) against `streamlit run` on loopback:
the page, its controls and its address. The other test_browser_* modules take the screens, presenter mode and the
charts' console, so that the workers run them side by side, each worker with its own server."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser_support import EXCEPTION, SETTLED, WATCH_STATE, act, heading, option, visit, watched_page
from tests.app_support import as_read
from views import training
from views.headline import STORY
from views.text import t
from views.tour import STEPS

pytestmark = pytest.mark.slow  # a real server and real browsers: seconds a test


@pytest.fixture
def page(browser):
    with watched_page(browser) as p:
        yield p


def slider_value(page, label: str) -> str:
    return page.locator("[data-testid='stSlider']").filter(has_text=label).locator(
        "[data-testid='stSliderThumbValue']").inner_text()


def test_the_page_loads_the_keys_walk_the_tour_and_a_slider_change_re_renders(base, page):
    """Five claims on one page, opened at step 2 as the tests before it were: it loads with its charts and no
    exception; the arrow keys leave a text box alone; they walk the tour, and a step left and reached again is that
    step; a slider change re-renders the page and writes the address; a radio option clicked leaves them the tour's."""
    visit(page, f"{base}/?step=2", charts=3)
    # the page loads with charts and no exception
    assert page.locator(EXCEPTION).count() == 0, "loads: no exception"
    assert heading(page) == f"Step 2 of {len(STEPS)} · " + t("en", "step_2"), "loads: the step's title"
    assert page.locator("[data-testid='stVegaLiteChart'] svg").count() == 3, "loads: three charts"
    assert page.locator("[data-testid='stVegaLiteChart'] svg path").count() > 10, "loads: lines and bars drawn"
    assert page.locator("[data-testid='stMetricValue']").all_inner_texts()[3] == t("en", "verdict_vanishing"), \
        "loads: the verdict"

    # the arrow keys leave a text box alone
    page.get_by_role("spinbutton", name=t("en", "seed")).focus()
    page.evaluate(WATCH_STATE)
    page.keyboard.press("ArrowRight")  # moves the cursor in the box
    page.wait_for_timeout(1500)  # a run would have started by now
    assert not page.evaluate("window.__ran || window.__finishedRuns > window.__runsBefore"), "text box: no run"
    assert heading(page) == f"Step 2 of {len(STEPS)} · " + t("en", "step_2"), "text box: still step 2"
    page.evaluate("document.activeElement.blur()")

    # the arrow keys walk the tour, and a step left and reached again is that step
    act(page, lambda: page.keyboard.press("ArrowRight"))  # no control has the focus: the tour's key
    assert heading(page) == f"Step 3 of {len(STEPS)} · " + t("en", "step_3") and "step=3" in page.url, "keys: →"
    assert "std=1&" in page.url + "&"  # the link's one spelling of the number the step sets, not std=1.0
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    assert heading(page) == f"Step 2 of {len(STEPS)} · " + t("en", "step_2") and "step=2" in page.url, "keys: ←"

    # a slider change re-renders and updates the address (a focused slider takes its own keys: one notch)
    std_chart = page.locator("[data-testid='stVegaLiteChart']").nth(1)
    before_chart = std_chart.screenshot()
    before_value = page.locator("[data-testid='stMetricValue']").first.inner_text()
    thumb = page.get_by_role("slider", name=t("en", "depth"))
    thumb.focus()
    act(page, lambda: thumb.press("ArrowRight"))
    assert page.locator(EXCEPTION).count() == 0, "slider: no exception"
    assert "depth=11" in page.url and "step=custom" in page.url, "slider: the address"
    assert "init=normal" in page.url  # what step 2 set is still in the address, so the link reproduces the view
    assert heading(page) == t("en", "custom_heading"), "slider: Custom"
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() != before_value, "slider: the number"
    assert std_chart.screenshot() != before_chart, "slider: the chart"  # one more layer on the chart

    # ...and back: step 2 again; from Custom near step 2 the tour's key goes on to step 3, not step 1
    act(page, lambda: thumb.press("ArrowLeft"))
    assert heading(page) == f"Step 2 of {len(STEPS)} · " + t("en", "step_2") and "step=2" in page.url, "keys: back"
    act(page, lambda: thumb.press("ArrowRight"))
    page.evaluate("document.activeElement.blur()")
    act(page, lambda: page.keyboard.press("ArrowRight"))
    assert heading(page) == f"Step 3 of {len(STEPS)} · " + t("en", "step_3") and "depth=" not in page.url, \
        "keys: → from Custom"

    # a radio option clicked gives the keys back to the page: 中文, then → goes on to step 4 in Chinese (the focused
    # radio had taken the key and switched back to English on step 3)
    act(page, lambda: option(page, "Language · 语言", 1).click())
    act(page, lambda: page.keyboard.press("ArrowRight"))
    assert "step=4" in page.url and "lang=zh" in page.url, "keys: → after a radio's click"
    assert as_read(heading(page)) == f"第 4 步（共 {len(STEPS)} 步）· " + as_read(t("zh", "step_4"))


@pytest.mark.parametrize("gap", [40, 150])  # ms between presses: within a run, and about one run apart
def test_keys_pressed_fast_on_a_slider_at_a_step_leave_the_slider_the_page_and_the_address_agreeing(base, page, gap):
    """Six ← on the width slider at step 4, a fraction of a second apart: the first makes the page Custom, and the
    next reached the server beside the tour's radio as the browser still had it, "4", which had been taken for a pick
    of step 4 (5 to 7 times in 8: the slider back at 500 and the address at step 4, or the slider at 500 under a page
    of 494 units). Every press counts, and the slider, the page's network and the address all say 494, each of three
    times (the networks computed by the first, as a class's server has them)."""
    for _ in range(3):
        visit(page, f"{base}/?step=4&seed=5", charts=3)
        thumb = page.get_by_role("slider", name=t("en", "width"))
        thumb.focus()

        def presses():
            for _ in range(6):
                page.keyboard.press("ArrowLeft")
                page.wait_for_timeout(gap)

        act(page, presses)
        page.wait_for_timeout(1500)  # a run asked for by the last press has started by now
        page.wait_for_selector(SETTLED, timeout=90_000)
        assert page.locator(EXCEPTION).count() == 0
        shown = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
        assert (slider_value(page, t("en", "width")), heading(page)) == ("494", t("en", "custom_heading")), page.url
        assert "× 494 " in shown and "width=494" in page.url and "step=custom" in page.url, (shown, page.url)


def test_clicking_a_step_s_title_or_its_tour_option_selects_it_and_sets_the_address(base, page):
    """From step 2: a step's title clicked selects it (step 5); a tour option clicked (step 4) sets the controls and
    the address, and the address alone reproduces the view."""
    visit(page, f"{base}/?step=2", charts=3)
    act(page, lambda: page.get_by_text(t("en", "step_option", n=5, title=t("en", "step_5")), exact=True).click())
    assert heading(page) == f"Step 5 of {len(STEPS)} · " + t("en", "step_5"), "title click"
    assert "step=5" in page.url and "activation=relu" in page.url, "title click: the address"
    act(page, lambda: option(page, t("en", "tour"), 3).click())
    assert heading(page) == f"Step 4 of {len(STEPS)} · " + t("en", "step_4"), "tour option"
    assert "step=4" in page.url and "init=xavier_normal" in page.url, "tour option: the address"
    page.goto(page.url)  # the address alone reproduces the view
    page.wait_for_selector(SETTLED)
    page.wait_for_selector("h1")
    assert heading(page) == f"Step 4 of {len(STEPS)} · " + t("en", "step_4"), "the address reopened"


def test_back_and_forward_go_from_view_to_view(base, page):
    """Each view the viewer makes (a step by →, a tab, a slider's notch, a step beside) is one entry in the browser's
    history, and Back and Forward open those views again, controls, tab and address. ▶ had made two or three entries
    a step, and Back had stayed on the step while the address went through their mixed values
    (link.ONE_ENTRY_PER_VIEW); the step beside had stayed on Back, and been written into the view before. The entry of
    the link as opened (`?step=2`, which the page completes) is passed over: Back from the first view leaves
    the page."""
    def view():
        return (page.url, heading(page), page.get_by_role("tab", selected=True).inner_text(),
                slider_value(page, t("en", "depth")))

    page.goto(f"{base}/_stcore/health")  # the page before
    visit(page, f"{base}/?step=2", charts=3)
    views, entries = [view()], page.evaluate("history.length")
    thumb = page.get_by_role("slider", name=t("en", "depth"))
    for action in (lambda: page.keyboard.press("ArrowRight"),
                   lambda: page.get_by_role("tab", name=t("en", "tab_gradients")).click(),
                   lambda: (thumb.focus(), thumb.press("ArrowRight")),
                   lambda: (page.locator("[data-testid='stSelectbox']").filter(has_text=t("en", "beside")).click(),
                            page.get_by_role("option").filter(has_text="3 ·").first.click())):
        act(page, action)
        views.append(view())
        assert page.evaluate("history.length") == entries + len(views) - 1, f"one entry a view: {views[-1]}"
    assert [v[1:] for v in views] == [
        (f"Step 2 of {len(STEPS)} · " + t("en", "step_2"), t("en", "tab_activations"), "10"),
        (f"Step 3 of {len(STEPS)} · " + t("en", "step_3"), t("en", "tab_activations"), "10"),
        (f"Step 3 of {len(STEPS)} · " + t("en", "step_3"), t("en", "tab_gradients"), "10"),
        (t("en", "custom_heading"), t("en", "tab_gradients"), "11"),
        (t("en", "custom_heading"), t("en", "tab_gradients"), "11")]
    assert "beside=3" in views[-1][0] and "beside" not in views[-2][0], "the step beside: a view of its own"
    page.evaluate("document.activeElement.blur()")
    for back in reversed(views[:-1]):
        act(page, page.go_back)
        assert view() == back, "Back: the view before"
    act(page, page.go_forward)
    assert view() == views[1], "Forward: the view after"
    assert page.evaluate("history.length") == entries + len(views) - 1, "Back and Forward add no entry"
    assert page.locator(EXCEPTION).count() == 0
    page.go_back()
    page.go_back()
    page.wait_for_url(f"{base}/_stcore/health")


def test_back_to_an_entry_of_an_incomplete_link_opens_its_view(base, page):
    """An entry whose link the page completes (`?step=3&lang=zh`: the step's init and std left out), reached by
    Forward or Back, opens that view: step 3 in Chinese, the address completed. Its widgets are bound to the address by
    then, and writing their parameters there had raised StreamlitAPIException."""
    visit(page, f"{base}/?step=2", charts=3)
    page.evaluate("History.prototype.pushState.call(history, {}, '', '?step=3&lang=zh')")  # an entry of such a link
    act(page, page.go_back)
    assert heading(page) == f"Step 2 of {len(STEPS)} · " + t("en", "step_2")
    act(page, page.go_forward)
    assert page.locator(EXCEPTION).count() == 0
    assert as_read(heading(page)) == f"第 3 步（共 {len(STEPS)} 步）· " + as_read(t("zh", "step_3"))
    assert page.get_by_role("spinbutton", name=t("zh", "std")).input_value() == "1"
    assert "init=normal" in page.url and "std=1" in page.url and "lang=zh" in page.url, page.url


def test_the_derivation_renders_latex(base, page):
    visit(page, f"{base}/?step=2&tab=derivation", charts=0)
    page.wait_for_selector(".katex")
    assert page.locator(".katex").count() >= 8
    assert page.locator(".katex-error").count() == 0
    assert "0.2236" in page.locator(".katex").all_inner_texts()[5] + "".join(page.locator(".katex").all_inner_texts())


def test_a_deep_link_opens_exactly_that_view(base, page):
    visit(page, f"{base}/?step=3&lang=zh&tab=gradients", charts=2)
    assert page.locator(EXCEPTION).count() == 0
    assert as_read(page.locator("h1").first.inner_text()) == \
        f"第 3 步（共 {len(STEPS)} 步）· " + as_read(t("zh", "step_3"))
    assert page.get_by_role("spinbutton", name=t("zh", "std")).input_value() == "1"
    assert page.get_by_role("tab", selected=True).inner_text() == t("zh", "tab_gradients")
    assert "step=3" in page.url and "lang=zh" in page.url


# The tops and bottoms (px) of the network line under the title, the link's first warning and the step's story
NOTICE_PLACE = """(story) => {
    const box = (e) => e.getBoundingClientRect();
    const line = box(document.querySelector("[data-testid='stMain'] [data-testid='stCaptionContainer']"));
    const warning = box(document.querySelector("[data-testid='stAlertContentWarning']"));
    const top = box(document.querySelector(`[data-testid='stMain'] .st-key-${story}`)).top;
    return {line: line.bottom, warning: [warning.top, warning.bottom], story: top}; }"""


# Link text in Streamlit's Markdown: an icon, bold and colour, an outside image
MARKUP = {"width": ":material/home:", "seed": "**:red[moved]**", "std": "![x](http://127.0.0.1:8999/p.png)"}


def test_a_bad_link_value_is_named_in_a_warning(base, page):
    """The warning stands between the network line and the story (under the story, a phone showed a screen and more
    of the step used instead before saying why). Values written in Markdown show as typed, in the browser's own
    rendering: no icon, bold, colour or image ("`:material/home:`" had shown as ":material_home:", streamlit#10365)."""
    visit(page, f"{base}/?depth=999&init=normal&" + "&".join(f"{k}={quote(v)}" for k, v in MARKUP.items()))
    warning = page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
    assert "depth" in warning and "999" in warning
    warnings = page.locator("[data-testid='stAlertContentWarning']")
    for name, value in MARKUP.items():
        (said,) = [w.replace("\u2060", "") for w in warnings.all_inner_texts() if name in w]
        assert value in said, said
    assert warnings.locator("img, a, [data-testid='stIconMaterial'], span[style*='color']").count() == 0
    assert set(warnings.locator("strong").all_inner_texts()) == {"depth", *MARKUP}  # the parameters' names alone
    assert slider_value(page, t("en", "depth")) == "10"
    assert "depth=" not in page.url
    place = page.evaluate(NOTICE_PLACE, STORY)
    assert place["line"] <= place["warning"][0] < place["warning"][1] <= place["story"], place


def test_switching_language_keeps_the_settings(base, page):
    """The switch keeps every setting, and so does the next run: the select boxes send back the name they show, and
    the old language's names had crashed the page ("'constant' is not a width profile") or become a setting
    ("init='正态分布 N(0, std²)' is not allowed") at the first move after a switch, either way."""
    visit(page, f"{base}/?step=custom&depth=12&init=he_normal&activation=relu&tab=gradients", charts=2)
    act(page, lambda: option(page, "Language · 语言", 1).click())
    assert page.locator("h1").first.inner_text() == t("zh", "custom_heading")
    assert page.get_by_role("tab", selected=True).inner_text() == t("zh", "tab_gradients")
    assert slider_value(page, t("zh", "depth")) == "12"
    assert "lang=zh" in page.url and "depth=12" in page.url and "init=he_normal" in page.url
    for lang, key, depth in (("zh", "ArrowRight", "13"), ("en", "ArrowLeft", "12")):
        if lang == "en":
            act(page, lambda: option(page, "Language · 语言", 0).click())
        thumb = page.get_by_role("slider", name=t(lang, "depth"))
        act(page, lambda: thumb.press(key))  # a run after the switch, with every widget's value sent back
        assert page.locator(EXCEPTION).count() == 0, lang
        assert page.locator("h1").first.inner_text() == t(lang, "custom_heading"), lang
        assert slider_value(page, t(lang, "depth")) == depth, lang
        assert f"depth={depth}" in page.url and "init=he_normal" in page.url and "activation=relu" in page.url, lang
        assert page.get_by_role("combobox", name=t(lang, "init")).input_value() == t(lang, "options.init_he_normal")


def test_typing_a_gain_that_is_not_a_number_warns(base, page):
    visit(page, f"{base}/?step=custom&init=xavier_normal")
    box = page.get_by_role("combobox", name=t("en", "gain"))
    box.click()
    box.fill("lots")
    act(page, lambda: box.press("Enter"))
    warning = page.locator("[data-testid='stSidebar'] [data-testid='stAlertContentWarning']").filter(has_text="lots")
    assert warning.count() == 1
    assert page.locator(EXCEPTION).count() == 0
    # right under the box, where the text was typed (it had stood 535 px below, past the fan mode and the biases)
    below = warning.bounding_box()["y"] - (box.bounding_box()["y"] + box.bounding_box()["height"])
    assert 0 <= below <= 40, below
    assert "gain=" not in page.url  # not what the network uses: the link leaves it out


def test_run_on_the_training_tab_trains_and_draws(base, page):
    visit(page, f"{base}/?step=custom&depth=3&width=32&activation=relu&init=he_normal&tab=training&steps=20"
                "&train=zeros&train=he_normal", charts=0)
    assert page.get_by_text(t("en", "training_tab.press_run")).count() == 1
    act(page, lambda: page.get_by_role("button", name=t("en", "training_tab.run"), exact=True).click())
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\").length >= 4",
                           timeout=60_000)  # loss, accuracy, heatmap, symmetry
    assert page.locator(EXCEPTION).count() == 0
    loss = page.locator("[data-testid='stVegaLiteChart']").filter(  # its title's first line (charts.title_lines)
        has_text=training.loss_title("en", 20))
    assert loss.locator("svg path").count() > 3  # curves and the ln K guide were drawn
    assert page.get_by_text(t("en", "training_tab.press_run")).count() == 0
    assert "steps=20" in page.url and "tab=training" in page.url


def test_the_theory_tab_draws_its_map(base, page):
    visit(page, f"{base}/?step=3&tab=theory", charts=2)
    assert page.locator(EXCEPTION).count() == 0
    heatmap = page.locator("[data-testid='stVegaLiteChart']").first
    assert heatmap.locator("svg path").count() > 2000  # the map's 60 x 41 cells, then the line and the marks
    assert t("en", "theory_tab.here") in heatmap.inner_text()


def command_line_features(browser) -> list[str]:
    """The features a running Chromium was told to turn off: its --disable-features switches' lists, as its
    chrome://version page reads its command line."""
    page = browser.new_page()
    try:
        page.goto("chrome://version")
        line = page.locator("#command_line").inner_text().split()
    finally:
        page.close()
    return [arg.split("=", 1)[1].split(",") for arg in line if arg.startswith("--disable-features=")]


def test_the_tests_browser_opens_no_address_bar_popups_and_keeps_playwright_s_switches(browser):
    """browser_support.launch's Chromium: no window of it opens a page of the address bar's popups (a browser_ui
    target: a renderer busy at every visit), and the features a plain Playwright launch turns off stay off, in the
    one --disable-features switch Chromium reads."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, UNUSED_FEATURES

    with watched_page(browser) as page:
        page.goto("about:blank")
        targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
        assert [target["url"] for target in targets if target["type"] == "browser_ui"] == []
    plain = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        [playwright_s] = command_line_features(plain)
    finally:
        plain.close()
    [ours] = command_line_features(browser)
    assert set(playwright_s) | set(UNUSED_FEATURES) == set(ours)
