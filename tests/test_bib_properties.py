"""Properties of escaping and writing: any text survives, nothing becomes a command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf import Paper, Source, merge_into_library
from papershelf.bib.escape import (
    escape_name,
    escape_text,
    escape_title,
    exact_value,
    name_text,
    strip_grouping,
    unescape_text,
    unescape_title,
    verbatim_url,
)
from papershelf.bib.read import decode_tex
from papershelf.identity import normalise_title

SNIPPETS = (
    "\\",
    "{",
    "}",
    "$",
    "^",
    "%",
    "&",
    "#",
    "_",
    "~",
    "@",
    " ",
    "\\&",
    "\\%",
    "\\$",
    "\\#",
    "\\_",
    "{LLM}s",
    "\\input{canary.txt}",
    "\\write18{touch pwned}",
    "^{+}",
    "\\footnote{",
    "{\\&}",
    "{&}",
    "\\textbackslash{}",
    "{\\textbraceleft}",
    "\\^{}",
    "{\\symbol{64}}",
    '{\\"u}',
    "ü",
    "ß",
    "Ø",
    "GPT",
    "LLaMA",
)
# Paper text never holds control characters (parsers normalise whitespace); see the test below.
PRINTABLE = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))
TEXT = st.lists(st.one_of(st.sampled_from(SNIPPETS), PRINTABLE), max_size=40).map("".join)
OUR_COMMANDS = {"textbackslash", "textbraceleft", "textbraceright", "symbol"}
# Accents and letters of author names: `{\\k E}`, `{\\o}`, `{\\ss}`.
NAME_COMMANDS = OUR_COMMANDS | set("cvukHrlLoO") | {"ss", "ae", "AE", "oe", "OE"}


def bare_braces_balance(tex: str) -> bool:
    depth = 0
    for char in tex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def assert_inert(tex: str, commands: set[str] = OUR_COMMANDS) -> None:
    assert bare_braces_balance(tex)
    assert "@" not in tex
    assert set(re.findall(r"\\([A-Za-z]+)", tex)) <= commands
    assert re.search(r"(?<!\\)[%#&$_]", tex) is None
    assert re.search(r"(?<!\\)[\^~]", tex) is None


@given(TEXT)
def test_unescape_inverts_escape_text(text: str) -> None:
    assert unescape_text(escape_text(text)) == text


@given(TEXT)
def test_escape_text_is_inert(text: str) -> None:
    assert_inert(escape_text(text))


@given(TEXT)
def test_escape_title_is_inert_and_displays_the_text(text: str) -> None:
    tex = escape_title(text)
    assert_inert(tex)
    assert unescape_title(tex) == strip_grouping(text)


@given(TEXT)
def test_escape_name_is_inert_and_reads_as_the_text_does(text: str) -> None:
    tex = escape_name(text)
    assert_inert(tex, NAME_COMMANDS)
    # Names brace their escapes (`{\&}`, `{]}`: one letter for alpha.bst) and hold no TeX
    # special but `&` in a word (`name_text`: biber breaks on them); read back, they show what
    # the same text shows as any other field.
    assert decode_tex(tex) == decode_tex(escape_text(name_text(text)))


@given(st.text())
def test_control_characters_become_spaces(text: str) -> None:
    tex = escape_text(text)
    assert_inert(tex)
    # Unicode's noncharacters too: biber stops on them.
    nonchars = "\ufdd0-\ufdef" + "".join(
        chr(p << 16 | 0xFFFE) + chr(p << 16 | 0xFFFF) for p in range(17)
    )
    assert unescape_text(tex) == re.sub(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{nonchars}]", " ", text)


@given(st.text(min_size=1).filter(str.strip))
def test_verbatim_url_is_idempotent_and_safe(url: str) -> None:
    clean = verbatim_url(url)
    assert verbatim_url(clean) == clean
    assert re.search(r"[\s{}\\@\"<>^`|]", clean) is None
    assert clean.isascii()


SOURCE = Source("tests/test_bib_properties.py", line=1)


def paper(title: str, abstract: str) -> Paper:
    return Paper(
        title=title, abstract=abstract, source=SOURCE, date=dt.date(2025, 3, 6), arxiv_id=None
    )


def normalised(text: str) -> str:
    return " ".join(text.split())


@given(TEXT.map(normalised), TEXT.map(normalised))
def test_title_and_abstract_survive_write_and_parse(title: str, abstract: str) -> None:
    text = merge_into_library("", [paper(title, abstract)], source="papers.bib").text
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    (entry,) = library.entries
    # The ascii profile transliterates what has no TeX form; the exact text is its companion's.
    fields = {field.key: field.value for field in entry.fields}
    # an empty title is left out, as every field without content is
    assert unescape_title(exact_value(fields, "title")) == strip_grouping(title)
    assert ("title" in entry.fields_dict) == bool(title)
    assert unescape_text(exact_value(fields, "abstract")) == abstract
    again = merge_into_library(text, [paper(title, abstract)], source="papers.bib")
    if normalise_title(title):
        # a second run finds the paper by its title and changes no byte
        assert again.text == text
    else:
        # a title without letters or digits identifies nothing: the paper is new again
        assert len(again.added) == 1


# pdflatex with T1 typesets ASCII and Latin-1 letters; other scripts are documented as unsupported.
LATEX_CHARS = st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("éüßøÆ")
LATEX_TEXT = (
    st.lists(st.one_of(st.sampled_from(SNIPPETS[:-6]), LATEX_CHARS), min_size=1, max_size=30)
    .map("".join)
    .map(normalised)
    .filter(lambda text: any(char.isalnum() for char in text))
)


@pytest.mark.latex
@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(LATEX_TEXT, LATEX_TEXT), min_size=1, max_size=4))
def test_any_text_compiles_under_bibtex_without_executing(texts: list[tuple[str, str]]) -> None:
    from test_latex import compile_bibtex

    papers = [
        dataclasses.replace(paper(title, abstract), authors=("Ann Lee",), arxiv_id=f"2501.{i:05d}")
        for i, (title, abstract) in enumerate(texts)
    ]
    with tempfile.TemporaryDirectory() as directory:
        compile_bibtex(Path(directory), papers, "plain")
