"""arXiv's announcement feeds: RSS 2.0 (`rss.arxiv.org/rss/<cat>`) and Atom (`/atom/<cat>`).

As arXiv's RSS specification describes them (`arxiv-docs`, `source/help/rss_specifications.md`),
each item names one announced version:

    <item>
      <title>Mass concentration in rescaled first order integral functionals</title>
      <link>https://arxiv.org/abs/2203.01250</link>
      <description>arXiv:2203.01250v3 Announce Type: replace-cross
    Abstract: We consider first order local minimization problems ...</description>
      <guid isPermaLink="false">oai:arXiv.org:2203.01250v3</guid>
      <category>math.AP</category>
      <pubDate>Fri, 23 Aug 2024 00:00:00 -0400</pubDate>
      <arxiv:announce_type>replace-cross</arxiv:announce_type>
      <arxiv:DOI>10.5802/jep.257</arxiv:DOI>
      <arxiv:journal_reference>Journal de l'Ecole polytechnique 11 (2024)</arxiv:journal_reference>
      <dc:creator>Antonin Monteil, Paul Pegon</dc:creator>
    </item>

The Atom feed carries the same facts in Atom's elements (`entry`, `id`, `summary`,
`published`, `category term=...`). The abstract loses its `arXiv:ID Announce Type: ...`
preamble; the `pubDate` (`published`) is the day arXiv announced the version, and the date of a
new paper.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from papershelf.digests.arxiv_fields import (
    ArxivFacts,
    UndatedError,
    announce_type_of,
    arxiv_paper,
    categories_of,
    doi_of,
    iso_day,
    rfc_2822_date,
    split_authors,
)
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.digests.safe_xml import (
    ARXIV,
    ATOM,
    DC,
    children,
    item_lines,
    parse_xml,
    root_name,
    text_of,
)
from papershelf.errors import DigestError, Problem
from papershelf.identity import ArxivId, parse_arxiv_id
from papershelf.model import AnnounceType, Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

_PREAMBLE = re.compile(
    r"\s*arXiv:(?P<id>\S{1,60})\s+Announce Type:\s*(?P<type>[\w-]{1,20})\s*(?:Abstract:\s*)?"
)
_OAI = "oai:arXiv.org:"
_SNIFF_HEAD = 16 * 1024


if TYPE_CHECKING:
    import xml.etree.ElementTree as ElementTree

    _Read = Callable[[ElementTree.Element, Source], ArxivFacts]
    """Reads the facts of one item or entry."""


class _ItemProblem(ValueError):
    """One item cannot become a paper; the message says why."""


def parse_arxiv_rss(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of an arXiv RSS 2.0 feed (`rss.arxiv.org/rss/<category>`).

    Args:
        text: The feed, e.g. `tests/data/arxiv-rss-cs.txt`.
        source: The digest's path as the user gave it.
        digest_date: The digest's date; when None, the channel's `pubDate` stands in (used only
            for an item whose id gives no date).
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Raises:
        DigestError: Malformed or hostile XML, or every problem of every item at once.
    """
    root = parse_xml(text, source=source, what="an arXiv RSS feed")
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise DigestError([Problem(source, 1, "expected an RSS 2.0 feed: <rss><channel>...")])
    if digest_date is None:
        digest_date = rfc_2822_date(
            channel.findtext("pubDate") or channel.findtext("lastBuildDate")
        )
    items = channel.findall("item")
    return _papers(text, source, items, "item", digest_date, names, _rss_facts)


