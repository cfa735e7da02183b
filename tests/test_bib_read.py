"""Reading any .bib: ours, JabRef's, Zotero's, Better BibTeX's, and the rejected ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, INTEROP, InteropLibrary, interop_id, interop_libraries
from papershelf import LibraryError, Link, LinkKind, read_library
from papershelf.bib import read as read_module
from papershelf.bib.index import slice_bounds
from papershelf.bib.read import decode_tex, read_library_and_warnings, split_names
from papershelf.errors import Problem
from papershelf.parallel import Stage, thresholds


def read(path: Path) -> list:
    return read_library(path.read_text(encoding="utf-8"), source=path.name)


ARXIV_STYLE_KEYS = [
    "hu2021loralowrankadaptation",
    "devlin2018bert",
    "kingma2014adam",
    "DBLP:journals/corr/abs-2010-11929",
    "doe2024planning",
]

POSITIVE = [
    pytest.param("betterbibtex_online_arxiv.bib", ["kowalczyk2021"], id="bbt"),
    pytest.param("bibtexparser_example.bib", ["Dupont2016"], id="bibtexparser"),
    pytest.param("arxiv_style_variants.bib", ARXIV_STYLE_KEYS, id="arxiv-variants"),
    pytest.param("eprinttype_plus_archiveprefix.bib", ["bothaliases"], id="eprint-both"),
    pytest.param(
        "escapes_and_utf8_alpha_label.bib", ["escaped2024", "rawutf8alpha2024"], id="escapes"
    ),
    pytest.param(
        "missing_author_variants.bib",
        ["tooluse2025", "tooluse2025b", "unknown2025"],
        id="no-author",
    ),
    pytest.param("url_with_percent_backref.bib", ["pcturl"], id="percent-url"),
    pytest.param(
        "zotero_escape_roundtrip_cases.bib",
        ["rt1", "rt2", "rt3", "rt4", "rt5"],
        id="zotero-escapes",
    ),
    pytest.param(
        "zotero_import_cases.bib",
        ["zi1", "zi2", "zi3", "zi4", "zi5", "zi6"],
        id="zotero-import",
    ),
    pytest.param("zotero_two_escaped_dollars.bib", ["dollars"], id="dollars"),
    pytest.param(
        "jabref_arxiv_entries.bib",
        ["Mikolov2013", "Kingma2013", "Goodfellow2014", "Ioffe2015"],
        id="jabref",
    ),
    # NEGATIVE_* fixtures that break BibTeX or biber but carry readable entries: we read them.
    pytest.param(
        "NEGATIVE_at_sign_in_percent_comment.bib", ARXIV_STYLE_KEYS, id="negative-at-sign"
    ),
    pytest.param("NEGATIVE_percent_in_abstract_biber.bib", ["rawpercent"], id="negative-percent"),
    pytest.param("NEGATIVE_tex_injection.bib", ["inject"], id="negative-injection"),
    pytest.param("NEGATIVE_unescaped.bib", ["rawspecials"], id="negative-unescaped"),
]


@pytest.mark.parametrize(("name", "keys"), POSITIVE)
def test_reads_fixture(name: str, keys: list[str]) -> None:
    entries = read(INTEROP / name)
    assert [entry.key for entry in entries] == keys
    for entry in entries:
        assert entry.title
        assert "\\" not in entry.title or name == "zotero_escape_roundtrip_cases.bib"
        assert entry.bibtex.startswith("@")
        assert entry.key in entry.bibtex
        assert entry.source.file == name


REJECTED = [
    pytest.param("NEGATIVE_badkey.bib", 1, "this block is not valid BibTeX", id="badkey"),
    pytest.param(
        "NEGATIVE_unbalanced.bib",
        1,
        "this block is not valid BibTeX (Unexpectedly reached end of file.)",
        id="unbalanced",
    ),
    pytest.param(
        "NEGATIVE_dupkeys.bib",
        5,
        "citation key 'twice' is already used by the entry at line 1",
        id="dupkeys",
    ),
    # Positive fixtures for other clients, but unusable for a site: a page needs a unique key.
    pytest.param(
        "jabref_encoding_header_empty_key.bib",
        3,
        "@book entry has no citation key",
        id="jabref-empty-key",
    ),
    pytest.param(
        "zotero_bibtexjs_shapes.bib",
        39,
        "citation key 'roe_identifiers_????' is already used by the entry at line 25",
        id="zotero-duplicate",
    ),
]


@pytest.mark.parametrize(("name", "line", "message"), REJECTED)
def test_rejects_fixture_with_file_line(name: str, line: int, message: str) -> None:
    with pytest.raises(LibraryError) as caught:
        read(INTEROP / name)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{name}:{line}: {message}")
    assert "; " in problem.message  # the fix follows the diagnosis


@pytest.mark.parametrize("library", interop_libraries(), ids=interop_id)
def test_any_library_is_read_or_refused_line_by_line(library: InteropLibrary) -> None:
    """Ours and an external corpus's: entries that keep their text, or `file:line: problem; fix`."""
    text = library.read_text()
    name = library.path.name
    problems: tuple[Problem, ...] = ()
    try:
        entries = read_library(text, source=name)
    except LibraryError as caught:
        problems = caught.problems
        entries = []
    for problem in problems:
        assert problem.file == name
        assert problem.line is not None
        assert 1 <= problem.line <= text.count("\n") + 1
        assert "; " in problem.message  # the fix follows the diagnosis
    assert problems or entries, f"{name} holds no entry"
    for entry in entries:
        assert entry.bibtex.startswith("@")
        assert entry.key in entry.bibtex
        assert entry.source.file == name


