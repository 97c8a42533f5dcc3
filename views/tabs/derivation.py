"""The Derivation tab: the variance argument line by line, with this network's numbers (views.derivation's blocks)."""

from __future__ import annotations

import streamlit as st

from .. import derivation as derivation_view
from ..page import Page


def show(page: Page) -> None:
    st.markdown(page.t("der_intro"))
    for block in derivation_view.blocks(page.result, page.lang):
        st.markdown(f"#### {block.title}")
        st.latex(block.formula)
        if block.numbers:
            st.latex(block.numbers)
        for note in block.notes:
            st.markdown(note)

