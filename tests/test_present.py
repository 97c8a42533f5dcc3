"""Presenter mode and the page's link as a QR code, through AppTest and the functions behind them."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import segno
import streamlit as st
import vl_convert
from streamlit.testing.v1 import AppTest

from core import Config, cache, simulate
from core.activations import get
from views import charts, draw, present, tour, urlstate
from views.number_writing import format_value
from views import spectrum as spectrum_view
from views.page import layer_titles, series_names
from views.tabs import CODES
from views.locale import catalogue
from tests.app_support import open_tab
from tests.vega_specs import title_text
from views.text import join, t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

APP = str(Path(__file__).parent.parent / "streamlit_app.py")
ADDRESS = "https://init-explorer.example.org/"  # what a browser reports as st.context.url


def open_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    return at.run()


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def drawn_matrix(svg: str) -> list[list[int]]:
    """The modules an SVG of qr_svg draws, read back from its squares ("M x y h1v1h-1z"), quiet zone removed."""
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    n = side - 2 * present.QR_BORDER
    matrix = [[0] * n for _ in range(n)]
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg):
        matrix[int(y) - present.QR_BORDER][int(x) - present.QR_BORDER] = 1
    return matrix


# ---------- the QR code ----------

@pytest.mark.parametrize("link", [ADDRESS, ADDRESS + "?step=2&init=normal",
                                  ADDRESS + "?step=custom&compare=normal_0.01%2Bbn&compare=zeros&lang=zh"])
def test_the_qr_code_draws_segno_s_code_of_the_link(link):
    """Every module of the drawn code is the one segno's encoder (ISO/IEC 18004) gives for the link, and no other."""
    expected = [list(row) for row in segno.make(link, error=present.QR_ERROR, micro=False).matrix]
    assert drawn_matrix(present.qr_svg(link)) == expected
    assert drawn_matrix(present.qr_svg(link + "x")) != expected  # the check tells two links apart


def test_the_link_is_the_page_s_query_without_presenter_mode():
    link = present.page_link(ADDRESS, {"step": ["2"], "compare": ["normal_0.01+bn", "zeros"], "present": ["true"]})
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == ADDRESS
    assert parse_qsl(parts.query) == [("step", "2"), ("compare", "normal_0.01+bn"), ("compare", "zeros")]
    assert present.page_link(ADDRESS, {"present": "true"}) == ADDRESS


def test_a_bare_host_gets_the_root_s_slash_before_the_query():
    """The Data tab's CSV had "# link=http://127.0.0.1:8641?step=4": the address as a browser writes it has "/"."""
    assert present.page_link("http://127.0.0.1:8641", {"step": "4"}) == "http://127.0.0.1:8641/?step=4"
    assert present.page_link(ADDRESS, {"step": "4"}) == ADDRESS + "?step=4"
    assert present.page_link("http://127.0.0.1:8641", {}) == "http://127.0.0.1:8641"


def test_the_qr_image_holds_no_text_of_the_link():
    """The link reaches the page's HTML only inside base64: a link cannot add markup to the page."""
    link = ADDRESS + '?step=2&x="><script>alert(1)</script>'
    html = present.qr_html(link, "en")
    assert "<script" not in html and '">' not in html.split('alt="')[0][len('<img src="'):]


# ---------- presenter mode on the page ----------

@pytest.fixture
def browser_address(monkeypatch):
    """The address a browser reports (AppTest has no browser, so st.context.url is None there)."""
    monkeypatch.setattr(type(st.context), "url", property(lambda self: ADDRESS))


@pytest.mark.slow
@pytest.mark.parametrize("step", list(tour.STEPS))
def test_presenter_mode_draws_the_story_the_std_chart_the_histograms_and_the_qr(step, browser_address):
    for lang in ("en", "zh"):  # one test a step: the second language reuses the first's networks, as on a server
        _check_presenter_page(step, lang)


