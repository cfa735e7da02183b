"""Fast paths of the parse, tag and BibTeX stages: each gives what the plain path gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.bib import escape as escape_module
from papershelf.bib import library as library_module
from papershelf.bib.escape import escape_title
from papershelf.bib.index import IndexedEntry
from papershelf.errors import DigestError
from papershelf.links import _URL, _trim, classify_url, find_links, http_link_kind, is_http_url
from papershelf.merge import _NOT_ALNUM, normalise_title
from papershelf.model import DateOrigin, Link, LinkKind, Paper, Source
from papershelf.parse_hf_json import _clean, parse_hf_json
from papershelf.parse_hf_text import clean_text, normalise_space
from papershelf.taxonomy import _words, default_taxonomy

# Characters the text fast path must tell apart: plain and other whitespace, line ends,
# controls, format characters, letters of several scripts.
TRICKY = list(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000")
TRICKY += list("\x00\x07\x1b\x7f\x80\x9f\ufeff\u200b\u200d\xad")
TRICKY += list("aZ9_-.,:/()é\u0130\u00df\u65e5\U0001f600")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=40))
def test_clean_is_clean_text_then_normalise_space(text: str) -> None:
    assert _clean(text) == normalise_space(clean_text(text))


@pytest.mark.parametrize(
    "text", ["", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u00a0b", "a\u2028b", "\ufeffa"]
)
def test_clean_edge_cases(text: str) -> None:
    assert _clean(text) == normalise_space(clean_text(text))


def test_printable_text_has_no_whitespace_but_the_space() -> None:
    """The premise of `_clean`: `str.isprintable` rules out every other whitespace character."""
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert [char for char in spaces if char.isprintable()] == [" "]


def test_whitespace_search_agrees_with_isspace() -> None:
    """`is_http_url` finds whitespace with `\\s`, which must be exactly `str.isspace`."""
    space = re.compile(r"\s")
    disagree = [
        code
        for code in range(sys.maxunicode + 1)
        if (space.match(chr(code)) is not None) != chr(code).isspace()
    ]
    assert disagree == []


URLS = [
    "https://github.com/a/b",
    "http://GitHub.com/x",
    "https://github.com",
    "https://www.huggingface.co/datasets/o/n",
    "https://hf.co/spaces/a/b",
    "https://x.github.io/p",
    "https://git.sr.ht/~a/b",
    "https://localhost/x",
    "https://exa_mple.com/",
    "https://[::1]/x",
    "https://x.org:bad/",
    "ftp://x.org/y",
    "javascript:alert(1)",
    "https://a.b/c d",
    "https://a.b/c\u00a0d",
    "https://\u4f8b\u3048.jp/",
    "",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(URLS) | st.text(alphabet=st.sampled_from(list("hts:/.ab_-[] \t")), max_size=30)
)
def test_http_link_kind_is_is_http_url_then_classify_url(url: str) -> None:
    expected = classify_url(url) if is_http_url(url) else None
    assert http_link_kind(url) is expected


def reference_find_links(text: str) -> tuple[Link, ...]:
    """`find_links` as it was written before its fast paths."""
    seen: set[str] = set()
    links: list[Link] = []
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        if url in seen or not is_http_url(url):
            continue
        seen.add(url)
        links.append(Link(url, classify_url(url)))
    return tuple(links)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*URLS, " ", "(", ")", ".", "://", "HTTPS://A.ORG", "x", "\n"]),
        max_size=12,
    ).map("".join)
)
def test_find_links_matches_the_plain_scan(text: str) -> None:
    assert find_links(text) == reference_find_links(text)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(True, "paper.upvotes is 'True', not a count", id="bool"),
        pytest.param(-1, "paper.upvotes is '-1', not a count", id="negative"),
        pytest.param(2.0, "paper.upvotes is '2.0', not a count", id="float"),
        pytest.param(0, None, id="zero"),
        pytest.param(10**30, None, id="big"),
    ],
)
def test_counts(value: object, problem: str | None) -> None:
    text = json.dumps([{"paper": {"title": "T", "publishedAt": "2024-10-22", "upvotes": value}}])
    if problem is None:
        [paper] = parse_hf_json(text, source="d.json", digest_date=None)
        assert paper.upvotes == value
    else:
        with pytest.raises(DigestError) as raised:
            parse_hf_json(text, source="d.json", digest_date=None)
        assert [str(found) for found in raised.value.problems] == [
            f"d.json: item 0: {problem}; fix the JSON"
        ]


def test_author_that_is_not_an_object_is_named_by_position() -> None:
    text = json.dumps([{"paper": {"title": "T", "authors": [{"name": "A"}, "B"]}}])
    with pytest.raises(DigestError) as raised:
        parse_hf_json(text, source="d.json", digest_date=dt.date(2024, 10, 22))
    assert [str(found) for found in raised.value.problems] == [
        "d.json: item 0: paper.authors[1] is a string, not an object; fix the JSON"
    ]


def test_repeated_timestamps_give_equal_dates() -> None:
    item = {"paper": {"title": "T", "publishedAt": "2024-10-22T01:00:00+02:00"}}
    papers = parse_hf_json(json.dumps([item, item]), source="d.json", digest_date=None)
    assert [paper.date for paper in papers] == [dt.date(2024, 10, 21)] * 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_words_are_the_regex_words(text: str) -> None:
    assert _words(text) == re.findall(r"\w+", text)


def test_tagging_finds_single_words_and_acronyms_together() -> None:
    taxonomy = default_taxonomy()
    text = "A diffusion model for RLVR with LoRA adapters.\nText-to-video generation"
    assert taxonomy.match(text) == taxonomy.match(text + " \u00e9")


# The BibTeX stage: titles and author names.

TITLE_CHARS = [*"aZbYéÉßẞǅǆ0129_-: &%$#\\^~@Σσİıﬁ\u0301\t", "LLaMA", "GPT-4o", "Offline"]
CORPORATE_WORDS = [*sorted(library_module._CORPORATE_WORDS), "Ann", "Lee", "and", "teamwork"]


def every_word_title(text: str) -> str:
    """escape_title as it was: the callback sees every word, not only the candidates."""
    every_word = re.compile(escape_module._SPECIAL.pattern + r"|[^\W_]+")
    return every_word.sub(escape_module._title_piece, escape_module._CONTROL.sub(" ", text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TITLE_CHARS), max_size=16).map("".join) | st.text(max_size=30))
def test_title_braces_only_candidate_words(text: str) -> None:
    text = text.replace("{", "").replace("}", "")
    assert escape_title(text) == every_word_title(text)


def general_corporate(name: str) -> bool:
    words = name.split()
    if len(words) < 2 or "," in name or "and" in words:
        return True
    return not library_module._CORPORATE_WORDS.isdisjoint(
        word.strip(".,") for word in name.casefold().split()
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CORPORATE_WORDS), st.sampled_from(["", ".", ",", ".,"]), st.booleans()
        ),
        min_size=1,
        max_size=4,
    )
)
def test_ascii_corporate_test_is_the_general_one(words: list[tuple[str, str, bool]]) -> None:
    name = " ".join((word.upper() if loud else word) + mark for word, mark, loud in words)
    assert library_module._is_corporate(name) == general_corporate(name)


# The merge stage: titles in comparison form.


def regex_normalise_title(title: str) -> str:
    """`normalise_title` of an ASCII title without TeX commands, as the general path computes it."""
    return _NOT_ALNUM.sub(" ", title.replace("{", "").replace("}", "").casefold()).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_title_comparison_form_is_the_regex_one(title: str) -> None:
    title = title.replace("\\", "")
    assert normalise_title(title) == regex_normalise_title(title)


# Records: copies and pickles that skip the generic paths.


def every_field_paper() -> Paper:
    """A paper whose every field differs from its default."""
    return Paper(
        title="T",
        abstract="A",
        source=Source("d.json", line=3, item=4),
        date=dt.date(2025, 3, 6),
        date_origin=DateOrigin.YEAR_INFERRED,
        authors=("Ann Lee",),
        author_count=1,
        organization="Org",
        arxiv_id="2503.00001",
        upvotes=5,
        comments=2,
        counts_date=dt.date(2025, 3, 7),
        github_stars=9,
        links=(Link("https://github.com/a/b", LinkKind.CODE),),
        keywords=("k",),
        tags=("old",),
    )


def test_tagged_is_replace_with_tags() -> None:
    paper = every_field_paper()
    assert {field.name for field in dataclasses.fields(Paper)} == set(Paper.__slots__)
    assert paper.tagged(("new",)) == dataclasses.replace(paper, tags=("new",))
    assert paper.tagged(()) == dataclasses.replace(paper, tags=())


def test_index_rows_pickle_to_equal_rows() -> None:
    row = IndexedEntry(10, 812, "cheng2024breaking", ("2410.17243",), "breaking the barrier")
    assert pickle.loads(pickle.dumps([row, row.moved(5)])) == [row, row.moved(5)]
    assert row.moved(0) is row
