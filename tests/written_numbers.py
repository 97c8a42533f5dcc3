"""Reading back a number as the page writes it (views.number_writing.format_value, format_share, format_latex), for the
tests."""

import re

from views.number_writing import MINUS, PERCENT, TIMES

RAISED = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
SIGN = str.maketrans({MINUS: "-"})
# a number as the page writes it, in its text and in its LaTeX: 0.213, -4, 2.9 × 10⁻⁷, 10⁴; 2.9 \times\nobreak 10^{-7}
# (no line break inside it); a plain decimal of 1,000 or more with its thousands separators: 1,234, in LaTeX 1{,}234
WRITTEN = r"(?:[-−]?\d+(?:\.\d+)?\s×\s)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?"
WRITTEN_LATEX = (r"(?:-?\d+(?:\.\d+)? \\times\\nobreak )?10\^\{-?\d+\}"
                 r"|-?\d{1,3}(?:\{,\}\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")


def e_form(text: str) -> str:
    """A written number as Python and mpmath read one: "2.9 × 10⁻⁷" and "2.9 \\times\\nobreak 10^{-7}" -> "2.9e-7",
    "10⁴" -> "1e4"; a plain decimal as it is. Exact: a value beyond float's range keeps its exponent."""
    text = text.strip().translate(SIGN)
    latex = re.fullmatch(r"(?:(-?\d+(?:\.\d+)?) \\times\\nobreak )?10\^\{(-?\d+)\}", text)
    if latex:
        return f"{latex.group(1) or '1'}e{latex.group(2)}"
    if any(c in text for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"):
        mantissa, _, power = text.rpartition("10")
        return f"{mantissa.removesuffix(TIMES) or '1'}e{int(power.translate(RAISED))}"
    return text.replace("{,}", "").replace(",", "")  # 1,234 and LaTeX's 1{,}234: 1234


def read_back(text: str) -> float:
    """"0.213", "2.9 × 10⁻⁷", "10⁴", "0.031 %" (as 0.031) read back as a float."""
    return float(e_form(text.removesuffix(PERCENT)))


# How the page must not write a number (tests/test_number_writing.py, tests/test_names.py): a share glued to its
# % sign, and a whole number of 4+ digits without separators (not part of a decimal (0.87962566), a power or a link)
GLUED_PERCENT = re.compile(r"[\d}]%|:[^}]*%\}")  # 92%, {share}%, {ceiling:.0%}
LONG_INTEGER = re.compile(r"(?<![\d.,{\w/=-])\d{4,}(?![\d,.]?\d|\w)")
YEARS = range(1900, 2100)  # a citation's year (He et al. 2015) is a name, not a count


def long_integers(text: str) -> list[str]:
    """The whole numbers of 4+ digits `text` writes without separators, years left out."""
    return [m for m in LONG_INTEGER.findall(text) if int(m) not in YEARS]