def _check_presenter_page(step: str, lang: str) -> None:
    """Step `step` in presenter mode in `lang`: its story, std chart and histograms at the projector's sizes,
    four metrics in a line, and the QR code of its link."""
    at = open_app(step=step, lang=lang, present="true")
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key=present.PRESENT).value is True
    assert not at.tabs  # the tabs' other charts are left out
    drawn = specs(at)
    about = tour.story_charts(step, lang)  # what the story points to, which presenter mode draws
    config = tour.STEPS[step]
    titles = [layer_titles(config, lang)["std"]]
    if tour.SPECTRUM in about:  # the Spectrum tab's two histograms in place of the activations'
        # each title saying how many of its values are too small to draw (presenter mode has no caption): the
        # Gaussian twin's 107 of 256 at step 10, whose bars add up to 58 %
        spectra = [cache.spectrum_cached(network) for network in (config, spectrum_view.twin(config))]
        hidden = [int((s.pooled <= s.resolution).sum()) for s in spectra]
        assert hidden[0] == 0 < hidden[1] < spectra[1].pooled.size
        notes = ["", t(lang, "spectrum_tab.zeros_title", zeros=hidden[1], count=spectra[1].pooled.size)]
        titles += charts.even_titles([join(lang, list(filter(None, [title, note])), "sentence") for title, note in zip(
            (spectrum_view.this_title(config, config, lang), spectrum_view.twin_title(config, lang, config)), notes)],
            present.SPECTRUM_TITLE_WIDTH)
    else:
        titles.append(layer_titles(config, lang)["hist"])
    assert [title_text(spec) for spec in drawn] == titles, (step, lang)
    std, *others = drawn
    # laid out by the browser to its box (FIT_CHARTS sets the box's height), and again as it changes (its title had
    # been cut at the box's top); its axes close to their labels
    assert std["width"] == "container" and std["autosize"] == draw.FIT_TO_BOX
    assert std["config"]["axis"]["labelPadding"] == present.PRESENT_CONFIG["axis"]["labelPadding"]
    assert {layer["encoding"]["x"]["title"] for layer in std["layer"]} == {t(lang, "layer")}  # alone, it is titled
    # the branch's line and its theory beside the stream's where the story is about the branch, as the Activations tab
    series = {name for layer in std["layer"] for name in layer["encoding"]["color"]["scale"]["domain"]}
    assert series == set(series_names(lang, tour.BRANCH in about).values()), (step, lang, series)
    if tour.SPECTRUM in about:
        for spectrum in others:  # at presenter mode's size, scaled by the browser; their text the story's
            assert (spectrum["width"], spectrum["height"]) == present.SPECTRUM_PLOT
            assert spectrum["config"]["axis"]["labelFontSize"] == present.BODY_PX
        # their plots at one height, whatever each title's length (the twin's had four lines to two, 60 px lower)
        tops = {vl_convert.vegalite_to_scenegraph(json.dumps(spectrum))["origin"][1] for spectrum in others}
        assert len(tops) == 1, (step, lang, tops)
        return
    (hist,) = others
    assert present.PRESENT_PANEL[0] <= hist["spec"]["width"] <= present.PRESENT_PANEL_WIDEST
    assert hist["spec"]["height"] == present.PRESENT_PANEL[1]
    # no caption is on the screen: a line under the title says what the labels are, where there are any
    key = charts.label_key(charts.histogram_frame(_result(tour.STEPS[step]), lang), tour.STEPS[step].activation, lang)
    under_title = hist["title"].get("subtitle", []) if isinstance(hist["title"], dict) else []
    assert "".join(under_title).replace(" ", "") == key.replace(" ", ""), (step, lang)
    # the labels above the panels in one row (a second made the ReLU steps' panels too tall for a 720 px screen)
    rows = {layer["encoding"]["y"]["value"] for layer in hist["spec"]["layer"] if layer["mark"]["type"] == "text"}
    assert rows == {-2}, (step, rows)
    story = [m.value for m in at.markdown if m.value == tour.story(step, _result(tour.step_config(step)), lang, {
        name: _result(config) for name, config in tour.companions(step).items()}, tabs=False)]
    assert story, "the step's story is on the page, without its pointers to the tabs presenter mode hides"
    assert not pointed_tabs(story[0], lang), (step, lang, pointed_tabs(story[0], lang))
    assert len(at.metric) == 4  # in one line, by presenter mode's CSS
    qr = [m.value for m in at.markdown if m.value.startswith('<img src="data:image/svg+xml;base64,')]
    assert len(qr) == 1
    svg = base64.b64decode(qr[0].split("base64,")[1].split('"')[0]).decode()
    expected_link = present.page_link(ADDRESS, dict(at.query_params))
    assert "present" not in expected_link
    assert drawn_matrix(svg) == [list(r) for r in segno.make(expected_link, error=present.QR_ERROR).matrix]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_gives_a_missing_number_its_reason_as_its_tooltip(lang):
    """Presenter mode's CSS leaves out the notes under the headline numbers: a number that is not defined gives its
    reason as its tooltip there (step 9's dead units: the stream is no activation's output), and a number that is
    shown has none. The ordinary page keeps the reason under the number, and no tooltip."""
    at = open_app(step="9", lang=lang, present="true")
    numbers = [m for m in at.metric][:3]  # the verdict's (?) is its notes, as on the ordinary page
    assert [m.value for m in numbers][2] == t(lang, "metric_missing")
    dead = t(lang, "metric_dead_help")  # what the share counts, the third number's tooltip on every page
    assert [m.help for m in numbers] == ["", "", f"{dead}\n\n{t(lang, 'metric_share_stream')}"], \
        [m.help for m in numbers]
    ordinary = open_app(step="9", lang=lang)
    assert [m.help for m in ordinary.metric][:3] == ["", "", dead]
    assert ordinary.metric[2].delta == t(lang, "metric_share_stream")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("query, rule", [({"step": "3"}, "saturated"), ({"step": "6"}, "dead"),
                                         ({"step": "custom", "activation": "sigmoid"}, "saturated"),
                                         ({"step": "custom", "activation": "leaky_relu"}, "off"),
                                         ({"step": "custom", "activation": "gelu"}, None)])
