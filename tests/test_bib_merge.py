"""Paper -> entry fields, and merging papers into an existing library without losing a byte."""

from __future__ import annotations

import dataclasses
import datetime as dt

import bibtexparser
import pytest
from bibtexparser.model import Entry

from conftest import INTEROP
from papershelf import (
    AnnounceType,
    DateOrigin,
    LibraryError,
    Link,
    LinkKind,
    Paper,
    Source,
    merge_into_library,
)
from papershelf.bib import merge as merge_module
from papershelf.bib.check import parse_library
from papershelf.bib.escape import strip_grouping, unescape_text, unescape_title
from papershelf.bib.index import IndexedEntry, LibraryIndex, index_library, parse_entry
from papershelf.bib.merge import FIELD_ORDER, paper_to_fields
from papershelf.parallel import Stage, thresholds

SOURCE = Source("bib/digests/2025-10-30-hf-papers.txt", line=13)
LIBRARY = "bib/papers.bib"


def make_paper(**changes: object) -> Paper:
    base = Paper(
        title="HuMo: Human-Centric Video Generation",
        abstract="We present HuMo, 100% better. Code: https://github.com/Phantom-video/HuMo",
        source=SOURCE,
        date=dt.date(2025, 9, 10),
        authors=("Liyang Chen", "Tianxiang Ma"),
        arxiv_id="2509.08519",
        upvotes=64,
        comments=4,
        counts_date=dt.date(2025, 10, 30),
        links=(
            Link("https://github.com/Phantom-video/HuMo", LinkKind.CODE),
            Link("https://phantom-video.github.io/HuMo", LinkKind.PROJECT),
        ),
        tags=("multimodal", "video-generation"),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library


def fields_of(text: str, key: str) -> dict[str, str]:
    entry = parse(text).entries_dict[key]
    return {field.key: field.value for field in entry.fields}


# ---------------------------------------------------------------------------------------------
# paper_to_fields

ARXIV_FIELDS = ("howpublished", "eprint", "eprinttype", "eprintclass", "version", "options")
ARXIV_FIELDS += ("url", "doi", "note")


def test_paper_to_fields_full_paper() -> None:
    assert paper_to_fields(make_paper()) == {
        "author": "Liyang Chen and Tianxiang Ma",
        "title": "{HuMo}: Human-Centric Video Generation",
        "year": "2025",
        "month": "sep",
        "howpublished": "arXiv preprint arXiv:2509.08519",
        "eprint": "2509.08519",
        "eprinttype": "arxiv",
        "options": "eprint=false",
        "url": "https://arxiv.org/abs/2509.08519",
        "abstract": r"We present HuMo, 100\% better. Code: https://github.com/Phantom-video/HuMo",
        "keywords": "multimodal, video-generation",
        "annote": "Code: https://github.com/Phantom-video/HuMo",
        "upvotes": "64",
        "numcomments": "4",
        "countsdate": "2025-10-30",
        "code": "https://github.com/Phantom-video/HuMo",
        "projectpage": "https://phantom-video.github.io/HuMo",
        "pubdate": "2025-09-10",
        "dateorigin": "given",
    }


def test_paper_to_fields_of_an_arxiv_listing() -> None:
    """The facts arXiv's own formats carry, each in the field BibTeX and biblatex read."""
    paper = make_paper(
        arxiv_version=3,
        categories=("cs.AI", "cs.ET"),
        arxiv_comment="15 pages, 14 figures",
        journal_ref="Journal of Environmental Management, Volume 370, 2024",
        doi="10.1016/j.jenvman.2024.122526",
        announced=dt.date(2024, 11, 21),
        announce_type=AnnounceType.REPLACE,
    )
    fields = paper_to_fields(paper)
    arxiv_fields = {name: fields[name] for name in fields if name in ARXIV_FIELDS}
    assert arxiv_fields == {
        "howpublished": "arXiv preprint arXiv:2509.08519 [cs.AI]",
        "eprint": "2509.08519",
        "eprinttype": "arxiv",
        "eprintclass": "cs.AI",
        "version": "3",
        "options": "eprint=false",
        "url": "https://arxiv.org/abs/2509.08519",
        "doi": "10.1016/j.jenvman.2024.122526",
        "note": "Published in Journal of Environmental Management, Volume 370, 2024",
    }
    # categories beyond the primary one, comments and the announcement have no BibTeX field
    assert not {"primaryclass", "archiveprefix", "comments", "addendum"} & set(fields)


def test_paper_to_fields_of_an_id_alone() -> None:
    paper = make_paper(title="", abstract="", authors=(), arxiv_id="2410.17243", links=(), tags=())
    fields = paper_to_fields(paper)
    assert "title" not in fields
    assert fields["key"] == "arXiv:2410.17243"
    assert fields["note"] == "Title not yet known: the digest named only the arXiv identifier"
    assert fields["howpublished"] == "arXiv preprint arXiv:2410.17243"


def test_paper_to_fields_follows_field_order() -> None:
    paper = make_paper(
        arxiv_version=2,
        categories=("cs.CL",),
        journal_ref="ICLR 2025",
        doi="10.1000/x",
        organization="OCC",
        github_stars=120,
        links=(
            Link("https://github.com/a/b", LinkKind.CODE),
            Link("https://huggingface.co/m/x", LinkKind.HF_MODEL),
            Link("https://huggingface.co/datasets/d/x", LinkKind.HF_DATASET),
            Link("https://huggingface.co/spaces/s/x", LinkKind.HF_SPACE),
            Link("https://example.org/other", LinkKind.OTHER),
        ),
    )
    names = list(paper_to_fields(paper))
    assert names == [name for name in FIELD_ORDER if name in names]
    assert {"organization", "hfmodel", "hfdataset", "hfspace", "otherlinks", "githubstars"} <= set(
        names
    )
    assert {"eprintclass", "version", "options", "doi", "note"} <= set(names)


@pytest.mark.parametrize(
    ("title", "organization", "expected"),
    [
        pytest.param("HuMo: Human-Centric", None, "HuMo", id="punctuation-stripped"),
        pytest.param("(Re)thinking 100% of it", None, "Re)thinking", id="inner-bracket-kept"),
        # A special character, which alpha.bst's `text.prefix$` counts as one letter: `R\&`
        # cut after three characters gave the label `R\25` (issue 10's `AT\25`).
        pytest.param("R&D at scale", None, r"R{\&}D", id="escaped-as-one-letter"),
        pytest.param("Anything", "AT&T", r"AT{\&}T", id="organisation-ampersand"),
        pytest.param("Anything", "OCC", "OCC", id="organisation-first"),
    ],
)
def test_key_field_labels_entries_without_authors(
    title: str, organization: str | None, expected: str
) -> None:
    paper = make_paper(authors=(), title=title, organization=organization)
    assert paper_to_fields(paper)["key"] == expected


def test_paper_to_fields_without_names_or_arxiv_id() -> None:
    paper = make_paper(
        authors=(),
        author_count=4,
        arxiv_id=None,
        upvotes=None,
        comments=None,
        links=(),
        tags=(),
        date_origin=DateOrigin.YEAR_INFERRED,
    )
    fields = paper_to_fields(paper)
    assert "author" not in fields
    assert fields["authorcount"] == "4"
    assert fields["key"] == "HuMo", "BibTeX labels and sorts by `key` when there is no author"
    assert not {"howpublished", "eprint", "eprinttype", "url", "annote", "countsdate"} & set(fields)
    assert fields["dateorigin"] == "year-inferred"


@pytest.mark.parametrize(
    ("authors", "tex"),
    [
        pytest.param(("DeepSeek-AI",), "{DeepSeek-AI}", id="one-word-corporate"),
        pytest.param(("Qwen Team", "Jane Doe"), "{Qwen Team} and Jane Doe", id="team"),
        pytest.param(("Tom and Jerry Lab",), "{Tom and Jerry Lab}", id="and-inside"),
        pytest.param(("Jörg Müller",), r"J{\"o}rg M{\"u}ller", id="accents"),
        # alpha.bst's `text.prefix$` cuts a command inside an organisation's braces anywhere
        # (`{AT{\}}25`): organisations are plain ASCII there, their exact text beside.
        pytest.param(("AT&T Labs",), "{AT and T Labs}", id="corporate-ampersand-plain"),
        # Perl's false: biber 2.18 never ends on `{0}` and drops `0` as an empty name.
        pytest.param(("0",), "{0{}}", id="zero-for-biber"),
        # Unassigned characters have no transliteration: an empty name would be no name.
        pytest.param(("\U000e0fff", "Ann Lee"), "Ann Lee", id="name-of-nothing-left-out"),
    ],
)
def test_author_names(authors: tuple[str, ...], tex: str) -> None:
    assert paper_to_fields(make_paper(authors=authors))["author"] == tex


# ---------------------------------------------------------------------------------------------
# A new library

EXPECTED_NEW = """\
@misc{chen2025humo,
  author       = {Liyang Chen and Tianxiang Ma},
  title        = {{HuMo}: Human-Centric Video Generation},
  year         = {2025},
  month        = sep,
  howpublished = {arXiv preprint arXiv:2509.08519},
  eprint       = {2509.08519},
  eprinttype   = {arxiv},
  options      = {eprint=false},
  url          = {https://arxiv.org/abs/2509.08519},
  abstract     = {We present HuMo, 100\\% better. Code: https://github.com/Phantom-video/HuMo},
  keywords     = {multimodal, video-generation},
  annote       = {Code: https://github.com/Phantom-video/HuMo},
  upvotes      = {64},
  numcomments  = {4},
  countsdate   = {2025-10-30},
  code         = {https://github.com/Phantom-video/HuMo},
  projectpage  = {https://phantom-video.github.io/HuMo},
  pubdate      = {2025-09-10},
  dateorigin   = {given}
}
"""


def test_new_library_text() -> None:
    result = merge_into_library("", [make_paper()], source=LIBRARY)
    assert result.text == EXPECTED_NEW
    assert result.added == ("chen2025humo",)
    assert result.updated == result.unchanged == ()


def test_new_entries_are_appended_in_input_order_with_a_blank_line() -> None:
    first = make_paper()
    second = make_paper(title="Scaling Laws", arxiv_id="2501.00001", authors=("Ann Lee",))
    result = merge_into_library("", [first, second], source=LIBRARY)
    assert result.added == ("chen2025humo", "lee2025scaling")
    assert "}\n\n@misc{lee2025scaling," in result.text
    assert result.text.endswith("}\n")


def test_round_trip_every_field() -> None:
    paper = make_paper(
        title=r"Hostile \input{canary.txt} title {LLM}s @home 100% $5 x^2 a_b ~c #1 R\&D }",
        abstract=r"Abstract \write18{touch pwned} \footnote{unclosed & more",
        authors=("Jörg Müller", "DeepSeek-AI"),
        organization="R&D Lab",
        links=(Link("https://github.com/a/b_c%20~d#x", LinkKind.CODE),),
    )
    text = merge_into_library("", [paper], source=LIBRARY).text
    library = parse(text)
    (entry,) = library.entries
    values = {field.key: field.value for field in entry.fields}
    assert unescape_title(values["title"]) == strip_grouping(paper.title)
    assert "LLMs @home" in unescape_title(values["title"])
    assert unescape_text(values["abstract"]) == paper.abstract
    assert unescape_text(values["organization"]) == "R&D Lab"
    assert unescape_text(values["author"]) == "Jörg Müller and {DeepSeek-AI}"
    assert values["code"] == "https://github.com/a/b_c%20~d#x"
    assert unescape_text(values["annote"]) == "Code: https://github.com/a/b_c%20~d#x"
    assert values["month"] == "sep"
    assert "@" not in text.replace("@misc{", "")


# ---------------------------------------------------------------------------------------------
# Merging into an existing library

HAND_LIBRARY = """\
% Encoding: UTF-8
@String{acl = {Association for Computational Linguistics}}

@preamble{"\\newcommand{\\noop}[1]{}"}

@Article{Smith2020MyOwn,
  author = {Smith, Jane},
  title = {My Own Paper},
  journal = acl,
  year = 2020
}

@comment{a note the user wrote}

@misc{chenHumo,
  title = {{HuMo}: Human-Centric Video Generation},
  eprint = {2509.08519},
  archivePrefix = {arXiv},
  keywords = {to-read; video},
  annote = {My own notes about it.},
  upvotes = {3},
  countsdate = {2025-10-01},
  code = {https://github.com/old/repo},
  file = {:humo.pdf:PDF},
  year = {2025}
}

@Comment{jabref-meta: databaseType:bibtex;}
"""


def test_known_paper_keeps_key_and_hand_fields() -> None:
    result = merge_into_library(HAND_LIBRARY, [make_paper()], source=LIBRARY)
    assert result.added == ()
    assert result.updated == ("chenHumo",)
    fields = fields_of(result.text, "chenHumo")
    # a person's fields stay as they were
    assert fields["file"] == ":humo.pdf:PDF"
    assert fields["annote"] == "My own notes about it."
    assert fields["year"] == "2025"
    assert fields["title"] == "{HuMo}: Human-Centric Video Generation"
    # archivePrefix is biber's alias of eprinttype: no eprinttype is added next to it
    assert "eprinttype" not in fields
    # owned fields refresh per policy
    assert fields["keywords"] == "to-read; video, multimodal, video-generation"
    assert fields["upvotes"] == "64"
    assert fields["countsdate"] == "2025-10-30"
    assert fields["code"] == "https://github.com/old/repo https://github.com/Phantom-video/HuMo"
    assert fields["author"] == "Liyang Chen and Tianxiang Ma"
    assert fields["month"] == "sep"


def test_untouched_blocks_stay_byte_for_byte_in_place() -> None:
    result = merge_into_library(HAND_LIBRARY, [make_paper()], source=LIBRARY)
    head, _, _ = HAND_LIBRARY.partition("@misc{chenHumo,")
    assert result.text.startswith(head)
    assert result.text.endswith("}\n\n@Comment{jabref-meta: databaseType:bibtex;}\n")


def test_new_paper_appended_after_hand_blocks() -> None:
    other = make_paper(title="Scaling Laws", arxiv_id="2501.00001", authors=("Ann Lee",))
    result = merge_into_library(HAND_LIBRARY, [other], source=LIBRARY)
    assert result.text.startswith(HAND_LIBRARY)
    assert result.text[len(HAND_LIBRARY) :].startswith("\n@misc{lee2025scaling,\n")
    assert result.added == ("lee2025scaling",)


def test_second_identical_run_changes_no_byte() -> None:
    papers = [make_paper(), make_paper(title="Scaling Laws", arxiv_id="2501.00001")]
    first = merge_into_library(HAND_LIBRARY, papers, source=LIBRARY)
    second = merge_into_library(first.text, papers, source=LIBRARY)
    assert second.text == first.text
    assert second.added == second.updated == ()
    assert set(second.unchanged) == {"chenHumo", "chen2025scaling"}


def test_new_library_second_run_is_identical() -> None:
    first = merge_into_library("", [make_paper()], source=LIBRARY)
    second = merge_into_library(first.text, [make_paper()], source=LIBRARY)
    assert second.text == first.text
    assert second.unchanged == ("chen2025humo",)


def test_known_by_arxiv_url_and_by_title() -> None:
    existing = (
        "@misc{a, title = {Something Else}, url = {https://arxiv.org/abs/2509.08519v2}}\n\n"
        "@misc{b, title = {Scaling   LAWS!}}\n"
    )
    by_title = make_paper(title="Scaling laws", arxiv_id=None)
    result = merge_into_library(existing, [make_paper(), by_title], source=LIBRARY)
    assert result.added == ()
    assert result.updated == ("a", "b")
    assert fields_of(result.text, "a")["title"] == "Something Else"


def test_same_title_but_other_arxiv_id_is_a_new_paper() -> None:
    existing = "@misc{a, title = {HuMo: Human-Centric Video Generation}, eprint = {2401.00001}}\n"
    result = merge_into_library(existing, [make_paper()], source=LIBRARY)
    assert result.added == ("chen2025humo",)


def test_same_paper_twice_yields_one_entry() -> None:
    older = make_paper(upvotes=10, links=(Link("https://github.com/a/one", LinkKind.CODE),))
    newer = make_paper(upvotes=64, links=(Link("https://github.com/a/two", LinkKind.CODE),))
    result = merge_into_library("", [older, newer], source=LIBRARY)
    assert result.added == ("chen2025humo",)
    assert result.text.count("@misc{") == 1
    fields = fields_of(result.text, "chen2025humo")
    assert fields["upvotes"] == "64"
    assert fields["code"] == "https://github.com/a/one https://github.com/a/two"
    assert fields["annote"] == "Code: https://github.com/a/one\nCode: https://github.com/a/two"


def test_key_collision_with_hand_entry_gets_suffix() -> None:
    existing = "@article{Chen2025HuMo, title = {Another}, year = {2025}}\n"
    result = merge_into_library(existing, [make_paper()], source=LIBRARY)
    assert result.added == ("chen2025humoa",)


def test_older_counts_do_not_overwrite_newer_ones() -> None:
    first = merge_into_library("", [make_paper()], source=LIBRARY).text
    stale = make_paper(upvotes=1, comments=0, counts_date=dt.date(2025, 10, 1))
    result = merge_into_library(first, [stale], source=LIBRARY)
    assert result.text == first
    assert result.unchanged == ("chen2025humo",)


def test_authorcount_dropped_once_author_exists() -> None:
    nameless = make_paper(authors=(), author_count=2)
    first = merge_into_library("", [nameless], source=LIBRARY).text
    assert "authorcount  = {2}" in first
    result = merge_into_library(first, [make_paper()], source=LIBRARY)
    fields = fields_of(result.text, "humo2025humancentric")
    assert "authorcount" not in fields
    assert fields["author"] == "Liyang Chen and Tianxiang Ma"


def test_annote_of_papershelf_refreshes_with_code_links() -> None:
    first = merge_into_library("", [make_paper()], source=LIBRARY).text
    more = make_paper(links=(Link("https://github.com/x/y_z", LinkKind.CODE),))
    fields = fields_of(merge_into_library(first, [more], source=LIBRARY).text, "chen2025humo")
    assert fields["annote"] == (
        "Code: https://github.com/Phantom-video/HuMo\nCode: https://github.com/x/y\\_z"
    )


def test_biblatex_date_field_means_no_year_is_added() -> None:
    existing = "@online{a, title = {x}, date = {2025-09-10}, eprint = {2509.08519}}\n"
    fields = fields_of(merge_into_library(existing, [make_paper()], source=LIBRARY).text, "a")
    assert "year" not in fields
    assert "month" not in fields


@pytest.mark.parametrize(
    ("existing", "line", "message"),
    [
        pytest.param(
            "@misc{a, title = {ok}}\n\n@misc{b, title = {unbalanced}\n\n@misc{c, title={x}}\n",
            3,
            "this block is not valid BibTeX",
            id="unbalanced-brace",
        ),
        pytest.param(
            "@misc{a, title = {one}}\n% comment\n@misc{a, title = {two}}\n",
            3,
            "citation key 'a' is already used by the entry at line 1",
            id="duplicate-key",
        ),
        pytest.param(
            "@misc{a, title = {one},\n  title = {two}}\n",
            1,
            "entry 'a' has the field 'title' twice",
            id="duplicate-field",
        ),
        pytest.param(
            "@misc{a, title = {ok}}\n@misc{b, title = {open}\n",
            2,
            "(Unexpectedly reached end of file.)",
            id="end-of-file",
        ),
    ],
)
def test_unreadable_library_is_refused(existing: str, line: int, message: str) -> None:
    with pytest.raises(LibraryError) as caught:
        merge_into_library(existing, [make_paper()], source=LIBRARY)
    (problem,) = caught.value.problems
    assert problem.file == LIBRARY
    assert problem.line == line
    assert message in problem.message
    assert str(problem).startswith(f"{LIBRARY}:{line}: ")


@pytest.mark.parametrize(
    ("arxiv_id", "key", "eprinttype"),
    [
        pytest.param("2106.09685", "hu2021loralowrankadaptation", None, id="arxiv-export"),
        pytest.param("1810.04805", "devlin2018bert", None, id="max-interop-misc"),
        pytest.param("1412.6980", "kingma2014adam", None, id="scholar-journal"),
        pytest.param("2010.11929", "DBLP:journals/corr/abs-2010-11929", "arXiv", id="dblp"),
        pytest.param("2405.01234", "doe2024planning", "arxiv", id="biblatex-online"),
    ],
)
def test_known_in_every_arxiv_style(arxiv_id: str, key: str, eprinttype: str | None) -> None:
    existing = (INTEROP / "arxiv_style_variants.bib").read_text("utf-8")
    result = merge_into_library(existing, [make_paper(arxiv_id=arxiv_id)], source=LIBRARY)
    assert result.added == ()
    assert result.updated == (key,)
    fields = fields_of(result.text, key)
    assert "multimodal" in fields["keywords"]
    # archivePrefix is biber's alias of eprinttype: never both; an existing eprinttype stays; an
    # entry whose journal already prints the id gets no eprint, which biblatex would print again
    assert fields.get("eprinttype") == eprinttype
    # Only the entry that had howpublished has it: adding it beside an owner's eprint (or a
    # journal naming the id) would print the id twice.
    assert ("howpublished" in fields) == (key == "devlin2018bert")


ZOTERO_PREPRINT = """@misc{roziere_code_2023,
\ttitle = {Code {Llama}: Open Foundation Models for Code},
\turl = {http://arxiv.org/abs/2308.12950},
\tdoi = {10.48550/arXiv.2308.12950},
\tauthor = {Rozière, Baptiste and Gehring, Jonas},
\tmonth = aug,
\tyear = {2023},
\tnote = {arXiv:2308.12950 [cs]},
}
"""
OUR_EARLIER_ENTRY = """@misc{roziere2023code,
  title        = {Code {Llama}: Open Foundation Models for Code},
  year         = {2023},
  month        = aug,
  howpublished = {arXiv preprint arXiv:2308.12950},
  eprint       = {2308.12950},
  eprinttype   = {arxiv},
  url          = {https://arxiv.org/abs/2308.12950}
}
"""
HAND_ENTRY = """@misc{roziere2023code,
  title   = {Code {Llama}: Open Foundation Models for Code},
  year    = {2023}
}
"""
HAND_ENTRY_WITH_OPTIONS = HAND_ENTRY.replace("{2023}\n", "{2023},\n  options = {useprefix=true}\n")
ARXIV_EXPORT = """@misc{roziere2023code,
  title={Code Llama: Open Foundation Models for Code},
  year={2023},
  eprint={2308.12950},
  archivePrefix={arXiv},
  primaryClass={cs.CL},
}
"""


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param(
            ZOTERO_PREPRINT,
            {"note": "arXiv:2308.12950 [cs]", "doi": "10.48550/arXiv.2308.12950", "version": "2"},
            id="zotero-note-prints-the-id-already",
        ),
        pytest.param(
            OUR_EARLIER_ENTRY,
            {
                "howpublished": "arXiv preprint arXiv:2308.12950 [cs.CL]",
                "eprint": "2308.12950",
                "eprinttype": "arxiv",
                "eprintclass": "cs.CL",
                "options": "eprint=false",
                "doi": "10.1000/code",
                "version": "2",
            },
            id="our-earlier-shape-brought-up-to-date",
        ),
        pytest.param(
            HAND_ENTRY,
            {
                "howpublished": "arXiv preprint arXiv:2308.12950 [cs.CL]",
                "eprint": "2308.12950",
                "eprinttype": "arxiv",
                "eprintclass": "cs.CL",
                "options": "eprint=false",
                "doi": "10.1000/code",
                "version": "2",
            },
            id="nothing-about-arxiv-yet",
        ),
        pytest.param(
            HAND_ENTRY_WITH_OPTIONS,
            {
                "howpublished": "arXiv preprint arXiv:2308.12950 [cs.CL]",
                "options": "useprefix=true",
                "doi": "10.1000/code",
                "version": "2",
            },
            id="the-owners-options-stay",
        ),
        pytest.param(
            ARXIV_EXPORT,
            {
                "eprint": "2308.12950",
                "archivePrefix": "arXiv",
                "primaryClass": "cs.CL",
                "doi": "10.1000/code",
                "version": "2",
            },
            id="arxiv-export-keeps-its-eprint-alone",
        ),
    ],
)
def test_a_known_entry_prints_the_arxiv_id_once(existing: str, expected: dict[str, str]) -> None:
    """Issue 11: classic styles print `howpublished` and `note`, biblatex also `eprint`; a known
    entry gets no second mention of the id, and a new block hides `eprint` from biblatex."""
    paper = make_paper(
        title="Code Llama: Open Foundation Models for Code",
        arxiv_id="2308.12950",
        arxiv_version=2,
        categories=("cs.CL",),
        doi="10.1000/code",
    )
    (entry,) = parse(merge_into_library(existing, [paper], source=LIBRARY).text).entries
    arxiv_names = {name.casefold() for name in (*ARXIV_FIELDS, "archiveprefix", "primaryclass")}
    present = {
        field.key: field.value for field in entry.fields if field.key.casefold() in arxiv_names
    }
    present.pop("url", None)
    assert present == expected


