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

from papershelf import (
    DateOrigin,
    DigestError,
    Link,
    LinkKind,
    Paper,
    Problem,
    Source,
    default_taxonomy,
)
from papershelf.bib import escape as escape_module
from papershelf.bib import merge as merge_module
from papershelf.bib.escape import escape_text, escape_title
from papershelf.bib.index import IndexedEntry, LibraryIndex, index_library, index_row
from papershelf.digests.hf_json import _clean, parse_hf_json
from papershelf.digests.hf_text import clean_text, normalise_space
from papershelf.files import decode_digest
from papershelf.identity import _general_form, normalise_title
from papershelf.links import _URL, _trim, classify_url, find_links, http_link_kind, is_http_url
from papershelf.tagging.taxonomy import _words

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


GITHUB_STARTS = [
    "https://github.com",
    "http://github.com",
    "https://GitHub.com",
    "https://www.github.com",
]
GITHUB_PIECES = [*"/ab.-_~?#@:% \t\n\u00e9", "/owner", "/repo.git", ":443", "%20", "//"]


@settings(max_examples=500, deadline=None)
@given(
    st.tuples(
        st.sampled_from(GITHUB_STARTS), st.lists(st.sampled_from(GITHUB_PIECES), max_size=8)
    ).map(lambda parts: parts[0] + "".join(parts[1]))
)
def test_plain_github_urls_get_the_kind_the_url_parser_gives(url: str) -> None:
    expected = classify_url(url) if is_http_url(url) else None
    assert http_link_kind(url) is expected


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        pytest.param("https://github.com/owner/repo", LinkKind.CODE, id="repository"),
        pytest.param("https://github.com/a.b-c_d/e.f/", LinkKind.CODE, id="punctuation"),
        pytest.param("https://github.com/", LinkKind.OTHER, id="no-path"),
        pytest.param("https://github.com/a b", None, id="space"),
    ],
)
def test_plain_github_urls(url: str, kind: LinkKind | None) -> None:
    assert http_link_kind(url) is kind


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


# Reading a digest: the line ends, and the lines of the items of a JSON list.


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from([*"a \r\n\t\x0b\x85\u2028\ufeff\u00e9"]), max_size=30)
    | st.text()
)
def test_decode_digest_is_decode_then_newline_line_ends(text: str) -> None:
    data = text.replace("\x00", "").encode("utf-8")
    expected = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    assert decode_digest(data, name="d.txt") == expected


JSON_ITEMS = [
    {"paper": {"title": "T", "publishedAt": "2024-10-22"}},
    {"paper": {"title": "T"}},
    {"paper": {"summary": "no title"}},
    {"paper": {"title": "T", "upvotes": -1}},
    {"paper": {"title": 3}},
    7,
]


def json_problems(text: str) -> tuple[Problem, ...]:
    """Return the problems `parse_hf_json` reports for a JSON digest; none when it parses."""
    try:
        parse_hf_json(text, source="d.json", digest_date=None)
    except DigestError as error:
        return error.problems
    return ()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(JSON_ITEMS), max_size=8), st.sampled_from([None, 1, 2]))
def test_json_problems_name_the_line_each_item_starts_on(
    items: list[object], indent: int | None
) -> None:
    """The lines are looked up only when there are problems: they must still be the items'."""
    dumped = [json.dumps(item, indent=indent) for item in items]
    starts = [
        2 + sum(text.count("\n") + 1 for text in dumped[:index]) for index in range(len(items))
    ]
    unlocated = json_problems(json.dumps(items))  # on one line, no problem names a line
    located = json_problems("[\n" + ",\n".join(dumped) + "\n]")
    assert [problem.message for problem in located] == [problem.message for problem in unlocated]
    item = [re.match(r"item (\d+): ", problem.message) for problem in unlocated]
    assert [problem.line for problem in located] == [
        starts[int(found[1])] if found else None for found in item
    ]


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


def every_word_title(text: str) -> str:
    """escape_title as it was: the callback sees every word, not only the candidates."""
    every_word = re.compile(escape_module._SPECIAL.pattern + r"|[^\W_]+")
    return every_word.sub(escape_module._title_piece, escape_module._CONTROL.sub(" ", text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TITLE_CHARS), max_size=16).map("".join) | st.text(max_size=30))
