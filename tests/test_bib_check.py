"""One check of a library for every reader: the merge, `read_library` (pages) and the plugin.

A library the merge accepts is one `papershelf pages` and the plugin accept, and each problem is
worded the same everywhere. What stops a run is an error; what only some clients mind, or what
papershelf can do without, is a warning.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papershelf.bib import check as check_module
from papershelf.bib.check import field_comments, mask_comments
from papershelf.bib.index import index_library, index_with_warnings
from papershelf.bib.merge import merge_into_library
from papershelf.bib.read import read_library, read_library_and_warnings
from papershelf.errors import LibraryError
from papershelf.model import DateOrigin, Paper, Source
from papershelf.site.build import build_site
from papershelf.site.meta import citation_meta_tags

SOURCE = "x.bib"
PAPER = Paper(
    title="Attention Is All You Need",
    abstract="We propose the Transformer.",
    source=Source("d.txt", 1),
    date=dt.date(2017, 6, 12),
    date_origin=DateOrigin.GIVEN,
    authors=("Ashish Vaswani",),
    arxiv_id="1706.03762",
)


def problems_of_every_reader(text: str) -> list[list[str]]:
    """Return the problems each reader reports for `text`: read, index, merge (empty if none)."""
    found: list[list[str]] = []
    for reader in (
        lambda: read_library(text, source=SOURCE),
        lambda: index_library(text, source=SOURCE),
        lambda: merge_into_library(text, [PAPER], source=SOURCE),
    ):
        try:
            reader()
        except LibraryError as error:
            found.append([str(problem) for problem in error.problems])
        else:
            found.append([])
    return found


ERRORS = [
    pytest.param(
        "@misc{,\n  title = {x}\n}\n",
        "x.bib:1: @misc entry has no citation key; give it one",
        id="no-key",
    ),
    pytest.param(
        "@misc{a,\n  booktitle = neurips\n}\n",
        "x.bib:1: field 'booktitle' of 'a' uses the undefined @string 'neurips'",
        id="undefined-string",
    ),
    pytest.param(
        "@misc{a,\n  title = {ok}\n  year = {2020}\n}\n",
        "x.bib:2: field 'title' of 'a' runs on into `year = {2020}`: a comma is missing",
        id="missing-comma",
    ),
    pytest.param(
        '@misc{a,\n  title = "ok"\n  year = {2020}\n}\n',
        "x.bib:2: field 'title' of 'a' runs on into `year = {2020}`: a comma is missing",
        id="missing-comma-after-quotes",
    ),
    pytest.param(
        "@misc{a,\n  month = jan\n  year = {2020}\n}\n",
        "x.bib:2: field 'month' of 'a' runs on into `year = {2020}`: a comma is missing",
        id="missing-comma-after-macro",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  year = {0000}\n}\n",
        "x.bib:1: field 'year' of 'a' is '0000', which is no year",
        id="year-0000",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  year = {20201}\n}\n",
        "x.bib:1: field 'year' of 'a' is '20201', which is no year",
        id="year-five-digits",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  date = {0000-01-01}\n}\n",
        "x.bib:1: field 'date' of 'a' is '0000-01-01', which is no date",
        id="date-year-0000",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  date = {2020-13-01}\n}\n",
        "x.bib:1: field 'date' of 'a' is '2020-13-01', which is no date",
        id="date-month-13",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  date = {2021-02-29}\n}\n",
        "x.bib:1: field 'date' of 'a' is '2021-02-29', which is no date",
        id="date-february-29",
    ),
    pytest.param(
        "@misc{a,\n  title = {x \\symbol{55296} y}\n}\n",
        "x.bib:1: field 'title' of 'a' has \\symbol{55296}, which is no character",
        id="surrogate-symbol",
    ),
    pytest.param(
        "@misc{a,\n  note = {\\symbol{1114112}}\n}\n",
        "x.bib:1: field 'note' of 'a' has \\symbol{1114112}, which is no character",
        id="symbol-beyond-unicode",
    ),
    pytest.param(
        "@misc{Smith2020,\n  title = {x}\n}\n\n@misc{smith2020,\n  title = {y}\n}\n",
        "x.bib:5: citation key 'smith2020' differs from 'Smith2020' (line 1) only in case",
        id="keys-differing-in-case",
    ),
    pytest.param(
        "@misc{a b,\n  title = {x}\n}\n",
        "x.bib:1: citation key 'a b' contains a space",
        id="space-in-key",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_every_reader_stops_on_the_same_problem(text: str, message: str) -> None:
    read, index, merge = problems_of_every_reader(text)
    assert len(read) == 1, read
    assert read[0].startswith(message)
    assert "; " in read[0]  # the fix follows the diagnosis
    assert index == read
    assert merge == read


WARNINGS = [
    pytest.param(
        "@misc{a,\n  title = {x},\n  upvotes = {many}\n}\n",
        "x.bib:1: field 'upvotes' of 'a' is 'many', not a whole number; papershelf ignores it",
        id="upvotes-not-a-number",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  pubdate = {2025-02-30}\n}\n",
        "x.bib:1: field 'pubdate' of 'a' is '2025-02-30', not a date; papershelf ignores it",
        id="pubdate-not-a-date",
    ),
    pytest.param(
        "@misc{a,\n  title = {x},\n  countsdate = {yesterday}\n}\n",
        "x.bib:1: field 'countsdate' of 'a' is 'yesterday', not a date; papershelf ignores it",
        id="countsdate-not-a-date",
    ),
    pytest.param(
        "@misc{a,\n  author = {X},\n  % title = {Old},\n  title = {New}\n}\n",
        "x.bib:3: entry 'a' has a `%` line inside it: biber and JabRef read it as a comment, "
        "but BibTeX stops reading the entry there",
        id="percent-line",
    ),
]


@pytest.mark.parametrize(("text", "message"), WARNINGS)
def test_every_reader_warns_alike_and_goes_on(text: str, message: str) -> None:
    entries, read_warnings = read_library_and_warnings(text, source=SOURCE)
    _, index_warnings = index_with_warnings(text, source=SOURCE)
    merged = merge_into_library(text, [PAPER], source=SOURCE)
    assert [entry.key for entry in entries] == ["a"]
    assert len(read_warnings) == 1
    assert str(read_warnings[0]).startswith(message)
    assert index_warnings == read_warnings
    assert merged.warnings == read_warnings
    # What the merge writes, every reader accepts.
    read_library(merged.text, source=SOURCE)


def test_an_ignored_field_of_ours_is_left_out_of_the_page_data() -> None:
    text = "@misc{a,\n  upvotes = {many},\n  pubdate = {2025-02-30},\n  year = {2025}\n}\n"
    (entry,) = read_library(text, source=SOURCE)
    assert entry.upvotes is None
    assert entry.date == dt.date(2025, 1, 1)


# ---------------------------------------------------------------------------------------------
# Any text: LibraryError or a result, never another exception; the readers agree.

# Pieces of BibTeX and TeX that broke a reader once, or might: joined at random below.
# fmt: off
_PIECES = st.sampled_from([
    "{", "}", "\\", "%", "@", "#", "=", ",", '"', "\n", "$", "~", "^", " ", "0000", "2025",
    "-02-30", "jan", "arXiv:", "2410.17243", "https://github.com/a/b", " and ", "Last, First",
    "in press", "\\symbol{55296}", "\\symbol{1114112}", "\\symbol{0}", "\\char", '{\\"u}',
    "\\textbf{", "$\\alpha$", "\\\\", "\\c", "\\k{", "{\\relax", "\\href{x}", "\\verb",
    "\\textcolor", "\\sqrt", "\u03b1", "\x00", "\x0b", "\ufffe", "\U0010ffff", "\u2028",
])
# fmt: on
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=8).map("".join)
_VALUE = st.one_of(
    _TEXT.map(lambda text: "{" + text + "}"),
    _TEXT.map(lambda text: '"' + text + '"'),
    st.sampled_from(["jan", "foo", "2020", "0000", "20201", "{0000}", "{2025-02-30}"]),
    _TEXT,
)
_NAMES = st.sampled_from(
    """title author year month date pubdate countsdate upvotes day numcomments githubstars
    authorcount abstract keywords url eprint eprinttype doi code organization note journal key
    Title""".split()
)
_FIELD = st.tuples(st.one_of(_NAMES, st.text(max_size=4)), _VALUE).map(
    lambda pair: f"  {pair[0]} = {pair[1]}"
)
_SEPARATOR = st.sampled_from([",\n", ",\n  % a comment\n", "\n", ", ", ",\n% a = {b},\n"])
_BLOCK = st.tuples(
    st.sampled_from(["misc", "article", "string", "comment", "preamble"]),
    st.one_of(st.sampled_from(["a", "b", "attention2017", ""]), st.text(max_size=4)),
    st.lists(st.tuples(_FIELD, _SEPARATOR), max_size=5),
).map(lambda b: f"@{b[0]}{{{b[1]},\n" + "".join(f + s for f, s in b[2]) + "}\n")
LIBRARIES = st.lists(st.one_of(_BLOCK, _BLOCK, _TEXT), max_size=4).map("\n".join)


def _publish(text: str) -> None:
    """Read a library and make every file the site makes of it, as UTF-8."""
    entries = read_library(text, source=SOURCE)
    for generated in build_site(entries, tag_labels={}, library_texts=[text]):
        generated.content.encode("utf-8")
    for entry in entries:
        citation_meta_tags(entry).encode("utf-8")


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(LIBRARIES)
@example("@misc{a,\n  year = {0000}\n}\n")
@example("@misc{a,\n  title = {\\symbol{55296}}\n}\n")
@example("@misc{a,\n  date = {0000}\n}\n")
def test_any_text_is_a_library_or_library_errors_and_the_readers_agree(text: str) -> None:
    read, index, merge = problems_of_every_reader(text)
    assert index == read
    assert merge == read
    if not read:
        _publish(text)
        _publish(merge_into_library(text, [PAPER], source=SOURCE).text)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(LIBRARIES)
@example('@misc{a,\n  url = {https://x.org/a%20b},\n  title = "a { b", % c\n  year = 2020\n}\n')
def test_comments_found_by_skipping_values_are_those_a_whole_scan_finds(text: str) -> None:
    whole = [
        found
        for found in check_module._scan(text, 0, len(text))
        if isinstance(found, check_module.FieldComment)
    ]
    assert field_comments(text) == whole
    masked = mask_comments(text)
    assert len(masked) == len(text)
    assert masked.count("\n") == text.count("\n")
