"""The app through Streamlit's AppTest: every tour step and tab, links and their mistakes, language, seed, limits."""

from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import Config, activations, cache, estimate_memory, simulate
from core.config import written
from core.train import BN_RESCUE, DEFAULT_LR, LECTURE_RACE, lecture_schemes, one_unit_ceiling, race
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from tests.test_derivation import check_equations, small
from tests.test_urlstate import read_link, server_query, widget_states
from tests.app_support import as_read, open_app, open_tab
from tests.written_numbers import read_back
from tests.vega_specs import title_text
from views import cache as page_cache
from views import charts, derivation, summary, urlstate
from views.number_writing import format_share, format_value
from views import tour
from views import training as training_view
from views.tabs import CODES
from views.tabs import gradients as gradients_tab
from views.tabs import data as data_tab
from views.tabs.training import RaceKey
from views.text import join, t, user_text

TABS = CODES  # the app's one list of tabs
# Tests marked shared_results read the networks and chart templates earlier tests of their worker made, as a server's
# later sessions do (conftest.py empty_caches): their claims are what the page shows. Computing, caching, budgets,
# refusals and faults are claimed by the unmarked tests, each with the server's caches empty.


def shown_config(at: AppTest) -> dict:
    """The configuration the Data tab prints as JSON: what the page actually simulated, the fields that change it."""
    open_tab(at, "data", at.radio(key="lang").value)
    return json.loads(at.code[0].value)


def changing(config: Config) -> dict:
    """config.to_dict() without the fields that do not change its network (urlstate.field_matters)."""
    state = urlstate.state_of(config)
    return {name: value for name, value in config.to_dict().items() if urlstate.field_matters(name, state)}


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_bare_app_opens_on_step_one():
    at = open_app()
    no_trouble(at)
    assert at.radio(key="step").value == "1"
    assert at.title[0].value == f"Step 1 of {len(tour.STEPS)} · " + t("en", "step_1")
    assert at.selectbox(key="init").value == "zeros"
    assert len(at.metric) == 4
    assert t("en", "verdict_symmetric") in at.metric[3].value


@pytest.mark.slow
def test_every_tab_opens_without_exception():
    at = open_app(step="7")  # one page: its networks computed once for every tab, as a student clicking through
    for code in TABS:
        open_tab(at, code)
        no_trouble(at)
        assert at.session_state["tab"] == t("en", f"tab_{code}")


@pytest.mark.slow
@pytest.mark.shared_results
def test_what_each_tab_shows():
    at = open_app(step="2")
    assert at.toggle(key="log").value is False  # linear, like the lecture's plots
    assert len(at.get("vega_lite_chart")) == 3  # mean, std with theory, histograms
    open_tab(at, "gradients")
    assert len(at.get("vega_lite_chart")) == 2  # only the open tab draws
    open_tab(at, "derivation")
    latex = [x.value for x in at.markdown]  # the equations among them (derivation.as_markdown)
    assert any("n\\,\\mathrm{Var}(w)" in x for x in latex) and any("0.2236" in x for x in latex)
    open_tab(at, "compare")
    assert at.multiselect(key="compare").value == list(tour.LECTURE_FIVE)
    open_tab(at, "data")
    assert len(at.dataframe) == len(data_tab.TABLES) and len(at.dataframe[0].value) == 11  # input + 10 layers
    assert json.loads(at.code[0].value)["std"] == 0.01


@pytest.mark.slow
def test_url_parameters_set_the_controls():
    at = open_app(step="custom", depth="20", width="128", batch="256", activation="leaky_relu", slope="0.2",
                  init="he_uniform", mode="fan_out", gain="recommended", bias="0.1", bias_std="0.05", bn="true",
                  input="uniform", seed="42", dtype="float64")
    no_trouble(at)
    assert at.radio(key="step").value == "custom"
    assert at.slider(key="depth").value == 20 and at.slider(key="width").value == 128
    assert at.slider(key="batch").value == 256
    assert at.selectbox(key="activation").value == "leaky_relu" and at.number_input(key="slope").value == 0.2
    assert at.selectbox(key="gain").value == "recommended" and at.radio(key="mode").value == "fan_out"
    assert at.radio(key="norm").value == "batch" and at.radio(key="input").value == "uniform"  # bn=true: batch
    assert at.number_input(key="seed").value == 42 and at.radio(key="dtype").value == "float64"
    config = shown_config(at)
    assert config["gain"] == pytest.approx((2 / (1 + 0.2**2)) ** 0.5)  # torch's calculate_gain("leaky_relu", 0.2)
    assert (config["depth"], config["bias"], config["bias_std"], config["batch_norm"]) == (20, 0.1, 0.05, True)


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_deep_link_to_a_step_in_chinese():
    at = open_app(step="3", lang="zh")
    no_trouble(at)
    assert as_read(at.title[0].value) == f"第 3 步（共 {len(tour.STEPS)} 步）· " + as_read(t("zh", "step_3"))
    assert at.number_input(key="std").value == 1.0 and at.selectbox(key="init").value == "normal"
    assert at.metric[0].label == t("zh", "metric_act")
    assert t("zh", "verdict_saturated") in at.metric[3].value
    assert at.query_params.get("step") == "3" and at.query_params.get("std") in ("1", "1.0")  # the whole view


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_link_to_compare_schemes():
    at = open_app(step="2", tab="compare", compare=["he_normal", "normal_0.01 bn"])  # "+" typed as a space
    no_trouble(at)
    assert at.multiselect(key="compare").value == ["he_normal", "normal_0.01+bn"]


@pytest.mark.slow
@pytest.mark.shared_results
@pytest.mark.parametrize("tab, name, value", [("theory", "xi", "true"), ("activations", "log", "true"),
                                              ("training", "steps", "500"), ("training", "lr", "0.005"),
                                              ("training", "task", "digits"),
                                              ("compare", "compare", "he_normal")])
def test_a_tab_s_setting_stays_in_the_address_while_another_tab_is_open(tab, name, value):
    """`?step=10&tab=theory&xi=true` lost xi= once the Compare tab was open, so a link copied there opened the map
    coloured by ln χ₁: a bound switch's parameter leaves the address while its tab is closed. Every tab's setting
    (urlstate.TAB_NAMED, TAB_SETTINGS) stays in the address on another tab, and its tab shows it again."""
    assert name in (*urlstate.TAB_NAMED, *urlstate.TAB_SETTINGS)
    at = open_app(step="6", tab=tab, **{name: value})
    no_trouble(at)
    at = open_tab(at, "gradients")
    assert at.query_params.get(name) == value, dict(at.query_params)
    at = open_tab(at, tab)
    assert at.query_params.get(name) == value
    shown = at.session_state[name]
    assert urlstate.query_value(name, {name: shown}, ("activations",)) in (value, [value]), shown


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_link_to_a_tab():
    at = open_app(step="5", tab="gradients")
    no_trouble(at)
    assert at.session_state["tab"] == t("en", "tab_gradients")


@pytest.mark.slow
@pytest.mark.parametrize("query, name, default", [
    ({"depth": "999"}, "depth", "10"),
    ({"width": "abc"}, "width", "500"),
    ({"std": "-1", "init": "normal"}, "std", "0.01"),
    ({"activation": "swish"}, "activation", "tanh"),
    ({"step": str(len(tour.STEPS) + 1)}, "step", t("en", "step_option", n=1, title=t("en", "step_1"))),
    ({"lang": "fr"}, "lang", t("en", "language_name")),
    ({"seed": "1.5"}, "seed", "0"),
    ({"tab": "nope"}, "tab", t("en", "tab_activations")),
])
@pytest.mark.shared_results
def test_a_bad_link_value_warns_and_uses_the_default(query, name, default):
    """The value used instead is named as its control shows it: the tour's first step, English, the first tab."""
    at = open_app(**query)
    no_trouble(at)
    warnings = [w.value for w in at.warning]
    assert any(f"**{name}**" in w and w.endswith(f"is used instead: {default}.") for w in warnings), warnings


@pytest.mark.slow
@pytest.mark.shared_results
def test_bad_values_fall_back_while_good_ones_stay():
    at = open_app(depth="1000", init="normal", std="0.5", activation="relu")
    assert at.slider(key="depth").value == 10
    assert at.number_input(key="std").value == 0.5 and at.selectbox(key="activation").value == "relu"
    assert at.radio(key="step").value == "custom"
    assert "depth" not in at.query_params  # the address bar no longer holds the bad value


@pytest.mark.slow
@pytest.mark.shared_results
def test_switching_language_keeps_every_other_setting():
    at = open_app(step="custom", depth="12", init="xavier_normal", activation="relu", seed="3")
    open_tab(at, "gradients")
    before = shown_config(at)
    open_tab(at, "gradients")
    at.radio(key="lang").set_value("zh").run()
    no_trouble(at)
    assert at.title[0].value == t("zh", "custom_heading")
    assert at.session_state["tab"] == t("zh", "tab_gradients")  # the same tab, under its Chinese name
    assert at.slider(key="depth").value == 12 and at.number_input(key="seed").value == 3
    assert shown_config(at) == before
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == t("en", "custom_heading")


@pytest.mark.slow
@pytest.mark.shared_results
def test_changing_a_control_leaves_the_tour_and_a_new_seed_does_not():
    at = open_app(step="4")
    new_seed = next(b for b in at.button if b.label == t("en", "new_seed"))
    new_seed.click().run()
    assert at.number_input(key="seed").value == 1 and at.radio(key="step").value == "4"
    at.slider(key="depth").set_value(12).run()
    no_trouble(at)
    assert at.radio(key="step").value == "custom"
    assert at.title[0].value == t("en", "custom_heading")


@pytest.mark.slow
@pytest.mark.shared_results
@pytest.mark.parametrize("name, moved", [("width", 498), ("depth", 11), ("init", "he_normal")])
def test_the_tour_s_old_value_sent_beside_a_control_s_move_is_no_pick(name, moved):
    """A slider moved at step 4 makes the page Custom, and a key pressed on it before the browser has the new radio
    sends the radio's old "4" beside the new value. Taken as a pick of step 4, it had set every control back to the
    step's (the slider at 500 under a page of 495 units, the address at step 4). The move wins; the radio picked
    alone still sets the step's controls."""
    at = open_app(step="4", seed="3")
    at.slider(key="width").set_value(499).run()
    assert at.radio(key="step").value == "custom"
    at.radio(key="step").set_value("4")  # the browser's value before the run above
    (at.selectbox if name == "init" else at.slider)(key=name).set_value(moved)
    at.run()
    no_trouble(at)
    assert at.radio(key="step").value == "custom" and at.query_params["step"] == "custom"
    assert (at.selectbox if name == "init" else at.slider)(key=name).value == moved
    assert shown_config(at)[name] == moved and at.slider(key="width").value == (498 if name == "width" else 499)
    at.radio(key="step").set_value("5").run()  # a pick: step 5's controls, this seed
    no_trouble(at)
    assert at.radio(key="step").value == "5" and at.slider(key="width").value == 500
    assert at.selectbox(key="activation").value == "relu" and at.number_input(key="seed").value == 3


