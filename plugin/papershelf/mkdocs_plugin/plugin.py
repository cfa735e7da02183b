"""The `papershelf` MkDocs plugin: wires MkDocs events to papershelf's pure stages.

It reads the configured `.bib` libraries and hands every file `papershelf.site.build.build_site`
generates (paper pages, tag, code, timeline and home pages, `.bib` downloads) to MkDocs in memory,
except where a file of that path exists in `docs_dir`, which wins. It keeps paper pages and long
listings out of the navigation, and writes Google Scholar `citation_*` meta tags into each paper
page's `<head>` so that Zotero's browser connector can save the paper, and the Atom feeds'
`<link rel="alternate feed">` into every page's. With `search: pagefind`
(the default) it puts Pagefind's search box into every page and runs Pagefind's indexer over the
built site (`papershelf.site.search`), in place of Material's `search` plugin.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from papershelf.bib.read import read_libraries_and_warnings
from papershelf.errors import LibraryError, PapershelfError, ToolError
from papershelf.files import MAX_LIBRARY_BYTES, decode_text, inside, read_limited
from papershelf.mkdocs_plugin.config import PapershelfConfig
from papershelf.model import BibEntry, FileKind, GeneratedFile, SiteOptions
from papershelf.rebuild import (
    DIRTY_ADVICE_FROM,
    Memo,
    OutputLedger,
    mapping_parts,
    output_fingerprint,
    remove_outputs,
    site_fingerprint,
)
from papershelf.site.build import build_site
from papershelf.site.feeds import NO_SITE_URL, feed_link_tags, feed_links
from papershelf.site.meta import citation_meta_tags, insert_into_head
from papershelf.site.paper_page import page_on_disk_notice
from papershelf.site.search import (
    SCRIPT,
    SCRIPT_TEXT,
    STYLESHEET,
    STYLESHEET_TEXT,
    add_search,
    check_indexer,
    run_indexer,
)
from papershelf.site.urls import PAPERS_FOLDER, SITE_STYLESHEET, paper_page_path
from papershelf.tagging.taxonomy import taxonomy_for

log = get_plugin_logger(__name__)

REQUIRED_EXTENSIONS = ("attr_list", "md_in_html")
"""Markdown extensions the generated pages use: buttons (`{ .md-button }`) and the BibTeX block
inside `<div markdown>`."""


class PapershelfPlugin(BasePlugin[PapershelfConfig]):  # type: ignore[no-untyped-call]
    """Publishes BibTeX libraries as a site: paper pages, tag/code/timeline pages, downloads."""

    def __init__(self) -> None:
        self.entries_by_page: dict[str, BibEntry] = {}
        """Paper pages (docs-relative `src_uri`) mapped to the entry they show."""
        self.tag_labels: dict[str, str] = {}
        """Tag ids mapped to display labels, e.g. `{"llm": "Large language models"}`."""
        self.listing_pages: set[str] = set()
        """Generated listings (docs-relative `src_uri`), which Pagefind leaves unindexed."""
        self.feeds: dict[str, str] = {}
        """Atom feeds written (docs-relative path) mapped to their titles."""
        self.command: str = ""
        """What MkDocs runs (`serve`, `build`), as `on_startup` said; empty when not said."""
        self.site: Memo[_Site] = Memo()
        """The last build's library and generated files, reused while their inputs stay."""
        self.ledger: OutputLedger | None = None
        """Under `mkdocs serve --dirty`: which outputs the last build wrote, from what."""
        self.partial_rebuild = False
        """Whether this build keeps outputs of the last one (`serve --dirty`, no global change)."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Keep this plugin, and what it computed, across `mkdocs serve`'s rebuilds."""
        self.command = command
        # Only `serve` rebuilds in one process; `build --dirty` starts afresh each time.
        self.ledger = OutputLedger() if command == "serve" and dirty else None

    def on_shutdown(self) -> None:
        """Drop what the builds kept: MkDocs keeps this plugin for the rest of the process."""
        self.command = ""
        self.site = Memo()
        self.ledger = None

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
        if SITE_STYLESHEET not in config.extra_css:
            # The listings' and paper pages' look; no `extra_css` line needed in mkdocs.yml.
            config.extra_css.append(SITE_STYLESHEET)
        if self.config.search == "pagefind":
            self._use_pagefind(config)
        return config

    def _use_pagefind(self, config: MkDocsConfig) -> None:
        """Check that Pagefind's indexer runs, and switch Material's search plugin off."""
        try:
            version = check_indexer()
        except ToolError as error:
            raise PluginError(f"papershelf: option 'search': pagefind: {error}") from None
        log.debug("search: %s", version)
        for name in ("material/search", "search"):
            material_search = config.plugins.get(name)
            enabled = getattr(getattr(material_search, "config", None), "enabled", False)
            if material_search is not None and enabled:
                # Two search boxes would compete; Material's index costs a tenth of the build.
                material_search.config.enabled = False
                log.info(
                    "search: Pagefind replaces Material's search plugin, which is switched "
                    "off; remove `- search` from plugins, or set papershelf's `search: material`"
                )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Convert the configured digests into the first library before anything is read."""
        if not self.config.enabled or not self.config.digests:
            return
        # Imported here: the converter pulls in the parsers, which a read-only site never needs.
        from papershelf.convert import convert_digests
        from papershelf.dates import calendar_date
        from papershelf.files import cache_dir
        from papershelf.naming import PLUGIN_NAMES

        date = calendar_date(self.config.digest_date) if self.config.digest_date else None
        fmt = self.config.digest_format
        tags_file = Path(self.config.tags_file) if self.config.tags_file else None
        try:
            report = convert_digests(
                [Path(path) for path in self.config.digests],
                Path(self.config.bib[0]),
                digest_date=date,
                fmt=fmt,
                tags_file=tags_file,
                cache_dir=cache_dir(),
                # `mkdocs serve` rebuilds on every save: a build waits for the one before it.
                notice=log.info,
                # Its warnings are not logged: `on_files` reads the library written and warns.
                names=PLUGIN_NAMES,
                tex=self.config.tex,
            )
        except PapershelfError as error:
            raise PluginError(f"papershelf: option 'digests': cannot convert:\n{error}") from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise PluginError(
                f"papershelf: option 'digests': cannot convert:\n{where}{error.strerror or error}"
            ) from None
        log.info(
            "converted %d digest file(s) into %s: %d added, %d updated",
            len(self.config.digests),
            _relative(self.config.bib[0], config),
            len(report.added),
            len(report.updated),
        )
        for kept in report.not_merged:
            log.info(
                "%s: added as a new paper, not merged with %s: %s",
                kept.source,
                ", ".join(kept.keys),
                kept.reason,
            )

    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add the generated pages and downloads (`build_site`); files on disk win."""
        self.entries_by_page = {}
        self.feeds = {}
        if not self.config.enabled:
            return files
        texts = {_relative(path, config): _read_bib(path, config) for path in self.config.bib}
        self.tag_labels = labels = self._load_tag_labels()
        if self.config.feeds and not config.site_url:
            log.warning("%s", NO_SITE_URL.format(fix="set site_url in mkdocs.yml, or feeds: false"))
        options = SiteOptions(
            per_page=self.config.per_page,
            latest=self.config.latest,
            home=self.config.home,
            library_download=self.config.bib_download,
            publish_exclude_fields=frozenset(self.config.publish_exclude_fields),
            feeds=self.config.feeds,
            site_url=config.site_url,
            site_name=config.site_name,
            directory_urls=config.use_directory_urls,
        )
        skip = files.src_uris
        inputs = [*mapping_parts(texts), *mapping_parts(labels), repr(options), *sorted(skip)]
        entries, warnings, generated = self.site.get(
            inputs, lambda: _site(texts, labels, options, skip)
        )
        for warning in warnings:
            log.warning("%s", warning)
        if self.command == "serve" and self.ledger is None and len(entries) >= DIRTY_ADVICE_FROM:
            log.info(
                "%d papers: `mkdocs serve --dirty` rebuilds only the pages an edit changes",
                len(entries),
            )

        for entry in entries:
            src_uri = paper_page_path(entry.key)
            self.entries_by_page[src_uri] = entry
            on_disk = files.get_file_from_path(src_uri)
            if on_disk is None:
                continue
            _check_page_on_disk(on_disk, config)
            # Listed in an explicit nav it stays there; it only stops the "not in nav" notice.
            if on_disk.inclusion in _UNDECIDED:
                on_disk.inclusion = _NOT_IN_NAV
        for generated_file in generated:
            files.append(
                _SiteFile.generated(
                    config,
                    generated_file.path,
                    content=generated_file.content,
                    inclusion=_inclusion(generated_file),
                )
            )
        self.listing_pages = {file.path for file in generated if file.kind is FileKind.LISTING}
        self.feeds = {file.path: file.title for file in generated if file.kind is FileKind.FEED}
        if self.config.search == "pagefind":
            for path, text in ((STYLESHEET, STYLESHEET_TEXT), (SCRIPT, SCRIPT_TEXT)):
                if path not in files.src_uris:
                    files.append(_SiteFile.generated(config, path, content=text))
        listings = len(self.listing_pages)
        log.info(
            "%d papers from %d librar%s, %d listing pages",
            len(entries),
            len(texts),
            "y" if len(texts) == 1 else "ies",
            listings,
        )
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Under `serve --dirty`: delete the outputs this build must write again (`rebuild`)."""
        self.partial_rebuild = False
        if not self.config.enabled or self.ledger is None:
            return nav
        for page in nav.pages:
            if page.markdown is None:
                # A page MkDocs does not rebuild is not read, and the navigation of the pages it
                # does rebuild would show it without a title.
                page.read_source(config)
        site = site_fingerprint(
            config_file=config.config_file_path,
            options=repr(sorted(self.config.items())),
            tag_labels=self.tag_labels,
            navigation=_nav_titles(nav.items),
            theme_overrides=config.theme.custom_dir,
        )
        outputs = {file.dest_uri: self._file_fingerprint(file) for file in files}
        plan = self.ledger.plan(site, outputs)
        remove_outputs(Path(config.site_dir), plan.removed)
        for file in files:
            if isinstance(file, _SiteFile):
                file.kept = file.dest_uri in plan.kept
        self.partial_rebuild = not plan.full
        log.info(
            "rebuild: %d of %d outputs kept, %d written again",
            len(plan.kept),
            len(outputs),
            len(outputs) - len(plan.kept),
        )
        return nav

    def _file_fingerprint(self, file: File) -> str:
        """Return the fingerprint of what goes into one file's output alone."""
        # What `on_post_page` adds from the plugin's own state besides the page's text.
        entry = self.entries_by_page.get(file.src_uri)
        links = feed_links(file.src_uri, self.feeds)
        added = (repr(entry), str(file.src_uri in self.listing_pages), repr(links))
        if file.generated_by is not None or file.abs_src_path is None:
            return output_fingerprint(file.src_uri, added, content=file.content_bytes)
        return output_fingerprint(file.src_uri, added, source=file.abs_src_path)

    def on_build_error(self, *, error: Exception) -> None:
        """Trust no output of a build that failed: the next one writes every output again."""
        if self.ledger is not None:
            self.ledger.forget()

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Write the `citation_*` meta tags into paper pages; feed links and search into all."""
        if not self.config.enabled:
            return output
        entry = self.entries_by_page.get(page.file.src_uri)
        if entry is not None:
            tags = citation_meta_tags(entry, tag_labels=self.tag_labels)
            output = insert_into_head(output, tags)
        links = feed_links(page.file.src_uri, self.feeds)
        if links:
            hrefs = [(get_relative_url(path, page.url), title) for path, title in links]
            output = insert_into_head(output, feed_link_tags(hrefs))
        if self.config.search == "pagefind":
            root = get_relative_url(".", page.url).rstrip("/") + "/"
            indexed = page.file.src_uri not in self.listing_pages
            output = add_search(output, root, index_article=indexed)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Index the built site with Pagefind's indexer (`search: pagefind`)."""
        if not self.config.enabled:
            return
        if self.ledger is not None:
            self.ledger.commit()
        if self.config.search != "pagefind":
            return
        if self.partial_rebuild and os.path.isdir(Path(config.site_dir) / "pagefind"):
            # Indexing 10,000 pages takes longer than the rebuild it would follow.
            log.info(
                "search: Pagefind's index is the one of the last full build; it is made again "
                "when the navigation or configuration changes, or when `mkdocs serve` restarts"
            )
            return
        try:
            report = run_indexer(Path(config.site_dir))
        except ToolError as error:
            raise PluginError(f"papershelf: option 'search': pagefind: {error}") from None
        log.info("search: Pagefind indexed %s pages", report.pages or "the")
        log.debug("Pagefind's indexer said:\n%s", report.output)

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


