"""Benchmark the convert job at scale; prints figures, asserts nothing.

  python benchmarks/convert.py [--papers 10000] [--merge 50]

Case 1: a digest of N synthetic papers converted into a new library.
Case 2: a digest of M papers (half new, half already known) merged into that N-entry library, as
        the next day's run finds it (the index papershelf kept of it is valid).
Case 3: the same, cold: the library was last written by another program, so it is parsed afresh.
Case 4: case 2 again on its own result: nothing changes.
Case 5: the papers of case 1 as an arXiv RSS feed (their ids, titles, abstracts, authors),
        converted into a new library: an XML feed should cost about what the JSON digest does.
Each run is a fresh process that runs the whole job as the CLI does (read, parse, tag, combine,
merge, atomic write, keep the index), without the Markdown pages, which benchmarks/site.py
measures. Target: each under 3 s on 2 cores. PAPERSHELF_JOBS=1 measures one core.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

from papershelf import convert_digests
from papershelf.files import cache_file
from papershelf.parallel import jobs

WORDS = (
    "diffusion transformer reasoning agent video retrieval robust efficient sparse policy reward"
    " language model vision multimodal graph benchmark dataset alignment safety quantization"
    " distillation continual learning contrastive tokenizer speech motion planning scaling"
).split()


def synthetic_item(index: int, rng: random.Random) -> dict[str, object]:
    """Return one 2026-shape daily_papers item with realistic field sizes."""
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(6, 12)))
    summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 220))) + "."
    arxiv_id = f"25{index // 10000 % 12 + 1:02d}.{index % 100000:05d}"
    paper: dict[str, object] = {
        "id": arxiv_id,
        "title": f"{title} {index}",
        "summary": summary,
        "authors": [{"name": f"Given{k} Surname{index}x{k}"} for k in range(rng.randint(1, 8))],
        "publishedAt": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00.000Z",
        "upvotes": rng.randint(0, 300),
        "ai_keywords": rng.sample(WORDS, 3),
    }
    if rng.random() < 0.5:
        paper["githubRepo"] = f"https://github.com/lab{index}/repo{index}"
        paper["githubStars"] = rng.randint(0, 5000)
    return {"paper": paper, "numComments": rng.randint(0, 9), "title": paper["title"]}


def write_digest(path: Path, items: list[dict[str, object]]) -> None:
    path.write_text(json.dumps(items), encoding="utf-8")


def write_feed(path: Path, items: list[dict[str, object]]) -> None:
    """Write the items' papers as arXiv's RSS feed of one day writes them."""
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' version="2.0"><channel><title>cs.LG updates on arXiv.org</title>'
        "<link>http://rss.arxiv.org/rss/cs.LG</link>"
        "<pubDate>Thu, 30 Oct 2025 00:00:00 -0400</pubDate>",
    ]
    for item in items:
        paper = item["paper"]
        assert isinstance(paper, dict)
        names = ", ".join(str(author["name"]) for author in paper["authors"])
        lines.append(
            f"<item><title>{escape(str(paper['title']))}</title>"
            f"<link>https://arxiv.org/abs/{paper['id']}</link>"
            f"<description>arXiv:{paper['id']}v1 Announce Type: new\n"
            f"Abstract: {escape(str(paper['summary']))}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{paper["id"]}v1</guid>'
            "<category>cs.LG</category><category>cs.AI</category>"
            "<pubDate>Thu, 30 Oct 2025 00:00:00 -0400</pubDate>"
            "<arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:creator>{escape(names)}</dc:creator></item>"
        )
    lines.append("</channel></rss>")
    path.write_text("\n".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class State:
    """What is on disk before a run: the library text and the kept index (None: absent)."""

    library: str | None
    kept_index: str | None


def capture(bib: Path, cache: Path) -> State:
    kept = cache_file(cache, bib)
    library = bib.read_text(encoding="utf-8") if bib.exists() else None
    return State(library, kept.read_text(encoding="utf-8") if kept.exists() else None)


def restore(state: State, bib: Path, cache: Path) -> None:
    kept = cache_file(cache, bib)
    for path, text in ((bib, state.library), (kept, state.kept_index)):
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def job(digest: Path, bib: Path, cache: Path) -> None:
    """Run one conversion in this (fresh) process; print its figures as one JSON line."""
    began = time.perf_counter()
    report = convert_digests([digest], bib, pages_dir=None, cache_dir=cache)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"seconds": seconds, "added": len(report.added), "updated": len(report.updated)}
    print(json.dumps({**figures, "peak_mb": peak}))


def timed(label: str, digest: Path, bib: Path, cache: Path, before: State, repeat: int) -> None:
    """Convert `digest` into `bib` from the state `before`, each run in a fresh process.

    Prints the median of the job (what `convert_digests` takes) and of the whole command (the
    process from start to exit, imports included), as a person running the CLI sees it.
    """
    jobs_s: list[float] = []
    commands: list[float] = []
    figures: dict[str, float] = {}
    for _ in range(repeat):
        restore(before, bib, cache)
        command = [sys.executable, __file__, "--job", str(digest), str(bib), str(cache)]
        began = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        commands.append(time.perf_counter() - began)
        figures = json.loads(done.stdout)
        jobs_s.append(figures["seconds"])
    counts = f"added {figures['added']:>5.0f}, updated {figures['updated']:>3.0f}"
    runs = " ".join(f"{value:.2f}" for value in jobs_s)
    print(
        f"{label:<40} job {statistics.median(jobs_s):5.2f} s (runs: {runs}); "
        f"command {statistics.median(commands):5.2f} s; {figures['peak_mb']:.0f} MB; {counts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--merge", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median printed)")
    parser.add_argument("--job", nargs=3, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.job:
        job(*arguments.job)
        return
    rng = random.Random(20251030)
    items = [synthetic_item(index, rng) for index in range(arguments.papers)]
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {python}; {jobs()} processes")
    # How the interpreter was built matters: see docs/benchmarks.md ("The interpreter").
    print(f"interpreter: {sys.executable}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cache = root / "cache"
        big = root / "2025-10-30-big.json"
        write_digest(big, items)
        print(f"digest: {arguments.papers} papers, {big.stat().st_size / 1e6:.1f} MB")
        bib = root / "papers.bib"
        label = f"{arguments.papers} papers into a new library"
        timed(label, big, bib, cache, State(None, None), arguments.repeat)
        written = capture(bib, cache)
        library = written.library or ""
        print(f"library: {library.count(chr(10) + '@') + 1} entries, {len(library) / 1e6:.1f} MB")
        half = arguments.merge // 2
        known = copy.deepcopy(rng.sample(items, half))
        for item in known:
            paper = item["paper"]
            assert isinstance(paper, dict)
            paper["upvotes"] = int(paper["upvotes"]) + 1
        fresh = [synthetic_item(arguments.papers + k, rng) for k in range(arguments.merge - half)]
        small = root / "2025-10-31-small.json"
        write_digest(small, known + fresh)
        merge = f"{arguments.merge} papers merged into {arguments.papers}"
        timed(merge, small, bib, cache, written, arguments.repeat)
        merged = capture(bib, cache)
        # The library as another program left it: nothing kept matches it.
        cold = replace(written, kept_index=None)
        timed(merge + ", cold", small, bib, cache, cold, arguments.repeat)
        timed("the same merge again (no change)", small, bib, cache, merged, arguments.repeat)
        feed = root / "2025-10-30-cs.LG.xml"
        write_feed(feed, items)
        print(f"feed: {arguments.papers} papers, {feed.stat().st_size / 1e6:.1f} MB")
        timed(
            "the same papers as an arXiv RSS feed",
            feed,
            bib,
            cache,
            State(None, None),
            arguments.repeat,
        )


if __name__ == "__main__":
    main()
