"""The message catalogue: one locales/<code>.toml per language, read once; t(lang, key, **values) fills a message in.

Every language has every key with the same {placeholders} (tests/test_locale.py holds them to it), so a new
language is one new file: its code joins LANGUAGES, the language switch shows its `language_name`, and a
browser asking for it opens the page in it. A table of a file ([training_tab]) is read as dotted keys
("training_tab.intro"); en.toml's header gives the layout.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

LOCALES = Path(__file__).resolve().parent.parent / "locales"  # read at every call, so a test can point it elsewhere
FIRST = "en"  # the language every other one falls back to, first in the list


@functools.lru_cache(maxsize=4)
def _catalogues(directory: Path) -> dict[str, Mapping[str, str]]:
    """{code: {key: message}} of every locales file in `directory`, tables flattened to dotted keys."""
    def flat(table: dict, prefix: str = "") -> dict[str, str]:
        out = {}
        for key, value in table.items():
            out.update(flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value})
        return out

    found = {path.stem: flat(tomllib.loads(path.read_text(encoding="utf-8")))
             for path in sorted(directory.glob("*.toml"))}
    if FIRST not in found:
        raise FileNotFoundError(f"{directory / (FIRST + '.toml')} is missing: every language falls back to it")
    return {code: MappingProxyType(found[code]) for code in (FIRST, *sorted(set(found) - {FIRST}))}


def catalogue(lang: str) -> Mapping[str, str]:
    """Every message of one language, {key: template}, read-only (English for a language there is no file of)."""
    catalogues = _catalogues(LOCALES)
    return catalogues.get(lang, catalogues[FIRST])


def languages() -> tuple[str, ...]:
    """The codes of the languages there is a file of: English first, then the others in alphabetical order."""
    return tuple(_catalogues(LOCALES))


LANGUAGES = languages()  # the app's language switch and the URL's lang= read this


def t(lang: str, key: str, **values: Any) -> str:
    """The message `key` in `lang` (English if the language lacks it), with `values` filled in.

    KeyError if no language has the key. The template is filled only when values are given, so a message
    shown as it is may hold braces.
    """
    template = catalogue(lang).get(key)
    if template is None:
        template = catalogue(FIRST)[key]
    if not values:
        return template
    formatter, pieces = string.Formatter(), []
    for literal, field, spec, conversion in formatter.parse(template):
        pieces.append(literal)
        if field is not None:
            value = formatter.convert_field(formatter.get_field(field, (), values)[0], conversion)
            if isinstance(value, int) and not isinstance(value, bool) and not spec:
                spec = ","  # a count as people write one, 1,500 (number_writing.format_value's separators)
            pieces.append(formatter.format_field(value, spec))
            if len(pieces) == 2 and not literal.strip() and field in OPENING_NAMES and lang == "en":
                pieces[1] = opening(pieces[1])
    return spaced(pieces)


# The fields whose value, an activation's name, may open an English sentence: "leaky ReLU keeps ..." reads as
# "Leaky ReLU keeps ..." there (opening); tanh keeps the lower case of a mathematical function.
OPENING_NAMES = frozenset({"activation"})
LOWER_CASE_NAMES = ("tanh",)


def opening(name: str) -> str:
    """A name as the first word of a sentence: its first letter a capital, but for LOWER_CASE_NAMES."""
    return name if name.startswith(LOWER_CASE_NAMES) else name[:1].upper() + name[1:]


# A Chinese character next to a Latin letter or a digit (Xavier 正态, 第 3 层) has a space between them, as the
# zh messages write it; spaced() keeps it so where a filled-in value or a list's item meets the message's words.
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
LATIN = r"[A-Za-z0-9\u00c0-\u024f\u0370-\u03ff]"
_TIGHT = re.compile(rf"(?:{HAN}{LATIN}|{LATIN}{HAN})")
# Markdown's marks around a word (**input**, `code`): the space goes outside them, as the zh messages write
# "参数 **{name}** 的值", so a list's "和" meets "**input**" as it meets "input".
MARKS = "*`"
# A closing bracket or a raised or lowered mark ends the word it follows: "N(0, 0.01²)" ends as its "1" does, so a
# list's "和" after it takes the space it takes after "He" ("N(0, 0.01²) 和 He"); "增益²" ends in Chinese: none.
CLOSING = ")]′¹²³⁰⁴⁵⁶⁷⁸⁹⁺⁻⁼⁾ⁿ₀₁₂₃₄₅₆₇₈₉₊₋₌₎"
SIGNS = "-−"  # a minus sign opens the number it stands before: a link's -2, the page's −0.97
# A code span is set apart from Chinese as a Latin word is, whatever it holds: "下划线 `_` 或逗号 `,`", as the zh
# messages write "`{source}` 只接受"; its glyphs alone (a comma, an underscore) are not letters.
CODE = "`"


def spaced(pieces: list[str]) -> str:
    """The pieces joined, with a space where one ends in a Chinese character and the next starts with a Latin letter
    or digit (or the other way round), Markdown's marks (MARKS) on the Latin side kept with it, and a word's closing
    brackets and raised marks (CLOSING) with the word, and a number's minus sign (SIGNS) with the number, and a code
    span (CODE) as a Latin word whatever it holds: "全零和" + "N(0, 1)" -> "全零和 N(0, 1)", "和" + "**input**" -> "和
    **input**", "N(0, 0.01²)" + "和" -> "N(0, 0.01²) 和", "保留" + "-2" -> "保留 -2", "下划线 `_`" + "或" -> "下划线
    `_` 或". Nothing changes inside a piece."""
    out = ""
    for piece in pieces:
        if out and piece:
            end, start = out[-1], piece[0]
            outside = out.count(CODE) % 2 == 0  # every span opened so far is closed: a backtick here opens one
            if outside and (piece.lstrip("*")[:1] == CODE and re.fullmatch(HAN, end) or
                            out.rstrip("*")[-1:] == CODE and re.fullmatch(HAN, start)):
                out += " " + piece
                continue
            if start in MARKS and re.fullmatch(HAN, end):
                start = piece.lstrip(MARKS)[:1]
            if start in SIGNS and piece[1:2]:  # a number's sign is the number's: "保留 -2" as "保留 2"
                start = piece[1]
            if re.fullmatch(HAN, start):  # the word before ends as its last letter does: "**input**", "0.01²)"
                end = out.rstrip(MARKS + CLOSING)[-1:] or end
            if _TIGHT.fullmatch(end + start):
                out += " "
        out += piece
    return out


def browser_language(tag: str | None, codes: tuple[str, ...] | None = None) -> str:
    """The language a page opens in when its link does not say: the one the browser asks for, if there is a file of it.

    tag: the browser's language tag (st.context.locale, navigator.language: "zh-CN", "en-US", "fr"), or None.
    The tag's primary language subtag picks the language (RFC 5646), so "zh-CN" and "zh-TW" open in
    Chinese; a language there is no file of, or no tag, opens in English.
    """
    codes = languages() if codes is None else codes
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in codes else FIRST

