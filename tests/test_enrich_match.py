"""Matching that is never wrong, and filling only what is absent (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from papershelf.enrich.fill import fill_absent
from papershelf.enrich.match import Candidate, choose, contradiction
from papershelf.model import DateOrigin, Link, LinkKind, Paper, Source

FETCHED = dt.date(2026, 12, 1)
TITLE = "Incorporating Surrogate Gradient Norm to Improve Offline Optimization Techniques"
AUTHORS = ("Manh Cuong Dao", "Phi Le Nguyen", "Thao Nguyen Truong", "Trong Nghia Hoang")


def page_paper(**fields: object) -> Paper:
    """A paper as the HF page copy gives it: title, count of authors, a date."""
    values: dict[str, object] = {
        "title": TITLE,
        "abstract": "Offline optimization has recently emerged ...",
        "source": Source("page.txt", line=3),
        "date": dt.date(2025, 3, 6),
        "date_origin": DateOrigin.YEAR_INFERRED,
        "author_count": 4,
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def record(**fields: object) -> Candidate:
    """arXiv's record of the same paper, unless fields say otherwise."""
    first = fields.pop("first", dt.date(2025, 3, 6))
    latest = fields.pop("latest", first)
    values: dict[str, object] = {
        "title": TITLE,
        "abstract": "Offline optimization has recently emerged ...",
        "source": Source("https://export.arxiv.org/api/query"),
        "date": first,
        "authors": AUTHORS,
        "arxiv_id": "2503.04242",
    }
    values.update(fields)
    return Candidate(Paper(**values), "arxiv", FETCHED, first, latest)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("paper", "candidate", "reason"),
    [
        pytest.param(page_paper(), record(), None, id="same-title-count-date"),
        pytest.param(
            page_paper(
                title="incorporating surrogate-gradient norm to improve offline "
                "optimization techniques"
            ),
            record(),
            None,
            id="case-and-punctuation",
        ),
        pytest.param(
            page_paper(),
            record(title=TITLE.replace("Improve", "Boost")),
            "no arxiv record has this exact title",
            id="decoy-one-word-differs",
        ),
        pytest.param(
            page_paper(author_count=3),
            record(),
            "the digest shows 3 authors, arxiv lists 4",
            id="decoy-other-author-count",
        ),
        pytest.param(
            page_paper(arxiv_id="2503.99999"),
            record(),
            "arxiv has arXiv id 2503.04242, the digest 2503.99999",
            id="different-arxiv-id",
        ),
        pytest.param(
            page_paper(date=dt.date(2025, 6, 1), date_origin=DateOrigin.GIVEN),
            record(),
            "the digest dates it 2025-06-01, outside arxiv's versions",
            id="date-outside-versions",
        ),
        pytest.param(
            page_paper(
                date=dt.date(2025, 6, 1), date_origin=DateOrigin.GIVEN, arxiv_id="2503.04242"
            ),
            record(),
            None,
            id="same-id-a-later-version-listed",
        ),
        pytest.param(
            page_paper(date=dt.date(2025, 6, 1), date_origin=DateOrigin.GIVEN),
            record(latest=dt.date(2025, 7, 1)),
            None,
            id="date-of-a-later-version",
        ),
        pytest.param(
            page_paper(date=dt.date(2025, 3, 6), date_origin=DateOrigin.YEAR_INFERRED),
            record(first=dt.date(2024, 3, 6)),
            None,
            id="year-guessed-wrong-by-the-digest",
        ),
        pytest.param(
            page_paper(date=dt.date(2025, 10, 30), date_origin=DateOrigin.DIGEST),
            record(),
            None,
            id="digest-date-is-no-evidence",
        ),
        pytest.param(
            page_paper(title="!!!"),
            record(title="???"),
            "no arxiv record has this exact title",
            id="empty-normalised-title-is-never-a-match",
        ),
        pytest.param(
            page_paper(title="β-VAE: Learning", author_count=None),
            record(title="α-VAE: Learning"),  # noqa: RUF001
            "no arxiv record has this exact title",
            id="greek-letters-differ",
        ),
    ],
)
def test_contradiction(paper: Paper, candidate: Candidate, reason: str | None) -> None:
    assert contradiction(paper, candidate) == reason


def test_two_fitting_records_of_different_papers_are_both_refused() -> None:
    verdict = choose(page_paper(author_count=None), [record(), record(arxiv_id="2503.11111")])
    assert verdict.candidate is None
    assert verdict.reason == "2 different records fit; none was taken"


def test_the_fitting_record_is_chosen_among_decoys() -> None:
    decoys = [record(title=TITLE + " Revisited"), record(authors=AUTHORS[:3], arxiv_id="1")]
    verdict = choose(page_paper(), [*decoys, record()])
    assert verdict.candidate is not None
    assert verdict.candidate.paper.arxiv_id == "2503.04242"


def test_fill_takes_only_absent_fields_and_says_where_from() -> None:
    code = Link("https://github.com/a/b", LinkKind.CODE)
    theirs = record(
        abstract="their abstract", links=(code,), github_stars=12, keywords=("offline",)
    )
    paper = page_paper(date_origin=DateOrigin.GIVEN)
    filled = fill_absent(paper, [theirs])
    assert filled.authors == AUTHORS
    assert filled.arxiv_id == "2503.04242"
    assert filled.abstract == paper.abstract, "the digest's abstract stays"
    assert filled.date == paper.date
    assert filled.date_origin is DateOrigin.GIVEN
    assert filled.links == (code,)
    assert (filled.github_stars, filled.keywords) == (12, ("offline",))
    assert filled.metadata_source == "arxiv 2026-12-01"


def test_a_paper_dated_by_the_digest_takes_the_first_submission_date() -> None:
    paper = page_paper(date=dt.date(2025, 10, 30), date_origin=DateOrigin.DIGEST)
    filled = fill_absent(paper, [record(first=dt.date(2025, 5, 2), latest=dt.date(2025, 9, 1))])
    assert (filled.date, filled.date_origin) == (dt.date(2025, 5, 2), DateOrigin.SOURCE)


def test_fill_keeps_a_paper_that_has_everything_identical() -> None:
    paper = page_paper(authors=AUTHORS, arxiv_id="2503.04242", date_origin=DateOrigin.GIVEN)
    assert fill_absent(paper, [record()]) is paper
