"""Names, not codes, and notation as a person writes it: the Training list by name with codes in its link, the race
drawn and tabled by name, runs whose loss curves are one said so, and every tab's text at every tour step free of
codes ("he_normal", "relu") and of identifier underscores ("h_10")."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.config import ACTIVATIONS, INITS
from core.train import DEFAULT_STEPS, LECTURE_RACE
from core.train import SCHEMES as TRAIN_SCHEMES
from tests.app_support import open_app, open_tab
from tests.vega_specs import encodings
from tests.written_numbers import GLUED_PERCENT, long_integers
from views import charts, references, tour
from views import spectrum as spectrum_view
from views import training as training_view
from views.page import memory_budget
from views.tabs import CODES
from views.number_writing import format_share
from views.text import catalogue, join, t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

LANGUAGES = ("en", "zh")
RACE = dict(step="custom", depth="3", width="32", activation="tanh", init="he_normal", tab="training", steps="20")


def run_race(at: AppTest) -> AppTest:
    """Press Run and wait for the race (it trains in the background), then draw the page again."""
    at.button(key="run_race").click().run()
    assert at.session_state["_race"].wait(300), "the training did not end"
    return at.run()


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def colour_scales(node) -> list[dict]:
    """Every colour scale of a Vega-Lite spec, however deep (layers, facets)."""
    return [e["color"]["scale"] for e in encodings(node) if isinstance(e.get("color"), dict) and "scale" in e["color"]]


# ---------- the Training list: names shown, codes in the link ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_training_list_shows_names_and_its_link_keeps_codes(lang):
    at = open_app(tab="training", train=["zeros", "he_normal"], lang=lang)
    assert not at.exception
    race = at.multiselect(key="train")
    assert race.options == [charts.scheme_name(s, lang) for s in TRAIN_SCHEMES]  # "N(0, 0.01²)", "全零"
    assert not {"normal_0.01", "he_normal", "xavier_normal"} & set(race.options)
    assert race.value == ["zeros", "he_normal"]  # the widget's value: codes
    assert at.query_params["train"] == ["zeros", "he_normal"]
    race.select("normal_0.01").run()
    assert at.query_params["train"] == ["zeros", "he_normal", "normal_0.01"]  # a pick writes its code
    at.multiselect(key="train").set_value(list(LECTURE_RACE)).run()
    assert "train" not in at.query_params  # the default race is left out of the link
    open_tab(at, "data", lang)  # the list is drawn only on its tab; it outlives another
    open_tab(at, "training", lang)
    assert at.multiselect(key="train").value == list(LECTURE_RACE) and not at.exception


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_race_is_drawn_and_tabled_by_name(lang):
    at = run_race(open_app(**RACE, train=["zeros", "normal_0.01", "he_normal"], lang=lang))
    assert not at.exception and not at.error
    names = [charts.scheme_name(s, lang) for s in ("zeros", "normal_0.01", "he_normal")]
    table = at.dataframe[0].value
    assert table[t(lang, "scheme")].tolist() == names
    drawn = specs(at)
    scales = [scale for spec in drawn for scale in colour_scales(spec) if isinstance(scale.get("range"), list)]
    assert len(scales) >= 3 and all(scale["domain"] == names for scale in scales)  # loss, accuracy, distinct units
    (facet,) = [spec["facet"] for spec in drawn if "facet" in spec]  # the distinct units' panels, titled by name
    assert facet["field"] == "name" and facet["sort"] == names
    codes = ("normal_0.01", "he_normal")
    assert not any(code in json.dumps(spec, ensure_ascii=False) for spec in drawn for code in codes)
    heatmap = next(box for box in at.selectbox if box.label == t(lang, "training_tab.heatmap_scheme"))
    assert heatmap.options == names
    # zeros' and N(0, 0.01²)'s losses are both ln 3 to float32's rounding, He's falls: the page says which are one line
    results = at.session_state["_training"][1]
    zeros, small, he = (results[s].loss for s in ("zeros", "normal_0.01", "he_normal"))
    assert np.max(np.abs(small - zeros) / zeros) < training_view.SAME_CURVE < np.max(np.abs(he - zeros) / zeros)
    said = [c.value for c in at.caption if names[0] in c.value and names[1] in c.value]
    accuracy = training_view.same_accuracy_text(results, lang)
    assert said == training_view.coinciding_text(results, lang) + accuracy and len(said) == 2
    assert names[2] not in said[0] + said[1]
    # their accuracy curves are one line too, as drawn: the running means of the two runs' minibatch accuracies
    window = training_view.smoothing_window(20)  # the charts' running mean, as they draw it
    means = [drawn_mean(results[s].accuracy, window) for s in ("zeros", "normal_0.01")]
    apart = np.flatnonzero(np.abs(means[0] - means[1]) >= 0.005)
    start = apart[-1] + 1 if apart.size else 0
    assert start <= 2
    words = dict(names=join(lang, names[:2]), visible=format_share(0.005))
    assert accuracy == [t(lang, "training_tab.same_accuracy", **words) if start == 0 else
                        t(lang, "training_tab.same_accuracy_from", step=str(start), **words)]


# ---------- curves that are one ----------

def runs(**losses) -> dict:
    return {name: SimpleNamespace(loss=np.asarray(loss, dtype=float)) for name, loss in losses.items()}


def test_curves_within_float_rounding_of_each_other_are_one():
    ln3 = np.full(30, np.log(3))
    wobble = ln3 * (1 + 2.4e-7 * np.sin(np.arange(30)))  # zeros against N(0, 0.01²) at step 2, as measured
    falling = np.log(3) * np.linspace(1, 0.2, 30)
    assert training_view.coinciding(runs(zeros=ln3, small=wobble, he=falling)) == [["zeros", "small"]]
    assert training_view.coinciding(runs(zeros=ln3, he=falling)) == []
    # one step apart by 10⁻⁴ of the value is two curves, not one
    apart = ln3.copy()
    apart[17] *= 1 + 1e-4
    assert training_view.coinciding(runs(zeros=ln3, other=apart)) == []
    # a run that diverged stops; another that goes on is not the same curve
    stopped = ln3.copy()
    stopped[20:] = np.nan
    assert training_view.coinciding(runs(zeros=ln3, stopped=stopped)) == []
    assert training_view.coinciding(runs(a=stopped, b=stopped.copy(), c=ln3, d=wobble)) == [["a", "b"], ["c", "d"]]


def accuracies(**curves) -> dict:
    return {name: SimpleNamespace(accuracy=np.asarray(curve, dtype=float)) for name, curve in curves.items()}


def drawn_mean(values, window: int = 10) -> np.ndarray:
    """The charts' running mean by a plain loop: the mean of the last `window` values there are, fewer at the start
    (10 steps for a run of 300: training_view.smoothing_window)."""
    out = []
    for step in range(len(values)):
        seen = [v for v in values[max(0, step - window + 1):step + 1] if not np.isnan(v)]
        out.append(sum(seen) / len(seen) if seen else np.nan)
    return np.array(out)


def test_accuracy_curves_one_line_as_drawn_are_said_with_the_step_they_join():
    """Step 2's race: zeros and N(0, 0.01²) pick the same class for every point of 298 of the 300 minibatches (they
    differ at steps 0 and 57), so their accuracy curves are one line once the running mean of the first steps has
    averaged step 0's difference below half a percentage point; the page had said "differ only at steps 0 and 57 ...
    one line" while the chart showed two lines over the first steps. Runs are one line where their running means
    (the chart's, 10 steps for 300) stay within 0.005 from a step no later than a tenth of the run on."""
    rng = np.random.default_rng(0)
    chance = rng.integers(30, 50, 300) / 128
    learning = np.linspace(0.3, 1.0, 300)
    apart = chance.copy()
    apart[0] += 8 / 128
    apart[57] += 1 / 128
    gap = np.abs(drawn_mean(chance) - drawn_mean(apart))
    joined = int(np.flatnonzero(gap >= 0.005)[-1]) + 1  # once step 0's 0.0625 has left the 10-step window
    assert training_view.smoothing_window(300) == 10 and joined == 10 and gap[57] < 0.005
    assert training_view.same_accuracy(accuracies(zeros=chance, small=apart, he=learning)) == [(["zeros", "small"],
                                                                                                joined)]
    assert training_view.same_accuracy(accuracies(zeros=chance, small=chance.copy())) == [(["zeros", "small"], 0)]
    # a minibatch 0.2 apart moves the running mean 0.02 for 10 steps: one line from a tenth of the steps on, or two
    for last, joins in ((20, 30), (21, None)):
        other = chance.copy()
        other[last] += 0.2
        assert training_view.same_accuracy(accuracies(a=chance, b=other)) == ([(["a", "b"], joins)] if joins else [])
    # a run that diverged has NaN from there: one line only with another NaN
    stopped = chance.copy()
    stopped[100:] = np.nan
    assert training_view.same_accuracy(accuracies(a=chance, b=stopped)) == []
    assert training_view.same_accuracy(accuracies(a=stopped, b=stopped.copy(), c=learning, d=learning.copy())) == [
        (["a", "b"], 0), (["c", "d"], 0)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_same_accuracy_sentence_names_the_schemes_and_the_step_they_join(lang):
    chance = np.full(300, 1 / 3)
    apart = chance.copy()
    apart[0] = 1 / 3 + 0.03  # 0.03 apart at step 0, 0.03 / (k + 1) in the running mean at step k: under 0.005 from
    # step 6 on
    results = accuracies(zeros=chance, **{"normal_0.01": apart}, he_normal=np.linspace(0.3, 1.0, 300))
    names = join(lang, [charts.scheme_name(s, lang) for s in ("zeros", "normal_0.01")])
    words = dict(names=names, visible=format_share(0.005))
    assert training_view.same_accuracy_text(results, lang) == [t(lang, "training_tab.same_accuracy_from", step="6",
                                                                 **words)]
    apart[200] = 0.5  # apart again late: two lines
    assert training_view.same_accuracy_text(results, lang) == []
    assert training_view.same_accuracy_text(accuracies(zeros=chance, **{"normal_0.01": chance.copy()}), lang) == [
        t(lang, "training_tab.same_accuracy", **words)]
    assert training_view.same_accuracy_text(accuracies(zeros=chance, he=np.linspace(0.3, 1, 300)), lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_coinciding_sentence_names_the_schemes(lang):
    ln3 = np.full(10, np.log(3))
    results = runs(zeros=ln3, **{"normal_0.01": ln3 * (1 + 1e-7)}, he_normal=np.linspace(1.1, 0.1, 10))
    (sentence,) = training_view.coinciding_text(results, lang)
    assert charts.scheme_name("zeros", lang) in sentence and charts.scheme_name("normal_0.01", lang) in sentence
    assert charts.scheme_name("he_normal", lang) not in sentence and "normal_0.01" not in sentence
    assert training_view.coinciding_text(runs(zeros=ln3, he_normal=np.linspace(1.1, 0.1, 10)), lang) == []


# ---------- every tab's text at every step: names and notation ----------

def strip_formulas(text: str) -> str:
    """Text without its LaTeX ($…$, $$…$$) and code spans (`…`), where underscores and codes belong, without a
    link's address (a reader sees its text) and without the titles of the works it cites, quoted as published
    ("… in deep linear neural networks" on a Chinese page)."""
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"(?<!\\)\$[^$]*\$", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)\s]*\)", r"\1", text)
    for title in CITED_TITLES:
        text = text.replace(title, " ")
    return re.sub(r"(`+).*?\1", " ", text, flags=re.S)


