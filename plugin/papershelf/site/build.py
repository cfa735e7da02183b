"""Entries -> every file of the site: paper pages, listings, `.bib` downloads and Atom feeds.

`build_site` is the one place that decides what papershelf publishes. The MkDocs plugin hands its
result to MkDocs in memory; `papershelf site` writes it into a docs folder, so that a build
without the plugin (plain MkDocs, ProperDocs, or a successor that runs no MkDocs plugin) gives the
same pages.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Mapping, Sequence
from importlib import resources
from types import MappingProxyType

from papershelf.bib.fields import PRIVATE_FIELDS
from papershelf.bib.publish import published_text
from papershelf.errors import Problem
from papershelf.model import BibEntry, FileKind, GeneratedFile, SiteOptions
from papershelf.site.feeds import render_feeds
from papershelf.site.listings import render_site_pages
from papershelf.site.paper_page import display_title, render_pages
from papershelf.site.related import related_entries
from papershelf.site.urls import (
    HOME_PAGE,
    LIBRARY_DOWNLOAD,
    OVERVIEW_PAGES,
    SITE_STYLESHEET,
    bib_download_path,
    check_page_paths,
    paper_page_path,
)

_NONE: Mapping[str, str] = MappingProxyType({})
_DEFAULT_OPTIONS = SiteOptions()


def build_site(
    entries: Sequence[BibEntry],
    *,
    tag_labels: Mapping[str, str],
    options: SiteOptions = _DEFAULT_OPTIONS,
    library_texts: Sequence[str] = (),
    notes_from: Mapping[str, str] = _NONE,
    skip: Container[str] = frozenset(),
) -> list[GeneratedFile]:
    """Return every file of the site: paper pages, then listings, downloads and feeds.

    Each paper page lists the paper's nearest papers in the whole library
    (`related.related_entries`, computed once here), pages skipped included.

    Args:
        entries: The library's entries, keys unique (`bib.read.read_libraries`).
        tag_labels: Display labels of tag ids, e.g. `{"video-generation": "Video generation"}`.
        options: Page sizes, which optional files to generate, and the site's URL for feeds
            (`feeds.render_feeds`: none without it).
        library_texts: The text of each library file, published together as `bib/papers.bib`
            (one library byte for byte, several joined by a blank line); none, no such file.
        notes_from: Current text of paper pages by docs path (`papers/<key>.md`): each new page
            keeps the notes of its current one, and text added outside them is moved into them
            (see `paper_page.render_pages`); the page's `notices` say so.
        skip: Docs paths not to generate, e.g. files that exist in the docs folder and win over
            generated ones; a paper page skipped is not rendered at all.

    Returns:
        The files in the order MkDocs should see them; no path twice. No page and no download
        holds a field of `options.publish_exclude_fields` (default: the private fields of
        reference managers, `bib.fields.PRIVATE_FIELDS`), and the whole-library download holds
        no JabRef `@Comment{jabref-meta: ...}` block.

    Raises:
        LibraryError: Two keys would share a page and a download (`urls.check_page_paths`),
            pages on disk included.
    """
    # Every key, those of pages skipped included: a page on disk cannot show two entries.
    check_page_paths(entries)
    files: list[GeneratedFile] = []
    shown = [entry for entry in entries if paper_page_path(entry.key) not in skip]
    exclude = publish_exclude_fields(options)
    related = related_entries(entries) if shown else {}
    rendered = render_pages(
        shown, notes_from, tag_labels=tag_labels, exclude_fields=exclude, related=related
    )
    notices: dict[str, list[Problem]] = {}
    for notice in rendered.notices:
        notices.setdefault(notice.file, []).append(notice)
    for entry in shown:
        path = paper_page_path(entry.key)
        files.append(
            GeneratedFile(
                path,
                rendered.pages[path],
                FileKind.PAPER_PAGE,
                display_title(entry),
                in_nav=False,
                notices=tuple(notices.get(path, ())),
            )
        )
    listings = render_site_pages(
        entries,
        tag_labels=tag_labels,
        per_page=options.per_page,
        latest=options.latest,
        home=options.home and HOME_PAGE not in skip,
    )
    files.extend(
        GeneratedFile(
            page.path,
            page.content,
            FileKind.LISTING,
            page.title,
            in_nav=page.path in OVERVIEW_PAGES,
        )
        for page in listings
        if page.path not in skip
    )
    downloads = {
        bib_download_path(entry.key): _with_newline(
            published_text(entry.bibtex, exclude, present=entry.field_names)
        )
        for entry in entries
    }
    if options.library_download and library_texts:
        library = _joined(library_texts)
        downloads[LIBRARY_DOWNLOAD] = published_text(library, exclude, jabref_meta=True)
    files.extend(
        GeneratedFile(path, text, FileKind.DOWNLOAD, path.rsplit("/", 1)[-1], in_nav=False)
        for path, text in downloads.items()
        if path not in skip
    )
    if SITE_STYLESHEET not in skip:
        files.append(
            GeneratedFile(
                SITE_STYLESHEET, stylesheet_text(), FileKind.ASSET, "papershelf.css", False
            )
        )
    files.extend(
        GeneratedFile(feed.path, feed.xml, FileKind.FEED, feed.title, in_nav=False)
        for feed in render_feeds(entries, tag_labels=tag_labels, options=options)
        if feed.path not in skip
    )
    return files


def publish_exclude_fields(options: SiteOptions) -> frozenset[str]:
    """Return the fields no page or download shows: the option's, else the private fields."""
    chosen = options.publish_exclude_fields
    return frozenset(PRIVATE_FIELDS) if chosen is None else frozenset(chosen)


@functools.cache
def stylesheet_text() -> str:
    """Return papershelf's stylesheet (`SITE_STYLESHEET`), shipped in the package."""
    return resources.files("papershelf.site").joinpath("assets/papershelf.css").read_text("utf-8")


def _joined(texts: Sequence[str]) -> str:
    """Return one library byte for byte, or several joined by a blank line."""
    return texts[0] if len(texts) == 1 else "\n".join(_with_newline(text) for text in texts)


def _with_newline(text: str) -> str:
    """Return the text ending in exactly one newline."""
    return text.rstrip("\n") + "\n"
