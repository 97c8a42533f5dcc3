"""Every number the page writes follows one rule (number_writing.format_value, format_share, t()'s counts): a share with
a space before its % sign (92.5 %), a whole number of four or more digits with thousands separators (1,500): in every
message of every language (here), and on the page of every tour step and tab (tests/test_names.py, which visits them all
once for its checks)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.written_numbers import GLUED_PERCENT, long_integers, read_back
from views import summary
from views import number_writing
from views.number_writing import MINUS, TIMES, format_latex, format_range, format_share, format_value, latex_range, \
    share_range
from views.locale import LANGUAGES, catalogue
from views.text import t


def test_the_rules_catch_what_they_mean():
    """The two patterns against independent examples of each spelling."""
    assert GLUED_PERCENT.search("92%") and GLUED_PERCENT.search("最多 {ceiling:.0%}") and GLUED_PERCENT.search("{x}%")
    assert not GLUED_PERCENT.search("92.5\u00a0%") and not GLUED_PERCENT.search("> 3: 4.1 %")
    assert long_integers("1200 points, 1,500 steps") == ["1200"]
    assert long_integers("He et al. 2015; std 0.87962566; 10⁻⁴; width=2048") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_writes_its_numbers_by_the_rule(lang):
    bad = {key: text for key, text in catalogue(lang).items() if GLUED_PERCENT.search(text) or long_integers(text)}
    assert bad == {}


# Each writer of one number (number_writing's): any float, inf and nan among them, is written, a value it cannot write
# (undefined, or past float64's range) as format_value's dash: format_power(inf) and power_of_ten(nan) had raised.
ONE_NUMBER = ("format_value", "format_latex", "format_gain", "format_setting", "format_squared", "format_share",
              "format_power", "power_of_ten")


WRITTEN_LONGEST = 24  # characters: "−1.23 × 10⁻³⁰⁸ %" and the like; a share of 10³⁰⁶ had been 300 digits long


@pytest.mark.parametrize("name", ONE_NUMBER)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
@example(value=1e307).via("a share past float64's range once times 100")
@example(value=1.7e306).via("a share of 300 digits")
@example(value=-1.0).via("a sign")
@example(value=-0.5).via("a negative base squared")
@example(value=0.0)
def test_every_writer_of_one_number_writes_any_float_and_a_dash_where_undefined(name, value):
    """A number is written readably, whatever the float: its sign as MINUS (LaTeX's own excepted), within
    WRITTEN_LONGEST characters, and a value it cannot write (undefined, or past float64's range) as format_value's
    dash. A negative base is squared in brackets: −0.5² reads as −(0.5²)."""
    written = getattr(number_writing, name)(value)
    assert isinstance(written, str) and written
    if not math.isfinite(value) or (name == "format_share" and not math.isfinite(100 * value)):
        assert written == (r"\text{—}" if name == "format_latex" else "—"), (name, value, written)
        return
    assert "—" not in written and "nan" not in written.lower() and "inf" not in written.lower(), (name, value)
    # LaTeX's \nobreak (number_writing.LATEX_TIMES) is no character on the page
    assert len(written.replace(r"\nobreak", "")) <= WRITTEN_LONGEST, (name, value, written)
    if name != "format_latex":
        assert "-" not in written and (MINUS in written) == (value < 0 and written.lstrip("(<> ").startswith(
            MINUS)), (name, value, written)
    if name == "format_squared" and value < 0:
        assert written.startswith("(") and written.endswith(")²"), written


@pytest.mark.parametrize("name", ONE_NUMBER)
@pytest.mark.parametrize("value", [Decimal("1e400"), Decimal("-1e400"), Decimal("1e-400"), Decimal("NaN")])
def test_every_writer_of_one_number_writes_a_decimal_past_float64_s_range(name, value):
    """format_value takes a Decimal, which may lie beyond float's range (a theory's std past 10³⁰⁸): the other writers
    write one too, or a dash where undefined (format_power(Decimal("1e400")) had raised OverflowError)."""
    written = getattr(number_writing, name)(value)
    assert isinstance(written, str) and written
    if value.is_nan():
        assert "—" in written, (name, written)


def test_counts_and_shares_filled_into_a_message_follow_the_rule():
    """t() writes a whole number with separators (1,200 points), number_writing its shares and plain decimals
    (1,234)."""
    assert format_value(1234, 4) == "1,234" and format_value(1234.5, 5) == "1,234.5"
    assert format_latex(1234, 4) == "1{,}234"
    for lang in LANGUAGES:
        assert "1,200" in t(lang, "url_more", count=1200)
        assert "1,500" in t(lang, "step_heading", n=1500, steps=11, title="x")
    assert format_share(0.925) == "92.5\u00a0%"


# ---------- a range's two ends ----------

def read_written(text: str) -> tuple[Decimal, int, bool]:
    """A number as format_range writes it, read back by hand: (its value, its decimals — of the mantissa where it has
    a power of ten —, whether it has one)."""
    text = text.replace(MINUS, "-").replace(",", "")
    mantissa, power, exponent = text.partition(TIMES + "10")
    if power:
        exponent = int(exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    decimals = len(mantissa.partition(".")[2])
    return Decimal(mantissa).scaleb(exponent if power else 0), decimals, bool(power)


def rounded(value: float, decimals: int) -> Decimal:
    """value (exactly, as a binary double) rounded half-even to `decimals` decimal places."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def significant_place(value: float, digits: int) -> int:
    """The decimal place of value's last significant digit at `digits` digits, after rounding (9.996 is 10.0)."""
    return digits - 1 - int(f"{value:.{digits - 1}e}".split("e")[1])


ENDS = st.floats(min_value=1e-12, max_value=1e12, allow_nan=False).flatmap(
    lambda x: st.sampled_from([x, -x]))


@pytest.mark.slow
@given(low=ENDS, high=ENDS, digits=st.integers(2, 5))
def test_a_range_writes_each_end_with_its_significant_digits_trailing_zeros_kept(low, high, digits):
    """Step 7 read "a std of 0.628 to 0.63": the trailing zero of 0.630 dropped, its two ends at different precision.
    format_range writes each end with `digits` significant digits, trailing zeros kept (rounded to tens and beyond
    where the digits end before the point: 1,230), each rounded from its own value; both with a power of ten, or
    neither."""
    ends = format_range(low, high, digits)
    (a, a_decimals, a_power), (b, b_decimals, b_power) = (read_written(text) for text in ends)
    assert a_power == b_power, ends
    for value, written, decimals in ((low, a, a_decimals), (high, b, b_decimals)):
        place = significant_place(value, digits)
        assert decimals == (digits - 1 if a_power else max(place, 0)), (value, ends)
        assert written == rounded(value, place), (value, ends)


def test_a_range_s_ends_read_as_the_page_writes_them():
    """Known ends: the zero kept (0.630), no end padded past its digits (20.6, 18.8), a power of ten for both where
    either needs it, 0 and a dash written alone."""
    assert format_range(0.628, 0.6299) == ("0.628", "0.630")
    assert format_range(9.68, 20.56) == ("9.68", "20.6") and format_range(0.25, 18.8) == (
        "0.250", "18.8")
    assert format_range(0.00522, 0.0215) == ("0.00522", "0.0215")
    assert format_range(2.9e-7, 0.0012) == ("2.90\u00a0×\u00a010⁻⁷", "1.20\u00a0×\u00a010⁻³")
    assert format_range(1234, 5678) == ("1,230", "5,680") and format_range(-0.52, 0.7) == (
        "−0.520", "0.700")
    assert format_range(0, 0.63) == ("0", "0.630") and format_range(math.nan, 1) == ("—", "1.00")
    assert latex_range(1234, 0.628e3) == ("1{,}230", "628")


def test_a_range_of_shares_writes_both_ends_alike():
    """"45.1 % to 50 %" dropped the zero of 50.0 % as "0.628 to 0.63" did: both ends with one decimal from 1 %, two
    significant digits each below it; a floor, a ceiling or an exact 0 % or 100 % as format_share writes it."""
    nbsp = "\u00a0"
    assert share_range(0.451, 0.5) == (f"45.1{nbsp}%", f"50.0{nbsp}%")
    assert share_range(0.0014, 0.003) == (f"0.14{nbsp}%", f"0.30{nbsp}%")
    assert share_range(0.5, 1.0) == (f"50{nbsp}%", f"100{nbsp}%")
    assert share_range(1e-5, 0.3) == (format_share(1e-5), format_share(0.3))


def correctly_rounded(text: str, value: float) -> bool:
    """Whether text is value at some number of significant digits from 3, as format_value writes it (which drops a
    trailing zero: 74,000 at 3 digits is "7.4 × 10⁴")."""
    return any(format_value(value, digits) == text for digits in range(3, 18))


def on_a_limit(quotient: float) -> bool:
    """Whether quotient at 3 digits reads as a verdict's limit (summary.SHRINK, GROW) it is not."""
    return any(summary.rounded(quotient) == limit != quotient for limit in (summary.SHRINK, summary.GROW))


@given(st.sampled_from([summary.SHRINK, summary.GROW]), st.floats(-0.005, 0.005), st.floats(1e-3, 1e3),
       st.sampled_from([3, summary.INPUT_STD_DIGITS]))
@example(summary.GROW, 0.00499, 1.0, summary.INPUT_STD_DIGITS)  # √101 ≈ 10.05: a 100-block pre-LN stream
@example(summary.GROW, 0.0, 1.0, 3)  # on the limit itself: "10"
@example(summary.GROW, 3593.5430292042383 / 358.69362492728834 / 10 - 1, 358.69362492728834, 3)  # 10.02 × 359
def test_a_ratio_off_a_verdict_s_limit_is_never_written_as_the_limit(limit, offset, reference, least):
    """A 100-block pre-LayerNorm stream grows ×√101 = 10.05, and the verdict said "Signals grow past ×10 …: the
    activations ×10 from the input to layer 100". A ratio within half a per cent of the verdict's limits (×0.1, ×10)
    is written with the digits that set it apart from the limit, on the side it lies on, and still correctly rounded;
    one exactly on a limit is written as the limit."""
    quotient = limit * (1 + offset)
    value = quotient * reference
    written, written_reference = summary.printed_ratio(value, reference, least)
    read = read_back(written)
    measured = value / reference
    assert correctly_rounded(written, measured), written
    # and still multiplying as printed (the digits added to the ratio alone had broken it: 10.02 × 359 is no 3,590)
    assert format_value(read * read_back(written_reference)) == format_value(value), (written, written_reference)
    if measured == limit:
        assert read == limit
    else:
        assert read != limit and (read > limit) == (measured > limit), (written, measured)


@given(st.floats(1e-30, 1e30), st.floats(1e-30, 1e30))
def test_a_value_its_ratio_and_its_reference_multiply_as_printed(value, reference):
    """"761 · ×760 of the input's 1": 760 × 1 is no 761. The headline writes the measured ratio, correctly rounded
    (as the Derivation tab does: "0.632 · ×0.632 of the input's 1" had given the printed numbers' ratio where the
    measured one is 0.6314), and the reference with as many digits as the product needs, so the three multiply as
    written; 3 digits each where 3 suffice."""
    written, written_reference = summary.printed_ratio(value, reference)
    product = read_back(written) * read_back(written_reference)
    assert format_value(product) == format_value(value), (written, written_reference)
    assert correctly_rounded(written, value / reference), written
    assert correctly_rounded(written_reference, reference), written_reference
    three = summary.rounded(value / reference) * summary.rounded(reference)
    if format_value(three) == format_value(value) and not on_a_limit(value / reference):  # no more than needed
        assert (written, written_reference) == (format_value(value / reference),
                                                format_value(reference))


@given(st.floats(1e-30, 1e30), st.floats(1e-30, 1e30))
def test_a_reference_asked_for_more_digits_has_them_and_still_multiplies(value, reference):
    written, written_reference = summary.printed_ratio(value, reference, least=summary.INPUT_STD_DIGITS)
    assert format_value(read_back(written) * read_back(written_reference)) == format_value(value)
    assert correctly_rounded(written, value / reference)
    # at least INPUT_STD_DIGITS significant digits, of which format_value drops only trailing zeros
    assert any(format_value(reference, digits) == written_reference for digits in range(summary.INPUT_STD_DIGITS, 18))
    # the ratio with its 3 digits, as the Derivation tab writes it, wherever some digits of the reference allow them
    three = summary.rounded(value / reference)
    places = range(summary.INPUT_STD_DIGITS, 18)
    if not on_a_limit(value / reference) and any(
            format_value(three * summary.rounded(reference, n)) == format_value(value) for n in places):
        assert written == format_value(value / reference), (written, written_reference)


def test_the_input_s_std_is_written_alike_at_every_step_that_draws_it():
    """A teacher's students asked why the input had changed: the headline's "of the input's 1" at step 2 read "1.001"
    at step 3, the same data (seed 0's 1000 x 500 normal input, std 1.00085) written with the fewest digits each
    step's product needed. Every step that draws that input writes it alike, with INPUT_STD_DIGITS digits."""
    from core import simulate
    from views import tour

    written = {}
    for code, config in tour.STEPS.items():
        if (config.arch, config.input, config.input_scale, config.width, config.batch) == ("dense", "normal", 1, 500,
                                                                                          1000):
            result = simulate(config)
            written[code] = summary.printed_ratios(result)[0][1]
            assert written[code] == format_value(float(result.stats["act_std"][0]), summary.INPUT_STD_DIGITS)
    assert len(written) >= 8 and len(set(written.values())) == 1, written


def test_the_headline_writes_the_measured_ratio_and_a_reference_it_multiplies_with():
    """Step 8 at 20 layers, seed 0: std(x₂₀) 761.07 over the input's 1.0011 wrote "×760 of the input's 1", and then
    "×761", the printed numbers' ratio, though the measured one is 760.25; a student's He net at 20 × 300, 0.63196
    over 1.00085, read "×0.632" beside the Derivation tab's measured 0.631; step 3's gradient, 11,469 over 0.15499,
    read "×7.42 × 10⁴", the theory's figure, where the measured ratio is 7.40 × 10⁴."""
    assert summary.printed_ratio(761.0734248380647, 1.0010821571730932) == ("760", "1.001")
    assert summary.printed_ratio(0.63196, 1.00085) == ("0.631", "1.001")
    assert summary.printed_ratio(11469.4, 0.15499) == ("7.4\u00a0×\u00a010⁴", "0.155")
    assert summary.printed_ratio(0.8886766707354468, 1.0010821571730932) == ("0.888", "1.001")
    assert summary.printed_ratio(0.26756222181741507, 0.9508981275112977) == ("0.2814", "0.951")
    assert summary.printed_ratio(2.94e-7, 1.00085) == ("2.94\u00a0×\u00a010⁻⁷", "1")
    assert summary.printed_ratio(0.0, 1.0) == ("0", "1") and summary.printed_ratio(1.0, 0.0) == ("—", "0")