def test_the_third_number_says_what_its_share_counts(query, rule, lang):
    """Step 6's "Dead units (last layer) 10.4 %" stood beside histograms with about half of every layer's values at
    0, and nothing on the page but the Data tab said what a dead unit is. The saturated or dead share's tooltip says
    what it counts: the activation's saturation rule from core.activations (tanh: outside −0.97 to 0.97), or a unit
    ≤ 0 for every sample; an activation with neither rule has no share and no tooltip."""
    at = open_app(lang=lang, **query)
    activation = query.get("activation", tour.STEPS[query["step"]].activation if query["step"] != "custom" else "")
    third = at.metric[2]
    if rule is None:
        assert third.value == t(lang, "metric_missing") and third.help == ""
        return
    assert third.label == t(lang, f"metric_{rule}")  # "off": leaky ReLU's units ≤ 0 pass its slope, not dead
    if rule in ("dead", "off"):
        assert third.help == t(lang, "metric_dead_help")
        return
    center, half = get(activation).saturation
    assert third.help == t(lang, "metric_saturated_help", low=format_value(center - half),
                           high=format_value(center + half), activation=t(lang, f"act_{activation}"))
    assert ("0.97" in third.help) and (("−0.97" in third.help) == (activation == "tanh"))


@pytest.mark.slow
@pytest.mark.parametrize("address, host", [
    ("http://127.0.0.1:8501/", "127.0.0.1"), ("http://localhost:8501/", "localhost"), ("http://[::1]:8501/", "::1"),
    ("http://127.4.5.6/", "127.4.5.6"), ("http://lab.localhost:8501/", "lab.localhost"),
    ("https://init-explorer.example.org/", None), ("http://192.168.1.20:8501/", None), ("http://10.0.0.7/", None),
    ("http://localhost.example.org/", None)])
