"""Answers of the arXiv API (`export.arxiv.org/api/query`): Atom, the 2026 layout and the classic.

Both layouts hold the same elements; the classic one declares the `arxiv:` and `opensearch:`
namespaces on each element that uses them and hard-wraps titles, which a namespace-aware parse
and whitespace normalisation make alike. One entry per paper:

    <entry>
      <id>http://arxiv.org/abs/2606.13677v1</id>
      <title>Mana: Dexterous Manipulation of Articulated Tools</title>
      <published>2026-06-11T17:59:49Z</published>
      <summary>Articulated tool manipulation remains ...</summary>
      <author><name>Zhao-Heng Yin</name></author>
      <arxiv:comment>Project Page: https://zhaohengyin.github.io/mana</arxiv:comment>
      <arxiv:journal_ref>...</arxiv:journal_ref>
      <arxiv:doi>10.1000/x</arxiv:doi>
      <arxiv:primary_category term="cs.RO"/>
      <category term="cs.RO"/>
      <category term="cs.AI"/>
    </entry>

`published` is the date of the first version; the version is the id's. An error answer (an entry
whose id is `http://arxiv.org/api/errors#...`) is a problem of the file. The metadata lookup
(`papershelf.enrich`) reads the API's answers with this same parser (`read_api_answer`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papershelf.digests.arxiv_fields import (
    ArxivFacts,
    UndatedError,
    arxiv_paper,
    categories_of,
    doi_of,
    iso_day,
)
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.digests.safe_xml import (
    ARXIV,
    ATOM,
    OPENSEARCH,
    children,
    item_lines,
    parse_xml,
    root_name,
    text_of,
)
from papershelf.errors import DigestError, Problem
from papershelf.identity import parse_arxiv_id
from papershelf.model import DateOrigin, Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

if TYPE_CHECKING:
    import xml.etree.ElementTree as ElementTree

_ERRORS = "arxiv.org/api/errors"
_SNIFF_HEAD = 16 * 1024


@dataclass(frozen=True, slots=True)
class ApiEntry:
    """One paper of an API answer, with the dates of its versions that a `Paper` does not keep."""

    paper: Paper
    published: dt.date | None
    """The first version's date (`published`), e.g. `2026-06-11`."""
    updated: dt.date | None
    """The latest version's date (`updated`), e.g. `2026-06-12`."""


def read_api_answer(text: str, *, source: str) -> list[ApiEntry]:
    """Return the entries of an arXiv API answer that are papers, for the metadata lookup.

    Unlike the digest reader, an answer without entries is no error (nothing matched), and an
    entry that is not a paper (an error entry, one without id or title) is left out.

    Raises:
        DigestError: Malformed or hostile XML, or no Atom feed.
    """
    entries: list[ApiEntry] = []
    for index, entry in enumerate(_entries(text, source)):
        try:
            paper = _paper(entry, Source(source, item=index), None)
        except _EntryProblem:
            continue
        updated = iso_day(entry.findtext(f"{{{ATOM}}}updated"))
        published = paper.date if paper.date_origin is DateOrigin.GIVEN else None
        entries.append(ApiEntry(paper, published, updated))
    return entries


def _entries(text: str, source: str) -> list[ElementTree.Element]:
    """Return the `entry` elements of an answer, or raise DigestError for anything but Atom."""
    root = parse_xml(text, source=source, what="an arXiv API answer")
    if root.tag != f"{{{ATOM}}}feed":
        raise DigestError([Problem(source, 1, "expected an Atom answer: <feed xmlns=...Atom>")])
    return list(children(root, ATOM, "entry"))


