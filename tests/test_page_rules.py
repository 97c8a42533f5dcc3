"""The page's rules that are not drawing, as the views modules hold them: the tour's ◀ ▶ buttons, a tab's label
read back as its code, the verdict's colour, why a race is refused, which network the paradox quotes, the one rule
for a ratio; and the one tab list that the page, the address and the tests read."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import Config
from core.config import INT_RANGES, mib_apart, resize
from core.train import DEFAULT_STEPS, LECTURE_RACE, estimate_training_memory, scheme_config, training_batch
from views import derivation, summary, tour, urlstate
from views.number_writing import TIMES, format_power, format_share, format_value, power_of_ten, powers_apart, scientific
from views import theory as theory_view
from views import training as training_view
from views.tabs import CODES, TABS
from views.text import t

# ---------- the tour's step buttons ----------


def test_the_step_buttons_walk_the_tour_in_order():
    # the steps are numbered from 1 in the order they are told: ◀ is the step before, ▶ the step after, and
    # neither leaves the tour
    numbers = [int(code) for code in tour.STEPS]
    assert numbers == sorted(numbers) and numbers[0] == 1
    for i, n in enumerate(numbers):
        assert tour.previous_step(str(n)) == (str(numbers[i - 1]) if i > 0 else None)
        assert tour.next_step(str(n)) == (str(numbers[i + 1]) if i + 1 < len(numbers) else None)


def test_the_step_is_read_from_the_controls_whatever_the_seed():
    # a configuration equal to a step's is that step; the seven steps are seven different lessons
    for code in tour.STEPS:
        for seed in (0, 1, 2**31 - 1):
            assert tour.step_of(tour.step_config(code, seed)) == code
    assert tour.step_of(replace(tour.STEPS["4"], width=499)) == tour.CUSTOM
    assert tour.step_of(replace(tour.STEPS["2"], batch_norm=True)) == "7"  # step 2 with batch norm is step 7


def test_the_buttons_never_go_on_from_custom_itself():
    # ◀ ▶ at Custom go on from the nearest step; Custom is no place in the tour's order
    for step_button in (tour.previous_step, tour.next_step):
        with pytest.raises(ValueError):
            step_button(tour.CUSTOM)


def test_at_a_step_the_nearest_step_is_that_step_whatever_came_before():
    for code, config in tour.STEPS.items():
        assert {tour.nearest_step(config, last) for last in (None, *tour.STEPS)} == {code}


def test_a_gain_equal_to_the_scheme_s_default_keeps_the_step():
    """Step 6's He with the gain recommended for ReLU, √2, draws the same weights as He's default gain, √2 (torch's
    kaiming_normal_ with a = 0): the page had become "your own network", its race and story lost. The sidebar's
    choice of that gain, or of Xavier's 1 typed in at step 4, is the step's own Config; tanh's 5/3 at step 4 is not."""
    def chosen(code, gain):
        return urlstate.config_of({**urlstate.state_of(tour.STEPS[code]), "gain": gain})[0]

    assert chosen("6", "recommended") == tour.STEPS["6"] and tour.step_of(chosen("6", "recommended")) == "6"
    assert chosen("4", "1") == tour.STEPS["4"]
    assert chosen("4", "recommended").gain == 5 / 3 and tour.step_of(chosen("4", "recommended")) == tour.CUSTOM


def test_at_custom_the_buttons_go_on_from_the_last_step_shown():
    for config in tour.STEPS.values():
        moved = replace(config, width=config.width - 1)
        assert tour.step_of(moved) == tour.CUSTOM
        for last in tour.STEPS:
            assert tour.nearest_step(moved, last) == last


@pytest.mark.slow
@given(st.sampled_from(list(tour.STEPS)), *(st.integers(*INT_RANGES[name]) for name in ("depth", "width", "batch")))
def test_with_no_step_shown_the_nearest_is_the_step_the_counts_were_moved_from(code, depth, width, batch):
    # A step moved in its counts alone differs from itself in sizes only, and from every other step in at least one
    # setting that is not a size (step 11's conv net moved to 1,000 samples had tied with step 6's dense net, whose
    # batch that is, and the tie had gone to step 6).
    moved = replace(tour.STEPS[code], depth=depth, width=width, batch=batch)
    assert tour.nearest_step(moved) == code


