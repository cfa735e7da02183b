"""The Hugging Face daily_papers JSON, 2024 and 2026 shapes."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

from conftest import DATA
from papershelf import DateOrigin, DigestError, Link, LinkKind, Paper, Source
from papershelf.digests.hf_json import parse_hf_json

JAN16 = dt.date(2026, 1, 16)


def parse(text: str, digest_date: dt.date | None = None) -> list[Paper]:
    return parse_hf_json(text, source="d.json", digest_date=digest_date)


def problems_of(text: str, digest_date: dt.date | None = None) -> list[str]:
    with pytest.raises(DigestError) as raised:
        parse(text, digest_date)
    return [str(problem) for problem in raised.value.problems]


def test_2024_shape() -> None:
    first, second = parse((DATA / "hf-daily-papers-2024-10.json").read_text("utf-8"))
    assert first.title == (
        "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    )
    assert first.abstract.startswith(
        "Contrastive loss is a powerful approach for representation learning, where larger batch"
    )
    assert first.abstract.endswith("The code will be made publicly available.")
    assert "\n" not in first.abstract
    assert "  " not in first.abstract
    assert first.authors == (
        "Zesen Cheng",
        "Hang Zhang",
        "Kehan Li",
        "Sicong Leng",
        "Zhiqiang Hu",
        "Fei Wu",
        "Deli Zhao",
        "Xin Li",
        "Lidong Bing",
    )
    assert (first.arxiv_id, first.upvotes, first.comments) == ("2410.17243", 64, 3)
    # paper.publishedAt is the date; without a digest date the item's own date is the counts date.
    assert (first.date, first.date_origin) == (dt.date(2024, 10, 22), DateOrigin.GIVEN)
    assert first.counts_date == dt.date(2024, 10, 25)
    assert first.source == Source("d.json", item=0)
    assert second.title == "LOGO -- Long cOntext aliGnment via efficient preference Optimization"
    assert (second.arxiv_id, second.upvotes, second.comments) == ("2410.18533", 37, 2)
    assert second.date == dt.date(2024, 10, 24)
    assert second.source == Source("d.json", item=1)


def test_2026_shape() -> None:
    one, two, three, four = parse(
        (DATA / "hf-daily-papers-2026.json").read_text("utf-8"), digest_date=JAN16
    )
    assert one.title == "Synthetic Fixture One: Every Field of the 2026 Shape"
    assert one.authors == ("Ada Example", "Bo Sample", "Chen Placeholder")
    assert one.organization == "Example Organisation"
    assert (one.arxiv_id, one.upvotes, one.comments) == ("2601.01234", 42, 5)
    assert one.github_stars == 120
    # paper.publishedAt is midnight UTC, the item's the evening before: the paper's date wins.
    assert (one.date, one.date_origin, one.counts_date) == (
        dt.date(2026, 1, 14),
        DateOrigin.GIVEN,
        JAN16,
    )
    assert one.keywords == ("contrastive loss", "tile-based computation")
    assert one.links == (
        Link("https://github.com/example-org/fixture-one", LinkKind.CODE),
        Link("https://example-org.github.io/fixture-one/", LinkKind.PROJECT),
    )
    assert one.abstract.endswith("its page is listed below.")

    assert two.title == "Synthetic Fixture Two: Almost Nothing"
    assert (two.abstract, two.authors, two.links, two.keywords) == ("", (), (), ())
    assert (two.date, two.date_origin) == (JAN16, DateOrigin.DIGEST)
    assert (two.arxiv_id, two.upvotes, two.comments, two.organization) == (None, None, None, None)

    assert three.title == "Synthetic Fixture Three: Hard Wraps and Paragraph Breaks"
    assert three.abstract == (
        "The first paragraph is wrapped over two lines. The second paragraph follows a paragraph "
        "break. Code: https://gitlab.com/example/three."
    )
    assert three.arxiv_id == "2601.05678"
    assert three.organization == "Example Lab"
    assert three.comments == 0
    # githubRepo `javascript:alert(1)` is no link; the project page is.
    assert three.links == (
        Link("https://gitlab.com/example/three", LinkKind.CODE),
        Link("https://sites.google.com/view/fixture-three", LinkKind.PROJECT),
    )
    assert three.date == dt.date(2026, 1, 15)

    assert four.title == "Synthetic Fixture Four: Title Only at the Item Level"
    assert four.abstract == "Only the item carries title and summary; the paper object has none."
    assert (four.organization, four.upvotes, four.source.item) == ("example-four", 0, 3)


def test_2026_shape_without_digest_date_names_the_first_undated_item() -> None:
    assert problems_of((DATA / "hf-daily-papers-2026.json").read_text("utf-8")) == [
        "d.json:51: item 1: the paper has no publishedAt and the digest date is unknown; "
        "pass --date YYYY-MM-DD or put the date in the digest's file name "
        "(2 items in this file have no date)"
    ]


def test_papers_wrapper_is_accepted() -> None:
    items = json.loads((DATA / "hf-daily-papers-2024-10.json").read_text("utf-8"))
    papers = parse(json.dumps({"papers": items}))
    assert [paper.arxiv_id for paper in papers] == ["2410.17243", "2410.18533"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '[\n  {"paper": {"title": "A"}},\n  {"paper": {"title": "B"},}\n]',
            [
                # Python's own wording, which 3.13 made more precise.
                "d.json:3: invalid JSON: Illegal trailing comma before end of object (column 27)"
                if sys.version_info >= (3, 13)
                else "d.json:3: invalid JSON: Expecting property name enclosed in double quotes "
                "(column 28)"
            ],
            id="trailing-comma",
        ),
        pytest.param(
            '[{"paper": {"title": "A\x00"}}]',
            ["d.json:1: invalid JSON: Invalid control character at (column 24)"],
            id="raw-control-character",
        ),
        pytest.param(
            "[" * 100_000 + "]" * 100_000,
            ["d.json: invalid JSON: nested too deeply to be a daily_papers answer"],
            id="nested-too-deep",
        ),
        pytest.param(
            '"just a string"',
            [
                'd.json: expected a JSON list of daily_papers items (or {"papers": [...]}), '
                "got a string"
            ],
            id="not-a-list",
        ),
        pytest.param("[]", ["d.json: the JSON list holds no papers"], id="empty-list"),
        pytest.param(
            '[\n {"paper": {"summary": "no title", "publishedAt": "2024-10-22"}},\n'
            ' {"paper": {"title": 7}},\n'
            ' {"paper": {"title": "T", "publishedAt": "yesterday"}},\n'
            ' {"paper": {"title": "T", "publishedAt": "2024-10-22", "upvotes": "many"}},\n'
            ' {"paper": {"title": "T", "publishedAt": "2024-10-22", "authors": {}}},\n'
            " 12\n]",
            [
                "d.json:2: item 0: the paper has no title; add paper.title or remove the item",
                "d.json:3: item 1: paper.title is a number, not a string; fix the JSON",
                "d.json:4: item 2: paper.publishedAt: 'yesterday' is not an ISO date such as "
                "2024-10-22T17:59:30.000Z; fix the JSON",
                "d.json:5: item 3: paper.upvotes is 'many', not a count; fix the JSON",
                "d.json:6: item 4: paper.authors is not a list; fix the JSON",
                "d.json:7: item 5: the item is a number, not an object; fix the JSON",
            ],
            id="every-item-problem-at-once",
        ),
        pytest.param(
            '[{"paper": {"title": "A"}}, {"paper": {}}]',
            ["d.json: item 1: the paper has no title; add paper.title or remove the item"],
            id="one-line-json-names-the-item",
        ),
    ],
)
def test_problems(text: str, expected: list[str]) -> None:
    assert problems_of(text, digest_date=JAN16) == expected


def test_hostile_strings_are_kept_and_controls_removed() -> None:
    item = {
        "paper": {
            "title": "\\input{/etc/passwd} <script>alert(1)</script> {",
            "summary": "A\u0000b\u001bc &amp; \\& d",
            "authors": [{"name": "<b>X</b>"}, {"name": ""}, {"user": {}}],
            "githubRepo": " https://github.com/a/b ",
            "projectPage": "data:text/html,<b>x</b>",
            "id": "../../etc/passwd",
        }
    }
    [paper] = parse(json.dumps([item]), digest_date=JAN16)
    assert paper.title == "\\input{/etc/passwd} <script>alert(1)</script> {"
    assert paper.abstract == "Abc &amp; \\& d"
    assert paper.authors == ("<b>X</b>",)
    assert paper.links == (Link("https://github.com/a/b", LinkKind.CODE),)
    assert paper.arxiv_id is None


def test_timestamp_beyond_the_calendar_is_a_problem_not_a_crash() -> None:
    text = '[{"paper": {"title": "T", "publishedAt": "9999-12-31T23:00:00-05:00"}}]'
    with pytest.raises(DigestError) as raised:
        parse_hf_json(text, source="d.json", digest_date=None)
    assert [str(problem) for problem in raised.value.problems] == [
        "d.json: item 0: paper.publishedAt: '9999-12-31T23:00:00-05:00' lies outside the years"
        " 1 to 9999 in UTC; fix the JSON"
    ]
