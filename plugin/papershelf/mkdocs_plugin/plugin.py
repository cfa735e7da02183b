"""The `papershelf` MkDocs plugin: wires MkDocs events to papershelf's pure renderers.

It reads the configured `.bib` libraries, adds one in-memory page per paper (unless the page
exists on disk), the tag, code, timeline and home pages, and the `.bib` downloads, keeps paper
pages out of the navigation, and writes Google Scholar `citation_*` meta tags into each paper
page's `<head>` so that Zotero's browser connector can save the paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from papershelf.bib.read import read_library
from papershelf.errors import PapershelfError, Problem
from papershelf.mkdocs_plugin.config import PapershelfConfig
from papershelf.model import BibEntry
from papershelf.site.listings import render_site_pages
from papershelf.site.meta import citation_meta_tags, insert_into_head
from papershelf.site.paper_page import render_paper_page
from papershelf.site.urls import bib_download_path, paper_page_path
from papershelf.tagging.taxonomy import taxonomy_for

log = get_plugin_logger(__name__)

REQUIRED_EXTENSIONS = ("attr_list", "md_in_html")
"""Markdown extensions the generated pages use: buttons (`{ .md-button }`) and the BibTeX block
inside `<div markdown>`."""

OVERVIEW_PAGES = frozenset({"index.md", "tags/index.md", "code/index.md", "timeline/index.md"})
"""Generated pages that may appear in the navigation; every other generated page stays out."""

LIBRARY_DOWNLOAD = "bib/papers.bib"
"""Site path of the whole library download."""


class PapershelfPlugin(BasePlugin[PapershelfConfig]):  # type: ignore[no-untyped-call]
    """Publishes BibTeX libraries as a site: paper pages, tag/code/timeline pages, downloads."""

    def __init__(self) -> None:
        self.entries_by_page: dict[str, BibEntry] = {}
        """Paper pages (docs-relative `src_uri`) mapped to the entry they show."""
        self.tag_labels: dict[str, str] = {}
        """Tag ids mapped to display labels, e.g. `{"llm": "Large language models"}`."""

    # -------------------------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Add the Markdown extensions the generated pages need, if the site lacks them."""
        if not self.config.enabled:
            return config
        if not self.config.bib:
            raise PluginError(
                "papershelf: option 'bib' is empty; list at least one library, "
                "e.g. bib: [bib/papers.bib]"
            )
        present = {_extension_name(ext) for ext in config.markdown_extensions}
        for extension in REQUIRED_EXTENSIONS:
            if extension not in present:
                log.debug("adding the Markdown extension %r the paper pages use", extension)
                config.markdown_extensions.append(extension)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Convert the configured digests into the first library before anything is read."""
        if not self.config.enabled or not self.config.digests:
            return
        # Imported here: the converter pulls in the parsers, which a read-only site never needs.
        from papershelf.convert import convert_digests
        from papershelf.dates import calendar_date
        from papershelf.files import cache_dir

        date = calendar_date(self.config.digest_date) if self.config.digest_date else None
        tags_file = Path(self.config.tags_file) if self.config.tags_file else None
        try:
            report = convert_digests(
                [Path(path) for path in self.config.digests],
                Path(self.config.bib[0]),
                digest_date=date,
                tags_file=tags_file,
                cache_dir=cache_dir(),
            )
        except PapershelfError as error:
            raise PluginError(f"papershelf: option 'digests': cannot convert:\n{error}") from None
        log.info(
            "converted %d digest file(s) into %s: %d added, %d updated",
            len(self.config.digests),
            _relative(self.config.bib[0], config),
            len(report.added),
            len(report.updated),
        )

    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add paper pages, listing pages and `.bib` downloads; files on disk win."""
        self.entries_by_page = {}
        if not self.config.enabled:
            return files
        texts = {path: _read_bib(path, config) for path in self.config.bib}
        entries = _read_entries(texts, config)
        self.tag_labels = self._load_tag_labels()

        for entry in entries:
            src_uri = paper_page_path(entry.key)
            self.entries_by_page[src_uri] = entry
            on_disk = files.get_file_from_path(src_uri)
            if on_disk is not None:
                # Listed in an explicit nav it stays there; it only stops the "not in nav" notice.
                if on_disk.inclusion in (InclusionLevel.UNDEFINED, InclusionLevel.INCLUDED):
                    on_disk.inclusion = _NOT_IN_NAV
                continue
            content = render_paper_page(entry, tag_labels=self.tag_labels)
            files.append(File.generated(config, src_uri, content=content, inclusion=_NOT_IN_NAV))

        home = self.config.home and files.get_file_from_path("index.md") is None
        site_pages = render_site_pages(
            entries,
            tag_labels=self.tag_labels,
            per_page=self.config.per_page,
            latest=self.config.latest,
            home=home,
        )
        for page in site_pages:
            if files.get_file_from_path(page.path) is not None:
                log.debug(
                    "%s exists in docs_dir; keeping it instead of the generated page", page.path
                )
                continue
            inclusion = InclusionLevel.UNDEFINED if page.path in OVERVIEW_PAGES else _NOT_IN_NAV
            files.append(
                File.generated(config, page.path, content=page.content, inclusion=inclusion)
            )

        # Every paper page links its one-entry file, so those are always published.
        downloads = {bib_download_path(entry.key): _with_newline(entry.bibtex) for entry in entries}
        if self.config.bib_download:
            # One library is published byte for byte; several are joined with a blank line.
            parts = list(texts.values())
            downloads[LIBRARY_DOWNLOAD] = (
                parts[0] if len(parts) == 1 else "\n".join(_with_newline(p) for p in parts)
            )
        for path, text in downloads.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
        log.info(
            "%d papers from %d librar%s, %d listing pages",
            len(entries),
            len(texts),
            "y" if len(texts) == 1 else "ies",
            len(site_pages),
        )
        return files

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Write the `citation_*` meta tags into the `<head>` of each paper page."""
        entry = self.entries_by_page.get(page.file.src_uri)
        if entry is None:
            return output
        return insert_into_head(output, citation_meta_tags(entry, tag_labels=self.tag_labels))

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        """Rebuild when a library, a digest or the tag vocabulary changes."""
        if not self.config.enabled:
            return server
        watched = [*self.config.bib, *self.config.digests]
        if self.config.tags_file:
            watched.append(self.config.tags_file)
        for path in dict.fromkeys(watched):
            server.watch(path, recursive=False)
        return server

    # -------------------------------------------------------------------------------------------

    def _load_tag_labels(self) -> dict[str, str]:
        """Return the display label of every tag id of the vocabulary in use."""
        text = None
        source = ""
        if self.config.tags_file:
            source = self.config.tags_file
            try:
                text = Path(source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise PluginError(
                    f"papershelf: option 'tags_file': cannot read {source}: {error}"
                ) from None
        try:
            taxonomy = taxonomy_for(text, source=source)
        except PapershelfError as error:
            raise PluginError(f"papershelf: option 'tags_file':\n{error}") from None
        return {tag_id: tag.label for tag_id, tag in taxonomy.tags.items()}


_NOT_IN_NAV = InclusionLevel.NOT_IN_NAV


def _extension_name(extension: object) -> str:
    """Return the short name of a Markdown extension entry (`markdown.extensions.toc` -> `toc`)."""
    name = extension if isinstance(extension, str) else type(extension).__module__
    return name.rsplit(".", 1)[-1]


def _relative(path: str, config: MkDocsConfig) -> str:
    """Return `path` relative to the folder of `mkdocs.yml`, for messages."""
    if not config.config_file_path:
        return path
    root = Path(config.config_file_path).parent
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _read_bib(path: str, config: MkDocsConfig) -> str:
    """Return the text of one library file, or raise a `PluginError` naming the option."""
    shown = _relative(path, config)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PluginError(
            f"papershelf: option 'bib': {shown} does not exist; create it with "
            f"`papershelf convert <digest> --bib {shown}` or fix the path (relative to mkdocs.yml)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PluginError(f"papershelf: option 'bib': cannot read {shown}: {error}") from None


def _read_entries(texts: Mapping[str, str], config: MkDocsConfig) -> list[BibEntry]:
    """Return the entries of every library in order; raise one `PluginError` with all problems."""
    entries: list[BibEntry] = []
    problems: list[str] = []
    first_seen: dict[str, BibEntry] = {}
    for path, text in texts.items():
        try:
            found = read_library(text, source=_relative(path, config))
        except PapershelfError as error:
            problems.append(str(error))
            continue
        for entry in found:
            earlier = first_seen.get(entry.key)
            if earlier is not None:
                problem = Problem(
                    entry.source.file,
                    entry.source.line,
                    f"citation key '{entry.key}' is already used at {earlier.source}; "
                    "rename one of them (keys must be unique across the `bib` files)",
                )
                problems.append(str(problem))
                continue
            first_seen[entry.key] = entry
            entries.append(entry)
    if problems:
        raise PluginError("papershelf: cannot read the library:\n" + "\n".join(problems))
    return entries


def _with_newline(text: str) -> str:
    """Return the text ending in exactly one newline."""
    return text.rstrip("\n") + "\n"
