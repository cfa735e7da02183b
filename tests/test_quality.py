"""The code stays as pyproject.toml says: ruff-clean, ruff-formatted, mypy-strict on plugin/."""

from __future__ import annotations

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