CITED_TITLES = (*(notes.title for notes in references.NOTES), *(work.title for work in references.WORKS))


def chart_titles(node) -> list[str]:
    """Every title a Vega-Lite spec shows: the chart's, its axes', legends', facets'."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, (str, list, dict)):
                text = value.get("text", "") if isinstance(value, dict) else value
                found.append(" ".join(text) if isinstance(text, list) else str(text))
            else:
                found += chart_titles(value)
    elif isinstance(node, list):
        for value in node:
            found += chart_titles(value)
    return found


VIEWS = ("mark", "layer", "hconcat", "vconcat", "concat", "facet", "repeat", "spec")  # what makes a dict a view


def title_limits(spec: dict) -> list[float | None]:
    """The width in px each chart title of a Vega-Lite spec is cut to, its own "limit" (0: never cut; None: the
    page's Vega-Lite's own, the plot's width as it first measured it, which a config's title limit does not change in
    the browser): one entry per view with a title, however deeply layered, concatenated or faceted. Axis and legend
    titles are not counted."""
    found = []

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            title = node.get("title")
            if title is not None and any(key in node for key in VIEWS):
                found.append(title.get("limit") if isinstance(title, dict) else None)
            for key, value in node.items():
                if key not in ("title", "config", "encoding"):
                    walk(value)

    walk(spec)
    return found


def shown_texts(at: AppTest) -> list[str]:
    """What a page shows in words: markdown, captions, titles, notices, metrics and its charts' titles."""
    texts = [el.value for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                                   "error", "success") for el in at.get(kind)]
    texts += [part for m in at.metric for part in (m.label, m.value, m.delta or "")]
    return texts + [title for spec in specs(at) for title in chart_titles(spec)]


