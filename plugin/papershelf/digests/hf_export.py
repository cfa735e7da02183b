"""The Hugging Face papers page as note-taking tools export it -> `list[Paper]`.

Web clippers and note apps save the page's text like the browser's copy, but wrap it in YAML
front matter (`url:`, `exported: 2026-10-02`) and put each link's URL on a line of its own after
the link's text:

    ---
    url: https://huggingface.co/papers/trending
    exported: 2026-10-02
    ---
    101
    https://huggingface.co/login?next=%2Fpapers%2F2410.05434
    OCC-RAG: Optimal Cognitive Core for Faithful Question Answering
    https://huggingface.co/papers/2410.05434
    Recent progress in the development of language models ...
    https://huggingface.co/papers/2410.05434
    OCC
    https://huggingface.co/occ-ai
    ·
    May 29
    6
    https://huggingface.co/papers/2410.05434#community

The URL lines are taken out (the paper link after a title gives its arXiv id; a code, project or
Hugging Face repository link becomes the paper's link), the site's navigation (`Subscribe`,
`Trending Papers`, the footer) is dropped, and what is left is read as the page copied as text
(`papershelf.digests.hf_text`). The export date is the digest date unless one is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from papershelf.dates import DateProblem, date_from_iso
from papershelf.digests.hf_text import clean_text, parse_hf_text
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.errors import DigestError, Problem
from papershelf.identity import parse_arxiv_id
from papershelf.links import find_links, hugging_face_section, merge_links
from papershelf.model import Link, LinkKind, Paper
from papershelf.naming import CLI_NAMES, OptionNames

_URL_LINE = re.compile(r"[ \t]*(https?://\S{1,2000})[ \t]*")
_COUNT = re.compile(r"\d{1,9}|-")
_DATE_KEYS = ("exported", "created", "clipped")
"""Front matter keys that give the day the page was saved, in order of preference."""

# Sniffing: a paper link alone on a line, right after a line of text; and the page's marks.
_SNIFF_PAPER_LINK = re.compile(
    r"^[ \t]{0,8}(https://huggingface\.co/papers/\S{1,40})[ \t]*$", re.MULTILINE
)
_SNIFF_PAGE = re.compile(r"^[ \t]{0,8}(?:\u00b7|\u2022?[ \t]{0,8}\d{1,9} authors?)[ \t]*$", re.M)
_SNIFF_FRONT = re.compile(r"\A---[ \t]*\n(?:[^\n]{0,300}\n){0,40}?url:[ \t]*\S*huggingface\.co/")
_SNIFF_URL_LINE = re.compile(r"^[ \t]{0,8}https?://\S{1,2000}[ \t]*$", re.MULTILINE)
_SNIFF_HEAD = 256 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class _Page:
    """An export turned into the text copy's shape, with what its URL lines said."""

    text: str
    """The body with front matter, URL lines and navigation blanked: line numbers are kept."""
    arxiv_ids: dict[int, str]
    """Line of a paragraph's first line -> the arXiv id of the paper link after it."""
    links: list[tuple[int, Link]]
    """Repository and project links, with the line of the URL."""
    exported: dt.date | None


