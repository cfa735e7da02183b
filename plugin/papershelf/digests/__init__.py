"""Which digest format a text is in, and the dispatch to its parser."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Protocol

from papershelf.digests.hf_json import parse_hf_json
from papershelf.digests.hf_text import parse_hf_markdown, parse_hf_text
from papershelf.errors import DigestError, Problem
from papershelf.model import Paper


class DigestFormat(str, enum.Enum):
    """A digest format papershelf reads."""

    HF_TEXT = "hf-text"
    """The Hugging Face papers page copied from a browser as plain text."""
    HF_MARKDOWN = "hf-markdown"
    """The same page captured as Markdown (`### [Title](https://huggingface.co/papers/ID)`)."""
    HF_JSON = "hf-json"
    """The answer of `https://huggingface.co/api/daily_papers` (2024 and 2026 shapes)."""


class _Parser(Protocol):
    def __call__(self, text: str, *, source: str, digest_date: dt.date | None) -> list[Paper]: ...


_PARSERS: dict[DigestFormat, _Parser] = {
    DigestFormat.HF_TEXT: parse_hf_text,
    DigestFormat.HF_MARKDOWN: parse_hf_markdown,
    DigestFormat.HF_JSON: parse_hf_json,
}

# Each signature is anchored to a line start and bounded, so detection stays linear on 50 MB.
_MARKDOWN_TITLE = re.compile(r"^###[ \t]{1,8}\[", re.MULTILINE)
_TEXT_AUTHORS = re.compile(r"^[ \t]{0,8}\u2022[ \t]{0,8}\d{1,9} authors?[ \t]*$", re.MULTILINE)
_TEXT_FOOTER = re.compile(
    r"^[ \t]{0,8}\u00b7[ \t]*\n[ \t]{0,8}"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}[ \t]{1,8}\d{1,2}\b",
    re.MULTILINE | re.IGNORECASE,
)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")

_FORMATS = "the Hugging Face papers page copied as text or as Markdown, or its daily_papers JSON"


def detect_format(text: str, *, source: str) -> DigestFormat:
    """Return the format of a digest from its content.

    Args:
        text: The whole digest.
        source: The digest's path as the user gave it, for the message.

    Returns:
        `HF_JSON` for text starting with `[` or `{`; `HF_MARKDOWN` for a page with
        `### [Title](...)` lines; `HF_TEXT` for a page with `• N authors` or `·` + date footers.

    Raises:
        DigestError: The text is empty, binary, or in none of these formats.
    """
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise DigestError(
            [Problem(source, None, "the digest is empty; paste a papers page into it or delete it")]
        )
    if body[0] in "[{":
        return DigestFormat.HF_JSON
    if _MARKDOWN_TITLE.search(body):
        return DigestFormat.HF_MARKDOWN
    if _TEXT_AUTHORS.search(body) or _TEXT_FOOTER.search(body.replace("\r\n", "\n")):
        return DigestFormat.HF_TEXT
    if "\x00" in body or len(_CONTROL.findall(body[:4096])) > 8:
        message = f"this looks like a binary file, not a text digest; give papershelf {_FORMATS}"
    else:
        message = (
            f"not a digest papershelf can read: expected {_FORMATS}; pass --format to force "
            "a format (see docs/guide/digests.md)"
        )
    raise DigestError([Problem(source, None, message)])


def parse_digest(
    text: str, *, source: str, digest_date: dt.date | None, fmt: DigestFormat | None = None
) -> list[Paper]:
    """Return the papers of a digest in any supported format.

    Args:
        text: The whole digest.
        source: The digest's path as the user gave it, e.g. `bib/digests/2025-10-30-hf-papers.txt`.
        digest_date: The digest's date (from `--date` or the file name); gives the year of dates
            such as `Mar 6`, the date of undated papers, and the day the counts were read.
        fmt: The format; detected from the content when None.

    Returns:
        The papers in digest order.

    Raises:
        DigestError: Every problem of the file at once, each as `file:line: problem`.
    """
    if fmt is None:
        fmt = detect_format(text, source=source)
    return _PARSERS[fmt](text, source=source, digest_date=digest_date)