@pytest.mark.slow
def test_a_control_change_computes_the_network_once(monkeypatch):
    # The app computes from the session state before drawing the sidebar; a mismatch with what the
    # sidebar then reads would compute a second network.
    computed = []
    real = cache.simulate  # what the server's result cache computes with
    monkeypatch.setattr(cache, "simulate",
                        lambda config, *args, **kw: computed.append(config) or real(config, *args, **kw))
    seed = 918_273
    at = open_app(step="2", seed=str(seed))
    assert [(c.width, c.seed) for c in computed] == [(500, seed)]
    for change, expected in ((lambda: at.slider(key="width").set_value(320), dict(width=320)),
                             (lambda: at.selectbox(key="init").set_value("xavier_normal"), dict(init="xavier_normal")),
                             (lambda: at.selectbox(key="activation").set_value("leaky_relu"),
                              dict(activation="leaky_relu"))):
        computed.clear()
        change()
        at.run()
        no_trouble(at)
        assert len(computed) == 1 and all(getattr(computed[0], k) == v for k, v in expected.items())
    computed.clear()
    at.radio(key="lang").set_value("zh").run()  # nothing new to compute
    assert computed == []


@pytest.mark.slow
def test_a_second_session_opening_the_same_link_gets_the_same_result_object(monkeypatch):
    # A class opening one link: computed once, and every session draws from that one object, not a copy each.
    computed, given = [], []
    simulate_, simulate_cached = cache.simulate, cache.simulate_cached
    monkeypatch.setattr(cache, "simulate", lambda config, *args, **kw: computed.append(config) or simulate_(
        config, *args, **kw))
    monkeypatch.setattr(cache, "simulate_cached", lambda config, *args, **kw: given.append(simulate_cached(
        config, *args, **kw)) or given[-1])
    layer_frames = []
    layer_frame = charts.layer_frame
    monkeypatch.setattr(charts, "layer_frame", lambda result: layer_frames.append(result) or layer_frame(result))
    first = open_app(step="4", seed="5", tab="data")
    seen = len(given)
    second = open_app(step="4", seed="5", tab="data")
    no_trouble(first)
    no_trouble(second)
    assert computed == [tour.step_config("4", seed=5)]  # once, by the first session
    assert seen >= 1 and len(given) > seen and all(result is given[0] for result in given)
    assert layer_frames == [given[0]]  # the page's frames made once too, from that result
    assert not given[0].stats["act_std"].flags.writeable  # shared, so nobody may change it
    assert first.dataframe[0].value.equals(second.dataframe[0].value)


@pytest.mark.slow
def test_the_server_s_caches_stay_within_their_bytes_over_many_networks(monkeypatch):
    # Bounds a few entries wide: each cache must drop its least recently used entries to stay under its bytes,
    # while networks are opened on every tab that keeps something (frames, templates, the Compare networks, maps).
    # The Compare chart's template alone is about 120 kB (its edge marks for zeros, underflow, overflow and the floor)
    bounds = {cache.RESULTS: 60_000, page_cache.FRAMES: 400_000, page_cache.TEMPLATES: 250_000}
    sizes, kept_ever = {kept: kept.size for kept in bounds}, {kept: 0 for kept in bounds}

    def counting(kept):
        def size(value):
            kept_ever[kept] += 1
            return sizes[kept](value)
        return size

    for kept, bound in bounds.items():
        monkeypatch.setattr(kept, "max_bytes", bound)
        monkeypatch.setattr(kept, "size", counting(kept))
    rng = np.random.default_rng(0)
    at = open_app(step="custom", depth="4", width="30", batch="40")
    for tab in ("activations", "gradients", "compare", "theory", "data") * 3:
        open_tab(at, tab)
        for _ in range(2):
            at.slider(key="depth").set_value(int(rng.integers(2, 8)))
            at.number_input(key="seed").set_value(int(rng.integers(0, 10**6))).run()
            no_trouble(at)
            for kept, bound in bounds.items():
                assert kept.nbytes == sum(sizes[kept](value) for value, _ in kept._entries.values()) <= bound
    for kept in bounds:  # each dropped entries to stay within its bound, and kept several
        assert kept_ever[kept] > len(kept) >= 2


@pytest.mark.slow
@pytest.mark.shared_results
def test_previous_and_next_walk_the_tour():
    at = open_app(step="2", seed="5")
    next(b for b in at.button if b.label == t("en", "next")).click().run()
    assert at.radio(key="step").value == "3" and at.number_input(key="std").value == 1.0
    next(b for b in at.button if b.label == t("en", "previous")).click().run()
    assert at.radio(key="step").value == "2" and at.number_input(key="seed").value == 5


def step_button(at: AppTest, key: str):
    """The ◀ (key "previous") or ▶ ("next") step button."""
    return next(b for b in at.button if b.label == t(at.radio(key="lang").value, key))


def check_step(at: AppTest, code: str) -> None:
    """The page is at tour step `code` (or Custom): the radio, the title, the address and the step's controls."""
    no_trouble(at)
    assert at.radio(key="step").value == code
    assert at.title[0].value == tour.heading(code, at.radio(key="lang").value)
    assert at.query_params.get("step", tour.FIRST) == code  # the address says the step the page shows
    if code != tour.CUSTOM:
        assert shown_config(at) == changing(tour.step_config(code, at.number_input(key="seed").value))
        open_tab(at, "activations")


def check_buttons(at: AppTest, around: str) -> None:
    """◀ and ▶ are those of step `around`: disabled exactly at the first and the last step."""
    assert step_button(at, "previous").disabled == (tour.previous_step(around) is None)
    assert step_button(at, "next").disabled == (tour.next_step(around) is None)


@pytest.mark.slow
@pytest.mark.shared_results  # the steps' networks, as a server's later sessions read them (conftest.py): the claims
@pytest.mark.parametrize("code", tour.STEPS)  # are the controls' and the address's, not the computations'
def test_every_tour_step_from_the_sidebar_left_and_reached_again_and_previous_and_next_go_on_from_it(code):
    """Three claims on one page (its step's network computed once for all): the sidebar's step radio sets the
    step's controls; a step left and reached again by one control is that step, with its seed; from Custom,
    ◀ and ▶ go on from the step left."""
    at = open_app(seed="4")  # step 1, with a seed the steps keep
    at.radio(key="step").set_value(code).run()
    no_trouble(at)
    config = tour.STEPS[code]
    assert at.title[0].value.startswith(f"Step {code} of {len(tour.STEPS)}")
    assert at.selectbox(key="init").value == config.init
    assert at.selectbox(key="activation").value == config.activation
    assert at.radio(key="norm").value == config.norm
    if config.init == "normal":
        assert at.number_input(key="std").value == config.std
    assert shown_config(at) == changing(replace(config, seed=4))
    check_step(at, code)
    depth = tour.STEPS[code].depth  # the lecture's 10; the Spectrum step's 64
    at.slider(key="depth").set_value(depth + 1).run()  # one notch right: the page's own network
    check_step(at, tour.CUSTOM)
    check_buttons(at, code)  # still the buttons of the step just left
    at.slider(key="depth").set_value(depth).run()  # and back: the step again, with its seed
    check_step(at, code)
    check_buttons(at, code)
    assert at.number_input(key="seed").value == 4

    before, after = tour.previous_step(code), tour.next_step(code)
    at.slider(key="width").set_value(499).run()
    if after is not None:
        step_button(at, "next").click().run()
        check_step(at, after)
        step_button(at, "previous").click().run()
        check_step(at, code)
        at.slider(key="width").set_value(499).run()
    if before is not None:
        step_button(at, "previous").click().run()
        check_step(at, before)


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_step_reached_by_the_controls_alone_is_that_step():
    at = open_app(step="4")
    at.selectbox(key="activation").set_value("relu").run()  # Xavier + ReLU: the lecture's next step
    check_step(at, "5")
    at.selectbox(key="init").set_value("he_normal").run()
    check_step(at, "6")
    at.selectbox(key="init").set_value("normal").run()  # N(0, 0.01²) + ReLU: no step; ◀ ▶ go on from 6
    check_step(at, tour.CUSTOM)
    check_buttons(at, "6")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.shared_results
def test_each_step_s_whole_label_is_its_option(lang):
    # the option's label is what a click selects; a radio's caption selects nothing, so the titles are no captions
    at = open_app(lang=lang)
    radio = at.radio(key="step")
    titles = [t(lang, "step_option", n=code, title=t(lang, f"step_{code}")) for code in tour.STEPS]
    assert radio.options == titles + [t(lang, "step_custom")]
    assert all(t(lang, f"step_{code}") in title for code, title in zip(tour.STEPS, titles))
    assert list(radio.proto.captions) == []
    radio.set_value("6").run()
    check_step(at, "6")


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_language_is_the_sidebar_s_first_control():
    at = open_app()
    assert at.sidebar.radio[0].key == "lang"
    assert [w.key for w in at.sidebar.radio[:2]] == ["lang", "step"]


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_step_buttons_answer_the_arrow_keys():
    at = open_app(step="3")
    assert step_button(at, "previous").proto.shortcut == "left"
    assert step_button(at, "next").proto.shortcut == "right"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.shared_results
def test_a_link_whose_values_leave_its_step_says_so_and_keeps_its_values(lang):
    at = open_app(step="3", std="0.5", lang=lang)
    check_step(at, tour.CUSTOM)
    assert at.number_input(key="std").value == 0.5  # the link's own value, not the step's
    change = t(lang, "url_step_change", name="std", value="0.5", step_value="1")
    assert [w.value for w in at.warning] == [t(lang, "url_step", n="3", title=t(lang, "step_3"), changes=change,
                                               dropped="")]
    check_buttons(at, "3")  # the step the link named is the tour's place
    step_button(at, "next").click().run()
    check_step(at, "4")
    assert not at.warning


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_link_whose_values_are_another_step_shows_that_step_and_says_so():
    at = open_app(step="2", bn="true")  # step 2 with batch norm is step 7
    check_step(at, "7")
    norm = at.radio(key="norm")  # the values as the norm control shows them: "batch norm", "none"
    change = t("en", "url_step_change", name="norm", value=norm.options[norm.index], step_value=norm.options[0])
    assert [w.value for w in at.warning] == [t("en", "url_step_other", n="2", title=t("en", "step_2"),
                                               changes=change, other="7", other_title=t("en", "step_7"),
                                               dropped="")]