@pytest.mark.parametrize(
    ("existing", "ours", "expected"),
    [
        pytest.param(None, 2, "2", id="filled"),
        pytest.param("1", 3, "3", id="raised"),
        pytest.param("4", 3, "4", id="never-lowered"),
        pytest.param("2.1-draft", 3, "2.1-draft", id="a-person's-text-stays"),
    ],
)
def test_version_is_raised_never_lowered(existing: str | None, ours: int, expected: str) -> None:
    version = f",\n  version = {{{existing}}}" if existing else ""
    text = f"@misc{{a,\n  title = {{Scaling Laws}},\n  eprint = {{2501.00001}}{version}\n}}\n"
    paper = make_paper(title="Scaling Laws", arxiv_id="2501.00001", arxiv_version=ours)
    assert fields_of(merge_into_library(text, [paper], source=LIBRARY).text, "a")["version"] == (
        expected
    )


def test_an_id_alone_becomes_a_full_entry_when_its_title_arrives() -> None:
    bare = make_paper(title="", abstract="", authors=(), links=(), tags=(), arxiv_id="2410.17243")
    first = merge_into_library("", [bare], source=LIBRARY)
    assert first.added == ("arxiv241017243",)
    fields = fields_of(first.text, "arxiv241017243")
    assert "title" not in fields
    assert fields["note"] == "Title not yet known: the digest named only the arXiv identifier"
    rich = make_paper(
        title="Breaking the Memory Barrier",
        arxiv_id="2410.17243",
        authors=("Zesen Cheng",),
        journal_ref="ICLR 2025",
    )
    second = merge_into_library(first.text, [rich], source=LIBRARY)
    assert second.updated == ("arxiv241017243",), "the key, once written, stays"
    fields = fields_of(second.text, "arxiv241017243")
    assert fields["title"] == "Breaking the Memory Barrier"
    assert fields["author"] == "Zesen Cheng"
    assert fields["note"] == "Published in ICLR 2025"
    assert "key" not in fields, "the id stood in for the authors, who are known now"
    again = make_paper(title="", abstract="", authors=(), links=(), tags=(), arxiv_id="2410.17243")
    third = merge_into_library(second.text, [again], source=LIBRARY)
    assert fields_of(third.text, "arxiv241017243")["note"] == "Published in ICLR 2025"


