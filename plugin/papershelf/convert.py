"""The jobs of the command line: digests -> records -> tags -> one library file (and its pages);
a library -> its paper pages (`build_pages`) or the whole site on disk (`plan_site`).

This is the application layer shared by the CLI and the MkDocs plugin's `digests:` option. It
composes the pure stages and does its file I/O through `papershelf.files`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from papershelf.bib.index import LibraryIndex, dump_index, load_index
from papershelf.bib.merge import MergeResult, NotMerged, merge_into_library
from papershelf.bib.read import read_libraries_and_warnings, read_library_and_warnings
from papershelf.bib.tex import DEFAULT_PROFILE, TexProfile
from papershelf.combine import combine_papers
from papershelf.dates import date_from_filename, false_date_in_filename
from papershelf.digests import parse_digest
from papershelf.enrich import EnrichResult, Lookup, enrich_papers
from papershelf.errors import (
    BusyError,
    DigestError,
    InputError,
    LibraryError,
    OutputError,
    PageError,
    PapershelfError,
    Problem,
)
from papershelf.files import (
    MAX_LIBRARY_BYTES,
    MAX_PAGE_BYTES,
    ChangedOnDisk,
    TextFile,
    atomic_write,
    atomic_write_all,
    cache_file,
    decode_text,
    inside,
    locked,
    prune_cache,
    read_digest,
    read_limited,
    real_path,
    remove_stale_temporaries,
    shown_path,
)
from papershelf.model import (
    LOCK_TIMEOUT_SECONDS,
    BibEntry,
    DateOrigin,
    FileKind,
    GeneratedFile,
    Paper,
    SiteOptions,
)
from papershelf.naming import CLI_NAMES, OptionNames
from papershelf.site.build import build_site
from papershelf.site.paper_page import render_pages
from papershelf.site.related import related_entries
from papershelf.site.urls import PAPERS_FOLDER, SITE_RECORD, check_page_paths, paper_page_path
from papershelf.tagging.taxonomy import Taxonomy, tag_papers, taxonomy_for

T = TypeVar("T")

MERGE_ATTEMPTS = 4
"""A library that another program changes under this many merges in a row stops the run."""


def quiet(message: str) -> None:
    """Drop a notice: the default when nobody is watching."""


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
    not_merged: tuple[NotMerged, ...] = ()
    """Papers added as new although an entry has their title: merging would contradict it."""
    library_written: bool = False
    """Whether the library file changed on disk."""
    pages_written: tuple[str, ...] = field(default=())
    """Paths of the pages written, e.g. `("docs/papers/cheng2024breaking.md",)`."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them, e.g.
    `docs/papers/x.md:40: text outside the notes markers was moved into the notes ...`."""
    warnings: tuple[Problem, ...] = ()
    """What the check of the library warned about (`papershelf.bib.check`), e.g.
    `bib/papers.bib:12: entry 'x' has a `%` line inside it: ...`; none when the index kept of
    the library spared its parse (it was checked when it was written)."""
    enrichment: EnrichResult | None = None
    """What the metadata lookup filled in and left alone; None when there was no lookup."""


@dataclass(frozen=True, slots=True)
class PageFiles:
    """The paper pages of a run, keyed by the file each is written to, and what was kept."""

    files: dict[Path, str]
    """File -> page text as the file will hold it, e.g. `{Path("docs/papers/x.md"): "---\n..."}`."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them (see `render_pages`)."""
    read: dict[Path, bytes | None] = field(default_factory=dict)
    """The SHA-256 of each page on disk as read; None for a page not yet on disk. A page is
    replaced only while it still holds that (`files.atomic_write_all`)."""
    warnings: tuple[Problem, ...] = ()
    """What the check of the libraries warned about (`papershelf.bib.check`)."""


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
    fmt: str | None = None,
    progress: Progress = no_progress,
    names: OptionNames = CLI_NAMES,
) -> list[Paper]:
    """Return every paper of the digests, in order; raise one `DigestError` with all problems.

    `names` spells the options a problem's fix names (`--date` or the plugin's `digest_date`).
    """
    papers: list[Paper] = []
    problems: list[Problem] = []
    for path in progress(paths, len(paths), "reading digests"):
        name = str(path)
        try:
            text = read_digest(path, name=name)
            date = digest_date or _date_of_file(name, names)
            found = parse_digest(text, source=name, digest_date=date, fmt=fmt, names=names)
            problems.extend(_lone_surrogates(found))
            papers.extend(found)
        except DigestError as error:
            problems.extend(error.problems)
    if problems:
        raise DigestError(problems)
    return papers


