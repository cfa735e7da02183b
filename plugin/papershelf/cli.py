"""The `papershelf` command: arguments, progress and reporting; no domain logic lives here."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from papershelf import __version__
from papershelf.dates import calendar_date
from papershelf.digests import READERS
from papershelf.errors import BusyError, PapershelfError, UsageError, WriteError, WriteInterrupted
from papershelf.model import (
    DEFAULT_TEX_PROFILE,
    LOCK_TIMEOUT_SECONDS,
    TEX_PROFILES,
    FileKind,
    SiteOptions,
)
from papershelf.site.urls import SITE_RECORD, SITE_STYLESHEET, not_in_nav_patterns

if TYPE_CHECKING:
    from papershelf.convert import ConvertReport, SitePlan, SiteReport
    from papershelf.enrich import EnrichResult

T = TypeVar("T")

_SITE = SiteOptions()
PROGRESS_THRESHOLD = 2_000
"""Show a progress bar only when a stage handles at least this many items."""

DESCRIPTION = """\
Turn research-paper digests into a BibTeX library, one Markdown page per paper, and a site.

  papershelf convert bib/digests/*.txt            add today's papers to bib/papers.bib
  papershelf convert today.json --dry-run         show what would change, write nothing
  papershelf convert page.txt --date 2025-10-30   the digest's date, when its name has none
  papershelf pages                                rewrite docs/papers/ from bib/papers.bib
  papershelf site                                 write every page of the site into docs/

Every command reads all its inputs before it writes anything: on an error it prints
`file:line: problem`, exits with status 1 and leaves every file as it was. Two runs into one
library take turns; a library or page another program saves meanwhile is read again, never
overwritten. Exit status: 0 done, 1 a problem in an input or an output, 2 a usage error,
75 the library stayed locked by another run or kept changing (run again), 130 interrupted.
"""

CONVERT_HELP = """\
Read digests (the format of each is detected from its content; the formats are listed below)
and merge their papers into a BibTeX library.

New papers are added at the end. Papers already in the library (same arXiv id, else the same
title) keep their key and every field you or JabRef added; papershelf refreshes only its own
fields (upvotes, comments, links, tags). Running the same command twice changes nothing.

Dates on the HF page often lack a year ("Mar 6"); papershelf takes the digest's year from
--date, else from a YYYY-MM-DD in the file name, and notes in the entry that it inferred it.

Formats (--format NAME forces one):
"""

SITE_HELP = f"""\
Write every file the papershelf MkDocs plugin generates into the docs folder: one page per
paper (papers/<key>.md), the tag, code and timeline listings, the home page (index.md), the
.bib downloads (bib/<key>.bib, bib/papers.bib) and, with --site-url, the Atom feeds (feed.xml,
tags/<tag>/feed.xml). A build of those files without the plugin (MkDocs, or another builder
that reads the same Markdown) gives the pages of the plugin's site.

Paper pages keep their Notes section byte for byte, as `papershelf pages` keeps it. Any other
file papershelf did not write (your own index.md), or changed since it wrote it, is left alone;
files it wrote earlier that are no longer generated (a tag no paper carries) are removed.
papershelf notes what it wrote in DOCS/{SITE_RECORD}.
"""


EXIT_BUSY = 75
"""Exit status when the library stayed locked or kept changing: try again (`EX_TEMPFAIL`)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (see `DESCRIPTION`)."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.run(arguments)
    except PapershelfError as error:
        # An indented line continues the problem above it, e.g. a list of formats.
        lines = [
            line if line.startswith(" ") else f"error: {line}" for line in str(error).splitlines()
        ]
        written = error.written if isinstance(error, (WriteError, BusyError)) else ()
        if written:
            shown = ", ".join(written[:5]) + (
                f" and {len(written) - 5} more" if len(written) > 5 else ""
            )
            lines.append(f"{len(written)} files were written before the error: {shown}.")
        else:
            lines.append("nothing was written.")
        _say(lines)
        if isinstance(error, UsageError):
            return 2
        return EXIT_BUSY if isinstance(error, BusyError) else 1
    except OSError as error:
        # The file system refused a read (a folder where a file should be, no permission);
        # every write goes through `papershelf.files`, which reports its own failures.
        where = f"{error.filename}: " if error.filename else ""
        _say([f"error: {where}{error.strerror or error}", "nothing was written."])
        return 1
    except WriteInterrupted as interrupted:
        _say([f"interrupted after {len(interrupted.written)} files were written."])
        return 130
    except KeyboardInterrupt:
        _say(["interrupted; nothing was written."])
        return 130
    return status


def _say(lines: Sequence[str]) -> None:
    """Print lines on standard error, if anyone still reads it."""
    with contextlib.suppress(OSError):
        print("\n".join(lines), file=sys.stderr)


def _print_report(text: str) -> None:
    """Print the summary of a finished run on standard output.

    The run is done, whoever reads this: if the reader went away (`| head -1`), the rest is
    dropped without an error, and standard output is pointed at the null device so that the
    flush at exit does not fail either.
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papershelf",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"papershelf {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert",
        help="merge digests into the BibTeX library",
        description=CONVERT_HELP + READERS.listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("digests", nargs="+", type=Path, metavar="DIGEST", help="digest files")
    convert.add_argument(
        "--bib",
        type=Path,
        default=Path("bib/papers.bib"),
        help="the library (default: %(default)s)",
    )
    convert.add_argument(
        "--date",
        type=_iso_date,
        help="the digest's date, YYYY-MM-DD: gives the year of dates written without one",
    )
    convert.add_argument(
        "--format",
        dest="fmt",
        choices=READERS.names,
        metavar="NAME",
        help="read every digest as this format instead of detecting it: "
        + ", ".join(READERS.names),
    )
    convert.add_argument(
        "--tags", type=Path, help="your tag vocabulary (YAML); extends the shipped one"
    )
    convert.add_argument(
        "--replace-tags", action="store_true", help="use --tags instead of the shipped vocabulary"
    )
    convert.add_argument(
        "--pages",
        type=Path,
        default=Path("docs/papers"),
        help="folder of the paper pages to refresh (default: %(default)s)",
    )
    convert.add_argument("--no-pages", action="store_true", help="write the library only")
    convert.add_argument(
        "--tex",
        choices=TEX_PROFILES,
        default=DEFAULT_TEX_PROFILE,
        help="TeX of the entries written: ascii (default; every engine, pdflatex and BibTeX "
        "included, compiles it) or utf8 (raw UTF-8, for biber)",
    )
    convert.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    _add_wait(convert)
    convert.add_argument(
        "--no-cache",
        action="store_true",
        help="parse the library afresh and keep no index of it (default: keep one in "
        "$PAPERSHELF_CACHE_DIR, else $XDG_CACHE_HOME/papershelf or ~/.cache/papershelf)",
    )
    _lookup_options(convert)
    convert.set_defaults(run=_run_convert)

    enrich = commands.add_parser(
        "enrich",
        help="fill in a library's missing authors, arXiv ids and links",
        description=(
            "Look up the entries of a library that lack authors or an arXiv id on Hugging Face "
            "and arXiv, and fill in only the fields they lack. Any library works (JabRef, Zotero "
            "exports): no entry is added, no key changes, every other byte stays."
        ),
    )
    enrich.add_argument(
        "--bib",
        type=Path,
        default=Path("bib/papers.bib"),
        help="the library (default: %(default)s)",
    )
    enrich.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    _lookup_options(enrich, optional=False)
    _add_wait(enrich)
    enrich.set_defaults(run=_run_enrich)

    pages = commands.add_parser(
        "pages",
        help="write one Markdown page per library entry",
        description=(
            "Write docs/papers/<key>.md for every entry of the libraries. Everything is rewritten"
            " except the Notes section of each page, which is kept byte for byte."
        ),
    )
    pages.add_argument(
        "--bib", type=Path, action="append", help="a library (repeatable; default: bib/papers.bib)"
    )
    pages.add_argument(
        "--out", type=Path, default=Path("docs/papers"), help="pages folder (default: %(default)s)"
    )
    pages.add_argument("--tags", type=Path, help="your tag vocabulary (YAML), for tag labels")
    _add_wait(pages)
    pages.set_defaults(run=_run_pages)

    site = commands.add_parser(
        "site",
        help="write every page and download of the site into the docs folder",
        description=SITE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    site.add_argument(
        "--bib", type=Path, action="append", help="a library (repeatable; default: bib/papers.bib)"
    )
    site.add_argument(
        "--out", type=Path, default=Path("docs"), help="the docs folder (default: %(default)s)"
    )
    site.add_argument("--tags", type=Path, help="your tag vocabulary (YAML), for tag labels")
    site.add_argument(
        "--per-page",
        type=_at_least(1),
        default=_SITE.per_page,
        metavar="N",
        help="papers per listing page (default: %(default)s)",
    )
    site.add_argument(
        "--latest",
        type=_at_least(0),
        default=_SITE.latest,
        metavar="N",
        help="papers on the home page (default: %(default)s)",
    )
    site.add_argument("--no-home", action="store_true", help="write no home page (index.md)")
    site.add_argument(
        "--no-library-download",
        action="store_true",
        help="do not publish the whole library as bib/papers.bib",
    )
    site.add_argument(
        "--publish-exclude-fields",
        type=_field_names,
        metavar="FIELDS",
        help="comma-separated BibTeX fields no page or download shows, instead of the private "
        "fields of reference managers (file, owner, timestamp, groups, ...: see "
        "docs/guide/site.md); '' publishes every field",
    )
    feeds = site.add_argument_group("Atom feeds")
    feeds.add_argument(
        "--site-url",
        type=_site_url,
        metavar="URL",
        help="where the site is published, as mkdocs.yml's site_url (feeds need it)",
    )
    feeds.add_argument(
        "--site-name",
        default=_SITE.site_name,
        metavar="NAME",
        help="the site's name in feed titles, as mkdocs.yml's site_name (default: %(default)s)",
    )
    feeds.add_argument(
        "--no-directory-urls",
        action="store_true",
        help="feed links to papers/<key>.html, as use_directory_urls: false builds them",
    )
    feeds.add_argument("--no-feeds", action="store_true", help="write no Atom feed")
    _add_wait(site)
    site.set_defaults(run=_run_site)
    return parser


def _field_names(text: str) -> frozenset[str]:
    """Return the field names of a comma-separated list, in lower case: `File, owner`."""
    names = [name.strip().lower() for name in text.split(",")]
    bad = [name for name in names if name and not name.replace("-", "").replace("_", "").isalnum()]
    if bad:
        raise argparse.ArgumentTypeError(
            f"{bad[0]!r} is not a BibTeX field name; write names like file,owner,timestamp"
        )
    return frozenset(name for name in names if name)


def _lookup_options(command: argparse.ArgumentParser, *, optional: bool = True) -> None:
    """Add the metadata lookup's options; `optional` adds `--no-lookup` too."""
    lookup = command.add_argument_group(
        "metadata lookup",
        "Papers without authors or arXiv id are looked up on Hugging Face and arXiv; a record is "
        "taken only when nothing contradicts it (same title, author count, dates). Every answer "
        "is kept, so the next run asks nothing it already knows.",
    )
    lookup.add_argument(
        "--offline",
        action="store_true",
        default=os.environ.get("PAPERSHELF_OFFLINE") == "1",
        help="use only kept answers, send no request (default when PAPERSHELF_OFFLINE=1)",
    )
    lookup.add_argument(
        "--refresh-metadata", action="store_true", help="ask the sources again, even when known"
    )
    if optional:
        lookup.add_argument(
            "--no-lookup", action="store_true", help="fill in nothing; keep the digests' data only"
        )
    lookup.add_argument(
        "--metadata-cache",
        type=Path,
        help="folder of the kept answers (default: metadata/ in the cache folder of --no-cache)",
    )


def _add_wait(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--wait",
        type=_seconds,
        default=LOCK_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long to wait for another papershelf run that is writing the same library "
        "(default: %(default)g; 0 gives up at once)",
    )


# The jobs are imported when a command runs: `papershelf --help` needs none of their stages.


def _run_convert(arguments: argparse.Namespace) -> int:
    from papershelf.convert import convert_digests
    from papershelf.enrich import open_lookup
    from papershelf.files import cache_dir

    with contextlib.ExitStack() as stack:
        lookup = None
        if not arguments.no_lookup:
            folder = arguments.metadata_cache or cache_dir() / "metadata"
            lookup = stack.enter_context(
                open_lookup(folder, offline=arguments.offline, refresh=arguments.refresh_metadata)
            )
        report = convert_digests(
            arguments.digests,
            arguments.bib,
            digest_date=arguments.date,
            fmt=arguments.fmt,
            tags_file=arguments.tags,
            replace_tags=arguments.replace_tags,
            pages_dir=None if arguments.no_pages else arguments.pages,
            dry_run=arguments.dry_run,
            progress=_progress_bar,
            cache_dir=None if arguments.no_cache else cache_dir(),
            lookup=lookup,
            lock_timeout=arguments.wait,
            notice=_notice,
            wait_option="--wait SECONDS",
            tex=arguments.tex,
        )
    _print_report(_summary(report, dry_run=arguments.dry_run))
    return 0


def _run_enrich(arguments: argparse.Namespace) -> int:
    from papershelf.convert import enrich_library
    from papershelf.enrich import open_lookup
    from papershelf.files import cache_dir

    folder = arguments.metadata_cache or cache_dir() / "metadata"
    with open_lookup(
        folder, offline=arguments.offline, refresh=arguments.refresh_metadata
    ) as lookup:
        report = enrich_library(
            arguments.bib,
            lookup,
            dry_run=arguments.dry_run,
            progress=_progress_bar,
            lock_timeout=arguments.wait,
            notice=_notice,
            wait_option="--wait SECONDS",
        )
    verb = (
        "would change"
        if arguments.dry_run
        else ("written" if report.library_written else "unchanged")
    )
    lines = [
        f"{_papers(report.papers)} without authors or arXiv id; "
        f"{len(report.updated)} entries filled in; {report.bib_path} {verb}"
    ]
    lines.extend(f"  warning: {warning}" for warning in report.warnings)
    lines.extend(_lookup_summary(report.enrichment))
    _print_report("\n".join(lines))
    return 0


def _run_pages(arguments: argparse.Namespace) -> int:
    from papershelf.convert import refresh_pages

    report = refresh_pages(
        arguments.bib or [Path("bib/papers.bib")],
        arguments.out,
        tags_file=arguments.tags,
        lock_timeout=arguments.wait,
        notice=_notice,
        wait_option="--wait SECONDS",
    )
    written = len(report.written)
    lines = [
        f"{report.pages} pages in {arguments.out}: {written} written,"
        f" {report.pages - written} unchanged"
    ]
    lines.extend(f"  warning: {warning}" for warning in (*report.warnings, *report.notices))
    _print_report("\n".join(lines))
    return 0


def _run_site(arguments: argparse.Namespace) -> int:
    from papershelf.convert import publish_site
    from papershelf.site.feeds import NO_SITE_URL

    options = SiteOptions(
        per_page=arguments.per_page,
        latest=arguments.latest,
        home=not arguments.no_home,
        library_download=not arguments.no_library_download,
        publish_exclude_fields=arguments.publish_exclude_fields,
        feeds=not arguments.no_feeds,
        site_url=arguments.site_url,
        site_name=arguments.site_name,
        directory_urls=not arguments.no_directory_urls,
    )
    plan, report = publish_site(
        arguments.bib or [Path("bib/papers.bib")],
        arguments.out,
        tags_file=arguments.tags,
        options=options,
        lock_timeout=arguments.wait,
        notice=_notice,
        wait_option="--wait SECONDS",
    )
    summary = _site_summary(plan, report)
    if options.feeds and not options.site_url:
        summary += f"\n  warning: {NO_SITE_URL.format(fix='pass --site-url, or --no-feeds')}"
    _print_report(summary)
    return 0


def _site_summary(plan: SitePlan, report: SiteReport) -> str:
    """Return the human summary of a `papershelf site` run."""
    counts = {kind: 0 for kind in FileKind}
    for generated in plan.files:
        counts[generated.kind] += 1
    written = len(plan.files) - len(plan.kept)
    lines = [
        f"{len(plan.files)} files for {plan.docs_dir} ({counts[FileKind.PAPER_PAGE]} paper pages,"
        f" {counts[FileKind.LISTING]} listing pages, {counts[FileKind.DOWNLOAD]} downloads,"
        f" {counts[FileKind.ASSET]} stylesheet, {counts[FileKind.FEED]} feeds):"
        f" {len(report.written)} written, {written - len(report.written)} unchanged"
    ]
    if plan.kept:
        lines.append(
            f"  kept {len(plan.kept)} file(s) papershelf did not write, or that were edited since"
            f" (delete one to have it generated): {_first(plan.kept)}"
        )
    if report.removed:
        lines.append(
            f"  removed {len(report.removed)} file(s) no longer generated: {_first(report.removed)}"
        )
    lines.extend(f"  warning: {warning}" for warning in (*plan.warnings, *plan.notices))
    if plan.first_run:
        lines.append(
            f"  papershelf keeps what it wrote in {plan.docs_dir / SITE_RECORD}. To build without"
            " the plugin, keep the generated pages out of the navigation and add papershelf's"
            " stylesheet in mkdocs.yml:"
        )
        lines.append("    not_in_nav: |")
        lines.extend(f"      {pattern}" for pattern in not_in_nav_patterns())
        lines.append(f"    extra_css: [{SITE_STYLESHEET}]")
    return "\n".join(lines)


def _first(items: Sequence[str], shown: int = 10) -> str:
    """Return the first items joined by commas, and how many more there are."""
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f", ... ({more} more)" if more > 0 else "")


def _notice(message: str) -> None:
    """Tell the person at the terminal what the run is waiting for or doing again."""
    _say([f"papershelf: {message}"])


def _summary(report: ConvertReport, *, dry_run: bool) -> str:
    """Return the human summary of a convert run."""
    verb = "would change" if dry_run else ("written" if report.library_written else "unchanged")
    lines = [
        f"{report.papers} papers read: {len(report.added)} added, {len(report.updated)} updated,"
        f" {len(report.unchanged)} unchanged; {report.bib_path} {verb}"
    ]
    for label, keys in (("added", report.added), ("updated", report.updated)):
        if keys:
            shown = ", ".join(keys[:10]) + (
                f", ... ({len(keys) - 10} more)" if len(keys) > 10 else ""
            )
            lines.append(f"  {label}: {shown}")
    if report.not_merged:
        count = len(report.not_merged)
        papers = "1 paper" if count == 1 else f"{count} papers"
        lines.append(f"  {papers} not merged with an entry of its title:")
        for kept in report.not_merged[:10]:
            lines.append(f"    {kept.source} with {', '.join(kept.keys)}: {kept.reason}")
        if count > 10:
            lines.append(f"    ... ({count - 10} more)")
    if report.pages_written:
        lines.append(f"  {len(report.pages_written)} pages written")
    lines.extend(f"  warning: {warning}" for warning in (*report.warnings, *report.notices))
    lines.extend(_lookup_summary(report.enrichment))
    return "\n".join(lines)


def _lookup_summary(result: EnrichResult | None) -> list[str]:
    """Return the lines saying what the metadata lookup filled in and what it left alone."""
    if result is None:
        return []
    from papershelf.enrich import OFFLINE_MISS

    lines = [f"  warning: {warning}" for warning in result.warnings]
    if result.filled:
        lines.append(f"  {_papers(result.filled)} filled in from arXiv / Hugging Face")
    refused = [item for item in result.unmatched if item.reason != OFFLINE_MISS]
    if refused:
        lines.append(f"  {_papers(len(refused))} not matched, left as they were:")
        lines.extend(f"    {item.paper.source}: {item.reason}" for item in refused[:10])
        if len(refused) > 10:
            lines.append(f"    ... ({len(refused) - 10} more)")
    missed = len(result.unmatched) - len(refused)
    if missed:
        lines.append(f"  {_papers(missed)} not looked up: offline, and no kept answer")
    return lines


def _papers(count: int) -> str:
    return f"{count} paper" if count == 1 else f"{count} papers"


def _progress_bar(items: Iterable[T], total: int, description: str) -> Iterable[T]:
    """Wrap items in a progress bar on stderr when there are many and a person is watching."""
    if total < PROGRESS_THRESHOLD:
        return items
    from tqdm import tqdm

    # tqdm's monitor thread would outlive the bar, and papershelf runs a large job on several
    # cores only in a process without threads (see papershelf.parallel).
    tqdm.monitor_interval = 0
    return tqdm(
        items, total=total, desc=description, unit="", file=sys.stderr, disable=None, leave=False
    )


def _site_url(text: str) -> str:
    """Return an argument type's value: an absolute http(s) URL, the site's."""
    from papershelf.links import is_http_url

    if not is_http_url(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an absolute http(s) URL; write e.g. https://me.example.org/shelf/"
        )
    return text


def _at_least(minimum: int) -> Callable[[str], int]:
    """Return an argument type: a whole number of at least `minimum`."""

    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small; use at least {minimum}")
        return value

    return number


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds; write e.g. 30")
    return seconds


def _iso_date(text: str) -> dt.date:
    try:
        return calendar_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
