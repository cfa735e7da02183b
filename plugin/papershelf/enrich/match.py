"""Whether a source's record is the paper a digest describes: matching that is never wrong.

A record is taken only when nothing contradicts it: the same arXiv id where both have one, else
the same normalised title (never an empty one); the author count the digest showed equals the
record's; for a title match, the digest's date lies within the record's version history.
Anything else leaves the paper as it was, with the reason, so the run can report it. A wrong
author list is worse than none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from papershelf.identity import normalise_title
from papershelf.model import DateOrigin, Paper

_DATE_SLACK = dt.timedelta(days=2)
"""Digests date papers in their own time zone, a day or two off arXiv's UTC stamps."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """What one source says about a paper."""

    paper: Paper
    """The source's record as a `Paper`, e.g. read from an arXiv API entry."""
    source: str
    """The source's name, e.g. `arxiv` or `hf`."""
    fetched: dt.date
    """The day the answer was fetched, e.g. `2026-12-01`."""
    first_version: dt.date | None = None
    """The first submission date (arXiv `published`), e.g. `2025-03-06`."""
    latest_version: dt.date | None = None
    """The latest version's date (arXiv `updated`), e.g. `2025-05-02`."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The one candidate taken, or why none was."""

    candidate: Candidate | None
    """The record to fill from, or None."""
    reason: str | None = None
    """Why nothing was taken, e.g. `the page shows 3 authors, arxiv lists 19`."""


def contradiction(paper: Paper, candidate: Candidate) -> str | None:
    """Return what contradicts taking `candidate` for `paper`, or None when nothing does."""
    other = candidate.paper
    by_id = bool(paper.arxiv_id and other.arxiv_id)
    if by_id:
        if paper.arxiv_id.casefold() != other.arxiv_id.casefold():  # type: ignore[union-attr]
            return f"{candidate.source} has arXiv id {other.arxiv_id}, the digest {paper.arxiv_id}"
    else:
        title = normalise_title(paper.title)
        if not title or title != normalise_title(other.title):
            return f"no {candidate.source} record has this exact title"
    count = paper.author_count if paper.author_count is not None else len(paper.authors) or None
    if count is not None and other.authors and len(other.authors) != count:
        return (
            f"the digest shows {count} author{'s' if count != 1 else ''}, "
            f"{candidate.source} lists {len(other.authors)}"
        )
    # The same id is the same paper whatever version a digest lists; a date only tells
    # papers of one title apart.
    if not by_id and not _date_agrees(paper, candidate):
        return (
            f"the digest dates it {paper.date.isoformat()}, outside {candidate.source}'s versions"
        )
    return None


def _date_agrees(paper: Paper, candidate: Candidate) -> bool:
    """Return whether the digest's date lies within the candidate's version history."""
    first = candidate.first_version
    if paper.date_origin is DateOrigin.DIGEST or first is None:
        return True
    last = max(first, candidate.latest_version or first)
    low, high = first - _DATE_SLACK, last + _DATE_SLACK
    if paper.date_origin is DateOrigin.YEAR_INFERRED:
        # The year was the digest's guess: any year of the history may be the real one.
        for year in range(low.year, high.year + 1):
            try:
                if low <= paper.date.replace(year=year) <= high:
                    return True
            except ValueError:  # 29 February in a common year
                continue
        return False
    return low <= paper.date <= high


def choose(paper: Paper, candidates: Sequence[Candidate]) -> Verdict:
    """Return the one candidate nothing contradicts; none when there are none, or two papers."""
    if not candidates:
        return Verdict(None, "no source knows it")
    fitting = [candidate for candidate in candidates if contradiction(paper, candidate) is None]
    ids = {candidate.paper.arxiv_id for candidate in fitting}
    if len(fitting) > 1 and (len(ids) > 1 or None in ids):
        return Verdict(None, f"{len(fitting)} different records fit; none was taken")
    if not fitting:
        reason = contradiction(paper, candidates[0])
        return Verdict(None, reason)
    return Verdict(fitting[0])