def code_pattern(lang: str) -> re.Pattern:
    """The activation, init and scheme codes that are not also a name in `lang` ("tanh" is a name, "relu" is
    not), as whole words."""
    names = [v for k, v in catalogue(lang).items() if k.startswith(("act_", "options.", "schemes."))]
    codes = [c for c in {*ACTIVATIONS, *INITS, *TRAIN_SCHEMES} if not any(c in name for name in names)]
    return re.compile(r"(?<![\w.+])(" + "|".join(map(re.escape, sorted(codes, key=len, reverse=True))) +
                      r")(?![\w+]|\.\d)")


IDENTIFIER = re.compile(r"\w+_\w+")  # h_10, n_in, σ_B, he_normal: an identifier's underscore, not notation
# ...except the field's own words, written as torch.nn.init and Keras write them (mode="fan_in")
FIELD_TERMS = ("fan_in", "fan_out", "fan_avg")


@pytest.fixture(scope="module")
def visits() -> dict[tuple[str, str, str], SimpleNamespace]:
    """{(language, step, tab): the page} for every tour step and tab, in both languages: the texts it shows
    (`texts`, the Derivation's equations among them), its exceptions and error notices (`trouble`), its warnings and
    notes (`notices`), how many metrics it shows (`metrics`), whether its race's Run button is disabled (`run`), the
    tab it has open (`tab`) and its charts' Vega-Lite specs (`charts`)."""
    found = {}
    for lang in LANGUAGES:
        for step in tour.STEPS:
            at = open_app(step=step, lang=lang)
            for code in CODES:
                open_tab(at, code, lang)
                found[lang, step, code] = SimpleNamespace(
                    texts=shown_texts(at) if not at.exception else [], tab=at.session_state["tab"],
                    trouble=[e.value for e in at.exception] + [e.value for e in at.error],
                    notices=[w.value for w in at.warning] + [i.value for i in at.info],
                    metrics=len(at.metric), run=[b.disabled for b in at.button if b.key == "run_race"],
                    charts=specs(at) if not at.exception else [])
    return found


