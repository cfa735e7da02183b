"""What arXiv's own formats share: author lists, categories, dates, and the paper they make.

The listing e-mails, the RSS and Atom feeds and the API answers write the same facts in different
wrappers; each reader unwraps its format and hands the facts to `arxiv_paper`, so that a paper
reads alike whichever of them it came from.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papershelf.dates import DateProblem, date_from_iso
from papershelf.digests.hf_text import clean_text, normalise_space
from papershelf.identity import bare_doi
from papershelf.links import find_links, merge_links
from papershelf.model import AnnounceType, DateOrigin, Paper, Source

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

_CATEGORY = re.compile(r"[a-z]{2,10}(?:-[a-z]{2,10})*(?:\.[A-Za-z]{2,10}(?:-[a-z]{2,10})*)?")
"""An arXiv category: `cs.CL`, `hep-th`, `astro-ph.GA`, `cond-mat.str-el`, `math-ph`."""
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
"""Name suffixes an author list separates with a comma: `Smith, Jr.` is one person."""
_NOT_NAMES = frozenset({"et al", "et al.", "others"})
_NAME_SEPARATORS = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


def clean(text: str | None) -> str:
    """Return digest text as every reader keeps it: one line, no control characters."""
    return normalise_space(clean_text(text)) if text else ""


def without_parentheses(text: str) -> str:
    """Return text without its parenthesised parts, nested ones included: affiliations in author
    lists (`A (MIT), B (1 and 2) ((1) X, (2) Y)` gives `A , B  `)."""
    if "(" not in text and ")" not in text:
        return text
    kept: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


@functools.cache
def _tex_to_text() -> LatexNodes2Text:
    # Imported on first use: `papershelf --help` lists the readers without loading pylatexenc.
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim")


def split_authors(text: str) -> tuple[str, ...]:
    """Return the names of an arXiv author list, in order.

    Names are separated by commas, semicolons and `and`; affiliations in parentheses are
    removed; `Jr.` and similar suffixes stay with their name; `et al.` is not a name. The
    listing e-mails write accents in TeX (`G\\'omez`): a name with a backslash is decoded to
    plain Unicode (`Gómez`), which the BibTeX writer escapes again as it escapes every name.

    Args:
        text: e.g. `Yichen Shi, Zhuofu Tao (UCLA) and Lei He` or `Alice Smith, Bob Jones`.

    Returns:
        e.g. `("Yichen Shi", "Zhuofu Tao", "Lei He")`.
    """
    names: list[str] = []
    # `clean` leaves single spaces only, so the separators' pattern leaves names stripped.
    for name in _NAME_SEPARATORS.split(without_parentheses(clean(text)).strip()):
        if "\\" in name:
            name = normalise_space(_tex_to_text().latex_to_text(name))
        folded = name.casefold()
        if not name or folded in _NOT_NAMES:
            continue
        if names and folded in _SUFFIXES:
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return tuple(names)


def categories_of(values: Iterable[str], primary: str | None = None) -> tuple[str, ...]:
    """Return the valid arXiv categories among `values`, each once, `primary` (when valid) first.

    Args:
        values: Category names, e.g. `["cs.AI", "cs.ET", "eess.SP"]`; invalid ones are dropped.
        primary: The primary class when the format names it apart, e.g. `cs.AI`.
    """
    found: dict[str, None] = {}
    for value in (primary or "", *values):
        name = value.strip()
        if _CATEGORY.fullmatch(name):
            found.setdefault(name, None)
    return tuple(found)


def doi_of(text: str | None) -> str | None:
    """Return the bare DOI a field gives (`10.1016/x`, `doi:...`, a doi.org URL), else None."""
    return bare_doi(clean(text)) if text else None


def first_version_month(arxiv_id: str) -> dt.date | None:
    """Return the first day of the month an arXiv id was first submitted in.

    Args:
        arxiv_id: Without version, e.g. `2410.17243` (October 2024) or `hep-th/9901001`
            (January 1999).
    """
    digits = arxiv_id.rpartition("/")[2]
    if len(digits) < 4 or not digits[:4].isdigit():
        return None
    year, month = int(digits[:2]), int(digits[2:4])
    if "/" in arxiv_id:
        year += 1900 if year >= 91 else 2000
    else:
        year += 2000
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


@functools.lru_cache(maxsize=256)
def rfc_2822_date(text: str | None) -> dt.date | None:
    """Return the calendar date of an e-mail or RSS date in its own time zone, else None.

    Args:
        text: e.g. `Fri, 23 Aug 2024 00:00:00 -0400` or `Thu, 7 Nov 2024 02:49:53 GMT`; cached,
            as every item of a feed has the same.
    """
    if not text:
        return None
    import email.utils  # on first use, as `papershelf --help` needs no date parsing

    try:
        return email.utils.parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def iso_day(text: str | None) -> dt.date | None:
    """Return the UTC date of an Atom timestamp (`2026-06-11T17:59:49Z`), else None."""
    if not text:
        return None
    try:
        return date_from_iso(text.strip())
    except DateProblem:
        return None


def announce_type_of(text: str | None) -> AnnounceType | None:
    """Return the announce type arXiv names (`new`, `cross`, `replace`, `replace-cross`)."""
    try:
        return AnnounceType(clean(text).casefold()) if text else None
    except ValueError:
        return None


@dataclass(slots=True)
class ArxivFacts:
    """What one entry of an arXiv format says, before it becomes a `Paper`."""

    arxiv_id: str
    """Without version, e.g. `2411.13560`."""
    source: Source
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    version: int | None = None
    categories: tuple[str, ...] = ()
    comment: str = ""
    journal_ref: str = ""
    doi: str | None = None
    published: dt.date | None = None
    """The date of the first version, when the format gives it."""
    announced: dt.date | None = None
    announce_type: AnnounceType | None = None


class UndatedError(ValueError):
    """An entry with no date of its own, an id that gives none, and no digest date."""


def arxiv_paper(facts: ArxivFacts, digest_date: dt.date | None) -> Paper:
    """Return the paper of an entry of an arXiv format.

    The date is the first version's when the format gives it, else the month of the first
    version from the id (`DateOrigin.ARXIV_ID`), else the digest date. Links come from the
    abstract and the authors' comment (`Code: https://github.com/...`).

    Raises:
        UndatedError: None of these dates is known.
    """
    if facts.published is not None:
        date, origin = facts.published, DateOrigin.GIVEN
    elif (month := first_version_month(facts.arxiv_id)) is not None:
        date, origin = month, DateOrigin.ARXIV_ID
    elif digest_date is not None:
        date, origin = digest_date, DateOrigin.DIGEST
    else:
        raise UndatedError(facts.arxiv_id)
    title, abstract, comment = clean(facts.title), clean(facts.abstract), clean(facts.comment)
    return Paper(
        title=title,
        abstract=abstract,
        source=facts.source,
        date=date,
        date_origin=origin,
        authors=facts.authors,
        arxiv_id=facts.arxiv_id,
        links=merge_links(find_links(abstract), find_links(comment)),
        arxiv_version=facts.version,
        categories=facts.categories,
        arxiv_comment=comment or None,
        journal_ref=clean(facts.journal_ref) or None,
        doi=facts.doi,
        announced=facts.announced,
        announce_type=facts.announce_type,
    )
