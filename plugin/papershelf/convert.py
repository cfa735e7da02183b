"""The jobs of the command line: digests -> records -> tags -> one library file (and its pages);
a library -> its paper pages (`build_pages`) or the whole site on disk (`plan_site`).

This is the application layer shared by the CLI and the MkDocs plugin's `digests:` option. It
composes the pure stages and does its file I/O through `papershelf.files`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from papershelf.bib.index import LibraryIndex, dump_index, load_index
from papershelf.bib.merge import NotMerged, merge_into_library
from papershelf.bib.read import read_libraries, read_library
from papershelf.combine import combine_papers
from papershelf.dates import date_from_filename
from papershelf.digests import DigestFormat, parse_digest
from papershelf.enrich import EnrichResult, Lookup, enrich_papers
from papershelf.errors import DigestError, InputError, LibraryError, OutputError, Problem
from papershelf.files import (
    atomic_write,
    atomic_write_all,
    cache_file,
    decode_digest,
    inside,
    prune_cache,
    read_digest,
)
from papershelf.model import BibEntry, DateOrigin, FileKind, GeneratedFile, Paper, SiteOptions
from papershelf.site.build import build_site
from papershelf.site.paper_page import render_pages
from papershelf.site.urls import PAPERS_FOLDER, SITE_RECORD, check_page_paths, paper_page_path
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
    not_merged: tuple[NotMerged, ...] = ()
    """Papers added as new although an entry has their title: merging would contradict it."""
    library_written: bool = False
    """Whether the library file changed on disk."""
    pages_written: tuple[str, ...] = field(default=())
    """Paths of the pages written, e.g. `("docs/papers/cheng2024breaking.md",)`."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them, e.g.
    `docs/papers/x.md:40: text outside the notes markers was moved into the notes ...`."""
    enrichment: EnrichResult | None = None
    """What the metadata lookup filled in and left alone; None when there was no lookup."""


@dataclass(frozen=True, slots=True)
class PageFiles:
    """The paper pages of a run, keyed by the file each is written to, and what was kept."""

    files: dict[Path, str]
    """File -> page text, e.g. `{Path("/home/me/shelf/docs/papers/x.md"): "---\n..."}`."""
    notices: tuple[Problem, ...] = ()
    """Pages whose text outside the notes was moved into them (see `render_pages`)."""


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
    lookup: Lookup | None = None,
) -> ConvertReport:
    """Convert digests into the library at `bib_path` and, with `pages_dir`, refresh its pages.

    Every input is read and checked before anything is written; on any error nothing is written.
    With `cache_dir`, the library's index is kept there, so the next run into an unchanged
    library skips parsing it (see `papershelf.bib.index`). With `lookup`, papers without
    authors or arXiv id are filled in from the metadata sources (`papershelf.enrich`).
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
            lookup=lookup,
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
    lookup: Lookup | None,
) -> ConvertReport:
    papers = read_papers(paths, digest_date=digest_date, fmt=fmt, progress=progress)
    enrichment = None
    if lookup is not None:
        enrichment = enrich_papers(papers, lookup, progress=progress)
        papers = enrichment.papers
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
        not_merged=result.not_merged,
        enrichment=enrichment,
    )
    if dry_run:
        return report
    # Render before writing anything: a page that fails to render leaves the library untouched.
    pages = _pages_for(result.text, bib_path, pages_dir, taxonomy) if pages_dir else PageFiles({})
    library = {bib_path: result.text} if result.text != existing else {}
    # The library and its pages are written together: if one cannot be written, none is.
    changed = atomic_write_all({**library, **pages.files})
    written = bib_path in changed
    if kept is not None and (written or index is None):
        _keep_index(kept, result.index, result.text)
    return replace(
        report,
        library_written=written,
        pages_written=tuple(str(path) for path in changed if path != bib_path),
        notices=pages.notices,
    )


