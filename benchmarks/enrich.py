"""Benchmark the metadata lookup at scale; prints figures, asserts nothing.

  python benchmarks/enrich.py [--papers 1000] [--per-day 50] [--unlisted 0.0] [--pace-scale 1]

N title-only papers, as copies of Hugging Face's papers page give them (a title, an abstract, an
author count, the day the page was read; no names, no arXiv id), `--per-day` of them on each
day's page, are enriched against a local HTTP server (the tests' `metadata_server.py`, given
a function of this script's) that answers like Hugging Face (`daily_papers?date=`,
`papers/search?q=`, JSON) and arXiv (`api/query` with `id_list` or `search_query`, Atom),
through the real client (`papershelf.enrich`: httpx, the paces, retries, the answer cache).
`--unlisted` is the share of papers missing from their day's listing, which arXiv's title
search (`search_query=ti:"..." OR ...`, 40 titles a request) then finds.

Run 1 starts from an empty cache, with the real paces (arXiv 3 s, HF 0.6 s) unless
`--pace-scale` shrinks them (0.01 for a quick try; report the real-pace figure). The anchors
printed beside it are what those paces allow for the requests the run sent (the first request
of each source waits for nothing): the floor, the slower source's paced time alone, max((arXiv
requests - 1) x arXiv's pace, (HF requests - 1) x HF's pace), since the two sources' paces run
side by side when their requests interleave; and their sum, the time when one source's
requests all wait for the other's. Run 2 is the same job again over the cache the first run
left: it should send no request and take well under a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from metadata_server import MetadataServer, Reply, atom
from papershelf.enrich import Lookup, enrich_papers
from papershelf.enrich.cache import AnswerCache
from papershelf.enrich.http import Endpoint, Fetcher
from papershelf.enrich.sources import (
    HF_DAY_PAGE,
    HF_INTERVAL,
    Sources,
    default_sources,
    title_words,
)
from papershelf.model import DateOrigin, Paper, Source

WORDS = (
    "diffusion transformer reasoning agent video retrieval robust efficient sparse policy reward"
    " language model vision multimodal graph benchmark dataset alignment safety quantization"
    " distillation continual learning contrastive tokenizer speech motion planning scaling"
).split()
FIRST_DAY = dt.date(2025, 10, 1)
TODAY = dt.date(2026, 12, 2)


@dataclass(frozen=True)
class Record:
    """What the sources know of one synthetic paper."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    published: dt.date
    listed_on: dt.date
    listed: bool
    abstract: str