def test_with_no_step_shown_a_tie_goes_to_the_earlier_step():
    # N(0, 0.5²) + tanh is one setting (std) from step 2's 0.01 and from step 3's 1
    between = replace(tour.STEPS["2"], std=0.5)
    assert tour.differences(between, tour.STEPS["2"]) == tour.differences(between, tour.STEPS["3"]) == (1, 0)
    assert tour.nearest_step(between) == "2"
    assert tour.nearest_step(between, last="3") == "3"


def test_following_next_from_the_first_step_visits_every_step_once():
    seen, code = [], tour.FIRST
    while code is not None:
        seen.append(code)
        code = tour.next_step(code)
    assert seen == list(tour.STEPS)


# ---------- the tab list and its labels ----------

def test_the_tab_list_is_one_record_per_tab_with_a_label_in_every_language():
    assert CODES == tuple(tab.code for tab in TABS) and len(set(CODES)) == len(CODES)
    assert all(callable(tab.show) for tab in TABS)
    for lang in urlstate.LANGUAGES:
        labels = [t(lang, f"tab_{code}") for code in CODES]
        assert len(set(labels)) == len(labels), lang  # a label names one tab
    assert urlstate.defaults(CODES)["tab"] == CODES[0]


@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
@pytest.mark.parametrize("code", CODES)
def test_a_tab_label_in_any_language_names_its_tab(code, lang):
    label = t(lang, f"tab_{code}")
    assert urlstate.tab_of(label, CODES) == code  # the language switch keeps the open tab
    assert urlstate.tab_of(label, CODES, (lang,)) == code
    others = tuple(other for other in urlstate.LANGUAGES if t(other, f"tab_{code}") != label)
    assert urlstate.tab_of(label, CODES, others) is None  # only the languages asked


def test_a_label_of_no_tab_names_none():
    assert urlstate.tab_of("no such tab", CODES) is None
    assert urlstate.tab_of(None, CODES) is None


# ---------- the verdict's colour ----------

STREAMLIT_COLOURS = ("red", "orange", "yellow", "green", "blue", "violet", "gray", "grey", "rainbow", "primary")


def test_every_verdict_has_a_colour_streamlit_writes():
    assert set(summary.VERDICT_COLOURS) == set(summary.VERDICTS)
    assert set(summary.VERDICT_COLOURS.values()) <= set(STREAMLIT_COLOURS)  # st.markdown's :colour[...] names
    assert summary.VERDICT_COLOURS["healthy"] == "green"
    assert all(colour != "green" for name, colour in summary.VERDICT_COLOURS.items() if name != "healthy")


# ---------- the paradox's network ----------

@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1])
def test_the_paradox_network_is_the_lectures_large_init_with_any_seed(seed):
    network = replace(theory_view.PARADOX_CONFIG, seed=seed)
    assert theory_view.is_paradox_network(network)
    assert (network.activation, network.init, network.std) == ("tanh", "normal", 1.0)  # the lecture's 1.0 * randn


@pytest.mark.parametrize("change", [dict(std=0.5), dict(width=499), dict(depth=9), dict(activation="relu"),
                                   dict(init="xavier_normal"), dict(batch_norm=True), dict(batch=999),
                                   dict(bias=0.1), dict(dtype="float64"), dict(input="uniform")])
def test_any_other_change_is_not_the_paradox_network(change):
    network = replace(theory_view.PARADOX_CONFIG, **change)
    assert network != theory_view.PARADOX_CONFIG
    assert not theory_view.is_paradox_network(network)


# ---------- a race's refusal ----------

SCHEMES = ["normal_0.01", "xavier_normal", "he_normal"]


