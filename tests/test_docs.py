"""Every link in README.md and docs/*.md reaches a file that exists and, with a #fragment, a heading of it, as
GitHub names a heading's anchor."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]*))?\)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text: a link's own text kept, lower case, everything but letters, digits,
    spaces, '-' and '_' dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a Markdown page's headings (outside code fences); a repeated one gets -1, -2, ..."""
    found, seen, fenced = set(), Counter(), False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            name = anchor(heading.group(1))
            found.add(name if not seen[name] else f"{name}-{seen[name]}")
            seen[name] += 1
    return found


def test_anchor_is_github_s():
    assert anchor("Engine (`PYTHONPATH=DIR python benchmarks/bench_core.py --repeat 9`, DIR holding torch)") == \
        "engine-pythonpathdir-python-benchmarksbench_corepy---repeat-9-dir-holding-torch"
    assert anchor("The Jacobian's spectrum") == "the-jacobians-spectrum"
    assert anchor("[Links](app.md) and more") == "links-and-more"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_reaches_its_file_and_heading(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for match in LINK.finditer(text):
        target, fragment = match.groups()
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        destination = (page.parent / target) if target else page
        line = text.count("\n", 0, match.start()) + 1
        if not destination.exists():
            broken.append(f"line {line}: no file {target}")
        elif fragment is not None and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"line {line}: no heading #{fragment} in {destination.name}")
    assert not broken, broken
