"""Combine the records of one run: the same paper seen twice becomes one paper."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from papershelf.identity import identity_keys
from papershelf.model import Paper

T = TypeVar("T")


def combine_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Return the papers with duplicates combined, in order of first appearance.

    Two records are the same paper when they share an arXiv id or a normalised title. The later
    record brings fresher counts; descriptive fields keep the first non-empty value; links,
    keywords and tags are united.
    """
    groups: list[Paper] = []
    where: dict[str, int] = {}
    for paper in papers:
        keys = identity_keys(paper)
        index = next((where[key] for key in keys if key in where), None)
        if index is None:
            index = len(groups)
            groups.append(paper)
        else:
            groups[index] = _combine(groups[index], paper)
            # The combined record may have gained an arXiv id the earlier one lacked.
            keys = identity_keys(groups[index])
        for key in keys:
            where.setdefault(key, index)
    return groups


def _combine(first: Paper, later: Paper) -> Paper:
    """Return one record holding what two records of the same paper say."""
    fresher = later if _counts_order(later) >= _counts_order(first) else first
    return replace(
        first,
        abstract=first.abstract or later.abstract,
        authors=first.authors or later.authors,
        author_count=first.author_count if first.author_count is not None else later.author_count,
        organization=first.organization or later.organization,
        arxiv_id=first.arxiv_id or later.arxiv_id,
        upvotes=fresher.upvotes if fresher.upvotes is not None else first.upvotes,
        comments=fresher.comments if fresher.comments is not None else first.comments,
        counts_date=fresher.counts_date or first.counts_date,
        github_stars=(
            fresher.github_stars if fresher.github_stars is not None else first.github_stars
        ),
        links=_union(first.links, later.links),
        keywords=_union(first.keywords, later.keywords),
        tags=tuple(sorted(set(first.tags) | set(later.tags))),
    )


def _counts_order(paper: Paper) -> tuple[bool, str]:
    """Sort key: records with a counts date come after those without, then by that date."""
    return (
        paper.counts_date is not None,
        paper.counts_date.isoformat() if paper.counts_date else "",
    )


def _union(first: Sequence[T], later: Sequence[T]) -> tuple[T, ...]:
    """Return the items of both sequences, first's order first, without repeats."""
    return tuple(dict.fromkeys([*first, *later]))
