"""The Derivation tab: the variance argument line by line, with this network's numbers (views.derivation's blocks)."""

from __future__ import annotations

import streamlit as st

from .. import derivation as derivation_view
from .. import present
from ..page import Page


def show(page: Page) -> None:
    st.markdown(page.t("der_intro"))
    for number, block in enumerate(derivation_view.blocks(page.result, page.lang)):
        st.markdown(f"#### {block.title}")
        with st.container(key=f"{present.EQUATIONS}{number}"):  # PAGE_CSS spaces the lines a narrow column breaks
            for line in derivation_view.as_markdown(block.formula) + derivation_view.as_markdown(block.numbers):
                st.markdown(line)
        for note in block.notes:
            st.markdown(note)

