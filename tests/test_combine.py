"""combine_papers: one paper per identity within a run, each field by its policy."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from papershelf import AnnounceType, DateOrigin, Link, LinkKind, Paper, Source, combine_papers
from papershelf.combine import COMBINE_POLICY, check_policy

DAY = dt.date(2025, 10, 30)


def paper(title: str, line: int, **fields: object) -> Paper:
    return Paper(title=title, abstract="", source=Source("d.txt", line=line), date=DAY, **fields)  # type: ignore[arg-type]


def test_same_title_twice_is_one_paper_with_fresher_counts() -> None:
    first = paper("Let it Calm", 3, upvotes=4, counts_date=dt.date(2025, 10, 29))
    later = paper("Let it calm.", 9, upvotes=7, counts_date=DAY, comments=2)
    (combined,) = combine_papers([first, later])
    assert combined.source.line == 3
    assert (combined.upvotes, combined.comments, combined.counts_date) == (7, 2, DAY)


def test_arxiv_id_links_a_titled_record_to_its_json_twin() -> None:
    text = paper("Breaking the Memory Barrier", 1, author_count=9)
    json_one = paper("Breaking the memory barrier", 2, arxiv_id="2410.17243", authors=("A B",))
    json_two = paper("Breaking the Memory Barrier: v2 title", 3, arxiv_id="2410.17243")
    (combined,) = combine_papers([text, json_one, json_two])
    assert combined.arxiv_id == "2410.17243"
    assert combined.authors == ("A B",)
    assert combined.author_count == 9


def test_links_keywords_and_tags_are_united_in_order() -> None:
    code = Link("https://github.com/a/b", LinkKind.CODE)
    page = Link("https://a.github.io/b", LinkKind.PROJECT)
    first = paper("T", 1, links=(code,), keywords=("x",), tags=("llm",))
    later = paper("T", 2, links=(page, code), keywords=("y", "x"), tags=("agents",))
    (combined,) = combine_papers([first, later])
    assert combined.links == (code, page)
    assert combined.keywords == ("x", "y")
    assert combined.tags == ("agents", "llm")


def test_distinct_papers_keep_their_order() -> None:
    titles = ["B paper", "A paper", "C paper"]
    combined = combine_papers([paper(t, n) for n, t in enumerate(titles)])
    assert [p.title for p in combined] == titles


# Look-alike titles (issue 10): records that are different papers stay apart.


@pytest.mark.parametrize(
    ("first", "later"),
    [
        pytest.param(
            paper("\u03b1-VAE: Learning Basic Visual Concepts", 1),
            paper("\u03b2-VAE: Learning Basic Visual Concepts", 2),
            id="greek-letters",
        ),
        pytest.param(
            paper("\u6ce8\u610f\u529b\u673a\u5236", 1),
            paper("\u6269\u6563\u6a21\u578b", 2),
            id="cjk",
        ),
        pytest.param(
            paper("\u041d\u0435\u0439\u0440\u043e\u0441\u0435\u0442\u0438", 1),
            paper("\u0422\u0440\u0430\u043d\u0441\u0444\u043e\u0440\u043c\u0435\u0440\u044b", 2),
            id="cyrillic",
        ),
        pytest.param(
            paper("\u304c\u304f\u3057\u3085\u3046", 1),
            paper("\u304b\u304f\u3057\u3085\u3046", 2),
            id="kana-voicing-mark",
        ),
        pytest.param(paper("!!!", 1), paper("???", 2), id="punctuation-only"),
        pytest.param(
            paper("Scaling Laws", 1, arxiv_id="2401.00001"),
            paper("Scaling laws", 2, arxiv_id="2402.00002"),
            id="different-arxiv-ids",
        ),
    ],
)
def test_different_papers_are_never_combined(first: Paper, later: Paper) -> None:
    assert combine_papers([first, later]) == [first, later]


def test_six_distinct_papers_stay_six() -> None:
    papers = [
        paper("\u03b1-VAE: X", 1, author_count=2),
        paper("\u03b2-VAE: X", 2, author_count=4),
        paper("\u5927\u578b\u8bed\u8a00\u6a21\u578b", 3),
        paper("\u89c6\u9891\u751f\u6210", 4),
        paper("Scaling Laws", 5, arxiv_id="2401.00001"),
        paper("Scaling Laws", 6, arxiv_id="2402.00002"),
    ]
    assert combine_papers(papers) == papers


def test_a_record_without_id_between_two_ids_of_its_title_stays_apart() -> None:
    one = paper("Scaling Laws", 1, arxiv_id="2401.00001")
    two = paper("Scaling Laws", 2, arxiv_id="2402.00002")
    unsure = paper("Scaling laws", 3, author_count=7)
    for order in ([one, two, unsure], [unsure, one, two], [one, unsure, two]):
        assert sorted(combine_papers(order), key=lambda p: p.source.line or 0) == [one, two, unsure]


def test_a_record_without_id_joins_the_one_id_of_its_title_wherever_it_stands() -> None:
    text = paper("Breaking the Memory Barrier", 1, author_count=9)
    first = paper("Breaking the Memory Barrier: v1 title", 2, arxiv_id="2410.17243")
    second = paper("Breaking the memory barrier", 3, arxiv_id="2410.17243", authors=("A B",))
    (combined,) = combine_papers([text, first, second])
    assert (combined.source.line, combined.arxiv_id) == (1, "2410.17243")
    assert (combined.authors, combined.author_count) == (("A B",), 9)


# One policy per field: a new Paper field cannot be dropped without a word.


def test_a_paper_field_without_a_combine_policy_is_an_error() -> None:
    names = [field.name for field in dataclasses.fields(Paper)]
    check_policy(names)
    with pytest.raises(TypeError, match=r"without one: \['isbn'\]"):
        check_policy([*names, "isbn"])
    with pytest.raises(TypeError, match=r"not a field: \['tags'\]"):
        check_policy([name for name in names if name != "tags"])


def test_every_field_combines_by_its_policy() -> None:
    code = Link("https://github.com/a/b", LinkKind.CODE)
    page = Link("https://a.github.io/b", LinkKind.PROJECT)
    first = Paper(
        title="First Title",
        abstract="",
        source=Source("a.txt", line=1),
        date=dt.date(2025, 3, 6),
        date_origin=DateOrigin.YEAR_INFERRED,
        authors=(),
        author_count=0,
        organization="",
        arxiv_id=None,
        upvotes=4,
        comments=None,
        counts_date=dt.date(2025, 10, 29),
        github_stars=None,
        links=(code,),
        keywords=("x",),
        metadata_source=None,
        arxiv_version=None,
        categories=(),
        arxiv_comment=None,
        journal_ref="J. A",
        doi=None,
        announced=dt.date(2025, 3, 6),
        announce_type=AnnounceType.NEW,
        tags=("llm",),
    )
    later = Paper(
        title="First title",
        abstract="An abstract.",
        source=Source("b.json", item=0),
        date=dt.date(2025, 3, 7),
        date_origin=DateOrigin.GIVEN,
        authors=("A B",),
        author_count=3,
        organization="OCC",
        arxiv_id="2410.17243",
        upvotes=None,
        comments=2,
        counts_date=DAY,
        github_stars=120,
        links=(page, code),
        keywords=("y", "x"),
        metadata_source="arxiv 2026-12-01",
        arxiv_version=2,
        categories=("cs.CL",),
        arxiv_comment="9 pages",
        journal_ref="J. B",
        doi="10.1000/x",
        announced=dt.date(2025, 3, 9),
        announce_type=AnnounceType.REPLACE,
        tags=("agents", "llm"),
    )
    (combined,) = combine_papers([first, later])
    expected = {
        "title": "First Title",  # first given
        "abstract": "An abstract.",  # first given
        "source": Source("a.txt", line=1),
        "date": dt.date(2025, 3, 6),
        "date_origin": DateOrigin.YEAR_INFERRED,
        "authors": ("A B",),
        "author_count": 0,  # 0 is given
        "organization": "OCC",
        "arxiv_id": "2410.17243",
        "upvotes": 4,  # fresher has none: the first record's
        "comments": 2,  # fresher's
        "counts_date": DAY,
        "github_stars": 120,
        "links": (code, page),  # united in order
        "keywords": ("x", "y"),
        "metadata_source": "arxiv 2026-12-01",  # first given
        "arxiv_version": 2,  # highest
        "categories": ("cs.CL",),
        "arxiv_comment": "9 pages",
        "journal_ref": "J. A",
        "doi": "10.1000/x",
        "announced": dt.date(2025, 3, 9),  # the newer version's
        "announce_type": AnnounceType.REPLACE,
        "tags": ("agents", "llm"),  # united, sorted
    }
    assert set(expected) == set(COMBINE_POLICY)
    assert {name: getattr(combined, name) for name in expected} == expected


def test_papers_known_by_their_id_alone_are_not_one_paper() -> None:
    """An empty title is no identity: two ids from a plain list stay two papers."""
    papers = [paper("", 1, arxiv_id="2410.17243"), paper("", 2, arxiv_id="2502.20581")]
    assert [combined.arxiv_id for combined in combine_papers(papers)] == [
        "2410.17243",
        "2502.20581",
    ]


def test_an_id_alone_takes_the_title_and_arxiv_facts_of_a_richer_record() -> None:
    bare = paper("", 1, arxiv_id="2411.13566", arxiv_version=1)
    rich = paper(
        "Integrated Water Resource Management",
        2,
        arxiv_id="2411.13566",
        authors=("Urtzi Otamendi",),
        categories=("cs.AI",),
        journal_ref="Journal of Environmental Management 370 (2024)",
        doi="10.1016/j.jenvman.2024.122526",
        arxiv_comment="15 pages",
    )
    (combined,) = combine_papers([bare, rich])
    assert combined.title == "Integrated Water Resource Management"
    assert combined.authors == ("Urtzi Otamendi",)
    assert combined.primary_class == "cs.AI"
    assert (combined.journal_ref, combined.doi, combined.arxiv_comment) == (
        "Journal of Environmental Management 370 (2024)",
        "10.1016/j.jenvman.2024.122526",
        "15 pages",
    )


def test_the_newer_version_says_how_and_when_it_was_announced() -> None:
    new = paper(
        "T",
        1,
        arxiv_id="2301.00001",
        arxiv_version=1,
        announced=dt.date(2023, 1, 3),
        announce_type=AnnounceType.NEW,
    )
    replaced = paper(
        "T",
        2,
        arxiv_id="2301.00001",
        arxiv_version=3,
        announced=dt.date(2024, 11, 21),
        announce_type=AnnounceType.REPLACE,
    )
    for order in ([new, replaced], [replaced, new]):
        (combined,) = combine_papers(order)
        assert combined.arxiv_version == 3
        assert combined.announced == dt.date(2024, 11, 21)
        assert combined.announce_type is AnnounceType.REPLACE
