"""Links: every state the widgets can reach survives its link unchanged; a list keeps its good items.

A link is written here as Streamlit writes one — by the browser when a widget moves (WidgetStateManager's
updateUrlParam in Streamlit's frontend) and by the server when the app rewrites the address
(st.query_params, urllib's urlencode) — and read as the server reads it (parse_qs with blank values kept),
then through the app's own reading code, views/urlstate.py.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import asdict, fields, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from scipy.special import ndtr
from streamlit.testing.v1 import AppTest

from core import Config, profiles, schemes
from core.config import (
    ACTIVATIONS, ARCHS, DIGITS_IMAGES, DIGITS_PIXELS, DTYPES, FLOAT_RANGES, INITS, INPUTS, INV_SQRT_DEPTH, MODES, NORMS,
    written, written_range,
)
from core.initializers import GAIN_WORDS
from views import charts, references, tour, urlstate
from views.number_writing import format_share, format_value
from views.tabs import CODES as TABS  # the app's one list of tabs
from views.options import option_name
from views.text import SHOWN_CHARACTERS, join, t, user_text

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


# ---------- how Streamlit writes and reads a link ----------

def js_string(number: float) -> str:
    """JavaScript's String(number) (ECMAScript Number::toString): how the browser writes a bound number."""
    number = float(number)  # a JavaScript number is a double
    if number == 0:
        return "0"
    if number < 0:
        return "-" + js_string(-number)
    _, digits, exponent = Decimal(repr(number)).normalize().as_tuple()  # repr: the shortest round-trip digits
    d = "".join(map(str, digits))
    k, n = len(d), exponent + len(digits)  # k digits, the decimal point after the n-th
    if k <= n <= 21:
        return d + "0" * (n - k)
    if 0 < n <= 21:
        return f"{d[:n]}.{d[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + d
    e = n - 1
    return (d if k == 1 else f"{d[0]}.{d[1:]}") + f"e{'+' if e >= 0 else '-'}{abs(e)}"


@pytest.mark.parametrize("number, text", [
    (0.0, "0"), (-0.0, "0"), (2.0, "2"), (0.01, "0.01"), (1e-6, "0.000001"), (1e-7, "1e-7"), (123.456, "123.456"),
    (1e21, "1e+21"), (1e20, "100000000000000000000"), (4294967295, "4294967295"), (-1.5e-9, "-1.5e-9"),
    (0.1 + 0.2, "0.30000000000000004"),
])
def test_numbers_are_written_as_javascript_writes_them(number, text):
    assert js_string(number) == text  # values from a browser console


def browser_query(state: dict) -> str:
    """The query string the browser holds after the widgets took these values.

    As Streamlit's frontend does it: a value equal to the widget's default is left out (shouldClearUrlParam),
    a number is String(n), a bool "true"/"false", a list the parameter repeated and an empty list one empty
    value; query-string's strict percent-encoding, then %20 written as "+". The tab, the step and the widgets
    that show names (urlstate.NAMED) are not bound, nor is the step a Custom network came from; the app writes them
    through st.query_params (link.write), which encodes the same way.
    """
    default = urlstate.defaults(TABS)
    pairs = []
    for name in urlstate.PARAMS:
        value = state[name]
        if name in ("tab", "step", "from", *urlstate.NAMED):
            written = urlstate.query_value(name, state, TABS)
            pairs += [(name, item) for item in ([] if written is None else [written] if isinstance(written, str)
                                                 else written or [""])]
            continue
        if value == default[name]:
            continue
        if isinstance(value, list):
            items = value or [""]
        elif isinstance(value, bool):
            items = ["true" if value else "false"]
        elif isinstance(value, (int, float)):
            items = [js_string(value)]
        else:
            items = [value]
        pairs += [(name, item) for item in items]
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}".replace("%20", "+") for k, v in pairs)


def server_query(state: dict) -> str:
    """The query string the app writes when it rewrites the address (st.query_params.from_dict(to_query(...)))."""
    return urlencode(urlstate.to_query(state, TABS), doseq=True)


def read_link(query_string: str) -> dict[str, str | list[str]]:
    """What check_link reads: Streamlit parses with blank values kept; one value is a str, several a list."""
    parsed = parse_qs(query_string, keep_blank_values=True)
    return {name: values[0] if len(values) == 1 else values for name, values in parsed.items()}


# ---------- the widget states a user can reach ----------

DIGITS = "0123456789"


def decimal_text(whole: str, fraction: str) -> str:
    """`whole` digits, then `fraction`'s after a point when there are any: from two st.text, the strings
    st.from_regex(r"\\A[0-9]{1,2}(\\.[0-9]{1,7})?\\Z") draws, without its cost."""
    return f"{whole}.{fraction}" if fraction else whole


def typed_gain() -> st.SearchStrategy[str]:
    """The gain box: a word, or a number typed in any plain spelling that is in range.

    Plain: digits 0-9. A link with other digits is read and the page says so (test_other_digits_are_read_and_said).
    """
    low, high = FLOAT_RANGES["gain"]
    numbers = st.one_of(st.floats(low, high).map(urlstate.format_number),
                        st.builds(decimal_text, st.text(DIGITS, min_size=1, max_size=2), st.text(DIGITS, max_size=7))
                        .filter(lambda s: low <= float(s) <= high))
    return st.one_of(st.sampled_from(GAIN_WORDS), numbers)


@functools.cache  # one strategy per parameter: hypothesis checks a new one on every draw, most of the test's time
def values_of(name: str) -> st.SearchStrategy:
    p = urlstate.PARAMS[name]
    if name == "tab":
        return st.sampled_from(TABS)
    return {
        "int": lambda: st.integers(int(p.low), int(p.high)),
        "odd": lambda: st.integers(int(p.low), int(p.high)).filter(lambda k: k % 2 == 1),  # a conv kernel
        "float": lambda: st.floats(p.low, p.high),  # number_input takes any typed number in range
        "choice": lambda: st.sampled_from(p.choices),
        "bool": st.booleans,
        "gain": typed_gain,
        "branch_scale": lambda: st.one_of(st.just(INV_SQRT_DEPTH),
                                          st.floats(p.low, p.high).map(urlstate.format_number)),
        "list": lambda: st.lists(st.sampled_from(p.choices), unique=True),  # in the order picked; [] cleared
        # a width profile, its one spelling ("" for equal widths): the presets and anything a link may hold
        "widths": lambda: st.lists(st.integers(int(p.low), int(p.high)), min_size=profiles.ENTRIES[0],
                                   max_size=profiles.ENTRIES[1]).map(lambda units: profiles.write(tuple(units))),
    }[p.kind]()


STEP_CODES = st.sampled_from(list(tour.STEPS))


@st.composite
def widget_states(draw) -> dict:
    """Every bound parameter at a value its widget can hold, as the app keeps them together.

    The sidebar only draws the controls that matter (a hidden one is gone, and back at its default when it
    returns), and the step is the one the controls show, Custom when none (tour.step_of, on every run).
    """
    state = {name: draw(values_of(name)) for name in urlstate.PARAMS}
    state["bn"] = False  # no widget holds it: a link's older spelling of norm=batch, read and never written
    if draw(st.booleans()):  # on a tour step, with any seed (New seed keeps the step)
        code = draw(STEP_CODES)
        state.update(urlstate.state_of(tour.step_config(code, state["seed"])), step=code)
    state = urlstate.with_profile(state)  # the sliders show the profile's depth and input width
    if state["arch"] == "conv" and state["norm"] not in urlstate.CONV_NORMS:  # the norm radio's conv options
        state["norm"] = draw(st.sampled_from(urlstate.CONV_NORMS))
    default = urlstate.defaults(TABS)
    for name in urlstate.CONTROLS:
        if not urlstate.relevant(name, state):
            state[name] = default[name]
    state["step"] = urlstate.step_of(state)
    if state["step"] != tour.CUSTOM:  # a step's page is its own: it came from no other (link.sync_step)
        state["from"] = default["from"]
    return state


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(widget_states())
def test_every_widget_state_survives_its_link(state):
    # the gain box keeps what was typed ("1.50"); its link holds the number's one spelling ("1.5")
    shown = {**state, "gain": urlstate.parse("gain", state["gain"])}
    # bounds typed out of order: the network has torch's (config_of), and the link's pair is refused for them
    swapped = urlstate.relevant("trunc_a", state) and state["trunc_a"] >= state["trunc_b"]
    if swapped:
        shown |= {name: urlstate.defaults(TABS)[name] for name in ("trunc_a", "trunc_b")}
    # past the digits' 64 pixels or 1,797 images: the network is fitted to them (config_of), and so is the link
    units = profiles.read(state["widths"])
    fitted = []
    if state["input"] == "digits" and units and units[0] != DIGITS_PIXELS:
        fitted.append("fitted")
        shown |= urlstate.with_profile({**shown, "widths": profiles.write((DIGITS_PIXELS, *units[1:]))})
    if state["input"] == "digits" and state["batch"] > DIGITS_IMAGES:
        fitted.append("fitted")
        shown["batch"] = DIGITS_IMAGES
    shown["step"] = urlstate.step_of(shown)
    for write in (browser_query, server_query):
        query = read_link(write(state))
        again, problems = urlstate.normalize(query, TABS)
        kinds = [p.kind for p in problems]
        if "conv_sizes" in kinds:  # the one state a link cannot carry whole: a conv net over the limits at sizes
            # the link leaves out, being their defaults, which a link then takes as left to it (?arch=conv): it opens
            # a conv net that fits, on those sizes alone, and says so
            unset = {name for name in urlstate.SIZES if name not in query}
            assert state["arch"] == "conv" and not urlstate.fits(shown) and unset, (write.__name__, query)
            (said,) = [p for p in problems if p.kind == "conv_sizes"]
            assert {name for name, _, _ in said.kept} <= unset and urlstate.fits(again) and again["arch"] == "conv"
            assert {k: v for k, v in again.items() if k not in unset | {"step"}} == \
                {k: v for k, v in shown.items() if k not in unset | {"step"}}, (write.__name__, query)
            kinds.remove("conv_sizes")
            assert kinds == (["bounds"] if swapped else []) + fitted, (write.__name__, query)
            continue
        assert kinds == (["bounds"] if swapped else []) + fitted, (write.__name__, query)
        assert again == shown, (write.__name__, query)
        # opened without a rewrite, unless a value is refused or fitted
        assert urlstate.is_canonical(query, again, TABS) != bool(swapped or fitted), (write.__name__, query)
        assert urlstate.config_of(again)[0] == urlstate.config_of(state)[0]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(widget_states())
def test_every_network_s_widget_state_is_one_the_controls_hold_and_is_that_network(state):
    """state_of(config) is what the page's controls show for a network (a tour step's, a notice comparing the link's
    network with its step's): every value one its control and a link can hold, and the network it makes is the one it
    was made from. A conv net on the digits had written its widths "1-4" (the one channel), no profile at all:
    ?step=11&input=digits&widths=3-4 raised in the step's notice."""
    config = urlstate.config_of(state)[0]
    shown = urlstate.state_of(config)
    assert urlstate.parse("widths", shown["widths"]) == shown["widths"]  # the box's own spelling, "" or a profile
    again = urlstate.config_of({**state, **shown})[0]
    # its own link opens it without a word: the digits' widths written "64-8-8-8" had refused width=8
    _, problems = urlstate.normalize(urlstate.to_query({**state, **shown}, TABS), TABS)
    assert [p.kind for p in problems if p.kind not in ("conv_sizes", "bounds")] == []
    # one network, two Configs: a digits input's equal hidden widths are a profile with the 64 pixels first
    assert again.units == config.units
    assert {k: v for k, v in asdict(again).items() if k not in ("widths", "width")} == \
        {k: v for k, v in asdict(config).items() if k not in ("widths", "width")}