@pytest.mark.slow
@pytest.mark.shared_results
def test_a_link_whose_values_agree_with_its_step_says_nothing():
    at = open_app(step="3", std="1", init="normal")
    check_step(at, "3")
    assert not at.warning


@pytest.mark.slow
def test_a_network_over_the_memory_budget_is_refused_with_advice():
    at = open_app(step="custom", depth="100", width="2048", batch="4096")
    assert not at.exception
    assert len(at.error) == 1 and "MiB" in at.error[0].value and "depth" in at.error[0].value
    assert at.slider(key="depth").value == 100  # the sidebar still works
    at.slider(key="width").set_value(100).run()  # 100 x 100 x 4,096 fits (10 x 2,048 would too, in 10 s)
    no_trouble(at)
    assert len(at.metric) == 4


@pytest.mark.slow
def test_compare_refuses_only_the_schemes_over_the_budget(monkeypatch):
    # A budget between the network's need and its batch-norm twin's (which keeps its pre-activations too);
    # the app reads core.DEFAULT_MEMORY_BUDGET on every run, and a real 1 GiB case takes many seconds.
    import core

    plain, with_bn = estimate_memory(tour.STEPS["6"]), estimate_memory(replace(tour.STEPS["6"], batch_norm=True))
    monkeypatch.setattr(core, "DEFAULT_MEMORY_BUDGET", (plain + with_bn) // 2)
    at = open_app(step="6", tab="compare", compare=["he_normal", "normal_0.01+bn"])
    assert not at.exception
    assert len(at.metric) == 4  # the network itself fits
    # named as the legend names it, in the page's language
    assert any(w.value.startswith(charts.scheme_name("normal_0.01+bn", "en") + ":") and "MiB" in w.value
               for w in at.warning)
    assert len(at.get("vega_lite_chart")) == 1


def failing_for(monkeypatch, doomed) -> list:
    """Make simulate fail for the configurations `doomed` picks (as core.cache calls it); returns the list of every
    one it is asked."""
    asked, real = [], cache.simulate

    def simulate(config, *args, **kwargs):
        asked.append(config)
        if doomed(config):
            raise RuntimeError("stopped here by the test")
        return real(config, *args, **kwargs)

    monkeypatch.setattr(cache, "simulate", simulate)
    return asked


COMPUTING = summary.computing_note("en", 0, previous=True)  # a session's later page: the one before stays below


def computing_notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value == COMPUTING]


@pytest.mark.slow
def test_a_new_step_is_computed_under_a_note_before_any_of_its_page_is_drawn(monkeypatch):
    # The failure freezes the page at the moment of the computation: what a browser shows meanwhile.
    at = open_app(step="2", seed="918274")
    at.radio(key="step").set_value("4").run()
    no_trouble(at)
    # the note goes with the wait
    assert at.title[0].value.startswith(f"Step 4 of {len(tour.STEPS)}") and computing_notes(at) == []
    failing_for(monkeypatch, lambda c: c.std == 1.0)  # step 3's network
    at.radio(key="step").set_value("3").run()
    assert at.exception
    assert len(at.title) == 0 and len(at.metric) == 0 and at.get("vega_lite_chart") == []  # no new title on old charts
    assert computing_notes(at) == [COMPUTING]


@pytest.mark.slow
def test_with_the_compare_tab_open_its_networks_are_computed_before_the_page_changes(monkeypatch):
    at = open_app(step="2", tab="compare", seed="918275")
    asked = failing_for(monkeypatch, lambda c: c.activation == "relu" and c.init == "normal" and c.std == 1.0)
    at.radio(key="step").set_value("5").run()  # ReLU: new networks for every scheme but the step's own
    assert at.exception and len(at.title) == 0 and computing_notes(at) == [COMPUTING]
    assert {(c.init, c.std, c.batch_norm) for c in asked} >= {("xavier_normal", 0.01, False),
                                                                ("normal", 1.0, False)}


@pytest.mark.slow
def test_the_compare_schemes_of_a_link_are_computed_before_their_tab_is_drawn(monkeypatch):
    at = open_app(step="2", compare=["orthogonal"], seed="918276")  # the Compare tab is not open yet
    failing_for(monkeypatch, lambda c: c.init == "orthogonal")
    open_tab(at, "compare")
    assert at.exception and len(at.title) == 0


@pytest.mark.slow
def test_the_compare_tab_draws_each_scheme_s_own_network():
    at = open_app(step="6", tab="compare", seed="3")
    no_trouble(at)
    (chart,) = at.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    drawn = convert_arrow_bytes_to_pandas_df(dataset.data.data)
    network = tour.step_config("6", seed=3)
    for scheme in tour.LECTURE_FIVE:  # each computed on its own, one after another
        expected = simulate(tour.scheme_config(network, scheme)).stats["act_std"]
        got = drawn.loc[drawn["scheme"] == scheme].sort_values("layer")["act_std"].to_numpy()
        np.testing.assert_array_equal(got, expected, err_msg=scheme)


@pytest.mark.slow
def test_an_overflow_is_stated_and_the_finite_layers_still_draw():
    at = open_app(step="custom", depth="30", activation="linear", init="normal", std="100")
    no_trouble(at)
    assert any("overflowed float32 at layer" in w.value for w in at.warning)
    assert t("en", "verdict_overflowed") in at.metric[3].value
    open_tab(at, "data")
    table = at.dataframe[0].value
    assert table[t("en", "column_act_std")].notna().sum() >= 5  # the layers before the break are there


@pytest.mark.slow
def test_a_gain_that_is_not_a_number_warns():
    at = open_app(step="custom", init="xavier_normal", gain="lots")  # in a link
    no_trouble(at)
    assert any("**gain**" in w.value for w in at.warning)
    assert shown_config(at)["gain"] is None
    # typing into the box is a browser test: AppTest cannot hold a new option in a selectbox


def sidebar_order(at) -> list[tuple[str, str | None]]:
    """(type, key) of the sidebar's elements in the order they are drawn, its containers left out."""
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    return [(node.type, getattr(node, "key", None)) for node in walk(at.sidebar)
            if node.type not in ("vertical", "horizontal", "column", "block")]


@pytest.mark.slow
@pytest.mark.parametrize("activation, kind", [("gelu", "warning"), ("selu", "info")])
def test_the_gain_s_note_stands_right_under_its_box(activation, kind):
    """What the page made of the gain (torch's no gain for GELU, SELU's 3/4) under the box it concerns, before the fan
    mode and the biases: it had come after the whole init section."""
    at = open_app(step="custom", init="he_normal", activation=activation, gain="recommended")
    no_trouble(at)
    order = sidebar_order(at)
    gain = order.index(("selectbox", "gain"))
    assert order[gain + 1][0] == kind, order[gain:gain + 3]


@pytest.mark.slow
@pytest.mark.shared_results
def test_chinese_throughout():
    at = open_app(lang="zh", step="6")
    for code in TABS:
        open_tab(at, code, "zh")
        no_trouble(at)
    assert [tab.label for tab in at.tabs] == [t("zh", f"tab_{c}") for c in TABS]
    assert at.slider(key="depth").label == t("zh", "depth")


# ---------- Training and Theory ----------

SCHEMES_3 = ("zeros", "normal_1", "he_normal")
SMALL = dict(step="custom", depth="3", width="32", activation="relu", init="he_normal", tab="training", steps="20")


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def title_of(spec: dict) -> str | None:
    text = title_text(spec)
    if not isinstance(text, list):
        return text
    text = [line for line in text if line]  # an empty line keeps two charts' titles as tall
    # a title in lines (charts.title_lines), read as one: its lines end at a space, after full-width punctuation or
    # before a full-width bracket
    return "".join(line + ("" if line.endswith(tuple("，：。；）")) or after.startswith("（") else " ")
                   for line, after in zip(text, text[1:])) + text[-1]


def curve_layer(spec: dict) -> dict:
    """A Training chart's first layer of curves, one colour a scheme (its guide lines are drawn before it)."""
    return next(layer for layer in spec["layer"] if "color" in layer.get("encoding", {}))


def chart_titles(at: AppTest) -> list[str]:
    return [title_of(spec) for spec in chart_specs(at)]


def run_button(at: AppTest):
    return at.button(key="run_race")


def train(at: AppTest, button: str = "run_race", job: str = "_race", timeout: float = 300) -> AppTest:
    """Press a Run button and wait for its training, which runs in the background; then draw the page again."""
    at.button(key=button).click().run()
    assert at.session_state[job].wait(timeout), "the training did not end"
    return at.run()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_race_trains_at_the_learning_rate_the_box_shows(lang):
    """The learning rate box (lr= in a link, 0.02 without one) is the rate every run of the race trains at, the one
    the setup sentence names, and a race at another rate is another race: step 10's 64 layers fit the spiral at
    0.01 with orthogonal weights, not at the default 0.02 (docs/training.md)."""
    at = open_app(**SMALL, lr="0.005", train=["he_normal"], lang=lang)
    no_trouble(at)
    assert at.number_input(key="lr").value == 0.005 and at.query_params.get("lr") == "0.005"
    setup = next(m.value for m in at.markdown if "SGD" in m.value)
    assert {"en": "learning rate 0.005", "zh": "学习率 0.005"}[lang] in setup, setup
    train(at)
    no_trouble(at)
    (result,) = at.session_state["_training"][1].values()
    assert result.lr == 0.005 and at.session_state["_training"][0].lr == 0.005
    (engine,) = race(Config(depth=3, width=32, activation="relu", init="he_normal"), ["he_normal"], steps=20,
                     lr=0.005).values()
    np.testing.assert_array_equal(result.loss, engine.loss)  # the run the engine trains at that rate, bit for bit
    # a race without zeros or constant weights: no paragraph on their symmetry under its chart
    symmetry = training_view.symmetry_caption(False, True, format_share(one_unit_ceiling(3)), lang)
    assert symmetry not in [c.value for c in at.caption]
    at.number_input(key="lr").set_value(0.02).run()  # another rate: another race, not run yet
    assert [i.value for i in at.info] == [t(lang, "training_tab.press_run")]
    assert at.query_params.get("lr") is None  # the default is left out of the link


@pytest.mark.slow
def test_training_waits_for_the_run_button():
    at = open_app(**SMALL)
    no_trouble(at)
    assert at.multiselect(key="train").value == list(lecture_schemes())
    assert at.number_input(key="steps").value == 20
    assert [i.value for i in at.info] == [t("en", "training_tab.press_run")]
    assert chart_titles(at) == []  # nothing trained, nothing drawn
    at.slider(key="depth").set_value(4).run()  # a slider move does not start training either
    assert chart_titles(at) == [] and "_training" not in at.session_state


