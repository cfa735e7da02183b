"""The public API: what `papershelf` names, that each name resolves, and that importing is cheap."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import papershelf

PUBLIC = [
    "AnnounceType",
    "BibEntry",
    "ConvertReport",
    "DateOrigin",
    "BusyError",
    "DigestError",
    "DigestReader",
    "FileKind",
    "GeneratedFile",
    "InputError",
    "LibraryError",
    "Link",
    "LinkKind",
    "MergeResult",
    "NotMerged",
    "OutputError",
    "Paper",
    "PageError",
    "PapershelfError",
    "Problem",
    "SiteOptions",
    "Source",
    "TaxonomyError",
    "Taxonomy",
    "UsageError",
    "WriteError",
    "build_site",
    "combine_papers",
    "convert_digests",
    "default_taxonomy",
    "detect_format",
    "merge_into_library",
    "parse_digest",
    "read_libraries",
    "read_library",
    "tag_papers",
    "taxonomy_for",
]
"""The surface, pinned: a name added or removed here is a change users see (CHANGELOG)."""


def test_the_public_names_are_pinned() -> None:
    assert sorted(papershelf.__all__) == sorted(PUBLIC)
    assert papershelf.__all__ == sorted(papershelf.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_name_resolves_to_the_object_of_its_module(name: str) -> None:
    value = getattr(papershelf, name)
    home = importlib.import_module(value.__module__)
    assert getattr(home, name) is value
    assert name in dir(papershelf)


def test_star_import_gives_exactly_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from papershelf import *", namespace)
    assert sorted(name for name in namespace if name != "__builtins__") == sorted(PUBLIC)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'papershelf' has no attribute 'render'"):
        _ = papershelf.render  # type: ignore[attr-defined]


HEAVY = ("bibtexparser", "yaml", "pylatexenc", "tqdm", "papershelf.bib", "papershelf.site.build")
"""Modules of the stages that neither `import papershelf` nor `papershelf --help` needs."""
HELP = """
from papershelf.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
"""


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import papershelf", id="import-papershelf"),
        pytest.param(HELP, id="papershelf-help"),
        pytest.param("from papershelf import Paper, BibEntry, SiteOptions", id="records-alone"),
    ],
)
def test_importing_loads_no_stage_it_does_not_use(code: str) -> None:
    # A fresh interpreter: this one has imported everything already.
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    modules = set(result.stderr.split())
    assert "papershelf" in modules
    assert {name for name in modules if name.startswith(HEAVY)} == set()
