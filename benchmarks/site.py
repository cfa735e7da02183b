"""Site scale benchmark: papershelf's generated site against a bare Material build.

For each size (default 1,000 and 10,000 papers) it writes a synthetic library with realistic
fields through papershelf's own writer, then builds, in the same run and on the same machine:

- **papershelf**: Material + search + the papershelf plugin reading that library (paper pages,
  tag/code/timeline/home pages, `.bib` downloads, meta tags);
- **bare**: Material + search with the same number of plain Markdown pages of similar text
  (title, authors, abstract, a BibTeX block), kept out of the navigation with `not_in_nav`;
- **static**: the very pages papershelf generates (paper, tag, code, timeline, home pages and
  `.bib` files) written to `docs/` and built without the plugin: the difference to
  **papershelf** is the plugin's own cost, the difference to **bare** that of richer pages.

Each build runs `mkdocs build` in its own subprocess; the table gives wall time, the ratio,
HTML bytes per paper page, the size of the search index, and the build's peak memory (maximum
resident set size of that subprocess).

CPU time counts the processes a build forks (papershelf's workers); peak memory is the build
process's own, and the largest forked worker's is given beside it.

Run: `python benchmarks/site.py [--sizes 1000 10000] [--kinds papershelf] [--out DIR]`;
`python benchmarks/site.py --publish [--sizes 10000 100000]` times instead what leaving the
private and papershelf's own fields out of pages and downloads costs (`publishing`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from papershelf import (
    BibEntry,
    DateOrigin,
    Link,
    LinkKind,
    Paper,
    Source,
    build_site,
    default_taxonomy,
    merge_into_library,
    read_library,
)
from papershelf.bib.fields import OWN_FIELDS, PRIVATE_FIELDS
from papershelf.bib.publish import published_text
from papershelf.site.urls import not_in_nav_patterns

WORDS = [
    "model",
    "learning",
    "language",
    "diffusion",
    "video",
    "reasoning",
    "agent",
    "benchmark",
    "dataset",
    "training",
    "inference",
    "scaling",
    "attention",
    "transformer",
    "retrieval",
    "multimodal",
    "vision",
    "alignment",
    "reward",
    "policy",
    "token",
    "context",
    "memory",
    "efficient",
    "sparse",
    "expert",
    "graph",
    "robot",
    "planning",
    "evaluation",
    "synthesis",
    "generation",
    "representation",
    "contrastive",
    "latent",
    "prior",
    "optimization",
    "offline",
    "online",
    "spatial",
    "temporal",
    "audio",
    "speech",
    "code",
    "program",
    "mathematical",
    "proof",
    "search",
    "tree",
]
FIRST = [
    "Zesen",
    "Hang",
    "Wei",
    "Li",
    "Maria",
    "Ahmed",
    "Yuki",
    "Olga",
    "Pierre",
    "Chen",
    "Sara",
    "Ivan",
    "Ana",
    "Jun",
    "Tom",
]
LAST = [
    "Cheng",
    "Zhang",
    "Wang",
    "Garcia",
    "Kim",
    "Novak",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Silva",
    "Ivanova",
    "Smith",
]

RUNNER = textwrap.dedent(
    """\
    import resource, sys
    from mkdocs.__main__ import cli
    try:
        cli(["build", "--quiet", "-f", sys.argv[1], "--site-dir", sys.argv[2]])
    except SystemExit as stop:
        code = stop.code or 0
    else:
        code = 0
    own = resource.getrusage(resource.RUSAGE_SELF)
    # Processes the build forked (papershelf's workers, `parallel.py`) and waited for.
    forked = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        own.ru_maxrss,
        own.ru_utime + own.ru_stime + forked.ru_utime + forked.ru_stime,
        forked.ru_maxrss,
        file=sys.stderr,
    )
    sys.exit(code)
    """
)
"""Runs one build in a fresh interpreter; its last line is its peak RSS (KiB), the CPU seconds
of it and of every process it forked, and the largest peak RSS (KiB) of those processes."""


@dataclass(frozen=True, slots=True)
class Build:
    """The measurements of one `mkdocs build`."""

    kind: str
    papers: int
    seconds: float
    cpu_seconds: float
    """CPU time of the build and of the processes it forked."""
    peak_mib: float
    """Peak resident memory of the build process."""
    forked_peak_mib: float
    """The largest peak resident memory of a process the build forked; 0 when none."""
    page_bytes: float
    search_index_mib: float
    site_mib: float


def sentence(rng: random.Random, low: int, high: int) -> str:
    """Return a pseudo-English sentence of `low`..`high` words."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize()


