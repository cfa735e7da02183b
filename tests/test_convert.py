"""The convert job: the library index it keeps between runs, and the same result on every core."""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from pathlib import Path

import pytest

from conftest import SAMPLE_DIGEST
from papershelf import ConvertReport, DigestError, convert_digests
from papershelf.bib import merge as merge_module
from papershelf.bib.index import LibraryIndex, index_library, load_index
from papershelf.files import CACHE_DAYS, cache_file
from papershelf.parallel import Stage, thresholds

WORDS = "diffusion agent video reasoning robust sparse policy reward vision graph".split()


def digest_item(number: int, upvotes: int = 1) -> dict[str, object]:
    words = [WORDS[(number * 7 + k) % len(WORDS)] for k in range(6)]
    return {
        "paper": {
            "id": f"2510.{number:05d}",
            "title": f"{' '.join(words).title()} {number}",
            "summary": f"We study {' and '.join(words)}. Code: https://github.com/lab/r{number}.",
            "authors": [{"name": f"Ann Lee{number}"}, {"name": "Bo Chen"}],
            "publishedAt": "2025-10-29T12:00:00.000Z",
            "upvotes": upvotes,
            "ai_keywords": words[:2],
        },
        "numComments": number % 5,
    }


def write_digest(path: Path, numbers: range | list[int], upvotes: int = 1) -> Path:
    path.write_text(json.dumps([digest_item(n, upvotes) for n in numbers]), encoding="utf-8")
    return path


def convert(digest: Path, bib: Path, cache: Path | None, **options: object) -> ConvertReport:
    return convert_digests([digest], bib, pages_dir=None, cache_dir=cache, **options)  # type: ignore[arg-type]


def kept_index(cache: Path, bib: Path) -> LibraryIndex | None:
    return load_index(cache_file(cache, bib).read_text(encoding="utf-8"), bib.read_text("utf-8"))


def test_a_run_keeps_the_index_of_the_library_it_wrote(tmp_path: Path) -> None:
    bib, cache = tmp_path / "papers.bib", tmp_path / "cache"
    convert(SAMPLE_DIGEST, bib, cache)
    kept = kept_index(cache, bib)
    assert kept is not None
    assert kept == index_library(bib.read_text("utf-8"), source="papers.bib")
    assert len(kept.entries) == 42


def test_runs_mark_their_index_used_and_drop_long_unused_ones(tmp_path: Path) -> None:
    bib, cache = tmp_path / "papers.bib", tmp_path / "cache"
    convert(SAMPLE_DIGEST, bib, cache)
    kept = cache_file(cache, bib)
    abandoned = cache_file(cache, tmp_path / "gone.bib")
    abandoned.write_text("{}", encoding="utf-8")
    long_ago = time.time() - (CACHE_DAYS + 1) * 24 * 60 * 60
    for path in (kept, abandoned):
        os.utime(path, (long_ago, long_ago))
    convert(SAMPLE_DIGEST, bib, cache)  # nothing changes: the kept index is only used
    assert kept.stat().st_mtime > long_ago + 24 * 60 * 60
    assert abandoned.exists()
    other = tmp_path / "other.bib"
    convert(SAMPLE_DIGEST, other, cache)  # a run that writes an index prunes the folder
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        [kept.name, cache_file(cache, other).name]
    )


def test_the_next_run_uses_the_kept_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = write_digest(tmp_path / "2025-10-30.json", range(20))
    second = write_digest(tmp_path / "2025-10-31.json", [*range(15, 25)], upvotes=7)
    fresh = tmp_path / "fresh.bib"
    convert(first, fresh, None)
    expected = convert(second, fresh, None)
    bib = tmp_path / "papers.bib"
    convert(first, bib, cache)
    monkeypatch.setattr(merge_module, "index_with_warnings", index_refused)
    report = convert(second, bib, cache)
    assert bib.read_bytes() == fresh.read_bytes()
    assert (report.added, report.updated) == (expected.added, expected.updated)
    assert len(report.added) == 5
    assert len(report.updated) == 5
    assert kept_index(cache, bib) == index_library(bib.read_text("utf-8"), source="x")


def index_refused(text: str, *, source: str) -> tuple[LibraryIndex, tuple[()]]:
    raise AssertionError("the library was parsed although its index was kept")