def parse_hf_export(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of a papers page saved by a note-taking tool (URL lines, front matter).

    Args:
        text: The export, e.g. `tests/data/hf-papers-page-export.md`.
        source: The digest's path as the user gave it.
        digest_date: The page's date; when None, the front matter's `exported:` date.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Raises:
        DigestError: Every problem of the file at once; lines are the file's.
    """
    page = _page(clean_text(text), source)
    papers = parse_hf_text(
        page.text, source=source, digest_date=digest_date or page.exported, names=names
    )
    starts = [paper.source.line or 0 for paper in papers]
    result: list[Paper] = []
    for index, paper in enumerate(papers):
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else None
        links = tuple(
            link for line, link in page.links if line > start and (end is None or line < end)
        )
        result.append(
            dataclasses.replace(
                paper,
                arxiv_id=paper.arxiv_id or page.arxiv_ids.get(start),
                links=merge_links(paper.links, links),
            )
        )
    return result


def _page(text: str, source: str) -> _Page:
    lines = text.split("\n")
    exported = _front_matter(lines, source)
    arxiv_ids: dict[int, str] = {}
    links: list[tuple[int, Link]] = []
    paragraph: int | None = None
    """The 0-based index of the first line of the text lines before a URL line."""
    for index, line in enumerate(lines):
        if not line.strip():
            paragraph = None
            continue
        url_line = _URL_LINE.fullmatch(line)
        if url_line is None:
            if paragraph is None:
                paragraph = index
            continue
        url = url_line[1]
        lines[index] = ""
        start, paragraph = paragraph, None
        if start is not None and _navigation(lines[start:index], url):
            lines[start:index] = [""] * (index - start)
            continue
        named = parse_arxiv_id(url) if "/papers/" in url and "#" not in url else None
        if named is not None and start is not None:
            arxiv_ids.setdefault(start + 1, named.id)
        found = [link for link in find_links(url) if link.kind is not LinkKind.OTHER]
        links.extend((index + 1, link) for link in found)
        if found and start is not None and index - start == 1 and len(lines[start]) <= 40:
            lines[start] = ""  # a button's label, `GitHub` or `Project page`, is no text
    return _Page("\n".join(lines), arxiv_ids, links, exported)


def _navigation(text_lines: Sequence[str], url: str) -> bool:
    """Return whether a link is the site's navigation: its text and its URL are dropped.

    A link to a section of huggingface.co (`/login`, `/papers/trending`, `/models`, the home
    page) is navigation, except the upvote count that links to the login page.
    """
    section = hugging_face_section(url)
    if section is None or (section == "papers" and parse_arxiv_id(url) is not None):
        return False
    label = " ".join(" ".join(text_lines).split())
    return not _COUNT.fullmatch(label)


def _front_matter(lines: list[str], source: str) -> dt.date | None:
    """Blank the front matter in place; return its export date."""
    if not lines or lines[0].strip() != "---":
        return None
    values: dict[str, str] = {}
    for index in range(1, min(len(lines), 200)):
        line = lines[index]
        if line.strip() == "---":
            lines[: index + 1] = [""] * (index + 1)
            break
        key, colon, value = line.partition(":")
        if colon:
            values.setdefault(key.strip().casefold(), value.strip().strip("'\""))
    else:
        return None
    for key in _DATE_KEYS:
        if values.get(key):
            try:
                return date_from_iso(values[key][:40])
            except DateProblem as error:
                raise DigestError(
                    [Problem(source, None, f"front matter '{key}: {values[key][:40]}': {error}")]
                ) from None
    return None


def sniff_hf_export(text: str) -> Sniff:
    """Return CERTAIN for a papers page whose links stand on lines of their own: front matter
    naming huggingface.co, or paper links after text lines together with the page's footers."""
    head = text[:_SNIFF_HEAD]
    if _SNIFF_FRONT.match(head) and _SNIFF_URL_LINE.search(head):
        return Sniff.CERTAIN
    if "huggingface.co/papers/" not in head or not _SNIFF_PAGE.search(head):
        return Sniff.NO
    for link in _SNIFF_PAPER_LINK.finditer(head):
        if parse_arxiv_id(link[1]) is None or "#" in link[1]:
            continue
        # The link's text stands on the line before it.
        previous = head[head.rfind("\n", 0, max(link.start() - 1, 0)) + 1 : link.start()]
        if previous.strip() and _URL_LINE.fullmatch(previous.strip()) is None:
            return Sniff.CERTAIN
    return Sniff.NO


READER = DigestReader(
    name="hf-export",
    description="the Hugging Face papers page saved by a note-taking tool (URLs on own lines)",
    sniff=sniff_hf_export,
    parse=parse_hf_export,
)