@pytest.fixture(scope="module")
def pages(visits) -> dict[tuple[str, str, str], list[str]]:
    """{(language, step, tab): the texts the page shows} for every tour step and tab, in both languages."""
    return {key: page.texts for key, page in visits.items()}


@pytest.mark.slow
def test_every_tab_opens_without_trouble_at_every_step_in_both_languages(visits):
    assert {key: page.trouble for key, page in visits.items() if page.trouble} == {}
    # no refusal either: a tab whose limits a tour step's network is over works on the nearest network that fits
    refusals = ("training_tab.too_slow", "training_tab.too_slow_conv", "training_tab.too_big_memory",
                "spectrum_tab.memory", "spectrum_tab.work")
    starts = {lang: [t(lang, key).split("{")[0] for key in refusals] for lang in LANGUAGES}
    refused = {key: notice for key, page in visits.items() for notice in page.notices
               if notice.startswith(tuple(starts[key[0]]))}
    assert refused == {}
    assert {key: page.tab for key, page in visits.items() if page.tab != t(key[0], f"tab_{key[2]}")} == {}
    assert len(visits) == len(LANGUAGES) * len(tour.STEPS) * len(CODES)


# Custom pages and presenter mode, which the tour's tabs do not visit: (language, query)
OTHER_PAGES = [(lang, query) for lang in LANGUAGES for query in (
    {"step": "custom", "activation": "relu", "residual": "true"}, {"step": "8", "gain": "1.2"},
    {"step": "custom", "present": "true"}, {"step": "2", "present": "true"}, {"step": "8", "present": "true"})]