def test_a_race_that_fits_is_not_refused():
    config = Config(depth=3, width=32, batch=64)
    assert training_view.refusal(config, SCHEMES, 20, "en", 2**30) is None


def test_a_race_over_the_memory_budget_says_what_its_largest_run_needs():
    config = Config(depth=10, width=500)
    need = max(estimate_training_memory(scheme_config(config, s)) for s in SCHEMES)
    said = training_view.refusal(config, SCHEMES, 20, "en", need - 2**14)
    written = mib_apart(need, need - 2**14)  # 16 KiB over: the two numbers written apart, not "84 MiB over 84 MiB"
    assert said == t("en", "training_tab.too_big_memory", **written) and written["need"] != written["budget"]
    assert training_view.refusal(config, SCHEMES, 20, "en", need) is None  # exactly the need fits


@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
@pytest.mark.parametrize("schemes", [1, 3, 5])
def test_a_race_over_the_work_limit_names_the_widest_network_that_fits(lang, schemes):
    picked = list(tour.SCHEMES)[:schemes]
    config = Config(depth=10, width=2048, batch=1000)
    steps = 1000
    # multiply-adds, by hand: layer 1's forward product and weight gradient, the other nine's input gradient too
    work = steps * training_batch(config) * 2048**2 * (2 + 3 * 9) * schemes
    assert work > training_view.WORK_LIMIT
    said = training_view.refusal(config, picked, steps, lang, 2**40)
    per_width2 = steps * training_batch(config) * (2 + 3 * 9) * schemes
    width = math.isqrt(int(training_view.WORK_LIMIT // per_width2))  # the largest width within the limit
    assert per_width2 * width**2 <= training_view.WORK_LIMIT < per_width2 * (width + 1) ** 2
    assert said is not None and f" {width} " in said
    assert said == t(
        lang, "training_tab.too_slow", work=power_of_ten(work),
        limit=power_of_ten(training_view.WORK_LIMIT), width=width,
        **training_view.durations(training_view.race_seconds(training_view.WORK_LIMIT), lang),
        **training_view.work_terms(config, schemes, steps))


def read_count(written: str) -> float:
    """A count as power_of_ten writes it, 1.1 × 10¹³, read back."""
    mantissa, exponent = written.split(TIMES + "10")
    return float(mantissa) * 10.0 ** int(exponent.translate(SUPERSCRIPTS))


COUNT = r"(\d\.\d+\u00a0×\u00a010[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"  # power_of_ten's form
INTEGER = r"(\d[\d,]*)"
# the race's count with its numbers put in: steps × batch × schemes × a sample's multiply-adds = the count, each number
# followed by its unit ("300 steps", "300 步", "128 samples (at most 128)")
STATED_COUNT = rf"{INTEGER}[^×\d]*×\s*{INTEGER}[^×]*×\s*{INTEGER}[^×\d]*×\s*{INTEGER} = {COUNT}"


def number(written: str) -> int:
    return int(written.replace(",", ""))


def sample_multiply_adds(config: Config, width: int) -> float:
    """A sample's multiply-adds in one training step at this width, from the products' shapes: each layer's
    k^2 fan_in fan_out on each pixel for its output and its weights' gradient, and for its input's gradient above
    layer 1; a conv net's element-wise work on top, CONV_ELEMENT a channel, pixel and layer."""
    units = resize(config, "width", width).units
    k2 = config.kernel**2 if config.arch == "conv" else 1
    products = k2 * (2 * units[0] * units[1] + 3 * sum(a * b for a, b in zip(units[1:-1], units[2:])))
    element = training_view.CONV_ELEMENT * sum(units[1:]) if config.arch == "conv" else 0
    return config.positions * (products + element)


def stated_count(said: str, config: Config) -> tuple[float, str, float, float]:
    """(the count the refusal's own formula gives with the numbers it puts in, that count as written, the same
    formula at the width the refusal offers and at one channel or unit more). The sample's multiply-adds the
    refusal names are the network's, counted from its shapes."""
    steps, batch, schemes, sample, written = re.search(STATED_COUNT, said).groups()
    races = number(steps) * number(batch) * number(schemes)
    assert number(sample) == sample_multiply_adds(config, max(config.units[1:]))
    offered = number(re.search(r"(?:up to|不超过) (\d[\d,]*)", said).group(1))
    return (races * number(sample), written, races * sample_multiply_adds(config, offered),
            races * sample_multiply_adds(config, offered + 1))


@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
@pytest.mark.parametrize("config, schemes, steps", [
    (Config(init="xavier_normal", width=64, batch=50, arch="conv"), 5, 300),  # the Custom conv net of the finding
    (tour.STEPS[tour.CONV_STEP], len(LECTURE_RACE), DEFAULT_STEPS),
    (Config(arch="conv", width=40, depth=6, image=8, kernel=5, batch=500), 3, 1000),  # the batch capped at 128
    (Config(depth=10, width=2048, batch=1000), 2, 1000),
    (Config(depth=30, width=700, batch=64), 5, 300),
], ids=["custom conv", "step 11", "conv batch 500", "dense 2048", "dense depth 30"])
def test_a_refusals_count_follows_from_the_formula_it_states(config, schemes, steps, lang):
    """The refusal writes its count out, the formula and this race's numbers in it: the numbers multiplied by that
    formula give the count it names (at the two digits it writes), and the width it offers is the widest that the
    same formula keeps within the limit it names."""
    said = training_view.refusal(config, list(tour.SCHEMES)[:schemes], steps, lang, 2**40)
    assert said is not None
    count, written, at_offered, one_more = stated_count(said, config)
    work, limit = re.findall(COUNT, said)[:2]  # "needs about {work}, over the app's limit of {limit}"
    assert written == work == power_of_ten(count)
    assert read_count(work) == pytest.approx(count, rel=0.05)
    assert at_offered <= read_count(limit) < one_more


@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
def test_a_race_over_the_work_limit_is_offered_at_the_width_its_refusal_names(lang):
    config = tour.STEPS[tour.CONV_STEP]  # 10 x 64 channels of 16 x 16 pixels: 1.1e13 multiply-adds
    race = list(LECTURE_RACE)
    assert training_view.fitting(Config(depth=3, width=32), race, 20, 2**30) is None  # fits as it is
    fitted = training_view.fitting(config, race, DEFAULT_STEPS, 2**30)
    assert fitted == replace(config, width=fitted.width)  # only the channels change
    # the largest width within the limit: one channel more is over it
    assert training_view.race_work(fitted, len(race), DEFAULT_STEPS) <= training_view.WORK_LIMIT < \
        training_view.race_work(replace(fitted, width=fitted.width + 1), len(race), DEFAULT_STEPS)
    assert f" {fitted.width} " in training_view.refusal(config, race, DEFAULT_STEPS, lang, 2**30)  # the refusal's
    assert training_view.fitted_note(config, fitted, race, DEFAULT_STEPS, lang) == t(
        lang, "training_tab.fitted_conv", width=fitted.width, was=64,
        **powers_apart(training_view.race_work(config, len(race), DEFAULT_STEPS), training_view.WORK_LIMIT))
    # at Custom, a button sets the race so: its label names that width, the network's own, which stays, and the Run
    # button that trains it (nothing trains before Run)
    run = t(lang, "training_tab.run")
    assert training_view.fitted_label(config, fitted, lang) == t(lang, "training_tab.use_width_conv",
                                                                 width=fitted.width, was=64, run=run)
    assert run in training_view.fitted_label(config, fitted, lang)
    dense = Config(width=2048)
    assert training_view.fitted_label(dense, replace(dense, width=700), lang) == t(
        lang, "training_tab.use_width", width=700, was=2048, run=run)
    # nothing is offered when even that width's race is over the memory budget
    assert training_view.fitting(config, race, DEFAULT_STEPS, 2**20) is None


# ---------- the one ratio rule ----------

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-320, 1e308]))