def parse_arxiv_atom(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of an arXiv Atom announcement feed (`rss.arxiv.org/atom/<category>`).

    Args:
        text: The feed, e.g. `tests/data/arxiv-atom-cs.xml`.
        source: The digest's path as the user gave it.
        digest_date: The digest's date; when None, the feed's `updated` day stands in.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Raises:
        DigestError: Malformed or hostile XML, or every problem of every entry at once.
    """
    root = parse_xml(text, source=source, what="an arXiv Atom feed")
    if root.tag != f"{{{ATOM}}}feed":
        raise DigestError([Problem(source, 1, "expected an Atom feed: <feed xmlns=...Atom>")])
    if digest_date is None:
        digest_date = iso_day(root.findtext(f"{{{ATOM}}}updated"))
    entries = list(children(root, ATOM, "entry"))
    return _papers(text, source, entries, "entry", digest_date, names, _atom_facts)


def _papers(
    text: str,
    source: str,
    items: Sequence[ElementTree.Element],
    name: str,
    digest_date: dt.date | None,
    names: OptionNames,
    read: _Read,
) -> list[Paper]:
    """Return the papers of the items, or raise one DigestError with every item's problem."""
    papers: list[Paper] = []
    failures: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        try:
            papers.append(arxiv_paper(read(item, Source(source, item=index)), digest_date))
        except _ItemProblem as error:
            failures.append((index, str(error)))
        except UndatedError:
            failures.append((index, f"no date; {names.undated_fix}"))
    if not items:
        failures.append((-1, f"the feed holds no <{name}>: no papers were announced in it"))
    if failures:
        lines = item_lines(text, name, len(items)) if items else []
        raise DigestError(
            [
                Problem(source, lines[index] if index >= 0 else None, _where(name, index) + why)
                for index, why in failures
            ]
        )
    return papers


def _where(name: str, index: int) -> str:
    return "" if index < 0 else f"{name} {index}: "


def _rss_facts(item: ElementTree.Element, source: Source) -> ArxivFacts:
    description = text_of(item.find("description"))
    identifier = _identifier(item.findtext("guid"), description, item.findtext("link"))
    creators = [text_of(creator) for creator in children(item, DC, "creator")]
    return _facts(
        identifier,
        source,
        title=text_of(item.find("title")),
        description=description,
        authors=creators,
        categories=[text_of(category) for category in item.findall("category")],
        announced=rfc_2822_date(item.findtext("pubDate")),
        kind=item.findtext(f"{{{ARXIV}}}announce_type"),
        item=item,
    )


def _atom_facts(entry: ElementTree.Element, source: Source) -> ArxivFacts:
    summary = text_of(entry.find(f"{{{ATOM}}}summary"))
    links = [
        link.get("href", "")
        for link in children(entry, ATOM, "link")
        if link.get("rel", "alternate") == "alternate"
    ]
    identifier = _identifier(entry.findtext(f"{{{ATOM}}}id"), summary, *links)
    names = [text_of(creator) for creator in children(entry, DC, "creator")]
    names += [text_of(author.find(f"{{{ATOM}}}name")) for author in children(entry, ATOM, "author")]
    published = entry.findtext(f"{{{ATOM}}}published") or entry.findtext(f"{{{ATOM}}}updated")
    return _facts(
        identifier,
        source,
        title=text_of(entry.find(f"{{{ATOM}}}title")),
        description=summary,
        authors=names,
        categories=[category.get("term", "") for category in children(entry, ATOM, "category")],
        announced=iso_day(published),
        kind=entry.findtext(f"{{{ARXIV}}}announce_type"),
        item=entry,
    )


def _facts(
    identifier: ArxivId,
    source: Source,
    *,
    title: str,
    description: str,
    authors: Sequence[str],
    categories: Sequence[str],
    announced: dt.date | None,
    kind: str | None,
    item: ElementTree.Element,
) -> ArxivFacts:
    """Return the facts both feeds give alike."""
    if not title.strip():
        raise _ItemProblem(f"arXiv:{identifier.id} has no title")
    preamble = _PREAMBLE.match(description)
    announce_type = announce_type_of(kind) or announce_type_of(preamble["type"] if preamble else "")
    names: list[str] = []
    for value in authors:
        names.extend(name for name in split_authors(value) if name not in names)
    return ArxivFacts(
        arxiv_id=identifier.id,
        source=source,
        title=title,
        abstract=description[preamble.end() :] if preamble else description,
        authors=tuple(names),
        version=identifier.version,
        categories=categories_of(categories, item.findtext(f"{{{ARXIV}}}primary_category")),
        journal_ref=item.findtext(f"{{{ARXIV}}}journal_reference") or "",
        doi=doi_of(item.findtext(f"{{{ARXIV}}}DOI") or item.findtext(f"{{{ARXIV}}}doi")),
        # A new paper was first released the day it was announced; for a cross-list or a
        # replacement that day is unknown, and the id gives the month.
        published=announced if announce_type is AnnounceType.NEW else None,
        announced=announced,
        announce_type=announce_type,
    )


def _identifier(*candidates: str | None) -> ArxivId:
    """Return the versioned id from the first candidate naming one: the guid `oai:arXiv.org:ID`,
    the `arXiv:IDvN` of the description's preamble, the abstract link."""
    for candidate in candidates:
        text = (candidate or "").strip()
        if text.startswith(_OAI):
            text = text[len(_OAI) :]
        preamble = _PREAMBLE.match(text)
        parsed = parse_arxiv_id(preamble["id"] if preamble else text) if text else None
        if parsed is not None:
            return parsed
    raise _ItemProblem("names no arXiv id (in guid, description or link); is this an arXiv feed?")


# --- detection -------------------------------------------------------------------------------


def sniff_arxiv_rss(text: str) -> Sniff:
    """Return CERTAIN for an RSS root that names arXiv in its head, POSSIBLE for another RSS."""
    if root_name(text) != "rss":
        return Sniff.NO
    return Sniff.CERTAIN if "arxiv.org" in text[:_SNIFF_HEAD] else Sniff.POSSIBLE


def sniff_arxiv_atom(text: str) -> Sniff:
    """Return CERTAIN for an Atom feed with arXiv's announcement marks (`rss.arxiv.org`,
    `oai:arXiv.org:` ids, `announce_type`)."""
    if root_name(text) != "feed":
        return Sniff.NO
    head = text[:_SNIFF_HEAD]
    marks = ("rss.arxiv.org", _OAI, "announce_type")
    return Sniff.CERTAIN if any(mark in head for mark in marks) else Sniff.NO


RSS_READER = DigestReader(
    name="arxiv-rss",
    description="an arXiv RSS 2.0 feed (rss.arxiv.org/rss/<category>)",
    sniff=sniff_arxiv_rss,
    parse=parse_arxiv_rss,
)
ATOM_READER = DigestReader(
    name="arxiv-atom",
    description="an arXiv Atom feed (rss.arxiv.org/atom/<category>)",
    sniff=sniff_arxiv_atom,
    parse=parse_arxiv_atom,
)
