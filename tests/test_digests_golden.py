"""One golden file per digest format: every field of every paper of a fixture in that format.

The fixtures under `tests/data/` are written in each format's real shape (see each reader's
module docstring): `arxiv-api-atom-2026.xml` is three of the five entries of a real API answer,
the first two blocks of `arxiv-email-listing.txt` are a real listing e-mail with its abstracts
shortened, and the other blocks, feeds and pages were written for this project (their papers are
real, their listings made up). The golden files were checked by eye against them. Regenerate with
`PAPERSHELF_UPDATE_GOLDEN=1 pytest tests/test_digests_golden.py`, then read the diff before
committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import DATA
from papershelf.digests import READERS, detect_format, parse_digest
from papershelf.model import Paper

GOLDEN = Path(__file__).resolve().parent / "golden" / "digests"

FIXTURES = [
    pytest.param("hf-papers-page.txt", "hf-text", dt.date(2025, 10, 30), id="hf-text"),
    pytest.param("hf-papers-page-markdown.md", "hf-markdown", None, id="hf-markdown"),
    pytest.param("hf-papers-page-export.md", "hf-export", None, id="hf-export"),
    pytest.param("hf-papers-page-trending.txt", "hf-text", dt.date(2026, 10, 2), id="hf-trending"),
    pytest.param("hf-daily-papers-2026.json", "hf-json", dt.date(2026, 1, 16), id="hf-json"),
    pytest.param("arxiv-email-listing.txt", "arxiv-email", None, id="arxiv-email"),
    pytest.param("arxiv-email-listing.eml", "arxiv-email", None, id="arxiv-email-eml"),
    pytest.param("arxiv-rss-cs.xml", "arxiv-rss", None, id="arxiv-rss"),
    pytest.param("arxiv-atom-cs.xml", "arxiv-atom", None, id="arxiv-atom"),
    pytest.param("arxiv-api-atom-2026.xml", "arxiv-api", None, id="arxiv-api-2026"),
    pytest.param("arxiv-api-atom-classic.xml", "arxiv-api", None, id="arxiv-api-classic"),
    pytest.param("arxiv-id-list.txt", "id-list", None, id="id-list"),
]


def record(paper: Paper) -> dict[str, object]:
    """Return every field of a paper as JSON; a long abstract by its ends, length and hash."""
    fields: dict[str, object] = {}
    for item in dataclasses.fields(paper):
        value = getattr(paper, item.name)
        if item.name == "abstract" and len(value) > 160:
            digest = hashlib.sha256(value.encode()).hexdigest()[:16]
            value = {"start": value[:60], "end": value[-60:], "length": len(value), "sha": digest}
        elif item.name == "source":
            value = str(value)
        elif item.name == "links":
            value = [[link.url, link.kind.value] for link in value]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "value"):  # an enum
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        fields[item.name] = value
    return fields


@pytest.mark.parametrize(("name", "fmt", "digest_date"), FIXTURES)
def test_fixture_matches_its_golden_file(name: str, fmt: str, digest_date: dt.date | None) -> None:
    text = (DATA / name).read_text("utf-8")
    assert detect_format(text, source=name).name == fmt
    papers = parse_digest(text, source=f"tests/data/{name}", digest_date=digest_date)
    actual = [record(paper) for paper in papers]
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("PAPERSHELF_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", "utf-8")
        pytest.skip(f"rewrote {golden.name}; review the diff before committing it")
    assert golden.exists(), f"{golden} is missing; run with PAPERSHELF_UPDATE_GOLDEN=1"
    assert actual == json.loads(golden.read_text("utf-8"))


def test_every_registered_format_has_a_golden_fixture() -> None:
    covered = {param.values[1] for param in FIXTURES}
    assert covered == set(READERS.names)
