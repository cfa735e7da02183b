"""The code stays as pyproject.toml says: ruff-clean, ruff-formatted, mypy-strict on plugin/."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

CHECKS = [
    pytest.param(["ruff", "check", "plugin", "tests", "benchmarks"], id="ruff-check"),
    pytest.param(["ruff", "format", "--check", "plugin", "tests", "benchmarks"], id="ruff-format"),
    pytest.param(["mypy"], id="mypy-strict"),
]


@pytest.mark.parametrize("command", CHECKS)
def test_tool_passes(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


PACKAGE = ROOT / "plugin" / "papershelf"


@pytest.mark.parametrize(
    ("pattern", "home"),
    [
        pytest.param(r"(?:\\d|\[0-9\])\{4,5\}", "identity.py", id="arxiv-id-grammar"),
        pytest.param(r"(?i)[\"'](?:jan|january)[\"']", "dates.py", id="month-table"),
        pytest.param(r"[\"']projectpage[\"']", "bib/fields.py", id="link-fields"),
    ],
)
def test_one_place_for_each_fact(pattern: str, home: str) -> None:
    """The arXiv-id grammar, the month names and the link fields are written once."""
    found = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(pattern, path.read_text(encoding="utf-8"))
    )
    assert found == [home]
