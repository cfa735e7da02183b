"""Digest readers: one module per format, each registered below.

To add a format, write a module that defines a `DigestReader` (name, one-line description, sniff,
parse; see `papershelf.digests.registry`) and add it to `READERS`. Detection, `--format` and the
messages pick it up from there. The order of `READERS` is the order help and messages list them.
"""

from __future__ import annotations

import datetime as dt

from papershelf.digests import (
    arxiv_api,
    arxiv_email,
    arxiv_feed,
    hf_export,
    hf_json,
    hf_text,
    id_list,
)
from papershelf.digests.registry import DigestReader, ReaderRegistry, Sniff
from papershelf.model import Paper
from papershelf.naming import CLI_NAMES, OptionNames

__all__ = [
    "READERS",
    "DigestReader",
    "ReaderRegistry",
    "Sniff",
    "detect_format",
    "parse_digest",
]

READERS = ReaderRegistry(
    [
        hf_text.TEXT_READER,
        hf_text.MARKDOWN_READER,
        hf_export.READER,
        hf_json.READER,
        arxiv_email.READER,
        arxiv_feed.RSS_READER,
        arxiv_feed.ATOM_READER,
        arxiv_api.READER,
        id_list.READER,
    ]
)
"""Every digest format papershelf reads."""


def detect_format(text: str, *, source: str) -> DigestReader:
    """Return the reader of a digest from its content (see `ReaderRegistry.detect`).

    Raises:
        DigestError: The text is empty, binary, in no format papershelf reads, or claimed
            equally by two readers.
    """
    return READERS.detect(text, source=source)


def parse_digest(
    text: str,
    *,
    source: str,
    digest_date: dt.date | None,
    fmt: str | None = None,
    names: OptionNames = CLI_NAMES,
) -> list[Paper]:
    """Return the papers of a digest in any registered format.

    Args:
        text: The whole digest.
        source: The digest's path as the user gave it, e.g. `bib/digests/2025-10-30-hf-papers.txt`.
        digest_date: The digest's date (from `--date` or the file name); gives the year of dates
            such as `Mar 6`, the date of undated papers, and the day the counts were read.
        fmt: A format name (`--format`), e.g. `hf-json`; detected from the content when None.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Returns:
        The papers in digest order.

    Raises:
        DigestError: Every problem of the file at once, each as `file:line: problem`; also when
            the reader finds nothing shaped like a paper.
        UsageError: `fmt` names no format.
    """
    return READERS.parse(text, source=source, digest_date=digest_date, fmt=fmt, names=names)
