"""Search benchmark: Pagefind against Material's search on the same synthetic library.

For each size (default 10,000 papers; `--large` adds 100,000) it writes the synthetic library of
`benchmarks/site.py` and builds two sites with the papershelf plugin: **pagefind**
(`search: pagefind`, the default: Pagefind's indexer runs after the build) and **material**
(`search: material` with Material's `search` plugin). Then it times Pagefind's indexer on its
own (wall time and peak memory of that process), serves each site on 127.0.0.1 and, in headless
Chromium, for every query:

1. opens the home page in a fresh browser context (empty cache),
2. opens the search box and types the query, 100 ms a key, as a person would,
3. measures, in the page's clock, the time from the last keystroke to the first result of that
   query shown (for Pagefind: a rendered result while its summary names the whole query),
4. counts the bytes the server sent from the navigation to that moment: all of them, and those
   of the search alone (Pagefind's bundle and index, or Material's index and worker), plus
   what a server that compresses would have sent (Pagefind's index files are gzip already).

The queries: a word on one page (the number in a paper's title), a word on every page, and that
word with a tag filter (Pagefind only: Material's search has no filters), which is timed from
the click on the tag to the first filtered result.

Run: `python benchmarks/search.py [--sizes 10000] [--large] [--repeat 3] [--out benchmarks/out]`.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from papershelf import default_taxonomy, merge_into_library
from site_module import load_site_benchmark

CHROMIUM = "/usr/bin/chromium"
KEY_DELAY_MS = 100
"""Milliseconds between keystrokes: a quick typist."""
WORD_ON_EVERY_PAGE = "model"
"""A word of the synthetic vocabulary: nearly every abstract has it."""


SITE_BENCHMARK = load_site_benchmark()

INDEXER = textwrap.dedent(
    """\
    import resource, subprocess, sys, time
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", sys.argv[1],
                           "--exclude-selectors", ".headerlink"], capture_output=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
    sys.exit(done.returncode)
    """
)
"""Runs Pagefind's indexer once; prints wall seconds, its peak RSS (KiB) and CPU seconds."""

PROBE = """
window.__bench = { lastInput: null, first: null, check: null };
document.addEventListener('input', () => {
  window.__bench.lastInput = performance.now();
  window.__bench.first = null;
}, true);
new MutationObserver(() => {
  const bench = window.__bench;
  if (bench.check && bench.lastInput !== null && bench.first === null && bench.check()) {
    bench.first = performance.now();
  }
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
"""
"""Runs before the page's scripts: notes the last keystroke and when a result is first shown."""

CHECKS = {
    "pagefind": """() => {
        const summary = document.querySelector('pagefind-modal pagefind-summary');
        return !!summary && summary.textContent.trim().endsWith('for ' + window.__term)
            && !!document.querySelector('pagefind-modal li.papershelf-result');
    }""",
    "material": """() => {
        const input = document.querySelector('input.md-search__input');
        return !!input && input.value === window.__term
            && !!document.querySelector('.md-search-result__list .md-search-result__item');
    }""",
}
"""When the first result of the current query (`window.__term`) is on screen."""


@dataclass(frozen=True, slots=True)
class Query:
    """One measured search."""

    papers: int
    search: str
    case: str
    term: str
    seconds: float
    """From the last keystroke (or the click on a filter) to the first result shown."""
    results: str
    """What the search box said, e.g. `10000 results for model`."""
    total_kb: float
    """Bytes the server sent from the navigation to the first result, in KB (1,000 bytes)."""
    search_kb: float
    """Of those, the search's own files (index, bundle, worker), in KB."""
    search_gzip_kb: float
    """The search's files as a compressing server would send them, in KB."""


@dataclass(frozen=True, slots=True)
class Index:
    """The search index of one site."""

    papers: int
    search: str
    index_mb: float
    files: int
    index_seconds: float | None
    index_cpu_seconds: float | None
    index_peak_mb: float | None
    build_seconds: float


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and notes every file it sends: (monotonic time, path, bytes)."""

    sent: list[tuple[float, str, int]]

    def log_message(self, format: str, *args: object) -> None:
        return

    def copyfile(self, source: Any, outputfile: Any) -> None:
        position = source.tell()
        super().copyfile(source, outputfile)
        self.sent.append((time.monotonic(), self.path, source.tell() - position))


@contextmanager
def serve(site_dir: Path) -> Iterator[tuple[str, list[tuple[float, str, int]]]]:
    """Serve a folder on 127.0.0.1; yield its URL and the list of what it sent."""
    sent: list[tuple[float, str, int]] = []
    handler = type("Handler", (CountingHandler,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_site(root: Path, library: str, search: str) -> Path:
    """Write a papershelf site reading `library` with the given search; return its mkdocs.yml."""
    (root / "docs").mkdir(parents=True)
    (root / "papers.bib").write_text(library, encoding="utf-8")
    options = {"bib": ["papers.bib"], "search": search}
    plugins: list[object] = [{"papershelf": options}]
    if search == "material":
        plugins.insert(0, "search")
    config = {**SITE_BENCHMARK.SITE, "plugins": plugins}
    path = root / "mkdocs.yml"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return path


def build(config_file: Path) -> float:
    """Build a site in a subprocess; return its wall seconds."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config_file)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"building {config_file} failed:\n{result.stderr}")
    return time.perf_counter() - started


