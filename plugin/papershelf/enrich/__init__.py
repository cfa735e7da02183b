"""Enrichment: fill in what a digest left out (authors, arXiv ids, dates, code links) from the
arXiv and Hugging Face APIs, through an answer cache. The only package that talks to the network.

`match` decides (never wrong), `fill` applies (only absent fields), `sources` knows the APIs,
`lookup` asks through the `cache`, `http` sends the requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from papershelf.enrich.cache import AnswerCache
from papershelf.enrich.fill import (
    OFFLINE_MISS,
    EnrichResult,
    Unmatched,
    enrich_papers,
    needs_lookup,
)
from papershelf.enrich.http import Fetcher
from papershelf.enrich.lookup import Lookup
from papershelf.enrich.sources import default_sources

__all__ = [
    "OFFLINE_MISS",
    "EnrichResult",
    "Lookup",
    "Unmatched",
    "enrich_papers",
    "needs_lookup",
    "open_lookup",
]


@contextlib.contextmanager
def open_lookup(
    cache_folder: Path,
    *,
    offline: bool = False,
    refresh: bool = False,
    today: dt.date | None = None,
) -> Iterator[Lookup]:
    """Yield a `Lookup` over the answer cache in `cache_folder` and, unless offline, the network."""
    fetcher = None if offline else Fetcher()
    try:
        yield Lookup(
            cache=AnswerCache(cache_folder),
            fetcher=fetcher,
            sources=default_sources(),
            today=today or dt.date.today(),
            refresh=refresh and not offline,
        )
    finally:
        if fetcher is not None:
            fetcher.close()
