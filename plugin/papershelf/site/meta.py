"""The Google Scholar (Highwire) `<meta>` tags of a paper page, which let Zotero's browser
connector save a paper from the site."""

from __future__ import annotations

import html
from collections.abc import Mapping

from papershelf.model import BibEntry


def citation_meta_tags(entry: BibEntry, *, tag_labels: Mapping[str, str] | None = None) -> str:
    """Return the Google Scholar (Highwire) `<meta>` tags describing one paper, one per line.

    Zotero's "Embedded Metadata" translator reads `citation_title`, one `citation_author` per
    author, `citation_publication_date`/`citation_date`, `citation_abstract`, `citation_doi`,
    `citation_public_url`, `citation_pdf_url` (attached as the full text) and `citation_keywords`
    (split on `;`); `citation_arxiv_id` is what arXiv's own pages carry. The venue tags
    (`_venue_tags`) decide the item type Zotero saves.
    """
    labels = tag_labels or {}
    pairs: list[tuple[str, str]] = [("citation_title", entry.title)]
    pairs.extend(("citation_author", author) for author in entry.authors)
    published = _scholar_date(entry)
    if published:
        pairs.append(("citation_publication_date", published))
        pairs.append(("citation_date", published))
    pairs.extend(_venue_tags(entry))
    if entry.arxiv_id:
        pairs.append(("citation_arxiv_id", entry.arxiv_id))
        pairs.append(("citation_pdf_url", f"https://arxiv.org/pdf/{entry.arxiv_id}"))
    if entry.doi:
        pairs.append(("citation_doi", entry.doi))
    if entry.url and entry.url.startswith(("https://", "http://")):
        pairs.append(("citation_public_url", entry.url))
    if entry.abstract:
        pairs.append(("citation_abstract", entry.abstract))
    if entry.tags:
        # Zotero splits keywords on ';' only, and tag labels may contain commas.
        keywords = "; ".join(labels.get(tag, tag) for tag in entry.tags)
        pairs.append(("citation_keywords", keywords))
    return "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">\n'
        for name, value in pairs
        if value
    )


_CONTAINER_TAGS = {
    "article": "citation_journal_title",
    "inproceedings": "citation_conference_title",
    "conference": "citation_conference_title",
    "incollection": "citation_book_title",
    "inbook": "citation_book_title",
}
"""Entry type -> the tag naming its journal or book. Zotero's Embedded Metadata translator picks
the item type from the tag present: `citation_journal_title` journalArticle,
`citation_conference_title` conferencePaper, `citation_book_title` bookSection,
`citation_dissertation_institution` thesis, `citation_technical_report_institution` report,
`citation_isbn` (without any of these) book; with none of them, journalArticle."""
_THESES = frozenset({"phdthesis", "mastersthesis", "thesis"})
_REPORTS = frozenset({"techreport", "report"})
_PAGE_RANGE_SPLIT = "\u2013"


def _venue_tags(entry: BibEntry) -> list[tuple[str, str]]:
    """Return the tags of where the entry was published, which select Zotero's item type.

    An entry of another type that names a journal counts as an article, one naming only a
    `booktitle` as a conference paper: the two most common shapes of such entries.
    """
    pairs: list[tuple[str, str]] = []
    container = _CONTAINER_TAGS.get(entry.entry_type)
    if container is None and entry.journal:
        container = "citation_journal_title"
    elif container is None and entry.booktitle:
        container = "citation_conference_title"
    if container == "citation_journal_title" and entry.journal:
        pairs.append((container, entry.journal))
    elif container is not None and entry.booktitle:
        pairs.append((container, entry.booktitle))
    if entry.entry_type in _THESES and entry.institution:
        pairs.append(("citation_dissertation_institution", entry.institution))
    if entry.entry_type in _REPORTS and entry.institution:
        pairs.append(("citation_technical_report_institution", entry.institution))
        if entry.number:
            pairs.append(("citation_technical_report_number", entry.number))
    if entry.volume:
        pairs.append(("citation_volume", entry.volume))
    if entry.number and entry.entry_type not in _REPORTS:
        pairs.append(("citation_issue", entry.number))
    if entry.pages:
        first, _, last = entry.pages.partition(_PAGE_RANGE_SPLIT)
        pairs.append(("citation_firstpage", first))
        if last:
            pairs.append(("citation_lastpage", last))
    if entry.publisher:
        pairs.append(("citation_publisher", entry.publisher))
    if entry.isbn:
        pairs.append(("citation_isbn", entry.isbn))
    return pairs


def _scholar_date(entry: BibEntry) -> str | None:
    """Return the date as Google Scholar wants it (`2025/03/06`, or `2025/03`, or `2025`)."""
    # `date` stands in the first of the month for a missing day; only `day` says it is real.
    if entry.date is not None and entry.day is not None:
        return entry.date.strftime("%Y/%m/%d")
    year = entry.year if entry.year is not None else entry.date.year if entry.date else None
    if year is None:
        return None
    return f"{year:04d}" if entry.month is None else f"{year:04d}/{entry.month:02d}"


def insert_into_head(output: str, fragment: str) -> str:
    """Return the HTML page with `fragment` inserted just before its first `</head>`."""
    marker = output.find("</head>")
    if marker < 0:
        return output
    return output[:marker] + fragment + output[marker:]
