"""How the page writes a number: significant digits, a power of ten as a person writes it (2.94 × 10⁻⁷), the
minus sign, shares as percentages, ranges with their ends' digits kept, settings with the digits they were given, and
their LaTeX forms. Every number on the page, in every language, is written here (tests/test_number_writing.py)."""

from __future__ import annotations

import math
from decimal import Decimal

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
SUBSCRIPTS = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
# A written number is one word to a line breaker: the spaces inside it are no-break spaces (U+00A0), so a narrow
# column never shows "< 7.79 ×" on one line and "10⁻¹³" on the next (tests/test_page_rules.py).
NBSP = "\u00a0"
TIMES = f"{NBSP}×{NBSP}"  # between a mantissa and its power of ten: 2.9 × 10⁻⁷
# ... and in an equation: KaTeX breaks a line after a binary operator where its column is too narrow (a phone), and
# \nobreak after × keeps "3.12 ×" and "10⁻⁷" on one line
LATEX_TIMES = r" \times\nobreak "
PERCENT = f"{NBSP}%"  # a share: 50 %, the number and its sign kept on one line
# A negative number's sign on the page: the minus sign, as Vega's axes and tooltips write theirs (d3-format), not
# the hyphen of a value to type (core.config.written's range messages, the command line)
MINUS = "\u2212"
SHARE_FLOOR = 0.01  # %: a smaller share is written "< 0.01 %"
PLAIN = (1e-3, 1e4)  # |value| in [1e-3, 1e4) is written as a plain decimal (0.00213, 1234); others as m × 10ᵉ
SHARE_PLAIN = PLAIN[1]  # %: from here no share, but a number format_share writes as format_value does


def superscript(exponent: int) -> str:
    """An integer as superscript digits: -7 -> "⁻⁷"."""
    return str(exponent).translate(SUPERSCRIPTS)


def subscript(index: int) -> str:
    """An integer as subscript digits, a layer's index in notation: 10 -> "₁₀" (h₁₀)."""
    return str(index).translate(SUBSCRIPTS)


def scientific(mantissa: str, exponent: int) -> str:
    """A mantissa and a power of ten as a person writes them: "2.9 × 10⁻⁷"; "10⁻⁷" for a mantissa of 1."""
    power = "10" + superscript(exponent)
    return power if mantissa == "1" else f"{mantissa}{TIMES}{power}"


def _finite(value) -> bool:
    """Whether a float or a Decimal (which may lie beyond float's range) is a finite number."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return value is not None and math.isfinite(value)


def _written(value, digits: int) -> tuple[str | None, str, int]:
    """A finite non-zero number rounded to `digits` significant digits: (its plain decimal, or None where it is
    written with a power of ten; the mantissa without trailing zeros; the exponent). format_value's one rule,
    for floats and for Decimals beyond float's range."""
    mantissa, exponent = format(value, f".{digits - 1}e").split("e")
    exponent, rounded = int(exponent), float(f"{mantissa}e{exponent}")  # a Decimal beyond float's range: 0 or inf
    if PLAIN[0] <= abs(rounded) < PLAIN[1]:  # 1234 is 1,234 at 4 digits and 1,230 at 3, never 1.23e+03
        return (f"{rounded:,.0f}" if exponent >= digits - 1 else f"{rounded:,.{digits}g}"), mantissa, exponent
    return None, mantissa.rstrip("0").rstrip("."), exponent


def format_value(value: float, digits: int = 3) -> str:
    """A number as the page writes it, with `digits` significant digits: 0.213, 1,234, 2.94 × 10⁻⁷, 1.2 × 10⁴,
    −0.0239 (MINUS); a dash when undefined. The page's one writer of numbers: the shares, the rough guides, the
    powers of ten and the charts' axes (views.charts.number_expr, the same rule in Vega's expressions) write theirs
    with it, and its LaTeX form is format_latex. value: a float, or a Decimal (which may lie beyond float's range)."""
    if not _finite(value):
        return "—"
    if value == 0:
        return "0"
    plain, mantissa, exponent = _written(value, digits)
    return (plain if plain is not None else scientific(mantissa, exponent)).replace("-", MINUS, 1)


RANGE_DECADES = 2  # a range's ends more powers of ten apart than this are both written with a power of ten


