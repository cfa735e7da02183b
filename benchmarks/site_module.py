"""`benchmarks/site.py` as a module for the other benchmarks (its name shadows Python's `site`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_site_benchmark() -> ModuleType:
    """Return `benchmarks/site.py` (synthetic papers, site writers) loaded from its path."""
    spec = importlib.util.spec_from_file_location(
        "site_benchmark", Path(__file__).with_name("site.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
