"""The Data tab in Chromium at a laptop's 1280 x 800: its tables fit the page without scrolling sideways."""

from __future__ import annotations

import pytest

from tests.browser_support import act, option, visit, wait_still, watched_page
from views.tabs.data import TABLES
from views.text import t

pytestmark = pytest.mark.slow

# each table's own scroller (Glide Data Grid, which st.dataframe draws): its widths, and the table's right edge
TABLE_WIDTHS = """() => [...document.querySelectorAll("[data-testid='stDataFrame']")].map((table) => {
    const scroller = table.querySelector('.dvn-scroller');
    return {scroll: scroller.scrollWidth, client: scroller.clientWidth, right: table.getBoundingClientRect().right,
            page: document.documentElement.clientWidth};
})"""


def test_the_data_tables_fit_1280_px_with_distinct_units_in_view(base, browser):
    """Step 1's story sends students to distinct units; at 1280 px that column was past the table's right edge. In
    English, then in Chinese switched on the same page."""
    with watched_page(browser, viewport={"width": 1280, "height": 800}) as page:
        visit(page, f"{base}/?step=1&tab=data", charts=0)
        for lang in ("en", "zh"):
            if lang != "en":
                act(page, lambda: option(page, "Language · 语言", 1).click())
            assert page.get_by_role("tab", selected=True).inner_text() == t(lang, "tab_data"), lang
            page.wait_for_function(
                f"document.querySelectorAll(\"[data-testid='stDataFrame'] .dvn-scroller\").length == {len(TABLES)}",
                timeout=90_000)
            wait_still(page, "[data-testid='stDataFrame'] .dvn-scroller")  # the grid sizes its columns after it appears
            header_cells = """document.querySelector("[data-testid='stDataFrame']").querySelectorAll(
                "th, [role=columnheader]")"""
            # (the grid fills its accessible table a moment after it draws: wait for the headers, not a fixed time)
            first = t(lang, "column_layer")
            page.wait_for_function(f"() => {header_cells}.length > 1 && {header_cells}[0].textContent === "
                                   f"{first!r}", timeout=30_000)  # the language's own headers, not the last's
            for table in page.evaluate(TABLE_WIDTHS):  # measured in the language's own table
                assert table["scroll"] <= table["client"], (lang, table)  # no sideways scroll inside the table
                assert table["right"] <= table["page"], (lang, table)  # nor past the page
            # the headers are drawn on the grid's canvas; its accessible table names them, and with no sideways
            # scroll every one of them is in view
            headers = page.evaluate(f"() => [...{header_cells}].map((h) => h.textContent)")
            assert headers[:2] == [t(lang, "column_layer"), t(lang, "column_distinct_units")], lang
