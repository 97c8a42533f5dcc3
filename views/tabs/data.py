"""The Data tab: every statistic per layer as a table, its CSV download, and the configuration as JSON."""

from __future__ import annotations

import json

import streamlit as st

from .. import charts
from ..page import Page


def show(page: Page) -> None:
    frame = charts.data_frame(page.frames()["layers"])
    st.caption(page.t("data_caption"))
    numbers = {c: st.column_config.NumberColumn(c, format="%.4g") for c in frame.columns
               if c not in ("layer", "distinct_units", "exploded", "vanished")}
    st.dataframe(frame, hide_index=True, column_config=numbers)
    st.download_button(page.t("download_csv"), frame.to_csv(index=False).encode(), file_name="init_explorer.csv",
                       mime="text/csv")
    st.markdown(f"**{page.t('config_json')}**")
    st.code(json.dumps(page.config.to_dict(), indent=1), language="json")

