"""The References list: every citation the page's text makes names one of its works, each work is cited, and the
page lists them all with their years, titles and addresses."""

import re
from pathlib import Path

import pytest

from tests.app_support import open_app
from views import references
from views.locale import LANGUAGES, catalogue
from views.text import t

SURNAME = r"(?:van )?[A-Z][a-zö][A-Za-zö-]*"  # "He", "Sohl-Dickstein"; not "pre-LN, Xiong"
# "Glorot & Bengio 2010", "He et al. (2015", "van Laarhoven 2017", "Hanin 与 Rolnick，2018", "Pennington 等人，2017",
# "He 等人（2015": the authors, "et al." or not, then the year
CITATION = re.compile(rf"(?P<names>{SURNAME}(?:(?:, | & | and | 与 | 和 |、){SURNAME})*)(?P<many> et al\.| 等人)?"
                      r"(?:,? \(?|（|，)(?P<year>(?:19|20)\d\d)\b")
YEAR = re.compile(r"(?<![\w.])(?:19|20)\d\d(?![\w.])")


def citations(lang: str) -> list[tuple[str, re.Match]]:
    return [(key, m) for key, text in catalogue(lang).items() for m in CITATION.finditer(text)]


def cited_work(match: re.Match) -> references.Work:
    """The one work a citation names: its first author and year, and all its authors unless it says "et al."."""
    names = re.split(r", | & | and | 与 | 和 |、", match["names"])
    year = int(match["year"])
    found = [w for w in references.WORKS if w.authors[0] == names[0] and w.year == year]
    assert len(found) == 1, (match[0], found)
    work = found[0]
    # one work, one citation: its authors when there are one or two, the first and "et al." for three or more (the
    # page had cited Pennington, Schoenholz & Ganguli 2017 in full four times, as Pennington et al. twice)
    assert bool(match["many"]) == (len(work.authors) >= 3), (match[0], work.authors)
    if not match["many"]:
        assert tuple(names) == work.authors, (match[0], work.authors)
    return work


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_citation_names_one_work_and_every_work_is_cited(lang):
    found = citations(lang)
    assert len(found) > len(references.WORKS)
    cited = {cited_work(m) for _, m in found}
    assert [w.title for w in references.WORKS if w not in cited] == []


# How each language cites: its joiners between authors, its "et al.", and what comes before the year (a citation in
# brackets, or a narrative one: "He et al. (2015) doubled it", "He 等人（2015）把它加倍")
STYLE = {"en": ({", ", " & "}, " et al.", {" ", " ("}), "zh": ({"、", " 与 "}, " 等人", {"，", "（"})}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_cites_in_one_style(lang):
    joiners, many, before_year = STYLE[lang]
    odd = [(key, m[0]) for key, m in citations(lang)
           if not set(re.findall(r", | & | and | 与 | 和 |、", m["names"])) <= joiners
           or m["many"] not in (None, many)
           or m[0][m.end("many") - m.start() if m["many"] else len(m["names"]):m.start("year") - m.start()]
           not in before_year]
    assert odd == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_year_the_text_names_is_a_citation_s(lang):
    """A citation the pattern above would not read (another joiner, a comma before the year) would escape the
    check: every year in the text is one a citation gives."""
    stray = [(key, text[max(0, m.start() - 30):m.end()]) for key, text in catalogue(lang).items()
             for m in YEAR.finditer(text)
             if not any(c.start("year") == m.start() for c in CITATION.finditer(text))
             and key not in ("reference_entry", "reference_notes")]
    assert stray == []


def test_the_works_are_listed_by_year_then_first_author_each_once():
    keys = [(w.year, w.authors) for w in references.WORKS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(w.url.startswith("https://") for w in references.WORKS)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_lists_every_work_with_its_year_title_and_address(lang):
    at = open_app(step="2", lang=lang)
    [box] = [e for e in at.expander if e.label == t(lang, "references")]
    lines = box.markdown[0].value.split("\n")
    notes = len(references.NOTES)
    assert len(lines) == notes + len(references.WORKS)
    for line, n in zip(lines, references.NOTES):  # the course notes first, each saying what the page takes from them
        assert n.course in line and f"[*{n.title}*]({n.url})" in line and line.endswith(t(lang, n.about)), line
    for line, work in zip(lines[notes:], references.WORKS):
        assert f"[*{work.title}*]({work.url})" in line and str(work.year) in line, line
        assert line.startswith(f"- {references.short(work, lang)}"), line


def test_the_readme_lists_every_work_the_page_cites():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    listed = " ".join(readme[readme.index("### References"):].split()).casefold()
    assert [w.title for w in references.WORKS if f"({w.year}), *{w.title.casefold()}" not in listed] == []


def test_the_readme_lists_the_course_notes_too():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    listed = " ".join(readme[readme.index("### References"):].split())
    missing = [n.title for n in references.NOTES if f'"{n.title}"' not in listed or n.url.split("#")[0] not in listed]
    assert missing == []