def test_zotero_fixture_reads_once_its_concatenation_duplicate_is_gone() -> None:
    text = (INTEROP / "zotero_bibtexjs_shapes.bib").read_text(encoding="utf-8")
    second = text.index("@inbook{roe_identifiers_????")
    end = text.index("% ---", second)
    entries = {
        entry.key: entry for entry in read_library(text[:second] + text[end:], source="z.bib")
    }
    assert list(entries) == [
        "EscapeProbe1",
        "okafor_reporting_2021",
        "roe_identifiers_????",
        "example-electronic-macro",
        "petrova51",
        "walker:sensors",
        "NEURIPS2015_abcdef12",
        "Kowalski:1234567",
        "wisniewski2001byc",
    ]
    # @string macros, `#` concatenation, case-insensitive names and field names.
    # The fixture's `Petr{\\o}va` is a TeX line break (`\\`), as a JavaScript string leaves it.
    assert entries["petrova51"].authors == ("Olga Petr ova", "Ren 'e Brandt")
    assert entries["petrova51"].title == "The unlikely SHELF---guide"
    assert entries["petrova51"].year == 1951
    assert entries["petrova51"].month == 7
    assert entries["example-electronic-macro"].url == "https://example.org/shelf/"
    assert entries["example-electronic-macro"].authors == ("Society for Open Bibliographies",)
    assert "@String {shelf-url" in entries["example-electronic-macro"].bibtex
    assert entries["walker:sensors"].month == 11
    assert entries["wisniewski2001byc"].title == "Być czy mieć: wpływ środowiska na życie"
    assert entries["wisniewski2001byc"].authors == ("Paweł Wiśniewski", "Anna Kończak")
    assert entries["NEURIPS2015_abcdef12"].authors[2] == "Maria D'souza"
    assert entries["Kowalski:1234567"].title == (
        "Observation of the Λ^0 Baryon Decay and Search for Λ^0 Resonances at LHCb"
    )
    okafor = entries["okafor_reporting_2021"]
    assert okafor.authors[-1] == "Working Group on Reproducible Evaluation"
    assert okafor.author_count == 20
    assert okafor.doi == "10.5555/fictional.2021.0042"
    # `eprint = {XY987654}` is not an arXiv id: no broken arXiv button.
    assert entries["roe_identifiers_????"].arxiv_id is None


