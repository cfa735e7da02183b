"""The committed demo library (`bib/papers.bib`) against the facts its recorded answers came from.

`tests/data/demo-seed-facts.json` is a copy of the facts `scripts/record_demo_metadata.py` turned
into `bib/metadata/` (for each paper of the sample page: the page's title, the arXiv id, the
authors of the version the page describes, the first submission date), so this test needs
nothing outside the repository. Every one of the 42 entries must have exactly those authors and
that id: 42 of 42 filled in, none wrong.
"""

from __future__ import annotations

import json

from conftest import DATA, ROOT
from papershelf.bib.read import read_library
from papershelf.identity import normalise_title

LIBRARY = ROOT / "bib" / "papers.bib"
FACTS = json.loads((DATA / "demo-seed-facts.json").read_text(encoding="utf-8"))


def test_every_sample_paper_has_the_right_authors_and_arxiv_id() -> None:
    entries = read_library(LIBRARY.read_text(encoding="utf-8"), source=str(LIBRARY))
    assert len(FACTS) == len(entries) == 42
    by_title = {normalise_title(entry.title): entry for entry in entries}
    wrong = []
    for fact in FACTS:
        entry = by_title[normalise_title(fact["seed_title"])]
        if (entry.arxiv_id, entry.authors) != (fact["arxiv_id"], tuple(fact["authors"])):
            wrong.append((entry.key, entry.arxiv_id, entry.authors))
    assert wrong == []


def test_the_paper_whose_authors_changed_says_it_was_filled_from_its_first_version() -> None:
    text = LIBRARY.read_text(encoding="utf-8")
    [entry] = [e for e in read_library(text, source=str(LIBRARY)) if e.arxiv_id == "2510.22938"]
    assert entry.authors == ("Omar Allam", "Brook Wander", "Aayush R. Singh")
    block = text[text.index(f"@misc{{{entry.key},") :].split("\n}\n", 1)[0]
    assert "  version      = {1},\n" in block
    assert "  filledfrom   = {arxiv v1 2026-12-01}" in block