@pytest.mark.slow
@given(NUMBERS, NUMBERS)
def test_a_ratio_is_a_over_b_only_where_both_are_finite_and_b_is_positive(a, b):
    got = summary.ratio(a, b)
    if math.isfinite(a) and math.isfinite(b) and b > 0:
        assert got == a / b
    else:
        assert math.isnan(got)


@pytest.mark.slow
@given(NUMBERS, NUMBERS)
def test_the_derivation_compares_only_where_the_ratio_is_defined(value, reference):
    # "far above", "close to" ... are said of value / reference by the one rule, and of no negative value
    said = derivation.relation(value, reference)
    assert (said is None) == (math.isnan(summary.ratio(value, reference)) or value < 0)


@pytest.mark.slow
@pytest.mark.parametrize("code", [code for code, config in tour.STEPS.items() if config.init != "zeros"])
def test_the_derivation_s_theory_ratios_follow_the_one_rule(steps, code):  # all-zero weights have no theory to print
    result = steps[code]
    values = derivation.values_of(result, "en")
    act, grad, depth = result.stats["predicted_act_std"], result.stats["predicted_grad_std"], result.config.depth
    for name, expected in (("theory_ratio", summary.ratio(act[depth], act[0])),
                           ("theory_grad_ratio", summary.ratio(grad[1], grad[depth]))):
        assert values[name] == expected or (math.isnan(values[name]) and math.isnan(expected)), (code, name)