def test_a_page_served_on_this_computer_s_own_address_shows_why_there_is_no_qr_code(address, host, monkeypatch):
    """A code of a loopback address (RFC 6761 6.3's localhost, 127.0.0.0/8, ::1) would open nothing on a student's
    phone: the QR popover says so and which address to open instead, and presenter mode says it in the code's place,
    naming the host; an address a phone can reach (a deployment, a network's own address) gets its code and no note."""
    monkeypatch.setattr(type(st.context), "url", property(lambda self: address))
    assert present.loopback_host(address) == host
    for lang in ("en", "zh"):
        for presenting in (False, True):
            at = open_app(step="2", lang=lang, **({"present": "true"} if presenting else {}))
            codes = [m for m in at.markdown if m.value.startswith('<img src="data:image/svg+xml;base64,')]
            key = "qr_local_short" if presenting else "qr_local"
            start = catalogue(lang)[key].split("{host}")[0]  # the note's words before the host
            notes = [c.value for c in at.caption if c.value.startswith(start)]
            if host is None:
                assert len(codes) == 1 and notes == [], (address, lang, presenting)
            else:
                assert codes == [] and notes == [t(lang, key, host=f"`{host}`")], (address, lang, presenting, notes)


@pytest.mark.slow
@pytest.mark.parametrize("path, code", [("a" * 2_400, False), ("a" * 2_000, True)], ids=["too-long", "fits"])
def test_a_link_longer_than_a_qr_code_holds_gets_a_sentence_in_its_place(path, code, monkeypatch):
    """A long path before the query (a proxy's, or a link pasted into a link) made segno raise DataOverflowError and
    the page show a traceback in place of its body: past the largest code (version 40 holds 2,331 bytes at error
    correction M), the popover and presenter mode say the link is too long for a code and how long it is; a link
    that fits still gets its code."""
    address = f"https://init-explorer.example.org/{path}"
    monkeypatch.setattr(type(st.context), "url", property(lambda self: address))
    for lang in ("en", "zh"):
        for presenting in (False, True):
            at = open_app(step="3", lang=lang, **({"present": "true"} if presenting else {}))
            assert not at.exception, [e.value for e in at.exception]
            codes = [m for m in at.markdown if m.value.startswith('<img src="data:image/svg+xml;base64,')]
            head, tail = (re.escape(part) for part in catalogue(lang)["qr_too_long"].split("{length:,}"))
            said = [int(m.group(1).replace(",", "")) for c in at.caption if (m := re.fullmatch(f"{head}([0-9,]+){tail}",
                                                                                               c.value))]
            assert (len(codes), len(said)) == ((1, 0) if code else (0, 1)), (lang, presenting, said)
            assert all(length > len(address) for length in said)  # the link: the address and its query


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_story_s_pointers_name_the_charts_presenter_mode_draws_for_it(lang):
    """The one record of what a step's story is about: its pointers to the tabs, each naming the chart it points to
    (views.text.pointed). Step 8's story gives the branch's std ({branch_first} to {branch_last}) and names the
    branch's line; step 10's the Jacobian's singular values ({orthogonal_p10}) and names the Spectrum tab's histograms;
    no other story quotes either, and none names them. Both languages name the same; a name is one presenter mode
    draws; on the page and in presenter mode the name itself is never shown."""
    from views.locale import catalogue
    from views.text import pointed, pointing

    named = {code: tour.story_charts(code, lang) for code in tour.STEPS}
    assert named == {code: tour.story_charts(code, "en") for code in tour.STEPS}
    for code, charts_named in named.items():
        template = catalogue(lang)[f"story_{code}"]
        assert (tour.BRANCH in charts_named) == ("{branch_first}" in template), (code, lang)
        assert (tour.SPECTRUM in charts_named) == ("{orthogonal_p10}" in template), (code, lang)
    assert {code: sorted(c) for code, c in named.items() if c} == {"8": [tour.BRANCH], "10": [tour.SPECTRUM]}
    every = set().union(*(pointed(text) for text in catalogue(lang).values()))
    assert every == {tour.BRANCH, tour.SPECTRUM}
    for text in catalogue(lang).values():
        for name in pointed(text):
            assert f"{name}|" not in pointing(text, tabs=True) + pointing(text, tabs=False)
    assert tour.story_charts(tour.CUSTOM, lang) == frozenset()


