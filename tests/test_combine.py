"""combine_papers and normalise_title: one paper per identity within a run."""

from __future__ import annotations

import datetime as dt

import pytest

from papershelf import Link, LinkKind, Paper, Source, combine_papers
from papershelf.identity import normalise_title

DAY = dt.date(2025, 10, 30)


def paper(title: str, line: int, **fields: object) -> Paper:
    return Paper(title=title, abstract="", source=Source("d.txt", line=line), date=DAY, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("{LLaMA}: Open and Efficient", "llama open and efficient", id="tex-braces"),
        pytest.param("LLaMA - open  and efficient!", "llama open and efficient", id="punctuation"),
        pytest.param("Caf\u00e9 \\& Cr\u00e8me", "cafe creme", id="accents-and-escape"),
        pytest.param("R\\&D at 100\\%", "r d at 100", id="escaped-specials"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


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
