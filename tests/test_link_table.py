"""docs/app.md's table of link parameters against the code that reads links: every parameter, its values and its
default, so the table cannot drift from urlstate.PARAMS, tour.STEPS and tabs.CODES."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.config import written
from views import urlstate
from views.tabs import CODES as TABS

DOC = Path(__file__).resolve().parent.parent / "docs" / "app.md"
NEVER_WRITTEN = ("bn",)  # read from older links only (norm says it)


def rows() -> dict[str, tuple[str, str]]:
    """The link table's rows: parameter -> (values, default); a row naming several parameters gives each its own
    default ("0, 0")."""
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| parameter | values | default |"):]
    table = table[:table.index("\n\n")]
    found = {}
    for line in table.splitlines()[2:]:
        names, values, default = (cell.strip() for cell in line.strip("|").split(" | "))
        names = re.findall(r"`([a-z_]+)`", names)
        defaults = default.split(", ") if len(names) > 1 else [default]
        found |= {name: (values, own) for name, own in zip(names, defaults)}
    return found


def codes(values: str) -> set[str]:
    """The codes a values cell names in backticks, a range `1`–`11` as each whole number in it."""
    found = set(re.findall(r"`([^`]+)`", values))
    for low, high in re.findall(r"`(\d+)`–`(\d+)`", values):
        found |= {str(n) for n in range(int(low), int(high) + 1)}
    return found


def plain(text: str) -> str:
    return text.replace("`", "").replace("−", "-")


TABLE = rows()


def test_every_parameter_the_page_reads_is_in_the_table():
    assert set(TABLE) == set(urlstate.PARAMS) - set(NEVER_WRITTEN)


@pytest.mark.parametrize("name", [n for n in urlstate.PARAMS if n not in NEVER_WRITTEN])
def test_each_rows_values_and_default_are_the_codes(name):
    """A choice or list: every allowed code named, and no whole number the parameter does not allow (`1`–`7` for
    eleven steps); a number: its range as the page writes numbers; the default as the link writes it."""
    values, default = TABLE[name]
    p = urlstate._param(name, TABS)
    if "same names as `compare`" in values:  # train: the race's names, written once in compare's row
        values = TABLE["compare"][0]
    if p.kind in ("choice", "list") and "REGISTRY" not in values:  # a registry's row names a few and the registry
        assert set(p.choices) <= codes(values), set(p.choices) - codes(values)
        numbers = {c for c in codes(values) if c.isdigit()}
        assert numbers <= set(p.choices), numbers - set(p.choices)
    elif p.kind in ("int", "odd", "float") and name != "seed":  # the seed's range is written 0–2³²−1
        assert f"{written(p.low)}–{written(p.high)}".replace("-", "−") in values.replace("-", "−") \
            or f"from {written(p.low)} to {written(p.high)}" in values, values
    shown = urlstate.shown_value(urlstate.defaults(TABS)[name])
    if name == "lang":  # the browser's language, else the first
        assert f"`{shown}`" in default
    elif name in ("compare", "train"):
        assert "lecture's five" in default
    elif name == "widths":
        assert "constant" in default
    else:
        assert plain(default) == shown, (default, shown)