def test_the_placeholder_note_never_goes_into_an_entry_with_a_title() -> None:
    text = "@misc{a,\n  title = {Breaking the Memory Barrier},\n  eprint = {2410.17243}\n}\n"
    bare = make_paper(title="", abstract="", authors=(), links=(), tags=(), arxiv_id="2410.17243")
    assert "note" not in fields_of(merge_into_library(text, [bare], source=LIBRARY).text, "a")


# ---------------------------------------------------------------------------------------------
# The index of the merged text, and the work it saves


def merge_cases() -> list[tuple[str, list[Paper]]]:
    other = make_paper(title="Scaling Laws", arxiv_id="2501.00001", authors=("Ann Lee",))
    arxiv_styles = (INTEROP / "arxiv_style_variants.bib").read_text("utf-8")
    return [
        ("", [make_paper(), other]),
        (HAND_LIBRARY, [make_paper()]),
        (HAND_LIBRARY, [other, make_paper(upvotes=3)]),
        (HAND_LIBRARY.rstrip("\n"), [other]),
        (arxiv_styles, [make_paper(arxiv_id="1810.04805"), other]),
        ("", [make_paper(upvotes=1), other, make_paper(upvotes=2, arxiv_id=None)]),
        # Names that differ only in case: the later field is the one the merge and index read.
        ("@misc{a, Title = {Old}, title = {Scaling Laws}}\n", [other]),
    ]


