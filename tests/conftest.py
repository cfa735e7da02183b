"""Shared fixtures: sample paths, the interop libraries and the tool requirement switch.

Tests that need an external tool (pdflatex, bibtex, biber, chromium, jabref) call `require_tool`.
On a developer machine without the tool they skip with the reason; with
`PAPERSHELF_REQUIRE_TOOLS=1` (set by `.ci/run`) a missing tool fails the test instead, so CI can
never pass by skipping.

Every file a test reads lies inside the repository. Tests that read all interop libraries at once
read `tests/data/interop/*.bib`, plus the `.bib` files of an external corpus when
`PAPERSHELF_INTEROP_CORPUS` names a folder (`.ci/run` points it at the shared samples' interop
folder when that folder exists). A corpus folder that is missing or holds no `.bib` file is a
mistake, reported by a failing test in each such test, never skipped.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from papershelf import BibEntry, Source

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
INTEROP = DATA / "interop"
SAMPLE_DIGEST = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
CORPUS_VARIABLE = "PAPERSHELF_INTEROP_CORPUS"


def bib_entry(key: str, **fields: Any) -> BibEntry:
    """Return an entry with nothing but its key and the fields given, e.g. `title="X"`."""
    blank = BibEntry(
        key=key,
        entry_type="misc",
        title="",
        authors=(),
        author_count=None,
        organization=None,
        date=None,
        year=None,
        month=None,
        abstract="",
        tags=(),
        arxiv_id=None,
        url=None,
        doi=None,
        links=(),
        upvotes=None,
        comments=None,
        counts_date=None,
        bibtex=f"@misc{{{key},\n}}",
        source=Source("test.bib", 1),
    )
    return dataclasses.replace(blank, **fields)


@dataclass(frozen=True)
class InteropLibrary:
    """One `.bib` file for the tests that read every interop library.

    Attributes:
        path: The file, e.g. `tests/data/interop/arxiv_style_variants.bib`.
        problem: Why the external corpus gave no file, e.g. "... names no folder"; set only on
            the stand-in that makes each corpus-wide test fail with that message.
    """

    path: Path
    problem: str | None = None

    def read_text(self) -> str:
        """Return the file's text, or fail the test with the corpus problem."""
        if self.problem is not None:
            pytest.fail(self.problem, pytrace=False)
        return self.path.read_text(encoding="utf-8")


def interop_libraries() -> list[InteropLibrary]:
    """Return our interop fixtures, then the external corpus's `.bib` files, if one is named."""
    libraries = [InteropLibrary(path) for path in sorted(INTEROP.glob("*.bib"))]
    corpus = os.environ.get(CORPUS_VARIABLE, "")
    if not corpus:
        return libraries
    folder = Path(corpus)
    found = sorted(folder.glob("*.bib")) if folder.is_dir() else []
    if found:
        return libraries + [InteropLibrary(path) for path in found]
    what = "holds no .bib file" if folder.is_dir() else "names no folder"
    problem = (
        f"{CORPUS_VARIABLE}={corpus} {what}; point it at a folder of .bib files, or unset it"
        " to test only tests/data/interop"
    )
    return [*libraries, InteropLibrary(folder, problem)]


def interop_id(library: InteropLibrary) -> str:
    """Name a library in test ids: `ours/NAME.bib`, `corpus/NAME.bib`, or `corpus` if broken."""
    if library.problem is not None:
        return "corpus"
    if library.path.parent == INTEROP:
        return f"ours/{library.path.name}"
    return f"corpus/{library.path.name}"


def require_tool(name: str, path: str | None = None) -> str:
    """Return the tool's path, or skip (fail under PAPERSHELF_REQUIRE_TOOLS=1) when it is absent."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    missing(f"{name} is not installed; `.ci/run` installs it (see README)")


def missing(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it under PAPERSHELF_REQUIRE_TOOLS=1."""
    if os.environ.get("PAPERSHELF_REQUIRE_TOOLS") == "1":
        pytest.fail(f"PAPERSHELF_REQUIRE_TOOLS=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def sample_digest_text() -> str:
    """The bundled sample digest (a copy of the HF papers page of 2025-10-30)."""
    return SAMPLE_DIGEST.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep each test's library indexes out of the user's cache folder and out of other tests.

    And keep every test off the network: the CLI looks metadata up only in its cache unless a
    test points the sources at its own server on 127.0.0.1 and lifts PAPERSHELF_OFFLINE.
    """
    monkeypatch.setenv("PAPERSHELF_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("PAPERSHELF_OFFLINE", "1")
    monkeypatch.setenv("PAPERSHELF_ARXIV_API", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("PAPERSHELF_HF_API", "http://127.0.0.1:9/api")
