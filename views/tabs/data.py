"""The Data tab: every statistic per layer in four tables (activations, pre-activations, gradients, theory), their
CSV download, and the configuration as JSON."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from .. import export, summary
from ..number_writing import format_value
from ..page import Page
from ..text import t
from ..present import current_link

EMPTY = "—"  # what a cell shows where a value is undefined or beyond a break (the CSV leaves it empty)
DIGITS = 4  # significant digits of a measured number in the table
# The tables, each under its title (a catalogue key) with the columns of charts.layer_frame it shows: one table of
# all nineteen is wider than a laptop's page (at 1280 px even seven columns of Chinese headers are), and step 1 sends
# students to distinct units, so it comes first.
# Each table names the layer's width near its number (under a width profile the statistics change with it), and the
# theory's its W's fan_in and fan_out, which its variances are products of.
TABLES = {
    "data_activations": ("layer", "distinct_units", "width", "act_mean", "act_std", "saturated", "dead"),
    "data_pre": ("layer", "width", "pre_mean", "pre_std", "pre_kurtosis", "branch_std", "predicted_branch_std",
                 "exploded", "vanished"),
    "data_gradients": ("layer", "width", "grad_std", "weight_grad_std", "grad_data_ratio"),
    "data_theory": ("layer", "width", "fan_in", "fan_out", "predicted_act_std", "predicted_pre_std",
                    "predicted_grad_std"),
}
# Columns only some networks have: a residual stream's branch (and its theory), and the layers' kurtosis, which a
# stream does not record. A table shows them where some layer past the input has a value, so that each table fits a
# laptop's page (the input's own kurtosis alone says nothing about the layers).
OPTIONAL = ("pre_kurtosis", "branch_std", "predicted_branch_std")


def shown_columns(columns: tuple[str, ...], layers: pd.DataFrame) -> list[str]:
    """A table's columns for this network: TABLES' columns, less the OPTIONAL ones no layer l >= 1 has a value in."""
    return [c for c in columns if c not in OPTIONAL or layers.loc[layers["layer"] >= 1, c].notna().any()]


def written(table: pd.DataFrame) -> pd.DataFrame:
    """export.data_table() as the page shows it: each measured number written as a person writes it, with DIGITS
    digits (number_writing.format_value: 0.2236, 2.944 × 10⁻⁷), None where undefined (the table shows EMPTY); the counts
    and flags as they are. The CSV keeps the numbers themselves."""
    numbers = export.numbers_of(table)
    return table.assign(**{c: [format_value(v, DIGITS) if pd.notna(v) else None for v in table[c]]
                            for c in numbers})


def caption(lang: str, dtype: str) -> str:
    """What the tables' columns count: the saturated column's thresholds (summary.saturation_rules), the dead
    column's rule, and what the underflowed column marks, with dtype's smallest normal number (summary.float_words)."""
    return t(lang, "data_caption", saturated=t(lang, "column_saturated"), dead=t(lang, "column_dead"),
             vanished=t(lang, "column_vanished"), **summary.saturation_rules(), **summary.float_words(dtype))


def show(page: Page) -> None:
    layers = page.frames()["layers"]
    table = export.data_table(layers, page.lang, page.config)
    st.caption(caption(page.lang, page.config.dtype))
    for title, columns in TABLES.items():
        part = export.data_table(layers[shown_columns(columns, layers)], page.lang, page.config)
        numbers = {c: st.column_config.TextColumn(c, alignment="right") for c in export.numbers_of(part)}
        st.markdown(f"**{page.t(title)}**")
        # as tall as its rows, so the last layer is on the page and not behind the table's own scroll bar
        st.dataframe(written(part), hide_index=True, column_config=numbers, placeholder=EMPTY, height="content")
    name = export.csv_name(page.config)
    st.download_button(page.t("download_csv"), export.csv_bytes(page.config, table, current_link()), file_name=name,
                       mime="text/csv", on_click="ignore", help=page.t("download_csv_help", name=name),
                       icon=":material/download:")
    st.markdown(f"**{page.t('config_json')}**")
    st.code(json.dumps(export.config_fields(page.config), indent=1), language="json")  # what changes it