def test_our_format_and_foreign_fields() -> None:
    by_key = {e.key: e for e in read(INTEROP / "arxiv_style_variants.bib")}
    bert = by_key["devlin2018bert"]
    assert bert.title == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert (bert.year, bert.month, bert.day, bert.date) == (2018, 10, None, dt.date(2018, 10, 1))
    assert bert.arxiv_id == "1810.04805"
    assert bert.doi == "10.48550/arXiv.1810.04805"
    assert bert.tags == ("cs.CL", "pretraining")
    assert by_key["kingma2014adam"].arxiv_id == "1412.6980"  # from `journal`
    assert by_key["doe2024planning"].date == dt.date(2024, 5, 20)  # biblatex `date`
    assert by_key["hu2021loralowrankadaptation"].author_count == 8
    kowalczyk = read(INTEROP / "betterbibtex_online_arxiv.bib")[0]
    assert kowalczyk.arxiv_id == "2106.01234"  # `eprint = {arXiv:2106.01234}`
    assert (kowalczyk.year, kowalczyk.month, kowalczyk.day) == (2021, 6, None)
    assert kowalczyk.authors[2] == "Zofia Łukasiewicz-Wójcik"
    jabref = read(INTEROP / "jabref_arxiv_entries.bib")[0]
    assert (jabref.date, jabref.arxiv_id, jabref.tags) == (
        dt.date(2013, 1, 16),
        "1301.3781",
        ("cs.CL", "cs.LG"),
    )
    cases = {e.key: e for e in read(INTEROP / "zotero_import_cases.bib")}
    assert cases["zi2"].tags == ("planning", "robotics", "vision")
    assert cases["zi2"].arxiv_id == "2309.08765"  # `note = {arXiv:...}`
    assert cases["zi3"].authors == (
        "Anonymous",
        "DeepMind Team",
        "Society for Open Bibliographies",
    )
    assert cases["zi3"].month == 7
    assert cases["zi4"].links == (Link("https://github.com/team/tool_kit#usage", LinkKind.CODE),)
    assert cases["zi5"].authors == ("Mary Major",)
    dupont = read(INTEROP / "bibtexparser_example.bib")[0]
    assert (dupont.entry_type, dupont.year, dupont.month) == ("article", 2016, 6)


def test_hostile_library_keeps_only_http_links() -> None:
    first, second = read(DATA / "hostile.bib")
    assert first.title.startswith("<script>alert(1)</script> and <img src=x onerror=alert(1)>")
    assert "{{ config }} and {% include 'x' %}" in first.abstract
    assert "\\input{x}" in first.abstract
    assert first.links == (
        Link("https://github.com/ok/repo", LinkKind.CODE),
        Link("https://github.com/ok/paren_(v2)", LinkKind.CODE),
        Link('http://evil.example/"onmouseover=alert(6)', LinkKind.PROJECT),
        Link("https://huggingface.co/org/model", LinkKind.HF_MODEL),
    )
    assert (first.upvotes, first.comments, first.counts_date) == (64, 3, dt.date(2025, 10, 30))
    assert first.date == dt.date(2025, 3, 6)
    assert first.day == 6
    assert second.authors == ()
    assert second.author_count == 4
    assert second.links == (Link("https://example.org/page?a=1&b=2", LinkKind.OTHER),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "@misc{a, author=nobody}",
            "x.bib:1: field 'author' of 'a' uses the undefined @string 'nobody'",
            id="macro",
        ),
        pytest.param(
            "\n\n@misc{a b, title={x}}",
            "x.bib:3: citation key 'a b' contains a space",
            id="space-key",
        ),
    ],
)
def test_problems_name_file_line_and_fix(text: str, message: str) -> None:
    with pytest.raises(LibraryError) as caught:
        read_library(text, source="x.bib")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "@misc{a, title={x}, upvotes={many}}",
            "x.bib:1: field 'upvotes' of 'a' is 'many', not a whole number; papershelf ignores it",
            id="upvotes",
        ),
        pytest.param(
            "@misc{a, title={x}, pubdate={2025-02-30}}",
            "x.bib:1: field 'pubdate' of 'a' is '2025-02-30', not a date; papershelf ignores it",
            id="pubdate",
        ),
        pytest.param(
            "@misc{a, title={x}, pubdate={20250130}}",
            "x.bib:1: field 'pubdate' of 'a' is '20250130', not a date; papershelf ignores it",
            id="pubdate-basic-form",
        ),
    ],
)
def test_a_malformed_field_of_ours_is_a_warning_and_ignored(text: str, message: str) -> None:
    (entry,), (warning,) = read_library_and_warnings(text, source="x.bib")
    assert str(warning).startswith(message)
    assert (entry.upvotes, entry.date) == (None, None)


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    text = "@misc{a, year={0000}}\n@misc{b, author=nobody}\n@misc{a, title={dup}}\n"
    with pytest.raises(LibraryError) as caught:
        read_library(text, source="x.bib")
    assert [problem.line for problem in caught.value.problems] == [1, 2, 3]


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        pytest.param("{{LLaMA}}: Open", "LLaMA: Open", id="protection"),
        pytest.param(r"100\% \& \$5 \#1 x\_1", "100% & $5 #1 x_1", id="specials"),
        pytest.param(
            r"a\~{}b\^{}c{\textbackslash}d{\symbol{64}}e", "a~b^c\\d@e", id="papershelf-forms"
        ),
        pytest.param(r"{\textbraceleft}x{\textbraceright}", "{x}", id="lone-braces"),
        pytest.param(r"\textbackslash{}input\{x\}", "\\input{x}", id="textbackslash-group"),
        pytest.param(r"R{\&}D", "R&D", id="residue"),
        pytest.param(
            r"M{\"u}ller {\o}re {\c C}a{\u g}lar na{\"\i}ve",
            "Müller øre Çağlar naïve",
            id="accents",
        ),
        pytest.param(r"Caf\'e Z\"urich", "Café Zürich", id="bare-accents"),
        pytest.param(r"\emph{x} and $\alpha$-Fold", "x and α-Fold", id="pylatexenc"),  # noqa: RUF001
        pytest.param(
            r"{\textless}b{\textgreater} \textbf{bold}", "<b> bold", id="pylatexenc-symbols"
        ),
        pytest.param("two\n   lines", "two lines", id="whitespace"),
        pytest.param("no~break", "no break", id="tie"),
    ],
)
def test_decode_tex(tex: str, text: str) -> None:
    assert decode_tex(tex) == text


