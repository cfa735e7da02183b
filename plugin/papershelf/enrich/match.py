"""Whether a source's record is the paper a digest describes: matching that is never wrong.

A record is taken only when nothing contradicts it: the same arXiv id where both have one, else
the same normalised title (never an empty one); the author count the digest showed equals the
record's; for a title match, the digest's date lies within the record's version history.
Anything else leaves the paper as it was, with the reason, so the run can report it. A wrong
author list is worse than none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    """The latest version's date (arXiv `updated`), e.g. `2025-05-02`; for an answer about one
    version, that version's date."""
    version: int | None = None
    """The version a request asked for, e.g. `1` for `id_list=2510.22938v1`; None for the
    answer about the paper, which is its latest version."""
    title_key: str = field(init=False, repr=False, compare=False)
    """`normalise_title` of the record's title, e.g. `llama open and efficient`: computed once,
    since one listing's candidates are compared with every paper of its day."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_key", normalise_title(self.paper.title))

    @property
    def label(self) -> str:
        """Return the source as reports and `filledfrom` name it, e.g. `arxiv` or `arxiv v1`."""
        return self.source if self.version is None else f"{self.source} v{self.version}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The one candidate taken, or why none was."""

    candidate: Candidate | None
    """The record to fill from, or None."""
    reason: str | None = None
    """Why nothing was taken, e.g. `the page shows 3 authors, arxiv lists 19`."""
    earlier_of: Candidate | None = None
    """The record with the digest's title refused only for its author count, whose earlier
    versions may fit (`earlier_versions`); None when there is no such record."""


def contradiction(paper: Paper, candidate: Candidate, *, title: str | None = None) -> str | None:
    """Return what contradicts taking `candidate` for `paper`, or None when nothing does;
    `title` is `normalise_title(paper.title)` when the caller has it already."""
    other = candidate.paper
    by_id = bool(paper.arxiv_id and other.arxiv_id)
    if by_id:
        if paper.arxiv_id.casefold() != other.arxiv_id.casefold():  # type: ignore[union-attr]
            return f"{candidate.label} has arXiv id {other.arxiv_id}, the digest {paper.arxiv_id}"
    else:
        title = normalise_title(paper.title) if title is None else title
        if not title or title != candidate.title_key:
            return f"no {candidate.label} record has this exact title"
    if _count_contradicts(paper, candidate):
        count = _shown_count(paper)
        return (
            f"the digest shows {count} author{'s' if count != 1 else ''}, "
            f"{candidate.label} lists {len(other.authors)}"
        )
    # The same id is the same paper whatever version a digest lists; a date only tells
    # papers of one title apart.
    if not by_id and not _date_agrees(paper, candidate):
        return f"the digest dates it {paper.date.isoformat()}, outside {candidate.label}'s versions"
    return None


def _shown_count(paper: Paper) -> int | None:
    """Return the author count a digest showed, or the number of names it gave."""
    return paper.author_count if paper.author_count is not None else len(paper.authors) or None


def _count_contradicts(paper: Paper, candidate: Candidate) -> bool:
    count = _shown_count(paper)
    return (
        count is not None
        and bool(candidate.paper.authors)
        and (len(candidate.paper.authors) != count)
    )


def earlier_versions(paper: Paper, record: Candidate) -> range:
    """Return the versions worth asking for when only the author count contradicts a record.

    A paper's authors can change between versions (AQCat25: 3 in v1, 19 in v2), and a digest
    may show an earlier version's count; arXiv answers an unversioned id with the latest
    version. So when the count is all that contradicts the latest version N > 1, versions 1 to
    N - 1 may hold the paper the digest describes. Empty when there is nothing to ask.
    """
    latest = record.paper.arxiv_version
    if record.version is not None or latest is None or latest < 2:
        return range(0)
    if not _count_contradicts(paper, record):
        return range(0)
    if contradiction(paper, dataclasses.replace(record, paper=_without_authors(record))):
        return range(0)
    return range(1, latest)


def _without_authors(record: Candidate) -> Paper:
    return dataclasses.replace(record.paper, authors=())


def choose_version(
    paper: Paper, latest: Candidate, versions: Sequence[Candidate], *, hf_authors: Sequence[str]
) -> Verdict:
    """Return the earlier version that agrees with everything the digest and HF say, or why none.

    A version is taken only when nothing contradicts it (`contradiction`), its title is the
    digest's (normalised), and, where Hugging Face listed names, its names are HF's, in order.
    Two fitting versions with different author lists are a doubt: none is taken; of versions
    that agree, the latest is taken.
    """
    refused = contradiction(paper, latest)
    title = normalise_title(paper.title)
    hf_names = [normalise_title(name) for name in hf_authors]
    fitting = []
    for version in versions:
        if contradiction(paper, version) is not None:
            continue
        if title and normalise_title(version.paper.title) != title:
            continue
        if hf_names and [normalise_title(name) for name in version.paper.authors] != hf_names:
            continue
        fitting.append(version)
    if not fitting:
        asked = ", ".join(f"v{version.version}" for version in versions) or "none answered"
        return Verdict(None, f"{refused}; no earlier version fits ({asked})")
    if len({version.paper.authors for version in fitting}) > 1:
        named = ", ".join(f"v{version.version}" for version in fitting)
        return Verdict(None, f"{refused}; versions {named} fit with different authors")
    return Verdict(max(fitting, key=lambda version: version.version or 0))


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
    title = normalise_title(paper.title)
    fitting = [c for c in candidates if contradiction(paper, c, title=title) is None]
    ids = {candidate.paper.arxiv_id for candidate in fitting}
    if len(fitting) > 1 and (len(ids) > 1 or None in ids):
        return Verdict(None, f"{len(fitting)} different records fit; none was taken")
    if not fitting:
        # The reason worth reporting is that of the record with the digest's title, if any.
        same = [candidate for candidate in candidates if title and candidate.title_key == title]
        refused = same[0] if same else candidates[0]
        retry = same[0] if len(same) == 1 and earlier_versions(paper, same[0]) else None
        return Verdict(None, contradiction(paper, refused, title=title), retry)
    return Verdict(fitting[0])
