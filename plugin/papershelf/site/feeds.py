"""Entries -> Atom feeds: the newest papers of the site (`feed.xml`) and of each tag
(`tags/<tag>/feed.xml`, beside the tag's listing), and the `<link rel="alternate">` tags that
point browsers and feed readers at them.

The XML is written by feedgen (on lxml), which escapes every text and attribute, so a title
holding `<script>` or `&` arrives in a feed reader as that text. Atom requires absolute IRIs for
ids, so the feeds need the site's URL (`SiteOptions.site_url`); without it `build_site` writes
none and the front ends say so (`NO_SITE_URL`). A feed is a function of the library: its
`updated` is its newest paper's date, not the time of the build, so an unchanged library gives
byte-identical feeds.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papershelf.model import BibEntry, SiteOptions
from papershelf.site.listings import newest_first, tag_groups
from papershelf.site.paper_page import display_title, tag_label
from papershelf.site.urls import (
    SITE_FEED,
    listing_feed_path,
    page_url,
    paper_page_path,
    tag_feed_path,
    tag_page_path,
    tag_slug,
)

FEED_SIZE = 50
"""Papers a feed holds: the newest, by date."""
NO_SITE_URL = (
    "no Atom feeds were written: feed ids and links must be absolute URLs, and the site's URL "
    "is not known; {fix}"
)
"""Said when feeds are wanted but `site_url` is missing; `{fix}` names the front end's option."""

# XML 1.0 cannot carry C0 controls other than tab, newline and carriage return, nor U+FFFE/FFFF;
# lxml refuses them rather than escaping them, so they are dropped from feed text.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Feed:
    """One Atom feed of the site."""

    path: str
    """Docs-relative path, e.g. `feed.xml` or `tags/diffusion/feed.xml`."""
    title: str
    """Plain-text title, e.g. `My reading list: Diffusion`."""
    xml: str
    """The whole Atom document."""


def render_feeds(
    entries: Sequence[BibEntry], *, tag_labels: Mapping[str, str], options: SiteOptions
) -> list[Feed]:
    """Return the site's feed and one feed per tag, each of the `FEED_SIZE` newest papers.

    Only dated papers are in feeds (an Atom entry needs a date); a tag none of whose papers has
    a date gets no feed. Without `options.site_url`, or with `options.feeds` off, no feed at all.
    """
    if not options.feeds or not options.site_url:
        return []
    dated = [entry for entry in newest_first(entries) if entry.date is not None]
    site = _Site(options.site_url.rstrip("/") + "/", options, tag_labels)
    feeds: list[Feed] = []
    if dated:
        feeds.append(site.feed(SITE_FEED, f"{options.site_name}: newest papers", "", dated))
    for slug, (label, tagged) in tag_groups(dated, tag_labels).items():
        feeds.append(
            site.feed(
                tag_feed_path(slug), f"{options.site_name}: {label}", tag_page_path(slug), tagged
            )
        )
    return feeds


def feed_links(page_path: str, feeds: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the feeds a page links to: the site's, and its tag's on a tag listing.

    Args:
        page_path: The page's docs path, e.g. `tags/diffusion/page-2.md`.
        feeds: Title of every feed written, by docs path (`Feed.path` -> `Feed.title`).

    Returns:
        `(docs path, title)` pairs, e.g. `[("feed.xml", "Papers: newest papers")]`.
    """
    paths = [SITE_FEED]
    beside = listing_feed_path(page_path)
    if beside is not None:
        paths.append(beside)
    return [(path, feeds[path]) for path in paths if path in feeds]


def feed_link_tags(links: Sequence[tuple[str, str]]) -> str:
    """Return `<link rel="alternate feed" type="application/atom+xml">` tags for a page's `<head>`.

    `alternate` is the keyword feed autodiscovery looks for in the list (the Atom autodiscovery
    draft and the RSS board's profile ask for a list that contains it); `feed` is HTML's own
    keyword for a syndication feed. With both, Material's script, which takes every link whose
    `rel` is exactly `alternate` for a language version of the site and downloads `sitemap.xml`
    beside it (the whole sitemap on every page load: megabytes at 100,000 papers), leaves the
    links alone.

    Args:
        links: `(href, title)` pairs, the href relative to the page, e.g. `("../feed.xml", ...)`.
    """
    return "".join(
        f'<link rel="alternate feed" type="application/atom+xml" title="{html.escape(title)}" '
        f'href="{html.escape(href)}">\n'
        for href, title in links
    )


@dataclass(frozen=True, slots=True)
class _Site:
    """What every feed of one site shares: its root URL, options and tag labels."""

    root: str
    options: SiteOptions
    tag_labels: Mapping[str, str]

    def url(self, path: str) -> str:
        """Return the absolute URL of a docs file, e.g. `https://x.org/papers/k/`."""
        return self.root + page_url(path, directory_urls=self.options.directory_urls)

    def feed(self, path: str, title: str, listing: str, entries: Sequence[BibEntry]) -> Feed:
        """Return one feed of the newest of `entries` (dated, newest first)."""
        # Imported here: lxml is only needed when a feed is written.
        from feedgen.feed import FeedGenerator

        shown = entries[:FEED_SIZE]
        generator = FeedGenerator()
        generator.id(self.url(path))
        generator.title(_text(title))
        generator.link(href=self.url(path), rel="self")
        generator.link(href=self.url(listing or "index.md"), rel="alternate")
        # The feed's author is the list's curator; it stands for papers whose authors are unknown.
        generator.author({"name": _text(self.options.site_name)})
        generator.generator("papershelf")
        generator.updated(_moment(shown[0]))
        for entry in shown:
            item = generator.add_entry(order="append")
            link = self.url(paper_page_path(entry.key))
            item.id(link)
            item.title(_text(display_title(entry)))
            item.link(href=link, rel="alternate")
            item.updated(_moment(entry))
            item.published(_moment(entry))
            names = entry.authors or ((entry.organization,) if entry.organization else ())
            if names:
                item.author([{"name": _text(name)} for name in names])
            if entry.abstract:
                item.summary(_text(entry.abstract))
            categories = [
                {"term": tag_slug(tag), "label": _text(tag_label(tag, self.tag_labels))}
                for tag in dict.fromkeys(entry.tags)
            ]
            if categories:
                item.category(categories)
        xml = generator.atom_str(pretty=True).decode("utf-8")
        return Feed(path, title, xml)


def _moment(entry: BibEntry) -> dt.datetime:
    """Return the entry's date as midnight UTC (feeds want a moment; libraries know a day)."""
    assert entry.date is not None  # feeds hold dated entries only
    return dt.datetime.combine(entry.date, dt.time(), tzinfo=dt.timezone.utc)


def _text(text: str) -> str:
    """Return text without the characters XML 1.0 cannot carry (feedgen escapes the rest)."""
    return _NOT_XML_RE.sub("", text)
