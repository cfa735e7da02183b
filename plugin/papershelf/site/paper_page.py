"""`BibEntry` -> one Markdown page per paper, with a notes section that survives regeneration.

A page is YAML front matter (data only, written by `yaml.safe_dump`) and a Markdown body in which
every piece of entry text went through `papershelf.site.markdown`. Links inside the site are
relative to the page's source file (`../tags/diffusion.md`, `../bib/<key>.bib`) so MkDocs checks
them and rewrites them for either URL style.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from papershelf.bib.fields import OWN_FIELDS, PRIVATE_FIELDS
from papershelf.bib.publish import published_text
from papershelf.dates import MONTH_NAMES
from papershelf.errors import Problem
from papershelf.model import BibEntry, LinkKind
from papershelf.parallel import Stage, map_parts, shares
from papershelf.site.markdown import (
    code_block,
    escape_paragraphs,
    escape_text,
    html_text,
    inert_html_text,
    markdown_link,
    url_host,
)
from papershelf.site.urls import (
    bib_download_path,
    check_page_paths,
    paper_page_path,
    tag_page_path,
    tag_slug,
)

NOTES_START = "<!-- papershelf:notes:start -->"
NOTES_END = "<!-- papershelf:notes:end -->"
DEFAULT_NOTES = "\n\n"
"""What stands between the markers of a new page: one blank line to write in."""

_EMPTY: Mapping[str, str] = MappingProxyType({})
_PRIVATE: Collection[str] = frozenset(PRIVATE_FIELDS)
_NO_RELATED: Mapping[str, Sequence[BibEntry]] = MappingProxyType({})


def tag_label(tag: str, tag_labels: Mapping[str, str]) -> str:
    """Return a tag's display label: from `tag_labels` (by id or slug), else the tag itself."""
    return tag_labels.get(tag) or tag_labels.get(tag_slug(tag)) or tag


def dump_yaml(data: Mapping[str, Any]) -> str:
    """Return `data` as block-style YAML, as `yaml.safe_dump(..., sort_keys=False)` would.

    The data holds only strings, integers, booleans, lists and mappings, so the node graph is
    built directly and handed to PyYAML's serializer (libyaml's emitter when PyYAML has it):
    PyYAML's generic representer was two thirds of the cost of a page, 3 s at 10,000 papers.
    Quoting stays PyYAML's: the serializer quotes any string that would read back as another
    type (`'2025-03-06'`, `'true'`, `'42'`).
    """
    text = yaml.serialize(
        _yaml_node(data), Dumper=_SAFE_DUMPER, allow_unicode=True, width=1_000_000
    )
    # Every value holding `<!--` is double-quoted (see `_yaml_node`), where YAML reads `\x3C` as
    # `<`: the value reads back unchanged, yet no HTML comment, and so no notes marker, stands in
    # the page's text. Keys are papershelf's own and never hold one.
    return text.replace("<!--", "\\x3C!--") if "<!--" in text else text


def _yaml_node(value: object) -> yaml.Node:
    """Return the YAML node of a plain value (str, int, bool, list, tuple or mapping)."""
    if isinstance(value, str):
        return yaml.ScalarNode(_STR, value, style='"' if "<!--" in value else None)
    if isinstance(value, Mapping):
        pairs = [(yaml.ScalarNode(_STR, str(k)), _yaml_node(v)) for k, v in value.items()]
        return yaml.MappingNode(_MAP, pairs, flow_style=False)
    if isinstance(value, (list, tuple)):
        return yaml.SequenceNode(_SEQ, [_yaml_node(item) for item in value], flow_style=False)
    if isinstance(value, bool):
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_INT, str(value))
    raise TypeError(f"cannot write {type(value).__name__} into front matter; please report")


_STR, _INT, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# --- display helpers shared with render_site ----------------------------------------------------


def display_date(entry: BibEntry) -> str:
    """Return the entry's date at the precision the library knows it, or an empty string.

    Returns:
        e.g. `2025-03-06` (day known), `Mar 2025` (month known) or `2025`.
    """
    if entry.year is None:
        return ""
    if entry.month is None:
        return str(entry.year)
    if entry.day is None:
        return f"{MONTH_NAMES[entry.month - 1][:3]} {entry.year}"
    return f"{entry.year:04d}-{entry.month:02d}-{entry.day:02d}"