def test_decode_keeps_abstract_paragraphs() -> None:
    assert decode_tex("One\n two.\n\n  Three.", paragraphs=True) == "One two.\n\nThree."


@pytest.mark.parametrize(
    ("tex", "names"),
    [
        pytest.param(
            "Touvron, Hugo and Lavril, Thibaut",
            ["Touvron, Hugo", "Lavril, Thibaut"],
            id="last-first",
        ),
        pytest.param("{{DeepSeek-AI}} and A AND B", ["{{DeepSeek-AI}}", "A", "B"], id="corporate"),
        pytest.param("{Barnes and Noble} and X", ["{Barnes and Noble}", "X"], id="braced-and"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_names(tex: str, names: list[str]) -> None:
    assert split_names(tex) == names


def test_display_names() -> None:
    entry = read_library(
        "@misc{k, author = {Touvron, Hugo and {Barnes and Noble} and King, Jr, Martin"
        " and Jane Doe and others}}",
        source="x.bib",
    )[0]
    assert entry.authors == (
        "Hugo Touvron",
        "Barnes and Noble",
        "Martin King Jr",
        "Jane Doe",
        "et al.",
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param("year = 2025, month = mar", (2025, 3, None, dt.date(2025, 3, 1)), id="macro"),
        pytest.param(
            "year = {2025}, month = {12}", (2025, 12, None, dt.date(2025, 12, 1)), id="number"
        ),
        pytest.param(
            "year = {2025}, month = {September}", (2025, 9, None, dt.date(2025, 9, 1)), id="name"
        ),
        pytest.param("year = {2025}", (2025, None, None, dt.date(2025, 1, 1)), id="year-only"),
        pytest.param(
            "year = {2025}, month = mar, pubdate = {2025-03-06}",
            (2025, 3, 6, dt.date(2025, 3, 6)),
            id="pubdate",
        ),
        pytest.param(
            "year = {2024}, month = oct, pubdate = {2024-10-01}, dateorigin = {arxiv-id}",
            (2024, 10, None, dt.date(2024, 10, 1)),
            id="pubdate-from-an-arxiv-id-has-no-day",
        ),
        pytest.param("date = {2019-02}", (2019, 2, None, dt.date(2019, 2, 1)), id="biblatex-month"),
        pytest.param(
            "date = {2020/2021}", (2020, None, None, dt.date(2020, 1, 1)), id="biblatex-range"
        ),
        pytest.param("title = {x}", (None, None, None, None), id="undated"),
    ],
)
def test_dates(fields: str, expected: tuple) -> None:
    entry = read_library(f"@misc{{k, {fields}}}", source="x.bib")[0]
    assert (entry.year, entry.month, entry.day, entry.date) == expected


def test_own_escaper_round_trips() -> None:
    escape = pytest.importorskip("papershelf.bib.escape")
    title = "LLaMA: 100% & $5 for C# x_1 a~b x^2 \\input{x} user@host {LLM}s } {"
    assert decode_tex(escape.escape_title(title)) == escape.unescape_title(
        escape.escape_title(title)
    )


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(
            exclude_categories=("Cs", "Cc", "Co", "Cn"), exclude_characters="\\"
        ),
        max_size=40,
    )
)
def test_fast_path_decodes_the_writer_exactly(text: str) -> None:
    """Our decoder agrees with the writer's own inverse on everything the writer emits."""
    escape = pytest.importorskip("papershelf.bib.escape")
    expected = " ".join(escape.unescape_title(escape.escape_title(text)).split())
    assert decode_tex(escape.escape_title(text)) == expected
    name = " ".join(text.replace("{", "").replace("}", "").split())
    # TeX's specials in a name become spaces (`name_text`): biber breaks on every form of them.
    assert decode_tex(escape.escape_name(name)) == " ".join(escape.name_text(name).split())


