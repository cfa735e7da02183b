"""Shared fixtures: sample paths and the tool requirement switch.

Tests that need an external tool (pdflatex, bibtex, biber, chromium) call `require_tool`. On a
developer machine without the tool they skip with the reason; with `PAPERSHELF_REQUIRE_TOOLS=1`
(set by `.ci/run`) a missing tool fails the test instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_DIGEST = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"


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
    """Keep each test's library indexes out of the user's cache folder and out of other tests."""
    monkeypatch.setenv("PAPERSHELF_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
