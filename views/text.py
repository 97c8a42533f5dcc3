"""Filling in the page's words: lists as a language writes them, and what a visitor typed shown safely.

The words themselves are in locales/<code>.toml, read by views/locale.py; t() is re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .locale import LANGUAGES, catalogue, spaced, t

__all__ = ["LANGUAGES", "SHOWN_CHARACTERS", "catalogue", "charts_pointed", "inserted", "join", "pointed", "pointing",
           "t", "user_text"]


def join(lang: str, items: list[str], kind: str = "list") -> str:
    """Items joined as the language writes a list (kind="list": "a, b and c"), alternatives ("or": "a, b or c"), a
    run of clauses ("clause") or sentences in one paragraph ("sentence": a space in English, nothing in Chinese); a
    Chinese word meets a Latin one with a space between (locale.spaced: "全零和 N(0, 0.01²)")."""
    if kind in ("list", "or") and len(items) > 1:
        pieces = [piece for item in items[:-1] for piece in (item, t(lang, "join_list"))][:-1]
        return spaced([*pieces, t(lang, "join_last" if kind == "list" else "join_or"), items[-1]])
    return spaced([piece for item in items for piece in (item, t(lang, f"join_{kind}"))][:-1])


# A sentence's first word as the catalogue writes it, an ordinary word ("Values", "This"): a capital, then lower case
ORDINARY_START = re.compile(r"[A-Z][a-z]*[a-z](?![\w'’(])")


def inserted(text: str) -> str:
    """A message written to stand alone, placed inside another sentence (after a scheme's name and a colon,
    "N(0, 1): values underflowed ..."): its first word lower-cased where it is an ordinary capitalized word
    (ORDINARY_START: "Values", "This"); a symbol ("J", "N(0, 1)"), a name written with more capitals ("ReLU's") and
    a Chinese message are kept as they are. A name in title case ("Xavier") would be lowered too: the messages the
    page inserts start with ordinary words (tests/test_locale.py holds them to it)."""
    return text[0].lower() + text[1:] if ORDINARY_START.match(text) else text


# A message's pointer to a tab, in the catalogue as ⟦ (Gradients tab)⟧, or to what only the ordinary page draws (⟦ in
# the histograms⟧, which the backward view has not; the headline's ratios): where the page shows its tabs it is read
# without the brackets; presenter mode shows none, and leaves it out. A pointer may name the chart it points to,
# ⟦spectrum| (the Spectrum tab)⟧, which presenter mode then draws itself (pointed: the story's record of what it is
# about).
TAB_POINTER = re.compile(r"⟦(?:(\w+)\|)?(.*?)⟧", re.DOTALL)


def pointing(text: str, tabs: bool) -> str:
    """A message with its pointers to tabs (TAB_POINTER) kept where the page shows its tabs, else left out."""
    return TAB_POINTER.sub(r"\2" if tabs else "", text)


def pointed(text: str) -> frozenset[str]:
    """The charts a message's pointers name (TAB_POINTER's "name|"), none for a pointer that names none."""
    return frozenset(found for found, _ in TAB_POINTER.findall(text) if found)


def charts_pointed(lang: str, key: str) -> frozenset[str]:
    """pointed() of message `key` as the catalogue writes it (its values not filled in); none for no such message."""
    return pointed(catalogue(lang).get(key, ""))


SHOWN_CHARACTERS = 40  # of a value someone typed or linked: enough to recognise it, short enough for a warning
# Characters shown as U+FFFD: line breaks would end the code span (and start a heading or a list), and format
# characters such as U+202E (right-to-left override) would turn the text after them around.
HIDDEN_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
# Streamlit's front end rewrites every ":material/" of a message's source to ":material_" before it parses the
# Markdown, inside code spans too (streamlit#10365): a word joiner (U+2060, invisible) after the colon keeps a
# linked ":material/home:" as it was typed.
ICON_PREFIX, KEPT_ICON_PREFIX = ":material/", ":\u2060material/"


def user_text(lang: str, text: Any) -> str:
    """Text from a link or a text box as a message shows it: literally, as a Markdown code span, cut if long.

    Every message that repeats what a visitor typed or linked goes through here, so that no link can put
    words, links, images, colours, icons or formulas on anyone's page: st.warning and the like render their
    text as Markdown (with Streamlit's :red[...], :material/...: and $...$), and a code span is the one
    Markdown construct whose content is never read as any of it (CommonMark 0.31, section 6.1). The first
    SHOWN_CHARACTERS characters are shown, then how long the whole text is; control and format characters
    show as U+FFFD, and ":material/" with an invisible word joiner after its colon (ICON_PREFIX).
    """
    text = str(text)
    if not text:
        return t(lang, "user_text_empty")
    shown = "".join("\ufffd" if unicodedata.category(c) in HIDDEN_CATEGORIES else c
                    for c in text[:SHOWN_CHARACTERS]).replace(ICON_PREFIX, KEPT_ICON_PREFIX)
    fence = "`" * (1 + _longest_run(shown, "`"))  # a fence longer than any run of backticks inside
    # a span's first and last space are not shown when both are there; neither is, in spaces only (6.1)
    pad = " " if shown.strip(" ") and (shown[0] in "` " or shown[-1] in "` ") else ""
    span = f"{fence}{pad}{shown}{pad}{fence}"
    return span if len(text) <= SHOWN_CHARACTERS else t(lang, "user_text_cut", shown=span, length=len(text))


def _longest_run(text: str, char: str) -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        longest = max(longest, run)
    return longest