@pytest.mark.slow
def test_step_7_races_the_run_with_batch_norm_and_the_race_follows_the_step_until_one_chooses_one():
    """Step 7 ("batch norm rescues a bad init") races N(0, 0.01²) + batch norm besides the lecture's five, which train
    without it, and its intro says so; step 6's race is the five. Moving between steps carries the default race along,
    and a race of one's own stays."""
    six = [*LECTURE_RACE, BN_RESCUE]
    at = open_app(step="7", tab="training")
    no_trouble(at)
    assert at.multiselect(key="train").value == six and "train" not in at.query_params
    assert any(t("en", "training_tab.runs_bn", names="N(0,\u00a00.01²) + batch norm") in m.value for m in at.markdown)
    at.radio(key="step").set_value("6").run()
    assert at.multiselect(key="train").value == list(LECTURE_RACE) and "train" not in at.query_params
    assert any(t("en", "training_tab.runs_alike") in m.value for m in at.markdown)
    at.radio(key="step").set_value("7").run()
    assert at.multiselect(key="train").value == six and "train" not in at.query_params
    at.multiselect(key="train").set_value(["zeros", BN_RESCUE]).run()
    at.radio(key="step").set_value("6").run()
    assert at.multiselect(key="train").value == ["zeros", BN_RESCUE]  # one's own race, and its link, stay
    assert at.query_params["train"] == ["zeros", BN_RESCUE]
    no_trouble(at)


@pytest.mark.slow
def test_run_trains_and_shows_the_curves_and_the_table():
    at = open_app(**SMALL, train=["zeros", "he_normal"])
    train(at)
    no_trouble(at)
    results = at.session_state["_training"][1]
    assert list(results) == ["zeros", "he_normal"] and results["he_normal"].steps == 20  # the tab's steps
    titles, loss_title = chart_titles(at), training_view.loss_title("en", int(SMALL["steps"]))  # 20 steps: one line
    assert loss_title in titles and t("en", "training_tab.accuracy_title") in titles
    assert t("en", "training_tab.heatmap_title_act_std") in titles
    caption = training_view.heatmap_caption("act_std", "en", results["he_normal"].config)
    assert caption in [c.value for c in at.caption]  # its own statistic's
    loss = next(s for s in chart_specs(at) if title_of(s) == loss_title)
    assert curve_layer(loss)["encoding"]["y"]["scale"]["type"] == "log"
    table = at.dataframe[0].value
    assert list(table[t("en", "scheme")]) == ["zeros", "He"]  # by name, not by code
    assert table[t("en", "training_tab.col_units")].iloc[0] == "1"  # zero init: one unit a layer, after training too
    # the results belong to this configuration: another depth hides them, and coming back shows them untrained
    at.slider(key="depth").set_value(4).run()
    assert chart_titles(at) == [] and [i.value for i in at.info] == [t("en", "training_tab.press_run")]
    at.slider(key="depth").set_value(3).run()
    assert loss_title in chart_titles(at)


@pytest.mark.slow
def test_a_diverging_run_stops_with_a_message_and_the_others_finish():
    at = open_app(**{**SMALL, "depth": "6", "width": "64"}, train=["normal_1", "he_normal"])
    train(at)
    no_trouble(at)
    # its loss (about 10^13) was above the loss chart's top of 10 at both its finite steps: nothing of it is drawn
    (said,) = [w.value for w in at.warning]
    before, after = t("en", "training_tab.diverged_above", scheme="N(0,\u00a01)", step=2, top="10", peak="§").split("§")
    assert said.startswith(before) and said.endswith(after) and "10¹" in said[len(before):-len(after)], said
    table = at.dataframe[0].value
    assert list(table[training_view.stability_column("en")]) == [t("en", "training_tab.cell_diverged", step=2), "—"]
    assert table[t("en", "training_tab.col_accuracy")].iloc[1].endswith("%")  # He trained to the end
    assert training_view.loss_title("en", int(SMALL["steps"])) in chart_titles(at)


@pytest.mark.slow
def test_a_race_trained_in_the_background_is_exactly_core_race():
    at = open_app(**SMALL, train=["zeros", "normal_1", "he_normal"])
    train(at)
    no_trouble(at)
    assert training_view.symmetry_caption(False, True, format_share(one_unit_ceiling(3)), "en") in \
        [c.value for c in at.caption]  # a race with zero init: why its units stay equal
    (config, schemes, steps, task, lr), shown = at.session_state["_training"]
    assert (config.depth, config.width, config.activation, schemes, steps) == (3, 32, "relu", SCHEMES_3, 20)
    assert task == "spiral" and lr == DEFAULT_LR
    expected = race(Config(depth=3, width=32, activation="relu", init="he_normal"), SCHEMES_3, steps=20)
    assert list(shown) == list(expected)
    for name, result in expected.items():
        for field in ("loss", "accuracy", "act_std", "grad_std", "update_ratio", "distinct_units"):
            np.testing.assert_array_equal(getattr(shown[name], field), getattr(result, field), err_msg=name)
        assert shown[name].diverged_at == result.diverged_at and shown[name].final_loss == result.final_loss
    table = at.dataframe[0].value  # and the page's table is that race's, its losses as the page writes numbers
    assert list(table[t("en", "training_tab.col_loss")]) == [
        format_value(r.final_loss) for r in expected.values()]


def stop_button(at: AppTest):
    return next(b for b in at.button if b.label == t("en", "training_tab.stop"))


LONG = {**SMALL, "depth": "6", "width": "64", "steps": "10000"}  # seconds of training: time to look and to stop


@pytest.mark.slow
def test_while_a_race_trains_the_page_draws_its_curves_and_stop_ends_it():
    at = open_app(**LONG, train=["he_normal", "xavier_normal"])
    run_button(at).click().run()
    job = at.session_state["_race"]
    try:
        for _ in range(600):  # until some steps have been taken and drawn
            if job.done > 0:
                break
            job.wait(0.1)
        at.run()
        no_trouble(at)
        assert job.running
        assert len(at.get("progress")) == 1 and len(at.dataframe) == 0  # a bar, no final table yet
        assert run_button(at).disabled  # pressing Run again would only start it over
        assert chart_titles(at) == [t("en", "training_tab.loss_title"), t("en", "training_tab.accuracy_title")]
        loss = next(s for s in chart_specs(at) if title_of(s) == t("en", "training_tab.loss_title"))
        assert curve_layer(loss)["encoding"]["x"]["scale"]["domain"] == [0, 10_000]  # the race the curves grow into
        stop_button(at).click().run()
        assert job.wait(60) and job.stopped and job.result is None
    finally:
        job.stop()
    at.run()
    no_trouble(at)
    assert [w.value for w in at.warning] == [training_view.stopped_text(
        job.live, ["he_normal", "xavier_normal"], job.seconds, job.done, job.total, "en")]
    # how far each run got
    assert chart_titles(at) == [t("en", "training_tab.loss_title"), t("en", "training_tab.accuracy_title")]
    assert "_training" not in at.session_state  # a stopped race is no result
    assert not run_button(at).disabled


@pytest.mark.slow
@pytest.mark.parametrize("code, lang", [("6", "en"), ("4", "zh"), ("custom", "en")])
def test_run_at_a_tour_step_starts_with_its_lesson_and_the_bar_names_the_runs_training(code, lang, monkeypatch):
    """Run at step 6 trained zeros and N(0, 0.01²) first, at ln 3 for half a minute, and the bar said "Training…":
    the race is started in tour.race_order (He, then Xavier), and the bar names the runs the race says are training.
    A Custom page's race keeps its own order."""
    asked, pause = {}, threading.Event()

    def race_cached(config, schemes, steps, progress=None, live=None, task="spiral", order=None, training=None,
                    lr=DEFAULT_LR):
        asked.update(schemes=schemes, order=order)
        training.extend(order[:2])  # the two runs a two-core server starts first
        while True:
            progress(1, len(schemes) * steps)  # raises once the page's Stop is pressed
            pause.wait(0.05)
    monkeypatch.setattr(cache, "race_cached", race_cached)
    custom = dict(step="custom", width="400", activation="relu", init="he_normal")
    query = custom if code == "custom" else dict(step=code)
    at = open_app(**query, tab="training", lang=lang)
    run_button(at).click().run()
    job = at.session_state["_race"]
    try:
        while job.running and job.done == 0:
            job.wait(0.05)
        at.run()
        no_trouble(at)
        step = at.session_state["_race"].key[0]
        expected = tour.race_order(step, LECTURE_RACE)
        assert asked == dict(schemes=LECTURE_RACE, order=expected)
        assert expected[:2] == {"6": ("he_normal", "xavier_normal"), "4": ("xavier_normal", "normal_1"),
                                "custom": ("zeros", "normal_0.01")}[code]
        (bar,) = at.get("progress")
        # the two training, then the three still to start (this stand-in fills no live record), in the race's order
        waiting = [scheme for scheme in LECTURE_RACE if scheme not in expected[:2]]
        assert bar.proto.text in {training_view.running_text(list(expected[:2]), 1, 1500, seconds, lang, waiting)
                                  for seconds in range(600)}  # at whichever second it was drawn
    finally:
        job.stop()
    assert job.wait(60) and job.stopped


@pytest.mark.slow
def test_a_new_run_stops_the_race_still_training():
    at = open_app(**LONG, train=["he_normal"])
    run_button(at).click().run()
    first = at.session_state["_race"]
    try:
        at.number_input(key="steps").set_value(20).run()
        assert at.session_state["_race"] is first and first.running  # other settings: it goes on, and says so
        assert t("en", "training_tab.other_running") in [i.value for i in at.info]
        train(at)
        assert first.wait(60) and first.stopped
        assert at.session_state["_training"][0][2] == 20 and training_view.loss_title("en", 20) in chart_titles(at)
    finally:
        first.stop()


