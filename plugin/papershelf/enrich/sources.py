"""The metadata sources: where to ask, how to ask, and how their answers become candidates.

Pure functions: requests are `(path, params)` pairs, answers are texts. The arXiv API answers in
Atom (read by the digest reader of the same format, `papershelf.digests.arxiv_api`); Hugging
Face's papers API answers with the paper objects its `daily_papers` JSON carries (read by that
digest reader).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papershelf.digests.arxiv_api import read_api_answer
from papershelf.digests.hf_json import parse_hf_json
from papershelf.digests.safe_xml import ATOM, parse_xml
from papershelf.enrich.http import Endpoint
from papershelf.enrich.match import Candidate
from papershelf.errors import DigestError
from papershelf.identity import parse_arxiv_id
from papershelf.model import DateOrigin

ARXIV_BATCH = 1000
"""Ids per arXiv API request (sent as a POST form, see `Fetcher.get`). arXiv's API manual (3.1.1.2
"start and max_results paging") allows at most 2000 results a call and recommends slices of
no more than 1,000; one request per 1,000 papers is what its 3-second pace then allows."""

ARXIV_TITLE_BATCH = 40
"""Titles per arXiv title search (`ti:"..." OR ti:"..."`, sent as a POST form like the ids): one
request per 40 papers, whose titles take about 4,000 characters; at most 10 results each."""

HF_INTERVAL = 0.6
"""Seconds between two requests to Hugging Face. Its Hub documentation ("Hub Rate limits") allows
an anonymous client 500 API requests per 5-minute window: one every 0.6 s, sustained."""

HF_DAY_PAGE = 100
"""Items per page of HF's `daily_papers` listing (its largest `limit`)."""

HF_DAY_PAGES = 5
"""Pages of one day's listing asked for at most; a day has rarely more than a hundred papers."""

_QUERY_BREAKERS = re.compile(r"[^\w\s]+")
"""Characters arXiv's query syntax reads as operators or chokes on (colons, hyphens, quotes)."""


@dataclass(frozen=True, slots=True)
class Sources:
    """The endpoints a run asks."""

    arxiv: Endpoint
    """The arXiv API, `https://export.arxiv.org/api/query` unless `PAPERSHELF_ARXIV_API` says."""
    hf: Endpoint
    """Hugging Face's API, `https://huggingface.co/api` unless `PAPERSHELF_HF_API` says."""


def default_sources(environ: Mapping[str, str] = os.environ) -> Sources:
    """Return the endpoints, with the environment's overrides (tests point them at 127.0.0.1)."""
    return Sources(
        arxiv=Endpoint(
            "arxiv",
            environ.get("PAPERSHELF_ARXIV_API") or "https://export.arxiv.org/api/query",
            # arXiv's terms of use: at most one request every three seconds.
            min_interval=3.0,
        ),
        hf=Endpoint(
            "hf", environ.get("PAPERSHELF_HF_API") or "https://huggingface.co/api", HF_INTERVAL
        ),
    )


def arxiv_id_request(ids: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Return the arXiv API request for up to `ARXIV_BATCH` ids, each with or without version.

    arXiv's API User's Manual (section 5.1.1, "A Note on Article Versions"): an id in `id_list`
    retrieves the latest version of the article; `vN` appended (`id_list=cond-mat/0207270v1`)
    retrieves that version. So `2510.22938` answers with v2 and its 19 authors, and
    `2510.22938v1` with the first version and its 3.
    """
    return "", {"id_list": ",".join(ids), "max_results": str(len(ids))}


def arxiv_titles_request(titles: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Return the arXiv API search for up to `ARXIV_TITLE_BATCH` titles, each a phrase of its
    words (`ti:"..."`, the characters arXiv's query syntax breaks on removed), joined by `OR`
    (the manual's Boolean operator), 10 results per title."""
    phrases = [f'ti:"{title_words(title)}"' for title in titles]
    return "", {"search_query": " OR ".join(phrases), "max_results": str(10 * len(titles))}


def title_words(title: str) -> str:
    """Return a title's words as arXiv's title search takes them; empty for a title of symbols."""
    return " ".join(_QUERY_BREAKERS.sub(" ", title).split())


def hf_day_request(day: dt.date, page: int) -> tuple[str, dict[str, str]]:
    """Return the request for one page (0-based) of HF's papers listing of a day."""
    params = {"date": day.isoformat(), "limit": str(HF_DAY_PAGE)}
    if page:
        params["p"] = str(page)
    return "daily_papers", params


def hf_search_request(title: str) -> tuple[str, dict[str, str]]:
    """Return the Hugging Face paper search for a title."""
    return "papers/search", {"q": title}


class GarbledAnswer(ValueError):
    """An answer that is not in the source's format; the message says what was wrong."""


def hf_candidates(text: str, *, url: str, fetched: dt.date) -> list[Candidate]:
    """Return the candidates of a Hugging Face answer: one paper object, or a search's list.

    Raises:
        GarbledAnswer: The text is not such an answer.
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise GarbledAnswer(f"{url}: not JSON ({error})") from None
    items = data if isinstance(data, list) else [{"paper": data}]
    if not items:
        return []
    try:
        papers = parse_hf_json(json.dumps(items), source=url, digest_date=fetched)
    except DigestError as error:
        raise GarbledAnswer(str(error)) from None
    candidates = []
    for paper in papers:
        # Without its own `publishedAt` the date is the fetch day, which says nothing.
        dated = paper.date if paper.date_origin is DateOrigin.GIVEN else None
        candidates.append(Candidate(paper, "hf", fetched, dated, dated))
    return candidates


def arxiv_candidates(text: str, *, url: str, fetched: dt.date) -> list[Candidate]:
    """Return the candidates of an arXiv API answer (an Atom feed; empty when nothing matched).

    Raises:
        GarbledAnswer: The text is not an Atom feed.
    """
    try:
        entries = read_api_answer(text, source=url)
    except DigestError as error:
        raise GarbledAnswer(str(error)) from None
    return [
        Candidate(entry.paper, "arxiv", fetched, entry.published, entry.updated)
        for entry in entries
    ]


def cut_feed(text: str, groups: Mapping[str, Sequence[tuple[str, int | None]]]) -> dict[str, str]:
    """Return an arXiv answer cut into one answer per group, holding the entries of the group's
    (id, version) keys, for the per-paper cache (a group without entries: an empty feed).

    `text` is an answer `arxiv_candidates` has read; it is parsed once, whatever the number of
    its entries and groups (not at all without groups).
    """
    if not groups:
        return {}
    root = parse_xml(text, source="arxiv", what="an arXiv API answer")
    entries: dict[tuple[str, int | None], ET.Element] = {}
    for entry in list(root.iter(f"{{{ATOM}}}entry")):
        root.remove(entry)
        found = parse_arxiv_id((entry.findtext(f"{{{ATOM}}}id") or "").strip())
        if found is not None:
            entries.setdefault((found.id, found.version), entry)
    feeds: dict[str, str] = {}
    for name, keys in groups.items():
        kept = [entries[key] for key in dict.fromkeys(keys) if key in entries]
        root.extend(kept)
        feeds[name] = (
            "<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(root, "unicode") + "\n"
        )
        for entry in kept:
            root.remove(entry)
    return feeds