def synthetic_papers(count: int, seed: int = 7) -> list[Paper]:
    """Return `count` distinct papers with the fields a Hugging Face digest gives."""
    rng = random.Random(seed)
    tag_ids = sorted(default_taxonomy().tags)
    start = dt.date(2023, 1, 1)
    papers = []
    for index in range(count):
        date = start + dt.timedelta(days=rng.randrange(1000))
        arxiv_id = f"{date:%y%m}.{10000 + index:05d}"
        links = [Link(f"https://github.com/lab{index % 97}/repo{index}", LinkKind.CODE)]
        if index % 3 == 0:
            links.append(Link(f"https://project{index}.github.io/", LinkKind.PROJECT))
        authors = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(2, 9)))
        abstract = " ".join(sentence(rng, 12, 28) + "." for _ in range(rng.randint(5, 9)))
        papers.append(
            Paper(
                title=f"{sentence(rng, 5, 11)} {index}",
                abstract=abstract,
                source=Source("synthetic.txt", line=index + 1),
                date=date,
                date_origin=DateOrigin.GIVEN,
                authors=authors,
                arxiv_id=arxiv_id,
                upvotes=rng.randint(0, 300),
                comments=rng.randint(0, 20),
                counts_date=dt.date(2025, 10, 30),
                links=tuple(links),
                tags=tuple(sorted(rng.sample(tag_ids, rng.randint(1, 3)))),
            )
        )
    return papers


SITE = {
    "site_name": "bench",
    "theme": {"name": "material", "features": ["content.code.copy"]},
    "markdown_extensions": [
        "attr_list",
        "md_in_html",
        "pymdownx.highlight",
        "pymdownx.superfences",
        {"toc": {"permalink": True}},
    ],
}


def write_papershelf_site(root: Path, library: str) -> Path:
    """Write a plugin site reading `library`; return its mkdocs.yml."""
    (root / "docs").mkdir(parents=True)
    (root / "papers.bib").write_text(library, encoding="utf-8")
    # Material's search, as the bare and static sites have it (Pagefind is the plugin's default).
    options = {"bib": ["papers.bib"], "search": "material"}
    config = {**SITE, "plugins": ["search", {"papershelf": options}]}
    return _write_config(root, config)


def write_bare_site(root: Path, papers: list[Paper], library: str) -> Path:
    """Write plain pages of similar text, out of the nav; return its mkdocs.yml."""
    docs = root / "docs" / "papers"
    docs.mkdir(parents=True)
    blocks = library.split("\n@")
    (root / "docs" / "index.md").write_text("# Papers\n", encoding="utf-8")
    for index, (paper, block) in enumerate(zip(papers, blocks, strict=False)):
        bibtex = block if block.startswith("@") else "@" + block
        text = (
            f"# {paper.title}\n\n{', '.join(paper.authors)}\n\n## Abstract\n\n{paper.abstract}\n\n"
            f"## BibTeX\n\n```bibtex\n{bibtex.strip()}\n```\n"
        )
        (docs / f"p{index}.md").write_text(text, encoding="utf-8")
    config = {**SITE, "plugins": ["search"], "not_in_nav": "/papers/"}
    return _write_config(root, config)