class _SiteFile(File):
    """A generated file whose output a dirty rebuild may keep, when the ledger vouches for it."""

    kept = False
    """Whether `OutputLedger` found its output current (MkDocs counts generated files stale)."""

    def is_modified(self) -> bool:
        """Return whether MkDocs must build this file's output again."""
        if self.kept and os.path.isfile(self.abs_dest_path):
            return False
        return bool(super().is_modified())


_Site = tuple[list[BibEntry], list[str], list[GeneratedFile]]
"""The entries of the libraries, the warnings about them, and every generated file."""


def _site(
    texts: dict[str, str], labels: dict[str, str], options: SiteOptions, skip: Iterable[str]
) -> _Site:
    """Read the libraries and generate the site's files; a `PluginError` on bad input."""
    try:
        entries, warnings = read_libraries_and_warnings(texts)
        # Checks every key, pages on disk included: two keys must not share a page.
        generated = build_site(
            entries,
            tag_labels=labels,
            options=options,
            library_texts=list(texts.values()),
            skip=frozenset(skip),
        )
    except PapershelfError as error:
        raise PluginError(f"papershelf: cannot read the library:\n{error}") from None
    return list(entries), [str(warning) for warning in warnings], generated


def _nav_titles(items: Sequence[Any]) -> Iterator[str]:
    """Yield the title and address of every navigation item, depth first."""
    for item in items:
        yield f"{type(item).__name__}:{item.title}:{getattr(item, 'url', '')}"
        if isinstance(item, Section):
            yield from _nav_titles(item.children)
            yield "end"