# What presenter mode does not draw and the ordinary page's stories name: the histograms (not in the backward view),
# and the headline's ratios (the chips under its numbers)
NOT_PRESENTED = {"en": ("histogram", "headline's"), "zh": ("直方图", "上方指标")}


def pointed_tabs(text: str, lang: str) -> list[str]:
    """The page's tabs a text points to: "Gradients tab", "the **Spectrum** tab" (en), "“梯度”页" (zh)."""
    names = [t(lang, f"tab_{code}") for code in CODES]
    pattern = r"\*{0,2}(%s)\*{0,2} tab" if lang == "en" else r"“(%s)”(?:标签)?页"
    return re.findall(pattern % "|".join(map(re.escape, names)), text)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_story_points_to_its_tabs_only_where_the_page_shows_them(lang):
    """Steps 1, 2, 3, 5, 8 and 10 send the reader to a tab ("(Gradients tab)", step 10's Spectrum tab): on the page,
    with the pointer's words and no bracket of the catalogue's; in presenter mode, which shows no tabs, the story
    reads on without them."""
    pointed = set()
    for step, config in tour.STEPS.items():
        result, others = _result(config), {name: _result(c) for name, c in tour.companions(step).items()}
        shown, presented = (tour.story(step, result, lang, others, tabs=tabs) for tabs in (True, False))
        assert not re.search("[⟦⟧]", shown + presented), step
        assert pointed_tabs(presented, lang) == [], (step, presented)
        # only pointers are left out: to a tab, or to what presenter mode does not draw
        assert presented == shown or pointed_tabs(shown, lang) or any(w in shown for w in NOT_PRESENTED[lang]), step
        pointed |= {step} if pointed_tabs(shown, lang) else set()
    assert pointed == {"1", "2", "3", "5", "8", "10"}


def _result(config):
    from core import cache
    from views.page import memory_budget
    return cache.simulate_cached(config, memory_budget())