def _range_parts(low, high, digits: int) -> list[tuple[str | None, str, int] | None]:
    """The two ends of a range, each rounded to `digits` significant digits with its trailing zeros kept, as
    _written gives one number (plain decimal or None, mantissa, exponent); None for an end that is 0 or undefined,
    which is written on its own.

    Written alone, 0.630 drops its zero ("0.628 to 0.63" read as if the second end were less precise); here each end
    keeps its significant digits ("0.628 to 0.630", "9.68 to 20.6", "0.250 to 18.8": no end padded beyond them).
    Ends more than RANGE_DECADES powers of ten apart, or either outside the plain range, are both written with a
    power of ten ("2.90 × 10⁻⁷ to 1.20 × 10⁻³")."""
    ends = [value if _finite(value) and value != 0 else None for value in (low, high)]
    exponents = [int(format(v, f".{digits - 1}e").split("e")[1]) for v in ends if v is not None]
    if not exponents:
        return [None, None]
    plain = max(exponents) - min(exponents) <= RANGE_DECADES and all(
        PLAIN[0] <= abs(float(f"{v:.{digits - 1}e}")) < PLAIN[1] for v in ends if v is not None)
    parts = []
    for v in ends:
        if v is None:
            parts.append(None)
            continue
        mantissa, exponent = format(v, f".{digits - 1}e").split("e")
        decimals = digits - 1 - int(exponent)  # negative: rounded to tens, hundreds ...
        text = (f"{v:,.{decimals}f}" if decimals >= 0 else f"{round(v, decimals):,.0f}") if plain else None
        parts.append((text, mantissa, int(exponent)))
    return parts


def format_range(low: float, high: float, digits: int = 3) -> tuple[str, str]:
    """The ends of a range "a to b" (or "a–b") as the page writes them: each with its significant digits, trailing
    zeros kept (_range_parts), so "0.628 to 0.630", "1.20 × 10⁻³ to 4.56 × 10⁻²"; an end that is 0 or undefined as
    format_value writes it."""
    return _range_written(low, high, digits, latex=False)


def latex_range(low: float, high: float, digits: int = 3) -> tuple[str, str]:
    """format_range's ends in LaTeX, for equations: 0.628 and 0.630, 1.20 \\times\\nobreak 10^{-3}."""
    return _range_written(low, high, digits, latex=True)


def _range_written(low: float, high: float, digits: int, latex: bool) -> tuple[str, str]:
    written = []
    for value, part in zip((low, high), _range_parts(low, high, digits)):
        if part is None:  # 0 or undefined: as one number is written
            written.append((format_latex if latex else format_value)(value, digits))
        elif latex:
            plain, mantissa, exponent = part
            written.append(plain.replace(",", "{,}") if plain is not None else _latex_power(mantissa, exponent))
        else:
            plain, mantissa, exponent = part
            text = plain if plain is not None else mantissa + TIMES + "10" + superscript(exponent)
            written.append(text.replace("-", MINUS, 1))
    return written[0], written[1]


def format_latex(value: float, digits: int = 3) -> str:
    """format_value's number in LaTeX, for equations: 0.213, 2.94 \\times\\nobreak 10^{-7} (LATEX_TIMES), 10^{-7}; a
    dash when undefined."""
    if not _finite(value):
        return r"\text{—}"
    if value == 0:
        return "0"
    plain, mantissa, exponent = _written(value, digits)
    if plain is not None:
        return plain.replace(",", "{,}")  # a thousands separator, not punctuation: no space after it in LaTeX
    return f"10^{{{exponent}}}" if mantissa == "1" else _latex_power(mantissa, exponent)


def _latex_power(mantissa: str, exponent: int) -> str:
    """A mantissa times its power of ten in LaTeX, kept on one line (LATEX_TIMES)."""
    return f"{mantissa}{LATEX_TIMES}10^{{{exponent}}}"


SETTING_DIGITS = 6  # a setting's number is written with at most the significant digits the sidebar's boxes show (%g)
# calculate_gain's tanh and ReLU gains (core.activations), whose decimals do not end: written as torch writes them
GAIN_NAMES = {5 / 3: "5/3", math.sqrt(2.0): "√2"}


def format_gain(gain: float, digits: int | None = None) -> str:
    """A gain as the page writes it: torch's own fraction or root where it has one (GAIN_NAMES), else as a setting
    (format_setting), or with `digits` significant digits where the page computed it (a chart's label)."""
    return GAIN_NAMES.get(gain) or (format_setting(gain) if digits is None else format_value(gain, digits))