# ---------- one way to write a number ----------

@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
@pytest.mark.parametrize("config", [Config(init="normal", std=1e-4), Config(init="normal", std=1e-4, batch_norm=True),
                                    Config(init="normal", std=3.0, width=2048), Config(init="xavier_normal")],
                         ids=["tiny", "tiny+bn", "large", "xavier"])
def test_the_theory_tab_writes_its_numbers_as_the_headline_does(config, lang):
    from core import theory
    from core.batchnorm import BN_EPS

    numbers = theory.theory_summary(config)
    here = theory_view.here_text(numbers, lang, config.batch_norm, config.depth)
    if config.batch_norm:
        assert f"ε = {format_value(BN_EPS)}" in here
    else:
        for name in ("sigma_w2", "chi1"):
            assert f"= {format_value(numbers[name])}" in here, name
    marks = theory_view.marks_frame(config.width, numbers["sigma_w2"], numbers["sigma_b2"], lang)
    here_mark = marks[marks["here"]].iloc[0]
    if 0.1 <= numbers["sigma_w2"] <= 5:  # on the map: the mark names its place; off it, its value
        return
    assert format_value(numbers["sigma_w2"]) in here_mark["text"]


def test_a_large_count_is_written_with_two_digits_and_its_power_of_ten():
    assert power_of_ten(4.8e11) == scientific("4.8", 11) == "4.8\u00a0×\u00a010¹¹"
    assert power_of_ten(1e12) == "1.0\u00a0×\u00a010¹²"
    assert power_of_ten(9.96e5) == "1.0\u00a0×\u00a010⁶"
    assert power_of_ten(1.2346e12, 4) == "1.235\u00a0×\u00a010¹²"


@pytest.mark.parametrize("over", [1.0 + 1e-6, 1.0004, 1.004, 1.04, 1.4, 14.0])
def test_a_refusal_never_writes_its_work_as_its_limit(over):
    """A work over the limit reads as a larger number than the limit, however close: more digits where two
    would round both alike (1.0004 × 10¹² against 1.0000 × 10¹²), two where two tell them apart."""
    limit = training_view.WORK_LIMIT
    shown = powers_apart(over * limit, limit)
    assert shown["work"] != shown["limit"]
    digits = len(shown["limit"].split(TIMES)[0].replace(".", ""))
    assert digits == 2 or power_of_ten(over * limit, digits - 1) == power_of_ten(limit, digits - 1)
    assert powers_apart(limit, limit) == {"work": "3.0\u00a0×\u00a010¹²", "limit": "3.0\u00a0×\u00a010¹²"}
    # every refusal that compares a work with its limit writes them so
    config = Config(width=13, arch="conv", depth=10, image=16, batch=50, init="he_normal", activation="relu")
    work = training_view.race_work(config, 5, 300)
    said = training_view.refusal(config, ("zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal"), 300,
                                 "en", 2**40)
    assert work > limit and said is not None and powers_apart(work, limit)["work"] in said


SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


@given(st.floats(min_value=1.0, max_value=1e300))
def test_a_large_count_reads_back_within_its_last_digit(value):
    written = power_of_ten(value)
    mantissa, exponent = written.split(TIMES + "10")
    m, e = float(mantissa), int(exponent.translate(SUPERSCRIPTS))
    assert 1.0 <= m <= 9.9 and len(mantissa) == 3  # two significant digits: 1.0 to 9.9
    assert abs(m * 10.0**e - value) <= 0.05 * 10.0**e * (1 + 1e-9)  # rounded to the nearest tenth of 10^e


# ---------- a written number is one word ----------

def breaks_inside(text: str) -> list[str]:
    """The characters of `text` where a line may break between two words: every white space but the no-break ones
    (U+00A0, U+202F), which Unicode's line breaking (UAX #14, class GL) never breaks at."""
    return [c for c in text if c.isspace() and c not in "\u00a0\u202f"]


@pytest.mark.slow
@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(1, 6),
       st.floats(min_value=0, max_value=1), st.floats(min_value=1.0, max_value=1e300))
def test_a_written_number_never_breaks_over_two_lines(value, digits, share, count):
    """Every number the one formatter writes has no breakable space inside it (a column too narrow for "< 7.79 ×
    10⁻¹³" once showed "< 7.79 ×" over "10⁻¹³"): format_value and the forms built on it, and the bounds the
    Spectrum tab writes in every language."""
    written = [format_value(value, digits), format_share(share),
               format_power(abs(value)), power_of_ten(count),
               *powers_apart(count, 2 * count).values()]
    for lang in urlstate.LANGUAGES:
        written += [t(lang, "spectrum_tab.below", resolution=format_value(value, digits)),
                    t(lang, "spectrum_tab.above", ratio=format_value(count))]
    assert [w for w in written if breaks_inside(w)] == [], written


@pytest.mark.parametrize("config", [Config(depth=10, width=500, batch=1000),
                                    Config(width=12, arch="conv", depth=10, image=16, batch=50, activation="relu"),
                                    Config(width=64, arch="conv", depth=4, image=8, batch=50)], ids=str)
