"""Any Unicode compiles: the default `ascii` profile under pdflatex + BibTeX and biber (issue 10).

Titles, abstracts and author names from every plane of Unicode are written into one library per
example and compiled in every TeX path of `tests/test_latex.py` (plain, plainnat, alpha; biblatex
+ biber), which assert no error, no stray warning and nothing executed. The PDF must show each
title recognisably: its ASCII letters and digits, or those of its transliteration.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import missing
from papershelf import Paper, Source, merge_into_library
from papershelf.bib.escape import ascii_tex, escape_title, exact_value, name_text
from papershelf.bib.read import decode_tex, read_library
from test_latex import HOSTILE_TEXTS, compile_biber, compile_bibtex, pdf_text

pytestmark = pytest.mark.latex

SOURCE = Source("tests/test_latex_unicode.py", line=1)

ISSUE_TEXTS = (
    "\u03b2-VAE and \u03b1-VAE",
    "Русский текст",
    "עברית",
    "العربية",
    "ภาษาไทย",
    "हिन्दी",
    "中文标题 日本語 한국어",
    "emoji 🚀😀",
    "x ≤ y, ∞, ∑ a, a \u2212 b",
    "zero\u200bwidth",
    "decomposed Zo\u0308e and Cafe\u0301",
    "Vietnamese ễ ặ",
    "O\u2019Brien\u2019s \u201cquotes\u201d \u2013 dashes \u2014 \u2026 € ™",
)
ISSUE_NAMES = (
    "Seán O\u2019Brien",
    "Jón Guðmundsson",
    "Đặng Văn Lâm",
    "Émile Zola",
    "Łukasz Kaiser",
    "Ann ] Lee",
    "Bob ~ Tilde",
    "Carl \\ Back",
    "李雷",
    "Ωmega Smith",
    "Zo\u0308e Dupont",
    "AT&T Labs",
    "0",
    "\u00c9cole Polytechnique",
    "{% weird",
)


def paper(number: int, title: str, abstract: str, authors: tuple[str, ...]) -> Paper:
    """Return a paper whose title starts with a marker, so its line in the PDF can be found."""
    return Paper(
        title=f"Case{number} {title}",
        abstract=abstract,
        source=SOURCE,
        date=dt.date(2025, 1 + number % 12, 6),
        authors=authors,
        author_count=None if authors else 2,
        organization="AT&T Labs" if number % 5 == 4 else None,
        arxiv_id=f"2501.{number:05d}",
    )


def printed(expected: str) -> str:
    """Return the ASCII letters and digits of `expected`, lower case."""
    return re.sub(r"[^0-9a-z]", "", expected.lower())


def assert_titles_printed(cwd: Path, papers: list[Paper]) -> None:
    """Assert that the PDF shows the ASCII letters and digits of every title as typeset."""
    if shutil.which("pdftotext") is None:
        missing("pdftotext is not installed (poppler-utils); `.ci/run` installs it")
    text = pdf_text(cwd)
    assert text is not None
    compact = printed(text.replace("\ufb01", "fi").replace("\ufb02", "fl"))
    for item in papers:
        # What pdflatex typesets: the ascii profile's TeX, forms decoded, transliteration kept.
        typeset = decode_tex(ascii_tex(escape_title(item.title), "title")[0])
        # Word by word: pdftotext reads math glyphs as letters of their own (`∑` as `P`).
        words = re.findall(r"[0-9a-z]+", typeset.lower())
        assert words, item.title
        assert all(word in compact for word in words), (item.title, words)


def compile_everywhere(tmp_path: Path, papers: list[Paper]) -> None:
    """Compile `papers` in every TeX path and check the titles are printed."""
    bib = merge_into_library("", papers, source="papers.bib").text
    # Only the companions that keep the exact text (which no style reads) hold UTF-8.
    assert all(line.isascii() for line in bib.splitlines() if not line.startswith("  utf8"))
    for style in ("plain", "plainnat", "alpha"):
        cwd = compile_bibtex(tmp_path / style, bib, style)
        assert_titles_printed(cwd, papers)
    cwd = compile_biber(tmp_path / "biber", bib, "authoryear")
    assert_titles_printed(cwd, papers)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    for name in ("plain", "plainnat", "alpha", "biber"):
        (tmp_path / name).mkdir()
    return tmp_path


def test_the_issue_s_texts_and_names_compile_in_every_tex_path(fresh: Path) -> None:
    texts = (*ISSUE_TEXTS, *HOSTILE_TEXTS)
    papers = [
        # Every fifth has no authors: alpha labels it by its organisation (once `AT\25`).
        paper(number, text, f"Abstract: {text} 100% of it", names)
        for number, text in enumerate(texts)
        for names in [() if number % 5 == 4 else (ISSUE_NAMES[number % len(ISSUE_NAMES)],)]
    ]
    compile_everywhere(fresh, papers)
    # The site shows the exact text: the library keeps what transliteration lost.
    entries = read_library(merge_into_library("", papers, source="p.bib").text, source="p.bib")
    # (The hostile texts' balanced braces are TeX groups, which the reader drops.)
    for item, entry in zip(papers[: len(ISSUE_TEXTS)], entries, strict=False):
        # biber breaks on TeX's specials in a name in any form: they become spaces.
        # A decomposed letter comes back composed (NFC): it looks the same.
        shown = tuple(
            unicodedata.normalize("NFC", " ".join(name_text(name).split())) for name in item.authors
        )
        assert entry.authors == shown
        # pylatexenc, which the reader hands math to, shows `{$-$}` as a hyphen (known, left).
        abstract = " ".join(item.abstract.split()).replace("\u2212", "-")
        assert entry.abstract == unicodedata.normalize("NFC", abstract)


def test_a_hand_edited_title_wins_over_its_stale_exact_text() -> None:
    papers = [paper(1, "中文标题", "", ("Ann Lee",))]
    text = merge_into_library("", papers, source="p.bib").text
    assert re.search(r"\n  utf8title += \{Case1 中文标题\},?\n", text)
    edited = text.replace("title        = {Case1 {Zhong}", "title        = {Fixed {Zhong}")
    assert edited != text
    (entry,) = read_library(edited, source="p.bib")
    assert entry.title.startswith("Fixed Zhong")
    assert exact_value({"title": "x", "utf8title": "中"}, "title") == "x"


# Every plane, no surrogate halves (no text holds one).
ANY_CHARACTER = st.characters(blacklist_categories=("Cs",))
ANY_TEXT = st.text(ANY_CHARACTER, min_size=1, max_size=30)
ANY_NAME = st.text(ANY_CHARACTER, min_size=1, max_size=14)


# Bounded and derandomized: one library of up to eight entries per example, four TeX paths each.
@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.tuples(ANY_TEXT, ANY_TEXT, st.lists(ANY_NAME, max_size=3)), min_size=4, max_size=8)
)
def test_any_unicode_compiles_in_every_tex_path(entries: list[tuple[str, str, list[str]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp_path = Path(folder)
        for name in ("plain", "plainnat", "alpha", "biber"):
            (tmp_path / name).mkdir()
        papers = [
            paper(number, title, abstract, tuple(names))
            for number, (title, abstract, names) in enumerate(entries)
        ]
        compile_everywhere(tmp_path, papers)
