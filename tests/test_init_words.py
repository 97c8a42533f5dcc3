"""The page's init named with its numbers (views/summary.init_words): the line under the title, the Compare legend's
"this page" and the Derivation's "this network" write N(0, 0.05²), not N(0, std²). Checked for every scheme in both
languages against the Config's own fields, read back by hand, and from a link's own text."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from core import Config, schemes, simulate
from core.activations import recommended_gain
from core.config import INITS
from core.initializers import gain_of
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from views import charts, derivation, describe, summary, tour, urlstate
from views.number_writing import SETTING_DIGITS, format_squared
from views.tabs import CODES
from views.locale import catalogue
from views.text import LANGUAGES, t

from tests.app_support import open_app, open_tab

SMALL = {"depth": 2, "width": 40, "batch": 10}  # a network that takes no time: the words read only the init
SET = {"std": 0.05, "bound": 0.3, "value": -0.5, "trunc_mean": 0.1, "trunc_a": -1.5, "trunc_b": 2.5, "scale": 2.0}
# What sets each scheme's law, in the order a person writes it: N(0, std²), U(−b, b), N(μ, σ²) cut to [a, b], ...
LAW = {
    "normal": lambda c: [0.0, c.std],
    "uniform": lambda c: [-c.bound, c.bound],
    "constant": lambda c: [c.value],
    "trunc_normal": lambda c: [c.trunc_mean, c.std, c.trunc_a, c.trunc_b],
    "variance_scaling": lambda c: [c.scale],
}
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
POWER = "10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+"  # a power of ten as format_value writes it
NUMBER = re.compile(rf"(?<![\w.])(√2|5/3|{POWER}|−?\d[\d,]*(?:\.\d+)?(?:\u00a0×\u00a0{POWER})?)(?![^\W²]|/)")


def read_numbers(words: str) -> list[float]:
    """Every number the words write, read back by hand: −0.3, 1,234, 2.5 × 10⁻⁶, 10⁻⁵, 5/3, √2."""
    found = []
    for text in NUMBER.findall(words):
        if text in ("√2", "5/3"):
            found.append(math.sqrt(2.0) if text == "√2" else 5 / 3)
            continue
        mantissa, _, power = text.replace("−", "-").replace(",", "").partition("\u00a0×\u00a0")
        if mantissa.startswith("10") and mantissa[2:3] in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹" and len(mantissa) > 2:
            mantissa, power = "1", mantissa
        exponent = int(power[2:].translate(SUPERSCRIPT)) if power else 0
        found.append(float(f"{mantissa}e{exponent}"))
    return found


def shown(value: float) -> float:
    """value at the significant digits the page writes a setting with (number_writing.SETTING_DIGITS at most)."""
    return float(f"{value:.{SETTING_DIGITS - 1}e}")


def expected_numbers(config: Config) -> list[float]:
    """The law's numbers, then the gain where it is not the scheme's default."""
    numbers = LAW[config.init](config) if config.init in LAW else []
    gain = gain_of(config)
    return numbers + ([gain] if gain is not None and gain != schemes.get(config.init).default_gain else [])


def test_the_reading_can_fail():
    """The hand reading against known spellings, and a number it must not take (float64's 64)."""
    assert read_numbers("N(0, 0.05²) · U(−0.3, 0.3), float64") == [0, 0.05, -0.3, 0.3]
    assert read_numbers("N(0, (10⁻⁵)²), gain 2.5\u00a0×\u00a010⁻⁶, 5/3, √2") == [0, 1e-5, 2.5e-6, 5 / 3, math.sqrt(2)]
    assert set(LAW) == {name for name in INITS if schemes.get(name).parameters}  # a new law of numbers needs its entry


def plain_and_moved(init: str) -> tuple[Config, Config]:
    """The scheme at its defaults, and set away from them: its numbers (SET), tanh's recommended gain 5/3, mode
    fan_out, Keras's uniform law, float64."""
    plain = Config(init=init, **SMALL)
    return plain, replace(plain, **{f: SET[f] for f in schemes.get(init).parameters}, gain=recommended_gain("tanh"),
                          mode="fan_out", distribution="uniform", dtype="float64")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("init", INITS)
def test_every_scheme_is_written_with_the_numbers_of_its_config(init, lang):
    """At its defaults, and set away from them (its numbers, tanh's recommended gain 5/3, mode fan_out, Keras's uniform
    law, float64): the numbers the words write are the Config's, in the law's order, each extra said exactly when it
    is not the default."""
    scheme = schemes.get(init)
    plain, moved = plain_and_moved(init)
    assert gain_of(moved) in (None, 5 / 3)
    for config in (plain, moved):
        words = summary.init_words(config, lang)
        name = t(lang, f"options.init_{init}")
        assert words.startswith(name if not scheme.parameters else name.split()[0]), words
        assert read_numbers(words) == expected_numbers(config), words
        assert ("fan_out" in words) == ("mode" in scheme.fields and config.mode == "fan_out")
        distribution = t(lang, "options.distribution_uniform")
        assert words.endswith(distribution + ("，" if lang == "zh" else ", ") + "float64") == (
            "distribution" in scheme.fields and config is moved)
        assert ("float64" in words) == (config.dtype == "float64")
    if scheme.default_gain is not None:
        assert t(lang, "init_words.gain", gain="5/3") in summary.init_words(moved, lang)


BRACKETS = re.compile(r"[(\[][^()\[\]]*,[^()\[\]]*[)\]]")  # a law's (a, b) or [a, b]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_law_breaks_inside_its_brackets(lang):
    """Step 2's line under the title broke on a phone as "正态分布 N(0," / "0.01²)": every law the page writes (each
    scheme's words at its defaults and set away from them, every Compare scheme's name, the biases' law) holds what
    its brackets hold on one line (a no-break space after the comma)."""
    words = {init: [summary.init_words(config, lang) for config in plain_and_moved(init)] for init in INITS}
    names = [key for key in catalogue(lang) if key.startswith("schemes.name_")]
    texts = [text for pair in words.values() for text in pair]
    texts += [t(lang, key, init=words["normal"][1]) for key in names]  # "this page: normal N(0, 0.05²)" among them
    texts.append(describe.bias_words(Config(bias=0.5, bias_std=0.1, **SMALL), lang))  # "biases N(0.5, 0.1²)"
    laws = [law for text in texts for law in BRACKETS.findall(text)]
    written = {init for init, pair in words.items() if any(BRACKETS.search(text) for text in pair)}
    assert {"normal", "uniform", "trunc_normal"} <= written and len(laws) > 2 * len(written), laws
    assert [law for law in laws if re.search(r"\s", law.replace("\u00a0", ""))] == []


EDGES = [  # (field, value): the range's ends, powers of ten, more digits than the sidebar shows
    ("std", 0.0), ("std", 1e-5), ("std", 2.5e-6), ("std", 100.0), ("std", 0.0123456789), ("std", 1.0),
    ("bound", 0.0), ("bound", 100.0), ("value", -100.0), ("value", 0.001), ("scale", 1e-6),
    ("trunc_a", -100.0), ("trunc_b", 1e-4),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("field, value", EDGES)
def test_a_number_at_the_edge_of_its_range_reads_back(field, value, lang):
    """Each scheme that reads the field, at the number: it reads back as the Config's, to the digits the sidebar's
    box shows (6 significant); a square of a power of ten is bracketed, (10⁻⁵)², never 10⁻⁵²."""
    for init in [name for name in INITS if field in schemes.get(name).parameters]:
        config = Config(init=init, **{field: value}, **SMALL)
        words = summary.init_words(config, lang)
        assert read_numbers(words) == [shown(v) for v in expected_numbers(config)], words
        assert not re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]²", words), words
    assert summary.init_words(Config(std=1e-5), "en") == "normal N(0,\u00a0(10⁻⁵)²)"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("gain, written", [(5 / 3, "5/3"), (math.sqrt(2), "√2"), (1.015, "1.015"), (1e-6, "10⁻⁶"),
                                           (100.0, "100"), (0.75, "0.75"), (recommended_gain("leaky_relu"), "1.41414")])
def test_a_gain_is_written_as_torch_names_it_or_by_its_value(gain, written, lang):
    """calculate_gain's tanh and ReLU gains by their closed forms, any other gain by its value; the scheme's default
    gain (He's √2, Xavier's 1) not at all: the scheme's name says it."""
    for init in schemes.with_gain():
        words = summary.init_words(Config(init=init, gain=gain, **SMALL), lang)
        said = t(lang, "init_words.gain", gain=written)
        assert (said in words) == (gain != schemes.get(init).default_gain), (init, words)
        assert not read_numbers(words) or math.isclose(read_numbers(words)[0], gain, rel_tol=1e-5)


LINKS = {  # a link's own text for each number, the gain typed, every choice away from its default
    "std": "0.05", "bound": "0.3", "value": "-0.25", "trunc_mean": "0.1", "trunc_a": "-1.5", "trunc_b": "2.5",
    "scale": "2", "gain": "1.5", "mode": "fan_out", "distribution": "uniform", "dtype": "float64",
}


def page_config(query: dict) -> tuple[Config, dict]:
    """The network a link's page computes, and the widgets' state (views.urlstate)."""
    state = urlstate.normalize(query, CODES)[0]
    return urlstate.config_of(state)[0], state


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("init", INITS)
def test_a_link_s_numbers_are_the_words_numbers_and_the_page_s_own_link_says_the_same(init, lang):
    """?init=uniform&bound=0.3&dtype=float64 names U(−0.3, 0.3) and float64: each number the link writes is one the
    words write; the link the page writes for that network opens a page with the same words."""
    query = {"init": init, "depth": "3", "width": "30", "batch": "10", "lang": lang, **LINKS}
    if init == "delta_orthogonal":  # a conv scheme: the sidebar offers it with conv layers
        query.update(arch="conv", image="8")
    config, state = page_config(query)
    words = summary.init_words(config, lang)
    scheme = schemes.get(init)
    linked = [float(LINKS[f]) for f in scheme.parameters] + ([float(LINKS["gain"])] if scheme.default_gain else [])
    assert sorted(read_numbers(words)) == sorted([*([0.0] if init == "normal" else []), *linked,
                                                  *([-float(LINKS["bound"])] if init == "uniform" else [])]), words
    assert "float64" in words
    again, _ = page_config(urlstate.to_query(state, CODES))
    assert summary.init_words(again, lang) == words


def test_a_setting_squared_that_is_its_own_square_is_written_alone():
    """Step 3's line under its title said N(0, 1²) where the title says N(0, 1)."""
    assert [format_squared(v) for v in (0, 1, 0.05, 2, 1e-5)] == ["0", "1", "0.05²", "2²", "(10⁻⁵)²"]


LINE_INIT = {  # what each tour step's line says after "init", by hand
    "en": {"1": "zeros", "2": "normal N(0,\u00a00.01²)", "3": "normal N(0,\u00a01)", "7": "normal N(0,\u00a00.01²)",
           "10": "orthogonal, gain 1.015"},
    "zh": {"1": "全零", "2": "正态分布 N(0,\u00a00.01²)", "3": "正态分布 N(0,\u00a01)",
           "7": "正态分布 N(0,\u00a00.01²)", "10": "正交，增益 1.015"},
}
LINE_BIASES = {"en": {"10": ", biases N(0,\u00a00.002145²)"},  # after the init
               "zh": {"10": "，偏置 N(0,\u00a00.002145²)"}}
PAIR = {"en": "init ", "zh": "初始化："}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", list(tour.STEPS))
def test_every_tour_step_s_line_names_its_init_with_its_numbers(code, lang):
    """Step 2's line read "init normal N(0, std²)"; now "init normal N(0, 0.01²)", the lecture's 0.01·randn, and step
    3's N(0, 1) as its title writes it (not "1²"). The Xavier and He steps are their schemes' defaults: the name alone.
    Step 10's biases follow its init."""
    config = tour.STEPS[code]
    init = LINE_INIT[lang].get(code, t(lang, f"options.init_{config.init}"))
    biases = LINE_BIASES[lang].get(code)  # step 10's σ_b² = 4.6 × 10⁻⁶, the edge of chaos's
    assert PAIR[lang] + init + (biases or "") + " · " in describe.line(config, lang)
    assert read_numbers(init) == expected_numbers(config)
    assert read_numbers(biases or "") == ([config.bias, config.bias_std] if biases else [])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compare_legend_names_the_page_s_own_network_by_its_numbers(lang):
    """"this page: normal N(0, std²)" for N(0, 0.05²): two pages of other scales had one legend name."""
    names = {std: charts.scheme_name(charts.OWN, lang, Config(std=std)) for std in (0.05, 0.02)}
    assert names[0.05] == {"en": "this page: normal N(0,\u00a00.05²)",
                           "zh": "本页网络：正态分布 N(0,\u00a00.05²)"}[lang]
    assert names[0.02] != names[0.05]
    for init in INITS:
        config = Config(init=init, **{f: SET[f] for f in schemes.get(init).parameters}, **SMALL)
        assert charts.scheme_name(charts.OWN, lang, config) == t(lang, "schemes.name_own",
                                                                  init=summary.init_words(config, lang))


def condition_note(config: Config, lang: str) -> str:
    """The Derivation's sentence that puts Xavier's and He's Var(w) beside this network's."""
    (block,) = [b for b in derivation.blocks(simulate(config), lang) if b.title == t(lang, "der_condition_title")]
    return next(note for note in block.notes if note.count("Var(w)") >= 2)  # Xavier's, He's and this network's


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_derivation_names_the_gain_beside_xavier_s_variance(lang):
    """?init=xavier_normal&gain=recommended said "Xavier gives Var(w) = 0.002 … this network has Var(w) = 0.005556"
    without the gain: now the network is named with it, (5/3)²/500 = 0.005556, and an equal-width and an unequal-width
    network alike."""
    config = Config(init="xavier_normal", gain=5 / 3, depth=2, width=500, batch=10)
    note = condition_note(config, lang)
    assert summary.init_words(config, lang) in note and "5/3" in note
    var_w = read_numbers(note.split(summary.init_words(config, lang))[1])[0]  # the number its name comes before
    assert math.isclose(var_w, (5 / 3) ** 2 * 2 / (500 + 500), rel_tol=5e-3)  # Glorot's 2/(fan_in + fan_out), gain²
    unequal = Config(init="he_normal", gain=1.0, mode="fan_out", depth=2, width=40, widths=(40, 20, 10), batch=10)
    words = summary.init_words(unequal, lang)
    assert "fan_out" in words and t(lang, "init_words.gain", gain="1") in words
    assert words in condition_note(unequal, lang)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_s_line_and_compare_legend_write_the_link_s_scale(lang):
    """The reviewer's link ?init=normal&std=0.05&depth=8&tab=compare: the line under the title and the Compare chart's
    legend name N(0, 0.05²), which the page computes."""
    at = open_app(init="normal", std="0.05", depth="8", lang=lang)
    assert not at.exception
    config = Config(init="normal", std=0.05, depth=8)
    assert at.caption[0].value == describe.line(config, lang)
    assert PAIR[lang] + summary.init_words(config, lang) in at.caption[0].value and "0.05²" in at.caption[0].value
    at = open_tab(at, "compare", lang)
    assert not at.exception
    (chart,) = at.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    drawn = convert_arrow_bytes_to_pandas_df(dataset.data.data)
    own = set(drawn.loc[drawn["scheme"] == charts.OWN, "name"])
    assert own == {t(lang, "schemes.name_own", init=summary.init_words(config, lang))} and len(own) == 1
    assert "0.05²" in own.pop()
