"""The convert job: digests -> records -> tags -> one library file (and its pages).

This is the application layer shared by the CLI and the MkDocs plugin's `digests:` option. It
composes the pure stages and does its file I/O through `papershelf.files`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from papershelf.bib.library import merge_into_library
from papershelf.bib.read import read_library
from papershelf.dates import date_from_filename
from papershelf.errors import DigestError, InputError, LibraryError, Problem
from papershelf.files import atomic_write, decode_digest, inside, read_digest
from papershelf.merge import combine_papers
from papershelf.model import Paper
from papershelf.parse import DigestFormat, parse_digest
from papershelf.render_page import paper_page_path, render_pages
from papershelf.taxonomy import Taxonomy, tag_papers, taxonomy_for

T = TypeVar("T")


class Progress(Protocol):
    """Wraps an iterable to show progress; returns the same items."""

    def __call__(self, items: Iterable[T], total: int, description: str) -> Iterable[T]: ...


def no_progress(items: Iterable[T], total: int, description: str) -> Iterable[T]:
    """Return the items untouched: the default when nobody is watching."""
    return items


@dataclass(frozen=True, slots=True)
class ConvertReport:
    """What a convert run did (or, with `dry_run`, would do)."""

    bib_path: Path
    """The library file, e.g. `bib/papers.bib`."""
    papers: int
    """Distinct papers read from the digests, e.g. `42`."""
    added: tuple[str, ...] = ()
    """Keys of new entries, e.g. `("cheng2024breaking",)`."""
    updated: tuple[str, ...] = ()
    """Keys of known entries whose papershelf fields changed."""
    unchanged: tuple[str, ...] = ()
    """Keys of known entries that needed no change."""
    library_written: bool = False
    """Whether the library file changed on disk."""
    pages_written: tuple[str, ...] = field(default=())
    """Paths of the pages written, e.g. `("docs/papers/cheng2024breaking.md",)`."""


def load_taxonomy(tags_file: Path | None, *, replace: bool = False) -> Taxonomy:
    """Return the shipped vocabulary, extended (or replaced) by the user's YAML file."""
    if tags_file is None:
        return taxonomy_for(None)
    try:
        text = tags_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(str(tags_file), None, f"cannot read the tag file: {error}")
        raise InputError([problem]) from error
    return taxonomy_for(text, source=str(tags_file), replace=replace)


def read_papers(
    paths: Sequence[Path],
    *,
    digest_date: dt.date | None = None,
    fmt: DigestFormat | None = None,
    progress: Progress = no_progress,
) -> list[Paper]:
    """Return every paper of the digests, in order; raise one `DigestError` with all problems."""
    papers: list[Paper] = []
    problems: list[Problem] = []
    for path in progress(paths, len(paths), "reading digests"):
        name = str(path)
        try:
            text = read_digest(path, name=name)
            date = digest_date or date_from_filename(path.name)
            papers.extend(parse_digest(text, source=name, digest_date=date, fmt=fmt))
        except DigestError as error:
            problems.extend(error.problems)
    if problems:
        raise DigestError(problems)
    return papers


def convert_digests(
    paths: Sequence[Path],
    bib_path: Path,
    *,
    digest_date: dt.date | None = None,
    fmt: DigestFormat | None = None,
    tags_file: Path | None = None,
    replace_tags: bool = False,
    pages_dir: Path | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ConvertReport:
    """Convert digests into the library at `bib_path` and, with `pages_dir`, refresh its pages.

    Every input is read and checked before anything is written; on any error nothing is written.
    """
    taxonomy = load_taxonomy(tags_file, replace=replace_tags)
    papers = read_papers(paths, digest_date=digest_date, fmt=fmt, progress=progress)
    tagged = tag_papers(progress(papers, len(papers), "tagging"), taxonomy)
    combined = combine_papers(tagged)
    existing = _read_library_text(bib_path)
    result = merge_into_library(existing, combined, source=str(bib_path))
    report = ConvertReport(
        bib_path=bib_path,
        papers=len(combined),
        added=result.added,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    if dry_run:
        return report
    # Render before writing anything: a page that fails to render leaves the library untouched.
    pages = _pages_for(result.text, bib_path, pages_dir, taxonomy) if pages_dir else {}
    written = result.text != existing and atomic_write(bib_path, result.text)
    return replace(
        report,
        library_written=written,
        pages_written=tuple(str(path) for path in write_pages(pages)),
    )


def build_pages(
    bib_paths: Sequence[Path], pages_dir: Path, *, tags_file: Path | None = None
) -> dict[Path, str]:
    """Return the paper pages of the libraries, keyed by the file each would be written to."""
    taxonomy = load_taxonomy(tags_file)
    pages: dict[Path, str] = {}
    for bib_path in bib_paths:
        pages.update(
            _pages_for(_read_library_text(bib_path, must_exist=True), bib_path, pages_dir, taxonomy)
        )
    return pages


def write_pages(pages: dict[Path, str]) -> list[Path]:
    """Write the pages that changed; return their paths."""
    return [path for path, text in pages.items() if atomic_write(path, text)]


def _pages_for(
    library_text: str, bib_path: Path, pages_dir: Path, taxonomy: Taxonomy
) -> dict[Path, str]:
    """Render every entry of a library as a page, keeping the notes of the pages on disk."""
    entries = read_library(library_text, source=str(bib_path))
    root = pages_dir.resolve()
    targets = {
        relative: inside(root, relative.removeprefix("papers/"))
        for relative in (paper_page_path(entry.key) for entry in entries)
    }
    existing = {
        relative: decode_digest(target.read_bytes(), name=str(target))
        for relative, target in targets.items()
        if target.exists()
    }
    labels = {tag_id: tag.label for tag_id, tag in taxonomy.tags.items()}
    rendered = render_pages(entries, existing, tag_labels=labels)
    return {targets[relative]: text for relative, text in rendered.items()}


def _read_library_text(bib_path: Path, *, must_exist: bool = False) -> str:
    """Return the library's text; a missing library is empty unless it must exist."""
    try:
        return decode_digest(bib_path.read_bytes(), name=str(bib_path))
    except FileNotFoundError:
        if must_exist:
            raise LibraryError(
                [Problem(str(bib_path), None, "no such library; run `papershelf convert` first")]
            ) from None
        return ""
    except DigestError as error:
        raise LibraryError(error.problems) from error
