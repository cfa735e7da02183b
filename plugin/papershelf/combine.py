"""Combine the records of one run: the same paper seen twice becomes one paper.

How two records of one paper combine is declared once per `Paper` field, in `COMBINE_POLICY`;
a field without a policy is an error at import (`check_policy`), never a field silently dropped.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

from papershelf.identity import arxiv_key, normalise_title
from papershelf.model import Paper

__all__ = ["COMBINE_POLICY", "Policy", "check_policy", "combine_papers"]

T = TypeVar("T")


class Policy(enum.Enum):
    """How the value of one field is chosen when two records of one paper combine."""

    FIRST = "first"
    """The first record's value: where and when the paper was first seen."""
    FIRST_GIVEN = "first given"
    """The first value that is not None and not empty."""
    FRESHER = "fresher"
    """The value of the record with the later counts date, else the first record's."""
    UNITED = "united"
    """Both records' items, the first record's order first, without repeats."""
    UNITED_SORTED = "united, sorted"
    """Both records' items, sorted, without repeats."""
    NEWER_VERSION = "newer version"
    """The value of the record of the later arXiv version (a replacement, on a tie the later
    record) when it has one, else the other record's."""
    HIGHEST = "highest"
    """The larger of the two values that are not None."""


COMBINE_POLICY: Mapping[str, Policy] = MappingProxyType(
    {
        # Empty only for a paper a list names by its id alone: a later record's title fills it.
        "title": Policy.FIRST_GIVEN,
        "abstract": Policy.FIRST_GIVEN,
        "source": Policy.FIRST,
        "date": Policy.FIRST,
        "date_origin": Policy.FIRST,
        "authors": Policy.FIRST_GIVEN,
        "author_count": Policy.FIRST_GIVEN,
        "organization": Policy.FIRST_GIVEN,
        "arxiv_id": Policy.FIRST_GIVEN,
        "upvotes": Policy.FRESHER,
        "comments": Policy.FRESHER,
        "counts_date": Policy.FRESHER,
        "github_stars": Policy.FRESHER,
        "links": Policy.UNITED,
        "keywords": Policy.UNITED,
        "metadata_source": Policy.FIRST_GIVEN,
        "arxiv_version": Policy.HIGHEST,
        "categories": Policy.FIRST_GIVEN,
        "arxiv_comment": Policy.FIRST_GIVEN,
        "journal_ref": Policy.FIRST_GIVEN,
        "doi": Policy.FIRST_GIVEN,
        "announced": Policy.NEWER_VERSION,
        "announce_type": Policy.NEWER_VERSION,
        "tags": Policy.UNITED_SORTED,
    }
)
"""Every `Paper` field -> how two records of one paper combine it."""


def check_policy(field_names: Iterable[str]) -> None:
    """Raise unless `COMBINE_POLICY` names exactly these fields (run at import for `Paper`).

    Raises:
        TypeError: A field has no policy, or a policy names no field.
    """
    names = set(field_names)
    missing, unknown = names - set(COMBINE_POLICY), set(COMBINE_POLICY) - names
    if missing or unknown:
        raise TypeError(
            "every Paper field needs a policy in papershelf.combine.COMBINE_POLICY; "
            f"without one: {sorted(missing)}, not a field: {sorted(unknown)}"
        )


check_policy(field.name for field in dataclasses.fields(Paper))


def combine_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Return the papers with duplicates combined, in order of first appearance.

    Records with the same arXiv id are one paper. A record without an id is the paper of its
    title (in comparison form, `normalise_title`): the one record with an id of that title, else
    the other records without an id of that title. Different arXiv ids are never one paper, so a
    record without an id whose title two ids share stays apart (it could be either), and a
    title that keeps no character identifies nothing. Fields combine per `COMBINE_POLICY`.
    """
    records = list(papers)
    ids = [arxiv_key(paper.arxiv_id) if paper.arxiv_id else None for paper in records]
    titles = [normalise_title(paper.title) for paper in records]
    ids_of_title: dict[str, dict[str, None]] = {}
    for arxiv_id, title in zip(ids, titles, strict=True):
        if arxiv_id is not None and title:
            ids_of_title.setdefault(title, {})[arxiv_id] = None
    members: dict[tuple[str, str], list[Paper]] = {}
    for index, (paper, arxiv_id, title) in enumerate(zip(records, ids, titles, strict=True)):
        if arxiv_id is not None:
            group = ("arxiv", arxiv_id)
        elif not title:
            group = ("alone", str(index))
        else:
            same_title = ids_of_title.get(title, {})
            group = ("arxiv", next(iter(same_title))) if len(same_title) == 1 else ("title", title)
        members.setdefault(group, []).append(paper)
    # A group is made at its first record, so the groups are in order of first appearance.
    return [_combine_all(group) for group in members.values()]


def _combine_all(records: Sequence[Paper]) -> Paper:
    combined = records[0]
    for later in records[1:]:
        combined = _combine(combined, later)
    return combined


def _combine(first: Paper, later: Paper) -> Paper:
    """Return one record holding what two records of the same paper say, per `COMBINE_POLICY`."""
    fresher = later if _counts_order(later) >= _counts_order(first) else first
    newer = later if (later.arxiv_version or 0) >= (first.arxiv_version or 0) else first
    values = {
        name: _value(policy, name, first, later, fresher, newer) for name, policy in _POLICIES
    }
    return Paper(**values)


_POLICIES = tuple(COMBINE_POLICY.items())


def _value(
    policy: Policy, name: str, first: Paper, later: Paper, fresher: Paper, newer: Paper
) -> Any:
    ours = getattr(first, name)
    if policy is Policy.FIRST:
        return ours
    if policy is Policy.FIRST_GIVEN:
        return ours if ours is not None and ours != "" and ours != () else getattr(later, name)
    if policy is Policy.FRESHER:
        value = getattr(fresher, name)
        return value if value is not None else ours
    if policy is Policy.UNITED:
        return _union(ours, getattr(later, name))
    if policy is Policy.NEWER_VERSION:
        value = getattr(newer, name)
        return value if value is not None else getattr(first if newer is later else later, name)
    if policy is Policy.HIGHEST:
        given = [value for value in (ours, getattr(later, name)) if value is not None]
        return max(given) if given else None
    return tuple(sorted(set(ours) | set(getattr(later, name))))


def _counts_order(paper: Paper) -> tuple[bool, str]:
    """Sort key: records with a counts date come after those without, then by that date."""
    return (
        paper.counts_date is not None,
        paper.counts_date.isoformat() if paper.counts_date else "",
    )


def _union(first: Sequence[T], later: Sequence[T]) -> tuple[T, ...]:
    """Return the items of both sequences, first's order first, without repeats."""
    return tuple(dict.fromkeys([*first, *later]))