def enrich_library(
    bib_path: Path,
    lookup: Lookup,
    *,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ConvertReport:
    """Fill in the absent authors, arXiv ids and links of a library's entries from the sources.

    Any library works (a JabRef database, a Zotero export): only fields an entry lacks are
    filled, no entry is added, keys never change, and nothing else of the text moves.
    """
    existing = _read_library_text(bib_path, must_exist=True)
    entries = read_library(existing, source=str(bib_path))
    queries = [_query_paper(entry) for entry in entries if not entry.authors or not entry.arxiv_id]
    enrichment = enrich_papers(queries, lookup, progress=progress)
    filled = [
        paper for paper, query in zip(enrichment.papers, queries, strict=True) if paper is not query
    ]
    result = merge_into_library(existing, filled, source=str(bib_path), fill_only=True)
    report = ConvertReport(
        bib_path=bib_path,
        papers=len(queries),
        updated=result.updated,
        unchanged=result.unchanged,
        enrichment=enrichment,
    )
    if dry_run or result.text == existing:
        return report
    written = bib_path in atomic_write_all({bib_path: result.text})
    return replace(report, library_written=written)


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


def build_pages(
    bib_paths: Sequence[Path], pages_dir: Path, *, tags_file: Path | None = None
) -> PageFiles:
    """Return the paper pages of the libraries, keyed by the file each would be written to."""
    taxonomy = load_taxonomy(tags_file)
    files: dict[Path, str] = {}
    notices: list[Problem] = []
    with _collector_paused():
        for bib_path in bib_paths:
            text = _read_library_text(bib_path, must_exist=True)
            pages = _pages_for(text, bib_path, pages_dir, taxonomy)
            files.update(pages.files)
            notices.extend(pages.notices)
    return PageFiles(files, tuple(notices))


def write_pages(pages: PageFiles) -> list[Path]:
    """Write the pages that changed; return their paths. If one cannot be written, none is."""
    return atomic_write_all(pages.files)


def _pages_for(library_text: str, bib_path: Path, pages_dir: Path, taxonomy: Taxonomy) -> PageFiles:
    """Render every entry of a library as a page, keeping the notes of the pages on disk.

    Every page file is checked before any is read: one that is a link leading out of
    `pages_dir`, or a link to the page of another entry, stops the run (`OutputError`).
    """
    entries = read_library(library_text, source=str(bib_path))
    pages = _page_files(entries, pages_dir)
    rendered = render_pages(entries, _current_texts(pages), tag_labels=_labels(taxonomy))
    return PageFiles(
        {pages.targets[relative]: text for relative, text in rendered.pages.items()},
        pages.shown_notices(rendered.notices),
    )


@dataclass(frozen=True, slots=True)
class _PageTargets:
    """Where the page of each entry lies, by its docs path (`papers/x.md`)."""

    shown: Mapping[str, Path]
    """The file as the user names it, for messages, e.g. `docs/papers/x.md`."""
    targets: Mapping[str, Path]
    """The file read and written, every link resolved, e.g. `/home/me/shelf/docs/papers/x.md`."""

    def shown_notices(self, notices: Iterable[Problem]) -> tuple[Problem, ...]:
        """Return the notices of `render_pages` (by docs path) naming the files as shown."""
        return tuple(replace(notice, file=str(self.shown[notice.file])) for notice in notices)


def _page_files(entries: Sequence[BibEntry], pages_dir: Path) -> _PageTargets:
    """Return the file of each entry's page in `pages_dir`, checked before any is read.

    Raises:
        LibraryError: Two keys would share a page (`check_page_paths`).
        OutputError: A page file is a link leading out of `pages_dir`, or a link to the page of
            another entry.
    """
    # Keys that would share a page are reported before any file is looked at.
    check_page_paths(entries)
    relatives = [paper_page_path(entry.key) for entry in entries]
    shown = {
        relative: pages_dir / relative.removeprefix(f"{PAPERS_FOLDER}/") for relative in relatives
    }
    targets = {relative: inside(pages_dir, path.name) for relative, path in shown.items()}
    _refuse_shared_files(targets, shown)
    return _PageTargets(shown, targets)


def _current_texts(pages: _PageTargets) -> dict[str, str]:
    """Return the text of each page file that exists, line ends kept, by its docs path."""
    existing: dict[str, str] = {}
    for relative, target in pages.targets.items():
        with contextlib.suppress(FileNotFoundError):
            data = target.read_bytes()
            name = str(pages.shown[relative])
            existing[relative] = decode_digest(data, name=name, keep_line_ends=True)
    return existing


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
        texts = {str(path): _read_library_text(path, must_exist=True) for path in bib_paths}
        entries = read_libraries(texts)
        pages = _page_files(entries, docs_dir / PAPERS_FOLDER)
        record_file = inside(root, SITE_RECORD)
        record = _read_record(record_file)
        generated = build_site(
            entries,
            tag_labels=_labels(taxonomy),
            options=options,
            library_texts=list(texts.values()),
            notes_from=_current_texts(pages),
        )
    writes: dict[Path, str] = {}
    kept: list[str] = []
    owned: dict[str, str] = {}
    for generated_file in generated:
        if generated_file.kind is FileKind.PAPER_PAGE:
            writes[pages.targets[generated_file.path]] = generated_file.content
            continue
        target = inside(root, generated_file.path)
        digest = _sha256(generated_file.content)
        current = _digest_of(target)
        if current is None or current in (digest, record.get(generated_file.path)):
            writes[target] = generated_file.content
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
        notices=pages.shown_notices(notice for file in generated for notice in file.notices),
    )


def write_site(plan: SitePlan) -> SiteReport:
    """Write a planned site: every file and the record, or none; then delete the stale files.

    The files and the record are written together (`files.atomic_write_all`). The record names
    the stale files until they are deleted, so a run cut short between the two steps leaves
    nothing papershelf would not recognise as its own next time.
    """
    root = plan.docs_dir.resolve()
    record_file = inside(root, SITE_RECORD)
    changed = atomic_write_all({**plan.writes, record_file: _record_text(plan.record)})
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
