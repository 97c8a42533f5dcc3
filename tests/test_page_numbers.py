"""Numbers as a person writes them on the Data and Derivation tabs: no 1.00e-04 on the page, and every number read
back from the page (tests/written_numbers.py) is the value the simulation computed; the CSV keeps the numbers."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd
import pytest

from core import Config, simulate
from tests.app_support import data_tables, open_app, open_tab
from tests.test_derivation import as_latex
from tests.written_numbers import read_back
from views import charts, derivation, export, tour
from views.tabs import data

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

MACHINE = re.compile(r"\d[eE][+-]?\d")  # 1.00e-04, 2.9E+07


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("step", ["2", "5", "8"])
def test_the_data_table_writes_each_number_as_a_person_does_and_it_reads_back(step, lang):
    at = open_app(step=step, lang=lang, tab="data")
    assert not at.exception
    shown = data_tables(at)
    frame = charts.layer_frame(simulate(tour.STEPS[step]))  # computed here, on its own
    frame = frame[data.shown_columns(tuple(frame.columns), frame)]  # a plain network's tables have no branch columns
    truth = export.data_table(frame, lang, tour.STEPS[step])
    numbers = export.numbers_of(truth)
    assert len(numbers) >= 10 and sorted(shown.columns) == sorted(truth.columns)
    written = 0
    for column in numbers:
        for cell, value in zip(shown[column], truth[column]):
            if not math.isfinite(value):
                assert pd.isna(cell), (column, cell)  # the table shows its dash there
                continue
            assert isinstance(cell, str) and not MACHINE.search(cell), (column, cell)
            assert read_back(cell) == pytest.approx(value, rel=5.0001e-4, abs=0), (column, cell, value)
            written += "×" in cell
    assert written > 0  # step 2's small numbers are written with a power of ten, not 2.944e-07
    for column in ("layer", "distinct_units"):  # counts as they are
        header = truth.columns[list(frame.columns).index(column)]
        assert list(shown[header]) == list(truth[header])


@pytest.mark.slow
def test_the_csv_keeps_machine_readable_numbers():
    config = tour.STEPS["2"]
    truth = export.data_table(charts.layer_frame(simulate(config)), "en", config)
    again = pd.read_csv(io.BytesIO(export.csv_bytes(config, truth)), comment="#", encoding="utf-8-sig")
    for column in export.numbers_of(truth):
        np.testing.assert_allclose(again[column].to_numpy(float), truth[column].to_numpy(float), rtol=1e-15)
    shown = data.written(truth)[export.numbers_of(truth)]
    assert not shown.map(lambda c: isinstance(c, str) and bool(MACHINE.search(c))).any().any()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("query", [{"step": "2"}, {"step": "7"},
                                   {"step": "custom", "activation": "relu", "init": "normal", "std": "0.001"}])
def test_the_derivation_tab_shows_the_numbers_it_computed_as_a_person_writes_them(query, lang):
    at = open_tab(open_app(**query, lang=lang), "derivation", lang)
    assert not at.exception
    markdown = [m.value for m in at.markdown]  # the notes, and each equation (derivation.as_markdown)
    notes = " ".join(markdown)
    assert not MACHINE.search(notes)
    config = tour.STEPS[query["step"]] if query["step"] != "custom" else Config(
        activation="relu", init="normal", std=0.001)
    blocks = derivation.blocks(simulate(config), lang)  # computed here, on its own
    for block in blocks:
        assert set(derivation.as_markdown(block.formula) + derivation.as_markdown(block.numbers)) <= set(markdown)
        for name, printed in block.shown.items():
            assert printed in notes or as_latex(printed) in block.numbers, (name, printed)  # on the page
            value = float(block.values[name])
            if printed.startswith("—") or printed.endswith("%") or not 1e-300 < abs(value) < 1e300:
                continue
            assert read_back(printed) == pytest.approx(value, rel=5e-3), (name, printed, value)
