"""The Hugging Face papers page copied as text, and its Markdown capture."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from conftest import DATA, SAMPLE_DIGEST
from papershelf import DateOrigin, DigestError, LinkKind, Paper
from papershelf.digests.hf_text import parse_hf_markdown, parse_hf_text

GOLDEN = Path(__file__).resolve().parent / "golden" / "hf-papers-page.json"
SOURCE = "bib/digests/2025-10-30-hf-papers.txt"
OCT30 = dt.date(2025, 10, 30)
ABSTRACT = (
    "We study a synthetic problem and report results on it. The abstract is long enough to read "
    "as an abstract: it has several sentences, each ending in a full stop, and no URL."
)
FOOTER = "  \u2022 3 authors\n\u00b7\nMar 6"


def summary(paper: Paper) -> dict[str, object]:
    """Return what the golden file records of a paper: every field, the abstract by its ends."""
    return {
        "line": paper.source.line,
        "title": paper.title,
        "abstract_start": paper.abstract[:60],
        "abstract_end": paper.abstract[-60:],
        "abstract_length": len(paper.abstract),
        "abstract_sha256": hashlib.sha256(paper.abstract.encode()).hexdigest()[:16],
        "date": paper.date.isoformat(),
        "date_origin": paper.date_origin.value,
        "author_count": paper.author_count,
        "organization": paper.organization,
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "arxiv_id": paper.arxiv_id,
        "links": [[link.url, link.kind.value] for link in paper.links],
    }


def parse(text: str, digest_date: dt.date | None = OCT30) -> list[Paper]:
    return parse_hf_text(text, source="x.txt", digest_date=digest_date)


def problems_of(text: str, digest_date: dt.date | None = OCT30) -> list[str]:
    with pytest.raises(DigestError) as raised:
        parse(text, digest_date)
    return [str(problem) for problem in raised.value.problems]


# --- the sample page -------------------------------------------------------------------------


def test_sample_matches_golden(sample_digest_text: str) -> None:
    """The 42 papers of the sample; the golden file was checked by eye against the page.

    Regenerate with `PAPERSHELF_UPDATE_GOLDEN=1 pytest tests/test_digests_hf_text.py`, then read
    the diff before committing it.
    """
    papers = parse_hf_text(sample_digest_text, source=SOURCE, digest_date=OCT30)
    actual = [summary(paper) for paper in papers]
    if os.environ.get("PAPERSHELF_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", "utf-8")
        pytest.skip(f"rewrote {GOLDEN.name}; review the diff before committing it")
    assert actual == json.loads(GOLDEN.read_text("utf-8"))


def test_sample_titles_and_abstracts_are_the_page_lines(sample_digest_text: str) -> None:
    """Independent of the golden file: each title is its line, each abstract the line after next."""
    lines = sample_digest_text.split("\n")
    papers = parse_hf_text(sample_digest_text, source=SOURCE, digest_date=OCT30)
    assert len(papers) == 42
    for paper in papers:
        line = paper.source.line
        assert line is not None
        assert paper.title == lines[line - 1]
        assert paper.abstract == lines[line + 1]
        assert paper.source.file == SOURCE
        assert paper.counts_date == OCT30
    assert SAMPLE_DIGEST.read_text("utf-8") == (DATA / "hf-papers-page.txt").read_text("utf-8")


@pytest.mark.parametrize(
    ("line", "title_start", "date", "origin", "authors", "comments", "links"),
    [
        pytest.param(
            13,
            "Incorporating Surrogate",
            dt.date(2025, 3, 6),
            DateOrigin.YEAR_INFERRED,
            4,
            None,
            [("https://github.com/cuong-dm/IGNITE", LinkKind.CODE)],
            id="first",
        ),
        pytest.param(
            21,
            "Leaving Reality",
            dt.date(2023, 2, 5),
            DateOrigin.GIVEN,
            2,
            None,
            [("https://github.com/Hritikbansal/generative-robustness", LinkKind.CODE)],
            id="year-given",
        ),
        pytest.param(
            37,
            "LLM Context",
            dt.date(2025, 5, 18),
            DateOrigin.YEAR_INFERRED,
            1,
            2,
            [],
            id="May-18-2",
        ),
        pytest.param(
            45,
            "HuMo:",
            dt.date(2025, 9, 10),
            DateOrigin.YEAR_INFERRED,
            10,
            4,
            [("https://phantom-video.github.io/HuMo", LinkKind.PROJECT)],
            id="project-page-full-stop",
        ),
        pytest.param(
            53,
            "HunyuanCustom:",
            OCT30,
            DateOrigin.DIGEST,
            None,
            None,
            [("https://hunyuancustom.github.io", LinkKind.PROJECT)],
            id="no-footer-1",
        ),
        pytest.param(
            57, "GenHancer:", dt.date(2025, 3, 25), DateOrigin.YEAR_INFERRED, 6, 2, [], id="after-1"
        ),
        pytest.param(
            137, "B-STaR:", dt.date(2024, 12, 22), DateOrigin.GIVEN, 6, 2, [], id="Dec-22-2024-2"
        ),
        pytest.param(
            265, "Let it Calm:", OCT30, DateOrigin.DIGEST, None, None, [], id="no-footer-2"
        ),
        pytest.param(
            269, "An Emulator", dt.date(2023, 10, 19), DateOrigin.GIVEN, 5, 1, [], id="after-2"
        ),
        pytest.param(
            285,
            "AceReason-Nemotron 1.1:",
            dt.date(2025, 6, 16),
            DateOrigin.YEAR_INFERRED,
            7,
            4,
            [("https://huggingface.co/nvidia/AceReason-Nemotron-1.1-7B", LinkKind.HF_MODEL)],
            id="hf-model",
        ),
        pytest.param(
            333, "Light-IF:", dt.date(2025, 8, 5), DateOrigin.YEAR_INFERRED, 5, 2, [], id="last"
        ),
    ],
)
def test_sample_entries_read_by_hand(
    sample_digest_text: str,
    line: int,
    title_start: str,
    date: dt.date,
    origin: DateOrigin,
    authors: int | None,
    comments: int | None,
    links: list[tuple[str, LinkKind]],
) -> None:
    papers = {
        paper.source.line: paper
        for paper in parse_hf_text(sample_digest_text, source=SOURCE, digest_date=OCT30)
    }
    paper = papers[line]
    assert paper.title.startswith(title_start)
    assert (paper.date, paper.date_origin) == (date, origin)
    assert (paper.author_count, paper.comments, paper.upvotes) == (authors, comments, None)
    assert [(link.url, link.kind) for link in paper.links] == links


def test_sample_without_digest_date_asks_for_it_once(sample_digest_text: str) -> None:
    with pytest.raises(DigestError) as raised:
        parse_hf_text(sample_digest_text, source=SOURCE, digest_date=None)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{SOURCE}:19: date 'Mar 6' has no year; pass --date YYYY-MM-DD or put the date in the "
        "digest's file name (21 dates in this file have no year)",
        f"{SOURCE}:53: paper has no date and the digest date is unknown; pass --date YYYY-MM-DD "
        "or put the date in the digest's file name (2 papers in this file have no date)",
    ]


# --- variants of the copy --------------------------------------------------------------------


def entry(title: str, footer: str = FOOTER, before: str = "", abstract: str = ABSTRACT) -> str:
    head = f"{before}\n\n" if before else ""
    tail = f"\n\n{footer}" if footer else ""
    return f"{head}{title}\n\n{abstract}{tail}\n\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            entry("Title A", before="19") + entry("Title B", before="-"),
            [("Title A", 3, 19, None, 3, None), ("Title B", 13, None, None, 3, None)],
            id="upvotes-bare-and-dash",
        ),
        pytest.param(
            entry("Title A", before="[-] 19") + entry("Title B", before="[-]"),
            [("Title A", 3, 19, None, 3, None), ("Title B", 13, None, None, 3, None)],
            id="upvotes-with-button",
        ),
        pytest.param(
            entry("Title A", footer="  \u2022 OCC\n\u00b7\nMay 29 6"),
            [("Title A", 1, None, "OCC", None, 6)],
            id="organisation-with-bullet",
        ),
        pytest.param(
            entry("Title A", footer="OCC\n\u00b7\nMay 29 6"),
            [("Title A", 1, None, "OCC", None, 6)],
            id="organisation-without-bullet",
        ),
        pytest.param(
            entry("Title A", footer="OCC\n\n\u00b7\n\nMay 29\n6") + entry("Title B", before="5"),
            [("Title A", 1, None, "OCC", None, 6), ("Title B", 14, 5, None, 3, None)],
            id="comments-on-own-line-then-upvotes",
        ),
        pytest.param(
            entry("Title A", footer="  \u2022 4 authors \u00b7 Mar 6 2")
            + entry("Title B", footer="OCC \u00b7 Feb 5, 2023"),
            [("Title A", 1, None, None, 4, 2), ("Title B", 7, None, "OCC", None, None)],
            id="footer-on-one-line",
        ),
        pytest.param(
            entry("Title A", footer="")
            + entry("Title B", footer="")
            + entry("Title C", footer="\u00b7"),
            [
                ("Title A", 1, None, None, None, None),
                ("Title B", 5, None, None, None, None),
                ("Title C", 9, None, None, None, None),
            ],
            id="no-footers",
        ),
        pytest.param(
            "new\n\nSubscribe\n\nDaily Papers\n\nOct 30\n\nDaily\nWeekly\n\u00b7\n\n"
            + entry("Title A"),
            [("Title A", 13, None, None, 3, None)],
            id="header-chrome",
        ),
        pytest.param(
            "A banner the copy picked up\n\n" + entry("Title A"),
            [("Title A", 3, None, None, 3, None)],
            id="unknown-chrome-before-first-paper",
        ),
    ],
)
def test_variants(text: str, expected: list[tuple[object, ...]]) -> None:
    papers = parse(text)
    actual = [
        (p.title, p.source.line, p.upvotes, p.organization, p.author_count, p.comments)
        for p in papers
    ]
    assert actual == expected
    assert all(paper.abstract == ABSTRACT for paper in papers)


def test_url_line_before_the_dot_is_abstract_not_organisation() -> None:
    [paper] = parse(entry("Title A", footer="Code: https://github.com/a/b\n\u00b7\nMar 6"))
    assert paper.organization is None
    assert paper.abstract == ABSTRACT + " Code: https://github.com/a/b"
    assert paper.links_of(LinkKind.CODE) == ("https://github.com/a/b",)


def test_wrapped_title_and_multi_paragraph_abstract() -> None:
    text = (
        "A Title Wrapped\nover Two Lines\n\n"
        "The first paragraph of the abstract is hard-wrapped by the copy and continues\n"
        "on a second line, long enough to look like an abstract to the parser.\n\n"
        "A second paragraph.\n\n"
        "Code: https://github.com/a/b\n\n" + FOOTER + "\n"
    )
    [paper] = parse(text)
    assert paper.title == "A Title Wrapped over Two Lines"
    assert paper.abstract == (
        "The first paragraph of the abstract is hard-wrapped by the copy and continues "
        "on a second line, long enough to look like an abstract to the parser. "
        "A second paragraph. Code: https://github.com/a/b"
    )
    assert paper.links_of(LinkKind.CODE) == ("https://github.com/a/b",)
    assert (paper.date, paper.author_count) == (dt.date(2025, 3, 6), 3)


@pytest.mark.parametrize(
    "title",
    [
        pytest.param(r"\input{/etc/passwd}", id="tex-input"),
        pytest.param("<script>alert(1)</script>", id="html-script"),
        pytest.param(r"Knights \& Knaves: {Unbalanced \footnote{", id="tex-residue"),
        pytest.param("HumanEval^{+} and 100\\% of $5", id="tex-specials"),
        pytest.param("&amp; stays &amp;", id="html-entity-not-decoded"),
    ],
)
def test_hostile_titles_are_kept_verbatim(title: str) -> None:
    abstract = ABSTRACT + " See javascript:alert(1) and <a href='x'>this</a>."
    [paper] = parse(entry(title, abstract=abstract))
    assert paper.title == title
    assert paper.abstract == abstract
    assert paper.links == ()


def test_control_characters_are_removed_and_lines_kept() -> None:
    text = "\ufeffTi\x00tle\x1b A\r\n\r\n" + ABSTRACT.replace("We", "W\x07e") + "\r\n\r\n"
    text += "  \u2022 3 authors\r\n\u00b7\r\nMar\x0c6\r\n\r\n" + entry("Title\x0bB")
    papers = parse(text)
    assert [(p.title, p.source.line, p.date) for p in papers] == [
        ("Title A", 1, dt.date(2025, 3, 6)),
        ("Title B", 9, dt.date(2025, 3, 6)),
    ]
    assert papers[0].abstract == ABSTRACT


def test_stray_middle_dots_are_harmless() -> None:
    text = (
        "\u00b7\n\n\u00b7\n\n" + entry("Title A", footer=FOOTER + "\n\u00b7\n\n\u00b7") + "\u00b7"
    )
    [paper] = parse(text)
    assert (paper.title, paper.source.line, paper.author_count) == ("Title A", 5, 3)


@pytest.mark.parametrize(
    ("text", "digest_date", "expected"),
    [
        pytest.param(
            entry("Title A", footer="  \u2022 3 authors\n\u00b7\nFeb 30"),
            OCT30,
            ["x.txt:7: date 'Feb 30' is not a calendar date in 2025; correct it in the digest"],
            id="impossible-date",
        ),
        pytest.param(
            entry("Title A") + entry("Title B") + entry("Title C", footer="\u00b7\nJan 2, 2024"),
            None,
            [
                "x.txt:7: date 'Mar 6' has no year; pass --date YYYY-MM-DD or put the date in "
                "the digest's file name (2 dates in this file have no year)"
            ],
            id="no-year-reported-once",
        ),
        pytest.param(
            entry("Title A", footer="") + entry("Title B", footer="Mar 6\n\nMar 7"),
            OCT30,
            ["x.txt:11: second date 'Mar 7' for the paper at line 5; delete one"],
            id="second-date",
        ),
        pytest.param(
            "  \u2022 3 authors\n\n" + entry("Title A"),
            OCT30,
            [
                "x.txt:1: footer line '\u2022 3 authors' has no paper title before it; "
                "delete it or restore the title"
            ],
            id="footer-before-title",
        ),
        pytest.param(
            entry("Title A") + "Stray Line\n",
            OCT30,
            [
                "x.txt:9: 'Stray Line' has neither an abstract nor a footer; "
                "delete the stray line or complete the paper"
            ],
            id="stray-line-at-end",
        ),
        pytest.param(
            entry("Title A") + "42\n",
            OCT30,
            ["x.txt:9: upvote count '42' is not followed by a paper title; delete it"],
            id="upvotes-at-end",
        ),
        pytest.param(
            entry("Title A", footer="\u00b7\nApr 31")
            + entry("Title B", footer="\u00b7\nFeb 29, 2023"),
            OCT30,
            [
                "x.txt:6: date 'Apr 31' is not a calendar date in 2025; correct it in the digest",
                "x.txt:13: date 'Feb 29, 2023' is not a calendar date; correct it in the digest",
            ],
            id="every-problem-at-once",
        ),
        pytest.param(
            "Daily Papers\n\n\u00b7\n\n\u00b7\n",
            OCT30,
            ["x.txt: no papers found; is this a Hugging Face papers page?"],
            id="only-chrome",
        ),
    ],
)
def test_problems(text: str, digest_date: dt.date | None, expected: list[str]) -> None:
    assert problems_of(text, digest_date) == expected


@pytest.mark.slow
def test_fifty_megabytes_parse_in_linear_time() -> None:
    long_abstract = " ".join([ABSTRACT] * 14)
    parts = ["Daily Papers\n\nOct 30\n\n"]
    for number in range(20_000):
        parts.append(
            f"Synthetic Paper {number}: A Study\n\n{long_abstract} Code: "
            f"https://github.com/x/p{number}.\n\n  \u2022 {number % 9 + 1} authors\n\u00b7\n"
            f"Mar {number % 28 + 1}{' 3' if number % 2 else ''}\n\n"
        )
    text = "".join(parts)
    assert len(text) > 50_000_000
    started = time.perf_counter()
    papers = parse(text)
    elapsed = time.perf_counter() - started
    assert len(papers) == 20_000
    assert papers[-1].title == "Synthetic Paper 19999: A Study"
    assert papers[-1].links_of(LinkKind.CODE) == ("https://github.com/x/p19999",)
    assert (papers[-1].date, papers[-1].comments) == (dt.date(2025, 3, 8), 3)
    assert elapsed < 30, f"took {elapsed:.1f} s"


# --- the Markdown capture --------------------------------------------------------------------

MARKDOWN = DATA / "hf-papers-page-markdown.md"


def test_markdown_sample() -> None:
    papers = parse_hf_markdown(MARKDOWN.read_text("utf-8"), source="m.md", digest_date=None)
    first, second = papers
    assert first.title == "OCC-RAG: Optimal Cognitive Core for Faithful Question Answering"
    assert first.abstract.startswith("Recent progress in the development of language models")
    assert first.abstract.endswith("and refusal (MuSiQue-Un) benchmarks.")
    assert "sourcecitations grounded" in first.abstract  # the capture's own typo, kept
    assert (first.arxiv_id, first.upvotes, first.organization, first.author_count) == (
        "2606.00683",
        101,
        "OCC",
        None,
    )
    assert (first.date, first.date_origin, first.comments) == (
        dt.date(2026, 5, 29),
        DateOrigin.YEAR_INFERRED,
        6,
    )
    assert first.source.line == 32
    assert second.title == (
        "The Noisy Path from Source to Citation: Measuring How Scholars Engage with Past Research"
    )
    assert second.abstract.startswith("Academic citations are widely used for evaluating research")
    assert "and tracing knowledge flows. Such uses" in second.abstract
    assert second.abstract.endswith("and the potential for distortion of evidence.")
    assert "\\" not in second.abstract
    assert (second.arxiv_id, second.upvotes, second.organization, second.author_count) == (
        "2502.20581",
        None,
        None,
        3,
    )
    assert (second.date, second.date_origin, second.comments) == (
        dt.date(2025, 2, 27),
        DateOrigin.GIVEN,
        None,
    )
    assert second.source.line == 44
    # The front matter's `retrieved: 2026-10-02` stands in for the unknown digest date.
    assert {paper.counts_date for paper in papers} == {dt.date(2026, 10, 2)}


def test_markdown_digest_date_wins_over_front_matter() -> None:
    papers = parse_hf_markdown(
        MARKDOWN.read_text("utf-8"), source="m.md", digest_date=dt.date(2026, 5, 1)
    )
    assert papers[0].date == dt.date(2025, 5, 29)  # after 2026-05-01, so last year's
    assert papers[0].counts_date == dt.date(2026, 5, 1)


def test_markdown_undoes_only_its_own_syntax() -> None:
    text = (
        "Oct 2\n\n[7](https://huggingface.co/login)\n\n"
        "### [R\\&D \\ at <b>Scale</b>: \\input{x}](https://huggingface.co/papers/2501.00001v3)\n\n"
        "[An abstract with R\\&D, $5 and a \\\\\nhard wrap; code at https://github.com/a/b.]"
        "(https://huggingface.co/papers/2501.00001)\n\n"
        "[- 2 authors](https://huggingface.co/papers/2501.00001)\n\n\u00b7\n\nJan 5, 2025\n"
    )
    [paper] = parse_hf_markdown(text, source="m.md", digest_date=None)
    assert paper.title == "R\\&D at <b>Scale</b>: \\input{x}"
    assert paper.abstract == (
        "An abstract with R\\&D, $5 and a hard wrap; code at https://github.com/a/b."
    )
    assert (paper.arxiv_id, paper.upvotes, paper.author_count) == ("2501.00001", 7, 2)
    assert paper.links_of(LinkKind.CODE) == ("https://github.com/a/b",)
    assert paper.counts_date is None


def test_markdown_title_link_to_elsewhere_has_no_arxiv_id() -> None:
    text = (
        "### [<script>x</script>](javascript:alert(1))\n\nAn abstract.\n\n\u00b7\n\nJan 5, 2025\n"
    )
    [paper] = parse_hf_markdown(text, source="m.md", digest_date=None)
    assert paper.title == "[<script>x</script>](javascript:alert(1))"
    assert paper.arxiv_id is None
