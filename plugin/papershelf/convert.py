"""The convert job: digests -> records -> tags -> one library file (and its pages).

This is the application layer shared by the CLI and the MkDocs plugin's `digests:` option. It
composes the pure stages and does its file I/O through `papershelf.files`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from papershelf.bib.index import LibraryIndex, dump_index, load_index
from papershelf.bib.merge import merge_into_library
from papershelf.bib.read import read_library
from papershelf.combine import combine_papers
from papershelf.dates import date_from_filename
from papershelf.digests import DigestFormat, parse_digest
from papershelf.errors import DigestError, InputError, LibraryError, Problem
from papershelf.files import (
    atomic_write,
    atomic_write_all,
    cache_file,
    decode_digest,
    inside,
    prune_cache,
    read_digest,
)
from papershelf.model import Paper
from papershelf.site.paper_page import render_pages
from papershelf.site.urls import paper_page_path
from papershelf.tagging.taxonomy import Taxonomy, tag_papers, taxonomy_for

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
    cache_dir: Path | None = None,
) -> ConvertReport:
    """Convert digests into the library at `bib_path` and, with `pages_dir`, refresh its pages.

    Every input is read and checked before anything is written; on any error nothing is written.
    With `cache_dir`, the library's index is kept there, so the next run into an unchanged
    library skips parsing it (see `papershelf.bib.index`).
    """
    with _collector_paused():
        return _convert(
            paths,
            bib_path,
            digest_date=digest_date,
            fmt=fmt,
            taxonomy=load_taxonomy(tags_file, replace=replace_tags),
            pages_dir=pages_dir,
            dry_run=dry_run,
            progress=progress,
            cache_dir=cache_dir,
        )


def _convert(
    paths: Sequence[Path],
    bib_path: Path,
    *,
    digest_date: dt.date | None,
    fmt: DigestFormat | None,
    taxonomy: Taxonomy,
    pages_dir: Path | None,
    dry_run: bool,
    progress: Progress,
    cache_dir: Path | None,
) -> ConvertReport:
    papers = read_papers(paths, digest_date=digest_date, fmt=fmt, progress=progress)
    tagged = tag_papers(
        papers, taxonomy, watch=lambda share: progress(share, len(share), "tagging")
    )
    combined = combine_papers(tagged)
    existing = _read_library_text(bib_path)
    kept = cache_file(cache_dir, bib_path) if cache_dir is not None else None
    index = _load_kept_index(kept, existing) if kept is not None else None
    result = merge_into_library(existing, combined, source=str(bib_path), index=index)
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
    library = {bib_path: result.text} if result.text != existing else {}
    # The library and its pages are written together: if one cannot be written, none is.
    changed = atomic_write_all({**library, **pages})
    written = bib_path in changed
    if kept is not None and (written or index is None):
        _keep_index(kept, result.index, result.text)
    return replace(
        report,
        library_written=written,
        pages_written=tuple(str(path) for path in changed if path != bib_path),
    )


def build_pages(
    bib_paths: Sequence[Path], pages_dir: Path, *, tags_file: Path | None = None
) -> dict[Path, str]:
    """Return the paper pages of the libraries, keyed by the file each would be written to."""
    taxonomy = load_taxonomy(tags_file)
    pages: dict[Path, str] = {}
    with _collector_paused():
        for bib_path in bib_paths:
            text = _read_library_text(bib_path, must_exist=True)
            pages.update(_pages_for(text, bib_path, pages_dir, taxonomy))
    return pages


def write_pages(pages: dict[Path, str]) -> list[Path]:
    """Write the pages that changed; return their paths. If one cannot be written, none is."""
    return atomic_write_all(pages)


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


def _load_kept_index(kept: Path, text: str) -> LibraryIndex | None:
    """Return the index kept for exactly this library text, or None; mark it as used."""
    try:
        data = kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    index = load_index(data, text)
    if index is not None:
        with contextlib.suppress(OSError):
            os.utime(kept)  # `prune_cache` deletes the indexes no run has used for a while
    return index


def _keep_index(kept: Path, index: LibraryIndex, text: str) -> None:
    """Keep a library's index for the next run, and drop the long unused ones of others.

    A cache that cannot be written is no error.
    """
    with contextlib.suppress(OSError):
        atomic_write(kept, dump_index(index, text))
    prune_cache(kept.parent)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of one job.

    A job builds millions of objects and no reference cycles: the collector would walk them all
    several times, free nothing and cost a fifth of a 10,000-paper run. Reference counting still
    frees everything that is dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
