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
    (split on `;`); `citation_arxiv_id` is what arXiv's own pages carry.
    """
    labels = tag_labels or {}
    pairs: list[tuple[str, str]] = [("citation_title", entry.title)]
    pairs.extend(("citation_author", author) for author in entry.authors)
    published = _scholar_date(entry)
    if published:
        pairs.append(("citation_publication_date", published))
        pairs.append(("citation_date", published))
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