MERGE_CASE_IDS = [
    "new",
    "known",
    "known-and-new",
    "no-final-newline",
    "styles",
    "repeats",
    "case-variant-fields",
]


@pytest.mark.parametrize(("existing", "papers"), merge_cases(), ids=MERGE_CASE_IDS)
def test_merge_returns_the_index_of_its_own_text(existing: str, papers: list[Paper]) -> None:
    result = merge_into_library(existing, papers, source=LIBRARY)
    assert result.index == index_library(result.text, source=LIBRARY)
    assert [row.key for row in result.index.entries] == [
        entry.key for entry in parse(result.text).entries
    ]


@pytest.mark.parametrize(("existing", "papers"), merge_cases(), ids=MERGE_CASE_IDS)
def test_a_kept_index_parses_only_the_entries_papers_match(
    existing: str, papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = merge_into_library(existing, papers, source=LIBRARY)
    index = index_library(existing, source=LIBRARY)
    parsed: list[str] = []

    def no_full_parse(text: str, *, source: str) -> tuple[LibraryIndex, tuple[()]]:
        raise AssertionError("the kept index should have been used")

    def counting_parse(text: str, row: IndexedEntry) -> Entry:
        parsed.append(row.key)
        return parse_entry(text, row)

    monkeypatch.setattr(merge_module, "index_with_warnings", no_full_parse)
    monkeypatch.setattr(merge_module, "parse_entry", counting_parse)
    result = merge_into_library(existing, papers, source=LIBRARY, index=index)
    assert result == expected
    matched = {*expected.updated, *expected.unchanged} - set(expected.added)
    assert sorted(parsed) == sorted(matched)


def test_a_kept_index_that_does_not_fit_its_text_is_replaced() -> None:
    index = index_library(HAND_LIBRARY, source=LIBRARY)
    humo = next(row for row in index.entries if row.key == "chenHumo")
    other = next(row for row in index.entries if row.key == "Smith2020MyOwn")
    # The row of chenHumo points at another entry: a damaged kept index, whatever the cause.
    wrong = dataclasses.replace(humo, start=other.start, end=other.end)
    damaged = LibraryIndex(tuple(wrong if row is humo else row for row in index.entries))
    expected = merge_into_library(HAND_LIBRARY, [make_paper()], source=LIBRARY)
    assert merge_into_library(HAND_LIBRARY, [make_paper()], source=LIBRARY, index=damaged) == (
        expected
    )
    assert expected.updated == ("chenHumo",)


def test_every_papershelf_field_fits_the_value_column() -> None:
    # New entries are written with `=` at the column `howpublished` sets, without measuring.
    assert max(len(name) for name in FIELD_ORDER) == len("howpublished")


def test_new_entries_rendered_on_several_cores_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    papers = [
        make_paper(
            title=f"Paper {n}: {'LLaMA' if n % 2 else 'tiny'} steps", arxiv_id=f"2501.{n:05d}"
        )
        for n in range(40)
    ]
    # A paper seen again later in the run updates the new entry of its first sighting.
    papers.append(make_paper(title="Paper 3: LLaMA steps", arxiv_id="2501.00003", upvotes=99))
    with thresholds({Stage.NEW_ENTRIES: 2}):
        monkeypatch.setenv("PAPERSHELF_JOBS", "1")
        serial = merge_into_library(HAND_LIBRARY, papers, source=LIBRARY)
        monkeypatch.setenv("PAPERSHELF_JOBS", "3")
        parallel = merge_into_library(HAND_LIBRARY, papers, source=LIBRARY)
    assert parallel == serial
    assert len(serial.added) == 40
    assert fields_of(serial.text, serial.added[3])["upvotes"] == "99"
    assert serial.index == index_library(serial.text, source=LIBRARY)


def test_of_two_case_variant_fields_the_later_names_the_paper() -> None:
    # As before the index existed: `title` (the later one) says which paper this is.
    existing = "@misc{a, Title = {Old}, title = {Scaling Laws}}\n"
    other = make_paper(title="Scaling Laws", arxiv_id=None, authors=("Ann Lee",))
    result = merge_into_library(existing, [other], source=LIBRARY)
    assert (result.added, result.updated) == ((), ("a",))


# Look-alike titles (issue 10): an entry of another paper is never filled with this one's data.


def test_a_look_alike_title_is_another_paper() -> None:
    beta = make_paper(
        title="\u03b2-VAE: Learning Basic Visual Concepts",
        authors=(),
        author_count=4,
        arxiv_id=None,
        links=(),
    )
    library = merge_into_library("", [beta], source=LIBRARY).text
    alpha = dataclasses.replace(
        beta,
        title="\u03b1-VAE: Learning Basic Visual Concepts",
        author_count=2,
        links=(Link("https://github.com/a/alpha", LinkKind.CODE),),
    )
    result = merge_into_library(library, [alpha], source=LIBRARY)
    assert result.text.startswith(library)
    assert (len(result.added), result.updated) == (1, ())
    assert fields_of(result.text, result.added[0])["authorcount"] == "2"


def test_cjk_titles_are_known_on_the_next_run() -> None:
    papers = [
        make_paper(title="\u5927\u578b\u8bed\u8a00\u6a21\u578b", authors=(), arxiv_id=None),
        make_paper(title="\u89c6\u9891\u751f\u6210\u6a21\u578b", authors=(), arxiv_id=None),
    ]
    first = merge_into_library("", papers, source=LIBRARY)
    assert len(first.added) == 2
    second = merge_into_library(first.text, papers, source=LIBRARY)
    assert (second.text, second.added) == (first.text, ())


def test_a_tex_accent_and_its_letter_are_one_title() -> None:
    existing = "@misc{cafe, title = {Caf\\'e \\\"{U}ber Alles}}\n"
    result = merge_into_library(
        existing, [make_paper(title="Caf\u00e9 \u00dcber alles", arxiv_id=None)], source=LIBRARY
    )
    assert (result.added, result.updated) == ((), ("cafe",))


def test_tex_greek_and_its_letter_are_one_title() -> None:
    existing = "@misc{beta, title = {$\\beta$-VAE}}\n@misc{alpha, title = {$\\alpha$-VAE}}\n"
    result = merge_into_library(
        existing, [make_paper(title="\u03b1-VAE", arxiv_id=None)], source=LIBRARY
    )
    assert (result.added, result.updated) == ((), ("alpha",))


def test_an_entry_without_id_is_not_filled_when_another_id_shares_its_title() -> None:
    existing = (
        "@misc{known, title = {Scaling Laws}, eprint = {2401.00001}}\n\n"
        "@misc{unsure, title = {Scaling laws}, note = {kept by hand}}\n"
    )
    other = make_paper(title="Scaling Laws", arxiv_id="2402.00002")
    result = merge_into_library(existing, [other], source=LIBRARY)
    assert result.text.startswith(existing)
    assert (len(result.added), result.updated) == (1, ())
    (kept,) = result.not_merged
    assert (kept.source, kept.keys) == (SOURCE, ("known", "unsure"))
    assert kept.reason == "different arXiv ids (2402.00002, 2401.00001)"
    again = merge_into_library(result.text, [other], source=LIBRARY)
    assert (again.text, again.not_merged) == (result.text, ())


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param(
            "@misc{a, title = {Scaling Laws}, eprint = {2401.00001}}\n",
            ("a",),
            id="one-entry-with-an-id",
        ),
        pytest.param(
            "@misc{a, title = {Scaling Laws}, eprint = {2401.00001}}\n\n"
            "@misc{b, title = {Scaling Laws}, url = {https://arxiv.org/abs/2401.00001v2}}\n",
            ("a",),
            id="two-entries-one-id",
        ),
        pytest.param(
            "@misc{a, title = {Scaling Laws}, eprint = {2401.00001}}\n\n"
            "@misc{b, title = {Scaling Laws}}\n",
            ("b",),
            id="the-entry-without-id",
        ),
    ],
)
def test_a_paper_without_id_fills_the_entry_of_its_title(
    existing: str, expected: tuple[str, ...]
) -> None:
    paper = make_paper(title="Scaling laws", arxiv_id=None)
    result = merge_into_library(existing, [paper], source=LIBRARY)
    assert (result.added, result.updated, result.not_merged) == ((), expected, ())