def test_a_repeated_string_macro_is_named_as_such() -> None:
    text = "@string{venue = {A}}\n@string{venue = {B}}\n@misc{k, title = {T}, journal = venue}\n"
    with pytest.raises(LibraryError) as raised:
        read_library(text, source="x.bib")
    assert [str(problem) for problem in raised.value.problems] == [
        "x.bib:2: @string 'venue' is defined twice (first at line 1); keep one"
    ]


# Large libraries are read in slices on every core; the result is the one-piece result.


@pytest.fixture
def sliced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Read every text in slices, on three processes, however small it is."""
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    with thresholds({Stage.LIBRARY_SLICES: 0}):
        yield


@pytest.mark.usefixtures("sliced")
def test_a_library_is_read_in_slices_with_the_lines_of_the_file() -> None:
    text = "".join(
        f"@misc{{k{n},\n  title = {{Paper {n}}},\n  month = jan\n}}\n\n" for n in range(30)
    )
    bounds = slice_bounds(text, 3)
    # Each slice stands alone, so the slices' entries are the result (no second reading).
    assert len(bounds) == 3
    assert all(read_module._read_slice(text, "p.bib", part) is not None for part in bounds)
    entries = read_library(text, source="p.bib")
    assert [(entry.key, entry.title, str(entry.source)) for entry in entries] == [
        (f"k{n}", f"Paper {n}", f"p.bib:{1 + 5 * n}") for n in range(30)
    ]


@pytest.mark.usefixtures("sliced")
def test_a_string_in_one_slice_serves_the_entries_of_another() -> None:
    entries = "".join(f"@misc{{k{n}, title = {{T{n}}}, note = venue}}\n\n" for n in range(30))
    text = entries + "@string{venue = {Late Conference}}\n"
    notes = read_library(text, source="p.bib")
    assert [entry.key for entry in notes] == [f"k{n}" for n in range(30)]
    assert notes[0].bibtex.startswith("@string{venue = {Late Conference}}\n@misc{k0,")


def test_a_percent_line_inside_an_entry_is_a_comment() -> None:
    text = (
        "@misc{a,\n  author = {Ann Lee},\n  % corrected by hand\n  title = {Right},\n"
        "  % year = {1999},\n  year = {2020}, % checked\n  % the end }\n}\n"
    )
    (entry,) = read_library(text, source="x.bib")
    assert (entry.title, entry.authors, entry.year) == ("Right", ("Ann Lee",), 2020)
    assert entry.bibtex == text.strip()  # the page's BibTeX is the person's, comments and all


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        # pylatexenc 2.11 raised IndexError or KeyError on these (found by fuzzing).
        pytest.param("see \\href{https://x.org}", "see https://x.org", id="href-one-argument"),
        pytest.param("a \\verb", "a", id="verb-at-the-end"),
        pytest.param("\\textcolor", "", id="textcolor-without-arguments"),
        pytest.param("x\\symbol{55296}y", "xy", id="surrogate-symbol"),
    ],
)
def test_decode_never_raises_on_foreign_tex(tex: str, text: str) -> None:
    assert decode_tex(tex) == text


# bibtexparser's own line count skips a newline right after a backslash; ours does not.
@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "@misc{a, title = {x\\\n}}\n@misc{a, title = {y}}\n",
            "x.bib:3: citation key 'a' is already used by the entry at line 1",
            id="entry",
        ),
        pytest.param(
            "@misc{a, title = {x\\\n}}\n@string{s = s}\n",
            "x.bib:3: @string 's' uses the undefined @string 's'",
            id="string",
        ),
    ],
)
def test_a_backslash_at_a_line_end_does_not_shift_later_lines(text: str, message: str) -> None:
    with pytest.raises(LibraryError) as error:
        read_library(text, source="x.bib")
    assert str(error.value).startswith(message)
    entries = read_library("@misc{a, title = {x\\\n}}\n@misc{b, title = {y}}\n", source="x.bib")
    assert [entry.source.line for entry in entries] == [1, 3]
