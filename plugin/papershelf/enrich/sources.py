"""The metadata sources: where to ask, how to ask, and how their answers become candidates.

Pure functions: requests are `(path, params)` pairs, answers are texts. The arXiv API answers in
Atom (read by the digest reader of the same format); Hugging Face's papers API answers with the
paper objects its `daily_papers` JSON carries (read by that digest reader).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papershelf.digests.hf_json import parse_hf_json
from papershelf.enrich.http import Endpoint
from papershelf.enrich.match import Candidate
from papershelf.errors import DigestError

ARXIV_BATCH = 100
"""Ids per arXiv API request: the API's documented page size for `id_list`."""

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
        hf=Endpoint("hf", environ.get("PAPERSHELF_HF_API") or "https://huggingface.co/api", 0.5),
    )


def arxiv_id_request(ids: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Return the arXiv API request for up to `ARXIV_BATCH` ids."""
    return "", {"id_list": ",".join(ids), "max_results": str(len(ids))}


def arxiv_title_request(title: str) -> tuple[str, dict[str, str]]:
    """Return the arXiv API title search, with the characters its syntax breaks on removed."""
    words = " ".join(_QUERY_BREAKERS.sub(" ", title).split())
    return "", {"search_query": f'ti:"{words}"', "max_results": "10"}


def hf_paper_request(arxiv_id: str) -> tuple[str, dict[str, str]]:
    """Return the Hugging Face request for one paper by arXiv id."""
    return f"papers/{arxiv_id}", {}


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
    return [
        Candidate(paper, "hf", fetched, first_version=paper.date, latest_version=paper.date)
        for paper in papers
    ]


def arxiv_candidates(text: str, *, url: str, fetched: dt.date) -> list[Candidate]:
    """Return the candidates of an arXiv API answer (placeholder until the Atom reader lands)."""
    raise GarbledAnswer("the arXiv reader is not wired in yet")


def arxiv_single_answer(text: str, arxiv_id: str) -> str | None:
    """Return the answer cut down to the entry of one id (placeholder)."""
    return None
