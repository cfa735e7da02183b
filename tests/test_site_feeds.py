"""Atom feeds: the site's newest papers and each tag's, read back with feedparser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest

from conftest import bib_entry
from papershelf import BibEntry, SiteOptions, build_site
from papershelf.model import FileKind
from papershelf.site.feeds import FEED_SIZE, feed_link_tags, feed_links, render_feeds

ATOM = "{http://www.w3.org/2005/Atom}"
URL = "https://shelf.example.org/reading/"
OPTIONS = SiteOptions(site_url=URL, site_name="My shelf")
LABELS = {"diffusion": "Diffusion", "llm": "Large language models"}


def paper(key: str, day: int | None, **fields: object) -> BibEntry:
    """Return an entry dated `2025-03-<day>` (undated for None) with the fields given."""
    date = dt.date(2025, 3, day) if day else None
    defaults: dict[str, object] = {
        "title": f"Title of {key}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "author_count": 2,
        "date": date,
        "year": 2025 if date else None,
        "month": 3 if date else None,
        "day": day,
        "abstract": f"Abstract of {key}.",
        "tags": ("diffusion",),
    }
    return bib_entry(key, **{**defaults, **fields})


LIBRARY = [
    paper("older", 2),
    paper("newest", 9, tags=("diffusion", "llm")),
    paper("middle", 5, authors=(), author_count=3, organization="OCC", tags=()),
    paper("undated", None),
]


def feeds_by_path(entries: list[BibEntry], options: SiteOptions = OPTIONS) -> dict[str, str]:
    return {
        feed.path: feed.xml for feed in render_feeds(entries, tag_labels=LABELS, options=options)
    }


def parsed(xml: str) -> feedparser.FeedParserDict:
    """Return the feed as a feed reader sees it; fail on any XML or Atom problem it notices."""
    result = feedparser.parse(xml)
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "atom10"
    return result


def test_the_site_feed_holds_the_dated_papers_newest_first() -> None:
    feeds = feeds_by_path(LIBRARY)
    assert sorted(feeds) == ["feed.xml", "tags/diffusion/feed.xml", "tags/llm/feed.xml"]
    feed = parsed(feeds["feed.xml"])
    assert feed.feed.id == f"{URL}feed.xml"
    assert feed.feed.title == "My shelf: newest papers"
    # The newest paper's day, not the time of the build: an unchanged library, the same feed.
    assert feed.feed.updated == "2025-03-09T00:00:00+00:00"
    assert {(link.rel, link.href) for link in feed.feed.links} == {
        ("self", f"{URL}feed.xml"),
        ("alternate", URL),
    }
    assert feed.feed.author == "My shelf"
    assert [entry.id for entry in feed.entries] == [
        f"{URL}papers/newest/",
        f"{URL}papers/middle/",
        f"{URL}papers/older/",
    ]
    first = feed.entries[0]
    assert first.title == "Title of newest"
    assert first.link == f"{URL}papers/newest/"
    assert first.updated == first.published == "2025-03-09T00:00:00+00:00"
    assert [author.name for author in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert first.summary == "Abstract of newest."
    assert [(tag.term, tag.label) for tag in first.tags] == [
        ("diffusion", "Diffusion"),
        ("llm", "Large language models"),
    ]
    # Without author names the organization stands for them; without both, the feed's author.
    assert [author.name for author in feed.entries[1].authors] == ["OCC"]


def test_every_feed_has_the_elements_atom_requires() -> None:
    for path, xml in feeds_by_path(LIBRARY).items():
        root = ET.fromstring(xml)
        assert root.tag == f"{ATOM}feed", path
        for name in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{name}") is not None, (path, name)
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        for entry in entries:
            for name in ("id", "title", "updated", "link"):
                assert entry.find(f"{ATOM}{name}") is not None, (path, name)
            assert entry.find(f"{ATOM}id").text.startswith(URL)


def test_a_tag_feed_lies_beside_its_listing_and_holds_its_papers() -> None:
    feeds = feeds_by_path(LIBRARY)
    feed = parsed(feeds["tags/llm/feed.xml"])
    assert feed.feed.title == "My shelf: Large language models"
    assert feed.feed.id == f"{URL}tags/llm/feed.xml"
    assert {link.href for link in feed.feed.links if link.rel == "alternate"} == {f"{URL}tags/llm/"}
    assert [entry.id for entry in feed.entries] == [f"{URL}papers/newest/"]
    diffusion = parsed(feeds["tags/diffusion/feed.xml"])
    # The undated paper is in no feed: an Atom entry needs a date.
    assert [entry.id for entry in diffusion.entries] == [
        f"{URL}papers/newest/",
        f"{URL}papers/older/",
    ]


def test_a_feed_holds_the_newest_papers_only() -> None:
    many = [
        paper(f"p{index:03d}", None, date=dt.date(2024, 1, 1) + dt.timedelta(index))
        for index in range(FEED_SIZE + 7)
    ]
    feed = parsed(feeds_by_path(many)["feed.xml"])
    assert len(feed.entries) == FEED_SIZE
    assert feed.entries[0].id == f"{URL}papers/p{FEED_SIZE + 6:03d}/"
    assert feed.entries[-1].id == f"{URL}papers/p007/"


def test_links_follow_the_url_style() -> None:
    options = dataclasses.replace(OPTIONS, directory_urls=False, site_url="https://x.example.org")
    feed = parsed(feeds_by_path(LIBRARY, options)["tags/llm/feed.xml"])
    assert feed.entries[0].link == "https://x.example.org/papers/newest.html"
    assert {link.href for link in feed.feed.links if link.rel == "alternate"} == {
        "https://x.example.org/tags/llm.html"
    }


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(SiteOptions(), id="no-site-url"),
        pytest.param(SiteOptions(site_url=URL, feeds=False), id="feeds-off"),
    ],
)
def test_no_feed_without_a_site_url_or_when_switched_off(options: SiteOptions) -> None:
    assert feeds_by_path(LIBRARY, options) == {}
    files = build_site(LIBRARY, tag_labels=LABELS, options=options)
    assert not [file for file in files if file.kind is FileKind.FEED]


def test_hostile_text_arrives_as_text() -> None:
    title = "<script>alert('x')</script> & <b>bold</b> ]]> \x0b"
    abstract = "Less <than> & more\x00 </summary><entry>"
    hostile = paper("hostile", 9, title=title, abstract=abstract, authors=("<img src=x>",))
    xml = feeds_by_path([hostile])["feed.xml"]
    assert "<script" not in xml
    assert "<img" not in xml
    assert "<b>" not in xml
    assert "&lt;script&gt;" in xml
    assert "&amp; " in xml
    entry = parsed(xml).entries[0]
    # The characters XML cannot carry are dropped; everything else reads back unchanged.
    assert entry.title == title.replace("\x0b", "").strip()  # feedparser strips the ends
    assert entry.summary == abstract.replace("\x00", "")
    assert [author.name for author in entry.authors] == ["<img src=x>"]


def test_an_unchanged_library_gives_the_same_feeds() -> None:
    assert feeds_by_path(LIBRARY) == feeds_by_path(list(reversed(LIBRARY)))


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param("papers/newest.md", ["feed.xml"], id="paper-page"),
        pytest.param("index.md", ["feed.xml"], id="home"),
        pytest.param("tags/index.md", ["feed.xml"], id="tags-index"),
        pytest.param("tags/llm.md", ["feed.xml", "tags/llm/feed.xml"], id="tag-listing"),
        pytest.param(
            "tags/llm/page-2.md", ["feed.xml", "tags/llm/feed.xml"], id="tag-listing-page-2"
        ),
        pytest.param("tags/gone.md", ["feed.xml"], id="tag-without-feed"),
        pytest.param("timeline/2025.md", ["feed.xml"], id="timeline"),
    ],
)
def test_each_page_links_the_site_feed_and_its_tags(page: str, expected: list[str]) -> None:
    titles = {
        feed.path: feed.title for feed in render_feeds(LIBRARY, tag_labels=LABELS, options=OPTIONS)
    }
    assert [path for path, _ in feed_links(page, titles)] == expected


def test_feed_link_tags_are_escaped() -> None:
    tags = feed_link_tags([("../feed.xml", 'My "shelf" <3')])
    assert tags == (
        '<link rel="alternate feed" type="application/atom+xml" '
        'title="My &quot;shelf&quot; &lt;3" href="../feed.xml">\n'
    )
