"""The HF page as note-taking tools export it, plain id lists, and one paper from many digests."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import bibtexparser
import pytest

from conftest import DATA
from papershelf.convert import convert_digests
from papershelf.digests import detect_format, parse_digest
from papershelf.digests.hf_export import parse_hf_export
from papershelf.digests.id_list import parse_id_list
from papershelf.errors import DigestError
from papershelf.model import DateOrigin, LinkKind

EXPORT = (DATA / "hf-papers-page-export.md").read_text("utf-8")


def problems(parse: object, text: str) -> list[str]:
    with pytest.raises(DigestError) as raised:
        parse(text, source="d", digest_date=None)  # type: ignore[operator]
    return [str(problem) for problem in raised.value.problems]


# --- the HF page exported by a note-taking tool ----------------------------------------------


def test_export_reads_ids_from_paper_links_and_drops_the_navigation() -> None:
    papers = parse_hf_export(EXPORT, source="x.md", digest_date=None)
    assert [(paper.title[:20], paper.arxiv_id) for paper in papers] == [
        ("OCC-RAG: Optimal Cog", "2606.00683"),
        ("The Noisy Path from ", "2502.20581"),
        ("HuMo: Human-Centric ", "2509.08519"),
    ]
    occ, noisy, humo = papers
    assert (occ.upvotes, occ.organization, occ.comments) == (101, "OCC", 6)
    assert (noisy.upvotes, noisy.author_count) == (None, 3)
    assert (humo.upvotes, humo.comments, humo.date) == (64, 4, dt.date(2025, 9, 10))
    assert humo.links_of(LinkKind.CODE) == ("https://github.com/Phantom-video/HuMo",)
    assert humo.links_of(LinkKind.PROJECT) == ("https://phantom-video.github.io/HuMo",)
    assert "GitHub" not in humo.abstract
    assert "Project page" not in humo.abstract
    assert all("http" not in paper.abstract for paper in papers)


def test_the_export_date_is_the_digest_date() -> None:
    papers = parse_hf_export(EXPORT, source="x.md", digest_date=None)
    assert papers[0].counts_date == dt.date(2026, 10, 2)
    assert (papers[0].date, papers[0].date_origin) == (
        dt.date(2026, 5, 29),
        DateOrigin.YEAR_INFERRED,
    )
    given = parse_hf_export(EXPORT, source="x.md", digest_date=dt.date(2027, 1, 5))
    assert given[0].counts_date == dt.date(2027, 1, 5), "--date wins over the front matter"


def test_export_lines_are_the_files_lines() -> None:
    lines = EXPORT.split("\n")
    for paper in parse_hf_export(EXPORT, source="x.md", digest_date=None):
        assert paper.source.line is not None
        assert lines[paper.source.line - 1] == paper.title


def test_an_export_with_an_impossible_date_is_refused() -> None:
    bad = EXPORT.replace("exported: 2026-10-02", "exported: 2026-02-30")
    (problem,) = problems(parse_hf_export, bad)
    assert problem.startswith("d: front matter 'exported: 2026-02-30': ")


def test_an_export_without_front_matter_is_still_recognised() -> None:
    body = EXPORT[EXPORT.index("Hugging Face\n") :]
    assert detect_format(body, source="x").name == "hf-export"
    assert len(parse_digest(body, source="x", digest_date=dt.date(2026, 10, 2))) == 3


# --- plain id lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("2410.17243", [("2410.17243", None)], id="bare"),
        pytest.param("arXiv:2410.17243v2", [("2410.17243", 2)], id="prefixed-versioned"),
        pytest.param("hep-th/9901001", [("hep-th/9901001", None)], id="old-style"),
        pytest.param("https://arxiv.org/pdf/1706.03762v7.pdf", [("1706.03762", 7)], id="pdf-url"),
        pytest.param(
            "- see https://huggingface.co/papers/2606.00683!", [("2606.00683", None)], id="hf-url"
        ),
        pytest.param(
            "(0801.1234) and **math.GT/0309136**",
            [("0801.1234", None), ("math/0309136", None)],
            id="two-in-markdown",
        ),
        pytest.param("costs 1234.5678 euros on 2024.11.30", [], id="numbers-are-no-ids"),
    ],
)
def test_id_list_lines(line: str, expected: list[tuple[str, int | None]]) -> None:
    text = f"{line}\n2502.20581\n"
    papers = parse_id_list(text, source="l.txt", digest_date=None)
    assert [(p.arxiv_id, p.arxiv_version) for p in papers[:-1]] == expected


def test_an_id_alone_is_a_paper_without_an_invented_title() -> None:
    (paper,) = parse_id_list("arXiv:2410.17243v2\n", source="l.txt", digest_date=None)
    assert (paper.title, paper.abstract, paper.authors) == ("", "", ())
    assert (paper.date, paper.date_origin) == (dt.date(2024, 10, 1), DateOrigin.ARXIV_ID)
    assert (paper.source.line, paper.arxiv_version) == (1, 2)


def test_a_list_names_each_paper_once() -> None:
    text = "2410.17243\narXiv:2410.17243v3\nhttps://arxiv.org/abs/2410.17243\n"
    assert len(parse_id_list(text, source="l.txt", digest_date=None)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "arXiv:2413.00001\n",
            ["d:1: 'arXiv:2413.00001' is no arXiv identifier; correct or delete it"],
            id="month-13",
        ),
        pytest.param(
            "ok 2410.17243\nhttps://arxiv.org/abs/99999\n",
            ["d:2: 'https://arxiv.org/abs/99999' is no arXiv identifier; correct or delete it"],
            id="broken-url",
        ),
        pytest.param("just words\n", ["d: no arXiv id or paper URL in this list"], id="nothing"),
    ],
)
def test_id_list_problems(text: str, expected: list[str]) -> None:
    assert problems(parse_id_list, text) == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        pytest.param("2410.17243\n2502.20581\nnotes\n", "id-list", id="half-the-lines"),
        pytest.param("Reading list\n\n2410.17243\n", "id-list", id="a-heading"),
    ],
)
def test_id_lists_are_detected(text: str, fmt: str) -> None:
    assert detect_format(text, source="x").name == fmt


def test_prose_with_one_id_is_no_id_list() -> None:
    text = "We met.\nShe liked arXiv:2410.17243.\nThe end.\n"
    with pytest.raises(DigestError, match="not a digest papershelf can read"):
        detect_format(text, source="x")


# --- one paper, many digests -----------------------------------------------------------------

HF_TEXT = (
    "Integrated Water Resource Management in the Segura Hydrographic Basin: An Artificial"
    " Intelligence Approach\n\nManaging resources effectively in uncertain demand, variable"
    " availability, and complex governance policies is a significant challenge, which this paper"
    " addresses for a whole basin.\n\n  \u2022 6 authors\n\u00b7\nNov 11, 2024\n"
)


def entries(bib: Path) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bib.read_text("utf-8"))
    return {entry.key: {f.key: str(f.value) for f in entry.fields} for entry in library.entries}


def test_one_paper_from_three_formats_is_one_entry(tmp_path: Path) -> None:
    """Issue 11: the HF page (title only), the e-mail and the RSS feed give one entry; the richer
    sources fill in what the page lacks."""
    (tmp_path / "2024-11-22-hf.txt").write_text(HF_TEXT, "utf-8")
    shutil.copy(DATA / "arxiv-email-listing.txt", tmp_path / "2024-11-21-mail.txt")
    shutil.copy(DATA / "arxiv-rss-cs.xml", tmp_path / "2024-11-22-cs.AI.xml")
    digests = sorted(tmp_path.glob("2024-*"))
    bib = tmp_path / "papers.bib"
    report = convert_digests(digests, bib, pages_dir=None)
    library = entries(bib)
    water = [key for key, fields in library.items() if "Segura" in fields["title"]]
    assert len(water) == 1
    fields = library[water[0]]
    assert fields["author"].startswith("Urtzi Otamendi and Mikel Maiza")
    assert "authorcount" not in fields, "names replaced the HF page's count"
    assert (fields["eprint"], fields["eprintclass"], fields["doi"]) == (
        "2411.13566",
        "cs.AI",
        "10.1016/j.jenvman.2024.122526",
    )
    assert fields["note"].startswith("Published in Journal of Environmental Management")
    # 6 papers in the e-mail, 5 in the feed (all in the e-mail too), 1 on the page
    assert report.papers == len(library) == 6


def test_a_replacement_updates_the_known_paper(tmp_path: Path) -> None:
    """Issue 11: a replacement (a later version) updates the entry; it adds no second one."""
    bib = tmp_path / "papers.bib"
    first = tmp_path / "2024-11-21-mail.txt"
    shutil.copy(DATA / "arxiv-email-listing.txt", first)
    convert_digests([first], bib, pages_dir=None)
    before = entries(bib)
    (attention,) = [key for key, fields in before.items() if fields.get("eprint") == "1706.03762"]
    assert "version" not in before[attention]
    feed = tmp_path / "2024-11-22-cs.AI.xml"
    shutil.copy(DATA / "arxiv-rss-cs.xml", feed)
    report = convert_digests([feed], bib, pages_dir=None)
    after = entries(bib)
    assert report.added == ()
    assert attention in report.updated
    assert len(after) == len(before)
    assert after[attention]["version"] == "8"
    assert after[attention]["title"] == before[attention]["title"]