@pytest.mark.slow
def test_the_presenter_switch_changes_the_page_and_back():
    """The toggle on the page (its value reaches the address through Streamlit's binding: a browser test)."""
    at = open_app(step="3")
    assert at.toggle(key=present.PRESENT).value is False and at.tabs  # the ordinary page
    at.toggle(key=present.PRESENT).set_value(True).run()
    assert not at.tabs and len(at.get("vega_lite_chart")) == 2
    at.toggle(key=present.PRESENT).set_value(False).run()
    assert at.tabs and len(at.get("vega_lite_chart")) == 3
    assert not at.exception


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_projects_the_pass_the_open_tab_names(lang):
    """A teacher could not project the backward pass without leaving presenter mode. A link's tab=gradients opens it
    on the screen: the Gradients tab's two charts (its gradient std, its update size) laid out to
    their boxes as the std chart is, in place of the std chart and the histograms, the switch on "Gradients". The
    switch's other side opens the Activations tab, which the address then says (its default: no tab=), and draws the
    forward pass; any other open tab (tab=derivation) shows the forward pass and is kept for afterwards."""
    from views.tabs.gradients import grad_title, half_title
    at = open_app(step="2", lang=lang, present="true", tab="gradients")
    assert not at.exception and at.button_group(key=present.VIEW).value == "gradients"
    drawn = specs(at)
    # in the lines the tab writes them in: step 8's gradient title had been cut at its column's edge at 1024 x 768
    assert [title_text(spec) for spec in drawn] == [half_title(grad_title(tour.STEPS["2"], lang)),
                                                    half_title(t(lang, "chart_ratio"))]
    for spec in drawn:
        assert spec["width"] == "container" and spec["autosize"] == draw.FIT_TO_BOX
        assert spec["config"]["axis"]["labelFontSize"] == present.typed(present.PRESENT_CONFIG, present.BODY_PX)[
            "axis"]["labelFontSize"]
    assert at.query_params["tab"] == "gradients"
    at.button_group(key=present.VIEW).set_value("activations").run()
    assert at.session_state["tab"] == t(lang, "tab_activations") and "tab" not in at.query_params
    assert [title_text(spec) for spec in specs(at)] == [layer_titles(tour.STEPS["2"], lang)[name]
                                                       for name in ("std", "hist")]
    at.button_group(key=present.VIEW).set_value("gradients").run()
    assert at.query_params["tab"] == "gradients" and len(specs(at)) == 2
    at = open_app(step="2", lang=lang, present="true", tab="derivation")
    assert at.button_group(key=present.VIEW).value == "activations" and at.query_params["tab"] == "derivation"
    assert [title_text(spec) for spec in specs(at)] == [layer_titles(tour.STEPS["2"], lang)[name]
                                                       for name in ("std", "hist")]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_backward_pass_says_why_a_ratio_chart_would_be_empty_and_a_pair_has_no_switch(lang):
    """Step 1's W = 0 leaves std(∂L/∂W) / std(W) undefined at every layer: the backward pass had drawn an empty chart
    with nothing to say why (the tab's caption is not on presenter mode's screen); the tab's sentence stands in its
    place. Two steps side by side show their forward passes: the switch had read "Gradients" and changed only the
    address."""
    from core import cache as core_cache
    from views import summary
    from views.page import memory_budget
    at = open_app(step="1", lang=lang, present="true", tab="gradients")
    assert not at.exception and len(specs(at)) == 1  # the gradient's std alone
    result = core_cache.simulate_cached(tour.step_config("1"), memory_budget())
    gaps = summary.ratio_gaps(result, lang, t(lang, "ratio_axis"))
    assert gaps and all(any(m.value == sentence for m in at.markdown) for sentence in gaps), gaps
    at = open_app(step="2", lang=lang, present="true", tab="gradients", beside="7")
    assert not at.exception and not at.get("button_group")
    assert [title_text(spec) for spec in specs(at)][::2] == [layer_titles(tour.STEPS[code], lang)["std"]
                                                            for code in ("2", "7")]


@pytest.mark.parametrize("value", [True, False])
def test_present_round_trips_through_the_link(value):
    """present=true is written into a link and read back; off is the default and leaves the link."""
    state, problems = urlstate.normalize({"step": "2", "present": "true" if value else "false"}, CODES)
    assert problems == [] and state["present"] is value
    query = urlstate.to_query(state, CODES)
    assert query.get("present") == ("true" if value else None)
    assert urlstate.normalize(query, CODES)[0] == state and urlstate.is_canonical(query, state, CODES)


@pytest.mark.slow
def test_a_bad_present_value_is_named_and_the_page_is_ordinary():
    at = open_app(step="2", present="maybe")  # yes, 1 and on switch it on (urlstate's switch words)
    assert any("present" in w.value and "maybe" in w.value for w in at.warning)
    assert at.toggle(key=present.PRESENT).value is False and at.tabs


def test_presenter_css_only_in_presenter_mode():
    assert present.PRESENT_CSS not in present.page_css(False) and present.PAGE_CSS in present.page_css(False)
    assert present.PRESENT_CSS in present.page_css(True)


# ---------- every screen ----------

@pytest.mark.parametrize("agent, phone", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Mobile/15E148 Safari/604.1", True),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
     "Safari/537.36", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", False),
    ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
     "Safari/604.1", False),
    (None, False),
])
def test_a_browser_that_says_mobile_is_a_phone_s_for_the_training_titles(agent, phone):
    assert present.is_phone(agent) == phone