def display_authors(entry: BibEntry) -> str:
    """Return the author names joined by commas, else `N authors`, else an empty string."""
    if entry.authors:
        return ", ".join(entry.authors)
    if entry.author_count:
        return f"{entry.author_count} authors" if entry.author_count != 1 else "1 author"
    return ""


def display_title(entry: BibEntry) -> str:
    """Return the entry's title, or its key when the entry has no title."""
    return entry.title or entry.key


def _plural(count: int, noun: str) -> str:
    """Return `1 upvote` / `64 upvotes`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- the page -----------------------------------------------------------------------------------

_LINK_LABELS = {
    LinkKind.CODE: "Code",
    LinkKind.PROJECT: "Project page",
    LinkKind.HF_MODEL: "Model",
    LinkKind.HF_DATASET: "Dataset",
    LinkKind.HF_SPACE: "Space",
    LinkKind.OTHER: "Link",
}


def _buttons(entry: BibEntry) -> list[str]:
    """Return the button links of the page: links first, then arXiv, PDF, HF page, DOI, URL."""
    buttons: list[tuple[str, str]] = []
    for link in entry.links:
        label = _LINK_LABELS[link.kind]
        host = url_host(link.url)
        if link.kind in (LinkKind.CODE, LinkKind.OTHER) and host:
            label = f"{label} ({host})"
        buttons.append((label, link.url))
    if entry.arxiv_id:
        buttons.append(("arXiv", f"https://arxiv.org/abs/{entry.arxiv_id}"))
        buttons.append(("PDF", f"https://arxiv.org/pdf/{entry.arxiv_id}"))
        buttons.append(("Hugging Face page", f"https://huggingface.co/papers/{entry.arxiv_id}"))
    if entry.doi:
        buttons.append(("DOI", f"https://doi.org/{entry.doi}"))
    shown = {url for _, url in buttons}
    if entry.url and entry.url not in shown and not (entry.arxiv_id and "arxiv.org" in entry.url):
        buttons.append((f"Web page ({url_host(entry.url)})", entry.url))
    rendered: list[str] = []
    for index, (label, url) in enumerate(buttons):
        primary = index == 0 and bool(entry.links) and entry.links[0].kind is LinkKind.CODE
        attributes = ".md-button .papershelf-button" + (" .md-button--primary" if primary else "")
        button = markdown_link(label, url, attributes=attributes)
        if button is not None:
            rendered.append(button)
    return rendered


def _front_matter(entry: BibEntry, tag_labels: Mapping[str, str]) -> str:
    """Return the YAML front matter block, `---` lines included."""
    arxiv_pdf = f"https://arxiv.org/pdf/{entry.arxiv_id}" if entry.arxiv_id else None
    data: dict[str, Any] = {
        # Material writes `title` into <title> and the header without escaping: it must be HTML.
        "title": html_text(display_title(entry)),
        "key": entry.key,
    }
    if entry.date is not None:
        data["date"] = entry.date.isoformat()
    if entry.tags:
        data["tags"] = list(dict.fromkeys(tag_slug(tag) for tag in entry.tags))
    if entry.links:
        data["links"] = [{"kind": link.kind.value, "url": link.url} for link in entry.links]
    counts = {
        "upvotes": entry.upvotes,
        "comments": entry.comments,
        "github_stars": entry.github_stars,
        "counts_date": entry.counts_date.isoformat() if entry.counts_date else None,
    }
    data.update({name: value for name, value in counts.items() if value is not None})
    # mkdocs-macros would read `{{LLaMA}}` in the BibTeX block as a Jinja expression.
    data["render_macros"] = False
    papershelf: dict[str, Any] = {
        "title": display_title(entry),
        "authors": list(entry.authors),
        "date": entry.date.isoformat() if entry.date else None,
        "date_precision": _precision(entry),
        "arxiv_id": entry.arxiv_id,
        "pdf_url": arxiv_pdf,
        "url": entry.url,
        "doi": entry.doi,
        "organization": entry.organization,
        # Labels in the order of the top-level `tags` (slugs), which Material's tags plugin reads.
        "tag_labels": [tag_label(tag, tag_labels) for tag in dict.fromkeys(entry.tags)],
        "bib": bib_download_path(entry.key),
        "source": str(entry.source),
    }
    data["papershelf"] = {
        name: value for name, value in papershelf.items() if value not in (None, [])
    }
    return f"---\n{dump_yaml(data)}---\n"


def _precision(entry: BibEntry) -> str | None:
    """Return how much of `date` is real: `day`, `month`, `year`, or None without a date."""
    if entry.date is None:
        return None
    if entry.day is not None:
        return "day"
    return "month" if entry.month is not None else "year"


def render_paper_page(
    entry: BibEntry,
    *,
    tag_labels: Mapping[str, str] = _EMPTY,
    notes: str | None = None,
    site_root: str = "../",
    exclude_fields: Collection[str] = _PRIVATE,
    related: Sequence[BibEntry] = (),
) -> str:
    """Return the Markdown page of one paper.

    Args:
        entry: The paper.
        tag_labels: Display labels of tag ids, e.g. `{"video-generation": "Video generation"}`.
        notes: The text to put between the notes markers, byte for byte (from `extract_notes` of
            the current page); None gives a new page's empty notes section.
        site_root: The docs root relative to the page's source file (`papers/`), used for the
            tag and `.bib` links; `../` unless the pages live elsewhere.
        exclude_fields: Fields the BibTeX block leaves out, besides papershelf's own (which the
            page shows otherwise); default: the private fields (`bib.fields.PRIVATE_FIELDS`).
        related: The paper's nearest papers, nearest first (`site.related.related_entries`).

    Returns:
        The page text: front matter, title, header, buttons, tags, abstract, related papers,
        BibTeX, cite, notes.
    """
    lines: list[str] = [_front_matter(entry, tag_labels)]
    lines.append(f"# {escape_text(display_title(entry))}\n")
    lines.append(_search_fields(entry, tag_labels))
    header = [display_date(entry), display_authors(entry), entry.organization or ""]
    header_text = " · ".join(escape_text(part) for part in header if part)
    if header_text:
        lines.append(f"{header_text}\n")
    venue = venue_line(entry)
    if venue:
        lines.append(f"{venue}\n")
    counts = _counts_line(entry)
    if counts:
        lines.append(f"{counts}\n")
    buttons = _buttons(entry)
    if buttons:
        lines.append(" ".join(buttons) + "\n")
    if entry.tags:
        tag_links = (
            f"[{escape_text(tag_label(tag, tag_labels))}]({site_root}{tag_page_path(tag)})"
            for tag in dict.fromkeys(entry.tags)
        )
        lines.append("Tags: " + " · ".join(tag_links) + "\n")
    lines.append("## Abstract\n")
    abstract = escape_paragraphs(entry.abstract)
    lines.append(_indexed(abstract) if abstract else "*No abstract in the library.*\n")
    if related:
        lines.append(_related_section(related, site_root))
    lines.append("## BibTeX\n")
    shown = published_text(entry.bibtex, {*exclude_fields, *OWN_FIELDS}, present=entry.field_names)
    lines.append(code_block(shown, "bibtex", search=False))
    lines.append("## Cite\n")
    lines.append(code_block(f"\\cite{{{entry.key}}}", "latex", search=False))
    lines.append(f"[Download .bib]({site_root}{bib_download_path(entry.key)})\n")
    lines.append("## Notes\n")
    before = "\n".join(lines) + "\n"
    # The checksum is the last line of the front matter (`papershelf:` is its last mapping).
    front_end = len(lines[0]) - len("---\n")
    checksum = f"  {_CHECKSUM_FIELD}: {_checksum(_outside_lines(before, ''))}\n"
    before = before[:front_end] + checksum + before[front_end:]
    return f"{before}{NOTES_START}{DEFAULT_NOTES if notes is None else notes}{NOTES_END}\n"


_KINDS = {
    "phdthesis": "PhD thesis",
    "mastersthesis": "Master's thesis",
    "thesis": "Thesis",
    "techreport": "Technical report",
    "report": "Report",
}


def venue_line(entry: BibEntry) -> str:
    """Return where the entry was published as one line of Markdown, or an empty string.

    Returns:
        e.g. `*Journal of Machine Learning Research*, vol. 25, no. 3, pp. 45-67, JMLR` (the
        range with an en dash) or `In *Proceedings of ICML*, pp. 1-9` or `PhD thesis, MIT`.
    """
    parts: list[str] = []
    kind = _KINDS.get(entry.entry_type)
    if kind:
        number = f" {entry.number}" if entry.number and entry.entry_type in _REPORT_TYPES else ""
        parts.append(escape_text(kind + number))
    if entry.journal:
        parts.append(f"*{escape_text(entry.journal)}*")
    elif entry.booktitle:
        parts.append(f"In *{escape_text(entry.booktitle)}*")
    if entry.volume:
        parts.append(f"vol. {escape_text(entry.volume)}")
    if entry.number and entry.entry_type not in _REPORT_TYPES:
        parts.append(f"no. {escape_text(entry.number)}")
    if entry.pages:
        prefix = "pp." if "\u2013" in entry.pages or "," in entry.pages else "p."
        parts.append(f"{prefix} {escape_text(entry.pages)}")
    for text in (entry.institution, entry.publisher):
        if text:
            parts.append(escape_text(text))
    if entry.isbn:
        parts.append(f"ISBN {escape_text(entry.isbn)}")
    return ", ".join(parts)


_REPORT_TYPES = frozenset({"techreport", "report"})


def _related_section(related: Sequence[BibEntry], site_root: str) -> str:
    """Return the "Related papers" section: each neighbour's linked title and date.

    Left out of Material's search (`data-search-exclude` on the heading; Pagefind indexes only
    the abstract anyway): a query should find a paper, not every page that lists it.
    """
    lines = ["## Related papers { data-search-exclude }\n"]
    for other in related:
        link = f"[{escape_text(display_title(other))}]({site_root}{paper_page_path(other.key)})"
        date = display_date(other)
        lines.append(f"- {link} · {escape_text(date)}" if date else f"- {link}")
    return "\n".join(lines) + "\n"


def _search_fields(entry: BibEntry, tag_labels: Mapping[str, str]) -> str:
    """Return the hidden block that gives Pagefind the paper's metadata, filters and sort key.

    Pagefind reads `data-pagefind-meta`/`-filter`/`-sort` anywhere on a page, even inside a
    `data-pagefind-ignore` element, whose text it leaves out of the index; Material's search
    skips it too (`data-search-exclude`). Metadata is searchable, so it holds nothing that is
    not shown on the page anyway. Raw HTML: Python-Markdown passes it through, so every value is
    HTML-escaped and kept inert for Markdown preprocessors (`inert_html_text`).
    """
    labels = [tag_label(tag, tag_labels) for tag in dict.fromkeys(entry.tags)]
    has_code = any(link.kind is LinkKind.CODE for link in entry.links)
    fields: list[tuple[str, str, str]] = [
        ("meta", "title", display_title(entry)),
        ("meta", "authors", display_authors(entry)),
        ("meta", "date", display_date(entry)),
        ("meta", "tags", " · ".join(labels)),
        ("meta", "organization", entry.organization or ""),
    ]
    fields.extend(("filter", "tag", label) for label in labels)
    if entry.year is not None:
        fields.append(("filter", "year", str(entry.year)))
    fields.append(("filter", "code", "with code" if has_code else "without code"))
    if entry.date is not None:
        # ISO dates sort as text; a page without the key drops out of date-sorted results.
        fields.append(("sort", "date", entry.date.isoformat()))
    # One line each and no blank line: Python-Markdown keeps the block as one raw HTML block.
    spans = "".join(
        f'<span data-pagefind-{kind}="{name}">{inert_html_text(value)}</span>\n'
        for kind, name, value in fields
        if value
    )
    return (
        '<div class="papershelf-search-data" data-pagefind-ignore data-search-exclude hidden>\n'
        f"{spans}</div>\n"
    )


def _indexed(markdown_text: str) -> str:
    """Return the abstract's Markdown in a block that Pagefind indexes (`data-pagefind-body`).

    On a site where any page has such a block, Pagefind indexes only those blocks: of a paper
    page the abstract (its title, authors, tags and organization are metadata, which Pagefind
    searches too), not its buttons, BibTeX or notes; and no listing, which has none. The
    `markdown` attribute lets Python-Markdown (`md_in_html`) render the inside as Markdown.
    """
    return (
        '<div class="papershelf-abstract" data-pagefind-body markdown>\n\n'
        f"{markdown_text}\n\n</div>\n"
    )


def _counts_line(entry: BibEntry) -> str:
    """Return `▲ 64 upvotes · 3 comments (as of 2025-10-30)`, or an empty string."""
    parts: list[str] = []
    if entry.upvotes is not None:
        parts.append("▲ " + _plural(entry.upvotes, "upvote"))
    if entry.comments is not None:
        parts.append(_plural(entry.comments, "comment"))
    if entry.github_stars is not None:
        parts.append("★ " + _plural(entry.github_stars, "star"))
    if not parts:
        return ""
    line = " · ".join(parts)
    if entry.counts_date is not None:
        line += f" (as of {entry.counts_date.isoformat()})"
    return escape_text(line)


# --- notes ---------------------------------------------------------------------------------------

# papershelf's own marker lines, and only those: the start marker opens a line, the end marker
# closes one. Marker text anywhere else (inside a sentence of the notes) is ordinary text; every
# value papershelf renders has its `<` escaped, so none of it can look like a marker.
_START_RE = re.compile("^" + re.escape(NOTES_START), re.MULTILINE)
_END_RE = re.compile(re.escape(NOTES_END) + r"(?=\r?\n|\Z)")
_CHECKSUM_FIELD = "page_checksum"
_CHECKSUM_PREFIX = f"  {_CHECKSUM_FIELD}: "
_CHECKSUM_LINE_RE = re.compile(rf"{_CHECKSUM_PREFIX}sha256:[0-9a-f]{{16}}")
KEPT_HEADING = "Kept from outside the notes"
"""The heading over text found outside the markers and moved into the notes."""


def _notes_span(page_text: str) -> tuple[int, int] | None:
    """Return where the notes start and end in a page, or None when the markers are damaged.

    The markers are intact when the page has exactly one line starting with the start marker
    and, after it, exactly one end marker closing a line.
    """
    starts = [match.end() for match in _START_RE.finditer(page_text)]
    if len(starts) != 1:
        return None
    ends = [match.start() for match in _END_RE.finditer(page_text, starts[0])]
    if len(ends) != 1:
        return None
    return starts[0], ends[0]


def extract_notes(page_text: str) -> str | None:
    """Return the text between the notes markers byte for byte, or None when they are damaged.

    The markers are intact when the page has exactly one line starting with the start marker
    and, after it, exactly one end marker closing a line (see `_notes_span`).
    """
    span = _notes_span(page_text)
    return None if span is None else page_text[span[0] : span[1]]


def _outside_lines(before: str, after: str) -> list[str]:
    """Return the non-blank lines outside the notes, without line ends and trailing whitespace.

    The checksum is taken over these, so an editor that changes line ends or trims trailing
    spaces has not edited the page; the checksum line itself is left out.
    """
    stripped = [line.rstrip() for part in (before, after) for line in part.split("\n")]
    return [
        line
        for line in stripped
        if line and not (line.startswith(_CHECKSUM_PREFIX) and _CHECKSUM_LINE_RE.fullmatch(line))
    ]


def _checksum(lines: Sequence[str]) -> str:
    """Return `sha256:` and 16 hex digits of the SHA-256 of the lines, e.g. `sha256:9f86d0...`."""
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def _written_by_papershelf(before: str, after: str) -> bool:
    """Return whether the text outside the notes is exactly what papershelf wrote there.

    A page carries the checksum of that text in its front matter; a page without one (written by
    an older papershelf, or by hand) is not known to be untouched.
    """
    found = re.search(rf"^  {_CHECKSUM_FIELD}: (sha256:[0-9a-f]{{16}})\r?$", before, re.MULTILINE)
    return found is not None and found[1] == _checksum(_outside_lines(before, after))


def edited_outside_notes(page_text: str) -> bool:
    """Return whether a page papershelf wrote was changed outside its notes, or lost its markers.

    Such a page on disk is shown as it is, but the next `papershelf pages` moves the changed text
    into the notes (or keeps the whole page there). A page without papershelf's checksum (one
    written by hand, or by an older papershelf) is not judged: nothing says what papershelf
    wrote into it.
    """
    if not re.search(rf"^  {_CHECKSUM_FIELD}: ", page_text, re.MULTILINE):
        return False
    span = _notes_span(page_text)
    if span is None:
        return True
    before = page_text[: span[0] - len(NOTES_START)]
    return not _written_by_papershelf(before, page_text[span[1] + len(NOTES_END) :])


def page_on_disk_notice(path: str, page_text: str) -> Problem | None:
    """Return a notice for a page on disk that papershelf wrote and someone changed outside its
    notes (`edited_outside_notes`), or None.

    A page on disk wins over the generated one, so the site shows it as it is; the notice says
    so before the next `papershelf pages` moves that text into the notes and surprises anyone.

    Args:
        path: The page's docs path, e.g. `papers/x.md`.
        page_text: The page's whole text.
    """
    if not edited_outside_notes(page_text):
        return None
    return Problem(
        path,
        None,
        "text outside the notes markers is not what papershelf wrote there (or the markers are "
        "damaged); the site shows the page as it is, and the next `papershelf pages` moves that "
        "text into the notes",
    )


_RESCUE_HEADER = (
    "\n\n*papershelf did not find intact notes markers in this page, so the whole previous text "
    "of the page follows. Keep what you need between the markers and delete the rest.*\n\n"
)
_MARKER_PREFIX = "<!-- papershelf:notes:"
_RETIRED_MARKER_PREFIX = "<!-- papershelf:old-notes:"


def _rescued_notes(old_text: str) -> str:
    """Return notes holding a whole page whose markers are damaged, so nothing is lost.

    Marker comments inside the old text are renamed (`papershelf:old-notes:`), so the new page
    has exactly one pair and the next regeneration keeps it as ordinary notes.
    """
    kept = old_text.replace(_MARKER_PREFIX, _RETIRED_MARKER_PREFIX)
    return f"{_RESCUE_HEADER}{kept}\n\n"


def _numbered_lines(text: str, first_line: int) -> list[tuple[int, str]]:
    """Return `(line number, line without its line end)` for every line of `text`."""
    return [
        (number, line.removesuffix("\r"))
        for number, line in enumerate(text.split("\n"), start=first_line)
    ]


def _added_outside(
    old_text: str, span: tuple[int, int], new_text: str
) -> list[list[tuple[int, str]]]:
    """Return the runs of lines outside the old page's notes that the new page does not have.

    Lines are compared as `_outside_lines` sees them; each run holds (line number, old line).
    """
    before = old_text[: span[0] - len(NOTES_START)]
    after_start = span[1] + len(NOTES_END)
    numbered = _numbered_lines(before, 1) + _numbered_lines(
        old_text[after_start:], old_text.count("\n", 0, after_start) + 1
    )
    old = [
        (number, line)
        for number, line in numbered
        if line.strip() and not _CHECKSUM_LINE_RE.fullmatch(line.rstrip())
    ]
    # In a page papershelf rendered, the first marker text of all is its start marker: every
    # value before it is escaped. After the end marker it writes only the line end.
    new = _outside_lines(new_text.partition(NOTES_START)[0], "")
    matcher = difflib.SequenceMatcher(None, [line.rstrip() for _, line in old], new, autojunk=False)
    return [
        old[first:last]
        for tag, first, last, _, _ in matcher.get_opcodes()
        if tag in ("replace", "delete")
    ]


def _notes_with_kept_text(
    notes: str, runs: Sequence[Sequence[tuple[int, str]]], today: dt.date
) -> str:
    """Return the notes followed by a marked section holding the runs of lines found outside."""
    newline = "\r\n" if "\r\n" in notes else "\n"
    spans = [f"{run[0][0]}" if len(run) == 1 else f"{run[0][0]}-{run[-1][0]}" for run in runs]
    where = ("line " if spans == [str(runs[0][0][0])] else "lines ") + ", ".join(spans)
    parts = [
        f"### {KEPT_HEADING} ({today.isoformat()})",
        f"*papershelf rewrites everything outside the notes markers; this text stood there "
        f"({where} of the page), so it was moved here. Keep what you need and delete the rest.*",
        *(
            newline.join(line.replace(_MARKER_PREFIX, _RETIRED_MARKER_PREFIX) for _, line in run)
            for run in runs
        ),
    ]
    lead = newline if notes and not notes.endswith("\n") else ""
    return notes + lead + newline + (newline * 2).join(parts) + newline * 2


def render_pages(
    entries: Sequence[BibEntry],
    existing: Mapping[str, str],
    *,
    tag_labels: Mapping[str, str],
    today: dt.date | None = None,
    exclude_fields: Collection[str] = _PRIVATE,
    related: Mapping[str, Sequence[BibEntry]] = _NO_RELATED,
) -> RenderedPages:
    """Return the new text of every paper page, keeping the notes of the current pages.

    Notes between intact markers survive byte for byte. Nothing a person wrote into a page is
    lost: text added or changed outside the markers of a page papershelf wrote (its checksum
    no longer matches) is moved into the notes under "Kept from outside the notes (date)", and
    a current page whose markers are missing or damaged is kept whole inside the new notes
    (after a line saying why); each such page gets a notice. Pages of entries no longer in the
    library are not in the result (the caller leaves them be). Many pages (`Stage.PAGES` in
    `papershelf.parallel`) are rendered on every core.

    Args:
        entries: The library's entries.
        existing: Current page texts by path (`papers/<key>.md`), for the pages that exist.
        tag_labels: Display labels of tag ids.
        today: The date in the heading over kept text; today when None.
        exclude_fields: Fields the BibTeX blocks leave out (see `render_paper_page`).
        related: Each paper's nearest papers by key (`site.related.related_entries` of the
            whole library); a paper absent has none.

    Returns:
        The pages (path -> full page text, one per entry, in entry order) and the notices.

    Raises:
        LibraryError: Two entries would get one page (`check_page_paths`).
    """
    check_page_paths(entries)
    render = functools.partial(
        _render_share,
        existing=existing,
        tag_labels=tag_labels,
        today=today or dt.date.today(),
        exclude_fields=frozenset(exclude_fields),
        related=related,
    )
    pages: dict[str, str] = {}
    notices: list[Problem] = []
    for share_pages, share_notices in map_parts(render, shares(entries, stage=Stage.PAGES)):
        pages.update(share_pages)
        notices.extend(share_notices)
    return RenderedPages(pages, tuple(notices))


@dataclass(frozen=True, slots=True)
class RenderedPages:
    """The paper pages of a library, and what papershelf had to do to keep a person's text."""

    pages: Mapping[str, str]
    """Page path -> full page text, e.g. `{"papers/cheng2024breaking.md": "---\\ntitle: ..."}`."""
    notices: tuple[Problem, ...] = ()
    """One per page whose text outside the notes was moved into them, or whose markers were
    damaged, e.g. `papers/x.md:40: text outside the notes markers was moved into the notes ...`."""