@pytest.mark.slow
def test_no_page_shows_a_pointer_s_brackets(visits):
    """A message's pointer to a tab (text.TAB_POINTER's "⟦ (Gradients tab)⟧") is kept or left out as the page shows
    tabs or not (text.pointing), never shown as it is written: every tab of every tour step, Custom pages and
    presenter mode, in both languages. Custom's story had shown "the variance argument⟦ of the Derivation tab⟧"."""
    def bracketed(texts):
        return [text for text in texts if "⟦" in text or "⟧" in text]
    assert {key: bracketed(page.texts) for key, page in visits.items() if bracketed(page.texts)} == {}
    for lang, query in OTHER_PAGES:
        at = open_app(lang=lang, **query)
        assert not at.exception and len(shown_texts(at)) > 5, (lang, query)
        assert bracketed(shown_texts(at)) == [], (lang, query)


# A comparing word, then a value written with its own comparison (number_writing.format_share's "< 0.01 %", a "≈"): the
# sentence compares twice. Step 9's Compare tab had said "within < 0.01 % of each other".
TWICE_COMPARED = re.compile(r"\b(?:within|below|above|under|over|than|at most|at least|about)\s+[<>≤≥≈]"
                            r"|(?:不到|低于|高于|超过|不超过|小于|大于|约|大约)\s*[<>≤≥≈]")


def test_title_limits_reads_a_title_s_own_limit_and_else_the_config_s():
    assert title_limits({"mark": "line", "title": "A"}) == [None]
    assert title_limits({"mark": "line", "title": "A", "config": {"title": {"limit": 0}}}) == [None]
    assert title_limits({"layer": [{"mark": "line", "title": {"text": "B", "limit": 80}}], "title": {"text": ["A", "a"],
                         "limit": 0}, "encoding": {"x": {"title": "layer"}}}) == [0, 80]
    assert title_limits({"mark": "line", "encoding": {"x": {"field": "l", "title": "layer"}}}) == []


@pytest.mark.slow
def test_no_chart_title_is_cut(visits):
    """Every chart of every tab of every tour step, Custom pages and presenter mode, in both languages: its title is
    drawn whole (a limit of 0 on the title itself, draw.whole_titles), not cut to its plot's width as Vega-Lite first
    measured it, before the page's fonts had loaded (the Theory tab's gradient chart under load, "Gradient std per
    layer …")."""
    cut = {key: limits for key, page in visits.items()
           if (limits := [limit for spec in page.charts for limit in title_limits(spec) if limit != 0])}
    assert cut == {}
    assert sum(len(title_limits(spec)) for page in visits.values() for spec in page.charts) > 200
    for lang, query in OTHER_PAGES:
        at = open_app(lang=lang, **query)
        drawn = [limit for spec in specs(at) for limit in title_limits(spec)]
        assert not at.exception and drawn and set(drawn) == {0}, (lang, query, drawn)


@pytest.mark.slow
def test_no_sentence_compares_a_value_that_compares_itself(visits):
    """Every tab of every tour step, Custom pages and presenter mode, in both languages: no comparing word in front
    of a value that brings its own "<", ">" or "≈" (TWICE_COMPARED)."""
    def doubled(texts):
        return [match.group(0) for text in texts for match in TWICE_COMPARED.finditer(text)]
    assert {key: doubled(page.texts) for key, page in visits.items() if doubled(page.texts)} == {}
    for lang, query in OTHER_PAGES:
        at = open_app(lang=lang, **query)
        assert not at.exception and doubled(shown_texts(at)) == [], (lang, query)


