"""`BibEntry` -> one Markdown page per paper, with a notes section that survives regeneration.

A page is YAML front matter (data only, written by `yaml.safe_dump`) and a Markdown body in which
every piece of entry text went through `papershelf.site.markdown`. Links inside the site are
relative to the page's source file (`../tags/diffusion.md`, `../bib/<key>.bib`) so MkDocs checks
them and rewrites them for either URL style.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import yaml

from papershelf.model import BibEntry, LinkKind
from papershelf.parallel import Stage, map_parts, shares
from papershelf.site.markdown import (
    code_block,
    escape_paragraphs,
    escape_text,
    html_text,
    markdown_link,
    url_host,
)
from papershelf.site.urls import (
    bib_download_path,
    paper_page_path,
    tag_page_path,
    tag_slug,
)

NOTES_START = "<!-- papershelf:notes:start -->"
NOTES_END = "<!-- papershelf:notes:end -->"
DEFAULT_NOTES = "\n\n"
"""What stands between the markers of a new page: one blank line to write in."""

_EMPTY: Mapping[str, str] = MappingProxyType({})
_MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


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
    return yaml.serialize(
        _yaml_node(data), Dumper=_SAFE_DUMPER, allow_unicode=True, width=1_000_000
    )


def _yaml_node(value: object) -> yaml.Node:
    """Return the YAML node of a plain value (str, int, bool, list, tuple or mapping)."""
    if isinstance(value, str):
        return yaml.ScalarNode(_STR, value)
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
        return f"{_MONTH_ABBREVIATIONS[entry.month - 1]} {entry.year}"
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
        attributes = ".md-button .md-button--primary" if primary else ".md-button"
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
) -> str:
    """Return the Markdown page of one paper.

    Args:
        entry: The paper.
        tag_labels: Display labels of tag ids, e.g. `{"video-generation": "Video generation"}`.
        notes: The text to put between the notes markers, byte for byte (from `extract_notes` of
            the current page); None gives a new page's empty notes section.
        site_root: The docs root relative to the page's source file (`papers/`), used for the
            tag and `.bib` links; `../` unless the pages live elsewhere.

    Returns:
        The page text: front matter, title, header, buttons, tags, abstract, BibTeX, cite, notes.
    """
    lines: list[str] = [_front_matter(entry, tag_labels)]
    lines.append(f"# {escape_text(display_title(entry))}\n")
    header = [display_date(entry), display_authors(entry), entry.organization or ""]
    header_text = " · ".join(escape_text(part) for part in header if part)
    if header_text:
        lines.append(f"{header_text}\n")
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
    lines.append((escape_paragraphs(entry.abstract) or "*No abstract in the library.*") + "\n")
    lines.append("## BibTeX\n")
    lines.append(code_block(entry.bibtex, "bibtex", search=False))
    lines.append("## Cite\n")
    lines.append(code_block(f"\\cite{{{entry.key}}}", "latex", search=False))
    lines.append(f"[Download .bib]({site_root}{bib_download_path(entry.key)})\n")
    lines.append("## Notes\n")
    lines.append(f"{NOTES_START}{DEFAULT_NOTES if notes is None else notes}{NOTES_END}\n")
    return "\n".join(lines)


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


# --- notes --------------------------------------------------------------------------------------


def extract_notes(page_text: str) -> str | None:
    """Return the text between the notes markers byte for byte, or None when they are damaged.

    The markers are intact when the page has exactly one start marker and, after it, exactly one
    end marker.
    """
    if page_text.count(NOTES_START) != 1 or page_text.count(NOTES_END) != 1:
        return None
    start = page_text.index(NOTES_START) + len(NOTES_START)
    end = page_text.find(NOTES_END, start)
    if end < 0:
        return None
    return page_text[start:end]


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


def render_pages(
    entries: Sequence[BibEntry],
    existing: Mapping[str, str],
    *,
    tag_labels: Mapping[str, str],
) -> dict[str, str]:
    """Return the new text of every paper page, keeping the notes of the current pages.

    Notes between intact markers survive byte for byte. A current page whose markers are missing
    or damaged is not overwritten blindly: its whole text is kept inside the new notes section
    (after a line saying why), so a person's writing is never lost; the reader tidies it up once.
    Pages of entries no longer in the library are not in the result (the caller leaves them be).
    Many pages (`Stage.PAGES` in `papershelf.parallel`) are rendered on every core.

    Args:
        entries: The library's entries.
        existing: Current page texts by path (`papers/<key>.md`), for the pages that exist.
        tag_labels: Display labels of tag ids.

    Returns:
        Page path -> full page text, one per entry, in entry order.
    """
    render = functools.partial(_render_share, existing=existing, tag_labels=tag_labels)
    pages: dict[str, str] = {}
    for share in map_parts(render, shares(entries, stage=Stage.PAGES)):
        pages.update(share)
    return pages


def _render_share(
    entries: Sequence[BibEntry], existing: Mapping[str, str], tag_labels: Mapping[str, str]
) -> dict[str, str]:
    pages: dict[str, str] = {}
    for entry in entries:
        path = paper_page_path(entry.key)
        old_text = existing.get(path)
        notes: str | None = None
        if old_text is not None:
            notes = extract_notes(old_text)
            if notes is None:
                notes = _rescued_notes(old_text)
        pages[path] = render_paper_page(entry, tag_labels=tag_labels, notes=notes)
    return pages