def vega_columns(signal: str, windows: list[int]) -> list[int]:
    """The panels in a row that Vega's expression `signal` (charts.screen_columns's) gives on each window width, as
    Vega itself evaluates it (vl_convert: a text mark per window, windowSize()[0] replaced by that width)."""
    expression = signal.replace("windowSize()[0]", "datum.window")
    spec = {"data": {"values": [{"window": w, "i": i} for i, w in enumerate(windows)]}, "mark": "text",
            "encoding": {"y": {"field": "i", "type": "ordinal"}, "text": {"field": "columns", "type": "quantitative"}},
            "transform": [{"calculate": expression, "as": "columns"}]}
    texts = re.findall(r"<text[^>]*>(\d+)</text>", vl_convert.vegalite_to_svg(spec))
    return [int(text) for text in texts[-len(windows):]]


@pytest.mark.slow
@pytest.mark.parametrize("panels", [1, 2, 5, 10])
def test_histograms_take_as_many_columns_as_the_window_s_page_holds(panels):
    """The histogram grid's panels in a row are chosen by the window's width, not by the User-Agent (a phone whose
    browser left "Mobile" out had got five a row shrunk to its 390 px): PHONE_COLUMNS at Streamlit's breakpoint of
    640 px or less; on a wider window, the ordinary page's grid has the most panels that the page's column beside
    the open sidebar holds (a narrowed laptop window shrank five to 6 px text), and presenter mode's (fit=False,
    scaled to its column) DESK_COLUMNS; in a file (no window), DESK_COLUMNS; never more than the panels. The
    browser's choice is checked in tests/test_browser_screens.py."""
    choice = present.screen_columns(panels)
    assert choice == {"columns": min(present.DESK_COLUMNS, panels),
                      "phone_columns": min(present.PHONE_COLUMNS, panels), "fit": True}
    frame = charts.histogram_frame(simulate(Config(depth=panels, width=16, batch=32)), "en")
    windows = [320, 390, 640, 641, 700, 800, 900, 1024, 1100, 1200, 1227, 1228, 1280, 1600]
    for fit in (True, False):
        spec = charts.histogram_chart(frame, colour="#000000", title="t", share_title="s",
                                      **{**choice, "fit": fit}).to_dict(validate=False)
        for window, columns in zip(windows, vega_columns(spec["columns"]["signal"], windows)):
            if window <= charts.PHONE_WIDTH:
                assert columns == choice["phone_columns"], (window, fit)
            elif not fit:
                assert columns == choice["columns"], window
            else:  # the grid of `columns` panels fits the column; one more would not, or there are no more
                room = window - charts.SIDEBAR_ROOM - 2 * charts.FACET_PADDING
                grid = charts._grid_width(panels, columns, charts.PANEL[0])
                assert 1 <= columns <= choice["columns"] and (grid <= room or columns == 1), (window, columns)
                assert columns == choice["columns"] or charts._grid_width(panels, columns + 1, charts.PANEL[0]) > room
    # in a file, where there is no window, the grid is the wide one
    wide = charts.histogram_chart(frame, colour="#000000", title="t", share_title="s", columns=choice["columns"])
    assert vl_convert.vegalite_to_svg(spec) == vl_convert.vegalite_to_svg(wide.to_dict())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_text_never_names_a_tab_it_does_not_show(lang):
    """Presenter mode shows no tabs: no story (each step's, Custom's and their parts), as presenter mode shows it,
    names one, as the page names a tab ("the Derivation tab", “推导”页). Custom's story had kept "the variance
    argument of the Derivation tab"; step 1's had sent the room to the Data tab's distinct units, which presenter
    mode does not show either."""
    from views.locale import catalogue
    from views.text import pointing

    names = [t(lang, f"tab_{code}") for code in CODES]
    named = [f"{name} tab" for name in names] if lang == "en" else [f"“{name}”页" for name in names]
    stories = {key: pointing(text, tabs=False) for key, text in catalogue(lang).items() if key.startswith("story_")}
    assert len(stories) > len(tour.STEPS)
    assert [(key, name) for key, text in stories.items() for name in named if name in text] == []
    assert {"en": "distinct units", "zh": "不同神经元"}[lang] not in pointing(t(lang, "story_1"), tabs=False)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_stories_name_nothing_presenter_mode_does_not_draw(lang):
    """Presenter mode keeps a step's story over both its views, and the backward pass's (the gradient's std beside
    the update size) draws no histogram: steps 2 and 3 had sent the room to "the histograms" there; steps 8 and 9
    to "the headline's ratio", which presenter mode's headline leaves out. Where a story points to them, the pointer
    is a tab's (views.text.pointing), which presenter mode leaves out."""
    from views.locale import catalogue
    from views.text import pointing

    stories = {key: text for key, text in catalogue(lang).items() if key.startswith("story_")}
    for absent in NOT_PRESENTED[lang]:
        assert [key for key, text in stories.items() if absent in text], absent  # the ordinary page's stories
        assert [key for key, text in stories.items() if absent in pointing(text, tabs=False)] == [], absent


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_text_never_asks_for_a_button_its_missing_tabs_hold(lang):
    """Presenter mode shows no tabs and leaves out a message's pointers to them (views.text.pointing): step 5's story
    had kept "press Run there" after "in the Training tab" was left out, a button the room cannot see. No message,
    as presenter mode shows it, asks for the Training tab's Run."""
    from views.locale import catalogue
    from views.text import TAB_POINTER, pointing

    press_run = {"en": "press Run", "zh": "点击“运行”"}[lang]
    pointed = {key: text for key, text in catalogue(lang).items() if TAB_POINTER.search(text)}
    assert pointed and [key for key, text in pointed.items() if press_run in pointing(text, tabs=False)] == []


