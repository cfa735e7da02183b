"""Reading any .bib: ours, JabRef's, Zotero's, Better BibTeX's, and the rejected ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, SAMPLES
from papershelf.bib import index as index_module
from papershelf.bib import read as read_module
from papershelf.bib.index import slice_bounds
from papershelf.bib.read import decode_tex, read_library, split_names
from papershelf.errors import LibraryError
from papershelf.model import Link, LinkKind

INTEROP = SAMPLES / "interop"


def read(path: Path) -> list:
    return read_library(path.read_text(encoding="utf-8"), source=path.name)


POSITIVE = [
    pytest.param(
        "bbt_online_arxiv_eprinttype_and_archiveprefix_issue1696.bib", ["bardos2019"], id="bbt"
    ),
    pytest.param("bibtexparser_examples_bibtex.bib", ["Cesar2013"], id="bibtexparser"),
    pytest.param(
        "generated_arxiv_style_variants.bib",
        [
            "vaswani2017attentionneed",
            "touvron2023llama",
            "hendrycks2020measuring",
            "DBLP:journals/corr/abs-2104-02057",
            "smith2024agents",
        ],
        id="arxiv-variants",
    ),
    pytest.param("generated_eprinttype_plus_archiveprefix.bib", ["t1"], id="eprint-both"),
    pytest.param(
        "generated_escapes_and_utf8_alpha_label.bib", ["special2025", "utf8alpha2025"], id="escapes"
    ),
    pytest.param(
        "generated_missing_author_variants.bib",
        ["scaling2025", "scaling2025b", "anon2025"],
        id="no-author",
    ),
    pytest.param("generated_url_with_percent_backref.bib", ["u1"], id="percent-url"),
    pytest.param(
        "generated_zotero_escape_roundtrip_cases.bib",
        ["e1", "e2", "e3", "e4", "e5"],
        id="zotero-escapes",
    ),
    pytest.param(
        "generated_zotero_import_cases.bib",
        ["t1", "t2", "t3", "t4", "t5", "t6"],
        id="zotero-import",
    ),
    pytest.param("generated_zotero_two_escaped_dollars.bib", ["d1"], id="dollars"),
    pytest.param(
        "jabref_testjabref_arxiv_excerpt.bib",
        ["Li2020", "Kong2020", "Reyad2020", "Hu2020"],
        id="jabref",
    ),
    # NEGATIVE_* fixtures that break BibTeX or biber but carry readable entries: we read them.
    pytest.param(
        "generated_NEGATIVE_at_sign_in_percent_comment.bib",
        [
            "vaswani2017attentionneed",
            "touvron2023llama",
            "hendrycks2020measuring",
            "DBLP:journals/corr/abs-2104-02057",
            "smith2024agents",
        ],
        id="negative-at-sign",
    ),
    pytest.param("generated_NEGATIVE_percent_in_abstract_biber.bib", ["p"], id="negative-percent"),
    pytest.param("generated_NEGATIVE_tex_injection.bib", ["evil"], id="negative-injection"),
    pytest.param("generated_NEGATIVE_unescaped.bib", ["pct"], id="negative-unescaped"),
]


@pytest.mark.parametrize(("name", "keys"), POSITIVE)
def test_reads_fixture(name: str, keys: list[str]) -> None:
    entries = read(INTEROP / name)
    assert [entry.key for entry in entries] == keys
    for entry in entries:
        assert entry.title
        assert "\\" not in entry.title or name == "generated_zotero_escape_roundtrip_cases.bib"
        assert entry.bibtex.startswith("@")
        assert entry.key in entry.bibtex
        assert entry.source.file == name


REJECTED = [
    pytest.param("generated_NEGATIVE_badkey.bib", 1, "this block is not valid BibTeX", id="badkey"),
    pytest.param(
        "generated_NEGATIVE_unbalanced.bib",
        1,
        "this block is not valid BibTeX (Unexpectedly reached end of file.)",
        id="unbalanced",
    ),
    pytest.param(
        "generated_NEGATIVE_dupkeys.bib",
        5,
        "citation key 'dup' is already used by the entry at line 1",
        id="dupkeys",
    ),
    # Positive fixtures for other clients, but unusable for a site: a page needs a unique key.
    pytest.param(
        "jabref_encoding-utf-8-with-header-with-databasetypecomment.bib",
        3,
        "@article entry has no citation key",
        id="jabref-empty-key",
    ),
    pytest.param(
        "zotero_BibTeX.js_import_testcases.bib",
        39,
        "citation key 'smith_testing_????' is already used by the entry at line 25",
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


def test_zotero_fixture_reads_once_its_concatenation_duplicate_is_gone() -> None:
    text = (INTEROP / "zotero_BibTeX.js_import_testcases.bib").read_text(encoding="utf-8")
    second = text.index("@inbook{smith_testing_????")
    end = text.index("% ---", second)
    entries = {
        entry.key: entry for entry in read_library(text[:second] + text[end:], source="z.bib")
    }
    assert list(entries) == [
        "BibTeXEscapeTest1",
        "sasson_increasing_2013",
        "smith_testing_????",
        "example-electronic-string",
        "sweig42",
        "batsis:rural",
        "NIPS2009_0188e8b8",
        "Borissov:2855446",
        "derbis1998poczucie",
    ]
    # @string macros, `#` concatenation, case-insensitive names and field names.
    # The fixture's `Swe{\\i}g` is a TeX line break (`\\`), copied from a JavaScript string.
    assert entries["sweig42"].authors == ("Stefan Swe ig", "Xavier D 'ecoret")
    assert entries["sweig42"].title == "The impossible TEL---book"
    assert entries["sweig42"].year == 1942
    assert entries["sweig42"].month == 3
    assert entries["example-electronic-string"].url == "https://www.zotero.org/"
    assert entries["example-electronic-string"].authors == ("Corporation for Digital Scholarship",)
    assert "@String {zotero-url" in entries["example-electronic-string"].bibtex
    assert entries["batsis:rural"].month == 12
    assert entries["derbis1998poczucie"].title == (
        "Poczucie jakości życia a swoboda działania i odpowiedzialność"
    )
    assert entries["derbis1998poczucie"].authors == ("Romuald Derbis", "Augustyn Bańka")
    assert entries["NIPS2009_0188e8b8"].authors[2] == "Alexandre D'aspremont"
    assert entries["Borissov:2855446"].title == (
        "Production of Σ^0 Hyperon and Search of Σ^0 Hypernuclei at LHC with ALICE"
    )
    sasson = entries["sasson_increasing_2013"]
    assert sasson.authors[-1] == "Council on Cardiovascular Surgery and Anesthesia"
    assert sasson.author_count == 20
    assert sasson.doi == "10.1161/CIR.0b013e318288b4dd"
    # `eprint = {AX123456}` is not an arXiv id: no broken arXiv button.
    assert entries["smith_testing_????"].arxiv_id is None


def test_our_format_and_foreign_fields() -> None:
    by_key = {e.key: e for e in read(INTEROP / "generated_arxiv_style_variants.bib")}
    llama = by_key["touvron2023llama"]
    assert llama.title == "LLaMA: Open and Efficient Foundation Language Models"
    assert llama.authors == ("Hugo Touvron", "Thibaut Lavril", "Gautier Izacard")
    assert (llama.year, llama.month, llama.day, llama.date) == (2023, 2, None, dt.date(2023, 2, 1))
    assert llama.arxiv_id == "2302.13971"
    assert llama.doi == "10.48550/arXiv.2302.13971"
    assert llama.tags == ("cs.CL", "LLM")
    assert by_key["hendrycks2020measuring"].arxiv_id == "2009.03300"  # from `journal`
    assert by_key["smith2024agents"].date == dt.date(2024, 3, 15)  # biblatex `date`
    assert by_key["vaswani2017attentionneed"].author_count == 8
    bardos = read(INTEROP / "bbt_online_arxiv_eprinttype_and_archiveprefix_issue1696.bib")[0]
    assert bardos.arxiv_id == "1902.07120"  # `eprint = {arXiv:1902.07120}`
    assert (bardos.year, bardos.month, bardos.day) == (2019, 2, None)
    assert bardos.authors[2] == "Agnieszka Świerczewska-Gwiazda"
    jabref = read(INTEROP / "jabref_testjabref_arxiv_excerpt.bib")[0]
    assert (jabref.date, jabref.arxiv_id, jabref.tags) == (
        dt.date(2020, 3, 12),
        "2003.05580",
        ("q-bio.PE", "cs.CE"),
    )
    cases = {e.key: e for e in read(INTEROP / "generated_zotero_import_cases.bib")}
    assert cases["t2"].tags == ("agents", "RL", "reasoning")
    assert cases["t2"].arxiv_id == "2401.12345"  # `note = {arXiv:...}`
    assert cases["t3"].authors == (
        "Anonymous",
        "OpenAI Team",
        "Corporation for Digital Scholarship",
    )
    assert cases["t3"].month == 3
    assert cases["t4"].links == (Link("https://github.com/org/repo_name#readme", LinkKind.CODE),)
    assert cases["t5"].authors == ("Richard Roe",)
    cesar = read(INTEROP / "bibtexparser_examples_bibtex.bib")[0]
    assert (cesar.entry_type, cesar.year, cesar.month) == ("article", 2013, 1)


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
            "@misc{a, title={x}, upvotes={many}}",
            "x.bib:1: field 'upvotes' is 'many', not a whole number",
            id="upvotes",
        ),
        pytest.param(
            "@misc{a, title={x}, pubdate={2025-02-30}}",
            "x.bib:1: field 'pubdate' is '2025-02-30', not a date",
            id="pubdate",
        ),
        pytest.param(
            "@misc{a, title={x}, pubdate={20250130}}",
            "x.bib:1: field 'pubdate' is '20250130', not a date",
            id="pubdate-basic-form",
        ),
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


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    text = "@misc{a, upvotes={x}}\n@misc{b, numcomments={y}}\n@misc{a, title={dup}}\n"
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
    assert decode_tex(escape.escape_name(name)) == name


def test_a_repeated_string_macro_is_named_as_such() -> None:
    text = "@string{venue = {A}}\n@string{venue = {B}}\n@misc{k, title = {T}, journal = venue}\n"
    with pytest.raises(LibraryError) as raised:
        read_library(text, source="x.bib")
    assert [str(problem) for problem in raised.value.problems] == [
        "x.bib:2: @string 'venue' is defined twice (first at line 1); keep one"
    ]


# Large libraries are read in slices on every core; the result is the one-piece result.


@pytest.fixture
def sliced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every text in slices, on three processes, however small it is."""
    monkeypatch.setattr(index_module, "_PARALLEL_CHARACTERS", 0)
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")


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