@pytest.mark.slow
def test_the_training_tab_says_how_long_training_took_here(monkeypatch):
    # The times are the benchmark's (training_view.MEASURED_S); the page must say exactly those, and time
    # other races at the lecture race's rate.
    monkeypatch.setattr(training_view, "MEASURED_S", {"race": {"idle": 40.0, "loaded": 150.0},
                                                      "he": {"idle": 12.0, "loaded": 33.0}})
    at = open_app(step="2", tab="training")  # Run at a tour step: the lecture's own race
    no_trouble(at)
    sessions = training_view.LOADED_BY
    assert [w.value for w in at.warning] == [t("en", "training_tab.slow",  # dense layers: half the width, 1/4
        work="1.4\u00a0×\u00a010¹²", idle="40 s", loaded="2.5 min", sessions=sessions, half="25\u00a0%")]
    he_caption = next(c.value for c in at.caption if c.value.startswith("Its own network"))
    assert he_caption.endswith(f"side by side: 12 s on this app's 2-core server when it is idle, 33 s while "
                               f"{sessions} other sessions compute.")
    at.number_input(key="steps").set_value(600).run()  # twice the work: twice the time
    assert "about 80 s on this app's 2-core server when it is idle, 5.0 min while" in at.warning[0].value
    at.number_input(key="steps").set_value(900).run()  # over the limit, 3e12, which takes 86 s and 323 s
    # at a tour step the race trains the width that fits, said so; its time is the limit's at most
    widest = training_view.widest(tour.STEPS["2"], len(LECTURE_RACE), 900)
    assert not at.error and [i.value for i in at.info][0] == training_view.fitted_note(
        tour.STEPS["2"], replace(tour.STEPS["2"], width=widest), list(LECTURE_RACE), 900, "en")
    assert "about 86 s on this app's 2-core server when it is idle" in at.warning[0].value
    assert f"For a quicker race, set the width below {widest}." in at.warning[0].value  # not "half the width"
    at.slider(key="width").set_value(499).run()  # Custom: refused, with the same times
    assert "(about 86 s on an idle 2-core server, 5.4 min while" in at.error[0].value
    at.radio(key="lang").set_value("zh").run()
    assert "空闲时约需 86 秒" in at.error[0].value and "约需 5.4 分钟" in at.error[0].value


@pytest.mark.slow
def test_a_race_s_time_estimate_is_said_until_that_race_has_run(monkeypatch):
    """The estimate before Run ("about 38 s on this app's 2-core server ...") had stayed above the finished race's
    results, though a Run again reads them from the server's cache. It is said before the run and while it trains,
    not once this race's results are in, and again for a race of other settings."""
    monkeypatch.setattr(training_view, "WORK_WARN", 0.0)  # the small race is "large": its estimate is said
    estimate = t("en", "training_tab.slow", work="", half="", idle="", loaded="", sessions="").split(",")[0]
    said = lambda page: [w.value for w in page.warning if w.value.startswith(estimate)]  # noqa: E731
    at = open_app(**SMALL, train=["he_normal"])
    assert len(said(at)) == 1
    train(at)
    no_trouble(at)
    assert at.session_state["_training"][0][2] == 20 and chart_titles(at)  # the race is drawn ...
    assert said(at) == []  # ... without its estimate
    at.number_input(key="steps").set_value(30).run()  # another race: not run yet
    assert len(said(at)) == 1
    at.number_input(key="steps").set_value(20).run()  # back to the one run: its results, no estimate
    assert said(at) == [] and at.dataframe


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_race_says_why_its_runs_at_chance_stayed_there(lang):
    """Five tanh layers of 32 units, 100 steps: zeros and N(0, 0.01²) stay at chance while Xavier learns (half of ln 3
    at step 54). Under the table the page says why, once for each (views.training.stalled_text): zeros' hidden layers
    are stuck; N(0, 0.01²)'s units differ, but its updates are far smaller than Xavier's, for the reasons its first
    step shows."""
    at = train(open_app(step="custom", depth="5", width="32", activation="tanh", init="he_normal", tab="training",
                        steps="100", train=["zeros", "normal_0.01", "xavier_normal"], lang=lang))
    no_trouble(at)
    results = at.session_state["_training"][1]
    zeros, small, xavier = (results[s] for s in ("zeros", "normal_0.01", "xavier_normal"))
    assert small.final_accuracy == pytest.approx(1 / 3, abs=0.02) and training_view.plateau_steps(
        xavier, training_view.HALF) is not None  # Xavier learned
    assert np.all(zeros.act_std == 0) and np.all(zeros.grad_std == 0) and np.all(zeros.distinct_units == 1)
    act, grad = small.act_std[0], small.grad_std[0]  # at step 0
    assert act[-1] / act[0] < 0.1 and grad[0] / grad[-1] < 0.1  # both shrink tenfold or more: both are said
    assert np.all(small.distinct_units == 32) and np.nanmax(small.update_ratio) < 1e-5
    why_small = join(lang, [t(lang, "training_tab.stalled_small_beside", scheme=charts.scheme_name("normal_0.01", lang),
                              k=3, ratio=format_value(np.nanmax(small.update_ratio), 2), guide="0.001",
                              best=charts.scheme_name("xavier_normal", lang),
                              best_ratio=format_value(np.nanmax(xavier.update_ratio), 2),
                              units=t(lang, "training_tab.units_all_differ")),
                            t(lang, "training_tab.stalled_both", up=format_value(act[-1] / act[0]),
                              down=format_value(grad[0] / grad[-1]), depth=5, grad="∂L/∂s")], "sentence")
    why_zeros = t(lang, "training_tab.stalled_zero", scheme=charts.scheme_name("zeros", lang), k=3)
    shown = [m.value for m in at.markdown]
    assert shown.count(why_zeros) == 1 and shown.count(why_small) == 1
    assert shown.index(why_zeros) < shown.index(why_small)


@pytest.mark.slow
@pytest.mark.parametrize("step, own", [("2", "normal_0.01"), ("6", "he_normal"), ("10", None)])
def test_the_race_s_heatmap_opens_on_the_step_s_own_scheme(step, own):
    """The heatmap of one run's layers over training had opened on the race's last run, He, at every step: at step 2
    a class saw He's healthy layers under the lesson of N(0, 0.01²). It opens on the step's own scheme where the race
    has it (tour.scheme_of), else on the last run (step 10's orthogonal weights at gain 1.015 are no race scheme)."""
    at = train(open_app(step=step, tab="training", steps="20", train=["zeros", "normal_0.01", "he_normal"]))
    no_trouble(at)
    heatmap = next(box for box in at.selectbox if box.label == t("en", "training_tab.heatmap_scheme"))
    assert heatmap.value == (own or "he_normal")
    assert tour.scheme_of(at.session_state["_training"][0][0]) == (own or charts.OWN)
    # one colour scale for every run of the race (training_view.race_span): another run shown keeps it
    domains = []
    for scheme in ("normal_0.01", "he_normal"):
        next(box for box in at.selectbox if box.label == t("en", "training_tab.heatmap_scheme")).set_value(scheme).run()
        (colour,) = [spec["encoding"]["color"] for spec in chart_specs(at)
                     if spec.get("encoding", {}).get("color", {}).get("scale", {}).get("scheme") == "viridis"]
        domains.append(colour["scale"]["domain"])
    assert domains[0] == domains[1]


@pytest.mark.slow
def test_training_over_the_memory_budget_is_refused_and_the_page_still_works(monkeypatch):
    # A real case (100 layers of 2,048 units) takes many seconds to simulate first; the page asks
    # views.training.refusal, which reads core.train's estimate.
    monkeypatch.setattr(training_view, "estimate_training_memory", lambda config, *args, **kwargs: 2 * 2**30)
    at = open_app(**SMALL)
    assert not at.exception
    assert len(at.error) == 1 and "2,048 MiB" in at.error[0].value and "width" in at.error[0].value
    assert run_button(at).disabled
    at.slider(key="depth").set_value(4).run()  # the sidebar still works
    assert not at.exception and len(at.metric) == 4


@pytest.mark.slow
@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
def test_a_race_too_big_to_wait_for_trains_at_the_width_that_fits_and_keeps_the_pages_network(monkeypatch, lang):
    """A Custom network's refusal offered the width that fits with a button that set the sidebar to it: the page's
    network, its headline and its link changed with no word. The button now trains the race at that width as tour step
    11 does, said so, and the page's network stays; another setting is refused again, with its own button."""
    from views.page import memory_budget
    monkeypatch.setattr(training_view, "WORK_LIMIT", 3e8)
    # 20 steps x batch 128 x 5 schemes x 32² x (2 + 3 + 3) products = 1.05e8 multiply-adds: fits
    at = open_app(**SMALL, lang=lang)
    assert not at.error and not run_button(at).disabled
    at.slider(key="width").set_value(64).run()  # four times the work: over
    own, schemes = Config(depth=3, width=64, activation="relu", init="he_normal"), at.multiselect(key="train").value
    fitted = training_view.fitting(own, schemes, 20, memory_budget())
    assert len(schemes) == 5 and fitted == replace(own, width=54)  # sqrt(3e8 / (20 x 128 x 5 x 8)) = 54.1
    assert not at.exception and [e.value for e in at.error] == [training_view.refusal(own, schemes, 20, lang,
                                                                                      memory_budget())]
    assert run_button(at).disabled and not at.info
    offer = at.button(key="use_fitted_race")
    assert offer.label == training_view.fitted_label(own, fitted, lang) == t(lang, "training_tab.use_width", width=54,
                                                                            was=64, run=run_button(at).label)
    page = [x.value for x in at.title], [m.value for m in at.metric], dict(at.query_params)
    offer.click().run()
    # the page's network is still 64 units a layer: its headline and its link as before the click
    assert not at.exception and not at.error and at.slider(key="width").value == 64
    assert ([x.value for x in at.title], [m.value for m in at.metric], dict(at.query_params)) == page
    note = training_view.fitted_note(own, fitted, schemes, 20, lang)
    assert [i.value for i in at.info] == [note, t(lang, "training_tab.press_run")]
    intro = t(lang, "training_tab.intro_spiral", runs=training_view.runs_text(fitted, schemes, lang),
              **training_view.setup(fitted, 20))  # "Hidden layers of 54 units"
    assert intro in [m.value for m in at.markdown]
    train(at)  # the race at the width that fits, said so
    assert not at.exception and not at.error and at.slider(key="width").value == 64
    assert {run.config.width for run in at.session_state["_training"][1].values()} == {54}
    assert [i.value for i in at.info] == [note] and dict(at.query_params) == page[2]
    at.number_input(key="steps").set_value(25).run()  # another race on the same network: refused again
    again = training_view.fitting(own, schemes, 25, memory_budget())
    assert [e.value for e in at.error] == [training_view.refusal(own, schemes, 25, lang, memory_budget())]
    assert not at.info and at.button(key="use_fitted_race").label == training_view.fitted_label(own, again, lang)
    at.number_input(key="steps").set_value(20).run()  # back to the race whose button was pressed: at 54 units
    assert [i.value for i in at.info] == [note] and not at.error
    at.slider(key="depth").set_value(4).run()  # another network: its own refusal and button
    deeper = replace(own, depth=4)
    assert [e.value for e in at.error] == [training_view.refusal(deeper, schemes, 20, lang, memory_budget())]
    assert not at.info and at.button(key="use_fitted_race").label == training_view.fitted_label(
        deeper, training_view.fitting(deeper, schemes, 20, memory_budget()), lang)