def index_once(site_dir: Path) -> tuple[float, float, float]:
    """Run Pagefind's indexer over a built site; return wall s, peak MB and CPU s."""
    result = subprocess.run(
        [sys.executable, "-c", INDEXER, str(site_dir)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"Pagefind's indexer failed:\n{result.stderr}")
    seconds, peak_kib, cpu = result.stdout.split()
    return float(seconds), int(peak_kib) / 1024, float(cpu)


def folder_size(folder: Path) -> tuple[float, int]:
    """Return the size of a folder's files in MB and their number."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files) / 1e6, len(files)


def is_search_file(search: str, path: str) -> bool:
    """Whether a served path belongs to the search (its index, bundle, worker, stylesheet)."""
    if search == "pagefind":
        return path.startswith(("/pagefind/", "/assets/papershelf/search."))
    return path.startswith("/search/") or "/workers/search" in path


@functools.cache
def compressed_size(site_dir: Path, path: str) -> int:
    """Return the bytes a compressing server would send for a served file (gzip, level 6)."""
    file = site_dir / path.split("?", 1)[0].lstrip("/")
    if file.is_dir():
        file = file / "index.html"
    data = file.read_bytes()
    if data[:2] == b"\x1f\x8b":  # Pagefind's index files are gzip already
        return len(data)
    return len(gzip.compress(data, compresslevel=6))


def measure(
    browser: Browser,
    url: str,
    sent: list[tuple[float, str, int]],
    site_dir: Path,
    search: str,
    term: str,
    tag: str | None,
) -> tuple[float, str, float, float, float]:
    """Search once in a fresh context; return seconds, the summary and the three byte counts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PROBE)
    page = context.new_page()
    page.set_default_timeout(120_000)
    sent.clear()
    started = time.monotonic()
    page.goto(url, wait_until="load")
    page.evaluate(f"window.__bench.check = {CHECKS[search]}; window.__term = {json.dumps(term)}")
    field = open_search(page, search)
    field.press_sequentially(term, delay=KEY_DELAY_MS)
    page.wait_for_function("window.__bench.first !== null", polling=10)
    seconds = page.evaluate("(window.__bench.first - window.__bench.lastInput) / 1000")
    if tag is not None:
        seconds = filter_by_tag(page, tag)
    shown_at = time.monotonic()
    summary = result_summary(page, search)
    window = [(path, size) for at, path, size in sent if started <= at <= shown_at]
    total = sum(size for _, size in window)
    ours = [(path, size) for path, size in window if is_search_file(search, path)]
    context.close()
    return (
        seconds,
        summary,
        total / 1000,
        sum(size for _, size in ours) / 1000,
        sum(compressed_size(site_dir, path) for path, _ in ours) / 1000,
    )


def open_search(page: Page, search: str) -> Any:
    """Open the site's search box; return its input field."""
    if search == "pagefind":
        page.locator(".md-header pagefind-modal-trigger button").click()
        field = page.locator("pagefind-modal pagefind-input input")
    else:
        field = page.locator("input.md-search__input")
        field.click()
    field.wait_for()
    return field


def filter_by_tag(page: Page, tag: str) -> float:
    """Pick `tag` in the Tag menu; return the seconds from the click to the filtered result."""
    dropdown = page.locator('pagefind-filter-dropdown[filter="tag"]')
    dropdown.locator(".pf-dropdown-trigger").click()
    option = dropdown.locator(".pf-dropdown-option", has_text=tag).first
    option.wait_for()
    before = page.evaluate("document.querySelector('pagefind-modal pagefind-summary').textContent")
    page.evaluate(
        """(before) => {
        window.__bench.lastInput = null;
        window.__bench.first = null;
        window.__bench.check = () => {
          const summary = document.querySelector('pagefind-modal pagefind-summary');
          return summary.textContent !== before
              && summary.textContent.trim().endsWith('for ' + window.__term)
              && !!document.querySelector('pagefind-modal li.papershelf-result');
        };
        }""",
        before,
    )
    option.evaluate("element => { window.__bench.lastInput = performance.now(); element.click(); }")
    page.wait_for_function("window.__bench.first !== null", polling=10)
    return float(page.evaluate("(window.__bench.first - window.__bench.lastInput) / 1000"))