def make_records(count: int, per_day: int, unlisted: float, seed: int = 7) -> list[Record]:
    """Return `count` papers, `per_day` of them on each day's page from FIRST_DAY on."""
    rng = random.Random(seed)
    records = []
    for index in range(count):
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(6, 12)))
        published = dt.date(2025, rng.randint(1, 9), rng.randint(1, 28))
        records.append(
            Record(
                arxiv_id=f"25{published.month:02d}.{10000 + index:05d}",
                title=f"{title} {index}",
                authors=tuple(f"Given{k} Surname{index}x{k}" for k in range(rng.randint(1, 8))),
                published=published,
                listed_on=FIRST_DAY + dt.timedelta(days=index // per_day),
                listed=rng.random() >= unlisted,
                abstract=" ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 220))) + ".",
            )
        )
    return records


def page_paper(record: Record) -> Paper:
    """Return the paper as the HF page copy of its day gives it."""
    return Paper(
        title=record.title,
        abstract=record.abstract,
        source=Source(f"bib/digests/{record.listed_on}-hf-papers.txt", line=13),
        date=record.published,
        date_origin=DateOrigin.YEAR_INFERRED,
        author_count=len(record.authors),
        counts_date=record.listed_on,
    )


def hf_item(record: Record) -> dict[str, object]:
    """Return a `daily_papers` / `papers/search` item in Hugging Face's 2026 shape."""
    stamp = f"{record.published.isoformat()}T09:39:45.000Z"
    return {
        "paper": {
            "id": record.arxiv_id,
            "authors": [
                {"_id": f"a{k}", "name": name, "hidden": False}
                for k, name in enumerate(record.authors)
            ],
            "publishedAt": stamp,
            "title": record.title,
            "summary": record.abstract,
            "upvotes": 3,
            "githubRepo": f"https://github.com/example/{record.arxiv_id}",
        },
        "publishedAt": stamp,
        "title": record.title,
        "numComments": 0,
    }


AUTHOR = "    <author>\n      <name>%s</name>\n    </author>\n"


def atom_feed(records: list[Record], query: str) -> str:
    """Return an arXiv API answer in the 2026 layout for `records`."""
    entries = "".join(
        f"""  <entry>
    <id>http://arxiv.org/abs/{r.arxiv_id}v1</id>
    <title>{escape(r.title)}</title>
    <updated>{r.published.isoformat()}T17:59:49Z</updated>
    <link href="https://arxiv.org/abs/{r.arxiv_id}v1" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{r.arxiv_id}v1" rel="related" type="application/pdf" \
title="pdf"/>
    <summary>{escape(r.abstract)}</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>{r.published.isoformat()}T17:59:49Z</published>
    <arxiv:primary_category term="cs.LG"/>
{"".join(AUTHOR % escape(name) for name in r.authors)}  </entry>
"""
        for r in records
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" \
xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/benchmark</id>
  <title>arXiv Query: {escape(query)}</title>
  <updated>{TODAY.isoformat()}T00:00:00Z</updated>
  <opensearch:itemsPerPage>{len(records)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{len(records)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
{entries}</feed>
"""


def answer_like_the_sources(records: list[Record]) -> Callable[[str, dict[str, str]], Reply]:
    """Return the answers of Hugging Face and arXiv for these papers, for `MetadataServer`."""
    by_id = {record.arxiv_id: record for record in records}
    by_title = {record.title: record for record in records}
    days: dict[str, list[Record]] = {}
    for record in records:
        if record.listed:
            days.setdefault(record.listed_on.isoformat(), []).append(record)
    titles = [(f" {title_words(record.title).casefold()} ", record) for record in records]

    def answer(path: str, query: dict[str, str]) -> Reply:
        if path == "/api/query":
            found = [by_id[i] for i in query.get("id_list", "").split(",") if i in by_id]
            for phrase in re.findall(r'ti:"([^"]*)"', query.get("search_query", "")):
                # arXiv's phrase search: the words in this order, anywhere in the title.
                found += [record for words, record in titles if f" {phrase.casefold()} " in words]
            return atom(atom_feed(found, str(query)))
        if path == "/api/daily_papers":
            limit = int(query.get("limit", "50"))
            start = int(query.get("p", "0")) * limit
            page = days.get(query.get("date", ""), [])[start : start + limit]
            return Reply(json.dumps([hf_item(record) for record in page]))
        if path == "/api/papers/search":
            hit = by_title.get(query.get("q", ""))
            return Reply(json.dumps([hf_item(hit)] if hit else []))
        return Reply('{"error":"Not Found"}', status=404)

    return answer


def run(papers: list[Paper], sources: Sources, cache: Path) -> tuple[float, float, int, int]:
    """Enrich `papers` once; return the seconds taken (wall, CPU of this process, the server's
    threads included), papers filled, papers unmatched."""
    with Fetcher() as fetcher:
        lookup = Lookup(AnswerCache(cache), fetcher, sources, TODAY)
        start, cpu = time.perf_counter(), time.process_time()
        result = enrich_papers(papers, lookup)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, result.filled, len(result.unmatched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--per-day", type=int, default=50)
    parser.add_argument("--unlisted", type=float, default=0.0)
    parser.add_argument("--pace-scale", type=float, default=1.0)
    options = parser.parse_args()
    records = make_records(options.papers, options.per_day, options.unlisted)
    papers = [page_paper(record) for record in records]
    arxiv_pace = default_sources({}).arxiv.min_interval * options.pace_scale
    hf_pace = HF_INTERVAL * options.pace_scale
    server = MetadataServer(answer_like_the_sources(records))
    server.__enter__()
    sources = Sources(
        arxiv=Endpoint("arxiv", server.url + "/api/query", arxiv_pace),
        hf=Endpoint("hf", server.url + "/api", hf_pace),
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(
        f"{len(papers)} title-only papers, {options.per_day} a day over "
        f"{len({r.listed_on for r in records})} days, {options.unlisted:.0%} not in their day's "
        f"listing; paces: arXiv {arxiv_pace:g} s, HF {hf_pace:g} s "
        f"(pace scale {options.pace_scale:g})"
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder)
            seconds, cpu, filled, unmatched = run(papers, sources, cache)
            arxiv = sum(path == "/api/query" for path, _ in server.requests)
            hf = len(server.requests) - arxiv
            paced = (max(arxiv - 1, 0) * arxiv_pace, max(hf - 1, 0) * hf_pace)
            floor, one_after_other = max(paced), sum(paced)
            print(
                f"run 1 (empty cache): {seconds:7.2f} s ({cpu:.2f} s CPU)   {filled} filled, "
                f"{unmatched} not; "
                f"requests: arXiv {arxiv}, HF {hf}"
            )
            print(
                f"  anchors, what the paces allow for these requests: floor {floor:7.2f} s "
                f"(the larger of ({arxiv} - 1) x {arxiv_pace:g} and ({hf} - 1) x {hf_pace:g}); "
                f"one source after the other {one_after_other:.2f} s; "
                f"run 1 is {seconds - floor:.2f} s above the floor"
            )
            days = len({r.listed_on for r in records})
            pages = sum(-(-options.per_day // HF_DAY_PAGE) for _ in range(days))
            batches = -(-len(papers) // 100)
            old = ((len(papers) - 1) * 0.5 + (batches - 1) * 3.0) * options.pace_scale
            print(
                f"  for comparison (arithmetic, not run): one HF title search per paper at the "
                f"former 0.5 s and {batches} id batches of 100 would need >= {old:.1f} s; "
                f"listing pages asked here: {pages}"
            )
            server.requests.clear()
            seconds, cpu, filled, unmatched = run(papers, sources, cache)
            print(
                f"run 2 (the cache of run 1): {seconds:7.3f} s ({cpu:.3f} s CPU)   "
                f"{filled} filled; "
                f"requests: {len(server.requests)}"
            )
    finally:
        server.__exit__()


if __name__ == "__main__":
    main()
