"""Every number the page writes into its address has one spelling (urlstate.format_number, JavaScript's String(n)),
whichever path wrote it: the browser (a number typed), the tour (its radio, ◀ ▶ and the ← → keys that press them)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.runtime.state.query_params import _coerce_value_for_query_url

from views import tour, urlstate
from views.text import t

from app_support import open_app

FLOATS = [name for name, p in urlstate.PARAMS.items() if p.kind == "float"]


@pytest.mark.slow  # hypothesis: a hundred draws
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_spelled_number_is_written_as_the_link_writes_it(value):
    """Streamlit writes a bound number widget's value, set by the page, as str(value) ("1.0", "1e-05"); Spelled
    prints as format_number, and is the same float."""
    number = urlstate.Spelled(value)
    assert number == value and isinstance(number, float)
    assert _coerce_value_for_query_url(number, "double_value") == urlstate.format_number(value)


def test_the_page_sets_its_float_controls_spelled():
    assert urlstate.spelled("std", 1.0).__str__() == "1" and str(1.0) == "1.0"
    assert urlstate.spelled("depth", 10) == 10 and type(urlstate.spelled("depth", 10)) is int
    assert type(urlstate.spelled("init", "normal")) is str


def assert_spelled(at, where: str) -> None:
    """Every float parameter in the address is the one spelling of its number."""
    for name in FLOATS:
        if name in at.query_params:
            text = at.query_params[name]
            assert math.isfinite(float(text)) and text == urlstate.format_number(float(text)), (where, name, text)


@pytest.mark.slow
def test_every_tour_step_reached_by_the_buttons_and_the_radio_writes_one_spelling():
    """◀ ▶ (which the ← → keys press) through every step and back, then the tour's radio: std=1, never std=1.0."""
    at = open_app(step=tour.FIRST)
    order = list(tour.STEPS)
    for label, codes in (("next", order[1:]), ("previous", order[-2::-1])):
        for code in codes:
            next(b for b in at.button if b.label == t("en", label)).click().run()
            assert not at.exception and at.session_state["step"] == code
            assert_spelled(at, f"{label} to {code}")
    for code in order[::-1]:
        at.radio(key="step").set_value(code).run()
        assert not at.exception and at.session_state["step"] == code
        assert_spelled(at, f"radio to {code}")