def test_title_braces_only_candidate_words(text: str) -> None:
    text = text.replace("{", "").replace("}", "")
    assert escape_title(text) == every_word_title(text)


ASCII_TITLE_CHARS = [*"aZbY0129_-: &%$#\\^~@{}\t\x00\x1f\x7f", "LLaMA", "GPT-4o", "3D", "Offline"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(ASCII_TITLE_CHARS), max_size=16).map("".join)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=30)
)
def test_ascii_title_fast_path_is_the_general_one(text: str) -> None:
    if "{" in text or "}" in text:
        # Braces need the brace-matching path; the fast path must leave such titles to it.
        classes = text.encode("ascii").translate(escape_module._ASCII_TITLE_CLASSES)
        assert b"!" in classes
    else:
        assert escape_title(text) == every_word_title(text)


def test_ascii_escape_table_is_the_regex() -> None:
    """Exhaustive: a text needs work when one of its characters does, so this covers every text."""
    for code in range(128):
        char = chr(code)
        needs_work = escape_module._NEEDS_WORK.search(char) is not None
        assert escape_module._ASCII_NEEDS_WORK[code] == needs_work, repr(char)
        title_class = escape_module._ASCII_TITLE_CLASSES[code]
        assert (title_class == ord("!")) == needs_work, repr(char)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(ASCII_TITLE_CHARS), max_size=16).map("".join)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=40)
)
def test_ascii_text_fast_path_is_the_regex_one(text: str) -> None:
    """A text with a non-ASCII letter takes the regex path; one at the end changes nothing else."""
    assert escape_text(text + "é") == escape_text(text) + "é"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from([*TRICKY, *"&%$#_^~\\@{}, "]), max_size=8)))
def test_keywords_are_the_tags_escaped_one_by_one(tags: list[str]) -> None:
    assert merge_module._keywords(tags) == ", ".join(escape_text(tag) for tag in tags)


# The merge stage: titles in comparison form.


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_title_comparison_form_is_the_general_one(title: str) -> None:
    """The ASCII fast path (one `bytes.translate`) gives what the Unicode path gives."""
    title = title.replace("\\", "")
    assert normalise_title(title) == _general_form(title)


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


# The BibTeX stage: index rows of new entries.

HOSTILE_TITLE_CHARS = [*"aZ é{}\\&@%$#_^~\t\n\x00\x1f\x7f\u2028ß日", "\\&", "LLaMA", "@misc{"]
HOSTILE_TITLE_CHARS += [
    "{\\textbackslash}",
    "{\\symbol{64}}",
    "arXiv:2410.17243",
    "arxiv.org/abs/2501.1",
]
ARXIV_IDS = [
    "2410.17243",
    "2410.1724v3",
    "2410.123456",
    "2410.17243v",
    " 2410.17243",
    "arXiv:2410.17243",
    "hep-th/9901001",
    "hep-th/9901001v2",
    "\u0662\u0660\u0662\u0664.\u0661\u0662\u0663\u0664",
    "2410.17243 2501.00001",
    "2410.17243@x",
]


@settings(max_examples=400, deadline=None)
@given(
    title=st.lists(st.sampled_from(HOSTILE_TITLE_CHARS), max_size=12).map("".join)
    | st.text(max_size=30),
    arxiv_id=st.none()
    | st.sampled_from(ARXIV_IDS)
    | st.from_regex(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]{1,2})?", fullmatch=True)
    | st.text(alphabet=st.sampled_from(list("0123456789.v/ahep-")), max_size=14),
)
def test_new_entry_row_is_the_row_of_its_text(title: str, arxiv_id: str | None) -> None:
    paper = dataclasses.replace(every_field_paper(), title=title, arxiv_id=arxiv_id)
    [(text, row)] = merge_module._render_new([("lee2025t", paper, "ascii")])
    fields = merge_module.paper_to_fields(paper)
    assert row == index_row(0, len(text), "lee2025t", fields)
    assert LibraryIndex((row,)) == index_library(text, source="x.bib")