def link_text(value) -> str:
    """A widget's value as a link may write it (a list as items joined by ",", a switch as true or false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return value if isinstance(value, str) else urlstate.format_number(value)


@st.composite
def links(draw) -> dict:
    """A link of any few parameters, each at a value its control can hold, often on a tour step, a conv net or the
    digits: its values need not agree with each other or with the step."""
    names = draw(st.lists(st.sampled_from([name for name in urlstate.PARAMS if name != "bn"]), unique=True,
                          max_size=8))
    query = {name: link_text(draw(values_of(name))) for name in names}
    for name, value in (("step", draw(STEP_CODES)), ("arch", "conv"), ("input", "digits")):
        if draw(st.booleans()):
            query[name] = value
    return query


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(links(), st.sampled_from(["en", "zh"]))
def test_every_link_of_allowed_values_is_read_and_said_without_an_error(query, lang):
    """Every notice a link of values the controls allow can bring is written, and its network made: the step's notice
    for ?step=11&input=digits&widths=3-4 had raised (a conv net's digits profile written "1-4", no profile)."""
    state, problems = urlstate.normalize(query, TABS)
    said = urlstate.messages(problems, lang, TABS)
    assert len(said) == len(problems) and all(said)
    urlstate.config_of(state)


def bound_widgets(at: AppTest) -> dict:
    """{URL parameter: the widget's default value} for every widget on the page bound to the address."""
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    found = {}
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        key = getattr(proto, "query_param_key", "") if proto is not None else ""
        if not key:
            continue
        kind = type(proto).__name__
        if kind == "Slider":
            found[key] = proto.default[0]
        elif kind in ("Selectbox", "Radio"):
            found[key] = proto.options[proto.default]
        elif kind == "MultiSelect":
            found[key] = [proto.options[i] for i in proto.default]
        else:  # Checkbox (toggle), NumberInput
            found[key] = proto.default
    return found


@pytest.mark.slow
def test_the_app_binds_exactly_urlstates_parameters_with_its_defaults():
    """The link writer above leaves out a value equal to the widget's default: those are urlstate.defaults()."""
    at = open_app("step=custom&activation=leaky_relu&init=he_normal")  # slope, gain and mode are drawn
    found = bound_widgets(at)
    for init in INITS:  # each scheme shows the controls its record reads (std, bound, value, gain, mode)
        at.session_state["init"] = init
        found.update(bound_widgets(at.run()))
    for tab in TABS[1:]:
        at.session_state["tab"] = t("en", f"tab_{tab}")
        found.update(bound_widgets(at.run()))
    at.session_state["arch"] = "conv"  # a conv net's kernel and image sliders
    found.update(bound_widgets(at.run()))
    assert not at.exception
    # the tab, the step (at Custom, and the step it came from), the step beside and the widgets that show names are
    # written by the page (link.write, beside.sync): a bound widget writes its label, which changes with the language
    # bn: the older spelling of norm=batch, which links may hold and the page reads, but no widget; and the tabs'
    # settings, which stay in the address while another tab is open (link.write_setting): urlstate.BOUND
    assert set(found) == set(urlstate.BOUND)
    assert found == {name: value for name, value in urlstate.defaults(TABS).items() if name in found}


# ---------- a link's step and its own values ----------

@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", tour.STEPS)
def test_a_link_whose_value_leaves_its_step_is_read_as_that_value_with_one_notice(code, lang):
    state, problems = urlstate.normalize(read_link(f"step={code}&depth=11&lang={lang}"), TABS)
    assert state["step"] == tour.CUSTOM
    assert urlstate.config_of(state)[0] == replace(tour.STEPS[code], depth=11)  # the link's value, the step's others
    depth = tour.STEPS[code].depth  # the lecture's 10; the Spectrum step's 64
    assert problems == [urlstate.Problem("step", code, tour.CUSTOM, kept=(("depth", 11, depth),), kind="step")]
    change = t(lang, "url_step_change", name="depth", value="11", step_value=str(depth))
    assert urlstate.messages(problems, lang, TABS) == [
        t(lang, "url_step", n=code, title=t(lang, f"step_{code}"), changes=change, dropped="")]


URL_NAME = {"batch_norm": "norm", "layer_norm": "norm"}  # Config field -> URL parameter, where they differ


@pytest.mark.parametrize("asked, other", [(a, b) for a in tour.STEPS for b in tour.STEPS if a != b])
def test_a_link_naming_one_step_with_another_step_s_values_is_that_other_step(asked, other):
    query = {name: str(value).lower() if isinstance(value, bool) else str(value)
             for name, value in urlstate.state_of(tour.STEPS[other]).items()}
    state, problems = urlstate.normalize({**query, "step": asked}, TABS)
    assert state["step"] == other
    differ = {URL_NAME.get(f.name, f.name) for f in fields(Config)
              if getattr(tour.STEPS[asked], f.name) != getattr(tour.STEPS[other], f.name)}
    assert [(p.kind, p.raw, p.default) for p in problems] == [("step", asked, other)]
    assert {name for name, _, _ in problems[0].kept} == differ
    assert all(own == urlstate.state_of(tour.STEPS[other])[name] for name, own, _ in problems[0].kept)


@pytest.mark.parametrize("code", tour.STEPS)
def test_a_link_to_a_step_without_the_step_is_that_step(code):
    # the step is read from the values: step= is only a short way to set them
    query = urlstate.to_query({**urlstate.state_of(tour.STEPS[code]), "step": tour.CUSTOM}, TABS)
    state, problems = urlstate.normalize(query, TABS)
    assert state["step"] == code and problems == []


BAD = "@"  # a value no parameter allows


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", tour.STEPS)
def test_a_bad_value_in_a_link_with_a_step_names_the_step_s_own_value_the_page_uses(code, lang):
    """?step=6&init=unknown said "The default (zeros) is used instead" over step 6's He normal: for every control
    the step's network reads, a bad value names the value the page's network then has, which is the step's own."""
    lesson = urlstate.state_of(tour.STEPS[code])
    for name in [n for n in urlstate.CONTROLS if urlstate.relevant(n, lesson)]:
        state, problems = urlstate.normalize({"step": code, name: BAD}, TABS)
        assert state["step"] == code, name  # the page is at the step
        page = urlstate.state_of(urlstate.config_of(state)[0])[name]  # what the page's network has
        assert page == lesson[name], name
        assert urlstate.messages(problems, lang, TABS) == [
            t(lang, "url_problem_step", name=name, raw=user_text(lang, BAD), n=code,
              allowed=urlstate.allowed_text(lang, name, TABS), default=urlstate.shown_value(page, lang, name))]


@pytest.mark.parametrize("code", [*tour.STEPS, tour.CUSTOM, None])
def test_a_bad_value_the_step_does_not_set_names_the_default_the_page_uses(code):
    """The rest fall back to their defaults, the words say so: a control the network does not read, and what the
    page shows around it (the tab, the race: step 7's with the run with batch norm); a link without a step."""
    step = {} if code is None else {"step": code}
    lesson = urlstate.state_of(tour.STEPS.get(code, tour.STEPS[tour.FIRST]))
    step_sets = code not in (None, tour.CUSTOM)
    names = [n for n in urlstate.PARAMS
             if n != "step" and not (step_sets and n in urlstate.CONTROLS and urlstate.relevant(n, lesson))]
    for name in names:
        state, problems = urlstate.normalize({**step, name: BAD}, TABS)
        if name == "from":  # Custom's alone: at a step (each of these links shows one) it changes nothing, unsaid
            assert state["step"] != tour.CUSTOM and state[name] == "none"
            assert not [p for p in problems if p.name == name]
            continue
        [problem] = [p for p in problems if p.name == name]
        if name in urlstate.CONTROLS:
            assert state[name] == urlstate.defaults(TABS)[name]
        if name in urlstate.CONTROLS and not urlstate.relevant(name, state):
            # a control this network does not read (std= under He init): the sidebar shows no value of it, and
            # the notice names none; it says why the value would not matter (the words of a link's ignored value)
            assert problem.kind == "unused" and problem.kept == urlstate.why_ignored(name, state), name
            for lang in ("en", "zh"):
                [said] = urlstate.messages([problem], lang, TABS)
                told = said.replace(urlstate.allowed_text(lang, name, TABS), "")  # gain allows the word default
                assert urlstate.why_text(lang, *problem.kept) in told and DEFAULT_WORD[lang] not in told, said
            continue
        assert problem.default == state[name] and problem.kept == (), name
        for lang in ("en", "zh"):
            [said] = urlstate.messages([problem], lang, TABS)
            assert f"{urlstate.shown_value(state[name], lang, name)}" in said and DEFAULT_WORD[lang] in said, said
    from core.train import BN_RESCUE, LECTURE_RACE

    _, problems = urlstate.normalize({"step": "7", "train": BAD}, TABS)
    assert problems[0].default == [*LECTURE_RACE, BN_RESCUE]  # the race the Training tab then shows


# Links that name a step and set values of their own, and the parameters the notice names: the link's own (bn=true:
# norm, as it reads). Not the widths digits give the first layer (64 pixels in), nor a depth= that a profile
# overrides (its own notice says so); a link's profile of equal widths is its widths, as written.
OWN_VALUES = (
    ({"input": "digits"}, {"input"}),
    ({"input": "digits", "depth": "3"}, {"input", "depth"}),
    ({"input": "digits", "widths": "784-512-256-128"}, {"input", "widths"}),
    ({"widths": "784-512-256-128"}, {"widths"}),
    ({"widths": "100-100-100"}, {"widths"}),
    ({"depth": "5", "widths": "784-512-256-128"}, {"widths"}),
    ({"bn": "true"}, {"norm"}),
    ({"init": "normal", "std": "0.5", "activation": "sigmoid"}, {"init", "std", "activation"}),
)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", [code for code in tour.STEPS if code != tour.CONV_STEP])
@pytest.mark.parametrize("query, names", OWN_VALUES)
def test_a_step_notice_names_only_what_the_link_sets(query, names, code, lang):
    """?step=6&input=digits said the link "sets widths = 64-500-…-500", which it never wrote: the notice names
    exactly the link's own parameters where they leave the step, each once, in bold and spaced as the zh text is."""
    lesson = urlstate.state_of(tour.STEPS[code])
    # those the step has otherwise (a profile: no step has one; bn=true: step 7 has batch norm)
    asked = {name for name in names if urlstate.shown_value(lesson[name]) != query.get(name, "batch")}
    state, problems = urlstate.normalize({"step": code, **query, "lang": lang}, TABS)
    step_problems = [p for p in problems if p.kind == "step"]
    assert bool(step_problems) == bool(asked)
    if not asked:
        return
    [said] = urlstate.messages(step_problems, lang, TABS)
    named = re.findall(r"\*\*([a-z_]+)\*\*", said)
    assert [name for name, _, _ in step_problems[0].kept] == [n for n in urlstate.CONTROLS if n in asked]
    # and after them the step's values they leave out (steps 8 and 9's stream, where the layers are unequal)
    assert sorted(named) == sorted([*asked, *(name for name, *_ in step_problems[0].dropped)]), said
    if lang == "zh":
        from views.locale import HAN, LATIN
        assert not re.search(rf"{HAN}\*\*{LATIN}|{HAN} {HAN}", said), said  # "和 **input**", "该步为等宽"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", tour.STEPS)
def test_whatever_a_link_changes_from_its_step_the_notices_name(code, lang):
    """?step=8&input=digits turns off the residual stream (64 pixels into 500 units: no stream of one width), but the
    notice named only input. For every input, arch and norm a link can set at every step: each Config field that
    differs from the step's and is not the link's own value is named in bold in a notice, with the step's value as
    the sidebar names it; a field the link's own value sets is named where it leaves the step."""
    lesson = tour.STEPS[code]
    for inp, arch, norm in itertools.product(INPUTS, ARCHS, NORMS):
        query = {"input": inp, "arch": arch, "norm": norm}
        state, problems = urlstate.normalize({"step": code, **query}, TABS)
        config = urlstate.config_of(state)[0]
        asked = {"input": inp, "arch": arch, "batch_norm": norm == "batch", "layer_norm": norm == "layer"}
        said = " ".join(urlstate.messages(problems, lang, TABS))
        named = set(re.findall(r"\*\*([a-z_]+)\*\*", said))
        for field in (f.name for f in fields(Config)):
            if getattr(config, field) == getattr(lesson, field):
                continue
            control = URL_NAME.get(field, field)
            assert control in named, (query, field, said)
            if getattr(config, field) != asked.get(field, getattr(lesson, field)):  # not the link's own value
                shown = urlstate.shown_value(urlstate.state_of(lesson)[control], lang, control)
                assert shown in said, (query, field, shown, said)
        left = [p for p in problems if p.kind == "step"]
        if left:  # the step's values left out are those the page's network has otherwise
            for name, step_value, _, _ in left[0].dropped:
                assert step_value == urlstate.state_of(lesson)[name] != urlstate.state_of(config)[name], name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_digits_at_the_conv_step_are_named_as_the_link_sets_them(lang):
    """Step 11's conv net with the digits: the notice names the input as the link's, and the step's 16 x 16 images as
    left out because of it (the digits are their own 8 x 8), not as a value the link sets."""
    state, problems = urlstate.normalize({"step": tour.CONV_STEP, "input": "digits"}, TABS)
    [step_problem] = [p for p in problems if p.kind == "step"]
    assert [name for name, _, _ in step_problem.kept] == ["input"]
    assert step_problem.dropped == (("image", tour.STEPS[tour.CONV_STEP].image, "digits_image", ""),)
    said = urlstate.messages([step_problem], lang, TABS)[0]
    assert re.findall(r"\*\*([a-z_]+)\*\*", said) == ["input", "image"]
    assert t(lang, "url_ignored_digits_image") in said


# ---------- lists ----------

@pytest.mark.parametrize("name", [n for n, p in urlstate.PARAMS.items() if p.kind == "list"])
def test_a_cleared_list_stays_cleared(name):
    query = read_link(f"{name}=&tab=compare")  # what the browser writes when the last item is removed
    state, problems = urlstate.normalize(query, TABS)
    assert state[name] == [] and problems == []
    assert urlstate.is_canonical(query, state, TABS)
    assert read_link(server_query(state))[name] == ""  # and the app writes it back the same way


# the letters of a parameter's item, [a-z_]: st.text over them draws what st.from_regex(r"\A[a-z_]{1,8}\Z") does, at
# a fraction of its cost
WORD_LETTERS = "abcdefghijklmnopqrstuvwxyz_"


@functools.cache  # built once: hypothesis checks a new strategy on every draw
def good_and_bad_items(name: str) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    choices = urlstate.PARAMS[name].choices

    def not_a_choice(item: str) -> bool:  # named: hypothesis would read a lambda's source to describe it
        return item not in choices

    return (st.lists(st.sampled_from(choices), unique=True, min_size=1),
            st.lists(st.text(WORD_LETTERS, min_size=1, max_size=8).filter(not_a_choice), unique=True, min_size=1))


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, p in urlstate.PARAMS.items() if p.kind == "list"])
@given(data=st.data())
def test_a_list_keeps_its_good_items_and_names_the_bad_ones(name, data):
    good_items, bad_items = good_and_bad_items(name)
    good, bad = data.draw(good_items), data.draw(bad_items)
    raw = data.draw(st.permutations(good + bad))
    state, problems = urlstate.normalize({name: raw}, TABS)
    assert state[name] == [item for item in raw if item in good]  # in the link's order
    assert [(p.name, p.raw, p.kept) for p in problems] == [(name, ", ".join(i for i in raw if i in bad),
                                                            tuple(state[name]))]


