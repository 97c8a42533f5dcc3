"""Every number the page writes follows one rule (summary.format_value, format_share, t()'s counts): a share with a
space before its % sign (92.5 %), a whole number of four or more digits with thousands separators (1,500): in
every message of every language (here), and on the page of every tour step and tab (tests/test_names.py, which
visits them all once for its checks)."""

from __future__ import annotations

import pytest

from tests.written_numbers import GLUED_PERCENT, long_integers
from views import summary
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


def test_counts_and_shares_filled_into_a_message_follow_the_rule():
    """t() writes a whole number with separators (1,200 points), summary its shares and plain decimals (1,234)."""
    assert summary.format_value(1234, 4) == "1,234" and summary.format_value(1234.5, 5) == "1,234.5"
    assert summary.format_latex(1234, 4) == "1{,}234"
    for lang in LANGUAGES:
        assert "1,200" in t(lang, "url_more", count=1200)
        assert "1,500" in t(lang, "step_heading", n=1500, steps=11, title="x")
    assert summary.format_share(0.925) == "92.5\u00a0%"