@pytest.mark.slow
def test_the_step_buttons_have_no_tooltip_after_a_click():
    """The pointer stays on ▶ after the click that opens the next step, and its tooltip ("Go to the next step of the
    lecture tour… Key: →") covered lines 3-4 of the new step's story on a projector and, since the buttons stand under
    the title, the new step's title on the ordinary page: the step buttons carry no help in either mode; the tour's
    help says what it said (its keys, and that ◀ ▶ go on from the last step shown at Custom)."""
    for query in ({"present": "true"}, {}):
        at = open_app(step="2", **query)
        first = {b.label: b.help for b in at.button if b.label in (t("en", "next"), t("en", "previous"))}
        assert len(first) == 2 and not any(first.values()), first  # the link's first page too
        next(b for b in at.button if b.label == t("en", "next")).click().run()
        assert not at.exception
        assert at.query_params.get("step") in ("3", ["3"])  # the click went on to step 3
        buttons = {b.label: b.help for b in at.button if b.label in (t("en", "next"), t("en", "previous"))}
        assert len(buttons) == 2 and not any(buttons.values()), buttons
    for lang in ("en", "zh"):
        assert "← →" in t(lang, "tour_help") and "◀ ▶" in t(lang, "tour_help")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_qr_code_holds_the_link_as_the_run_leaves_it(lang, browser_address):
    """The QR popover had encoded the link as the run before left it: a tab opened and the Log-scale switch turned on
    reached the address bar but not the code, so a class scanning it opened another view. Its code and the link
    under it are the page's whole link at the run's end: the open tab and the switches written after the step row."""
    at = open_app(step="6", lang=lang, tab="theory")
    at = open_tab(at, "activations", lang)
    at.toggle(key="log").set_value(True)
    at = at.run()
    expected = present.page_link(ADDRESS, {name: at.query_params[name] for name in at.query_params})
    shared = dict(parse_qsl(urlsplit(expected).query))
    assert shared.get("tab", "activations") == "activations" and shared.get("log") == "true", expected
    links = [text.value for text in at.text if text.value.startswith(ADDRESS)]
    codes = [m.value for m in at.markdown if m.value.startswith('<img src="data:image/svg+xml;base64,')]
    assert links == [expected] and len(codes) == 1
    assert codes[0] == present.qr_html(expected, lang)
    at = open_tab(at, "compare", lang)
    expected = present.page_link(ADDRESS, {name: at.query_params[name] for name in at.query_params})
    assert dict(parse_qsl(urlsplit(expected).query))["tab"] == "compare", expected
    assert [text.value for text in at.text if text.value.startswith(ADDRESS)] == [expected]