_NOT_IN_NAV = InclusionLevel.NOT_IN_NAV
_UNDECIDED = (InclusionLevel.UNDEFINED, InclusionLevel.INCLUDED)


def _inclusion(generated_file: GeneratedFile) -> InclusionLevel:
    """Return how MkDocs includes a generated file: pages out of the nav unless overviews."""
    if generated_file.in_nav or generated_file.kind in (FileKind.DOWNLOAD, FileKind.FEED):
        # MkDocs decides (from the `nav` and `not_in_nav` settings), as for a file on disk.
        return InclusionLevel.UNDEFINED
    return _NOT_IN_NAV


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
        # The rules `papershelf convert` reads a library by: a regular file of at most
        # MAX_LIBRARY_BYTES, UTF-8 and no NUL byte, with the line of the first bad byte.
        data = read_limited(
            Path(path), shown, limit=MAX_LIBRARY_BYTES, what="library", error=LibraryError
        )
        return decode_text(data, name=shown, what="library").text
    except FileNotFoundError:
        raise PluginError(
            f"papershelf: option 'bib': {shown} does not exist; list your digests in the option "
            "`digests` (they are converted into the first `bib` file), or run "
            f"`papershelf convert <digest> --bib {shown}`, or fix the path (relative to "
            "mkdocs.yml)"
        ) from None
    except OSError as error:
        raise PluginError(
            f"papershelf: option 'bib': cannot read {shown}: {error.strerror or error}"
        ) from None
    except PapershelfError as error:
        raise PluginError(f"papershelf: option 'bib':\n{error}") from None


def _check_page_on_disk(page: File, config: MkDocsConfig) -> None:
    """Refuse a paper page on disk that links out of `docs/papers/`; warn when text would move.

    MkDocs would publish whatever file such a link names. What the warning says, and when, is
    `paper_page.page_on_disk_notice`'s to decide.
    """
    try:
        inside(
            Path(config.docs_dir) / PAPERS_FOLDER, page.src_uri.removeprefix(f"{PAPERS_FOLDER}/")
        )
    except PapershelfError as error:
        raise PluginError(f"papershelf: {error}") from None
    try:
        text = page.content_string
    except (OSError, UnicodeDecodeError):
        return  # MkDocs reports a page it cannot read itself
    notice = page_on_disk_notice(page.src_uri, text)
    if notice is not None:
        log.warning("%s", notice)