@pytest.mark.slow
def test_a_spectrum_over_the_limit_at_a_custom_network_offers_the_size_that_fits(monkeypatch):
    from views import spectrum as spectrum_view
    monkeypatch.setattr(spectrum_view, "WORK_LIMIT", 5e7)
    at = open_app(**{**SMALL, "tab": "spectrum"})  # 3 layers of 32 units: 1.4e8 flops, over
    assert not at.exception and len(at.warning) == 1 and at.warning[0].value.startswith(
        "The spectrum of this network needs about")
    fitted = spectrum_view.fitting(Config(depth=3, width=32, activation="relu", init="he_normal"), 1 << 30)
    assert fitted is not None and fitted.width < 32
    offer = at.button(key="use_fitted_spectrum")
    assert offer.label == t("en", "spectrum_tab.use_width", value=fitted.width, was=32)
    headline = [m.value for m in at.metric]
    offer.click().run()
    # the spectrum at the width that fits, said so; the page's network is still 32 units a layer, its headline its own
    assert not at.exception and not at.warning and at.slider(key="width").value == 32
    assert [i.value for i in at.info] == [spectrum_view.fitted_note(
        Config(depth=3, width=32, activation="relu", init="he_normal"), fitted, "en", 1 << 30)]
    assert len(at.metric) == 4 + 8 and [m.value for m in at.metric[:4]] == headline  # then both spectra's four


@pytest.mark.slow
def test_the_he_2015_preset_races_both_depths_and_says_what_it_measured(monkeypatch):
    # The page's wiring on the preset's first 250 steps, under a third of its work: the two depths' races, the
    # caption, the sentences. Seed 0 at depth 30 shows the paper's split by then (He reaches half of ln K at step
    # 114, Xavier does not leave the plateau within 800); core's
    # test_he_2015_at_depth_30_xavier_sits_on_the_plateau_while_he_leaves_it checks that effect on the network itself.
    import streamlit as st

    monkeypatch.setattr(sys.modules["core.train"], "HE_2015_STEPS", 250)
    st.cache_data.clear()  # run_he_2015 keeps one result, whatever the steps: start and end without one
    try:
        at = open_app(**SMALL)
        train(at, "run_he_2015", "_he_race")
        no_trouble(at)
        results = at.session_state["_he_race"].result
        assert list(results) == [22, 30] and all(len(r.loss) == 250 for runs in results.values()
                                                 for r in runs.values())
    finally:
        st.cache_data.clear()
    titles = chart_titles(at)
    panel = t("en", "training_tab.he_depth")  # each panel's loss chart is titled with its depth
    assert f"{panel} 22" in titles and f"{panel} 30" in titles
    # one loss axis for the two panels side by side, holding both depths' curves: the same height is the same loss
    scales = [curve_layer(s)["encoding"]["y"]["scale"] for s in chart_specs(at) if title_of(s).startswith(panel)]
    losses = [r.loss[np.isfinite(r.loss)] for runs in results.values() for r in runs.values()]
    (low, high), *others = [scale["domain"] for scale in scales]
    assert len(scales) == 2 and others == [[low, high]]
    top = min(max(loss.max() for loss in losses), training_view.MAX_LOSS)
    assert low <= min(loss.min() for loss in losses) and high >= top
    he_caption = next(c.value for c in at.caption if c.value.startswith("Its own network"))
    assert "learning rate 0.01, 250 steps, at depth 22 and at depth 30" in he_caption
    text = " ".join(m.value for m in at.markdown)
    assert t("en", "training_tab.he_paper") in text
    for depth, runs in results.items():  # each depth's sentence is the one its own runs give
        assert training_view.he_measured(runs, "en", depth) in text
    # seed 0: at 30 layers Xavier sits on the plateau for the 250 steps, He reaches half of ln K
    measured_30 = next(m.value for m in at.markdown if m.value.startswith("What this app measured at depth 30"))
    assert "Xavier stayed on the ln K plateau for all 250 steps" in measured_30
    assert "He left the plateau at step" in measured_30 and "reached half of ln K at step" in measured_30


def here_mark(at: AppTest) -> dict:
    """The "you are here" row of the data the Theory tab's map was drawn with."""
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            if "here" in frame.columns:
                return frame[frame["here"]].iloc[0].to_dict()
    raise AssertionError("no map with a marker")


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_theory_marker_moves_with_the_sidebar():
    at = open_app(step="custom", init="normal", std="0.05", activation="tanh", tab="theory")
    no_trouble(at)
    mark = here_mark(at)
    assert mark["sigma_w2"] == pytest.approx(500 * 0.05**2) and mark["sigma_b2"] == 0  # sigma_w^2 = n Var(w)
    assert r"$\sigma_w^2$ = n·Var(w) = 1.25, $\sigma_b^2$ = Var(b) = 0," in at.markdown[1].value
    at.number_input(key="std").set_value(0.02).run()
    at.number_input(key="bias_std").set_value(0.5).run()
    mark = here_mark(at)
    assert mark["sigma_w2"] == pytest.approx(500 * 0.02**2) and mark["sigma_b2"] == pytest.approx(0.25)
    assert r"$\sigma_w^2$ = n·Var(w) = 0.2, $\sigma_b^2$ = Var(b) = 0.25," in at.markdown[1].value


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_theory_tab_draws_the_map_the_gradients_and_the_paradox():
    at = open_app(step="3", tab="theory")
    no_trouble(at)
    specs = chart_specs(at)
    assert [title_of(s) for s in specs] == [
        t("en", "theory_tab.map_title", activation="tanh"), t("en", "theory_tab.gradient_title")]
    assert specs[0]["layer"][0]["encoding"]["color"]["field"] == "log_chi1"
    text = " ".join(m.value for m in at.markdown)
    assert "chaotic phase" in text and "The large-init paradox" in text
    assert "(measured in this network: ×" in text  # step 3 is the paradox's own network
    # ReLU, a residual stream, a conv net: no paragraph on the lecture's tanh network; step 7's tanh with batch norm
    # is the lecture's network
    for step, told in (("7", True), ("8", False), ("9", False), ("11", False)):
        other = open_app(step=step, tab="theory")
        no_trouble(other)
        assert ("The large-init paradox" in " ".join(m.value for m in other.markdown)) == told, step
    at.toggle(key="xi").set_value(True).run()
    colour = chart_specs(at)[0]["layer"][0]["layer"][0]["encoding"]["color"]["field"]
    assert colour == "shown_depth"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.shared_results
def test_the_theory_tab_under_batch_norm_titles_the_gradient_dl_dz(lang):
    at = open_app(step="7", tab="theory", lang=lang)
    no_trouble(at)
    assert title_of(chart_specs(at)[1]) == t(lang, "theory_tab.gradient_title_bn")
    text = " ".join(m.value for m in at.markdown)
    words = summary.batch_norm_words("dense", lang)
    assert t(lang, "theory_tab.map_bn", eps="{eps}", **words).split("{eps}")[0] in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.shared_results
