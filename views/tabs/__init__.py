"""The page's tabs, in order: one record each, read by the app (drawing), the address (the `tab=` parameter's
codes) and the tests. A new tab is its module here with a show(page), its record below and its label tab_<code>
in every language."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

import streamlit as st

from core import Config

from .. import urlstate
from ..page import Page
from . import activations, compare, data, derivation, gradients, spectrum, theory, training


@dataclass(frozen=True)
class Tab:
    """One tab: its code (its `tab=` value; its label is the text tab_<code>), what draws it, and the networks
    it draws besides the page's own, which the page computes with that one before drawing (None: no others)."""

    code: str
    show: Callable[[Page], None]
    networks: Callable[[Config, str], list[Config]] | None = None


TABS = (
    Tab("activations", activations.show),
    Tab("gradients", gradients.show),
    Tab("derivation", derivation.show),
    Tab("compare", compare.show, networks=compare.networks),
    Tab("data", data.show),
    Tab("training", training.show),
    Tab("theory", theory.show),
    Tab("spectrum", spectrum.show),
)
CODES = tuple(tab.code for tab in TABS)


def open_tab(lang: str) -> Tab:
    """The open tab (its state is its label in the page's language); the first before any is chosen."""
    code = urlstate.tab_of(st.session_state.get("tab"), CODES, (lang,)) or CODES[0]
    return TABS[CODES.index(code)]


def other_networks(config: Config, lang: str) -> list[Config]:
    """The networks the open tab draws besides the page's own (computing.compute_first computes them first)."""
    tab = open_tab(lang)
    return [] if tab.networks is None else tab.networks(config, lang)