def test_a_library_edited_elsewhere_is_read_afresh(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bib = tmp_path / "papers.bib"
    convert(write_digest(tmp_path / "2025-10-30.json", range(5)), bib, cache)
    text = bib.read_text("utf-8")
    key = text.split("{", 1)[1].split(",", 1)[0]
    edited = "% kept by hand\n" + text.replace(
        f"@misc{{{key},\n", f"@misc{{{key},\n  file = {{a.pdf}},\n"
    )
    bib.write_text(edited, encoding="utf-8")
    report = convert(write_digest(tmp_path / "2025-10-31.json", range(3), upvotes=9), bib, cache)
    assert report.updated[0] == key
    merged = bib.read_text("utf-8")
    assert merged.startswith(f"% kept by hand\n@misc{{{key},\n  file         = {{a.pdf}},\n")
    assert "upvotes      = {9}" in merged
    assert kept_index(cache, bib) == index_library(merged, source="x")


@pytest.mark.parametrize("garbage", ["", "{", '{"rows": []}', "\x00"])
def test_a_damaged_kept_index_is_ignored_and_replaced(tmp_path: Path, garbage: str) -> None:
    cache = tmp_path / "cache"
    bib = tmp_path / "papers.bib"
    convert(write_digest(tmp_path / "2025-10-30.json", range(5)), bib, cache)
    cache_file(cache, bib).write_text(garbage, encoding="utf-8")
    report = convert(write_digest(tmp_path / "2025-10-31.json", range(3, 8), upvotes=4), bib, cache)
    assert (len(report.added), len(report.updated)) == (3, 2)
    assert kept_index(cache, bib) == index_library(bib.read_text("utf-8"), source="x")


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    bib = tmp_path / "papers.bib"
    report = convert(write_digest(tmp_path / "2025-10-30.json", range(3)), bib, blocked)
    assert report.library_written
    assert bib.read_text("utf-8").count("@misc{") == 3


def test_a_dry_run_keeps_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bib = tmp_path / "papers.bib"
    report = convert(write_digest(tmp_path / "2025-10-30.json", range(3)), bib, cache, dry_run=True)
    assert len(report.added) == 3
    assert not bib.exists()
    assert not cache.exists()


def test_the_garbage_collector_is_restored_after_success_and_error(tmp_path: Path) -> None:
    assert gc.isenabled()
    convert(write_digest(tmp_path / "2025-10-30.json", range(2)), tmp_path / "a.bib", None)
    assert gc.isenabled()
    broken = tmp_path / "2025-10-31.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(DigestError):
        convert(broken, tmp_path / "a.bib", None)
    assert gc.isenabled()


def test_several_cores_give_the_library_one_core_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,200 papers: enough to tag and render on several cores; the library is then read back in
    # slices, as a library of 10,000 would be.
    assert threading.active_count() == 1, "with threads running, everything runs on one core"
    big = write_digest(tmp_path / "2025-10-30.json", range(1200))
    small = write_digest(tmp_path / "2025-10-31.json", [*range(1190, 1210)], upvotes=5)
    libraries = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("PAPERSHELF_JOBS", jobs)
        bib = tmp_path / f"papers-{jobs}.bib"
        with thresholds({Stage.LIBRARY_SLICES: 0}):
            reports = [convert(big, bib, None), convert(small, bib, None)]
        libraries.append((bib.read_bytes(), [(r.added, r.updated, r.unchanged) for r in reports]))
    assert libraries[0] == libraries[1]
    (_, ((added, _, _), (more, updated, _))) = libraries[0]
    assert (len(added), len(more), len(updated)) == (1200, 10, 10)


def test_several_cores_give_the_pages_one_core_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 600 papers: enough to render the pages on several cores. A note written in a page of the
    # second share (rendered by a child process) survives the next run on every core count.
    assert threading.active_count() == 1, "with threads running, everything runs on one core"
    first = write_digest(tmp_path / "2025-10-30.json", range(600))
    second = write_digest(tmp_path / "2025-10-31.json", [*range(590, 610)], upvotes=5)
    start, end = "<!-- papershelf:notes:start -->", "<!-- papershelf:notes:end -->"
    note = "\nRead on the train, \u00e9t\u00e9 \u2713\n"
    results = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("PAPERSHELF_JOBS", jobs)
        (tmp_path / jobs).mkdir()
        monkeypatch.chdir(tmp_path / jobs)  # pages name their library as given: `papers.bib`
        bib, pages = Path("papers.bib"), Path("pages")
        convert_digests([first], bib, pages_dir=pages, cache_dir=None)
        last = pages / f"{bibtexparser_keys(bib)[-1]}.md"
        head, rest = last.read_text(encoding="utf-8").split(start)
        last.write_text(head + start + note + end + rest.split(end)[1], encoding="utf-8")
        report = convert_digests([second], bib, pages_dir=pages, cache_dir=None)
        assert start + note + end in last.read_text(encoding="utf-8")
        texts = {path.name: path.read_text(encoding="utf-8") for path in pages.glob("*.md")}
        results.append((texts, len(report.pages_written)))
    assert results[0] == results[1]
    texts, written = results[0]
    assert len(texts) == 610
    assert written == 20  # 10 new papers, 10 with new counts


def bibtexparser_keys(bib: Path) -> list[str]:
    """The library's keys in file order."""
    return [row.key for row in index_library(bib.read_text("utf-8"), source="x").entries]