def test_a_paper_without_id_between_two_ids_of_its_title_is_new_once() -> None:
    existing = (
        "@misc{a, title = {Scaling Laws}, eprint = {2401.00001}}\n\n"
        "@misc{b, title = {Scaling Laws}, eprint = {2402.00002}}\n"
    )
    paper = make_paper(title="Scaling laws", arxiv_id=None)
    result = merge_into_library(existing, [paper], source=LIBRARY)
    assert result.text.startswith(existing)
    assert (len(result.added), result.updated) == (1, ())
    (kept,) = result.not_merged
    assert kept.keys == ("a", "b")
    assert kept.reason == "those entries name different arXiv ids (2401.00001, 2402.00002)"
    again = merge_into_library(result.text, [paper], source=LIBRARY)
    assert (again.text, again.added, again.not_merged) == (result.text, (), ())


def test_an_entry_without_id_is_not_filled_when_two_papers_of_the_run_share_its_title() -> None:
    existing = "@misc{unsure, title = {Scaling laws}, note = {kept by hand}}\n"
    one = make_paper(title="Scaling Laws", arxiv_id="2401.00001")
    two = make_paper(title="Scaling Laws", arxiv_id="2402.00002", source=Source("d.json", item=1))
    for papers in ([one, two], [two, one]):
        result = merge_into_library(existing, papers, source=LIBRARY)
        assert result.text.startswith(existing)
        assert (len(result.added), result.updated) == (2, ())
        assert [kept.keys[0] for kept in result.not_merged] == ["unsure", "unsure"]
        again = merge_into_library(result.text, papers, source=LIBRARY)
        assert (again.text, again.added) == (result.text, ())


