"""Overview pages: tag listings, pagination, timeline, code by host, home."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
import re

import markdown
import pytest
from mkdocs.utils import meta

from conftest import DATA
from papershelf import BibEntry, Link, LinkKind, Source, read_library
from papershelf.site.listings import SitePage, render_site_pages
from papershelf.site.urls import paper_page_path

LINK_RE = re.compile(r"\]\(([^)\s]+\.md)\)")


def entry(
    key: str, date: dt.date | None, *, title: str | None = None, tags=(), links=()
) -> BibEntry:
    return BibEntry(
        key=key,
        entry_type="misc",
        title=title or f"Title {key}",
        authors=(),
        author_count=None,
        organization=None,
        date=date,
        year=date.year if date else None,
        month=date.month if date else None,
        abstract="",
        tags=tuple(tags),
        arxiv_id=None,
        url=None,
        doi=None,
        links=tuple(links),
        upvotes=None,
        comments=None,
        counts_date=None,
        bibtex=f"@misc{{{key},}}",
        source=Source("bib/papers.bib", 1),
        day=date.day if date else None,
    )


def pages_by_path(pages: list[SitePage]) -> dict[str, SitePage]:
    by_path = {page.path: page for page in pages}
    assert len(by_path) == len(pages), "two pages share a path"
    return by_path


def listed_keys(page: SitePage) -> list[str]:
    return [
        posixpath.basename(target)[: -len(".md")]
        for target in LINK_RE.findall(page.content)
        if "papers/" in target
    ]


def test_tag_page_lists_exactly_its_entries_newest_first_then_title() -> None:
    entries = [
        entry("a", dt.date(2025, 1, 5), title="Beta", tags=["diffusion"]),
        entry("b", dt.date(2025, 3, 1), tags=["diffusion", "llm"]),
        entry("c", dt.date(2025, 1, 5), title="alpha", tags=["diffusion"]),
        entry("d", dt.date(2025, 6, 1), tags=["llm"]),
        entry("e", None, tags=["diffusion"]),
    ]
    pages = pages_by_path(render_site_pages(entries, tag_labels={"llm": "LLMs"}))
    assert listed_keys(pages["tags/diffusion.md"]) == ["b", "c", "a", "e"]
    assert listed_keys(pages["tags/llm.md"]) == ["d", "b"]
    assert pages["tags/llm.md"].title == "LLMs"
    index = pages["tags/index.md"].content
    assert "- [diffusion](diffusion.md) (4)\n- [LLMs](llm.md) (2)" in index
    assert "(../papers/b.md)" in pages["tags/diffusion.md"].content


def test_tags_that_slug_alike_share_a_page() -> None:
    entries = [
        entry("a", dt.date(2025, 1, 1), tags=["cs.CL"]),
        entry("b", dt.date(2025, 1, 2), tags=["CS-CL"]),
    ]
    pages = pages_by_path(render_site_pages(entries, tag_labels={}))
    assert listed_keys(pages["tags/cs-cl.md"]) == ["b", "a"]


@pytest.mark.parametrize(
    ("count", "paths"),
    [
        pytest.param(49, ["tags/t.md"], id="49"),
        pytest.param(50, ["tags/t.md"], id="50"),
        pytest.param(51, ["tags/t.md", "tags/t/page-2.md"], id="51"),
        pytest.param(101, ["tags/t.md", "tags/t/page-2.md", "tags/t/page-3.md"], id="101"),
    ],
)
def test_pagination_boundaries(count: int, paths: list[str]) -> None:
    start = dt.date(2020, 1, 1)
    entries = [entry(f"k{i:03d}", start + dt.timedelta(days=i), tags=["t"]) for i in range(count)]
    pages = pages_by_path(render_site_pages(entries, tag_labels={}, per_page=50))
    tag_paths = sorted(path for path in pages if path.startswith("tags/t"))
    assert tag_paths == sorted(paths)
    listed = [key for path in paths for key in listed_keys(pages[path])]
    assert listed == [f"k{i:03d}" for i in reversed(range(count))]
    assert all(len(listed_keys(pages[path])) <= 50 for path in paths)
    if len(paths) == 1:
        assert "Page 1 of" not in pages[paths[0]].content
    else:
        assert "[Older →](t/page-2.md)" in pages["tags/t.md"].content
        assert "[← Newer](../t.md)" in pages["tags/t/page-2.md"].content
        assert "(../../papers/" in pages["tags/t/page-2.md"].content
        last = pages[paths[-1]].content
        assert f"Page {len(paths)} of {len(paths)}" in last
        assert "Older" not in last


def test_timeline_months_newest_first() -> None:
    entries = [
        entry("jan", dt.date(2025, 1, 10)),
        entry("mar1", dt.date(2025, 3, 1)),
        entry("mar2", dt.date(2025, 3, 20)),
        entry("dec", dt.date(2024, 12, 31)),
        dataclasses.replace(entry("yearonly", dt.date(2025, 1, 1)), month=None, day=None),
        entry("undated", None),
    ]
    page = pages_by_path(render_site_pages(entries, tag_labels={}))["timeline/index.md"]
    headings = re.findall(r"^## (.+)$", page.content, flags=re.MULTILINE)
    assert headings == [
        "March 2025",
        "January 2025",
        "2025 (month unknown)",
        "December 2024",
        "Undated",
    ]
    assert listed_keys(page) == ["mar2", "mar1", "jan", "yearonly", "dec", "undated"]


def test_long_timeline_splits_by_year() -> None:
    entries = [entry(f"a{i}", dt.date(2024, 1 + i % 12, 1)) for i in range(30)]
    entries += [entry(f"b{i}", dt.date(2025, 1 + i % 12, 1)) for i in range(30)]
    pages = pages_by_path(render_site_pages(entries, tag_labels={}, per_page=50))
    index = pages["timeline/index.md"].content
    assert "- [2025](2025.md) (30)" in index
    assert "- [2024](2024.md) (30)" in index
    assert len(listed_keys(pages["timeline/2025.md"])) == 30
    assert (
        re.findall(r"^## (.+)$", pages["timeline/2024.md"].content, flags=re.MULTILINE)[0]
        == "December 2024"
    )


def test_code_page_groups_by_host() -> None:
    entries = [
        entry("a", dt.date(2025, 1, 1), links=[Link("https://github.com/x/a", LinkKind.CODE)]),
        entry("b", dt.date(2025, 2, 1), links=[Link("https://gitlab.com/y/b", LinkKind.CODE)]),
        entry("c", dt.date(2025, 3, 1), links=[Link("https://github.com/x/c", LinkKind.CODE)]),
        entry("d", dt.date(2025, 4, 1), links=[Link("https://example.org/p", LinkKind.PROJECT)]),
    ]
    page = pages_by_path(render_site_pages(entries, tag_labels={}))["code/index.md"]
    assert re.findall(r"^## (.+)$", page.content, flags=re.MULTILINE) == ["GitHub", "GitLab"]
    github, gitlab = page.content.split("## GitHub")[1].split("## GitLab")
    assert listed_keys(SitePage("x", github, "x")) == ["c", "a"]
    assert listed_keys(SitePage("x", gitlab, "x")) == ["b"]
    assert "[x/c](https://github.com/x/c)" in github
    assert "d.md" not in page.content


def test_long_code_listing_gets_a_page_per_host() -> None:
    entries = [
        entry(
            f"g{i}",
            dt.date(2025, 1, 1) + dt.timedelta(days=i),
            links=[Link(f"https://github.com/o/r{i}", LinkKind.CODE)],
        )
        for i in range(60)
    ]
    pages = pages_by_path(render_site_pages(entries, tag_labels={}, per_page=50))
    assert "- [GitHub](github.md) (60)" in pages["code/index.md"].content
    assert len(listed_keys(pages["code/github.md"])) == 50
    assert len(listed_keys(pages["code/github/page-2.md"])) == 10


def test_home_lists_only_the_latest() -> None:
    entries = [entry(f"k{i:02d}", dt.date(2025, 1, 1) + dt.timedelta(days=i)) for i in range(30)]
    pages = pages_by_path(render_site_pages(entries, tag_labels={}, latest=5))
    assert listed_keys(pages["index.md"]) == ["k29", "k28", "k27", "k26", "k25"]
    assert "30 papers · 0 tags · 0 with code" in pages["index.md"].content
    assert "index.md" not in pages_by_path(render_site_pages(entries, tag_labels={}, home=False))


def test_every_link_resolves_and_hostile_text_stays_text() -> None:
    library = read_library((DATA / "hostile.bib").read_text(encoding="utf-8"), source="hostile.bib")
    entries = library + [
        entry(f"k{i}", dt.date(2024, 1, 1) + dt.timedelta(days=i), tags=["diffusion"])
        for i in range(60)
    ]
    pages = render_site_pages(entries, tag_labels={"diffusion": "<b>Diffusion</b>"}, per_page=20)
    known = {page.path for page in pages} | {paper_page_path(e.key) for e in entries}
    for page in pages:
        for target in LINK_RE.findall(page.content):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), target))
            assert resolved in known, (page.path, target)
        body, front = meta.get_data(page.content)
        assert "<" not in front["title"]
        html = markdown.markdown(
            body, extensions=["attr_list", "md_in_html", "pymdownx.superfences"]
        )
        assert "<script" not in html
        assert "<img" not in html
        assert "<b>" not in html
        assert 'href="javascript' not in html
    tag_page = next(page for page in pages if page.path == "tags/diffusion.md")
    assert tag_page.title == "<b>Diffusion</b>"
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in next(p for p in pages if p.path == "index.md").content
    )


# --- what a listing item shows -----------------------------------------------------------------

RENDER_EXTENSIONS = ["attr_list", "md_in_html", "pymdownx.superfences"]


def html_of(page: SitePage) -> str:
    """Return a listing page's body as Python-Markdown renders it with the plugin's extensions."""
    body, _ = meta.get_data(page.content)
    return markdown.markdown(body, extensions=RENDER_EXTENSIONS)


@pytest.mark.parametrize(
    ("fields", "byline"),
    [
        pytest.param({"authors": ("A A", "B B", "C C")}, "A A, B B, C C · 2025-03-06", id="three"),
        pytest.param(
            {"authors": ("A A", "B B", "C C", "D D")},
            "A A, B B, C C et al. · 2025-03-06",
            id="et-al-past-three",
        ),
        pytest.param({"author_count": 5}, "5 authors · 2025-03-06", id="count-only"),
        pytest.param({"organization": "OCC"}, "OCC · 2025-03-06", id="organization"),
        pytest.param({}, "2025-03-06", id="date-only"),
    ],
)
def test_listing_item_byline(fields: dict[str, object], byline: str) -> None:
    paper = dataclasses.replace(entry("k", dt.date(2025, 3, 6), tags=["llm"]), **fields)
    pages = pages_by_path(render_site_pages([paper], tag_labels={}))
    for path in ("index.md", "tags/llm.md", "timeline/index.md"):
        assert f'<span class="papershelf-byline">{byline}</span>' in html_of(pages[path]), path


def test_listing_item_code_badge_counts_and_chips() -> None:
    paper = dataclasses.replace(
        entry(
            "k",
            dt.date(2025, 3, 6),
            title="Fast <Things>",
            tags=["llm", "diffusion", "video", "audio"],
            links=[
                Link("https://github.com/org/repo", LinkKind.CODE),
                Link("https://gitlab.com/org/other", LinkKind.CODE),
            ],
        ),
        upvotes=64,
        comments=1,
        github_stars=1234,
        counts_date=dt.date(2025, 10, 30),
    )
    pages = pages_by_path(render_site_pages([paper], tag_labels={"llm": "LLMs"}))
    html = html_of(pages["tags/llm.md"])
    assert '<a href="../papers/k.md">Fast &lt;Things&gt;</a>' in html
    assert (
        '<a class="papershelf-code papershelf-icon-github" href="https://github.com/org/repo">'
        'GitHub <span class="papershelf-count papershelf-stars" title="1234 stars">1.2k'
        '<span class="papershelf-sr"> stars</span></span></a>'
    ) in html
    assert (
        '<span class="papershelf-count papershelf-upvotes" title="64 upvotes (as of 2025-10-30)">'
        '64<span class="papershelf-sr"> upvotes</span></span>'
    ) in html
    assert '<span class="papershelf-sr"> comment</span>' in html
    # The first three tags as chips linking to their pages, then how many more.
    chips = re.findall(r'<a class="papershelf-chip" href="([^"]+)">([^<]+)</a>', html)
    assert chips == [("llm.md", "LLMs"), ("diffusion.md", "diffusion"), ("video.md", "video")]
    assert '<span class="papershelf-more">+1</span>' in html
    # The code page has a line per code link, each with its own badge, labelled with its path.
    code = html_of(pages["code/index.md"])
    assert (
        '<a class="papershelf-code papershelf-icon-gitlab" href="https://gitlab.com/org/other">'
        "org/other</a>"
    ) in code
    assert "org/repo <span" in code  # the stars travel with the repository HF named


def test_listing_item_without_code_or_counts_has_no_facts_line() -> None:
    pages = pages_by_path(render_site_pages([entry("k", dt.date(2025, 3, 6))], tag_labels={}))
    assert "papershelf-facts" not in pages["index.md"].content
    assert "papershelf-code" not in pages["index.md"].content


def counted(key: str, day: dt.date, upvotes: int | None) -> BibEntry:
    return dataclasses.replace(
        entry(key, dt.date(2025, 1, 1)), counts_date=day, upvotes=upvotes, comments=0
    )


def test_home_shows_the_latest_digest_and_the_most_upvoted_of_its_month() -> None:
    entries = [
        counted("old", dt.date(2025, 9, 30), 999),  # an earlier month's digest
        counted("a", dt.date(2025, 10, 2), 50),
        counted("b", dt.date(2025, 10, 30), 3),
        counted("c", dt.date(2025, 10, 30), 30),
        counted("d", dt.date(2025, 10, 30), None),
        counted("e", dt.date(2025, 10, 12), 70),
    ]
    home = pages_by_path(render_site_pages(entries, tag_labels={}, latest=3))["index.md"]
    latest, month = home.content.split("## Most upvoted in October 2025\n")
    assert "## Latest digest: 2025-10-30\n" in latest
    assert "The 3 most upvoted of its 3 papers." not in latest
    assert "Its 3 papers, most upvoted first." in latest
    assert listed_keys(SitePage("index.md", latest, "")) == ["c", "b", "d"]
    assert listed_keys(SitePage("index.md", month, "")) == ["e", "a", "c"]
    short = pages_by_path(render_site_pages(entries, tag_labels={}, latest=2))["index.md"]
    assert "The 2 most upvoted of its 3 papers." in short.content
    none = pages_by_path(render_site_pages(entries, tag_labels={}, latest=0))["index.md"]
    assert listed_keys(none) == []
    assert "##" not in none.content
