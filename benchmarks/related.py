"""Related-papers benchmark: `site.related.related_papers` at 1,000, 10,000 and 100,000 papers.

Each size runs in a fresh process, which prints its wall time and its peak memory (maximum
resident set size), so one size's heap does not weigh on the next. Papers are synthetic: a title
of 8 to 14 words and an abstract of 120 to 220 words drawn from a vocabulary of 200,000 words
with Zipf's law (the n-th most common word n times rarer than the first), which is how words
of real text are spread; the 60 most common stand in for words such as `model` and `results`.

Side by side, in the same process and on the same papers:

- **vectorise**: the TF-IDF matrix alone (`TfidfVectorizer.fit_transform`, same settings), the
  floor any TF-IDF neighbour search pays;
- **dense**: every pair scored at once and each row sorted (`matrix @ matrix.T` as a dense
  array, `argsort`), the obvious method, run only where its n x n array fits (10,000 papers:
  800 MB); with every word kept, as it would be without `SHARED_BY_AT_MOST`.

Run: `python benchmarks/related.py [--sizes 1000 10000 100000]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

from papershelf import BibEntry, read_library
from papershelf.site.related import RELATED_COUNT, SHARED_BY_AT_MOST, related_papers

VOCABULARY = 200_000
DENSE_UP_TO = 10_000


def synthetic_library(size: int, seed: int = 20251030) -> list[BibEntry]:
    """Return `size` papers whose words follow Zipf's law over `VOCABULARY` words."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    weights /= weights.sum()
    lengths = rng.integers(128, 235, size=size)
    words = rng.choice(VOCABULARY, size=int(lengths.sum()), p=weights)
    # Every field but the key, title and abstract as a library entry with just a title has it.
    template = read_library("@misc{template, title = {Template}}", source="synthetic.bib")[0]
    entries: list[BibEntry] = []
    start = 0
    for index, length in enumerate(lengths.tolist()):
        drawn = [f"w{word}" for word in words[start : start + length].tolist()]
        start += length
        cut = 8 + index % 7
        entries.append(
            dataclasses.replace(
                template,
                key=f"paper{index:06d}",
                title=" ".join(drawn[:cut]),
                abstract=" ".join(drawn[cut:]),
            )
        )
    return entries


def peak_mb() -> float:
    """Return this process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job(size: int) -> dict[str, object]:
    """Measure one size in this process; return the figures."""
    entries = synthetic_library(size)
    figures: dict[str, object] = {"papers": size, "memory_before_mb": round(peak_mb())}
    texts = [f"{entry.title}\n{entry.abstract}" for entry in entries]
    started = time.perf_counter()
    TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    figures["vectorise_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    related = related_papers(entries)
    figures["related_s"] = round(time.perf_counter() - started, 2)
    figures["related_peak_mb"] = round(peak_mb())
    counts = [len(others) for others in related.values()]
    figures["with_neighbours"] = len(related)
    figures["mean_neighbours"] = round(sum(counts) / max(len(counts), 1), 2)
    if size <= DENSE_UP_TO:
        started = time.perf_counter()
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
        scores = (matrix @ matrix.T).toarray()
        np.fill_diagonal(scores, -1.0)
        np.argsort(-scores, axis=1, kind="stable")[:, :RELATED_COUNT]
        figures["dense_s"] = round(time.perf_counter() - started, 2)
        figures["dense_peak_mb"] = round(peak_mb())
    return figures


def main() -> None:
    """Run each size in its own process and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.job:
        print(json.dumps(job(arguments.job)))
        return
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {python}")
    print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}")
    print(f"words in more than {SHARED_BY_AT_MOST} papers left out; {RELATED_COUNT} neighbours")
    print(
        "| papers | related | peak memory | vectorise only | dense, every word | "
        "dense peak | papers with neighbours |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in arguments.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--job", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        dense = f"{figures['dense_s']} s" if "dense_s" in figures else "not run"
        dense_peak = f"{figures['dense_peak_mb']} MB" if "dense_peak_mb" in figures else "-"
        print(
            f"| {size:,} | {figures['related_s']} s | {figures['related_peak_mb']} MB "
            f"(before: {figures['memory_before_mb']} MB) | {figures['vectorise_s']} s | {dense} "
            f"| {dense_peak} | {figures['with_neighbours']:,} "
            f"(mean {figures['mean_neighbours']}) |"
        )


if __name__ == "__main__":
    main()