def format_setting(value: float) -> str:
    """A number the page was set to (std, bound, a gain) as format_value writes it, with the digits it was given: 0.05,
    not 0.0500; 0.012345 whole, up to SETTING_DIGITS significant digits."""
    digits = len(Decimal(repr(float(value))).normalize().as_tuple().digits)
    return format_value(value, min(digits, SETTING_DIGITS))


def format_squared(value: float) -> str:
    """A setting squared, its base as format_setting writes it: 0.05², and (10⁻⁵)² where the base has a power of ten;
    0 and 1, their own squares, alone: N(0, 1), as the standard normal is written (step 3's title)."""
    base = format_setting(value)
    if value in (0, 1) or not _finite(value):  # a dash is not squared
        return base
    # 10⁻⁵² would read as one power, and −0.5² as −(0.5²)
    bracketed = value < 0 or any(digit in base for digit in "⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"({base})²" if bracketed else f"{base}²"


def format_share(value: float) -> str:
    """A fraction as a percentage, as a student reads one: one decimal from 1 % (92.4 %, 50 %), two significant
    digits below (0.14 %, 0.031 %), "< 0.01 %" below 0.01 % and "> 99.9 %" where one decimal would say 100 %: never
    0 % for a share above 0 nor 100 % for one below 1; a dash when undefined."""
    if value is None or not math.isfinite(value) or not math.isfinite(percent := 100 * value):
        return "—"
    if percent in (0, 100):
        return f"{abs(percent):.0f}{PERCENT}"  # -0.0 too: no sign on 0
    if abs(percent) < SHARE_FLOOR:  # more digits would be noise to a student: 0.00020 % of a layer is 1 value in 500k
        return f"<{NBSP}{format_value(SHARE_FLOOR)}{PERCENT}"
    if abs(percent) < 1:
        return f"{format_value(percent, 2)}{PERCENT}"
    if abs(percent) >= SHARE_PLAIN:  # no share, but a writer writes any float: as format_value would, not 300 digits
        return f"{format_value(percent)}{PERCENT}"
    written = f"{percent:.1f}".replace("-", MINUS)
    if written == "100.0":
        return f">{NBSP}99.9{PERCENT}"
    return f"{written.removesuffix('.0')}{PERCENT}"


def share_range(low: float, high: float) -> tuple[str, str]:
    """The ends of a range of shares as format_share writes each, but with the same decimals where both are written
    with one decimal (from 1 %): "45.1 % to 50.0 %", not "45.1 % to 50 %"; below 1 % both by format_range's rule at
    two significant digits ("0.14 % to 0.30 %"); any other pair (a floor, a ceiling, 0 %) as format_share writes it."""
    shown = format_share(low), format_share(high)
    percents = [100 * v if v is not None and math.isfinite(v) else math.nan for v in (low, high)]
    one_decimal = [1 <= p and f"{p:.1f}" != "100.0" for p in percents]
    if all(one_decimal):
        return tuple(f"{p:.1f}{PERCENT}" for p in percents)
    if all(SHARE_FLOOR <= p < 1 for p in percents):
        return tuple(f"{end}{PERCENT}" for end in format_range(*percents, 2))
    return shown


def format_power(value: float) -> str:
    """A power of ten with one digit, as format_value writes it (0.001, but 10⁻⁴); any other number as format_value
    writes it (a dash where undefined)."""
    # a Decimal beyond float's range either way is written by format_value, which takes one
    power = _finite(value) and 0 < float(value) < math.inf \
        and math.isclose(value, 10.0 ** round(math.log10(value)), rel_tol=1e-12)
    return format_value(value, 1) if power else format_value(value)


def power_of_ten(value: float, digits: int = 2) -> str:
    """A large count with `digits` significant digits, 4.8 × 10¹¹, the same way in every language (a positive value);
    a dash where undefined, as format_value writes it."""
    if not _finite(value) or value == 0:
        return format_value(value)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")  # 9.96e5 rounds up to the next power: 1.0 × 10⁶
    return scientific(mantissa.replace("-", MINUS), int(exponent))


def powers_apart(value: float, reference: float) -> dict[str, str]:
    """{"work": value, "limit": reference} as power_of_ten writes them, with as many more significant digits as two
    different numbers need to read differently: a refusal never says "1.0 × 10¹², over the limit of 1.0 × 10¹²"."""
    for digits in range(2, 8):
        shown = {"work": power_of_ten(value, digits), "limit": power_of_ten(reference, digits)}
        if shown["work"] != shown["limit"] or value == reference:
            break
    return shown