def write_static_site(root: Path, library: str) -> Path:
    """Write papershelf's generated pages and downloads to disk; return its mkdocs.yml."""
    docs = root / "docs"
    entries = read_library(library, source="papers.bib")
    labels = {tag_id: tag.label for tag_id, tag in default_taxonomy().tags.items()}
    for file in build_site(entries, tag_labels=labels, library_texts=[library]):
        (docs / file.path).parent.mkdir(parents=True, exist_ok=True)
        (docs / file.path).write_text(file.content, encoding="utf-8")
    # The same navigation as the plugin gives: the overview pages in, everything else out.
    config = {**SITE, "plugins": ["search"], "not_in_nav": "\n".join(not_in_nav_patterns())}
    return _write_config(root, config)


def _write_config(root: Path, config: dict[str, object]) -> Path:
    path = root / "mkdocs.yml"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
    return path


def build(kind: str, papers: int, config_file: Path) -> Build:
    """Build a site in a subprocess and return its measurements."""
    site_dir = config_file.parent / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(config_file), str(site_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{kind} build of {papers} papers failed:\n{result.stderr}")
    peak_kib, cpu, forked_kib = result.stderr.strip().splitlines()[-1].split()
    pages = [path for path in (site_dir / "papers").glob("*/index.html")]
    page_bytes = sum(path.stat().st_size for path in pages) / max(len(pages), 1)
    index = site_dir / "search" / "search_index.json"
    total = sum(path.stat().st_size for path in site_dir.rglob("*") if path.is_file())
    return Build(
        kind=kind,
        papers=papers,
        seconds=round(seconds, 2),
        cpu_seconds=round(float(cpu), 2),
        peak_mib=round(int(peak_kib) / 1024, 1),
        forked_peak_mib=round(int(forked_kib) / 1024, 1),
        page_bytes=round(page_bytes),
        search_index_mib=round(index.stat().st_size / 2**20, 2),
        site_mib=round(total / 2**20, 1),
    )


KINDS = ("bare", "static", "papershelf")


def write_site(kind: str, root: Path, papers: list[Paper], library: str) -> Path:
    """Write the site of one kind (`KINDS`) into `root`; return its mkdocs.yml."""
    if kind == "bare":
        return write_bare_site(root, papers, library)
    if kind == "static":
        return write_static_site(root, library)
    return write_papershelf_site(root, library)


def run(sizes: list[int], out: Path, repeat: int, kinds: tuple[str, ...] = KINDS) -> list[Build]:
    """Build the sites at every size; return the fastest of `repeat` builds of each, in order.

    The builds alternate (bare, papershelf, bare, ...) so that load from other processes on the
    machine hits both alike; CPU time is the robust figure, wall time the one users feel.
    `kinds` picks the sites (bare, the anchor, always among them).
    """
    results: list[Build] = []
    for count in sizes:
        papers = synthetic_papers(count)
        library = merge_into_library("", papers, source="synthetic.bib").text
        root = out / f"site-{count}"
        if root.exists():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        configs = {
            kind: write_site(kind, root / kind, papers, library)
            for kind in KINDS
            if kind == "bare" or kind in kinds
        }
        best: dict[str, Build] = {}
        for _ in range(repeat):
            for kind, config in configs.items():
                done = build(kind, count, config)
                print(
                    f"  {kind:<10} {count:>6} papers: {done.seconds:7.1f} s wall, "
                    f"{done.cpu_seconds:7.1f} s CPU",
                    flush=True,
                )
                if kind not in best or done.cpu_seconds < best[kind].cpu_seconds:
                    best[kind] = done
        results.extend(best.values())
    return results


def table(results: list[Build]) -> str:
    """Return the results as a Markdown table with each site's CPU time relative to bare."""
    lines = [
        "| papers | site | CPU (s) | ratio | wall (s) | HTML per paper page (KB) "
        "| search index (MB) | site (MB) | peak memory (MB) | memory ratio "
        "| largest forked worker (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare = {r.papers: r for r in results if r.kind == "bare"}
    for r in results:
        anchor = bare[r.papers]
        ratio = f"{r.cpu_seconds / anchor.cpu_seconds:.2f}x" if r.kind != "bare" else ""
        memory = f"{r.peak_mib / anchor.peak_mib:.2f}x" if r.kind != "bare" else ""
        lines.append(
            f"| {r.papers:,} | {r.kind} | {r.cpu_seconds:.1f} | {ratio} | {r.seconds:.1f} "
            f"| {r.page_bytes / 1000:.1f} | {r.search_index_mib:.1f} | {r.site_mib:.0f} "
            f"| {r.peak_mib:.0f} | {memory} | {r.forked_peak_mib:.0f} |"
        )
    return "\n".join(lines)


# --- publishing: what leaving fields out costs (`--publish`) ------------------------------------

PRIVATE = frozenset(PRIVATE_FIELDS)
SHOWN = PRIVATE | frozenset(OWN_FIELDS)
_ENTRY_END = re.compile(r"\n}\n")
BOOKKEEPING = (
    "  file         = {:/home/me/Zotero/storage/ABCD1234/paper.pdf:PDF},\n"
    "  owner        = {me},\n"
    "  timestamp    = {2025-10-30},\n"
    "  groups       = {reading},\n"
)


def with_bookkeeping(library: str) -> str:
    """Return the library with JabRef/Zotero bookkeeping fields in every entry, and its meta."""
    text = _ENTRY_END.sub(lambda _: ",\n" + BOOKKEEPING.rstrip(",\n") + "\n}\n", library)
    return text + "\n@Comment{jabref-meta: databaseType:bibtex;}\n"


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """Return the fastest of `repeat` runs of `work`, in seconds (process CPU time)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def publish_each(entries: list[BibEntry], exclude: frozenset[str]) -> list[str]:
    """Return each entry's text without the fields, as the pages and downloads make it."""
    return [published_text(e.bibtex, exclude, present=e.field_names) for e in entries]


def publishing(sizes: list[int], repeat: int) -> str:
    """Return the table of what leaving fields out costs, `read_library` as the anchor.

    For each size, the synthetic library as papershelf writes it and with JabRef/Zotero
    bookkeeping (`file`, `owner`, `timestamp`, `groups`) in every entry: each entry's BibTeX
    block without the private and papershelf's own fields (every entry of ours has own fields,
    so every one is scanned), each one-entry download and the whole-library download without
    the private fields (and JabRef's metadata). CPU seconds, the fastest of `repeat` runs.
    """
    lines = [
        "| papers | library | read (anchor) | shown blocks | downloads | library download |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for count in sizes:
        ours = merge_into_library("", synthetic_papers(count), source="synthetic.bib").text
        for name, text in (("papershelf's", ours), ("with bookkeeping", with_bookkeeping(ours))):
            entries = read_library(text, source="synthetic.bib")
            assert len(entries) == count
            read = best_of(repeat, lambda text=text: read_library(text, source="x.bib"))
            # As the site calls it: with the field names the reader found.
            shown = best_of(repeat, lambda entries=entries: publish_each(entries, SHOWN))
            downloads = best_of(repeat, lambda entries=entries: publish_each(entries, PRIVATE))
            whole = best_of(
                repeat, lambda text=text: published_text(text, PRIVATE, jabref_meta=True)
            )
            lines.append(
                f"| {count:,} | {name} | {read:.2f} s | {shown:.2f} s | {downloads:.2f} s "
                f"| {whole:.2f} s |"
            )
            print(lines[-1], flush=True)
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--repeat", type=int, default=1, help="builds per site; the fastest counts")
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        help="sites to build besides bare, the anchor, which always runs",
    )
    parser.add_argument(
        "--publish", action="store_true", help="time leaving fields out instead of building"
    )
    args = parser.parse_args()
    if args.publish:
        print(f"{platform.machine()}, Python {platform.python_version()}, CPU seconds")
        print(publishing(args.sizes, max(args.repeat, 3)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(args.sizes, args.out, args.repeat, tuple(args.kinds))
    print(table(results))
    (args.out / "site.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