# ---------------------------------------------------------------------------------------------
# Looked-up metadata (papershelf.enrich) meeting the library


def test_a_persons_authors_keep_a_nameless_digest_from_adding_authorcount() -> None:
    first = merge_into_library("", [make_paper()], source=LIBRARY).text
    nameless = make_paper(authors=(), author_count=3)
    result = merge_into_library(first, [nameless], source=LIBRARY)
    fields = fields_of(result.text, "chen2025humo")
    assert "authorcount" not in fields
    assert "key" not in fields


def test_the_label_key_goes_once_authors_are_looked_up() -> None:
    nameless = make_paper(authors=(), author_count=2, arxiv_id=None)
    first = merge_into_library("", [nameless], source=LIBRARY).text
    assert fields_of(first, "humo2025humancentric")["key"] == "HuMo"
    looked_up = make_paper(metadata_source="arxiv 2026-12-01")
    fields = fields_of(
        merge_into_library(first, [looked_up], source=LIBRARY).text, "humo2025humancentric"
    )
    assert "key" not in fields
    assert fields["author"] == "Liyang Chen and Tianxiang Ma"
    assert fields["filledfrom"] == "arxiv 2026-12-01"


def test_the_label_key_skips_words_such_as_the() -> None:
    paper = make_paper(authors=(), title="The Illusion of Diminishing Returns")
    assert paper_to_fields(paper)["key"] == "Illusion"