def test_the_slow_race_advice_says_what_half_the_width_takes(config):
    """The slow-race warning's "half the width takes {half} of the time" is race_work's own ratio: 1/4 for dense
    layers, more for a conv net's (its element-wise work grows with the width alone)."""
    ratio = training_view.race_work(replace(config, width=config.width // 2), 5, 300) / \
        training_view.race_work(config, 5, 300)
    assert training_view.half_width_share(config, 5, 300) == pytest.approx(ratio, rel=1e-12)
    assert (ratio == pytest.approx(0.25)) == (config.arch == "dense")


@pytest.mark.parametrize("code, steps", [("2", 900), ("11", DEFAULT_STEPS)])
def test_a_race_fitted_to_the_limit_is_made_quicker_only_by_a_width_below_its_own(code, steps):
    """A tour step's race over the limit trains the widest network within it (training_view.widest): its warning
    says that fewer steps, layers or schemes first give back more of the sidebar's width, in about the same time
    while the race is still cut, and names the width below which it is quicker at once (step 11's "half the width
    takes 43.5 %" had stood beside a race cut from 64 channels to 12, which a sidebar width of 32 cuts to 12 again)."""
    own, schemes = tour.STEPS[code], len(LECTURE_RACE)
    width = training_view.widest(own, schemes, steps)
    assert width < max(own.units[1:])  # fitted: the race trains fewer units than the page's network has
    race = resize(own, "width", width)
    for fewer in ((own, schemes, steps // 2), (own, schemes - 1, steps), (replace(own, depth=own.depth - 1),
                                                                          schemes, steps)):
        kept = training_view.widest(*fewer)
        assert kept > width  # more of the sidebar's width given back first ...
        if kept < max(own.units[1:]):  # ... and, still fitted, as much work as the limit allows again
            assert training_view.race_work(resize(fewer[0], "width", kept), *fewer[1:]) > \
                0.8 * training_view.race_work(race, schemes, steps)
    assert training_view.race_work(resize(own, "width", width - 1), schemes, steps) < \
        training_view.race_work(race, schemes, steps)  # a width below it: a quicker race
    for lang in urlstate.LANGUAGES:
        warning = training_view.slow_warning(race, schemes, steps, lang, own=own)
        assert f"below {width:,}" in warning or f"设到 {width:,} 以下" in warning
        assert f"{max(own.units):,}" in warning and {"en": "half the width", "zh": "宽度减半"}[lang] not in warning


@pytest.mark.parametrize("lang", urlstate.LANGUAGES)
@pytest.mark.parametrize("gap", [-0.3, -0.026, -5e-4, -6.2e-6, -3e-8, 2e-8, 6.2e-6, 5e-4, 0.04, 11.1])
def test_chi1_and_its_factor_a_layer_are_written_apart_from_1_however_close(gap, lang):
    """χ₁ = 1 + gap and the gradient's factor a layer √χ₁ on the Theory tab: with the digits that tell each from 1
    (three at least), and each written number the true one to its digits; the phase is chosen by the true χ₁. Step
    10's χ₁ = 1 − 6.2·10⁻⁶ had read "χ₁ = 1: ordered phase: gradients shrink ×1 a layer". Where the factor over the
    network (√χ₁^63 from layer 64 to layer 1) is within 10 % of 1, the sentence says so: "ordered phase" alone had
    stood under step 10's title, which says the edge of chaos."""
    chi1 = 1.0 + gap
    numbers = {"sigma_w2": 1.03, "sigma_b2": 4.6e-6, "q_star": 0.0155, "chi1": chi1, "depth_scale": 1.61e5}
    here = theory_view.here_text(numbers, lang, depth=64)
    chi1_text = here.split("χ₁ = ")[1].split(":")[0].split("：")[0]
    factor_text = re.search(r"×([0-9][0-9.,]*)", here).group(1)  # the factor a layer, written ×0.974
    for written, true in ((chi1_text, chi1), (factor_text, math.sqrt(chi1))):
        value = float(written.replace(",", ""))
        place = 10.0 ** -len(written.split(".")[1]) if "." in written else 1.0  # its last digit's
        assert written != "1" and abs(value - true) <= 0.5 * place * (1 + 1e-9), (written, true)  # rounded, not cut
        assert abs(value - true) <= 5e-3 * true, (written, true)  # three significant digits at least
    phase = t(lang, "theory_tab.ordered" if chi1 < 1 else "theory_tab.chaotic", factor=factor_text)
    assert phase in here
    # over the network's 63 layers toward the input the gradient keeps its size to 10 %: said, with that factor
    total = math.sqrt(chi1) ** 63
    near = re.search(r"×([0-9][0-9.,]*) from layer 64 to layer 1|从第 64 层到第 1 层共 ×([0-9][0-9.,]*)", here)
    assert (near is not None) == (abs(total - 1) <= 0.1), (here, total)
    if near:
        written = near.group(1) or near.group(2)
        assert abs(float(written) - total) <= 0.5 * 10.0 ** -len(written.split(".")[1]) * (1 + 1e-9), (written, total)


def test_the_conv_step_moved_to_the_dense_steps_batch_stays_nearest_to_itself():
    # the example hypothesis found above, kept: a conv net is step 11's lesson whatever its sizes
    moved = replace(tour.STEPS[tour.CONV_STEP], depth=1, width=2, batch=1000)
    assert tour.nearest_step(moved) == tour.CONV_STEP
