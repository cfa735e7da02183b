"""Format detection and dispatch: every digest reaches its parser, anything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, SAMPLE_DIGEST
from papershelf import (
    DateOrigin,
    DigestError,
    DigestFormat,
    Paper,
    Problem,
    detect_format,
    parse_digest,
)

FORMATS = "the Hugging Face papers page copied as text or as Markdown, or its daily_papers JSON"
UNREADABLE = (
    f"not a digest papershelf can read: expected {FORMATS}; pass --format to force a format "
    "(see docs/guide/digests.md)"
)
BINARY = f"this looks like a binary file, not a text digest; give papershelf {FORMATS}"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        pytest.param("hf-papers-page.txt", DigestFormat.HF_TEXT, id="text"),
        pytest.param("hf-papers-page-markdown.md", DigestFormat.HF_MARKDOWN, id="markdown"),
        pytest.param("hf-daily-papers-2024-10.json", DigestFormat.HF_JSON, id="json-2024"),
        pytest.param("hf-daily-papers-2026.json", DigestFormat.HF_JSON, id="json-2026"),
    ],
)
def test_detect_samples(name: str, fmt: DigestFormat) -> None:
    assert detect_format((DATA / name).read_text("utf-8"), source=name) is fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        pytest.param("\ufeff  \n[]", DigestFormat.HF_JSON, id="json-after-bom"),
        pytest.param('{"papers": []}', DigestFormat.HF_JSON, id="json-object"),
        pytest.param("[not json", DigestFormat.HF_JSON, id="broken-json-still-json"),
        pytest.param(
            "Title\r\n\r\nAbstract\r\n\u00b7\r\nMar 6\r\n", DigestFormat.HF_TEXT, id="crlf"
        ),
        pytest.param(
            "Title\n\nAbstract\n\n  \u2022 1 authors\n", DigestFormat.HF_TEXT, id="authors"
        ),
        pytest.param(
            "### [T](https://huggingface.co/papers/1)\n", DigestFormat.HF_MARKDOWN, id="md"
        ),
    ],
)
def test_detect_format(text: str, fmt: DigestFormat) -> None:
    assert detect_format(text, source="x") is fmt


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "", "x: the digest is empty; paste a papers page into it or delete it", id="empty"
        ),
        pytest.param(
            " \n\t\r\n ",
            "x: the digest is empty; paste a papers page into it or delete it",
            id="whitespace",
        ),
        pytest.param("Lorem ipsum dolor sit amet.\n\nMar 6\n", f"x: {UNREADABLE}", id="prose"),
        pytest.param("\u00b7\n\u00b7\n\u00b7\n", f"x: {UNREADABLE}", id="only-middle-dots"),
        pytest.param(
            "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            f"x: {BINARY}",
            id="binary",
        ),
    ],
)
def test_detect_refuses(text: str, message: str) -> None:
    with pytest.raises(DigestError) as raised:
        detect_format(text, source="x")
    assert str(raised.value) == message


def test_parse_digest_detects_and_dispatches() -> None:
    text = SAMPLE_DIGEST.read_text("utf-8")
    papers = parse_digest(text, source="s.txt", digest_date=dt.date(2025, 10, 30))
    assert len(papers) == 42
    assert papers[0].date_origin is DateOrigin.YEAR_INFERRED
    json_papers = parse_digest(
        (DATA / "hf-daily-papers-2024-10.json").read_text("utf-8"),
        source="d.json",
        digest_date=None,
    )
    assert [paper.arxiv_id for paper in json_papers] == ["2410.17243", "2410.18533"]


def test_parse_digest_honours_an_explicit_format() -> None:
    text = (DATA / "hf-papers-page-markdown.md").read_text("utf-8")
    as_markdown = parse_digest(text, source="m.md", digest_date=None, fmt=DigestFormat.HF_MARKDOWN)
    assert [paper.arxiv_id for paper in as_markdown] == ["2606.00683", "2502.20581"]
    with pytest.raises(DigestError, match=r"^m\.md:1: invalid JSON: Expecting value \(column 1\)$"):
        parse_digest(text, source="m.md", digest_date=None, fmt=DigestFormat.HF_JSON)


def test_format_values_are_the_cli_names() -> None:
    assert [fmt.value for fmt in DigestFormat] == ["hf-text", "hf-markdown", "hf-json"]
    assert DigestFormat("hf-json") is DigestFormat.HF_JSON


_PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "Title",
        "A long abstract sentence that goes on. " * 5,
        "  \u2022 3 authors",
        "  \u2022 OCC",
        "\u00b7",
        "Mar 6",
        "Feb 30",
        "Dec 22, 2024 2",
        "19",
        "-",
        "[-] 4",
        "### [T](https://huggingface.co/papers/2501.00001)",
        "[5](https://x.io)",
        "May 29[6](https://x.io#community)",
        "\\\\",
        "---",
        "retrieved: 2026-13-40",
        "https://github.com/a/b).",
        "javascript:alert(1)",
        '{"paper": {"title": 1}}',
        "[",
        "\x00",
        "\r",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40),
    fmt=st.sampled_from(list(DigestFormat)),
    digest_date=st.sampled_from([None, dt.date(2025, 10, 30)]),
)
def test_any_text_gives_papers_or_a_digest_error(
    pieces: list[str], fmt: DigestFormat, digest_date: dt.date | None
) -> None:
    text = "".join(pieces)
    papers: list[Paper] = []
    problems: tuple[Problem, ...] = ()
    try:
        papers = parse_digest(text, source="f.txt", digest_date=digest_date, fmt=fmt)
    except DigestError as error:
        problems = error.problems
    assert bool(papers) != bool(problems)
    assert all(problem.file == "f.txt" for problem in problems)
    for paper in papers:
        assert paper.title
        assert paper.title == " ".join(paper.title.split())
        assert not any(ord(char) < 32 for char in paper.title + paper.abstract)