def _render_share(
    entries: Sequence[BibEntry],
    existing: Mapping[str, str],
    tag_labels: Mapping[str, str],
    today: dt.date,
    exclude_fields: Collection[str],
    related: Mapping[str, Sequence[BibEntry]],
) -> tuple[dict[str, str], list[Problem]]:
    pages: dict[str, str] = {}
    notices: list[Problem] = []
    render = functools.partial(
        render_paper_page, tag_labels=tag_labels, exclude_fields=exclude_fields
    )
    for entry in entries:
        path = paper_page_path(entry.key)
        with_related = functools.partial(render, related=related.get(entry.key, ()))
        page, notice = _refresh(entry, existing.get(path), path, with_related, today)
        pages[path] = page
        if notice is not None:
            notices.append(notice)
    return pages, notices


def _refresh(
    entry: BibEntry,
    old_text: str | None,
    path: str,
    render: Callable[..., str],
    today: dt.date,
) -> tuple[str, Problem | None]:
    """Return the new page of an entry over its current text, and a notice when text moved.

    `render` is `render_paper_page` with the site's options bound.
    """
    if old_text is None:
        return render(entry), None
    span = _notes_span(old_text)
    if span is None:
        notice = Problem(
            path,
            None,
            "the notes markers are missing or damaged, so the whole previous page was kept in "
            "the notes; keep what you need between the markers and delete the rest",
        )
        return render(entry, notes=_rescued_notes(old_text)), notice
    notes = old_text[span[0] : span[1]]
    page = render(entry, notes=notes)
    before = old_text[: span[0] - len(NOTES_START)]
    if _written_by_papershelf(before, old_text[span[1] + len(NOTES_END) :]):
        return page, None
    runs = _added_outside(old_text, span, page)
    if not runs:
        return page, None
    notes = _notes_with_kept_text(notes, runs, today)
    first = runs[0][0][0]
    notice = Problem(
        path,
        first,
        f"text outside the notes markers was moved into the notes, under '{KEPT_HEADING} "
        f"({today.isoformat()})': papershelf rewrites everything outside the markers",
    )
    return render(entry, notes=notes), notice