def _date_of_file(name: str, names: OptionNames) -> dt.date | None:
    """Return the date in a digest's file name; a date that is no day is an error, not None."""
    date = date_from_filename(name)
    false = false_date_in_filename(name) if date is None else None
    if false is not None:
        raise DigestError(
            [
                Problem(
                    name,
                    None,
                    f"'{false}' in the file name is not a date; rename the file with the "
                    f"digest's real date, or {names.digest_date}",
                )
            ]
        )
    return date


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogates(papers: Sequence[Paper]) -> list[Problem]:
    """Return a problem for each paper holding half of a UTF-16 pair, which no file can store.

    Only JSON can carry one (`"\\ud800"` decodes to it); every reader's records are checked
    here, before anything is merged or written.
    """
    problems: list[Problem] = []
    for paper in papers:
        for name, value in _texts_of(paper):
            found = _SURROGATE.search(value)
            if found is not None:
                problems.append(
                    Problem(
                        paper.source.file,
                        paper.source.line,
                        f"the {name} holds \\u{ord(found[0]):04x}, half of a UTF-16 surrogate "
                        "pair, which is no character; fix or remove that escape in the digest",
                    )
                )
                break
    return problems


def _texts_of(paper: Paper) -> Iterator[tuple[str, str]]:
    for part in dataclasses.fields(paper):
        value = getattr(paper, part.name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            text = getattr(item, "url", item)
            if isinstance(text, str):
                yield part.name.replace("_", " "), text


def convert_digests(
    paths: Sequence[Path],
    bib_path: Path,
    *,
    digest_date: dt.date | None = None,
    fmt: str | None = None,
    tags_file: Path | None = None,
    replace_tags: bool = False,
    pages_dir: Path | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    notice: Callable[[str], None] = quiet,
    names: OptionNames = CLI_NAMES,
    wait_option: str | None = None,
    lookup: Lookup | None = None,
    tex: TexProfile = DEFAULT_PROFILE,
) -> ConvertReport:
    """Convert digests into the library at `bib_path` and, with `pages_dir`, refresh its pages.

    Every input is read and checked before anything is written; on any error nothing is written.
    With `cache_dir`, the library's index is kept there, so the next run into an unchanged
    library skips parsing it (see `papershelf.bib.index`). With `lookup`, papers without
    authors or arXiv id are filled in from the metadata sources (`papershelf.enrich`), before
    the library is locked.

    The library's lock is held from reading the library to writing it, so two runs into one
    library take turns (the later one waits up to `lock_timeout` seconds, with a `notice`). A
    program that does not take the lock (JabRef, an editor) may still save the library, or a
    page, meanwhile: a file is replaced only if it still holds what was read, and otherwise
    the run reads it again and merges again, up to `MERGE_ATTEMPTS` times. `names` spells the
    options a problem's fix names (the CLI's flags or the plugin's options), and `wait_option`
    the caller's setting of `lock_timeout`. `tex` is the TeX profile of the entries written
    (`papershelf.bib.tex`).

    Raises:
        BusyError: Another run held the lock too long, or the library kept changing.
    """
    with _collector_paused():
        papers = read_papers(
            paths, digest_date=digest_date, fmt=fmt, progress=progress, names=names
        )
        enrichment = None
        if lookup is not None:
            enrichment = enrich_papers(papers, lookup, progress=progress)
            papers = enrichment.papers
        taxonomy = load_taxonomy(tags_file, replace=replace_tags)
        tagged = tag_papers(
            papers, taxonomy, watch=lambda share: progress(share, len(share), "tagging")
        )
        combined = combine_papers(tagged)
        job = _Job(combined, bib_path, pages_dir, taxonomy, cache_dir, tex)
        if dry_run:
            return replace(job.merge(_read_library(bib_path))[0], enrichment=enrichment)
        with locked(bib_path, timeout=lock_timeout, notice=notice, wait_option=wait_option):
            job.tidy()
            return replace(_retried(job.run, bib_path, notice), enrichment=enrichment)


@dataclass(frozen=True, slots=True)
class _Job:
    """One convert run's merge and write, repeated if the library changes under it."""

    papers: Sequence[Paper]
    bib_path: Path
    pages_dir: Path | None
    taxonomy: Taxonomy
    cache_dir: Path | None
    tex: TexProfile

    def tidy(self) -> None:
        """Remove the temporary files killed runs left where this run writes."""
        folders = {real_path(self.bib_path).parent}
        if self.pages_dir is not None:
            folders.add(real_path(self.pages_dir))
        for folder in folders:
            remove_stale_temporaries(folder)

    def merge(
        self, library: TextFile | None
    ) -> tuple[ConvertReport, MergeResult, LibraryIndex | None]:
        """Return the report of merging this run's papers into the library's text."""
        existing = library.text if library is not None else ""
        kept = self._kept()
        index = _load_kept_index(kept, existing) if kept is not None else None
        result = merge_into_library(
            existing, self.papers, source=str(self.bib_path), index=index, tex=self.tex
        )
        report = ConvertReport(
            bib_path=self.bib_path,
            papers=len(self.papers),
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            not_merged=result.not_merged,
            warnings=result.warnings,
        )
        return report, result, index

    def run(self) -> ConvertReport:
        """Read the library, merge, and write the library and its pages; see `convert_digests`."""
        library = _read_library(self.bib_path)
        try:
            report, result, index = self.merge(library)
        except LibraryError:
            # Read while another program was writing it in place, the library may have been
            # caught half-written: if it holds something else now, read it again.
            if _digest_now(self.bib_path) != (library.sha256 if library else None):
                raise ChangedOnDisk(self.bib_path) from None
            raise
        existing = library.text if library is not None else ""
        # Render before writing anything: a page that fails to render leaves the library untouched.
        # The merge warned about the library as it was read; the pages' reading of what it
        # wrote would only repeat that.
        pages = (
            _library_pages(result.text, self.bib_path, self.pages_dir, self.taxonomy)
            if self.pages_dir
            else PageFiles({})
        )
        files: dict[Path, str] = {}
        if result.text != existing:
            files[self.bib_path] = library.written(result.text) if library else result.text
        files.update(pages.files)
        expected = {self.bib_path: library.sha256 if library else None, **pages.read}
        # The library and its pages are written together: if one cannot be written, none is.
        changed = atomic_write_all(files, expected=expected)
        written = self.bib_path in changed
        kept = self._kept()
        if kept is not None and (written or index is None):
            _keep_index(kept, result.index, result.text)
        return replace(
            report,
            library_written=written,
            pages_written=tuple(str(path) for path in changed if path != self.bib_path),
            notices=pages.notices,
        )

    def _kept(self) -> Path | None:
        return cache_file(self.cache_dir, self.bib_path) if self.cache_dir is not None else None


def _retried(run: Callable[[], T], library: Path, notice: Callable[[str], None]) -> T:
    """Return `run()`, run again while a file it would replace changed on disk meanwhile."""
    for attempt in itertools.count(1):
        try:
            return run()
        except ChangedOnDisk as change:
            if attempt == MERGE_ATTEMPTS:
                raise BusyError(
                    f"{change}.\n{shown_path(library)} or its pages changed on disk {attempt} "
                    "times while papershelf merged into them: another program keeps saving "
                    "them. Nothing of theirs was overwritten; run again when it is quiet",
                    written=change.written,
                ) from None
            notice(f"{change}; reading it again and merging again")
    raise AssertionError("unreachable")


def enrich_library(
    bib_path: Path,
    lookup: Lookup,
    *,
    dry_run: bool = False,
    progress: Progress = no_progress,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    notice: Callable[[str], None] = quiet,
    wait_option: str | None = None,
) -> ConvertReport:
    """Fill in the absent authors, arXiv ids and links of a library's entries from the sources.

    Any library works (a JabRef database, a Zotero export): only fields an entry lacks are
    filled, no entry is added, keys never change, and nothing else of the text moves. The
    lookups run without the library's lock (they take as long as the sources answer); the
    merge of what they found is read, merged and written under it, as `convert_digests` does,
    so a save made meanwhile is merged too.
    """
    library = _read_library(bib_path, must_exist=True)
    assert library is not None, "a library that must exist is read or refused"
    entries, warnings = read_library_and_warnings(library.text, source=str(bib_path))
    queries = [_query_paper(entry) for entry in entries if not entry.authors or not entry.arxiv_id]
    enrichment = enrich_papers(queries, lookup, progress=progress)
    filled = [
        paper for paper, query in zip(enrichment.papers, queries, strict=True) if paper is not query
    ]

    def merged(current: TextFile | None) -> tuple[ConvertReport, str, str]:
        existing = current.text if current is not None else ""
        result = merge_into_library(existing, filled, source=str(bib_path), fill_only=True)
        report = ConvertReport(
            bib_path=bib_path,
            papers=len(queries),
            updated=result.updated,
            unchanged=result.unchanged,
            warnings=warnings,
            enrichment=enrichment,
        )
        return report, existing, result.text

    if dry_run:
        return merged(library)[0]

    def run() -> ConvertReport:
        current = _read_library(bib_path, must_exist=True)
        report, existing, text = merged(current)
        if text == existing or current is None:
            return report
        files = {bib_path: current.written(text)}
        written = bib_path in atomic_write_all(files, expected={bib_path: current.sha256})
        return replace(report, library_written=written)

    with locked(bib_path, timeout=lock_timeout, notice=notice, wait_option=wait_option):
        remove_stale_temporaries(real_path(bib_path).parent)
        return _retried(run, bib_path, notice)


def _query_paper(entry: BibEntry) -> Paper:
    """Return what a library entry says about its paper, as a lookup needs it."""
    origin = entry.date_origin
    if origin is None:
        # A day given by the entry is evidence; a year and month alone are not precise enough.
        origin = DateOrigin.GIVEN if entry.day is not None else DateOrigin.DIGEST
    return Paper(
        title=entry.title,
        abstract=entry.abstract,
        source=entry.source,
        date=entry.date or dt.date(entry.year or 1, 1, 1),
        date_origin=origin,
        authors=entry.authors,
        author_count=entry.author_count,
        organization=entry.organization,
        arxiv_id=entry.arxiv_id,
    )


@dataclass(frozen=True, slots=True)
class PagesReport:
    """What `refresh_pages` did."""

    pages: int
    """Pages of the libraries' entries, e.g. `42`."""
    written: tuple[str, ...]
    """Paths of the pages that changed, e.g. `("docs/papers/cheng2024breaking.md",)`."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them (see `render_pages`)."""
    warnings: tuple[Problem, ...] = ()
    """What the check of the libraries warned about (`papershelf.bib.check`)."""


def refresh_pages(
    bib_paths: Sequence[Path],
    pages_dir: Path,
    *,
    tags_file: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    notice: Callable[[str], None] = quiet,
    wait_option: str | None = None,
) -> PagesReport:
    """Write the paper page of every entry of the libraries that changed, keeping their notes.

    The libraries' locks are held meanwhile, so a convert run never writes pages at the same
    time; a page saved by another program meanwhile is read again, as in `convert_digests`.
    """
    taxonomy = load_taxonomy(tags_file)
    with _collector_paused(), contextlib.ExitStack() as stack:
        _lock_libraries(stack, bib_paths, lock_timeout, notice, wait_option)
        remove_stale_temporaries(real_path(pages_dir))

        def run() -> PagesReport:
            pages = build_pages(bib_paths, pages_dir, taxonomy=taxonomy)
            written = write_pages(pages)
            return PagesReport(
                len(pages.files),
                tuple(str(path) for path in written),
                pages.notices,
                pages.warnings,
            )

        return _retried(run, bib_paths[0], notice)


def _lock_libraries(
    stack: contextlib.ExitStack,
    bib_paths: Sequence[Path],
    timeout: float,
    notice: Callable[[str], None],
    wait_option: str | None,
) -> None:
    """Take the lock of every library file for the length of `stack`."""
    # One lock per library file, taken in one order: two paths to one file (a link) would
    # wait for each other, and two runs taking locks in other orders could wait forever.
    libraries = {real_path(path): path for path in reversed(bib_paths)}
    for real in sorted(libraries):
        if real.parent.is_dir():  # a library in no folder is refused when read, under no lock
            stack.enter_context(
                locked(libraries[real], timeout=timeout, notice=notice, wait_option=wait_option)
            )


def build_pages(
    bib_paths: Sequence[Path],
    pages_dir: Path,
    *,
    tags_file: Path | None = None,
    taxonomy: Taxonomy | None = None,
) -> PageFiles:
    """Return the paper pages of the libraries, keyed by the file each would be written to.

    Each library is checked as `convert` and the plugin check it; the warnings come along. The
    related papers of each page are the nearest in all the libraries, as on the plugin's site.
    """
    chosen = taxonomy if taxonomy is not None else load_taxonomy(tags_file)
    files: dict[Path, str] = {}
    notices: list[Problem] = []
    warnings: list[Problem] = []
    read: dict[Path, bytes | None] = {}
    with _collector_paused():
        libraries = [
            read_library_and_warnings(_library_text(bib_path), source=str(bib_path))
            for bib_path in bib_paths
        ]
        related = related_entries([entry for entries, _ in libraries for entry in entries])
        for entries, library_warnings in libraries:
            pages = _pages_for(entries, library_warnings, pages_dir, chosen, related)
            files.update(pages.files)
            notices.extend(pages.notices)
            warnings.extend(pages.warnings)
            read.update(pages.read)
    return PageFiles(files, tuple(notices), read, tuple(warnings))


def write_pages(pages: PageFiles) -> list[Path]:
    """Write the pages that changed; return their paths. If one cannot be written, none is.

    Raises:
        ChangedOnDisk: A page holds something else than when it was read; it is left as it is.
    """
    return atomic_write_all(pages.files, expected=pages.read)


def _library_pages(
    library_text: str, bib_path: Path, pages_dir: Path, taxonomy: Taxonomy
) -> PageFiles:
    """Render every entry of one library as a page, its related papers from that library."""
    entries, warnings = read_library_and_warnings(library_text, source=str(bib_path))
    return _pages_for(entries, warnings, pages_dir, taxonomy, related_entries(entries))


def _pages_for(
    entries: Sequence[BibEntry],
    warnings: tuple[Problem, ...],
    pages_dir: Path,
    taxonomy: Taxonomy,
    related: Mapping[str, Sequence[BibEntry]],
) -> PageFiles:
    """Render every entry of a library as a page, keeping the notes of the pages on disk.

    Every page file is checked before any is read: one that is a link leading out of
    `pages_dir`, or a link to the page of another entry, stops the run (`OutputError`).
    """
    pages = _page_files(entries, pages_dir)
    on_disk = _current_pages(pages)
    rendered = render_pages(
        entries, _page_texts(on_disk), tag_labels=_labels(taxonomy), related=related
    )
    return PageFiles(
        {
            pages.shown[relative]: _as_written(on_disk.get(relative), text)
            for relative, text in rendered.pages.items()
        },
        pages.shown_notices(rendered.notices),
        _digests(pages, on_disk),
        warnings,
    )


@dataclass(frozen=True, slots=True)
class _PageTargets:
    """Where the page of each entry lies, by its docs path (`papers/x.md`)."""

    shown: Mapping[str, Path]
    """The file as the user names it, for messages, e.g. `docs/papers/x.md`; writes follow a
    link there to the file it names."""
    targets: Mapping[str, Path]
    """The file read and written, every link resolved, e.g. `/home/me/shelf/docs/papers/x.md`."""

    def shown_notices(self, notices: Iterable[Problem]) -> tuple[Problem, ...]:
        """Return the notices of `render_pages` (by docs path) naming the files as shown."""
        return tuple(replace(notice, file=str(self.shown[notice.file])) for notice in notices)


def _page_files(entries: Sequence[BibEntry], pages_dir: Path) -> _PageTargets:
    """Return the file of each entry's page in `pages_dir`, checked before any is read.

    Raises:
        LibraryError: Two keys would share a page (`check_page_paths`).
        OutputError: `pages_dir` is a file, or a page file is a link leading out of
            `pages_dir`, or a link to the page of another entry.
    """
    if pages_dir.exists() and not pages_dir.is_dir():
        raise OutputError(
            [Problem(str(pages_dir), None, "is a file, not a folder; give the pages folder")]
        )
    # Keys that would share a page are reported before any file is looked at.
    check_page_paths(entries)
    relatives = [paper_page_path(entry.key) for entry in entries]
    shown = {
        relative: pages_dir / relative.removeprefix(f"{PAPERS_FOLDER}/") for relative in relatives
    }
    targets = {relative: inside(pages_dir, path.name) for relative, path in shown.items()}
    _refuse_shared_files(targets, shown)
    return _PageTargets(shown, targets)


def _current_pages(pages: _PageTargets) -> dict[str, TextFile]:
    """Return each page that exists on disk as read, by its docs path."""
    found = {relative: _read_page(pages.shown[relative]) for relative in pages.targets}
    return {relative: page for relative, page in found.items() if page is not None}


def _page_texts(on_disk: Mapping[str, TextFile]) -> dict[str, str]:
    """Return the text of each page on disk with its own line ends (its notes keep them)."""
    return {
        relative: page.original if page.original is not None else page.text
        for relative, page in on_disk.items()
    }


def _as_written(page: TextFile | None, text: str) -> str:
    """Return a rendered page as its file holds it: with the BOM the page on disk had."""
    return "\ufeff" + text if page is not None and page.bom else text


def _digests(pages: _PageTargets, on_disk: Mapping[str, TextFile]) -> dict[Path, bytes | None]:
    """Return what each page held when read (its SHA-256), None for a page not on disk."""
    return {
        pages.shown[relative]: on_disk[relative].sha256 if relative in on_disk else None
        for relative in pages.targets
    }


def _refuse_shared_files(targets: dict[str, Path], shown: dict[str, Path]) -> None:
    """Raise `OutputError` when links make two pages one file, which one would overwrite."""
    first: dict[Path, str] = {}
    problems: list[Problem] = []
    for relative, target in targets.items():
        earlier = first.setdefault(target, relative)
        if earlier != relative:
            problems.append(
                Problem(
                    str(shown[relative]),
                    None,
                    f"is the same file as {shown[earlier]} ({target}, through a link); each "
                    "entry needs a page of its own: remove the link",
                )
            )
    if problems:
        raise OutputError(problems)


def _labels(taxonomy: Taxonomy) -> dict[str, str]:
    return {tag_id: tag.label for tag_id, tag in taxonomy.tags.items()}


# --- the site on disk ---------------------------------------------------------------------------

_RECORD_FORMAT = 1
_SITE_DEFAULTS = SiteOptions()


@dataclass(frozen=True, slots=True)
class SitePlan:
    """What `papershelf site` will write into a docs folder, computed before anything is written."""

    docs_dir: Path
    """The docs folder, e.g. `docs`."""
    files: tuple[GeneratedFile, ...]
    """Every file `build_site` generated, those kept back included."""
    writes: Mapping[Path, str]
    """The files to write, unchanged ones included (they are left as they are)."""
    record: Mapping[str, str]
    """What the record will say papershelf wrote: docs path -> SHA-256 of every listing and
    download it owns, the stale ones included until they are deleted."""
    kept: tuple[str, ...] = ()
    """Docs paths of files on disk that papershelf did not write, or that were edited since:
    left as they are, e.g. a hand-written `index.md`."""
    stale: tuple[str, ...] = ()
    """Docs paths of listings and downloads papershelf wrote earlier, unchanged since, that are
    no longer generated (a tag no paper carries any more): deleted after the writes."""
    first_run: bool = False
    """Whether the docs folder had no record of an earlier run."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them, or whose markers were damaged,
    e.g. `docs/papers/x.md:40: text outside the notes markers was moved into the notes ...`."""
    warnings: tuple[Problem, ...] = ()
    """What the check of the libraries warned about (`papershelf.bib.check`)."""
    expected: Mapping[Path, bytes | None] = field(default_factory=dict)
    """What each file to write held when planned (SHA-256; None: no file): it is replaced only
    if it still does (`files.atomic_write_all`)."""


@dataclass(frozen=True, slots=True)
class SiteReport:
    """What `write_site` did."""

    written: tuple[Path, ...]
    """Files whose text changed, the record excluded."""
    removed: tuple[str, ...]
    """Docs paths of the stale files deleted."""


def plan_site(
    bib_paths: Sequence[Path],
    docs_dir: Path,
    *,
    tags_file: Path | None = None,
    options: SiteOptions = _SITE_DEFAULTS,
) -> SitePlan:
    """Return every file of the site for the libraries, ready to be written into `docs_dir`.

    Paper pages are rewritten as `papershelf pages` rewrites them: each keeps the notes of the
    page on disk. A listing or download is written where no file is, or over a file this command
    wrote and nobody changed since (the record in `SITE_RECORD` says which); any other file of
    that path is the user's and wins, as it wins over the plugin's in-memory page.

    Raises:
        LibraryError: A library is missing or unreadable, two share a citation key, or two keys
            would share a page.
        OutputError: A file to write is a link leading out of `docs_dir` (or a paper page one
            leading out of its folder, or to another entry's page).
    """
    taxonomy = load_taxonomy(tags_file)
    root = docs_dir.resolve()
    with _collector_paused():
        texts = {str(path): _library_text(path) for path in bib_paths}
        entries, warnings = read_libraries_and_warnings(texts)
        pages = _page_files(entries, docs_dir / PAPERS_FOLDER)
        on_disk = _current_pages(pages)
        record_file = inside(root, SITE_RECORD)
        record = _read_record(record_file)
        generated = build_site(
            entries,
            tag_labels=_labels(taxonomy),
            options=options,
            library_texts=list(texts.values()),
            notes_from=_page_texts(on_disk),
        )
    writes: dict[Path, str] = {}
    expected = _digests(pages, on_disk)
    kept: list[str] = []
    owned: dict[str, str] = {}
    for generated_file in generated:
        if generated_file.kind is FileKind.PAPER_PAGE:
            page = on_disk.get(generated_file.path)
            writes[pages.shown[generated_file.path]] = _as_written(page, generated_file.content)
            continue
        target = inside(root, generated_file.path)
        digest = _sha256(generated_file.content)
        current = _digest_of(target)
        if current is None or current in (digest, record.get(generated_file.path)):
            writes[target] = generated_file.content
            expected[target] = None if current is None else bytes.fromhex(current)
            owned[generated_file.path] = digest
        else:
            kept.append(generated_file.path)
    generated_paths = {generated_file.path for generated_file in generated}
    stale: list[str] = []
    for path, digest in record.items():
        earlier = _inside_or_none(root, path)
        if path in generated_paths or earlier is None:
            continue
        # A file edited since is the user's now; one already gone needs nothing.
        if _digest_of(earlier) == digest:
            stale.append(path)
            # Still ours until it is deleted: a run cut short deletes it next time.
            owned[path] = digest
    return SitePlan(
        docs_dir=docs_dir,
        files=tuple(generated),
        writes=writes,
        record=owned,
        kept=tuple(kept),
        stale=tuple(stale),
        first_run=not record_file.exists(),
        expected=expected,
        notices=pages.shown_notices(notice for file in generated for notice in file.notices),
        warnings=warnings,
    )


def write_site(plan: SitePlan) -> SiteReport:
    """Write a planned site: every file and the record, or none; then delete the stale files.

    The files and the record are written together (`files.atomic_write_all`). The record names
    the stale files until they are deleted, so a run cut short between the two steps leaves
    nothing papershelf would not recognise as its own next time.
    """
    root = plan.docs_dir.resolve()
    record_file = inside(root, SITE_RECORD)
    changed = atomic_write_all(
        {**plan.writes, record_file: _record_text(plan.record)}, expected=plan.expected
    )
    removed: list[str] = []
    for path in plan.stale:
        with contextlib.suppress(FileNotFoundError):
            inside(root, path).unlink()
            removed.append(path)
    if removed:
        gone = set(removed)
        owned = {path: digest for path, digest in plan.record.items() if path not in gone}
        atomic_write(record_file, _record_text(owned))
    return SiteReport(
        written=tuple(path for path in changed if path != record_file), removed=tuple(removed)
    )


def publish_site(
    bib_paths: Sequence[Path],
    docs_dir: Path,
    *,
    tags_file: Path | None = None,
    options: SiteOptions = _SITE_DEFAULTS,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    notice: Callable[[str], None] = quiet,
    wait_option: str | None = None,
) -> tuple[SitePlan, SiteReport]:
    """Plan and write the site under the libraries' locks, as `papershelf site` does.

    A page or listing saved by another program between the plan and the write is planned
    again (see `convert_digests`).
    """
    with contextlib.ExitStack() as stack:
        _lock_libraries(stack, bib_paths, lock_timeout, notice, wait_option)
        for folder in {real_path(docs_dir), real_path(docs_dir / PAPERS_FOLDER)}:
            remove_stale_temporaries(folder)

        def run() -> tuple[SitePlan, SiteReport]:
            plan = plan_site(bib_paths, docs_dir, tags_file=tags_file, options=options)
            return plan, write_site(plan)

        return _retried(run, bib_paths[0], notice)


def _library_text(bib_path: Path) -> str:
    library = _read_library(bib_path, must_exist=True)
    assert library is not None, "a library that must exist is read or refused"
    return library.text


def _inside_or_none(root: Path, relative: str) -> Path | None:
    """Return root/relative, or None for a path that would leave root (a damaged record, or a
    link out of root put where papershelf once wrote a file)."""
    try:
        return inside(root, relative)
    except OutputError:
        return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest_of(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes, or None when there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _read_record(path: Path) -> dict[str, str]:
    """Return the record of an earlier run (docs path -> SHA-256); empty when absent or damaged.

    A damaged record only makes papershelf keep its own earlier files as if a person had written
    them; it never makes it replace a file it did not write.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _RECORD_FORMAT:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {
        path: digest
        for path, digest in files.items()
        if isinstance(path, str) and isinstance(digest, str)
    }


def _record_text(owned: Mapping[str, str]) -> str:
    data = {"format": _RECORD_FORMAT, "files": dict(sorted(owned.items()))}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _digest_now(path: Path) -> bytes | None:
    """Return the SHA-256 of what the file holds now, or None when there is none."""
    try:
        return hashlib.sha256(real_path(path).read_bytes()).digest()
    except OSError:
        return None


def _read_page(page: Path) -> TextFile | None:
    """Return a page on disk as read, or None when there is none."""
    shown = str(page)
    try:
        data = read_limited(page, shown, limit=MAX_PAGE_BYTES, what="page", error=PageError)
    except FileNotFoundError:
        return None
    try:
        return decode_text(data, name=shown, what="page")
    except DigestError as error:
        raise PageError(error.problems) from error


def _read_library(bib_path: Path, *, must_exist: bool = False) -> TextFile | None:
    """Return the library as read; a missing library is None unless it must exist."""
    shown = str(bib_path)
    try:
        data = read_limited(
            bib_path, shown, limit=MAX_LIBRARY_BYTES, what="library", error=LibraryError
        )
    except FileNotFoundError:
        if must_exist:
            raise LibraryError(
                [Problem(shown, None, "no such library; run `papershelf convert` first")]
            ) from None
        return None
    try:
        return decode_text(data, name=shown, what="library")
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
    with contextlib.suppress(PapershelfError, OSError):
        remove_stale_temporaries(kept.parent)
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