@pytest.mark.parametrize(
    ("stand_in", "replaced"),
    [
        pytest.param("year = {2025}, month = oct, pubdate = {2025-10-30}", True, id="stand-in"),
        pytest.param("year = {2024}, month = oct, pubdate = {2025-10-30}", False, id="year-edited"),
        pytest.param(
            "year = {2025}, month = may, pubdate = {2025-10-30}", False, id="month-edited"
        ),
    ],
)
def test_a_digest_day_stand_in_gives_way_to_the_first_submission_date(
    stand_in: str, replaced: bool
) -> None:
    existing = (
        "@misc{humo2025humancentric,\n  title = {HuMo: Human-Centric Video Generation},\n"
        f"  {stand_in},\n  dateorigin = {{digest-date}}\n}}\n"
    )
    looked_up = make_paper(date=dt.date(2025, 5, 2), date_origin=DateOrigin.SOURCE)
    fields = fields_of(
        merge_into_library(existing, [looked_up], source=LIBRARY).text, "humo2025humancentric"
    )
    if replaced:
        assert (fields["year"], fields["month"], fields["pubdate"], fields["dateorigin"]) == (
            "2025",
            "may",
            "2025-05-02",
            "looked-up",
        )
    else:
        assert fields["pubdate"] == "2025-10-30"
        assert fields["dateorigin"] == "digest-date"


