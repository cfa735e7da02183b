"""Write the demo's metadata cache (`bib/metadata/`) from facts gathered about its 42 papers.

  python scripts/record_demo_metadata.py SEED_RECORDS.json

SEED_RECORDS.json lists, for each paper of `bib/digests/2025-10-30-hf-papers.txt` in page order,
the facts public pages showed on 2026-12-01: the title the page gives (`seed_title`), the arXiv
id, the title on arXiv now, the authors, the primary class and the first submission date
(`null` where no source showed it). This script turns them into the answers the two APIs give,
in their real wire formats, as `papershelf convert` keeps them in its cache:

- Hugging Face's paper search for the page's title: a JSON list of one item whose paper has the
  id, the page's title, the authors and (when known) `publishedAt`;
- arXiv's API for the id: an Atom feed of one entry with arXiv's current title, the authors,
  the categories and (when known) `published`; the abstract is the page's (the HF page copies
  arXiv's).

Nothing unknown is made up: an unknown date or class is left out of the answer, as the sources
leave out what they do not know. Where a note of the facts gives a later version's author list
(`arXiv HTML v2 lists N authors: ...`), the answer for the unversioned id is that version, as
arXiv's is (its API answers an id without version with the latest version), and an answer for
`id_list=<id>v1` carries the first version's authors (the facts' `authors`). Every other answer
is that of version 1: the facts do not say which version is the latest, and the version of an
answer whose authors agree with the page changes nothing that is filled in.
Run it again after changing the facts; review the diff of bib/metadata/ before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

from papershelf.digests import parse_digest
from papershelf.enrich.cache import AnswerCache, CachedAnswer, cache_name
from papershelf.enrich.sources import (
    arxiv_id_request,
    default_sources,
    hf_search_request,
)

ROOT = Path(__file__).resolve().parent.parent
DIGEST = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
CACHE = ROOT / "bib" / "metadata"
FETCHED = dt.date(2026, 12, 1)
DIGEST_DATE = dt.date(2025, 10, 30)
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
_LATER_AUTHORS = re.compile(r"arXiv HTML v(\d+) lists \d+ authors: (.+?) - ")


def url_of(base: str, path: str, params: dict[str, str]) -> str:
    """Return the URL a request goes to, as the cache records it."""
    return (base.rstrip("/") + ("/" + path if path else "")) + "?" + urllib.parse.urlencode(params)


def hf_answer(fact: dict[str, object], title: str, abstract: str) -> str:
    """Return HF's paper-search answer for a page title: the one paper it lists."""
    paper: dict[str, object] = {
        "id": fact["arxiv_id"],
        "authors": [{"name": name} for name in fact["authors"]],  # type: ignore[attr-defined]
        "title": title,
        "summary": abstract,
    }
    if fact["submitted"]:
        paper["publishedAt"] = f"{fact['submitted']}T00:00:00.000Z"
    return json.dumps([{"paper": paper, "title": title}], ensure_ascii=False, indent=2)


def arxiv_answer(
    fact: dict[str, object], abstract: str, url: str, *, version: int, authors: list[str]
) -> str:
    """Return the arXiv API's Atom answer for one id: the entry of one version."""
    ET.register_namespace("", ATOM)
    ET.register_namespace("arxiv", ARXIV)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = url
    asked = url.partition("id_list=")[2].partition("&")[0]
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"arXiv Query: id_list={asked}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = f"{FETCHED.isoformat()}T00:00:00Z"
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    arxiv_id = str(fact["arxiv_id"])
    ET.SubElement(entry, f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{arxiv_id}v{version}"
    ET.SubElement(entry, f"{{{ATOM}}}title").text = str(fact["title"])
    if fact["submitted"]:
        stamp = f"{fact['submitted']}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = stamp
        ET.SubElement(entry, f"{{{ATOM}}}published").text = stamp
    ET.SubElement(
        entry,
        f"{{{ATOM}}}link",
        href=f"https://arxiv.org/abs/{arxiv_id}v{version}",
        rel="alternate",
        type="text/html",
    )
    ET.SubElement(
        entry,
        f"{{{ATOM}}}link",
        href=f"https://arxiv.org/pdf/{arxiv_id}v{version}",
        rel="related",
        type="application/pdf",
        title="pdf",
    )
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = abstract
    if fact["primary_category"]:
        term = str(fact["primary_category"])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=term, scheme=ARXIV)
        ET.SubElement(entry, f"{{{ARXIV}}}primary_category", term=term)
    for name in authors:
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = name
    ET.indent(feed)
    return "<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(feed, "unicode") + "\n"


def main() -> None:
    facts = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    papers = parse_digest(DIGEST.read_text("utf-8"), source=str(DIGEST), digest_date=DIGEST_DATE)
    if [paper.title for paper in papers] != [fact["seed_title"] for fact in facts]:
        sys.exit("the facts are not the digest's papers in page order")
    sources = default_sources({})
    cache = AnswerCache(CACHE)
    for paper, fact in zip(papers, facts, strict=True):
        path, params = hf_search_request(paper.title)
        url = url_of(sources.hf.base_url, path, params)
        answer = hf_answer(fact, paper.title, paper.abstract)
        cache.put("hf", cache_name("search", paper.title), CachedAnswer(url, FETCHED, 200, answer))
        first = list(fact["authors"])
        later = _LATER_AUTHORS.search(str(fact["note"]))
        answers = {fact["arxiv_id"]: (1, first)}
        if later:
            answers = {
                fact["arxiv_id"]: (int(later[1]), later[2].split(", ")),
                f"{fact['arxiv_id']}v1": (1, first),
            }
        for asked, (version, authors) in answers.items():
            path, params = arxiv_id_request([asked])
            url = url_of(sources.arxiv.base_url, path, params)
            answer = arxiv_answer(fact, paper.abstract, url, version=version, authors=authors)
            cache.put("arxiv", cache_name("id", asked), CachedAnswer(url, FETCHED, 200, answer))
    print(f"{len(facts)} papers recorded in {CACHE.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
