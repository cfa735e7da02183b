"""papershelf: research-paper digests to a BibTeX library, Markdown pages and a static site.

The names in `__all__` are the public API: the records, each stage's entry point and the
errors. Import them from here (`from papershelf import read_library, build_site`); modules
below may move. Each name is imported when first used, so `import papershelf` (and
`papershelf --help`) does not load the parsers, bibtexparser or the renderers.

The stages, in order:

    parse_digest      digest text -> list[Paper]             (detect_format, DigestReader)
    tag_papers        papers + Taxonomy -> tagged papers     (default_taxonomy, taxonomy_for)
    combine_papers    the same paper seen twice in a run -> one
    merge_into_library  library text + papers -> MergeResult (the new text, what changed)
    read_library      .bib text -> list[BibEntry]            (read_libraries for several files)
    build_site        entries -> list[GeneratedFile]         (pages, listings, downloads)

`convert_digests` runs the first four on files, as `papershelf convert` does.
"""

from __future__ import annotations

import importlib

# Not `typing.TYPE_CHECKING`: importing `typing` would double the cost of `import papershelf`;
# type checkers read this name alike.
TYPE_CHECKING = False

__version__ = "0.1.0"

_HOMES = {
    # records
    "AnnounceType": "papershelf.model",
    "BibEntry": "papershelf.model",
    "DateOrigin": "papershelf.model",
    "Link": "papershelf.model",
    "LinkKind": "papershelf.model",
    "Paper": "papershelf.model",
    "Source": "papershelf.model",
    "FileKind": "papershelf.model",
    "GeneratedFile": "papershelf.model",
    "SiteOptions": "papershelf.model",
    # digests -> papers
    "DigestReader": "papershelf.digests",
    "detect_format": "papershelf.digests",
    "parse_digest": "papershelf.digests",
    # tagging
    "Taxonomy": "papershelf.tagging.taxonomy",
    "default_taxonomy": "papershelf.tagging.taxonomy",
    "tag_papers": "papershelf.tagging.taxonomy",
    "taxonomy_for": "papershelf.tagging.taxonomy",
    # combining and the library
    "combine_papers": "papershelf.combine",
    "MergeResult": "papershelf.bib.merge",
    "NotMerged": "papershelf.bib.merge",
    "merge_into_library": "papershelf.bib.merge",
    "read_libraries": "papershelf.bib.read",
    "read_library": "papershelf.bib.read",
    # the site
    "build_site": "papershelf.site.build",
    # the jobs of the command line
    "ConvertReport": "papershelf.convert",
    "convert_digests": "papershelf.convert",
    # errors
    "BusyError": "papershelf.errors",
    "DigestError": "papershelf.errors",
    "InputError": "papershelf.errors",
    "LibraryError": "papershelf.errors",
    "OutputError": "papershelf.errors",
    "PageError": "papershelf.errors",
    "PapershelfError": "papershelf.errors",
    "Problem": "papershelf.errors",
    "TaxonomyError": "papershelf.errors",
    "UsageError": "papershelf.errors",
    "WriteError": "papershelf.errors",
}

__all__ = [
    "AnnounceType",
    "BibEntry",
    "BusyError",
    "ConvertReport",
    "DateOrigin",
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
    "PageError",
    "Paper",
    "PapershelfError",
    "Problem",
    "SiteOptions",
    "Source",
    "Taxonomy",
    "TaxonomyError",
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

if TYPE_CHECKING:
    from typing import Any

    from papershelf.bib.merge import MergeResult, NotMerged, merge_into_library
    from papershelf.bib.read import read_libraries, read_library
    from papershelf.combine import combine_papers
    from papershelf.convert import ConvertReport, convert_digests
    from papershelf.digests import DigestReader, detect_format, parse_digest
    from papershelf.errors import (
        BusyError,
        DigestError,
        InputError,
        LibraryError,
        OutputError,
        PageError,
        PapershelfError,
        Problem,
        TaxonomyError,
        UsageError,
        WriteError,
    )
    from papershelf.model import (
        AnnounceType,
        BibEntry,
        DateOrigin,
        FileKind,
        GeneratedFile,
        Link,
        LinkKind,
        Paper,
        SiteOptions,
        Source,
    )
    from papershelf.site.build import build_site
    from papershelf.tagging.taxonomy import Taxonomy, default_taxonomy, tag_papers, taxonomy_for


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'papershelf' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