def parse_arxiv_api(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of an arXiv API answer.

    Args:
        text: The Atom answer, e.g. `tests/data/arxiv-api-atom-2026.xml`.
        source: The digest's path (or the request, for the enrichment) as the user gave it.
        digest_date: The digest's date; when None, the answer's `updated` day stands in (used only
            for an entry without `published` whose id gives no date).
        names: Unused: an answer's problems name no option; kept for the contract.

    Returns:
        The papers in answer order; `Source.item` is the 0-based index of the entry.

    Raises:
        DigestError: Malformed or hostile XML, an error answer, an empty answer, or every problem
            of every entry at once.
    """
    root = parse_xml(text, source=source, what="an arXiv API answer")
    if root.tag != f"{{{ATOM}}}feed":
        raise DigestError([Problem(source, 1, "expected an Atom answer: <feed xmlns=...Atom>")])
    if digest_date is None:
        digest_date = iso_day(root.findtext(f"{{{ATOM}}}updated"))
    entries = list(children(root, ATOM, "entry"))
    papers: list[Paper] = []
    failures: list[tuple[int, str]] = []
    for index, entry in enumerate(entries):
        try:
            papers.append(_paper(entry, Source(source, item=index), digest_date))
        except _EntryProblem as error:
            failures.append((index, str(error)))
    if failures:
        lines = item_lines(text, "entry", len(entries))
        raise DigestError(
            [Problem(source, lines[index], f"entry {index}: {why}") for index, why in failures]
        )
    if not papers:
        total = root.findtext(f"{{{OPENSEARCH}}}totalResults")
        found = f" (totalResults {total.strip()})" if total and total.strip() else ""
        raise DigestError([Problem(source, None, f"the API answer holds no papers{found}")])
    return papers


class _EntryProblem(ValueError):
    """One entry cannot become a paper; the message says why."""


def _paper(entry: ElementTree.Element, source: Source, digest_date: dt.date | None) -> Paper:
    identifier = (entry.findtext(f"{{{ATOM}}}id") or "").strip()
    if _ERRORS in identifier:
        summary = " ".join(text_of(entry.find(f"{{{ATOM}}}summary")).split())
        raise _EntryProblem(f"the arXiv API answered with an error: {summary or identifier}")
    arxiv_id = parse_arxiv_id(identifier)
    if arxiv_id is None:
        raise _EntryProblem(f"id {identifier[:80]!r} is no arXiv abstract URL")
    title = text_of(entry.find(f"{{{ATOM}}}title"))
    if not title.strip():
        raise _EntryProblem(f"arXiv:{arxiv_id.id} has no title")
    authors = tuple(
        name
        for author in children(entry, ATOM, "author")
        if (name := " ".join(text_of(author.find(f"{{{ATOM}}}name")).split()))
    )
    primary = entry.find(f"{{{ARXIV}}}primary_category")
    doi_link = next(
        (link.get("href") for link in children(entry, ATOM, "link") if link.get("title") == "doi"),
        None,
    )
    facts = ArxivFacts(
        arxiv_id=arxiv_id.id,
        source=source,
        title=title,
        abstract=text_of(entry.find(f"{{{ATOM}}}summary")),
        authors=authors,
        version=arxiv_id.version,
        categories=categories_of(
            [category.get("term", "") for category in children(entry, ATOM, "category")],
            primary.get("term") if primary is not None else None,
        ),
        comment=text_of(entry.find(f"{{{ARXIV}}}comment")),
        journal_ref=text_of(entry.find(f"{{{ARXIV}}}journal_ref")),
        doi=doi_of(entry.findtext(f"{{{ARXIV}}}doi")) or doi_of(doi_link),
        published=iso_day(entry.findtext(f"{{{ATOM}}}published")),
    )
    try:
        return arxiv_paper(facts, digest_date)
    except UndatedError:
        raise _EntryProblem(f"arXiv:{arxiv_id.id} has no date") from None


def sniff_arxiv_api(text: str) -> Sniff:
    """Return CERTAIN for an Atom feed that names the API (`arxiv.org/api`, OpenSearch counts,
    `arxiv.org/abs/` entry ids); POSSIBLE for another Atom feed."""
    if root_name(text) != "feed":
        return Sniff.NO
    head = text[:_SNIFF_HEAD]
    marks = ("arxiv.org/api", OPENSEARCH, "<id>http://arxiv.org/abs/", "<id>https://arxiv.org/abs/")
    return Sniff.CERTAIN if any(mark in head for mark in marks) else Sniff.POSSIBLE


READER = DigestReader(
    name="arxiv-api",
    description="an answer of the arXiv API (export.arxiv.org/api/query, Atom)",
    sniff=sniff_arxiv_api,
    parse=parse_arxiv_api,
)