@pytest.mark.slow
def test_the_conv_step_trains_and_computes_its_spectrum_at_the_nearest_size_and_says_so(visits):
    # 10 x 64 channels of 16 x 16 pixels: a race of 1.1e13 multiply-adds and a spectrum of 8.5 GiB, over the limits
    config, budget = tour.STEPS[tour.CONV_STEP], memory_budget()
    race = list(LECTURE_RACE)  # the race the tab offers by default
    trained = training_view.fitting(config, race, DEFAULT_STEPS, budget)
    computed = spectrum_view.fitting(config, budget, spectrum_view.STEP_WORK)
    assert trained.width < config.width and computed.width < config.width
    for lang in LANGUAGES:
        assert training_view.fitted_note(config, trained, race, DEFAULT_STEPS, lang) in \
            visits[lang, tour.CONV_STEP, "training"].notices
        assert spectrum_view.fitted_note(config, computed, lang, budget) in \
            visits[lang, tour.CONV_STEP, "spectrum"].notices
        assert visits[lang, tour.CONV_STEP, "training"].run == [False]  # Run trains it
        # both spectra drawn, p10, median, p90 and their ratio under each (the page's own 4 metrics are elsewhere)
        assert visits[lang, tour.CONV_STEP, "spectrum"].metrics == visits[lang, "10", "spectrum"].metrics


@pytest.mark.slow
def test_every_step_and_tab_writes_its_numbers_by_the_rule(visits):
    """Every tab of every tour step, both languages: no share glued to its % sign, no whole number of 4+ digits
    without separators (tests/written_numbers.py)."""
    wrong = {}
    for key, page in visits.items():
        text = "\n".join(page.texts)  # the Derivation's equations are Markdown too (derivation.as_markdown)
        found = GLUED_PERCENT.findall(text) + long_integers(text)
        if found:
            wrong[key] = found
    assert wrong == {}


@pytest.mark.slow
def test_every_chinese_page_spaces_its_latin_words_from_its_chinese_ones(pages):
    """Every tab of every tour step in Chinese, its lists and filled-in values among its texts: a space wherever a
    Chinese character meets a Latin letter or a digit, a word's closing bracket or raised mark counted with the word
    ("N(0, 0.01²)和 He" lacked it: locale.spaced), formulas left out."""
    from tests.test_locale import TIGHT

    wrong = {key: hits for key, texts in pages.items() if key[0] == "zh"
             if (hits := sorted({m.group(0) for text in texts for m in TIGHT.finditer(strip_formulas(text))}))}
    assert wrong == {}


# A list of numbers written with an English comma in Chinese text ("第 1, 8, 15 层"), where the language writes 、
ENGLISH_LIST = re.compile(r"\d, \d")


@pytest.mark.slow
def test_every_chinese_page_writes_a_list_of_numbers_with_its_own_mark(pages):
    """Step 10's histograms said "每 7 层取一层：第 1, 8, 15, … 层": every tab of every tour step in Chinese writes
    its lists with 、 (join_list), formulas left out."""
    wrong = {key: hits for key, texts in pages.items() if key[0] == "zh"
             if (hits := sorted({m.group(0) for text in texts for m in ENGLISH_LIST.finditer(strip_formulas(text))}))}
    assert wrong == {}
    assert any("第 1、8、15、" in text for text in pages["zh", "10", "activations"])


@pytest.mark.slow
def test_no_page_text_names_an_option_by_its_code(pages):
    wrong = {}
    for (lang, step, tab), texts in pages.items():
        pattern = code_pattern(lang)
        hits = [m.group(0) for text in texts for m in pattern.finditer(strip_formulas(text))]
        if hits:
            wrong[lang, step, tab] = sorted(set(hits))
    assert wrong == {}
    assert code_pattern("en").search("a he_normal net") and code_pattern("zh").search("init normal")  # it can fail


@pytest.mark.slow
def test_no_page_text_has_an_identifier_underscore_outside_formulas(pages):
    wrong = {}
    for key, texts in pages.items():
        hits = [m.group(0) for text in texts for m in IDENTIFIER.finditer(strip_formulas(text))
                if m.group(0) not in FIELD_TERMS]
        if hits:
            wrong[key] = sorted(set(hits))
    assert wrong == {}
    derivation = " ".join(pages["en", "2", "derivation"])
    assert "std(h₁₀)" in derivation  # the last layer as a person writes it
    assert IDENTIFIER.search(strip_formulas("std(h_10) and $\\sigma_B^2$")).group(0) == "h_10"  # it can fail