def test_fill_only_fills_absent_fields_and_adds_no_entry() -> None:
    existing = (
        "@article{Chen2025,\n  title = {HuMo: Human-Centric Video Generation},\n"
        "  journal = {Video Journal},\n  year = {2025},\n  keywords = {mine}\n}\n"
    )
    stranger = make_paper(title="Another Paper", arxiv_id="2501.00001")
    result = merge_into_library(
        existing,
        [make_paper(metadata_source="hf 2026-12-01"), stranger],
        source=LIBRARY,
        fill_only=True,
    )
    fields = fields_of(result.text, "Chen2025")
    assert fields["author"] == "Liyang Chen and Tianxiang Ma"
    assert fields["eprint"] == "2509.08519"
    assert fields["keywords"] == "mine", "no tags of ours"
    for ours in ("upvotes", "pubdate", "dateorigin", "howpublished", "organization"):
        assert ours not in fields
    assert fields["filledfrom"] == "hf 2026-12-01"
    assert result.added == ()
    assert "Another Paper" not in result.text


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("\\GPT", id="backslash-command-like"),
        pytest.param("R\\&D {GPT}-4o", id="escaped-residue-and-braces"),
        pytest.param("{LLaMA}: Open Models", id="protected-acronym"),
        pytest.param('\\{\\"u}', id="escaped-brace-and-accent"),
    ],
)
def test_a_title_written_once_is_found_again(title: str) -> None:
    """The library's title is compared as the title it stands for, protective braces and all."""
    paper = make_paper(title=title, authors=(), arxiv_id=None)
    first = merge_into_library("", [paper], source=LIBRARY)
    again = merge_into_library(first.text, [paper], source=LIBRARY)
    assert (again.added, again.text) == ((), first.text)


# ---------------------------------------------------------------------------------------------
# `%` lines inside an entry: comments to biber and JabRef, kept as they are

PERCENT_LINES = [
    pytest.param(
        "@misc{chen2025humo,\n"
        "  % corrected by hand: the digest's title is wrong\n"
        "  title = {HuMo: The Right Title},\n"
        "  eprint = {2509.08519},\n"
        "  eprinttype = {arxiv}\n"
        "}\n",
        ["  % corrected by hand: the digest's title is wrong"],
        id="comment-line",
    ),
    pytest.param(
        "@misc{chen2025humo,\n"
        "  % title = {HuMo: Human-Centric Video Generation},\n"
        "  title = {HuMo: The Right Title},\n"
        "  eprint = {2509.08519}, % the arXiv id, checked\n"
        "  eprinttype = {arxiv}\n"
        "  % the end, with a brace } and a comma,\n"
        "}\n",
        [
            "  % title = {HuMo: Human-Centric Video Generation},",
            "  % the arXiv id, checked",
            "  % the end, with a brace } and a comma,",
        ],
        id="commented-out-field",
    ),
]


@pytest.mark.parametrize(("existing", "comments"), PERCENT_LINES)
def test_a_percent_line_hides_no_field_and_is_kept(existing: str, comments: list[str]) -> None:
    result = merge_into_library(existing, [make_paper()], source=LIBRARY)
    assert (result.added, result.updated) == ((), ("chen2025humo",))
    parsed = parse_library(result.text, source=LIBRARY)
    assert parsed.errors == ()
    (checked,) = parsed.entries
    entry = checked.entry
    names = [field.key for field in entry.fields]
    assert names.count("title") == 1, names
    assert entry.fields_dict["title"].value == "{HuMo: The Right Title}"
    assert "abstract" in names  # the merge did fill in what was absent
    for comment in comments:
        assert comment in result.text.splitlines()
    assert result.index == index_library(result.text, source=LIBRARY)
    # The next run finds the same fields and changes nothing.
    assert merge_into_library(result.text, [make_paper()], source=LIBRARY).text == result.text


def test_an_untouched_entry_with_percent_lines_stays_byte_for_byte() -> None:
    existing = str(PERCENT_LINES[1].values[0])
    other = make_paper(title="Scaling Laws", arxiv_id="2501.00001", authors=("Ann Lee",))
    result = merge_into_library(existing, [other], source=LIBRARY)
    assert result.text.startswith(existing)
