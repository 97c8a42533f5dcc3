"""Reading back a number as the page writes it (views.summary.format_value, format_share), for the tests."""

from views import summary

RAISED = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def read_back(text: str) -> float:
    """"0.213", "2.9 × 10⁻⁷", "10⁴", "0.031 %" (as 0.031) read back as a float."""
    text = text.removesuffix(summary.PERCENT)
    if any(c in text for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"):
        mantissa, _, power = text.rpartition("10")
        return float(mantissa.removesuffix(summary.TIMES) or "1") * 10.0 ** int(power.translate(RAISED))
    return float(text)