def result_summary(page: Page, search: str) -> str:
    """Return what the search box says about the results, e.g. `42 results for model`."""
    selector = (
        "pagefind-modal pagefind-summary" if search == "pagefind" else ".md-search-result__meta"
    )
    return " ".join(page.locator(selector).first.inner_text().split())


def queries(papers: int) -> list[tuple[str, str, str | None]]:
    """Return the measured queries: (case, term, tag label to filter by or None)."""
    labels = sorted(tag.label for tag in default_taxonomy().tags.values())
    # The synthetic titles end in the paper's number: a word on exactly one page.
    return [
        ("word on one page", str(papers // 2 + 7), None),
        ("word on every page", WORD_ON_EVERY_PAGE, None),
        ("word on every page + tag filter", WORD_ON_EVERY_PAGE, labels[len(labels) // 2]),
    ]


def run(sizes: list[int], out: Path, repeat: int) -> tuple[list[Index], list[Query]]:
    """Build, index, serve and search every size; return the indexes and the medians."""
    indexes: list[Index] = []
    medians: list[Query] = []
    for count in sizes:
        papers = SITE_BENCHMARK.synthetic_papers(count)
        library = merge_into_library("", papers, source="synthetic.bib").text
        root = out / f"search-{count}"
        if root.exists():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        sites: dict[str, Path] = {}
        for search in ("pagefind", "material"):
            config = write_site(root / search, library, search)
            seconds = build(config)
            site_dir = root / search / "site"
            sites[search] = site_dir
            if search == "pagefind":
                index_s, peak, cpu = index_once(site_dir)
                size, files = folder_size(site_dir / "pagefind")
                indexes.append(Index(count, search, size, files, index_s, cpu, peak, seconds))
            else:
                size = (site_dir / "search" / "search_index.json").stat().st_size / 1e6
                indexes.append(Index(count, search, size, 1, None, None, None, seconds))
            print(f"  built {search} site of {count} papers in {seconds:.0f} s", flush=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for search, site_dir in sites.items():
                with serve(site_dir) as (url, sent):
                    for case, term, tag in queries(count):
                        if tag is not None and search == "material":
                            continue
                        runs = [
                            measure(browser, url, sent, site_dir, search, term, tag)
                            for _ in range(repeat)
                        ]
                        for seconds, summary, total, ours, zipped in runs:
                            print(
                                f"  {count:>6} {search:<8} {case:<32} {seconds * 1000:7.0f} ms"
                                f" {total:9.0f} KB ({ours:.0f} KB search, {zipped:.0f} KB"
                                f" gzip)  [{summary}]",
                                flush=True,
                            )
                        medians.append(
                            Query(
                                papers=count,
                                search=search,
                                case=case + (f" ({tag})" if tag else ""),
                                term=term,
                                seconds=round(statistics.median(r[0] for r in runs), 3),
                                results=runs[0][1],
                                total_kb=round(statistics.median(r[2] for r in runs)),
                                search_kb=round(statistics.median(r[3] for r in runs)),
                                search_gzip_kb=round(statistics.median(r[4] for r in runs)),
                            )
                        )
            browser.close()
    return indexes, medians


def tables(indexes: list[Index], medians: list[Query]) -> str:
    """Return the figures as two Markdown tables."""
    lines = [
        "| papers | search | index | files | build (s) | indexing (s, CPU s, peak MB) |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for index in indexes:
        indexing = (
            f"{index.index_seconds:.1f}, {index.index_cpu_seconds:.1f}, {index.index_peak_mb:.0f}"
            if index.index_seconds is not None
            else "(in the build)"
        )
        lines.append(
            f"| {index.papers:,} | {index.search} | {index.index_mb:.1f} MB | {index.files:,} "
            f"| {index.build_seconds:.0f} | {indexing} |"
        )
    lines += [
        "",
        "| papers | search | query | first result (s) | sent, all (KB) | search files (KB)"
        " | gzip (KB) | the search box said |",
        "|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for query in medians:
        lines.append(
            f"| {query.papers:,} | {query.search} | {query.case}: `{query.term}` "
            f"| {query.seconds:.2f} | {query.total_kb:,.0f} | {query.search_kb:,.0f} "
            f"| {query.search_gzip_kb:,.0f} | {query.results} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--large", action="store_true", help="add 100,000 papers (long)")
    parser.add_argument("--repeat", type=int, default=3, help="searches per query; the median")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    sizes = [*args.sizes, 100000] if args.large else args.sizes
    args.out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {sys.version.split()[0]}"
    )
    indexes, medians = run(sizes, args.out, args.repeat)
    print(tables(indexes, medians))
    (args.out / "search.json").write_text(
        json.dumps(
            {"indexes": [asdict(i) for i in indexes], "queries": [asdict(q) for q in medians]},
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
