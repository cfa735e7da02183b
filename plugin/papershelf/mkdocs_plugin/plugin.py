"""The `papershelf` MkDocs plugin: wires MkDocs events to papershelf's pure stages.

It reads the configured `.bib` libraries and hands every file `papershelf.site.build.build_site`
generates (paper pages, tag, code, timeline and home pages, `.bib` downloads) to MkDocs in memory,
except where a file of that path exists in `docs_dir`, which wins. It keeps paper pages and long
listings out of the navigation, and writes Google Scholar `citation_*` meta tags into each paper
page's `<head>` so that Zotero's browser connector can save the paper. With `search: pagefind`
(the default) it puts Pagefind's search box into every page and runs Pagefind's indexer over the
built site (`papershelf.site.search`), in place of Material's `search` plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from papershelf.bib.read import read_libraries_and_warnings
from papershelf.errors import LibraryError, PapershelfError, ToolError
from papershelf.files import MAX_LIBRARY_BYTES, decode_text, inside, read_limited
from papershelf.mkdocs_plugin.config import PapershelfConfig
from papershelf.model import BibEntry, FileKind, GeneratedFile, SiteOptions
from papershelf.site.build import build_site
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
from papershelf.site.urls import PAPERS_FOLDER, paper_page_path
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
        if not self.config.enabled:
            return files
        texts = {path: _read_bib(path, config) for path in self.config.bib}
        try:
            entries, warnings = read_libraries_and_warnings(
                {_relative(path, config): text for path, text in texts.items()}
            )
        except PapershelfError as error:
            raise PluginError(f"papershelf: cannot read the library:\n{error}") from None
        for warning in warnings:
            log.warning("%s", warning)
        self.tag_labels = self._load_tag_labels()

        try:
            # Checks every key, pages on disk included: two keys must not share a page.
            generated = build_site(
                entries,
                tag_labels=self.tag_labels,
                options=SiteOptions(
                    per_page=self.config.per_page,
                    latest=self.config.latest,
                    home=self.config.home,
                    library_download=self.config.bib_download,
                ),
                library_texts=list(texts.values()),
                skip=files.src_uris,
            )
        except PapershelfError as error:
            raise PluginError(f"papershelf: cannot read the library:\n{error}") from None

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
                File.generated(
                    config,
                    generated_file.path,
                    content=generated_file.content,
                    inclusion=_inclusion(generated_file),
                )
            )
        self.listing_pages = {file.path for file in generated if file.kind is FileKind.LISTING}
        if self.config.search == "pagefind":
            for path, text in ((STYLESHEET, STYLESHEET_TEXT), (SCRIPT, SCRIPT_TEXT)):
                if path not in files.src_uris:
                    files.append(File.generated(config, path, content=text))
        listings = len(self.listing_pages)
        log.info(
            "%d papers from %d librar%s, %d listing pages",
            len(entries),
            len(texts),
            "y" if len(texts) == 1 else "ies",
            listings,
        )
        return files

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Write the `citation_*` meta tags into paper pages and the search box into all."""
        if not self.config.enabled:
            return output
        entry = self.entries_by_page.get(page.file.src_uri)
        if entry is not None:
            tags = citation_meta_tags(entry, tag_labels=self.tag_labels)
            output = insert_into_head(output, tags)
        if self.config.search == "pagefind":
            root = get_relative_url(".", page.url).rstrip("/") + "/"
            indexed = page.file.src_uri not in self.listing_pages
            output = add_search(output, root, index_article=indexed)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Index the built site with Pagefind's indexer (`search: pagefind`)."""
        if not self.config.enabled or self.config.search != "pagefind":
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


_NOT_IN_NAV = InclusionLevel.NOT_IN_NAV
_UNDECIDED = (InclusionLevel.UNDEFINED, InclusionLevel.INCLUDED)


def _inclusion(generated_file: GeneratedFile) -> InclusionLevel:
    """Return how MkDocs includes a generated file: pages out of the nav unless overviews."""
    if generated_file.in_nav or generated_file.kind is FileKind.DOWNLOAD:
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