def test_the_theory_tab_of_a_taper_says_the_map_assumes_equal_widths(lang):
    """`?widths=784-512-256-128&activation=relu&init=he_normal&tab=theory` said "χ₁ = 1: at the edge of chaos:
    gradients keep their size" beside a theory line of ×0.707 a layer, and drew χ₁'s flat rate line: now the
    paragraph says the map assumes equal widths and gives the theory line's factors, and χ₁'s rate is not drawn."""
    at = open_app(step="custom", depth="3", width="784", widths="784-512-256-128", activation="relu",
                  init="he_normal", tab="theory", lang=lang)
    no_trouble(at)
    text = " ".join(m.value for m in at.markdown)
    assert t(lang, "theory_tab.edge") not in text
    assert t(lang, "theory_tab.profile").split("{")[0] in text
    keep = {"en": "keep their size", "zh": "保持大小"}[lang]  # said of equal widths only, in "Two phases"
    equal = {"en": "at equal widths, signals and gradients keep their size",
             "zh": "在等宽的网络里，信号和梯度保持大小"}[lang]
    assert text.count(keep) == text.count(equal) == 1
    for step in (t(lang, "theory_tab.profile_step", factor="0.707", layer=3, below=2),
                 t(lang, "theory_tab.profile_step", factor="0.707", layer=2, below=1)):
        assert step in text
    series = {row["series"] for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets
              for row in convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records") if "series" in row}
    assert t(lang, "theory_tab.theory") in series and t(lang, "theory_tab.rate") not in series
    legend = chart_specs(at)[1]["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == [t(lang, "measured"), t(lang, "theory_tab.theory")]


@pytest.mark.slow
@pytest.mark.shared_results
def test_training_and_theory_in_both_languages_on_a_custom_network():
    """The tour's steps: test_names.py opens every tab at every step in both languages, without trouble."""
    at = open_app(step=tour.CUSTOM)
    for lang in ("en", "zh"):
        at.radio(key="lang").set_value(lang).run()
        for tab in ("training", "theory"):
            open_tab(at, tab, lang)
            no_trouble(at)
            assert at.session_state["tab"] == t(lang, f"tab_{tab}")


# ---------- the Derivation tab and the chart labels ----------

SLOW = pytest.mark.slow
DERIVATION_LINKS = [  # the first two, one a language, in the quick set; test_derivation checks every block's numbers
    ({"step": "3"}, "en"),  # saturated: std(s₁) = 22.4 ≫ 1
    ({"step": "4"}, "zh"),  # Xavier: std(s₁) = 1 ≈ 1, not ≫
    pytest.param({"step": "5"}, "en", marks=SLOW),  # ReLU: the headline's std ratio
    pytest.param({"step": "7"}, "zh", marks=SLOW),  # batch norm: the sum z and ∂L/∂z
    pytest.param({"step": "custom", "activation": "linear", "init": "xavier_normal", "bias": "1"}, "en",
                 marks=SLOW),  # grows to √10
    pytest.param({"step": "custom", "activation": "relu", "init": "normal", "std": "1", "depth": "40"}, "en",
                 marks=SLOW),  # overflows
]


@pytest.mark.slow
@pytest.mark.parametrize("query, lang", DERIVATION_LINKS)
@pytest.mark.shared_results
def test_the_derivation_tab_shows_the_blocks_with_their_equations_holding(query, lang):
    at = open_app(**query, lang=lang, tab="derivation")
    no_trouble(at)
    config = Config(**shown_config(at))
    open_tab(at, "derivation", lang)
    markdown = [x.value for x in at.markdown]
    blocks = derivation.blocks(simulate(config), lang)
    latex = [x for block in blocks for x in (block.formula, block.numbers) if x]
    for block in blocks:
        assert f"#### {block.title}" in markdown
        assert set(derivation.as_markdown(block.formula) + derivation.as_markdown(block.numbers)) <= set(markdown)
        for note in block.notes:
            assert note in markdown, note
    assert sum(check_equations(x) for x in latex) >= 5  # Var(s₁), std(s₁), 1/n, 2/n, n·Var(w) at least
    if query.get("step") == "4":
        assert not any(r"\gg" in x for x in latex) and not any(t("zh", "cmp_much_greater") in m for m in markdown)
    if query.get("step") == "3":
        assert any(r"22.4 \gg 1" in x for x in latex)
    if query.get("bias") == "1":
        assert any("std(h₁₀) / std(x) = 3.16" in m for m in markdown)


@pytest.mark.slow
@pytest.mark.parametrize("step, lang, symbol", [("6", "en", "∂L/∂s"), ("7", "en", "∂L/∂z"), ("7", "zh", "∂L/∂z")])
@pytest.mark.shared_results
def test_the_gradient_chart_names_the_gradient_it_draws(step, lang, symbol):
    at = open_app(step=step, lang=lang, tab="gradients")
    no_trouble(at)
    title = gradients_tab.grad_title(tour.STEPS[step], lang)
    assert symbol in title and title_of({"title": title.splitlines()}) in chart_titles(at)  # its lines, read alike


@pytest.mark.slow
@pytest.mark.shared_results
def test_the_data_tab_names_what_its_shares_count():
    at = open_app(step="3", tab="data")
    no_trouble(at)
    columns = list(at.dataframe[0].value.columns)
    assert t("en", "column_saturated") == "saturated values (share)" and t("en", "column_dead") == "dead units (share)"
    assert t("en", "column_saturated") in columns and t("en", "column_dead") in columns and "saturated" not in columns
    assert at.metric[2].label == t("en", "metric_saturated")


@pytest.mark.slow
@pytest.mark.parametrize("tab", ["activations", "gradients"])
@pytest.mark.parametrize("value, has_theory", [("0.3", False), ("0", True)])
def test_weights_without_zero_mean_say_the_theory_does_not_apply(tab, value, has_theory):
    """Non-zero constant weights break the theory's zero-mean premise (core.initializers.weight_variance is
    None): the charts say so. Zero weights have a theory (every layer after the first is its bias)."""
    at = open_app(step="custom", init="constant", value=value, depth="3", width="20", batch="20", tab=tab)
    no_trouble(at)
    shown = [caption.value for caption in at.caption]
    assert (t("en", "no_theory_constant") in shown) == (not has_theory)


# --- convolutions ------------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.shared_results
def test_a_conv_net_opens_on_every_tab_with_conv_numbers(lang):
    """arch=conv: the sidebar shows the conv controls, every tab opens without an exception, the Derivation's n is
    C_in k², the Training tab describes the conv net it trains, and a delta-orthogonal linear circular net's Spectrum
    is isometric (every s = 1, so p10 and p90 are written 1)."""
    at = open_app(arch="conv", width="8", depth="6", image="8", padding="circular", init="delta_orthogonal",
                  activation="linear", batch="20", lang=lang)
    assert not at.exception
    labels = {s.label for s in at.sidebar.slider}
    assert {t(lang, "kernel"), t(lang, "image"), t(lang, "channels")} <= labels
    assert t(lang, "width") not in labels
    line = t(lang, "net_conv_images", layers=t(lang, "net_conv", depth=6, width=8), kernel=3, image=8,
             padding=t(lang, "net_padding_circular"))
    assert line in at.caption[0].value  # the network line names channels, kernel, images, padding
    for code in CODES:
        at = open_tab(at, code, lang)
        assert not at.exception, code
        text = [m.value for m in at.markdown] + [i.value for i in at.info]
        if code == "derivation":
            assert t(lang, "der_sum_note", n="72") in text
            assert t(lang, "der_conv_note", channels=8, kernel=3, n="72") in text
        if code == "training":  # images, channels and the pooled read-out; Run, never on its own
            assert training_view.head_caption(True, lang) in [c.value for c in at.caption]
            assert t(lang, "training_tab.press_run") in text
        if code == "spectrum":
            assert any(t(lang, "spectrum_tab.isometric", p10="= 1", p90="= 1", ratio="= 1", mean_squared="1",
                         here=t(lang, "spectrum_tab.here")) == m for m in text), text


@pytest.mark.slow
@pytest.mark.parametrize("step", ["1", "3", "4", "5"])
def test_the_histogram_caption_names_the_grey_bars_the_panels_hold(step):
    """Each kind of grey bar is explained where the panels hold one, and only there: step 3's tanh under N(0, 1)
    saturates, its end bins over SPIKE_RATIO times the tallest inner bin (kind "end"); step 1's zero weights make
    every value exactly 0; step 5's ReLU gives exact zeros and a tail past 3, whose caption quotes one of its own
    labels ("> 3: 0.14 %"); step 4's Xavier + tanh has none of them (the tanh steps had been told of "> 3: 4.1 %"),
    but for a value a float32 sum may round to exactly 0 (one in its 5,000,000 with OpenBLAS's Sandybridge kernels,
    none with Haswell's), which the panel and the caption then name as they would any. Both languages; the kinds
    from the simulation's own counts. The end bins' sentence names where they start, the saturation rule's edges
    (|tanh| > 0.97: over [−1, 1] they had started at 0.96, and step 3 showed both numbers side by side)."""
    result = simulate(tour.step_config(step))
    frame = charts.histogram_frame(result, "en")
    has_ends = bool((frame["kind"] == "end").any())
    has_zeros, has_beyond = bool(result.hist_zeros[1:].any()), bool(result.hist_beyond[1:].any())
    zero_share = result.hist_zeros[1:].sum() / result.hist_counts[1:].sum()
    center, half = activations.get("tanh").saturation  # where core.network counts a value saturated
    saturated_from = (center - half, center + half)
    assert (has_ends, zero_share > 1e-5, has_beyond) == {"1": (False, True, False), "3": (True, False, False),
                                                         "4": (False, False, False), "5": (False, True, True)}[step]
    for lang in ("en", "zh"):
        at = open_app(step=step, lang=lang)
        no_trouble(at)
        first = t(lang, "hist_caption", every="")
        (caption,) = [c.value for c in at.caption if c.value.startswith(first[:20])]
        layer, above = next((layer, above) for layer, (_, above) in enumerate(result.hist_beyond) if above and layer) \
            if has_beyond else (None, 0)  # the panels' first, from layer 1 (layer 0 is the input)
        example = t(lang, "hist_over", edge="3", share=format_share(above / result.hist_counts[layer].sum())) \
            if has_beyond else ""
        assert caption == "".join([first, t(lang, "hist_beyond", example=example) if has_beyond else "",
                                   t(lang, "hist_zeros") if has_zeros else "",
                                   t(lang, "hist_ends", activation=t(lang, "act_tanh"),
                                     ratio=format_value(charts.SPIKE_RATIO),
                                     edges=join(lang, [format_value(c) for c in saturated_from]))
                                   if has_ends else ""]), lang
        if has_ends:  # where they start: the rule's edges
            assert [format_value(e) for e in result.hist_edges[[1, -2]]] == [format_value(c) for c in saturated_from]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_layer_s_page_says_one_layer(lang):
    """?depth=1: "1 layers × 500 units" and "×1 of layer 1's ..." (the gradient at layer 1 against itself) were on the
    page; the line under the title says one layer, and the gradient metric has no delta."""
    at = open_app(step="custom", depth="1", init="xavier_normal", lang=lang)
    assert not at.exception
    assert t(lang, "net_dense_one", depth=1, width=500) in at.caption[0].value
    assert at.metric[1].label == t(lang, "metric_grad") and not at.metric[1].delta
    assert at.metric[0].delta  # the activations still have their ratio to the input


@pytest.mark.slow
@pytest.mark.parametrize("query", [
    dict(step="custom", activation="relu", norm="layer", residual="true", branch_scale="inv_sqrt_depth",
         init="he_normal"),
    dict(step="2"), dict(step="6"), dict(step="8", lang="zh"), dict(step="8", depth="20"),
    dict(step="custom", depth="6", width="40", init="xavier_normal", input_scale="0.5", lang="zh")],
    ids=["residual-ln", "2", "6", "8-zh", "8-depth-20", "scaled-input-zh"])
def test_a_headline_ratio_is_the_measured_one_and_multiplies_with_its_reference_as_written(query):
    """"1.35" over "×1.4 of layer 10's 1" wrote one number two ways, "761" over "×760 of the input's 1" wrote three
    that do not multiply, and "×761", the printed numbers' ratio, is not the measured 760.25 the Derivation tab gives:
    each delta's ratio is the measured one correctly rounded, and its reference is written with the digits the
    product needs (summary.printed_ratio), so the ratio times the reference, written as the page writes numbers, is
    the metric's value; the verdict's sentence writes the same ratios."""
    at = open_app(**query)
    lang = query.get("lang", "en")
    state = {name: at.session_state[name] for name in urlstate.PARAMS if name in at.session_state}
    config = urlstate.config_of(state)[0]
    result = cache.simulate_cached(config)
    h, written = summary.headline(result), format_value
    (act, act_input), (grad, grad_last) = summary.printed_ratios(result)
    if summary.diagnose(result).name == "healthy":  # the sentence under the verdict spells the same two ratios
        explained = summary.explain(result, lang)
        assert act in explained and grad in explained
    for metric, value, ratio, reference, delta, shown, shown_reference in (
            (at.metric[0], h.act_last, h.act_ratio, h.act_input,
             t(lang, "metric_act_delta", ratio=act, input=act_input), act, act_input),
            (at.metric[1], h.grad_first, h.grad_ratio, h.grad_last,
             t(lang, "metric_grad_delta", ratio=grad, depth=config.depth, last=grad_last), grad, grad_last)):
        assert metric.value == written(value) and metric.delta == delta
        assert written(read_back(shown) * read_back(shown_reference)) == metric.value  # they multiply as printed
        assert ratio == pytest.approx(value / reference, rel=1e-9)
        assert any(written(ratio, digits) == shown for digits in range(3, 18))  # the measured ratio, rounded
        assert any(written(reference, digits) == shown_reference for digits in range(3, 18))
    if query.get("depth") == "20":
        assert at.metric[0].value == "761" and as_read(at.metric[0].delta) == "×760 of the input's 1.001"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_five_s_story_reads_the_race_this_session_finished(lang):
    """The story is drawn before the tabs: it reads the session's finished race of the page's own network (the race
    the Training tab keeps), and of no other seed; before one it claims no result."""
    from types import SimpleNamespace

    from core.train import DEFAULT_STEPS
    from views.text import pointing

    loss = np.geomspace(1.0986, 0.01, DEFAULT_STEPS)
    run = SimpleNamespace(config=tour.step_config("5"), loss=loss, final_loss=0.00522, classes=3, steps=DEFAULT_STEPS,
                          diverged_at=None)
    raced = pointing(tour.race_story({"xavier_normal": run}, None, lang), True)  # as the page shows it, with its tabs
    unraced, paper = (pointing(t(lang, f"story_5_{key}"), True) for key in ("unraced", "he_paper"))
    at = open_app(step="5", lang=lang)
    stories = [m.value for m in at.markdown if paper in m.value]
    assert len(stories) == 1 and unraced in stories[0] and raced not in stories[0]
    # a race of another seed is another network's; one at another learning rate is not the race the story tells
    for seed, lr, said in ((1, DEFAULT_LR, False), (0, 1e-4, False), (0, DEFAULT_LR, True)):
        at.session_state["_training"] = (RaceKey(tour.step_config("5", seed), LECTURE_RACE, DEFAULT_STEPS, "spiral",
                                                 lr), {"xavier_normal": run})
        at.run()
        story = next(m.value for m in at.markdown if paper in m.value)
        assert (raced in story) == said and (unraced in story) != said


# ---------- a bad value's notice names what the page shows ----------

TAB_CONTROLS = {"compare": ("compare",), "training": ("train", "steps", "lr", "task"), "theory": ("xi",)}


def shown_controls(at: AppTest, lang: str) -> dict[str, str]:
    """What each control on the page shows, by its key: the option a choice shows (its label), a list's chosen
    labels as the language joins them, a number as the page writes one in a sentence (a seed as the box shows it),
    a switch as on or off, the open tab by its label."""
    shown = {w.key: w.options[w.index] for w in [*at.selectbox, *at.radio] if w.index is not None}
    shown |= {w.key: join(lang, [w.options[i] for i in w.indices]) for w in at.multiselect}
    shown |= {w.key: str(w.value) if w.key == "seed" else written(w.value) for w in [*at.number_input, *at.slider]}
    shown |= {w.key: t(lang, f"options.switch_{'on' if w.value else 'off'}") for w in at.toggle}
    return shown | {"tab": at.session_state["tab"]}


@pytest.mark.slow
@pytest.mark.shared_results
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", tour.STEPS)
def test_a_bad_value_s_notice_names_what_the_page_shows_for_it(code, lang):
    """?step=6&init=unknown said "Step 6's own value (he_normal) is used instead", ?step=9&branch_scale=abc named
    "inv_sqrt_depth": a link's value not allowed, for every parameter of the link table at every step, names the value
    the page then has as that control shows it on the page (the sidebar's "He normal", the tab's label); a control this
    network hides says it is not used, and names no value. No code beyond the display name ("fan_in (forward)")."""
    bad = {name: "@" for name in urlstate.PARAMS if name not in ("step", "bn", "lang")}
    query = {"step": code, **bad, "lang": "@" if lang == "en" else lang}  # lang=@: English, a bare link's language
    at = open_app(**query)
    no_trouble(at)
    said = {re.search(r"\*\*([a-z_]+)\*\*", w.value)[1]: w.value for w in at.warning}
    shown = shown_controls(at, lang)
    for tab, names in TAB_CONTROLS.items():  # the tabs' own controls, each drawn in its tab
        shown |= {name: value for name, value in shown_controls(open_tab(at, tab, lang), lang).items() if name in names}
    state, _ = urlstate.normalize(query, TABS)
    # from=, Custom's alone (the step a network of its own came from), changes nothing at a step and is not said
    checked = [name for name in [*bad, "lang"] if name != "from"] if lang == "en" else [n for n in bad if n != "from"]
    assert set(said) == set(checked)
    for name in checked:
        words = dict(name=name, raw=user_text(lang, "@"), allowed=urlstate.allowed_text(lang, name, TABS))
        if name not in shown:  # a control this network does not read: the sidebar hides it
            assert name in urlstate.CONTROLS and not urlstate.relevant(name, state), name
            why = urlstate.why_text(lang, *urlstate.why_ignored(name, state))
            assert said[name] == t(lang, "url_problem_unused", why=why, **words)
            continue
        key = "url_problem_step" if name in urlstate.CONTROLS else "url_problem"
        assert said[name] == t(lang, key, n=code, default=shown[name], **words), (name, shown[name])
        rest = said[name].replace(words["allowed"], "").replace(f"**{name}**", "").replace(shown[name], "")
        assert not re.search(r"[A-Za-z]+_[a-z]", rest), said[name]  # no code: he_normal, inv_sqrt_depth


def _branch_scale_box(typed: str, lang: str) -> None:  # run by AppTest.from_function, in the app's directory
    from views import sidebar

    sidebar.branch_scale_note(lang, {"residual": True, "arch": "dense", "input": "normal", "widths": "",
                                     "branch_scale": typed})


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("typed, refused", [("200", True), ("-1", True), ("nan", True), ("abc", True),
                                            ("0.5", False), ("inv_sqrt_depth", False), ("１", False)])
def test_a_branch_scale_typed_into_its_box_that_is_none_is_said_to_be_replaced(typed, refused, lang):
    """Typing 200, -1, nan or abc into the branch scale's box quietly gave α = 1 (urlstate.config_branch_scale),
    where the gain box says so of a gain: a warning now names what was typed, the allowed range and the default."""
    at = AppTest.from_function(_branch_scale_box, args=(typed, lang), default_timeout=30).run()
    assert not at.exception
    said = [w.value for w in at.warning]
    expected = [t(lang, "branch_scale_unknown", raw=f"`{typed}`", low="0", high="100")] if refused else []
    assert said == expected, said
    assert (urlstate.config_branch_scale(typed) == Config().branch_scale) or not refused


def _gain_box(typed: str, lang: str) -> None:  # run by AppTest.from_function, in the app's directory
    from views import sidebar

    sidebar.gain_note(lang, {"init": "xavier_normal", "activation": "tanh", "gain": typed})


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("box, name", [(_gain_box, "gain"), (_branch_scale_box, "branch_scale")])
@pytest.mark.parametrize("typed, mark, meant", [("0,5", ",", "0.5"), ("0\u066b5", "\u066b", "0.5"),
                                                ("0\u30025", "\u3002", "0.5"), ("1_5", "_", None)])
def test_a_number_typed_with_a_mark_numbers_here_lack_names_it_and_what_it_may_mean(box, name, typed, mark, meant,
                                                                                     lang):
    """"0,5" typed into the gain box was refused as not "a number from 0.000001 to 100", which 0.5 is: the warning
    now names the mark and, where the number read with a point is allowed, that number to type."""
    at = AppTest.from_function(box, args=(typed, lang), default_timeout=30).run()
    assert not at.exception
    (said,) = [w.value for w in at.warning]
    assert re.findall(r"`([^`]*)`", said) == [typed, mark, *([meant] if meant else [])], said
    if meant:  # what it names is read as the number the mark's point would give
        assert float(urlstate.parse(name, meant)) == float(typed.replace(mark, "."))


# Links whose values leave float64's range within the network: the std itself past 10³⁰⁸ from layer 97 (ReLU) or 92
# (linear), and a residual stream whose inf − inf leaves NaN in its Jacobian
PAST_FLOAT64 = [{"init": "normal", "std": "100", "activation": "relu", "depth": "100", "batch": "10"},
                {"init": "normal", "std": "100", "activation": "linear", "depth": "100", "batch": "10"},
                {"init": "normal", "std": "100", "activation": "relu", "depth": "100", "batch": "10",
                 "residual": "true", "input_scale": "100", "width": "300"},
                # a conv net whose circular-padding copy (the border effect) leaves the range, though it does not
                {"arch": "conv", "init": "normal", "std": "100", "activation": "relu", "depth": "100", "width": "8",
                 "image": "4", "kernel": "7", "batch": "10"}]


@pytest.mark.slow
@pytest.mark.parametrize("query", PAST_FLOAT64, ids=["relu", "linear", "residual", "conv"])
def test_a_network_past_float64_s_range_draws_every_tab_and_says_what_is_missing(query):
    """`?init=normal&std=100&activation=relu&depth=97` blanked the page with an OverflowError (the theory's std turned
    back from its logarithm past 10³⁰⁸), a student's first try at "huge weights, deep net"; its Gradients and Theory
    tabs then raised on a tick at 10³⁰⁹, and a residual stream's Spectrum on LAPACK's "SVD did not converge". Every
    tab of such a network, in both languages, is drawn without an exception; the Spectrum tab says why it has no
    spectrum (its singular values had been written as "1,000 of the 1,000 values lie below what float64 resolves")."""
    for lang in ("en", "zh"):
        for tab in CODES:
            at = open_app(**query, tab=tab, lang=lang)
            assert not at.exception, (query, tab, lang, [e.message for e in at.exception])
            if tab == "spectrum" and query.get("arch") != "conv":
                assert t(lang, "spectrum_tab.out_of_range") in [w.value for w in at.warning]
            if tab == "activations" and query["activation"] == "relu" and "residual" not in query:
                # measured until the overflow, on the linear axis's 0 beside the theory's 10²⁸⁴: the caption says so,
                # naming whose largest value the axis reaches
                captions = [c.value for c in at.caption]
                said = [c for c in captions if c.startswith(t(lang, "looks_zero_theory").split("{")[0])]
                assert len(said) == 1 and t(lang, "log_y") in said[0], (query, captions)
                if query.get("arch") != "conv":  # every measured layer, the input's 1 too, is on the axis's 0
                    theory = simulate(Config(init="normal", std=100.0, activation="relu", depth=100,
                                             batch=10)).predicted_act_std
                    top = float(theory[np.isfinite(theory)].max())
                    assert said[0] == t(lang, "looks_zero_theory", layer=1, share=format_share(summary.LOOKS_ZERO),
                                        top=format_value(top), switch=t(lang, "log_y")), said


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widget_states(), st.sampled_from(CODES), st.sampled_from(["en", "zh"]))
def test_every_network_a_link_can_hold_draws_any_tab_in_either_language(state, tab, lang):
    # A class opening random links found two Derivation tabs that raised (a residual stream of zero weights; a conv
    # net on the digits under a profile) and a page that raised (a digits profile over the work limit). Here any
    # network a link can hold, at a small size (the kind kept: tests/test_derivation.small), on any tab.
    config = small(urlstate.config_of(state)[0])
    query = read_link(server_query({**urlstate.state_of(config), "step": "custom"}))
    at = open_app(**query, tab=tab, lang=lang)
    assert not at.exception, (query, tab, lang, [e.message for e in at.exception])
