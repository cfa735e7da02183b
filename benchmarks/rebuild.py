"""Rebuild benchmark: how long `mkdocs serve` takes to show an edit, with the anchors beside it.

On the synthetic library of `benchmarks/site.py` (default 10,000 papers) it starts the real
`mkdocs serve` in a subprocess on 127.0.0.1, waits for its first build, and then, for each case,
changes a file and takes the time from the change to the reload signal the browsers get (the
answer of the server's `/livereload/<epoch>/...` long poll: MkDocs sends it once the rebuilt site
is on disk). After each reload it fetches the changed page and checks that the change is there.

- **note edit**: one line appended to the notes of a paper page on disk (`docs/papers/<key>.md`);
- **new digest**: 50 new papers merged into the library (what `papershelf convert` writes), the
  library replaced by a rename; the new papers' pages must appear.

Each case runs under `mkdocs serve --dirty` (papershelf keeps what did not change) and, with
`--anchors`, under plain `mkdocs serve` (every rebuild a full build) and a plain `mkdocs build`
of the same site, and Pagefind's indexer alone over that built site. The serve process's CPU
use while idle (its file poller) is measured over 10 s.

Run: `python benchmarks/rebuild.py [--papers 10000] [--repeat 3] [--anchors]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from papershelf import build_site, merge_into_library, read_library
from papershelf.site.paper_page import NOTES_END
from site_module import load_site_benchmark

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
NEW_PAPERS = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout: float = 600) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return str(answer.read().decode("utf-8"))


def _cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds of a process and its children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """A `mkdocs serve` subprocess on a free port of 127.0.0.1."""

    def __init__(self, config_file: Path, *, dirty: bool, log: Path) -> None:
        self.port = _free_port()
        command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config_file)]
        command += ["-a", f"127.0.0.1:{self.port}", *(["--dirty"] if dirty else [])]
        self.log = log.open("w", encoding="utf-8")
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=ENV)
        self.epoch = self._wait_for_first_build()
        self.first_build = time.perf_counter() - started

    def _wait_for_first_build(self) -> int:
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"mkdocs serve stopped; see {self.log.name}")
            try:
                page = _get(f"http://127.0.0.1:{self.port}/", timeout=5)
            except OSError:
                time.sleep(0.5)
                continue
            found = re.search(r"livereload\((\d+),", page)
            assert found, "the served page carries no livereload script"
            return int(found[1])

    def page(self, path: str) -> str:
        """Return a page of the served site."""
        return _get(f"http://127.0.0.1:{self.port}/{path}")

    def time_change(self, change: object) -> float:
        """Make the change (a callable) and return the seconds until the browsers reload."""
        assert callable(change)
        started = time.perf_counter()
        change()
        while True:
            answer = int(_get(f"http://127.0.0.1:{self.port}/livereload/{self.epoch}/1"))
            if answer > self.epoch:
                self.epoch = answer
                return time.perf_counter() - started

    def idle_cpu(self, seconds: float = 10.0) -> float:
        """Return the share of one core the server uses while nothing changes."""
        before = _cpu_seconds(self.process.pid)
        time.sleep(seconds)
        return (_cpu_seconds(self.process.pid) - before) / seconds

    def stop(self) -> None:
        """Stop the server (Ctrl-C, as a person would)."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _replace(path: Path, text: str) -> None:
    """Write a file as `papershelf convert` does: a new file renamed over the old."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def run_serve(root: Path, library: str, new_papers: list, *, dirty: bool, repeat: int) -> None:
    """Start `mkdocs serve` over the site in `root` and time each case `repeat` times."""
    config = root / "mkdocs.yml"
    bib = root / "papers.bib"
    _replace(bib, library)
    key = re.search(r"@misc\{(\w+),", library)
    assert key is not None
    page = root / "docs" / "papers" / f"{key[1]}.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    # The page as `papershelf pages` writes it, which a person then annotates.
    entry = read_library(library[key.start() : library.index("\n}", key.start()) + 2], source="x")
    generated = build_site(entry, tag_labels={}, library_texts=[])
    page.write_text(generated[0].content, encoding="utf-8")
    label = "serve --dirty" if dirty else "serve"
    server = Server(config, dirty=dirty, log=root / f"serve-{'dirty' if dirty else 'clean'}.log")
    print(f"  {label}: first build {server.first_build:.1f} s", flush=True)
    try:
        for run in range(repeat):
            line = f"note {run} {time.time_ns()}"

            def edit_note(line: str = line) -> None:
                text = page.read_text(encoding="utf-8")
                page.write_text(text.replace(NOTES_END, f"{line}\n{NOTES_END}"), encoding="utf-8")

            seconds = server.time_change(edit_note)
            shown = line in server.page(f"papers/{key[1]}/")
            print(
                f"  {label}: note edit -> reload {seconds:.2f} s (edit shown: {shown})", flush=True
            )
            batch = new_papers[run * NEW_PAPERS : (run + 1) * NEW_PAPERS]
            grown = merge_into_library(library, batch, source="synthetic.bib")
            new_key = grown.added[0] if grown.added else ""
            seconds = server.time_change(lambda text=grown.text: _replace(bib, text))
            library = grown.text
            shown = "<h1" in server.page(f"papers/{new_key}/")
            print(
                f"  {label}: {len(batch)}-paper digest -> reload {seconds:.2f} s "
                f"(new page shown: {shown})",
                flush=True,
            )
        print(f"  {label}: idle CPU {server.idle_cpu():.1%} of a core", flush=True)
    finally:
        server.stop()


def run_build(root: Path) -> Path:
    """Build the site once with `mkdocs build`; print its time; return the site folder."""
    site_dir = root / "site-full"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(root / "mkdocs.yml"),
            "-d",
            str(site_dir),
        ],
        check=True,
        env=ENV,
    )
    print(f"  build: full build {time.perf_counter() - started:.1f} s", flush=True)
    return site_dir


def run_indexer(site_dir: Path) -> None:
    """Time Pagefind's indexer alone over a built site."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site_dir)],
        check=True,
        env=ENV,
        capture_output=True,
    )
    print(f"  pagefind: indexing alone {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    """Write the synthetic site and run the cases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="edits and digests per server")
    parser.add_argument("--anchors", action="store_true", help="also plain serve and build")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    bench = load_site_benchmark()
    papers = bench.synthetic_papers(args.papers + NEW_PAPERS * args.repeat)
    first, new_papers = papers[: args.papers], papers[args.papers :]
    library = merge_into_library("", first, source="synthetic.bib").text
    root = args.out / f"rebuild-{args.papers}"
    shutil.rmtree(root, ignore_errors=True)
    bench.write_papershelf_site(root, library)
    print(
        f"{args.papers:,} papers; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}", flush=True
    )
    run_serve(root, library, new_papers, dirty=True, repeat=args.repeat)
    if args.anchors:
        run_serve(root, library, new_papers, dirty=False, repeat=1)
        _replace(root / "papers.bib", library)
        run_indexer(run_build(root))
    print(f"load at the end {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
