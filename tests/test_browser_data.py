"""The Data tab in Chromium at a laptop's 1280 x 800: its tables fit the page without scrolling sideways."""

from __future__ import annotations

import pytest

from tests.browser_support import SETTLED, wait_still
from views.tabs.data import TABLES
from views.text import t

pytestmark = pytest.mark.slow

# each table's own scroller (Glide Data Grid, which st.dataframe draws): its widths, and the table's right edge
TABLE_WIDTHS = """() => [...document.querySelectorAll("[data-testid='stDataFrame']")].map((table) => {
    const scroller = table.querySelector('.dvn-scroller');
    return {scroll: scroller.scrollWidth, client: scroller.clientWidth, right: table.getBoundingClientRect().right,
            page: document.documentElement.clientWidth};
})"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_data_tables_fit_1280_px_with_distinct_units_in_view(base, browser, lang):
    """Step 1's story sends students to distinct units; at 1280 px that column was past the table's right edge."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{base}/?step=1&tab=data&lang={lang}")
        page.wait_for_selector(SETTLED, timeout=90_000)
        page.wait_for_function(
            f"document.querySelectorAll(\"[data-testid='stDataFrame'] .dvn-scroller\").length == {len(TABLES)}",
            timeout=90_000)
        wait_still(page, "[data-testid='stDataFrame'] .dvn-scroller")  # the grid sizes its columns after it appears
        for table in page.evaluate(TABLE_WIDTHS):
            assert table["scroll"] <= table["client"], table  # no sideways scroll inside the table
            assert table["right"] <= table["page"], table  # nor past the page
        # the headers are drawn on the grid's canvas; its accessible table names them, and with no sideways
        # scroll every one of them is in view
        # (the grid fills its accessible table a moment after it draws: wait for the headers, not a fixed time)
        header_cells = """document.querySelector("[data-testid='stDataFrame']").querySelectorAll(
            "th, [role=columnheader]")"""
        page.wait_for_function(f"() => {header_cells}.length > 1", timeout=30_000)
        headers = page.evaluate(f"() => [...{header_cells}].map((h) => h.textContent)")
        assert headers[:2] == [t(lang, "column_layer"), t(lang, "column_distinct_units")]
    finally:
        page.close()