def test_a_list_with_no_good_item_falls_back_to_its_default():
    state, problems = urlstate.normalize({"compare": ["bogus", "nope"]}, TABS)
    assert state["compare"] == list(tour.LECTURE_FIVE)
    assert [(p.name, p.raw, p.kept) for p in problems] == [("compare", "bogus, nope", ())]


# ---------- the app ----------

def open_app(query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(read_link(query))
    return at.run()


@pytest.mark.slow
@pytest.mark.parametrize("name, tab", [("compare", "compare"), ("train", "training")])
def test_the_app_opens_a_cleared_list_cleared_without_a_warning(name, tab):
    at = open_app(f"{name}=&tab={tab}")
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.multiselect(key=name).value == []
    assert at.query_params[name] == ""  # the address still says cleared


@pytest.mark.slow
def test_the_app_keeps_the_good_items_of_a_list_and_warns_about_the_rest():
    at = open_app("compare=he_normal&compare=bogus&tab=compare")
    assert not at.exception
    assert at.multiselect(key="compare").value == ["he_normal"]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "(`bogus`)" in warnings[0] and "**compare**" in warnings[0]
    assert "`he_normal" not in warnings[0]  # the good item is not called bad
    assert at.query_params["compare"] == "he_normal"


# Each numeric parameter just outside its range, in one link: every warning gives the range as people write it.
OUT_OF_RANGE = {name: js_string(p.high + 1 if name != "gain" else p.low / 2)
                for name, p in urlstate.PARAMS.items() if p.kind in ("int", "float", "gain")}


# the word a language's messages call a default by
DEFAULT_WORD = {"en": "default", "zh": "默认"}


@pytest.mark.parametrize("lang", ["en", "zh"])
# from= has no default to name: no control shows it, and a refused one is left out (url_problem_from, checked in
# test_a_bad_value_the_step_does_not_set_names_the_default_the_page_uses)
@pytest.mark.parametrize("name", [name for name in urlstate.PARAMS if name != "from"])
def test_a_refused_value_names_its_default_without_repeating_the_word(name, lang):
    """A bad ?gain= said "The default (default) is used instead.": every parameter's refusal names the default the
    page uses by what it is, with the word "default" once (the allowed values aside, where gain's is a choice)."""
    default = urlstate.defaults(TABS)[name]
    problem = urlstate.Problem(name, "zz", default)
    [said] = urlstate.messages([problem], lang, TABS)
    told = said.replace(urlstate.allowed_text(lang, name, TABS), "")
    shown = urlstate.shown_value(default, lang, name)
    assert shown in told and shown != "default", said  # what the default is, not the link's word for it
    assert told.replace(shown, "").count(DEFAULT_WORD[lang]) == 1, said  # gain's is "the scheme's default"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_range_warnings_write_numbers_as_people_do(lang):
    at = open_app(urlencode({**OUT_OF_RANGE, "step": "custom", "activation": "leaky_relu", "lang": lang}))
    assert not at.exception
    warnings = {name: w.value for w in at.warning for name in OUT_OF_RANGE if f"**{name}**" in w.value}
    assert set(warnings) == set(OUT_OF_RANGE)
    to = " to " if lang == "en" else " 到 "
    for name, warning in warnings.items():
        p = urlstate.PARAMS[name]
        assert written_range(p.low, p.high).replace(" to ", to) in warning, warning
        assert not re.search(r"\d[eE][+-]?\d", warning.replace(OUT_OF_RANGE[name], "")), warning  # no exponent
    assert "0 to 4,294,967,295" in warnings["seed"] or "0 到 4,294,967,295" in warnings["seed"]
    assert "10 to 10,000" in warnings["steps"] or "10 到 10,000" in warnings["steps"]


@pytest.mark.slow
def test_selu_with_the_recommended_gain_says_what_torch_says():
    at = open_app("step=custom&activation=selu&init=xavier_normal&gain=recommended")
    assert not at.exception
    notes = [i.value for i in at.info]
    assert t("en", "gain_selu").format(gain="0.75", linear="1") in notes  # calculate_gain("selu") = 3/4; linear = 1
    zh = open_app("step=custom&activation=selu&init=xavier_normal&gain=recommended&lang=zh")
    assert t("zh", "gain_selu").format(gain="0.75", linear="1") in [i.value for i in zh.info]



# ---------- what a link says is shown, never rendered ----------
# st.warning and the other messages render Markdown, with Streamlit's colours (:red[...]), icons (:material/x:,
# :streamlit:, emoji shortcodes) and LaTeX ($...$). A message is read here by an independent CommonMark parser
# (markdown-it-py): what came from the link must be one code span, and nothing around it a link, an image, HTML,
# a formula, a directive or a block of its own.

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# One of each thing a link could put on the page; each shorter than views.text.SHOWN_CHARACTERS.
PAYLOADS = {
    "image": "![x](http://127.0.0.1:8999/p.png)",
    "link": "[quiz](http://127.0.0.1:8999/moved)",
    "bold, colour, icon": "**:red[moved]**:material/warning:",
    "latex": "$\\frac{1}{0}$$$x^2$$",
    "html": "<img\tsrc=x\tonerror=alert(1)>",
    "breaking out": "``a`\n\n#\tHeading",  # backticks to end a code span, a blank line and a heading
    "shortcodes": ":warning::streamlit:",
}
PLAIN_TEXT = {"text", "code_inline", "strong_open", "strong_close"}


def shown_literally(text: str) -> str:
    """The payload as a code span shows it: control characters as U+FFFD (so a line break cannot end the span)."""
    return "".join("\ufffd" if ord(c) < 32 else c for c in text)


def visible(span: str) -> str:
    """A code span's text as the screen shows it: without the invisible word joiner (U+2060) that keeps Streamlit's
    front end from rewriting ":material/" inside it (views.text.ICON_PREFIX)."""
    return span.replace("\u2060", "")


def read_markdown(message: str) -> tuple[list[str], list]:
    """A message as CommonMark reads it: its block tokens and its inline tokens."""
    tokens = MARKDOWN.parse(message)
    return [t.type for t in tokens if t.type != "inline"], [c for t in tokens if t.type == "inline" for c in t.children]


def read_at(name: str) -> dict[str, str]:
    """What else a link needs for the page to read `name`: from= is read at Custom alone (a network of its own)."""
    return {"step": "custom", "width": "8"} if name == "from" else {}


def assert_plain(message: str) -> list[str]:
    """The message is one paragraph of text, bold and code spans, with no markup around the code, and nothing that
    Streamlit's front end rewrites before it reads the Markdown (":material/" becomes ":material_", even in a code
    span: streamlit#10365); its spans as the screen shows them (visible)."""
    assert ":material/" not in message, message
    blocks, inline = read_markdown(message)
    assert blocks == ["paragraph_open", "paragraph_close"], message  # no heading, list, quote or table
    assert {c.type for c in inline} <= PLAIN_TEXT, message  # no link, image or HTML
    outside = "".join(c.content for c in inline if c.type == "text")
    assert not re.search(r"\$|<|`|https?:|:[a-z][\w-]*\[|:[\w+/-]+:", outside), message  # LaTeX, directives, icons
    return [visible(c.content) for c in inline if c.type == "code_inline"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("name", urlstate.PARAMS)
def test_link_text_in_every_parameter_is_shown_as_text(name, payload, lang):
    for query in ({name: payload}, {name: ["1", payload]}):  # the value, and the value repeated
        _, problems = urlstate.normalize({**read_at(name), **query}, TABS)
        said = urlstate.messages(problems, lang, TABS)
        assert len(said) == len(problems) >= 1
        spans = [span for message in said for span in assert_plain(message)]
        assert any(shown_literally(payload) in span for span in spans), said  # a list's items: joined in one


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_an_unknown_parameter_s_name_is_shown_as_text(payload, lang):
    _, problems = urlstate.normalize({payload: "1", "depth": "5"}, TABS)
    (message,) = urlstate.messages(problems, lang, TABS)
    assert assert_plain(message) == [shown_literally(payload)]


@pytest.mark.slow
@pytest.mark.parametrize("payload", [
    pytest.param(text, id=key, marks=[] if key == "image" else [pytest.mark.slow]) for key, text in PAYLOADS.items()])
def test_the_page_shows_a_link_s_text_as_text(payload):
    """Every parameter of one link holds the payload (and so does an unknown one's name): every warning names
    its parameter and shows the payload as a code span; no element of the page has an image or HTML, nor a link but
    to a work the References list cites."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({**{name: payload for name in urlstate.PARAMS}, payload: "1"})
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    for name in [name for name in urlstate.PARAMS if name != "from"]:  # Custom's alone: at this step, unsaid
        (mine,) = [w for w in warnings if f"**{name}**" in w]
        assert shown_literally(payload) in assert_plain(mine), mine
    (unknown,) = [w for w in warnings if not re.search(r"\*\*\w+\*\*", w)]
    assert assert_plain(unknown) == [shown_literally(payload)]
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header",
                                  "subheader") for e in at.get(kind)]
    own = {*(n.url for n in references.NOTES), *(w.url for w in references.WORKS)}  # the References list's
    for text in texts:
        inline = read_markdown(str(text))[1]
        assert not {c.type for c in inline} & {"image", "html_inline"}, text
        assert {c.attrs["href"] for c in inline if c.type == "link_open"} <= own, text
    assert set(at.query_params) <= set(urlstate.PARAMS)  # the address holds none of it any more
    assert not any(payload in values for values in at.query_params.values())


@pytest.mark.slow
def test_a_100_kb_value_is_cut_to_a_readable_length():
    value = "![x](http://127.0.0.1:8999/p.png)" * 3_000  # 99,000 characters
    for lang in ("en", "zh"):
        _, problems = urlstate.normalize({"depth": value}, TABS)
        (message,) = urlstate.messages(problems, lang, TABS)
        assert assert_plain(message) == [value[:SHOWN_CHARACTERS]]
        assert f"{len(value):,}" in message and len(message) < 400  # says how long the whole value is
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"depth": value, "width": "64"})
    at.run()
    (warning,) = [w.value for w in at.warning]
    assert f"`{value[:SHOWN_CHARACTERS]}`… (99,000 characters in all)" in warning
    assert at.slider(key="depth").value == 10 and at.slider(key="width").value == 64
    assert "depth" not in at.query_params  # the default, left out of the address


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_unknown_parameters_are_dropped_with_one_notice(lang):
    at = open_app(f"utm_source=mail&depth=5&x=%2A%2Abold%2A%2A&lang={lang}")
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert assert_plain(warning) == ["utm_source", "x"]
    expected = urlstate.to_query(urlstate.normalize({"depth": "5", "lang": lang}, TABS)[0], TABS)
    assert {name: at.query_params[name] for name in at.query_params} == expected  # without utm_source and x
    assert at.slider(key="depth").value == 5


def test_many_unknown_parameters_are_counted_after_the_first_few():
    names = [f"p{i}" for i in range(urlstate.MAX_NAMED + 7)]
    _, problems = urlstate.normalize(dict.fromkeys(names, "1"), TABS)
    (en,) = urlstate.messages(problems, "en", TABS)
    (zh,) = urlstate.messages(problems, "zh", TABS)
    assert assert_plain(en) == names[:urlstate.MAX_NAMED] and "7 more" in en
    assert assert_plain(zh) == names[:urlstate.MAX_NAMED] and "另外 7 个" in zh


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_setting_given_twice_says_the_last_value_is_used(lang):
    at = open_app(f"depth=3&depth=5&step=custom&lang={lang}")
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert "**depth**" in warning and assert_plain(warning) == ["3, 5", "5"]
    assert at.slider(key="depth").value == 5 and at.query_params["depth"] == "5"


def test_a_setting_given_twice_with_a_bad_last_value_says_both():
    _, problems = urlstate.normalize({"depth": ["5", "999"]}, TABS)
    assert [(p.kind, p.raw, p.default) for p in problems] == [("repeated", "5, 999", "999"), ("value", "999", 10)]


# Every script's ten decimal digits, as Unicode lists them (category Nd, in runs of 0-9).
DIGIT_SETS = sorted({chr(c - unicodedata.decimal(chr(c))) for c in range(0x110000)
                     if unicodedata.category(chr(c)) == "Nd" and unicodedata.decimal(chr(c)) == 9})
NUMBERS = {name: p for name, p in urlstate.PARAMS.items() if p.kind in ("int", "float", "gain")}


def in_digits(number: int, zero: str) -> str:
    """The number written with the digits that start at `zero` (a minus sign stays ASCII)."""
    return "-" * (number < 0) + "".join(chr(ord(zero) + int(d)) for d in str(abs(number)))


@pytest.mark.slow
@pytest.mark.parametrize("name", NUMBERS)
@given(data=st.data())
def test_other_digits_are_read_and_said(name, data):
    p = NUMBERS[name]
    number = data.draw(st.integers(math.ceil(p.low), math.floor(p.high)))
    zero = data.draw(st.sampled_from(DIGIT_SETS).filter(lambda z: z != "0"))
    values, problems = urlstate.read({name: in_digits(number, zero)}, TABS)
    assert float(values[name]) == number
    assert [(p.kind, p.raw) for p in problems] == [("digits", in_digits(number, zero))]
    for lang in ("en", "zh"):
        (message,) = urlstate.messages(problems, lang, TABS)
        assert assert_plain(message) == [in_digits(number, zero)] and str(number) in message


CHOICES = [(name, choice) for name, p in urlstate.PARAMS.items() if p.kind == "choice" for choice in p.choices] + \
    [("tab", code) for code in TABS]


def test_a_choice_in_other_letter_case_is_read_as_it_and_said():
    """?lang=ZH was refused as "one of en or zh" while ?depth=٣ was read as 3: a choice written in other letter case
    (ZH, He_Normal, Compare) is read as the choice and the page says so, as for other digits. Every choice of every
    parameter, in capitals and in letters swapped one by one."""
    for name, choice in CHOICES:
        alternate = "".join(c.swapcase() if i % 2 == 0 else c for i, c in enumerate(choice))
        for text in dict.fromkeys((choice.upper(), choice.swapcase(), alternate, choice)):
            values, problems = urlstate.read({name: text}, TABS)
            assert values[name] == choice
            said = [("case", text, choice)] if text != choice else []
            assert [(p.kind, p.raw, p.default) for p in problems] == said
            for lang in ("en", "zh"):
                for message in urlstate.messages(problems, lang, TABS):
                    # the code the link reads, to write next time, and the choice as its control names it ("He
                    # normal") as the other notices name a setting's value: "read as ReLU" repeated ?activation=ReLU
                    assert assert_plain(message) == [text, choice], message
                    shown = urlstate.shown_value(choice, lang, name)
                    assert shown == choice or shown in message.replace(f"`{choice}`", ""), message


def test_a_parameter_named_in_other_letter_case_is_read_as_it_and_said():
    """?Step=3 (a phone's keyboard capitalizes) opened step 1 with "a parameter this page does not know, Step": every
    parameter's name in capitals or with its first letter raised is read as that parameter, and the page says so; a
    parameter in two spellings is that parameter given twice (the last value read, as for any); a name with a
    look-alike letter (full-width Ｓ, the long s) stays unknown."""
    for name in urlstate.PARAMS:
        other = {} if name == "seed" else {"seed": "4"}  # a parameter written as it is, beside, stays as it is
        for typed in dict.fromkeys(spelling for spelling in (name.upper(), name.capitalize()) if spelling != name):
            query, said = urlstate.recased({typed: "@", **other})
            assert query == {name: "@", **other}
            assert [(p.kind, p.name, p.raw) for p in said] == [("name_case", name, typed)]
            for lang in ("en", "zh"):
                [message] = urlstate.messages(said, lang, TABS)
                assert assert_plain(message) == [typed] and f"**{name}**" in message, message
    state, problems = urlstate.normalize({"Step": "3"}, TABS)
    assert state["step"] == "3" and [p.kind for p in problems] == ["name_case"]
    for query, read in (({"step": "2", "Step": "3"}, "3"), ({"Step": "3", "STEP": "4"}, "4")):
        state, problems = urlstate.normalize(query, TABS)
        assert state["step"] == read and [(p.kind, p.kept) for p in problems if p.kind == "repeated"] == [
            ("repeated", tuple(query.values()))], (query, problems)
    for name in ("\uff33tep", "\u017fteps"):
        state, problems = urlstate.normalize({name: "3"}, TABS)
        assert [p.kept for p in problems if p.kind == "unknown"] == [(name,)] and state["step"] == "1"


@pytest.mark.slow
def test_the_page_opens_a_parameter_named_in_other_letter_case():
    """The step, the language (set by the page) and a widget's own parameter (bound: Depth), each in capitals; and no
    other notice: ?Init=he_normal&width=8 had also said the link named no init scheme."""
    at = open_app("Step=3&LANG=zh&Depth=7")
    assert not at.exception and at.title[0].value == tour.heading(tour.CUSTOM, "zh")
    assert at.slider(key="depth").value == 7 and at.session_state["_last_step"] == "3"
    said = [t("zh", "url_name_case", name=name, raw=user_text("zh", raw))
            for name, raw in (("step", "Step"), ("lang", "LANG"), ("depth", "Depth"))]
    assert [w.value for w in at.warning][:3] == said
    assert dict(at.query_params) == urlstate.to_query(urlstate.normalize(
        {"step": "3", "lang": "zh", "depth": "7"}, TABS)[0], TABS)
    init = open_app("Init=he_normal&width=8")
    assert [w.value for w in init.warning] == [t("en", "url_name_case", name="init", raw=user_text("en", "Init"))]
    assert init.selectbox(key="init").value == "he_normal"


@pytest.mark.parametrize("name, text", [("activation", "\u017felu"), ("task", "\u017fpiral"),
                                        ("activation", "lea\u212ay_relu")])  # ſelu, ſpiral, the Kelvin sign
def test_a_look_alike_of_a_letter_is_not_taken_for_it(name, text):
    """casefold() reads the long s as s and the Kelvin sign as k: ?activation=ſelu had been read as selu, "in other
    letter case". Only ASCII letters in other case are read; look-alikes are refused, as for digits."""
    values, problems = urlstate.read({name: text}, TABS)
    assert name not in values and [(p.kind, p.raw) for p in problems] == [("value", text)]


@pytest.mark.parametrize("text", ["３", "٣", "\U0001d7d1"])
def test_a_step_written_with_other_digits_is_read_and_said(text):
    values, problems = urlstate.read({"step": text}, TABS)
    assert values["step"] == "3" and [(p.kind, p.raw, p.default) for p in problems] == [("digits", text, "3")]


def test_no_two_choices_differ_only_in_letter_case():
    """Else a choice in other case would name two: each parameter's choices, folded, are as many as they are."""
    for name, p in urlstate.PARAMS.items():
        if p.kind in ("choice", "list"):
            assert len({choice.casefold() for choice in p.choices}) == len(p.choices), name
    assert len({code.casefold() for code in TABS}) == len(TABS)


@pytest.mark.parametrize("text, number", [("１０", 10), ("１．５", 1.5), ("－１", -1), ("1ｅ1", 10)])
def test_full_width_numbers_from_a_chinese_input_method_are_read(text, number):
    name = "bias"  # from -100 to 100
    values, problems = urlstate.read({name: text}, TABS)
    assert values[name] == number and [p.kind for p in problems] == ["digits"]


# a superscript, a circled number, a vulgar fraction, the Arabic decimal separator (only digits and + - . e are read);
# Python's digit-group underscores, which float() reads ("1_0" was 10, unsaid)
@pytest.mark.parametrize("text", ["1²", "①", "1\u00bd", "٣\u066b٥", "1_0", "0.1_5", "1\u1d49-2", "1\u20815",
                                  "1\u20245"])  # 1ᵉ-2, a subscript 1, a one dot leader: NFKC folds them, the link not
def test_characters_that_only_look_like_numbers_are_refused(text):
    _, problems = urlstate.read({"bias": text}, TABS)
    assert [(p.kind, p.raw) for p in problems] == [("value", text)]


def read_alone(name: str, text: str):
    """The value a link holding only name=text gives name, or None if it is refused."""
    values, problems = urlstate.read({name: text}, TABS)
    return None if problems else values[name]


MARKED = [name for name, p in urlstate.PARAMS.items() if p.kind in urlstate.NUMBER_KINDS]


@pytest.mark.parametrize("mark", urlstate.DECIMAL_MARKS)
def test_a_decimal_mark_other_than_a_point_is_refused_and_named_with_the_number_it_may_mean(mark):
    """?std=0,5 had been refused as "a number from 0 to 100", which 0.5 is; ?bias=٣٫٥ (the Arabic decimal separator)
    and ?std=0。5 (a Chinese input method's full stop) alike. The mark is still not read, since ,'s groups of
    thousands would make ?width=1,000 ambiguous; the refusal names the mark and the value written with a point, when
    that link would be read. Every number parameter, at numbers in and out of its range, whole and not."""
    for name in MARKED:
        for whole, tenth in ((0, 5), (5, 0), (3, 0), (99, 9), (-3, 5), (1000, 5), (5000, 0)):
            text = f"{whole}{mark}{tenth}"
            with_point = f"{whole}.{tenth}"
            meant = read_alone(name, with_point)
            values, problems = urlstate.read({name: text}, TABS)
            assert name not in values and [(p.kind, p.raw) for p in problems] == [("value", text)]
            for lang in ("en", "zh"):
                (message,) = urlstate.messages(problems, lang, TABS)
                spans = assert_plain(message)
                assert spans[:2] == [text, mark] and t(lang, f"mark_{urlstate.MARKS[mark][0]}") in message
                if meant is None:
                    assert spans[2:] == [], (name, text)
                else:
                    assert spans[2:] == [f"{name}={urlstate.format_number(float(with_point))}"], (name, text)
                    assert float(spans[2].split("=")[1]) == float(with_point)


@pytest.mark.parametrize("name, text, meant", [
    ("width", "1,000", ["1000"]),  # 1.000 is below width's 2
    ("depth", "1,000", ["1"]),  # 1000 is past depth's 100
    ("batch", "1,000", ["1000"]),
    ("width", "2,048", ["2048"]),  # the range's end, 2048, not written "2,048" in the refusal
    ("image", "1,000", ["1"]),
    ("seed", "4,294,967,295", ["4294967295"]),  # a decimal mark appears once
    ("width", "1\u066c024", ["1024"]),  # the Arabic thousands separator
    ("width", "2,048.0", ["2048"]),
    ("steps", "1'000", ["1000"]),
    ("bias", "1'000", []),  # 1000 is past bias's 100
    ("depth", "1_0", []),  # not groups of three
    ("std", "0,5", ["0.5"]),
    ("std", "0,050", ["0.05"]),  # no group of thousands starts with 0: not 50
    ("bias", "-0,001", ["-0.001"]),
    ("width", "1 000", ["1000"]),  # spaces group thousands too
    ("width", "1\u202f000", ["1000"]),
    ("std", "1e 1", ["10"]),  # std=1e+1: a query string's + arrives as a space
    ("bias", "1e 1 0", []),
    ("std", "abc,def", None),  # no number but for its comma: the comma goes unnamed
    ("seed", "12,34", []),  # a seed is whole, and 34 is no group of three
])
def test_a_number_with_marks_that_group_thousands_is_refused_and_named_with_the_number_it_may_mean(name, text, meant):
    values, problems = urlstate.read({name: text}, TABS)
    assert name not in values and [(p.kind, p.raw) for p in problems] == [("value", text)]
    mark = next(char for char in text if char in urlstate.MARKS)
    for lang in ("en", "zh"):
        (message,) = urlstate.messages(problems, lang, TABS)
        if meant is None:
            assert assert_plain(message) == [text] and t(lang, f"mark_{urlstate.MARKS[mark][0]}") not in message
            continue
        named = t(lang, f"mark_{urlstate.MARKS[mark][0]}")  # named: a comma alone is hard to see
        glyphs = re.findall(r"`([^`]*)`", named)  # a space is named in words alone
        assert assert_plain(message) == [text, *glyphs, *(f"{name}={number}" for number in meant)]
        assert named in message
        # the range it gives is not written with the mark it says a number is written without ("2 to 2,048")
        assert not re.search(rf"\d{re.escape(mark)}\d", re.sub(r"`[^`]*`", "", message)), message
    assert all(read_alone(name, number) is not None for number in meant or [])


@pytest.mark.parametrize("name, text", [("width", "1_000"), ("depth", "1_0"), ("gain", "1_5"), ("branch_scale", "1_0"),
                                        ("std", "0.0_1")])
def test_a_number_with_underscores_is_refused_in_every_kind_of_number(name, text):
    """?width=1_000 was read as 1000 and ?depth=1_0 as 10 without a word, where ?widths=64-1_0 was refused: a number
    with underscores is refused, its default kept and the link's value named, whatever kind of number it is."""
    values, problems = urlstate.read({name: text}, TABS)
    assert name not in values and [(p.kind, p.raw) for p in problems] == [("value", text)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_reads_other_digits_and_says_so(lang):
    at = open_app(f"step=custom&depth=%D9%A3&width=%EF%BC%91%EF%BC%90&lang={lang}")  # depth=٣, width=１０
    assert not at.exception
    assert at.slider(key="depth").value == 3 and at.slider(key="width").value == 10
    warnings = [w.value for w in at.warning]
    assert sorted(span for w in warnings for span in assert_plain(w)) == sorted(["٣", "１０"])
    assert at.query_params["depth"] == "3" and at.query_params["width"] == "10"


# ---------- one view, one link ----------

# A context in which each number matters (the sidebar shows its box), so the link keeps it.
NUMBER_CONTEXT = {"slope": {"activation": "leaky_relu"}, "std": {"init": "normal"}, "bound": {"init": "uniform"},
                  "value": {"init": "constant"}, "gain": {"init": "xavier_normal"}, "bias": {}, "bias_std": {}}


def spellings(number: float) -> set[str]:
    """Ways people and programs write one double: Python's repr ("1e-05", "1.0"), JavaScript's ("0.00001", "1"),
    17 significant digits, scientific notation, the exact decimal expansion, and a trailing zero ("0.50")."""
    texts = {repr(number), js_string(number), f"{number:.17g}", f"{number:.16e}", format(Decimal(number), "f")}
    return texts | {text + "0" for text in texts if "." in text and "e" not in text}


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(NUMBER_CONTEXT)), st.data())
def test_a_number_has_one_link_however_it_is_written(name, data):
    """Every spelling of a value opens the same view, and that view has one link: the value as the browser's
    bound widgets write it (String(n)); a link in any other spelling is rewritten to it (is_canonical False)."""
    p = urlstate.PARAMS[name]
    number = data.draw(st.floats(p.low, p.high), label="number")
    base = {"step": "custom", **NUMBER_CONTEXT[name]}
    state, problems = urlstate.normalize({**base, name: js_string(number)}, TABS)
    assert problems == [] and urlstate.relevant(name, state)
    link = urlstate.to_query(state, TABS)
    if float(number) == float(urlstate.defaults(TABS)[name] if name != "gain" else math.nan):
        assert name not in link  # the default is left out
    else:
        assert link[name] == js_string(number)
    others = {key: value for key, value in link.items() if key != name}
    for text in spellings(number):
        query = {**others, name: text}
        again, problems = urlstate.normalize(query, TABS)
        assert problems == [] and again == state, text
        assert urlstate.to_query(again, TABS) == link, text
        assert urlstate.is_canonical(query, again, TABS) == (link.get(name) == text), text


@pytest.mark.parametrize("name, typed, written", [
    ("gain", "abc", None), ("gain", "0", None), ("gain", "1e9", None), ("gain", "1.50", "1.5"),
    ("gain", "１．５", "1.5"), ("gain", "recommended", "recommended"), ("branch_scale", "abc", None),
    ("branch_scale", "200", None),
    ("branch_scale", "0.50", "0.5"), ("branch_scale", "inv_sqrt_depth", "inv_sqrt_depth")])
def test_a_box_s_typed_text_is_in_the_link_as_the_network_uses_it(name, typed, written):
    """A gain or branch scale typed into its box: the link writes its one spelling, and leaves out one the page cannot
    use (it warns beside the box and uses the default), which had gone into a shared link and warned every student."""
    query = {"step": "custom", "init": "he_normal", "activation": "relu", "residual": "true"}
    state, _ = urlstate.normalize(query, TABS)
    state[name] = typed
    state["step"] = urlstate.step_of(state)  # as every run of the page reads it
    link = urlstate.to_query(state, TABS)
    assert link.get(name) == written
    again, problems = urlstate.normalize(link, TABS)
    assert problems == [] and urlstate.config_of(again)[0] == urlstate.config_of(state)[0]


@pytest.mark.parametrize("text, written", [("1.0", "1"), ("1", "1"), ("1e-05", "0.00001"), ("0.00001", "0.00001"),
                                           ("1E-7", "1e-7"), ("2.50", "2.5"), ("+3", "3"), ("１．５", "1.5")])
def test_the_link_writes_a_number_one_way(text, written):
    query = {"step": "custom", "bias": text}  # a bias of 1 is no tour step's
    state, _ = urlstate.normalize(query, TABS)
    assert urlstate.to_query(state, TABS) == {"step": "custom", "bias": written}
    assert urlstate.is_canonical(query, state, TABS) == (text == written)


# ---------- switches ----------

SWITCHES = [name for name, p in urlstate.PARAMS.items() if p.kind == "bool"]
# what people type for a switch, as the page reads it; the page writes "true" (and leaves false, the default, out)
SWITCH_WORDS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def switch_value(state: dict, name: str) -> bool:
    """A switch as the state holds it: bn, the older spelling of norm=batch, is read into norm."""
    return state["norm"] == "batch" if name == "bn" else state[name]


def test_the_switches_are_the_five_toggles_and_bn():
    assert sorted(SWITCHES) == ["bn", "log", "present", "residual", "xi"]


@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize("word", [w.upper() if case == "upper" else w.title() if case == "title" else w
                                  for w in SWITCH_WORDS for case in ("lower", "upper", "title")])
def test_every_switch_reads_the_words_people_type_and_the_link_writes_true(name, word):
    """?present=1 was refused ("not allowed: true or false"): every switch reads 1/0, yes/no, on/off and true/false
    in any case, with no notice, and the link is rewritten to the one spelling Streamlit's toggles write."""
    value = SWITCH_WORDS[word.lower()]
    query = {"step": "custom", name: f" {word} "}  # a space typed around it too
    state, problems = urlstate.normalize(query, TABS)
    assert problems == [] and switch_value(state, name) is value
    link = urlstate.to_query(state, TABS)
    if name == "bn":
        assert "bn" not in link and link.get("norm") == ("batch" if value else None)
    else:
        assert link.get(name) == ("true" if value else None)  # false is the default: left out
    assert not urlstate.is_canonical(query, state, TABS)  # the spaces: rewritten
    assert urlstate.is_canonical(link, state, TABS)
    assert urlstate.is_canonical({**link, name: word}, state, TABS) == (word == link.get(name))  # only "true" stays


@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize("text, value", [("１", True), ("０", False), ("١", True), ("٠", False)])
def test_a_switch_written_with_other_digits_is_read_and_said(name, text, value):
    values, problems = urlstate.read({name: text}, TABS)
    assert values[name] is value and [(p.kind, p.raw, p.default) for p in problems] == [("digits", text, value)]
    for lang in ("en", "zh"):
        (message,) = urlstate.messages(problems, lang, TABS)
        assert ("true" if value else "false") in message


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize("text", ["maybe", "2", "-1", "10", "1.0", "y", "n", "truee", "on off", "①", ""])
def test_anything_else_for_a_switch_is_refused_with_every_word_it_reads(name, text, lang):
    values, problems = urlstate.read({name: text}, TABS)
    assert name not in values and [(p.kind, p.raw, p.default) for p in problems] == [("value", text, False)]
    (message,) = urlstate.messages(problems, lang, TABS)
    allowed = message.split("**", 2)[2]  # after the parameter's name: the value (text), what is allowed, the default
    assert [word for word in SWITCH_WORDS if not re.search(rf"(?<![\w`]){word}(?![\w`])", allowed)] == []


@pytest.mark.slow
def test_the_app_opens_switches_typed_as_1_yes_and_on():
    at = open_app("log=YES&xi=on&tab=theory")
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.toggle(key="xi").value and {name: at.query_params[name] for name in ("log", "xi")} == {
        "log": "true", "xi": "true"}
    at.session_state["tab"] = t("en", "tab_activations")
    assert at.run().toggle(key="log").value
    at = open_app("present=1")  # presenter mode: the story alone, no tabs
    assert not at.exception and not at.warning and at.toggle(key="present").value
    assert at.query_params["present"] == "true"


# ---------- options by name, links by code ----------

NAMES = {  # each option widget: its codes, and the message that names a code
    "activation": (ACTIVATIONS, "act_{}"), "init": (INITS, "options.init_{}"), "mode": (MODES, "options.mode_{}"),
    "input": (INPUTS, "options.input_{}"), "dtype": (DTYPES, "options.dtype_{}"),
}
# A small network: the claims are about the options' names and the link's codes, which no size changes, and the
# Compare tab computes every scheme it names at float64 (at the lecture's size most of these tests' time)
CODES_LINK = ("step=custom&activation=leaky_relu&init=he_uniform&mode=fan_out&input=uniform&dtype=float64"
              "&gain=recommended&compare=he_normal&compare=orthogonal&tab=compare&depth=3&width=32&batch=64")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_options_show_names_in_the_page_s_language_and_the_link_keeps_codes(lang):
    at = open_app(f"{CODES_LINK}&lang={lang}")
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    widgets = {name: at.selectbox(key=name) if name in ("activation", "init") else at.radio(key=name) for name in NAMES}
    for name, (codes, key) in NAMES.items():
        assert widgets[name].options == [t(lang, key.format(code)) for code in codes], name
    assert at.radio(key="lang").options == ["English", "中文"]
    assert at.selectbox(key="gain").options == [t(lang, f"options.gain_{word}") for word in GAIN_WORDS]
    compare = at.multiselect(key="compare")
    assert compare.options == [charts.scheme_name(scheme, lang) for scheme in tour.SCHEMES]
    assert compare.value == ["he_normal", "orthogonal"]  # the widgets' values are the codes
    network_line = at.caption[0].value  # under the title: the network by the same names
    assert t(lang, "options.init_he_uniform") in network_line and t(lang, "act_leaky_relu") in network_line
    assert "he_uniform" not in network_line and "leaky_relu" not in network_line
    if lang == "zh":  # as a Chinese textbook names them; Xavier and He stay names
        assert {"全零", "正交", "Xavier 正态", "He 均匀"} <= set(widgets["init"].options)
        assert {"正交", "全零"} <= set(compare.options)
    # unchanged, codes and not names (English, the browser's language here, is left out)
    assert dict(at.query_params) == {**read_link(CODES_LINK), **({"lang": lang} if lang != "en" else {})}
    # moved, each writes its code; back at its default, it leaves the link
    at.selectbox(key="init").set_value("xavier_normal").run()
    at.radio(key="dtype").set_value("float32").run()
    at.multiselect(key="compare").unselect("orthogonal").select("zeros").run()
    assert not at.exception
    assert at.query_params["init"] == "xavier_normal" and "dtype" not in at.query_params
    assert at.query_params["compare"] == ["he_normal", "zeros"]
    assert "mode" not in at.query_params  # Xavier has no fan mode: the control is gone and so is its parameter


@pytest.mark.slow
def test_switching_language_keeps_the_link_s_codes():
    at = open_app(CODES_LINK)
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert dict(at.query_params) == {**read_link(CODES_LINK), "lang": "zh"}
    assert at.selectbox(key="init").options[at.selectbox(key="init").index] == "He 均匀"


@pytest.mark.slow
def test_a_compare_choice_outlives_another_tab():
    """The Compare list is drawn only on its tab; opening another tab and coming back keeps the picks."""
    at = open_app("compare=he_normal&tab=compare")
    at.session_state["tab"] = t("en", "tab_data")
    at.run()
    assert at.query_params["compare"] == "he_normal"
    at.session_state["tab"] = t("en", "tab_compare")
    at.run()
    assert at.multiselect(key="compare").value == ["he_normal"] and not at.exception


# ---------- the schemes' own parameters and the input scale ----------

@pytest.mark.parametrize("query, expected", [
    ({"init": "trunc_normal", "std": "1", "trunc_mean": "0.5", "trunc_a": "-1", "trunc_b": "3"},
     dict(init="trunc_normal", std=1.0, trunc_mean=0.5, trunc_a=-1.0, trunc_b=3.0)),
    ({"init": "variance_scaling", "scale": "2", "mode": "fan_avg", "distribution": "uniform"},
     dict(init="variance_scaling", scale=2.0, mode="fan_avg", distribution="uniform")),
    ({"init": "torch_default", "input_scale": "0.5"}, dict(init="torch_default", input_scale=0.5)),
    ({"init": "torch_default", "bias": "0.3", "scale": "3"}, dict(init="torch_default")),  # not its fields: dropped
])
def test_a_link_sets_the_new_schemes_parameters_and_keeps_them(query, expected):
    """A link's values reach the Config, and the link the page writes for that state reads back the same; a field
    the scheme does not read stays at its default (torch_default draws its own biases), with a notice."""
    state, problems = urlstate.normalize({"step": "custom", **query}, TABS)
    dropped = [name for name in urlstate.CONTROLS if name in query and name not in expected]
    assert [(p.name, p.kind) for p in problems] == [(name, "ignored") for name in dropped]
    config, note = urlstate.config_of(state)
    assert note is None and config == replace(tour.step_config(tour.FIRST), **expected)
    again, problems = urlstate.normalize(urlstate.to_query(state, TABS), TABS)
    assert problems == [] and urlstate.config_of(again)[0] == config


@pytest.mark.parametrize("query, raw", [({"trunc_a": "1", "trunc_b": "0.5"}, ("1", "0.5")),
                                        ({"trunc_a": "2.5"}, ("2.5", "2")), ({"trunc_b": "-2"}, ("-2", "-2")),
                                        ({"trunc_a": "1e0", "trunc_b": "1"}, ("1e0", "1"))])
def test_truncation_bounds_out_of_order_in_a_link_are_refused_as_a_pair(query, raw):
    """A link's bounds with a not below b: both left out of the state (so of the address and the boxes) for torch's,
    with one notice naming each bound as the link writes it (the page's own where the link has none)."""
    state, problems = urlstate.normalize({"step": "custom", "init": "trunc_normal", **query}, TABS)
    torch = (Config().trunc_a, Config().trunc_b)
    assert (state["trunc_a"], state["trunc_b"]) == torch == (-2, 2)
    assert "trunc_a" not in urlstate.to_query(state, TABS) and "trunc_b" not in urlstate.to_query(state, TABS)
    assert problems == [urlstate.Problem("trunc_a", raw[0], torch, kept=raw[1:], kind="bounds")]
    assert urlstate.messages(problems, "en", TABS) == [t("en", "url_bounds", a=f"`{raw[0]}`", b=f"`{raw[1]}`",
                                                         low="-2", high="2")]
    assert urlstate.config_of(state) == (Config(init="trunc_normal"), None)


@pytest.mark.parametrize("name, raw, used, why, said", [
    ("widths", "784-512-256-128", "64-512-256-128", "digits_pixels", "64-512-256-128"),
    ("widths", "100-50", "64-50", "digits_pixels", "64-50"),
    ("batch", "4096", DIGITS_IMAGES, "digits_images", "1,797"),
    ("batch", "1798", DIGITS_IMAGES, "digits_images", "1,797")])
def test_a_link_past_the_digits_limits_is_fitted_to_them_and_said(name, raw, used, why, said):
    """The digits are 64 pixels and 1,797 images: a link's profile starting wider, or a larger batch, is read as
    the network the page computes (config_of fits it the same way), with a notice, and the address says it too."""
    state, problems = urlstate.normalize({"step": "custom", "input": "digits", name: raw}, TABS)
    assert state[name] == used and problems == [urlstate.Problem(name, raw, used, kept=(why,), kind="fitted")]
    assert urlstate.config_of(state)[0] == urlstate.config_of({**state, name: raw if name == "widths" else 4096})[0]
    assert urlstate.messages(problems, "en", TABS) == [t("en", "url_fitted", name=name, raw=f"`{raw}`", used=said,
                                                         why=t("en", f"url_fitted_{why}", pixels=64, images=1797))]
    again, more = urlstate.normalize(urlstate.to_query(state, TABS), TABS)
    assert more == [] and again == state


def test_a_link_within_the_digits_limits_is_read_as_it_is():
    state, problems = urlstate.normalize({"input": "digits", "widths": "64-32-16", "batch": "1797"}, TABS)
    assert problems == [] and (state["widths"], state["batch"]) == ("64-32-16", DIGITS_IMAGES)


@pytest.mark.parametrize("query", [{"arch": "conv"}, {"step": "custom", "arch": "conv"},
                                   {"arch": "conv", "batch": "20"}, {"step": "6", "arch": "conv", "lang": "zh"}])
def test_a_conv_link_on_a_dense_steps_sizes_takes_the_switchs_sizes_and_says_so(query):
    """?arch=conv had opened 500 channels at batch 1,000 (17 GB) as a refusal and nothing else, where the sidebar's
    switch to conv takes step 11's sizes: the sizes the link leaves out take the switch's, said in its words; the
    link's own are kept."""
    state, problems = urlstate.normalize(query, TABS)
    assert urlstate.fits(state)
    dense = {**urlstate.normalize({**query, "arch": "dense"}, TABS)[0]}
    switched = urlstate.switched_sizes(dense, "conv")
    unset = [name for name in urlstate.SIZES if name not in query]  # no query here sets a profile
    assert all(state[name] == switched[name] for name in unset) and all(
        str(state[name]) == query[name] for name in urlstate.SIZES if name in query)
    (said,) = [p for p in problems if p.kind == "conv_sizes"]
    lost = urlstate.given_up(dense, switched)
    assert said.kept == tuple(item for item in lost if item[0] in unset)
    lang = query.get("lang", "en")
    notice = next(m for m in urlstate.messages(problems, lang, TABS) if m.startswith(t(lang, "url_conv_sizes")[:4]))
    for name, old, new in said.kept:  # each size named in bold with the step's value and the one the page takes
        assert notice.count(f"**{name}** ") == 2 and written(old) in notice and written(new) in notice
    step = [p for p in problems if p.kind == "step"]  # the sizes it filled in are not the link's own changes
    assert not step or not {name for name, _, _ in step[0].kept} & set(unset)


def test_a_conv_link_whose_own_sizes_do_not_fit_is_refused_as_it_is():
    state, problems = urlstate.normalize({"step": "custom", "arch": "conv", "width": "500"}, TABS)
    assert not urlstate.fits(state) and not [p for p in problems if p.kind == "conv_sizes"]
    assert (state["width"], state["batch"]) == (500, urlstate.defaults(TABS)["batch"])


def test_bounds_out_of_order_from_the_boxes_fall_back_to_torchs_with_a_note():
    state, _ = urlstate.normalize({"step": "custom", "init": "trunc_normal"}, TABS)
    config, note = urlstate.config_of({**state, "trunc_a": 1.0, "trunc_b": 0.5})  # as the boxes may hold them
    assert note == "bounds" and (config.trunc_a, config.trunc_b) == (Config().trunc_a, Config().trunc_b) == (-2, 2)


def test_bounds_for_another_init_are_not_a_pair_to_refuse():
    _, problems = urlstate.normalize({"step": "custom", "init": "he_normal", "trunc_a": "1", "trunc_b": "0.5"}, TABS)
    assert [(p.name, p.kind) for p in problems] == [("trunc_a", "ignored"), ("trunc_b", "ignored")]


@pytest.mark.parametrize("init, mode", [("he_normal", "fan_avg"), ("he_uniform", "fan_avg"), ("he_normal", "fan_out"),
                                        ("variance_scaling", "fan_avg")])
@pytest.mark.slow
def test_fan_avg_under_a_torch_scheme_says_torch_has_no_such_mode(init, mode):
    """torch.nn.init.kaiming_*_ take mode fan_in or fan_out; the page's He also offers Keras's fan_avg, and says so
    under the radio where it is chosen (a reader with torch's docs open looked for it there)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(step="custom", init=init, mode=mode, activation="relu")
    at.run()
    assert not at.exception
    source = schemes.get(init).source
    note = t("en", "mode_not_torch", source=source)
    assert (note in [c.value for c in at.sidebar.caption]) == (mode == "fan_avg" and source.startswith("torch."))


@pytest.mark.slow
@pytest.mark.parametrize("init", ["trunc_normal", "variance_scaling", "torch_default"])
def test_the_sidebar_shows_a_schemes_own_controls_only(init):
    """Each scheme's own numbers and choices are in the sidebar under it, the others' are not; torch_default hides
    the bias controls (its biases are nn.Linear's own); the input scale is always there."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(step="custom", init=init)
    at.run()
    assert not at.exception
    numbers = {w.key for w in at.number_input}
    radios = {w.key for w in at.radio}
    own = {"trunc_normal": {"std", "trunc_mean", "trunc_a", "trunc_b"}, "variance_scaling": {"scale"},
           "torch_default": set()}[init]
    every = {"std", "bound", "value", "trunc_mean", "trunc_a", "trunc_b", "scale"}
    assert numbers & every == own
    assert ("distribution" in radios) == ("mode" in radios) == (init == "variance_scaling")
    assert ({"bias", "bias_std"} <= numbers) == (init != "torch_default") and "input_scale" in numbers
    captions = " ".join(c.value for c in at.caption)
    if init == "variance_scaling":  # the correction, with this network's numbers: 500 x 1/500 and 0.774 of it
        assert t("en", "keras_correction", factor="0.87962566", mode="fan_in", fan="500", nvar="1",
                 uncorrected="0.774") in captions
    if init == "torch_default":
        assert t("en", "own_biases_line", bound="0.0447", var=format_value(1 / 1500)) in captions
    if init == "trunc_normal":  # std 0.01 and bounds ±2: 200 std away, nothing cut
        assert t("en", "trunc_bounds_line", low="−200", high="200", cut=format_share(0.0)) in captions


@pytest.mark.slow
def test_bounds_out_of_order_are_said_on_the_page_and_typed_ones_in_the_sidebar():
    """A link's pair is refused with its notice on the page (presenter mode hides the sidebar), the boxes and the
    address hold torch's; bounds typed out of order into the boxes are warned of beside them."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(step="custom", init="trunc_normal", trunc_a="1", trunc_b="0.5", lang="zh")
    at.run()
    assert not at.exception and not at.error
    assert [w.value for w in at.main.warning] == [t("zh", "url_bounds", a="`1`", b="`0.5`", low="-2", high="2")]
    assert not at.sidebar.warning
    assert (at.number_input(key="trunc_a").value, at.number_input(key="trunc_b").value) == (-2, 2)
    assert "trunc_a" not in at.query_params and "trunc_b" not in at.query_params
    at.number_input(key="trunc_a").set_value(3.0).run()
    assert [w.value for w in at.sidebar.warning] == [t("zh", "trunc_bounds_swapped", a="-2", b="2")]


# ---------- width profiles ----------

def test_a_links_width_profile_sets_the_depth_and_the_input_width():
    state, problems = urlstate.normalize({"widths": "784-512-256-128", "depth": "7", "width": "100"}, TABS)
    # the profile wins, and the page says the link's own depth and width are left out
    assert [(p.name, p.raw, p.default, p.kind) for p in problems] == [("depth", "7", 3, "ignored"),
                                                                      ("width", "100", 784, "ignored")]
    assert (state["widths"], state["depth"], state["width"]) == ("784-512-256-128", 3, 784)  # the profile wins
    assert urlstate.config_of(state)[0].units == (784, 512, 256, 128)
    assert urlstate.to_query(state, TABS)["widths"] == "784-512-256-128"


@pytest.mark.parametrize("widths, written", [("10-10", "10-10"), ("784-300-10", "784-300-10"), ("８-8-8", "8-8-8")])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_depth_the_link_s_widths_set_is_named_with_those_widths(widths, written, lang):
    """`?widths=10-10&depth=5` said "the width profile constant sets the depth": equal widths are kept as the box's
    "constant", which sets nothing. The notice names the widths as the link writes them (its digits read as 0-9)."""
    _, problems = urlstate.normalize({"widths": widths, "depth": "5"}, TABS)
    messages = urlstate.messages([p for p in problems if p.name == "depth"], lang, TABS)
    assert len(messages) == 1 and t(lang, "url_ignored_profile", subject=written) in messages[0], messages


def test_a_profile_of_equal_widths_is_written_as_the_depth_and_width():
    query = {"widths": "８-8-8"}  # full-width digits, as a Chinese input method types them
    state, problems = urlstate.normalize(query, TABS)
    assert [p.kind for p in problems] == ["digits"]
    assert (state["widths"], state["depth"], state["width"]) == ("", 2, 8)
    assert urlstate.to_query(state, TABS) == {"step": "custom", "depth": "2", "width": "8"}
    assert not urlstate.is_canonical(query, state, TABS)  # rewritten to its one link


@pytest.mark.parametrize("raw", ["10--3", "1e9", "10", "-".join(["10"] * 102), "10-4096", "10-1", "10-x", "10,20"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_width_profile_is_named_with_what_is_allowed(raw, lang):
    state, problems = urlstate.normalize({"widths": raw}, TABS)
    (problem,) = problems
    assert (problem.name, problem.raw, problem.default) == ("widths", raw, "")
    assert state["widths"] == "" and urlstate.config_of(state)[0] == urlstate.config_of(urlstate.defaults(TABS))[0]
    (message,) = urlstate.messages(problems, lang, TABS)
    allowed = t(lang, "allowed_widths", low="2", high="2,048", separator="-", fewest=2, most=101)
    assert allowed in message and "widths" in message


def test_a_tour_step_has_constant_widths():
    for code in tour.STEPS:
        assert urlstate.state_of(tour.step_config(code))["widths"] == ""
        assert tour.step_config(code).widths == ()


# --- convolutions: arch=conv, kernel=, image=, padding= -------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_conv_link_is_read_and_its_bad_values_are_said(lang):
    """A conv link opens that conv net; an even kernel, an image out of range and a layer norm (no conv net here has
    one) each get a notice and their default, and the page's Config is a valid conv net."""
    state, problems = urlstate.normalize({"arch": "conv", "kernel": "5", "image": "12", "padding": "circular"}, TABS)
    assert [p.kind for p in problems] == ["conv_sizes"]  # the first step's 500 units as channels do not fit
    config = urlstate.config_of(state)[0]
    assert (config.arch, config.kernel, config.image, config.padding) == ("conv", 5, 12, "circular")
    state, problems = urlstate.normalize({"arch": "conv", "kernel": "4", "image": "65", "norm": "layer"}, TABS)
    assert [(p.name, p.raw, p.default) for p in problems] == [("kernel", "4", 3), ("image", "65", 16),
                                                              ("norm", "layer", "none"), ("arch", "conv", "11")]
    said = urlstate.messages(problems, lang, TABS)
    assert len(said) == 4 and t(lang, "allowed_odd", low="1", high="7") in said[0]
    config = urlstate.config_of(state)[0]
    assert (config.kernel, config.image, config.norm) == (3, 16, "none")


def test_conv_settings_matter_only_for_a_conv_net():
    """kernel, image and padding leave a dense net's link (and its Config) unchanged; the digits fix the image at
    their own 8 x 8; a conv net has no residual stream."""
    dense, _ = urlstate.normalize({"kernel": "5", "image": "12", "padding": "circular"}, TABS)
    assert urlstate.config_of(dense)[0] == urlstate.config_of(urlstate.normalize({}, TABS)[0])[0]
    assert not {"kernel", "image", "padding"} & set(urlstate.to_query(dense, TABS))
    digits, _ = urlstate.normalize({"arch": "conv", "input": "digits", "image": "12"}, TABS)
    assert "image" not in urlstate.to_query(digits, TABS) and urlstate.config_of(digits)[0].image == 8
    conv, _ = urlstate.normalize({"arch": "conv", "residual": "true"}, TABS)
    assert "residual" not in urlstate.to_query(conv, TABS) and not urlstate.config_of(conv)[0].residual


# --- every value a link sets that the network cannot use gets its notice ----------------------------------------------

CONTEXTS = ({}, {"arch": "conv"}, {"init": "torch_default"}, {"init": "normal"}, {"widths": "784-300-10"},
            {"arch": "conv", "input": "digits"}, {"input": "digits", "width": "100"}, {"step": "8"})


def other_value(name: str, default) -> str:
    """A link's text for a value of `name` that is allowed and not the default."""
    p = urlstate.PARAMS[name]
    if p.kind in ("choice", "list"):
        return next(c for c in p.choices if c != default)
    if p.kind == "bool":
        return "false" if default else "true"
    if p.kind == "gain":
        return "recommended"
    if p.kind == "branch_scale":
        return "0.5"
    if p.kind == "widths":
        return "100-50-10"
    low, high = p.low, p.high
    value = next(v for v in (low, high, (low + high) / 2) if v != default and (p.kind != "odd" or int(v) % 2))
    return urlstate.format_number(int(value) if p.kind in ("int", "odd") else value)


@pytest.mark.slow  # a link per control and network
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_control_a_network_does_not_use_is_said_when_a_link_sets_it(lang):
    """Every control that some network hides (relevant() False), set by a link to a value of its own in such a
    network, is left out with a notice naming it and why; a link that sets nothing hidden gets none of these."""
    hidden_somewhere = set()
    for context in CONTEXTS:
        base, base_problems = urlstate.normalize(context, TABS)
        assert not [p for p in base_problems if p.kind == "ignored"], context
        for name in urlstate.CONTROLS:
            if name in context or urlstate.relevant(name, base):
                continue
            hidden_somewhere.add(name)
            value = other_value(name, base[name])
            state, problems = urlstate.normalize({**context, name: value}, TABS)
            if urlstate.relevant(name, state):  # the value itself makes it matter (arch=dense, input=normal)
                continue
            said = [p for p in problems if p.kind == "ignored" and p.name == name]
            assert said, (context, name, value)
            message = urlstate.messages(said, lang, TABS)[0]
            assert f"**{name}**" in message and value in message
            assert "()" not in message and "（）" not in message
    # every control relevant() can hide was tried
    assert hidden_somewhere >= {"kernel", "image", "padding", "residual", "branch_scale", "slope", "std", "bound",
                                "value", "scale", "gain", "mode", "distribution", "bias", "bias_std"}


def test_a_residual_stream_in_a_conv_link_is_said_as_a_layer_norm_is():
    """The brief's link: residual=true on a conv net is left out with a notice, as norm=layer is; widths' default is
    named by what it means (equal widths), not as empty parentheses."""
    query = {"widths": "784-1-3000", "arch": "conv", "kernel": "4", "image": "0", "residual": "true"}
    state, problems = urlstate.normalize(query, TABS)
    assert [(p.name, p.kind) for p in problems] == [("kernel", "value"), ("image", "value"), ("widths", "value"),
                                                    ("residual", "ignored"), ("arch", "conv_sizes")]
    assert not urlstate.config_of(state)[0].residual
    for lang in ("en", "zh"):
        said = urlstate.messages(problems, lang, TABS)
        assert t(lang, "options.widths_constant") in said[2] and t(lang, "url_ignored_conv_plain") in said[3]
        assert not any("()" in m or "（）" in m for m in said)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_parameters_bad_value_names_a_default_that_reads(lang):
    """A value not allowed, for every parameter: the notice names its default as a value or in words, never
    as empty parentheses; a list of allowed names is joined as the language writes a list (Chinese: 、)."""
    for name in urlstate.PARAMS:
        _, problems = urlstate.normalize({**read_at(name), name: "@"}, TABS)
        said = urlstate.messages([p for p in problems if p.name == name], lang, TABS)
        assert said, name
        assert not any("()" in m or "（）" in m for m in said), said
        if lang == "zh":
            assert not re.search(r"[a-z_][a-z_0-9.+]*, [a-z_][a-z_0-9.+]*", said[0]), said[0]  # not N(0, 0.01²)


@pytest.mark.slow
@pytest.mark.parametrize("query, why", [({"widths": "784-512-256-128"}, "unequal"), ({"arch": "conv"}, "conv_plain"),
                                        ({}, None)])
def test_the_residual_toggle_is_shown_off_with_its_reason_where_no_stream_can_be(query, why):
    """A width profile or a conv net has no residual stream: the toggle stays in its place, off and disabled, and its
    help says why (the link's own notice's words), rather than vanishing when the widths change."""
    from views.sidebar import RESIDUAL_OFF
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"step": "custom", "depth": "3", "width": "64", **query})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    keys = {toggle.key for toggle in at.toggle}
    if why is None:
        assert "residual" in keys and RESIDUAL_OFF not in keys
        return
    assert "residual" not in keys
    off = at.toggle(key=RESIDUAL_OFF)
    assert off.value is False and off.disabled
    assert off.help == t("en", "residual_unavailable", why=t("en", f"url_ignored_{why}"))


def test_a_network_with_batch_norm_opens_with_the_run_with_batch_norm_in_its_race():
    """Step 7's network has batch norm, and its race adds N(0, 0.01²) + batch norm to the lecture's five (which
    train without it): a link to it leaves the race out, as to any step's default race. A race of one's own, the
    five at step 7 too, stays in the link."""
    from core.train import BN_RESCUE, LECTURE_RACE

    six = [*LECTURE_RACE, BN_RESCUE]
    for query, race in (({"step": "6"}, LECTURE_RACE), ({"step": "7"}, six), ({"step": "2"}, LECTURE_RACE),
                        ({"step": "custom", "norm": "batch", "init": "he_normal", "activation": "relu"}, six)):
        state, problems = urlstate.normalize({**query, "tab": "training"}, TABS)
        assert state["train"] == list(race) and not problems, query
        assert "train" not in urlstate.to_query(state, TABS)
        assert urlstate.is_canonical(urlstate.to_query(state, TABS), state, TABS)
    state, _ = urlstate.normalize({"step": "7", "train": list(LECTURE_RACE)}, TABS)
    assert state["train"] == list(LECTURE_RACE) and urlstate.to_query(state, TABS)["train"] == list(LECTURE_RACE)
    state, _ = urlstate.normalize({"step": "6", "train": six}, TABS)
    assert urlstate.to_query(state, TABS)["train"] == six


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_empty_value_is_named_as_empty_in_the_value_s_place(lang):
    """?arch=conv&kernel= read "The link's value an empty value for kernel is not allowed": an empty value is said as
    user_text_empty, a word in brackets that stands where a value stands."""
    from views.text import t

    _, problems = urlstate.read({"arch": "conv", "kernel": ""}, TABS)
    [message] = [m for m in urlstate.messages(problems, lang, TABS) if "kernel" in m]
    empty = t(lang, "user_text_empty")
    assert empty in message and empty[0] in "(（" and empty[-1] in ")）", message


@pytest.mark.parametrize("name, text", [("depth", "2.9999999999999999"), ("width", "100.00000000000001"),
                                        ("kernel", "2.9999999999999999")])
def test_a_whole_number_parameter_is_whole_as_written_not_as_float_rounds_it(name, text):
    """?depth=2.9999999999999999 opened a 3-layer network without a word (the float of that text is 3.0; the command
    line refused it): a whole-number parameter is refused and named unless its text is a whole number; 3.0 and 3e0
    are."""
    values, problems = urlstate.read({name: text}, TABS)
    assert name not in values and [(p.kind, p.raw) for p in problems] == [("value", text)]
    for whole in ("3.0", "3e0", "30e-1"):
        values, problems = urlstate.read({"depth": whole}, TABS)
        assert values["depth"] == 3 and problems == []


# (link, whether the page notes that it takes step 1's scheme): a link of its own values naming no init does
@pytest.mark.parametrize("query, noted", [
    ({"width": "8", "depth": "3"}, True), ({"step": "custom", "width": "8"}, True),
    ({"widths": "784-512-256-128"}, True), ({"step": "abc", "depth": "5"}, True),  # a bad step: step 1 is used
    ({"width": "8", "init": "zeros"}, False), ({"width": "8", "init": "he_normal"}, False),
    ({"width": "8", "init": "nonsense"}, False),  # the bad value's own notice says which scheme is used
    ({"step": "3", "std": "0.5"}, False), ({"step": "1", "width": "8"}, False),  # the step's notice says it
    ({"lang": "zh"}, False), ({"tab": "gradients"}, False), ({"step": "custom"}, False), ({}, False),  # step 1
])
def test_a_link_of_its_own_values_that_names_no_scheme_is_told_it_takes_step_1_s(query, noted):
    """`?width=8&depth=3` drew step 1's all-zero weights, every curve flat at 0, with no word of where the scheme came
    from but the line under the title: a note names the scheme taken (step 1's, zeros) and where to pick another.
    A link naming the scheme, a tour step (whose notice names what differs), or nothing of its own has none."""
    state, problems = urlstate.normalize(query, TABS)
    notes = urlstate.inherited(query, state)
    assert [p.kind for p in notes] == (["inherited"] if noted else [])
    assert "inherited" not in {p.kind for p in problems}  # a note, not a fault of the link: no rewrite for it
    if noted:
        assert state["init"] == tour.step_config(tour.FIRST).init == notes[0].default == "zeros"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_note_on_step_1_s_scheme_shows_as_information_and_goes_with_a_control_moved(lang):
    """The page of `?width=8&depth=3` shows the note (information, not a warning: the link is not wrong), naming the
    scheme as the sidebar's box does and the box itself; it goes once a control moves, as the link's notices do."""
    at = open_app(f"width=8&depth=3&lang={lang}")
    assert not at.exception and [w.value for w in at.warning] == []
    assert [i.value for i in at.info if "init=" in i.value] == [t(
        lang, "url_inherited", init=t(lang, "options.init_zeros"), control=t(lang, "init"),
        section=t(lang, "initialization"))]
    assert at.selectbox(key="init").value == "zeros"
    at.slider(key="depth").set_value(4).run()
    assert not at.exception and [i.value for i in at.info if "init=" in i.value] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_keras_s_correction_names_the_fan_its_mode_counts(lang):
    """Under fan_avg on 784 -> 512, Keras's n is fan_avg = 648: the note names it, where "n·Var(w) = 2" had stood
    beside the caption's fan_in·Var(w) = 2.42 for the same weights."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(widths="784-512-256-128", init="variance_scaling", activation="relu", scale="2",
                           mode="fan_avg", lang=lang)
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert t(lang, "keras_correction", factor="0.87962566", mode="fan_avg", fan="648", nvar="2",
             uncorrected=format_value(2 * (1 - 4 * math.exp(-2) / math.sqrt(2 * math.pi) / (2 * ndtr(2) - 1)))) \
        in captions


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name, network", [
    ("std", {"init": "normal"}), ("bound", {"init": "uniform"}), ("value", {"init": "constant"}),
    ("bias_std", {"init": "normal"}), ("gain", {"init": "xavier_normal"}), ("input_scale", {"init": "normal"}),
    ("slope", {"init": "he_normal", "activation": "leaky_relu"})])
def test_a_link_s_number_float64_would_read_as_0_is_refused_saying_so(name, network, lang):
    """std=1e-400 had become std=0 (zero weights) without a word: within 0 to 100 as written, 0 as read."""
    query = {"step": "custom", **network, name: "-1e-400" if name == "value" else "1e-400", "lang": lang}
    values, problems = urlstate.normalize(query, TABS)
    (problem,) = [p for p in problems if p.name == name]
    assert problem.kind == "value" and problem.raw == query[name] and problem.default == urlstate.defaults(TABS)[name]
    (said,) = [m for m in urlstate.messages([problem], lang, TABS)]
    p = urlstate.PARAMS[name]  # "a link that means 0 writes 0" only where 0 is allowed: not a gain's 10⁻⁶ to 100
    key = "allowed_not_zero_write" if p.low <= 0 <= p.high else "allowed_not_zero"
    assert t(lang, key, allowed=urlstate.allowed_text(lang, name, TABS)) in said
    assert (key == "allowed_not_zero_write") == (name not in ("gain", "input_scale"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_conv_net_on_the_digits_is_told_its_profile_s_first_entry_is_their_one_channel(lang):
    """?arch=conv&input=digits&widths=3-4 had been told "the page uses 64-4" over a network line of channels 1-4: the
    notice now says the first entry, 64, stands for the digits' one channel, with the channels the page draws."""
    values, problems = urlstate.normalize({"arch": "conv", "input": "digits", "widths": "3-4", "lang": lang}, TABS)
    config, _ = urlstate.config_of(values)
    assert values["widths"] == "64-4" and config.units[:2] == (1, 4)
    (said,) = urlstate.messages([p for p in problems if p.name == "widths"], lang, TABS)
    channels = "-".join(map(str, config.units[:2]))
    assert t(lang, "url_fitted_digits_channel", side=8, pixels=64, channels=channels) in said
    dense, problems = urlstate.normalize({"input": "digits", "widths": "3-4", "lang": lang}, TABS)
    (said,) = urlstate.messages([p for p in problems if p.name == "widths"], lang, TABS)
    assert t(lang, "url_fitted_digits_pixels", pixels=64) in said and channels not in said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_tour_step_s_notice_names_a_conv_net_s_digits_profile_as_its_box_shows_it(lang):
    """?step=11&input=digits&widths=3-4 raised: the step's notice named the link's widths from the network, "1-4"
    (the digits' one channel), which no width profile is. It names them as the box shows them, 64-4."""
    values, problems = urlstate.normalize({"step": tour.CONV_STEP, "input": "digits", "widths": "3-4", "lang": lang},
                                          TABS)
    (step,) = [p for p in problems if p.kind == "step"]
    assert ("widths", "64-4", "") in step.kept and values["widths"] == "64-4"
    said = urlstate.messages([step], lang, TABS)[0]
    assert t(lang, "url_step_change", name="widths", value=option_name(lang, "widths", "64-4"),
             step_value=option_name(lang, "widths", "")) in said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_custom_says_which_step_it_left_and_what_it_changed(lang):
    """A student who moved step 6's activation to tanh read "Your own network" and a paragraph for every network,
    with nothing on what they had changed. Under Custom's title the page names the step it left and each setting the
    sidebar shows otherwise, beside the step's own (a setting the step does not use alone), then the step's settings
    the controls now hide, each with why, as the link's notices give it."""
    def change(name, value, step_value):
        return t(lang, "custom_change", name=urlstate.control_name(lang, name), value=option_name(lang, name, value),
                 step_value=option_name(lang, name, step_value))

    def drop(name, step_value, why, subject=""):
        return t(lang, "custom_drop", name=urlstate.control_name(lang, name),
                 step_value=option_name(lang, name, step_value), why=urlstate.why_text(lang, why, subject))

    # a control's label without its gloss in brackets, as a sentence names it
    assert [urlstate.control_name(lang, name) for name in ("depth", "width", "activation", "dtype")] == {
        "en": ["Depth", "Width n", "Activation", "Precision"], "zh": ["深度", "宽度 n", "激活函数", "数值精度"]}[lang]

    def said(step, changes, drops=()):
        return t(lang, "custom_from", n=step, title=t(lang, f"step_{step}"), changes=join(lang, changes, "clause"),
                 dropped=t(lang, "custom_dropped", drops=join(lang, list(drops), "clause")) if drops else "")

    assert urlstate.changed_from(replace(tour.STEPS["6"], activation="tanh"), "6", lang) == \
        said("6", [change("activation", "tanh", "relu")])
    # a deeper step 4: its depth alone, not the profile of equal widths it implies
    assert urlstate.changed_from(replace(tour.STEPS["4"], depth=50), "4", lang) == said("4", [change("depth", 50, 10)])
    # He uses no weight std: N(0, σ²)'s is given alone; and from step 3, He hides the step's std of 1
    assert urlstate.changed_from(replace(tour.STEPS["6"], init="normal", std=0.5), "6", lang) == said("6", [
        change("init", "normal", "he_normal"),
        t(lang, "custom_change_new", name=urlstate.control_name(lang, "std"), value=option_name(lang, "std", 0.5))])
    assert urlstate.changed_from(replace(tour.STEPS["3"], init="he_normal", std=0.01), "3", lang) == said(
        "3", [change("init", "he_normal", "normal")], [drop("std", 1.0, "init", "he_normal")])
    # a profile of unequal widths at step 9: said by the profile (not its depth of 2 or its input's 500), and the
    # residual stream and branch scale it leaves out, with why
    profile = replace(tour.STEPS["9"], widths=(500, 400, 300), depth=2, residual=False, branch_scale=1.0,
                      layer_norm=False)
    assert urlstate.changed_from(profile, "9", lang) == said("9", [change("widths", "500-400-300", "")], [
        drop("residual", True, "unequal"), drop("branch_scale", "inv_sqrt_depth", "no_residual")])
    # the digits at step 11: their own 8 x 8 images hide the image size
    assert urlstate.changed_from(replace(tour.STEPS["11"], input="digits", image=8), "11", lang) == said(
        "11", [change("input", "digits", "normal")], [drop("image", 16, "digits_image")])
    many = replace(tour.STEPS["2"], depth=3, width=20, batch=50, activation="relu", init="xavier_uniform", bias=0.1)
    assert urlstate.changed_from(many, "2", lang) == said("2", [
        change("depth", 3, 10), change("width", 20, 500), change("activation", "relu", "tanh"),
        change("init", "xavier_uniform", "normal"), change("bias", 0.1, 0),
        t(lang, "url_more", count=1)])  # the batch, in the sidebar's order, past the five named
    assert urlstate.changed_from(replace(tour.STEPS["6"], seed=3), "6", lang) is None  # the seed is no change
    # a gain as torch writes it (5/3, tanh's calculate_gain), not in 17 digits
    assert urlstate.changed_from(replace(tour.STEPS["4"], gain=5 / 3), "4", lang) == said("4", [
        t(lang, "custom_change", name=t(lang, "gain"), value="5/3", step_value=option_name(lang, "gain", "default"))])


@pytest.mark.slow
def test_the_page_says_what_a_moved_control_changed_from_the_step():
    """The line is said where the page showed a step and a control left it; not where a link's notice already says
    what its own values change (?step=6&activation=tanh), nor on a link to its own network, which left no step."""
    def lines(at):
        return [c.value for c in at.caption if c.value.startswith("From step")]

    at = open_app("step=6")
    at.selectbox(key="activation").set_value("tanh").run()
    assert not at.exception and at.title[0].value == tour.heading(tour.CUSTOM, "en")
    assert lines(at) == [urlstate.changed_from(replace(tour.STEPS["6"], activation="tanh"), "6", "en")]
    at.selectbox(key="activation").set_value("relu").run()  # back to the step: nothing to say
    assert lines(at) == []
    linked = open_app("step=6&activation=tanh")
    assert [w for w in linked.warning if w.value.startswith("The link asks for step 6")] and lines(linked) == []
    own = open_app("step=custom&activation=tanh&init=he_normal")
    assert own.title[0].value == tour.heading(tour.CUSTOM, "en") and lines(own) == []


def test_from_is_read_at_custom_alone():
    """from= names the step a network of its own came from: at a step it changes nothing and is dropped unsaid (a
    refused one too); beside a step the link names with values of its own, that step stands in for it; at Custom a
    refused or repeated one is said, as any parameter's."""
    def read(query):
        state, problems = urlstate.normalize(query, TABS)
        return state["step"], state["from"], [(p.kind, p.name) for p in problems if p.name in ("from", "step")]

    assert read({"step": "3", "from": "6"}) == read({"step": "3", "from": "@"}) == ("3", "none", [])
    assert read({"step": "6", "activation": "tanh", "from": "@"}) == ("custom", "6", [("step", "step")])
    assert read({"step": "custom", "width": "8", "from": "@"}) == ("custom", "none", [("value", "from")])
    assert read({"width": "8", "from": ["2", "1"]}) == ("custom", "1", [("repeated", "from")])  # the last, said


@pytest.mark.slow
def test_a_link_copied_at_custom_opens_with_the_step_it_came_from():
    """Every view is a link: a teacher who moved step 6's activation to tanh and shared the address had students
    open "Your own network" without the line saying what changed, and ◀ ▶ going on from the nearest step rather than
    step 6. The address at Custom holds from=6 (and no step's page holds from=), and a link holding it opens so."""
    def lines(at):
        return [c.value for c in at.caption if c.value.startswith("From step")]

    moved = open_app("step=6")
    moved.selectbox(key="activation").set_value("tanh").run()
    address = {name: moved.query_params[name] for name in moved.query_params}
    assert address["step"] == "custom" and address["from"] == "6", address
    shared = open_app(urlencode(address))
    said = urlstate.changed_from(replace(tour.STEPS["6"], activation="tanh"), "6", "en")
    assert not shared.exception and not shared.warning and lines(shared) == lines(moved) == [said]
    shared.button(key="step_previous").click().run()  # ◀ from step 6 reaches step 5, not the step before another
    assert shared.title[0].value == tour.heading("5", "en") and "from" not in shared.query_params
    # a link naming the step with values of its own is rewritten to say both (its notice said the same at first)
    assert open_app("step=6&activation=tanh").query_params["from"] == "6"
    # back at a step, or a link to a step, holds no from=: a step's page is its own
    moved.selectbox(key="activation").set_value("relu").run()
    assert moved.query_params["step"] == "6" and "from" not in moved.query_params
    at_step = open_app("step=3&from=6")
    assert at_step.title[0].value == tour.heading("3", "en") and not at_step.warning
    assert "from" not in at_step.query_params
    # a from= that names no step is said, as every refused value is, and the line is then not given
    bad = open_app("step=custom&from=99&activation=tanh&init=he_normal")
    assert [w.value for w in bad.warning] == urlstate.messages(urlstate.normalize(read_link(
        "step=custom&from=99&activation=tanh&init=he_normal"), TABS)[1], "en", TABS) and lines(bad) == []
    assert bad.warning[0].value.startswith("The link's value `99` for **from** is not allowed")
